/**
 * The rollback, with injected clients, clock and logger: describe the service → resolve the
 * target from release metadata → (dry run: stop here) → start the rollback → record the fate of
 * the release rolled back from → watch the rollout exactly as deploy-ecs does. Never deregisters.
 */
import { DescribeServicesCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import type { Clock } from '../../../lib/clock';
import { describeServiceOrFail, sanitizeTagValue, setReleaseStatus } from '../../../lib/ecs-release';
import { waitForRollout } from '../../../lib/ecs-rollout';
import { chooseStrategy, isNativeStrategy, type WatchOutcome } from '../../../lib/ecs-strategy';
import { ActionFailure, describeError } from '../../../lib/errors';
import type { Logger } from '../../../lib/logger';
import { formatDuration } from '../../../lib/markdown';
import { TAG } from '../../../lib/metadata';
import type { Inputs } from './inputs';
import { liveNativeDeployment, plannedNativeMethod, startNativeRollback } from './native';
import { describeRevision, resolveTarget } from './resolve';
import { ecsRevisionCatalog, shortName, type RevisionRecord } from './revisions';
import { plannedMethod, startRollback, type RollbackMethod, type StartedRollback } from './start';

export interface RollbackDeps {
  ecs: ECSClient;
  /** Client for the rollout polls, without SDK retries: one poll is one request. Default `ecs`. */
  pollEcs?: ECSClient;
  clock: Clock;
  log: Logger;
  /** How many revisions sha:/version:/fallback searches look at (default 100). */
  searchLimit?: number;
}

export type RollbackStatus = 'rolled-back' | 'started' | 'failed' | 'timed-out' | 'dry-run' | 'noop';

export interface RollbackResult {
  status: RollbackStatus;
  cluster: string;
  service: string;
  from: RevisionRecord;
  to: RevisionRecord;
  /** How the target was found. */
  how: string;
  warnings: string[];
  /** The reason recorded on the revision rolled back from. */
  reason: string;
  method?: RollbackMethod;
  deploymentId?: string;
  serviceDeploymentArn?: string;
  /** Whether the revision rolled back from was tagged rolled-back. */
  fromTagged?: boolean;
  /** What was done, or would be done in a dry run. */
  actions: string[];
  /** The service's task definition at the end (a dry run changes nothing; undefined when unknown). */
  liveArn?: string;
  /** Why it failed or timed out. */
  failure?: string;
  rollout?: WatchOutcome;
  durationMs: number;
}

export const NO_REASON = 'no reason given';

export async function rollback(inputs: Inputs, deps: RollbackDeps): Promise<RollbackResult> {
  const { ecs, clock, log } = deps;
  const started = clock.now();
  const catalog = ecsRevisionCatalog(ecs);

  const service = await log.group(`Service ${inputs.service} in cluster ${inputs.cluster}`, async () => {
    const found = await describeServiceOrFail(ecs, inputs.cluster, inputs.service);
    chooseStrategy(found);
    const primary = found.deployments?.find((d) => d.status === 'PRIMARY');
    log.info(`Running ${found.taskDefinition ?? 'no task definition'} (${found.runningCount ?? 0}/${found.desiredCount ?? 0} tasks; deployment ${primary?.id ?? '?'} ${primary?.rolloutState ?? ''}).`);
    return found;
  });
  const strategy = chooseStrategy(service);
  const currentArn = service.taskDefinition;
  if (!currentArn) throw new ActionFailure(`Service ${inputs.service} has no task definition: there is nothing to roll back from.`);
  const from = await catalog.get(currentArn);
  if (!from) throw new ActionFailure(`The service's task definition ${currentArn} cannot be described, so its release metadata cannot be read.`);

  const resolution = await log.group(`Target: ${inputs['target-input']}`, async () => {
    log.info(`Rolling back from ${describeRevision(from)}.`);
    return resolveTarget(inputs.target, from, { catalog, log, searchLimit: deps.searchLimit });
  });
  const to = resolution.target;
  const reason = inputs.reason ?? NO_REASON;
  const base = { cluster: inputs.cluster, service: inputs.service, from, to, how: resolution.how, warnings: resolution.warnings, reason };
  const elapsed = (): number => clock.now() - started;

  if (to.arn === from.arn) {
    log.info(`Nothing to do: the service already runs ${shortName(to.arn)}, the target.`);
    return { ...base, status: 'noop', liveArn: from.arn, actions: [`None: ${shortName(to.arn)} is already the service's task definition.`], durationMs: elapsed() };
  }

  // BLUE_GREEN / LINEAR / CANARY: a live service deployment is rolled back by ECS itself (native.ts).
  const live = isNativeStrategy(strategy) ? await liveNativeDeployment(ecs, service, log) : undefined;
  const method: RollbackMethod = isNativeStrategy(strategy) ? plannedNativeMethod(live, to.arn) : plannedMethod(service, to.arn);
  const tagLine = `Tag ${shortName(from.arn)} ${TAG.status}=rolled-back, ${TAG.rollbackReason}=${JSON.stringify(sanitizeTagValue(reason))}`;
  const switchLine = (how: RollbackMethod): string => how === 'StopServiceDeployment'
    ? `StopServiceDeployment (ROLLBACK) on the in-progress deployment: ECS returns service ${inputs.service} to ${shortName(to.arn)}`
    : how === 'ContinueServiceDeployment'
      ? `ContinueServiceDeployment (ROLLBACK) on the paused hook: ECS shifts traffic of service ${inputs.service} back to ${shortName(to.arn)}`
      : `UpdateService: service ${inputs.service} from ${shortName(from.arn)} to ${shortName(to.arn)}`;
  if (inputs['dry-run']) {
    const actions = [switchLine(method), tagLine, inputs.wait ? 'Wait for the rollout' : 'Not wait for the rollout'];
    await log.group('Dry run: what would change', async () => {
      for (const line of actions) log.info(`Would: ${line}`);
      log.info('Dry run: service not updated, no tag written, nothing deregistered.');
    });
    return { ...base, status: 'dry-run', liveArn: from.arn, method, actions, durationMs: elapsed() };
  }

  const startedRollback: StartedRollback & { watch?: () => Promise<WatchOutcome> } = await log.group(`Roll back ${inputs.service} to ${shortName(to.arn)}`, async () => {
    if (!isNativeStrategy(strategy)) {
      return startRollback({ ecs, cluster: inputs.cluster, service, serviceRef: inputs.service, targetArn: to.arn, clock, log, locateIntervalMs: inputs['poll-interval-seconds'] * 1000 });
    }
    const native = await startNativeRollback({
      ecs, pollEcs: deps.pollEcs ?? ecs, strategy, cluster: inputs.cluster, serviceRef: inputs.service, service, live, targetArn: to.arn,
      intervalMs: inputs['poll-interval-seconds'] * 1000, timeoutMs: inputs['timeout-seconds'] * 1000, clock, log,
    });
    return { ...native, deployment: native.deploymentId ? { id: native.deploymentId } : undefined };
  });
  const actions = [switchLine(startedRollback.method)];
  // Recorded before waiting: the decision stands even if the job is cancelled during the wait.
  const fromTagged = await recordRolledBack(ecs, from.arn, reason, log);
  if (fromTagged) actions.push(tagLine);
  const common = { ...base, fromTagged, method: startedRollback.method, deploymentId: startedRollback.deployment?.id, serviceDeploymentArn: startedRollback.serviceDeploymentArn, actions };

  if (!inputs.wait) {
    log.info('Not waiting for the rollout (wait: false).');
    return { ...common, status: 'started', liveArn: to.arn, durationMs: elapsed() };
  }
  const deploymentId = startedRollback.deployment?.id;
  if (!deploymentId && !startedRollback.watch) {
    return { ...common, status: 'failed', liveArn: await liveTaskDefinition(ecs, inputs, log), failure: `ECS started no deployment of ${shortName(to.arn)} that could be watched`, durationMs: elapsed() };
  }
  const rollout = await log.group<WatchOutcome>(`Rollout of ${deploymentId ?? startedRollback.serviceDeploymentArn}`, () =>
    startedRollback.watch ? startedRollback.watch() : waitForRollout({
      ecs: deps.pollEcs ?? ecs,
      cluster: inputs.cluster,
      service: inputs.service,
      deploymentId: deploymentId as string,
      taskDefinitionArn: to.arn,
      intervalMs: inputs['poll-interval-seconds'] * 1000,
      timeoutMs: inputs['timeout-seconds'] * 1000,
      clock,
      log,
      knownEventIds: knownEvents(service),
    }),
  );
  const status: RollbackStatus = rollout.status === 'completed' ? 'rolled-back' : rollout.status === 'awaiting-action' ? 'failed' : rollout.status;
  log.info(`Rollback ${status} after ${formatDuration(elapsed())}: ${rollout.reason}.`);
  // A target that failed to run is no longer a good release: the next `previous` must go past it,
  // not try it again. A timeout proves nothing either way, so it keeps its tag.
  if (status === 'failed') await recordTargetFailed(ecs, to.arn, log);
  const liveArn = status === 'rolled-back' ? to.arn : await liveTaskDefinition(ecs, inputs, log);
  return { ...common, status, rollout, liveArn, failure: status === 'rolled-back' ? undefined : rollout.reason, durationMs: elapsed() };
}

/** After a failed rollout the service may run either revision (or ECS's own rollback target): ask. */
async function liveTaskDefinition(ecs: ECSClient, inputs: Inputs, log: Logger): Promise<string | undefined> {
  try {
    const out = await ecs.send(new DescribeServicesCommand({ cluster: inputs.cluster, services: [inputs.service] }));
    return out.services?.[0]?.taskDefinition;
  } catch (err) {
    log.warning(`Could not read the service's task definition after the rollout: ${describeError(err)}`);
    return undefined;
  }
}

async function recordTargetFailed(ecs: ECSClient, arn: string, log: Logger): Promise<void> {
  try {
    await setReleaseStatus(ecs, arn, 'failed');
    log.info(`Tagged ${shortName(arn)} ${TAG.status}=failed: the rollback to it failed, so a later 'previous' rollback goes past it.`);
  } catch (err) {
    log.warning(`Could not tag ${shortName(arn)} ${TAG.status}=failed: ${describeError(err)}`);
  }
}

async function recordRolledBack(ecs: ECSClient, arn: string, reason: string, log: Logger): Promise<boolean> {
  try {
    await setReleaseStatus(ecs, arn, 'rolled-back', { [TAG.rollbackReason]: reason });
    log.info(`Tagged ${shortName(arn)} ${TAG.status}=rolled-back (${TAG.rollbackReason}: ${sanitizeTagValue(reason)}).`);
    return true;
  } catch (err) {
    // The rollback itself stands; without the tag a later `previous` still goes back, never to this revision.
    log.warning(`Could not tag ${shortName(arn)} ${TAG.status}=rolled-back: ${describeError(err)}`);
    return false;
  }
}

function knownEvents(service: Service): string[] {
  return (service.events ?? []).map((e) => e.id).filter((id): id is string => id !== undefined);
}
