/**
 * The rollback, with injected clients, clock and logger: describe the service → resolve the
 * target from release metadata → (dry run: stop here) → start the rollback → record the fate of
 * the release rolled back from → watch the rollout exactly as deploy-ecs does. Never deregisters.
 */
import type { Deployment, ECSClient, Service } from '@aws-sdk/client-ecs';
import type { Clock } from '../../../lib/util/clock';
import { describeServiceOrFail, sanitizeTagValue } from '../../../lib/ecs/release';
import { describeVerdict, readBackChange } from '../../../lib/ecs/readback';
import { waitForRollout, type RolloutOutcome, type WaitForRolloutOptions } from '../../../lib/ecs/rollout';
import { chooseStrategy, isNativeStrategy, type WatchOutcome } from '../../../lib/ecs/strategy';
import { ActionFailure, InputError, describeError } from '../../../lib/runner/errors';
import type { RollbackProgress } from './progress';
import { liveTaskDefinition, recordChain, type ChainOutcome } from './record';
import type { Logger } from '../../../lib/runner/logger';
import { formatDuration } from '../../../lib/util/markdown';
import { TAG } from '../../../lib/ecs/metadata';
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
  /** Client for recording the outcome (tags, reading the service back), alive a little past the deadline. Default `ecs`. */
  recordEcs?: ECSClient;
  /** Kept up to date for the exit paths without a result (main.ts: SIGTERM). */
  progress?: RollbackProgress;
  /** Epoch ms (clock time) at which the action must end; default start + timeout-seconds. */
  deadline?: number;
  /** Watch a rolling rollout with this instead of waitForRollout (multi.ts: a RolloutBatch shared by the services). */
  watch?: (opts: WaitForRolloutOptions) => Promise<RolloutOutcome>;
  /** Refuse a BLUE_GREEN / LINEAR / CANARY service before any change (an InputError with this input and value). */
  rollingOnly?: { input: string; value: string; why: string };
}

/** `cancelled`: the job was cancelled (SIGINT/SIGTERM) before the rollout's verdict (main.ts). */
export type RollbackStatus = 'rolled-back' | 'started' | 'failed' | 'timed-out' | 'dry-run' | 'noop' | 'cancelled';

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
  const recordEcs = deps.recordEcs ?? ecs;
  const started = clock.now();
  const deadline = deps.deadline ?? started + inputs['timeout-seconds'] * 1000;
  // Reading the service back after the deadline must leave time for the tags within the one-poll grace.
  const readBackTimeout = (): number => Math.min(30_000, Math.max((inputs['poll-interval-seconds'] * 1000) / 4, deadline - clock.now()));
  const readBackBounds = (): { attemptTimeoutMs: number; attempts?: number } => ({
    attemptTimeoutMs: readBackTimeout(),
    ...(deadline - clock.now() < inputs['poll-interval-seconds'] * 1000 ? { attempts: 1 } : {}),
  });
  const catalog = ecsRevisionCatalog(ecs);

  const service = await log.group(`Service ${inputs.service} in cluster ${inputs.cluster}`, async () => {
    const found = await describeServiceOrFail(ecs, inputs.cluster, inputs.service);
    chooseStrategy(found);
    const primary = found.deployments?.find((d) => d.status === 'PRIMARY');
    log.info(
      `Running ${found.taskDefinition ?? 'no task definition'} (${found.runningCount ?? 0}/${found.desiredCount ?? 0} tasks; deployment ${primary?.id ?? '?'} ${primary?.rolloutState ?? ''}).`,
    );
    return found;
  });
  const strategy = chooseStrategy(service);
  if (deps.rollingOnly && isNativeStrategy(strategy)) {
    const { input, value, why } = deps.rollingOnly;
    throw new InputError(
      'GANTRY-ROLLBACK-102',
      input,
      value,
      `services deployed with the ROLLING strategy only (${inputs.service} uses ${strategy}; ${why})`,
    );
  }
  const currentArn = service.taskDefinition;
  if (!currentArn)
    throw new ActionFailure('GANTRY-ROLLBACK-013', `Service ${inputs.service} has no task definition: there is nothing to roll back from.`);
  const described = await catalog.get(currentArn);
  if (!described)
    throw new ActionFailure(
      'GANTRY-ROLLBACK-014',
      `The service's task definition ${currentArn} cannot be described, so its release metadata cannot be read.`,
    );
  const from: RevisionRecord = described;

  const resolution = await log.group(`Target: ${inputs['target-input']}`, async () => {
    log.info(`Rolling back from ${describeRevision(from)}.`);
    return resolveTarget(inputs.target, from, { catalog, log, searchLimit: deps.searchLimit });
  });
  const to = resolution.target;
  const reason = inputs.reason ?? NO_REASON;
  const base = { cluster: inputs.cluster, service: inputs.service, from, to, how: resolution.how, warnings: resolution.warnings, reason };
  const elapsed = (): number => clock.now() - started;

  const inFlight = to.arn === from.arn && !isNativeStrategy(strategy) ? inProgressOn(service, to.arn) : undefined;
  if (to.arn === from.arn && !inFlight) {
    log.info(`Nothing to do: the service already runs ${shortName(to.arn)}, the target.`);
    return {
      ...base,
      status: 'noop',
      liveArn: from.arn,
      actions: [`None: ${shortName(to.arn)} is already the service's task definition.`],
      durationMs: elapsed(),
    };
  }
  const watchLine = (id: string | undefined): string =>
    `Watch deployment ${id ?? '?'} of ${shortName(to.arn)} (still IN_PROGRESS: ECS is rolling the service back to it) to its end`;

  // BLUE_GREEN / LINEAR / CANARY: a live service deployment is rolled back by ECS itself (native.ts).
  const live = isNativeStrategy(strategy) ? await liveNativeDeployment(ecs, service, log) : undefined;
  const method: RollbackMethod = isNativeStrategy(strategy) ? plannedNativeMethod(live, to.arn) : plannedMethod(service, to.arn);
  const tagLine = `Tag ${shortName(from.arn)} ${TAG.status}=rolled-back, ${TAG.rollbackReason}=${JSON.stringify(sanitizeTagValue(reason))}`;
  const switchLine = (how: RollbackMethod): string =>
    how === 'StopServiceDeployment'
      ? `StopServiceDeployment (ROLLBACK) on the in-progress deployment: ECS returns service ${inputs.service} to ${shortName(to.arn)}`
      : how === 'ContinueServiceDeployment'
        ? `ContinueServiceDeployment (ROLLBACK) on the paused hook: ECS shifts traffic of service ${inputs.service} back to ${shortName(to.arn)}`
        : `UpdateService: service ${inputs.service} from ${shortName(from.arn)} to ${shortName(to.arn)}`;
  if (inputs['dry-run']) {
    const actions = inFlight
      ? [watchLine(inFlight.id)]
      : [switchLine(method), tagLine, inputs.wait ? 'Wait for the rollout' : 'Not wait for the rollout'];
    await log.group('Dry run: what would change', async () => {
      for (const line of actions) log.info(`Would: ${line}`);
      log.info('Dry run: service not updated, no tag written, nothing deregistered.');
    });
    return { ...base, status: 'dry-run', liveArn: from.arn, method: inFlight ? undefined : method, actions, durationMs: elapsed() };
  }
  if (inFlight) return watchInFlight(inFlight);

  const previousIds = new Set((service.deployments ?? []).map((d) => d.id).filter((id): id is string => id !== undefined));
  if (deps.progress?.cancelled) {
    // The SIGTERM recorder took over before this service's switch: it is not sent.
    return {
      ...base,
      status: 'cancelled',
      method,
      liveArn: from.arn,
      actions: [],
      failure: 'cancelled before the switch: not switched',
      durationMs: elapsed(),
    };
  }
  if (deps.progress) deps.progress.switched = { fromArn: from.arn, toArn: to.arn, reason };
  let startedRollback: StartedRollback & { watch?: () => Promise<WatchOutcome> };
  try {
    startedRollback = await log.group(`Roll back ${inputs.service} to ${shortName(to.arn)}`, async () => {
      if (!isNativeStrategy(strategy)) {
        return startRollback({
          ecs,
          cluster: inputs.cluster,
          service,
          serviceRef: inputs.service,
          targetArn: to.arn,
          clock,
          log,
          locateIntervalMs: inputs['poll-interval-seconds'] * 1000,
        });
      }
      const native = await startNativeRollback({
        ecs,
        pollEcs: deps.pollEcs ?? ecs,
        strategy,
        cluster: inputs.cluster,
        serviceRef: inputs.service,
        service,
        live,
        targetArn: to.arn,
        intervalMs: inputs['poll-interval-seconds'] * 1000,
        timeoutMs: Math.max(0, deadline - clock.now()),
        reportedTimeoutMs: inputs['timeout-seconds'] * 1000,
        clock,
        log,
      });
      return { ...native, deployment: native.deploymentId ? { id: native.deploymentId } : undefined };
    });
  } catch (err) {
    // Unknown outcome: ECS may have applied the switch and lost the answer. Say only what the service shows.
    const verdict = await readBackChange({
      ecs: recordEcs,
      cluster: inputs.cluster,
      service: inputs.service,
      targetArn: to.arn,
      previousDeploymentIds: previousIds,
      previousArn: from.arn,
      clock,
      ...readBackBounds(),
    });
    const headline = `starting the rollback failed: ${describeError(err)}. ${describeVerdict(verdict, to.arn, from.arn)}`;
    if (verdict.changed !== true) {
      const liveArn = verdict.changed === false ? verdict.service.taskDefinition : undefined;
      const fromTagged = await settleChain('failed-to-start', liveArn);
      return { ...base, status: 'failed', fromTagged, method, actions: [], liveArn, failure: headline, durationMs: elapsed() };
    }
    log.warning(`${headline} The switch was applied: watching its rollout.`);
    startedRollback = { method, deployment: verdict.deployment };
  }
  if (deps.progress) deps.progress.deploymentId = startedRollback.deployment?.id;
  const actions = [switchLine(startedRollback.method)];
  const common = {
    ...base,
    method: startedRollback.method,
    deploymentId: startedRollback.deployment?.id,
    serviceDeploymentArn: startedRollback.serviceDeploymentArn,
    actions,
  };
  try {
    return await watchAndRecord();
  } catch (err) {
    const liveArn = await liveTaskDefinition(recordEcs, inputs.cluster, inputs.service, log, readBackTimeout());
    const fromTagged = await settleChain('failed', liveArn);
    return {
      ...common,
      fromTagged,
      status: 'failed',
      liveArn,
      failure: `unexpected error after the switch: ${describeError(err)}; the service runs ${shortName(liveArn)}`,
      durationMs: elapsed(),
    };
  }

  async function watchAndRecord(): Promise<RollbackResult> {
    if (!inputs.wait) {
      log.info('Not waiting for the rollout (wait: false).');
      const fromTagged = await settleChain('started', to.arn);
      return { ...common, fromTagged, status: 'started', liveArn: to.arn, durationMs: elapsed() };
    }
    const deploymentId = startedRollback.deployment?.id;
    if (!deploymentId && !startedRollback.watch) {
      const liveArn = await liveTaskDefinition(recordEcs, inputs.cluster, inputs.service, log, readBackTimeout());
      const fromTagged = await settleChain('timed-out', liveArn);
      return {
        ...common,
        fromTagged,
        status: 'failed',
        liveArn,
        failure: `ECS started no deployment of ${shortName(to.arn)} that could be watched`,
        durationMs: elapsed(),
      };
    }
    const nativeWatch = startedRollback.watch;
    const rollout: WatchOutcome = nativeWatch
      ? await log.group(`Rollout of ${startedRollback.serviceDeploymentArn ?? deploymentId}`, nativeWatch)
      : await watch(deploymentId as string, knownEvents(service));
    const status: RollbackStatus =
      rollout.status === 'completed' ? 'rolled-back' : rollout.status === 'awaiting-action' ? 'failed' : rollout.status;
    const outcome = status === 'rolled-back' ? 'Rolled back' : status === 'timed-out' ? 'Rollback timed out' : `Rollback ${status}`;
    log.info(`${outcome} after ${formatDuration(elapsed())}: ${rollout.reason}.`);
    const liveArn =
      status === 'rolled-back' ? to.arn : await liveTaskDefinition(recordEcs, inputs.cluster, inputs.service, log, readBackTimeout());
    const fromTagged = await settleChain(
      status === 'rolled-back' ? 'rolled-back' : status === 'timed-out' ? 'timed-out' : 'failed',
      liveArn,
    );
    if (fromTagged) actions.push(tagLine);
    return {
      ...common,
      fromTagged,
      status,
      rollout,
      liveArn,
      failure: status === 'rolled-back' ? undefined : rollout.reason,
      durationMs: elapsed(),
    };
  }

  /** ECS's own rollback onto the target is still running: its end is the rollback's verdict. */
  async function watchInFlight(deployment: Deployment): Promise<RollbackResult> {
    const id = deployment.id as string;
    log.info(`The service already asks for ${shortName(to.arn)}, but its deployment ${id} is still IN_PROGRESS: watching it to its end.`);
    if (deps.progress) deps.progress.deploymentId = id;
    const rollout = await watch(id, knownEvents(service));
    const status: RollbackStatus = rollout.status === 'completed' ? 'noop' : rollout.status;
    if (rollout.status === 'failed')
      await recordChain({ ecs: recordEcs, fromArn: from.arn, toArn: to.arn, outcome: 'failed', liveArn: from.arn, reason, log });
    const liveArn =
      rollout.status === 'completed' ? to.arn : await liveTaskDefinition(recordEcs, inputs.cluster, inputs.service, log, readBackTimeout());
    return {
      ...base,
      status,
      deploymentId: id,
      rollout,
      liveArn,
      actions: [watchLine(id)],
      failure: rollout.status === 'completed' ? undefined : rollout.reason,
      durationMs: elapsed(),
    };
  }

  function watch(deploymentId: string, knownEventIds: string[]): Promise<RolloutOutcome> {
    return log.group(`Rollout of ${deploymentId}`, () =>
      (deps.watch ?? waitForRollout)({
        ecs: deps.pollEcs ?? ecs,
        cluster: inputs.cluster,
        service: inputs.service,
        deploymentId,
        taskDefinitionArn: to.arn,
        intervalMs: inputs['poll-interval-seconds'] * 1000,
        timeoutMs: Math.max(0, deadline - clock.now()),
        reportedTimeoutMs: inputs['timeout-seconds'] * 1000,
        clock,
        log,
        knownEventIds,
      }),
    );
  }

  /** Tags from what runs at the end (record.ts); nothing once the termination recorder took over. */
  async function settleChain(outcome: ChainOutcome | 'failed-to-start', liveArn: string | undefined): Promise<boolean> {
    if (deps.progress?.cancelled) return false;
    // A switch that never took changes no tag: the target was not tried, from still runs.
    if (outcome === 'failed-to-start')
      return recordChain({ ecs: recordEcs, fromArn: from.arn, toArn: to.arn, outcome: 'timed-out', liveArn, reason, log });
    return recordChain({ ecs: recordEcs, fromArn: from.arn, toArn: to.arn, outcome, liveArn, reason, log });
  }
}

/** The service's PRIMARY deployment when it runs `arn` and is still IN_PROGRESS (e.g. ECS's circuit-breaker rollback). */
export function inProgressOn(service: Service, arn: string): Deployment | undefined {
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  return primary?.id && primary.taskDefinition === arn && primary.rolloutState === 'IN_PROGRESS' ? primary : undefined;
}

function knownEvents(service: Service): string[] {
  return (service.events ?? []).map((e) => e.id).filter((id): id is string => id !== undefined);
}
