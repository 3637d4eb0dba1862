/**
 * The deployment, with injected clients, clock and logger: describe the service → check its
 * controller → render and register the revision (or take the promoted one) → UpdateService →
 * identify the deployment it started → watch it one poll at a time → record its fate in tags.
 */
import { randomUUID } from 'node:crypto';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  UpdateServiceCommand,
  type Deployment,
  type ECSClient,
  type Service,
} from '@aws-sdk/client-ecs';
import type { Clock } from '../../../lib/clock';
import { assertEcsDeploymentController, describeServiceOrFail, setReleaseStatus, tagRelease } from '../../../lib/ecs-release';
import { describeVerdict, readBackChange } from '../../../lib/ecs-readback';
import { findNewDeployment, waitForRollout, type RolloutOutcome } from '../../../lib/ecs-rollout';
import { InputError, describeError } from '../../../lib/errors';
import type { Logger } from '../../../lib/logger';
import { TAG, type RunnerContext } from '../../../lib/metadata';
import { isTransientAwsError } from '../../../lib/retry';
import { diffTaskDefinitions } from './diff';
import type { Inputs } from './inputs';
import type { DeployProgress } from './progress';
import { registerTaskDefinitionOnce } from './register';
import { renderTaskDefinition, type ImageTarget, type RenderedTaskDefinition } from './render';
import { registerView, templateFromDescribe, type TaskDefinitionTemplate } from './template';

export interface DeployDeps {
  ecs: ECSClient;
  /** Client for the rollout polls, without SDK retries: one poll is one request. Default `ecs`. */
  pollEcs?: ECSClient;
  /** Client for RegisterTaskDefinition, without SDK retries (register.ts retries it safely). Default `ecs`. */
  registerEcs?: ECSClient;
  /** Client for recording the outcome (tags, reading the service back), alive a little past the deadline. Default `ecs`. */
  recordEcs?: ECSClient;
  clock: Clock;
  log: Logger;
  context: RunnerContext;
  /** Kept up to date for the exit paths without a result (main.ts: SIGTERM, escaped errors). */
  progress?: DeployProgress;
  /** Epoch ms (clock time) at which the action must end; default start + timeout-seconds. */
  deadline?: number;
  /** This run's gantry:run-token (default a random UUID). */
  runToken?: string;
}

/** `registered`: register-only, the service not touched. `cancelled`: the job was cancelled (SIGINT/SIGTERM) before the rollout's verdict (main.ts). */
export type DeployStatus = 'deployed' | 'failed' | 'timed-out' | 'dry-run' | 'cancelled' | 'registered';

export interface DeployResult {
  status: DeployStatus;
  cluster: string;
  service: string;
  taskDefinitionArn?: string;
  previousTaskDefinitionArn?: string;
  revision?: number;
  deploymentId?: string;
  targets: ImageTarget[];
  tags?: Record<string, string>;
  registered: boolean;
  waited: boolean;
  /** Why it failed or timed out. */
  reason?: string;
  rollout?: RolloutOutcome;
  /** dry-run: changes against the live task definition. */
  diff?: string[];
  durationMs: number;
}

export async function deploy(inputs: Inputs, deps: DeployDeps): Promise<DeployResult> {
  const { ecs, clock, log } = deps;
  const recordEcs = deps.recordEcs ?? ecs;
  const started = clock.now();
  const deadline = deps.deadline ?? started + inputs['timeout-seconds'] * 1000;
  // Reading the service back after the deadline must leave time for the tag within the one-poll grace.
  const readBackTimeout = (): number => Math.min(30_000, Math.max((inputs['poll-interval-seconds'] * 1000) / 4, deadline - clock.now()));
  const readBackBounds = (): { attemptTimeoutMs: number; attempts?: number } => ({ attemptTimeoutMs: readBackTimeout(), ...(deadline - clock.now() < inputs['poll-interval-seconds'] * 1000 ? { attempts: 1 } : {}) });
  const base = { cluster: inputs.cluster, service: inputs.service, registered: false, waited: false };

  const service = await log.group(`Service ${inputs.service} in cluster ${inputs.cluster}`, async () => {
    const found = await describeServiceOrFail(ecs, inputs.cluster, inputs.service);
    assertEcsDeploymentController(found);
    warnAboutCircuitBreaker(found, log);
    log.info(`Running ${found.taskDefinition ?? 'no task definition'} (${found.runningCount ?? 0}/${found.desiredCount ?? 0} tasks).`);
    return found;
  });
  const previous = service.taskDefinition;

  let target: { arn?: string; rendered?: RenderedTaskDefinition };
  const promoted = inputs['task-definition-arn'];
  if (promoted !== undefined) {
    target = { arn: await resolvePromotion(ecs, promoted, log) };
  } else {
    const template = inputs['task-definition'] ?? (await liveTemplate(ecs, previous, log));
    const rendered = renderTaskDefinition({
      template,
      images: inputs.images,
      environment: inputs['environment-variables'],
      release: {
        gitSha: inputs['git-sha'],
        version: inputs.version,
        environment: inputs.environment,
        runUrl: deps.context.runUrl,
        actor: deps.context.actor,
        sourceUrl: deps.context.sourceUrl,
        previousTaskDefinitionArn: previous,
        deployedAt: new Date(clock.now()).toISOString(),
      },
    });
    for (const t of rendered.targets) log.info(`Container ${t.container} ← ${t.image}`);
    target = { rendered };
  }
  const targets = target.rendered?.targets ?? [];

  if (inputs['dry-run']) {
    const diff = await log.group('Dry run: changes against the live task definition', async () => {
      const live = previous ? registerView(await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: previous, include: ['TAGS'] }))) : {};
      const next = target.rendered?.input ?? registerView(await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: target.arn, include: ['TAGS'] })));
      const lines = diffTaskDefinitions(live, next);
      for (const line of lines.length ? lines : ['(no changes)']) log.info(line);
      log.info('Dry run: nothing registered, service not updated.');
      return lines;
    });
    return { ...base, status: 'dry-run', taskDefinitionArn: target.arn, previousTaskDefinitionArn: previous, targets, diff, durationMs: clock.now() - started };
  }

  let registered = false;
  let taskDefinitionArn = target.arn;
  let revision: number | undefined;
  const rendered = target.rendered;
  if (rendered) {
    const runToken = deps.runToken ?? randomUUID();
    const out = await log.group('Register task definition', async () => {
      const result = await registerTaskDefinitionOnce({ ecs: deps.registerEcs ?? ecs, input: rendered.input, runToken, clock, log });
      log.info(`Registered ${result.taskDefinitionArn} with tags ${JSON.stringify({ ...rendered.tags, [TAG.runToken]: runToken })}`);
      return result;
    });
    taskDefinitionArn = out.taskDefinitionArn;
    revision = out.revision;
    registered = true;
    if (deps.progress) deps.progress.registeredArn = taskDefinitionArn;
  }
  if (!taskDefinitionArn) throw new Error('RegisterTaskDefinition returned no task definition ARN');
  revision ??= revisionOf(taskDefinitionArn);
  if (inputs['register-only']) {
    // For a migration (run-task) before the rollout: the service is not touched, so there is no
    // previous-task-definition-arn to report and nothing a rollback could undo.
    log.info(`Registered only (register-only): service ${inputs.service} not updated. Deploy exactly this revision with task-definition-arn: ${taskDefinitionArn}`);
    return { ...base, status: 'registered', registered, taskDefinitionArn, revision, targets, tags: rendered?.tags, durationMs: clock.now() - started };
  }
  if (!rendered) await recordPromotion(ecs, taskDefinitionArn, promotionTags(inputs, deps.context, taskDefinitionArn, previous, clock.now()), log);

  const previousIds = new Set((service.deployments ?? []).map((d) => d.id).filter((id): id is string => id !== undefined));
  // From here on the service may change: every exit path reports these (main.ts writes them on SIGTERM too).
  if (deps.progress) deps.progress.touched = { taskDefinitionArn, previousTaskDefinitionArn: previous, revision, registered };
  const touched = { ...base, registered, taskDefinitionArn, previousTaskDefinitionArn: previous, revision, targets, tags: target.rendered?.tags };
  const recordIfLive = (status: 'deployed' | 'failed'): Promise<void> => (deps.progress?.cancelled ? Promise.resolve() : recordFate(recordEcs, taskDefinitionArn, status, log));
  let updated: { service?: Service };
  let appliedDespiteError = false;
  try {
    updated = await ecs.send(
      new UpdateServiceCommand({ cluster: inputs.cluster, service: inputs.service, taskDefinition: taskDefinitionArn, forceNewDeployment: inputs['force-new-deployment'] }),
    );
  } catch (err) {
    // Unknown outcome: ECS may have applied the update and lost the answer. Say only what the service shows.
    const verdict = await readBackChange({ ecs: recordEcs, cluster: inputs.cluster, service: inputs.service, targetArn: taskDefinitionArn, previousDeploymentIds: previousIds, previousArn: previous, clock, ...readBackBounds() });
    const headline = `UpdateService of ${inputs.service} to ${taskDefinitionArn} failed: ${describeError(err)}. ${describeVerdict(verdict, taskDefinitionArn, previous)}`;
    if (verdict.changed !== true) {
      // Never went live (or cannot be shown to have): not a release rollback may pick.
      await recordIfLive('failed');
      return { ...touched, status: 'failed', reason: headline, durationMs: clock.now() - started };
    }
    log.warning(`${headline} The update was applied: watching its rollout.`);
    updated = { service: verdict.service };
    appliedDespiteError = true;
  }
  if (!appliedDespiteError) log.info(`Updated service ${inputs.service} to ${taskDefinitionArn}${inputs['force-new-deployment'] ? ' (forced new deployment)' : ''}.`);
  try {
    return await watchAndRecord();
  } catch (err) {
    // Anything unexpected after the update: the service did change, so report it and mark the release failed.
    const verdict = await readBackChange({ ecs: recordEcs, cluster: inputs.cluster, service: inputs.service, targetArn: taskDefinitionArn, previousDeploymentIds: previousIds, previousArn: previous, clock, ...readBackBounds(), attempts: 1 });
    await recordIfLive('failed');
    const reason = `unexpected error after UpdateService: ${describeError(err)}. ${describeVerdict(verdict, taskDefinitionArn, previous)}`;
    return { ...touched, status: 'failed', deploymentId: deps.progress?.deploymentId, reason, durationMs: clock.now() - started };
  }

  async function watchAndRecord(): Promise<DeployResult> {
  const deployment = await identifyDeployment(ecs, inputs, updated.service, taskDefinitionArn as string, previousIds, log);
  if (deps.progress) deps.progress.deploymentId = deployment?.id;
  const common = { ...touched, deploymentId: deployment?.id };

  if (!inputs.wait) {
    log.info(`Not waiting for the rollout (wait: false); gantry:status stays as registered until a later step records the release's fate.`);
    return { ...common, status: 'deployed', durationMs: clock.now() - started };
  }
  if (!deployment?.id) {
    const reason = `ECS started no deployment of ${taskDefinitionArn}: the service's PRIMARY deployment runs ${primaryOf(updated?.service)?.taskDefinition ?? 'something else'}`;
    await recordIfLive('failed');
    return { ...common, status: 'failed', reason, durationMs: clock.now() - started };
  }

  const rollout = await log.group(`Rollout of ${deployment.id}`, () =>
    waitForRollout({
      ecs: deps.pollEcs ?? ecs,
      cluster: inputs.cluster,
      service: inputs.service,
      deploymentId: deployment.id as string,
      taskDefinitionArn: taskDefinitionArn as string,
      intervalMs: inputs['poll-interval-seconds'] * 1000,
      // The wait ends at the action's deadline: what came before it counts too.
      timeoutMs: Math.max(0, deadline - clock.now()),
      reportedTimeoutMs: inputs['timeout-seconds'] * 1000,
      clock,
      log,
      knownEventIds: (service.events ?? []).map((e) => e.id).filter((id): id is string => id !== undefined),
    }),
  );
  const status: DeployStatus = rollout.status === 'completed' ? 'deployed' : rollout.status === 'timed-out' ? 'timed-out' : 'failed';
  await recordIfLive(status === 'deployed' ? 'deployed' : 'failed');
  return {
    ...common,
    status,
    waited: true,
    rollout,
    reason: status === 'deployed' ? undefined : rollout.reason,
    durationMs: clock.now() - started,
  };
  }
}

function warnAboutCircuitBreaker(service: Service, log: Logger): void {
  const breaker = service.deploymentConfiguration?.deploymentCircuitBreaker;
  if (!breaker?.enable) {
    log.warning(
      `Service ${service.serviceName} has the deployment circuit breaker disabled: ECS keeps replacing failing tasks and never marks the rollout FAILED, ` +
        `so a broken release is only caught by the timeout. Enable deploymentCircuitBreaker { enable = true, rollback = true }.`,
    );
  } else if (!breaker.rollback) {
    log.info(`The circuit breaker of ${service.serviceName} will mark a failing rollout FAILED but not roll it back (rollback: false).`);
  }
}

async function liveTemplate(ecs: ECSClient, previous: string | undefined, log: Logger): Promise<TaskDefinitionTemplate> {
  if (!previous) throw new InputError('task-definition', undefined, 'a task definition file: the service has no task definition to use as the template');
  log.info(`Template: the live revision ${previous} and its tags.`);
  return templateFromDescribe(await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: previous, include: ['TAGS'] })), previous);
}

async function resolvePromotion(ecs: ECSClient, arn: string, log: Logger): Promise<string> {
  try {
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
    const resolved = out.taskDefinition?.taskDefinitionArn ?? arn;
    if (out.taskDefinition?.status && out.taskDefinition.status !== 'ACTIVE') {
      log.warning(`${resolved} is ${out.taskDefinition.status}; ECS may refuse to start new tasks from it.`);
    }
    log.info(`Promoting ${resolved} as it is: no new revision registered.`);
    return resolved;
  } catch (err) {
    if (isTransientAwsError(err)) throw err;
    throw new InputError('task-definition-arn', arn, `an existing task definition revision (${describeError(err)})`);
  }
}

/** The deployment UpdateService started, from its response or, failing that, one DescribeServices. */
async function identifyDeployment(
  ecs: ECSClient,
  inputs: Inputs,
  updated: Service | undefined,
  taskDefinitionArn: string,
  previousIds: Set<string>,
  log: Logger,
): Promise<Deployment | undefined> {
  let found = updated ? findNewDeployment(updated, taskDefinitionArn, previousIds) : undefined;
  let latest = updated;
  if (!found) {
    try {
      latest = (await ecs.send(new DescribeServicesCommand({ cluster: inputs.cluster, services: [inputs.service] }))).services?.[0] ?? updated;
    } catch (err) {
      // The update is sent: an unreadable service now is no verdict. Watch the PRIMARY the update answered with.
      log.warning(`Could not read the service after UpdateService (${describeError(err)}); watching the deployment UpdateService reported.`);
    }
    found = latest ? findNewDeployment(latest, taskDefinitionArn, previousIds) : undefined;
  }
  if (found) {
    log.info(`Deployment ${found.id} started (${found.status ?? 'status unknown'}).`);
    return found;
  }
  // Same revision and no force: ECS starts nothing and the PRIMARY deployment already runs it.
  const primary = primaryOf(latest);
  if (primary?.taskDefinition === taskDefinitionArn) {
    log.info(`ECS started no new deployment: ${primary.id} already runs ${taskDefinitionArn}; watching it.`);
    return primary;
  }
  log.warning(`Could not identify the deployment of ${taskDefinitionArn} in the service's deployments.`);
  return undefined;
}

function primaryOf(service: Service | undefined): Deployment | undefined {
  return service?.deployments?.find((d) => d.status === 'PRIMARY');
}

/**
 * A promoted revision keeps its content tags (git SHA, version) but gets this deploy's record:
 * what ran before here, where, by whom, when. Without it `gantry:previous` would still name what
 * ran before the revision's first deploy, and a `previous` rollback would go there instead of
 * to what this service really ran. `gantry:status` is set by the outcome, as for a new revision.
 */
function promotionTags(inputs: Inputs, context: DeployDeps['context'], arn: string, previous: string | undefined, now: number): Record<string, string> {
  const tags: Record<string, string> = { [TAG.deployedAt]: new Date(now).toISOString() };
  if (inputs.environment) tags[TAG.environment] = inputs.environment;
  if (context.runUrl) tags[TAG.runUrl] = context.runUrl;
  if (context.actor) tags[TAG.actor] = context.actor;
  // A redeploy of the live revision (force-new-deployment) must not make it its own predecessor.
  if (previous && previous !== arn) tags[TAG.previous] = previous;
  return tags;
}

async function recordPromotion(ecs: ECSClient, arn: string, tags: Record<string, string>, log: Logger): Promise<void> {
  try {
    await tagRelease(ecs, arn, tags);
    log.info(`Recorded this deploy on ${arn}: ${Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(', ')}.`);
  } catch (err) {
    log.warning(`Could not record this deploy on ${arn} (${describeError(err)}): a later 'previous' rollback may follow its older gantry:previous tag.`);
  }
}

async function recordFate(ecs: ECSClient, arn: string, status: 'deployed' | 'failed', log: Logger): Promise<void> {
  try {
    await setReleaseStatus(ecs, arn, status);
    log.info(`Tagged ${arn} gantry:status=${status}.`);
  } catch (err) {
    // The rollout verdict stands; a missing tag only makes rollback skip this revision.
    log.warning(`Could not tag ${arn} gantry:status=${status}: ${describeError(err)}`);
  }
}

function revisionOf(arn: string): number | undefined {
  const match = /:(\d+)$/.exec(arn);
  return match ? Number(match[1]) : undefined;
}
