/**
 * The deployment, with injected clients, clock and logger: describe the service → check its
 * controller → render and register the revision (or take the promoted one) → UpdateService →
 * identify the deployment it started → watch it one poll at a time → record its fate in tags.
 */
import { randomUUID } from 'node:crypto';
import { DescribeTaskDefinitionCommand, UpdateServiceCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import type { Clock } from '../../../lib/util/clock';
import { describeServiceOrFail, logStatusWrite, setReleaseStatusChecked, tagRelease } from '../../../lib/ecs/release';
import { describeVerdict, readBackChange } from '../../../lib/ecs/readback';
import { strategyFor } from '../../../lib/ecs/strategies';
import { primaryOf } from '../../../lib/ecs/strategies/rolling';
import type { GateInfo, PauseStage, RolloutStrategy, StrategyName, WatchOutcome, WatchRequest } from '../../../lib/ecs/strategy';
import { InputError, describeError } from '../../../lib/runner/errors';
import type { Logger } from '../../../lib/runner/logger';
import { TAG, type RunnerContext } from '../../../lib/ecs/metadata';
import { isTransientAwsError } from '../../../lib/aws/retry';
import { diffTaskDefinitions } from './diff';
import { gateStagesFor } from './gate';
import type { Inputs } from './inputs';
import type { DeployProgress } from './progress';
import { registerTaskDefinitionOnce } from './register';
import { renderTaskDefinition, type ImageTarget, type RenderedTaskDefinition } from './render';
import { registerView, templateFromDescribe, type TaskDefinitionTemplate } from '../../../lib/ecs/task-definition-template';

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
  /** Watch the rollout with this instead of the strategy's own watch (multi.ts: a RolloutBatch shared by the services). */
  watch?: (req: WatchRequest) => Promise<WatchOutcome>;
}

export type DeployStatus = DeployResult['status'];

interface DeployResultBase {
  cluster: string;
  service: string;
  taskDefinitionArn?: string;
  previousTaskDefinitionArn?: string;
  revision?: number;
  deploymentId?: string;
  /** Native strategies: the service deployment being watched. */
  serviceDeploymentArn?: string;
  strategy?: StrategyName;
  targets: ImageTarget[];
  tags?: Record<string, string>;
  registered: boolean;
  waited: boolean;
  durationMs: number;
}

/** One shape per outcome: a field exists where that outcome has it (others are `undefined`). */
export type DeployResult =
  | (DeployResultBase & { status: 'dry-run'; diff: string[]; reason?: undefined; rollout?: undefined; gate?: undefined })
  /** register-only (a migration runs from it first): the service not touched. */
  | (DeployResultBase & { status: 'registered'; reason?: undefined; rollout?: undefined; diff?: undefined; gate?: undefined })
  | (DeployResultBase & { status: 'deployed'; rollout?: WatchOutcome; reason?: undefined; diff?: undefined; gate?: undefined })
  /** `cancelled`: the job was cancelled (SIGINT/SIGTERM) before the rollout's verdict (main.ts). */
  | (DeployResultBase & {
      status: 'failed' | 'timed-out' | 'cancelled';
      reason: string;
      rollout?: WatchOutcome;
      diff?: undefined;
      gate?: undefined;
    })
  /** Native strategies: stopped at a PAUSE hook; a later step continues or rolls back (gate-action). */
  | (DeployResultBase & { status: 'awaiting-action'; gate: GateInfo; rollout: WatchOutcome; reason?: undefined; diff?: undefined });

/**
 * A deploy in three phases, so that deploy-ecs's `services` list (multi.ts) can plan every
 * service before any registers, and register every revision before any service is updated:
 * plan (describe, choose the strategy, render or resolve the revision; a dry run ends here),
 * register, launch (UpdateService → identify → watch → record).
 */
export async function deploy(inputs: Inputs, deps: DeployDeps): Promise<DeployResult> {
  const plan = await planDeploy(inputs, deps);
  if (plan.kind === 'dry-run') return plan.result;
  const registered = await registerPlanned(deps, plan);
  if (inputs['register-only']) {
    // For a migration (run-task) before the rollout: the service is not touched, so there is no
    // previous-task-definition-arn to report and nothing a rollback could undo.
    deps.log.info(
      `Registered only (register-only): service ${inputs.service} not updated. Deploy exactly this revision with task-definition-arn: ${registered.taskDefinitionArn}`,
    );
    return {
      ...plan.base,
      status: 'registered',
      registered: registered.registered,
      taskDefinitionArn: registered.taskDefinitionArn,
      revision: registered.revision,
      targets: plan.targets,
      tags: plan.target.rendered?.tags,
      durationMs: deps.clock.now() - plan.started,
    };
  }
  return launchDeploy(inputs, deps, registered);
}

/** What the plan phase found: the service, its strategy, and the revision to deploy (rendered or promoted). */
export interface PlannedDeploy {
  kind: 'planned';
  service: Service;
  strategy: RolloutStrategy;
  gateStages: readonly PauseStage[] | undefined;
  previous: string | undefined;
  target: { arn?: string; rendered?: RenderedTaskDefinition };
  targets: ImageTarget[];
  started: number;
  deadline: number;
  base: { cluster: string; service: string; registered: false; waited: false };
}

export interface RegisteredDeploy extends PlannedDeploy {
  taskDefinitionArn: string;
  revision: number | undefined;
  registered: boolean;
}

export interface PlanOptions {
  /** The service as already described (multi.ts describes its list in batches). */
  described?: Service;
  /** Refuse a strategy other than ROLLING before anything is registered (an InputError naming this input). */
  rollingOnly?: { input: string; value: string; why: string };
}

/** Plan: nothing is changed in AWS. A dry run ends here with its diff. */
export async function planDeploy(
  inputs: Inputs,
  deps: DeployDeps,
  options: PlanOptions = {},
): Promise<PlannedDeploy | { kind: 'dry-run'; result: DeployResult }> {
  const { ecs, clock, log } = deps;
  const started = clock.now();
  const deadline = deps.deadline ?? started + inputs['timeout-seconds'] * 1000;
  const base = { cluster: inputs.cluster, service: inputs.service, registered: false as const, waited: false as const };

  const service = await log.group(`Service ${inputs.service} in cluster ${inputs.cluster}`, async () => {
    const found = options.described ?? (await describeServiceOrFail(ecs, inputs.cluster, inputs.service));
    const chosen = strategyFor(found);
    if (chosen.name !== 'ROLLING' && options.rollingOnly) {
      const { input, value, why } = options.rollingOnly;
      throw new InputError(
        'GANTRY-DEPLOY-100',
        input,
        value,
        `services deployed with the ROLLING strategy only (${inputs.service} uses ${chosen.name}; ${why})`,
      );
    }
    if (chosen.name === 'ROLLING') warnAboutCircuitBreaker(found, log);
    else
      log.info(
        `Deployment strategy ${chosen.name}: watched through its service deployment and lifecycle stages, not by rolling-update rules.`,
      );
    log.info(`Running ${found.taskDefinition ?? 'no task definition'} (${found.runningCount ?? 0}/${found.desiredCount ?? 0} tasks).`);
    return found;
  });
  const strategy = strategyFor(service);
  const gateStages = gateStagesFor(strategy.name, service, inputs['gate-stages'], log);
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
      const live = previous
        ? registerView(await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: previous, include: ['TAGS'] })))
        : {};
      const next =
        target.rendered?.input ??
        registerView(await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: target.arn, include: ['TAGS'] })));
      const lines = diffTaskDefinitions(live, next);
      for (const line of lines.length ? lines : ['(no changes)']) log.info(line);
      log.info('Dry run: nothing registered, service not updated.');
      return lines;
    });
    return {
      kind: 'dry-run',
      result: {
        ...base,
        status: 'dry-run',
        taskDefinitionArn: target.arn,
        previousTaskDefinitionArn: previous,
        targets,
        diff,
        durationMs: clock.now() - started,
      },
    };
  }

  return { kind: 'planned', service, strategy, gateStages, previous, target, targets, started, deadline, base };
}

/** Register the planned revision (a promotion registers nothing): the first change in AWS. */
export async function registerPlanned(deps: DeployDeps, plan: PlannedDeploy): Promise<RegisteredDeploy> {
  const { ecs, clock, log } = deps;
  const { target } = plan;
  let registered = false;
  let taskDefinitionArn = target.arn;
  let revision: number | undefined;
  const rendered = target.rendered;
  if (rendered) {
    const runToken = deps.runToken ?? randomUUID();
    const out = await log.group('Register task definition', async () => {
      const result = await registerTaskDefinitionOnce({
        ecs: deps.registerEcs ?? ecs,
        input: rendered.input,
        runToken,
        clock,
        log,
        deadline: plan.deadline,
      });
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
  return { ...plan, taskDefinitionArn, revision, registered };
}

/** Launch: UpdateService, identify the deployment, watch it (deps.watch, or the strategy's own), record its fate. */
export async function launchDeploy(inputs: Inputs, deps: DeployDeps, plan: RegisteredDeploy): Promise<DeployResult> {
  const { ecs, clock, log } = deps;
  const recordEcs = deps.recordEcs ?? ecs;
  const { service, strategy, gateStages, previous, target, targets, started, deadline, base, taskDefinitionArn, revision, registered } =
    plan;
  const rendered = target.rendered;
  // Reading the service back after the deadline must leave time for the tag within the one-poll grace.
  const readBackTimeout = (): number => Math.min(30_000, Math.max((inputs['poll-interval-seconds'] * 1000) / 4, deadline - clock.now()));
  const readBackBounds = (): { attemptTimeoutMs: number; attempts?: number } => ({
    attemptTimeoutMs: readBackTimeout(),
    ...(deadline - clock.now() < inputs['poll-interval-seconds'] * 1000 ? { attempts: 1 } : {}),
  });
  // Cancelled (the SIGTERM recorder took over) before the service was told anything: nothing more is sent.
  const notSent = (): DeployResult => ({
    ...base,
    status: 'cancelled',
    registered,
    taskDefinitionArn,
    revision,
    targets,
    tags: rendered?.tags,
    reason: `cancelled before UpdateService: service ${inputs.service} was not updated (it still runs ${previous ?? 'what it ran'})`,
    durationMs: clock.now() - started,
  });
  if (deps.progress?.cancelled) return notSent();
  if (!rendered)
    await recordPromotion(ecs, taskDefinitionArn, promotionTags(inputs, deps.context, taskDefinitionArn, previous, clock.now()), log);
  if (deps.progress?.cancelled) return notSent();

  const previousIds = new Set((service.deployments ?? []).map((d) => d.id).filter((id): id is string => id !== undefined));
  // From here on the service may change: every exit path reports these (main.ts writes them on SIGTERM too).
  if (deps.progress) deps.progress.touched = { taskDefinitionArn, previousTaskDefinitionArn: previous, revision, registered };
  const touched = {
    ...base,
    registered,
    taskDefinitionArn,
    previousTaskDefinitionArn: previous,
    revision,
    targets,
    tags: target.rendered?.tags,
  };
  const recordIfLive = (status: 'deployed' | 'failed'): Promise<void> =>
    deps.progress?.cancelled ? Promise.resolve() : recordFate(recordEcs, taskDefinitionArn, status, log);
  let updated: { service?: Service };
  let appliedDespiteError = false;
  /** What the service shows after an UpdateService of unknown outcome, or an error after it. */
  const readBack = (attempts?: number) =>
    readBackChange({
      ecs: recordEcs,
      cluster: inputs.cluster,
      service: inputs.service,
      targetArn: taskDefinitionArn,
      previousDeploymentIds: previousIds,
      previousArn: previous,
      clock,
      ...readBackBounds(),
      ...(attempts === undefined ? {} : { attempts }),
    });
  try {
    updated = await ecs.send(
      new UpdateServiceCommand({
        cluster: inputs.cluster,
        service: inputs.service,
        taskDefinition: taskDefinitionArn,
        forceNewDeployment: inputs['force-new-deployment'],
      }),
    );
  } catch (err) {
    // Unknown outcome: ECS may have applied the update and lost the answer. Say only what the service shows.
    const verdict = await readBack();
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
  if (!appliedDespiteError)
    log.info(
      `Updated service ${inputs.service} to ${taskDefinitionArn}${inputs['force-new-deployment'] ? ' (forced new deployment)' : ''}.`,
    );
  try {
    return await watchAndRecord();
  } catch (err) {
    // Anything unexpected after the update: the service did change, so report it and mark the release failed.
    const verdict = await readBack(1);
    await recordIfLive('failed');
    const reason = `unexpected error after UpdateService: ${describeError(err)}. ${describeVerdict(verdict, taskDefinitionArn, previous)}`;
    return { ...touched, status: 'failed', deploymentId: deps.progress?.deploymentId, reason, durationMs: clock.now() - started };
  }

  async function watchAndRecord(): Promise<DeployResult> {
    const launched = await strategy.identifyDeployment({
      ecs,
      cluster: inputs.cluster,
      service: inputs.service,
      updated: updated.service,
      taskDefinitionArn: taskDefinitionArn as string,
      previousIds,
      previousServiceDeploymentArn: service.currentServiceDeployment,
      log,
    });
    const deployment = launched?.deployment;
    if (deps.progress) deps.progress.deploymentId = deployment?.id;
    const common = {
      ...touched,
      deploymentId: deployment?.id,
      strategy: strategy.name,
      serviceDeploymentArn: launched?.serviceDeploymentArn,
    };

    if (!inputs.wait) {
      log.info(
        `Not waiting for the rollout (wait: false); gantry:status stays as registered until a later step records the release's fate.`,
      );
      return { ...common, status: 'deployed', durationMs: clock.now() - started };
    }
    // Native: the service deployment may show only at a later poll (the watch takes the first new one).
    if (!launched || (!deployment?.id && (strategy.name === 'ROLLING' || !launched.serviceDeploymentArn))) {
      const reason = `ECS started no deployment of ${taskDefinitionArn}: the service's PRIMARY deployment runs ${primaryOf(updated?.service)?.taskDefinition ?? 'something else'}`;
      await recordIfLive('failed');
      return { ...common, status: 'failed', reason, durationMs: clock.now() - started };
    }

    const rollout = await log.group(`Rollout of ${strategy.name === 'ROLLING' ? deployment?.id : launched.serviceDeploymentArn}`, () =>
      (deps.watch ?? strategy.waitForRollout)({
        ecs: deps.pollEcs ?? ecs,
        cluster: inputs.cluster,
        service: inputs.service,
        started: launched,
        taskDefinitionArn: taskDefinitionArn as string,
        intervalMs: inputs['poll-interval-seconds'] * 1000,
        // The wait ends at the action's deadline: what came before it counts too.
        timeoutMs: Math.max(0, deadline - clock.now()),
        reportedTimeoutMs: inputs['timeout-seconds'] * 1000,
        clock,
        log,
        knownEventIds: (service.events ?? []).map((e) => e.id).filter((id): id is string => id !== undefined),
        gateStages,
        previousServiceDeploymentArn: service.currentServiceDeployment,
      }),
    );
    return recordOutcome(
      { ...common, waited: true, taskDefinitionArn: taskDefinitionArn as string },
      rollout,
      recordIfLive,
      log,
      () => clock.now() - started,
    );
  }
}

/** Record: the release's fate from the watch's verdict (a gate leaves the tag until it is answered). */
export async function recordOutcome(
  common: Omit<DeployResultBase, 'durationMs'> & { taskDefinitionArn: string },
  rollout: WatchOutcome,
  record: (status: 'deployed' | 'failed') => Promise<void>,
  log: Logger,
  elapsed: () => number,
): Promise<DeployResult> {
  // The watch may have found the service deployment itself (ECS showed it only after UpdateService).
  common = { ...common, serviceDeploymentArn: common.serviceDeploymentArn ?? rollout.native?.serviceDeploymentArn };
  if (rollout.status === 'awaiting-action') {
    const gate = rollout.native.gate;
    log.info(`gantry:status stays as it is until the gate at ${gate.stage} is answered (gate-action continue or rollback).`);
    return { ...common, status: 'awaiting-action', gate, rollout, serviceDeploymentArn: gate.serviceDeploymentArn, durationMs: elapsed() };
  }
  if (rollout.status === 'completed') {
    await record('deployed');
    return { ...common, status: 'deployed', rollout, durationMs: elapsed() };
  }
  await record('failed');
  return { ...common, status: rollout.status, rollout, reason: rollout.reason, durationMs: elapsed() };
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
  if (!previous)
    throw new InputError(
      'GANTRY-DEPLOY-001',
      'task-definition',
      undefined,
      'a task definition file: the service has no task definition to use as the template',
    );
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
    throw new InputError('GANTRY-DEPLOY-002', 'task-definition-arn', arn, `an existing task definition revision (${describeError(err)})`);
  }
}

/**
 * A promoted revision keeps its content tags (git SHA, version) but gets this deploy's record:
 * what ran before here, where, by whom, when. Without it `gantry:previous` would still name what
 * ran before the revision's first deploy, and a `previous` rollback would go there instead of
 * to what this service really ran. `gantry:status` is set by the outcome, as for a new revision.
 */
function promotionTags(
  inputs: Inputs,
  context: DeployDeps['context'],
  arn: string,
  previous: string | undefined,
  now: number,
): Record<string, string> {
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
    log.info(
      `Recorded this deploy on ${arn}: ${Object.entries(tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}.`,
    );
  } catch (err) {
    log.warning(
      `Could not record this deploy on ${arn} (${describeError(err)}): a later 'previous' rollback may follow its older gantry:previous tag.`,
    );
  }
}

/**
 * The release's fate as its gantry:status tag. A tag call that ends in an error is read back, and
 * the log says what the revision really shows: a lost answer is no missing tag. The verdict stands
 * either way; a missing tag only makes rollback skip this revision.
 */
export async function recordFate(ecs: ECSClient, arn: string, status: 'deployed' | 'failed', log: Logger): Promise<void> {
  logStatusWrite(log, arn, arn, status, await setReleaseStatusChecked(ecs, arn, status), `Tagged ${arn} ${TAG.status}=${status}.`);
}

function revisionOf(arn: string): number | undefined {
  const match = /:(\d+)$/.exec(arn);
  return match ? Number(match[1]) : undefined;
}
