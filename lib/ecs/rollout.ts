/**
 * Watching an ECS rolling deployment, shared by deploy-ecs and rollback.
 *
 * The anchor action waits with the SDK's `servicesStable` waiter: its backoff hides the moment
 * a rollout fails, and a circuit-breaker rollback looks like success once the old tasks are
 * stable again. Here every poll is one DescribeServices call judged by `evaluateRollout`, which
 * fails at the first snapshot showing our deployment FAILED, replaced, or our task definition
 * no longer on the service — without waiting for the rollback to finish.
 */
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Deployment,
  type ECSClient,
  type Service,
  type ServiceEvent,
  type Task,
} from '@aws-sdk/client-ecs';
import type { Clock } from '../util/clock';
import { describeError } from '../runner/errors';
import type { Logger } from '../runner/logger';
import { formatDuration } from '../util/markdown';
import { poll } from '../util/poll';
import { isTransientAwsError } from '../aws/retry';

export interface OurDeployment {
  deploymentId: string;
  taskDefinitionArn: string;
}

export interface RolloutDecision {
  state: 'in-progress' | 'completed' | 'failed';
  reason: string;
  deployment?: Deployment;
  running: number;
  pending: number;
  desired: number;
  failedTasks: number;
}

export interface StoppedTaskInfo {
  taskArn: string;
  taskDefinitionArn?: string;
  stoppedReason?: string;
  stopCode?: string;
  stoppedAt?: Date;
  containers: { name: string; exitCode?: number; reason?: string }[];
  /** The failing containers' last log lines (`container | line`, redacted), added by lib/ecs/task-logs.ts explainStoppedTasks. */
  logLines?: string[];
}

export interface RolloutOutcome {
  status: 'completed' | 'failed' | 'timed-out';
  reason: string;
  polls: number;
  elapsedMs: number;
  describeCalls: number;
  /** Service events seen during the wait (not the ones known before), oldest first, at most 10. */
  lastEvents: string[];
  stoppedTasks: StoppedTaskInfo[];
}

/** What every watch of one service's rollout is given (a rolling one here, a native one in strategy.ts). */
export interface RolloutWatchBase {
  ecs: ECSClient;
  cluster: string;
  service: string;
  taskDefinitionArn: string;
  intervalMs: number;
  timeoutMs: number;
  /** The timeout as the user set it, for messages, when `timeoutMs` is what is left of it (the action's deadline; default timeoutMs). */
  reportedTimeoutMs?: number;
  clock: Clock;
  log: Logger;
  /** Ids of events already on the service before the deployment (not printed again). */
  knownEventIds?: Iterable<string>;
}

export interface WaitForRolloutOptions extends RolloutWatchBase {
  deploymentId: string;
  /** At most this many stopped tasks are described per fetch (default 10). */
  maxStoppedTasks?: number;
}

const LAST_EVENTS = 10;

/** Judge one DescribeServices snapshot. Pure. */
export function evaluateRollout(service: Service, ours: OurDeployment): RolloutDecision {
  const deployments = service.deployments ?? [];
  const deployment = deployments.find((d) => d.id === ours.deploymentId);
  const counts = {
    deployment,
    running: deployment?.runningCount ?? 0,
    pending: deployment?.pendingCount ?? 0,
    desired: deployment?.desiredCount ?? service.desiredCount ?? 0,
    failedTasks: deployment?.failedTasks ?? 0,
  };
  const failed = (reason: string): RolloutDecision => ({ state: 'failed', reason, ...counts });
  const stateReason = deployment?.rolloutStateReason ? ` (${deployment.rolloutStateReason})` : '';
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  const replacement =
    primary && primary.id !== ours.deploymentId
      ? ` PRIMARY is now ${primary.id} running ${primary.taskDefinition ?? 'an unknown task definition'}.`
      : '';
  const switchedAway = service.taskDefinition !== undefined && service.taskDefinition !== ours.taskDefinitionArn;
  const rolledBack = switchedAway ? ` The service runs ${service.taskDefinition} again: the circuit breaker rolled back.` : '';

  if (service.status !== undefined && service.status !== 'ACTIVE') {
    return failed(`service ${service.serviceName ?? ''} is ${service.status}, not ACTIVE`);
  }
  if (!deployment) return failed(`deployment ${ours.deploymentId} is gone from the service.${replacement}${rolledBack}`);
  if (deployment.rolloutState === 'FAILED') {
    return failed(`deployment ${ours.deploymentId} FAILED${stateReason}.${rolledBack}`);
  }
  if (deployment.status !== 'PRIMARY') {
    return failed(
      `deployment ${ours.deploymentId} is no longer PRIMARY (now ${deployment.status ?? 'unknown'})${stateReason}.${replacement}${rolledBack}`,
    );
  }
  if (switchedAway) {
    return failed(`the service's task definition is ${service.taskDefinition}, no longer ${ours.taskDefinitionArn}${stateReason}.`);
  }
  const allRunning = counts.running === counts.desired;
  if (deployment.rolloutState === 'COMPLETED') {
    if (allRunning) return { state: 'completed', reason: `deployment ${ours.deploymentId} COMPLETED${stateReason}`, ...counts };
    return { state: 'in-progress', reason: `COMPLETED but ${counts.running} of ${counts.desired} tasks running`, ...counts };
  }
  // rolloutState is absent behind a Classic Load Balancer: steady state is then the only
  // deployment left with every task running.
  if (deployment.rolloutState === undefined && deployments.length === 1 && allRunning && counts.pending === 0) {
    return { state: 'completed', reason: `deployment ${ours.deploymentId} is the only one and all ${counts.desired} tasks run`, ...counts };
  }
  return { state: 'in-progress', reason: `${deployment.rolloutState ?? 'rolling out'}${stateReason}`, ...counts };
}

/**
 * The deployment an UpdateService call started: on `taskDefinitionArn`, not among the ids seen
 * before the call, PRIMARY preferred. Undefined when ECS started none (same task definition,
 * no force) or the response does not show it yet.
 */
export function findNewDeployment(service: Service, taskDefinitionArn: string, previousDeploymentIds: Set<string>): Deployment | undefined {
  const fresh = (service.deployments ?? []).filter(
    (d) => d.id !== undefined && !previousDeploymentIds.has(d.id) && d.taskDefinition === taskDefinitionArn,
  );
  return fresh.find((d) => d.status === 'PRIMARY') ?? fresh[0];
}

/** Poll DescribeServices once per interval until the rollout completes, fails or times out. */
export async function waitForRollout(opts: WaitForRolloutOptions): Promise<RolloutOutcome> {
  const watch = new RolloutWatch(opts);
  watch.announce();
  const result = await poll<RolloutDecision>({
    intervalMs: opts.intervalMs,
    timeoutMs: opts.timeoutMs,
    clock: opts.clock,
    check: async (pollNumber, elapsedMs) => {
      let service: Service | undefined;
      let missing: string | undefined;
      try {
        watch.describeCalls += 1;
        const out = await opts.ecs.send(new DescribeServicesCommand({ cluster: opts.cluster, services: [opts.service] }));
        service = out?.services?.[0];
        missing = out?.failures?.[0]?.reason;
      } catch (err) {
        watch.pollFailed(err, pollNumber, elapsedMs);
        return { done: false };
      }
      const decision = await watch.observe(service, missing, pollNumber, elapsedMs);
      return decision.state === 'in-progress' ? { done: false } : { done: true, value: decision };
    },
  });
  return watch.outcome(result.status === 'done' ? result.value : undefined, result);
}

/**
 * The judgement of one rollout across polls: events printed once, stopped tasks fetched as they
 * fail, the last error kept for the timed-out verdict. `waitForRollout` feeds it one
 * DescribeServices per poll; lib/ecs/rollout-batch.ts feeds several of them from one call.
 */
export class RolloutWatch {
  describeCalls = 0;
  private readonly ours: OurDeployment;
  private readonly seenEvents: Set<string>;
  private readonly lastEvents: string[] = [];
  private readonly stopped: StoppedTaskCollector;
  private last: RolloutDecision | undefined;
  private lastError: string | undefined;
  /** The last error AWS itself returned (not the action's deadline cutting a call off). */
  private lastAwsError: string | undefined;
  /** Whether the latest poll failed (the last error then matters more than the last snapshot). */
  private lastFailed = false;
  private stoppedFetchedAt = 0;

  constructor(private readonly opts: Omit<WaitForRolloutOptions, 'timeoutMs'> & { timeoutMs?: number }) {
    this.ours = { deploymentId: opts.deploymentId, taskDefinitionArn: opts.taskDefinitionArn };
    this.seenEvents = new Set(opts.knownEventIds ?? []);
    this.stopped = new StoppedTaskCollector(opts.ecs, opts.cluster, opts.taskDefinitionArn, opts.maxStoppedTasks ?? 10, opts.log);
  }

  private reportedTimeout(): string {
    return formatDuration(this.opts.reportedTimeoutMs ?? this.opts.timeoutMs ?? 0);
  }

  announce(): void {
    this.opts.log.info(
      `Waiting for deployment ${this.opts.deploymentId} (${this.opts.taskDefinitionArn}) of service ${this.opts.service}: one DescribeServices every ${formatDuration(this.opts.intervalMs)}, timeout ${this.reportedTimeout()}.`,
    );
  }

  /** A DescribeServices that failed: logged, retried at the next poll, never a verdict. */
  pollFailed(err: unknown, pollNumber: number, elapsedMs: number): void {
    // Any error, not only throttling: an expired token, a denied call or a malformed answer
    // says nothing about the rollout, and giving up here would leave it unjudged.
    // The action's own deadline cutting off the last poll says less than the error AWS gave
    // before it: keep that one as the last error, and say the deadline cut the poll short.
    const cutOff = err instanceof Error && err.name === 'DeadlineExceeded';
    if (!cutOff) this.lastAwsError = describeError(err);
    this.lastError =
      cutOff && this.lastFailed && this.lastAwsError ? `${this.lastAwsError}; then the deadline cut off a poll` : describeError(err);
    this.lastFailed = true;
    const kind = isTransientAwsError(err) ? '' : ' (not a transient error; retried until the deadline all the same)';
    this.opts.log.warning(
      `[${formatDuration(elapsedMs)}] poll ${pollNumber}: DescribeServices failed (${describeError(err)})${kind}; trying again at the next poll.`,
    );
  }

  /** One snapshot of the service (undefined: not returned, `missing` says why): the decision at this poll. */
  async observe(
    service: Service | undefined,
    missing: string | undefined,
    pollNumber: number,
    elapsedMs: number,
  ): Promise<RolloutDecision> {
    const { opts } = this;
    this.lastFailed = false;
    this.lastAwsError = undefined;
    if (!service) {
      return {
        state: 'failed',
        reason: `service ${opts.service} not found in cluster ${opts.cluster} (${missing ?? 'no service returned'})`,
        running: 0,
        pending: 0,
        desired: 0,
        failedTasks: 0,
      };
    }
    for (const line of newEvents(service.events ?? [], this.seenEvents)) {
      opts.log.info(`  event: ${line}`);
      this.lastEvents.push(line);
      if (this.lastEvents.length > LAST_EVENTS) this.lastEvents.shift();
    }
    const decision = evaluateRollout(service, this.ours);
    this.last = decision;
    const state = decision.deployment ? (decision.deployment.rolloutState ?? 'rolling out') : 'deployment gone';
    opts.log.info(
      `[${formatDuration(elapsedMs)}] poll ${pollNumber}: running ${decision.running}/${decision.desired}, pending ${decision.pending}, failed tasks ${decision.failedTasks} · ${state}`,
    );
    const shouldFetch = decision.failedTasks > this.stoppedFetchedAt || (decision.state === 'failed' && this.stoppedFetchedAt === 0);
    if (shouldFetch) {
      this.stoppedFetchedAt = Math.max(decision.failedTasks, 1);
      await this.stopped.collect(service.serviceName ?? opts.service);
    }
    return decision;
  }

  /** The outcome: from the deciding snapshot, or timed out (`decided` undefined). */
  outcome(decided: RolloutDecision | undefined, counts: { polls: number; elapsedMs: number }): RolloutOutcome {
    const common = {
      polls: counts.polls,
      elapsedMs: counts.elapsedMs,
      describeCalls: this.describeCalls,
      lastEvents: this.lastEvents,
      stoppedTasks: this.stopped.tasks,
    };
    if (!decided) {
      const { last, lastError, lastFailed } = this;
      const seen = last
        ? `last seen: running ${last.running}/${last.desired}, pending ${last.pending}, failed tasks ${last.failedTasks}, ${last.reason}`
        : `no successful DescribeServices${lastError ? ` (last error: ${lastError})` : ''}`;
      const failing = last && lastError && lastFailed ? `; the polls after that failed (last error: ${lastError})` : '';
      return { status: 'timed-out', reason: `rollout did not finish within ${this.reportedTimeout()}; ${seen}${failing}`, ...common };
    }
    return { status: decided.state === 'completed' ? 'completed' : 'failed', reason: decided.reason, ...common };
  }
}

/** Events not seen before, oldest first (ECS lists newest first), as printable lines. */
export function newEvents(events: ServiceEvent[], seen: Set<string>): string[] {
  const fresh: string[] = [];
  for (const event of [...events].reverse()) {
    const key = event.id ?? `${event.createdAt?.toISOString() ?? ''} ${event.message ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const at = event.createdAt ? `${event.createdAt.toISOString().slice(11, 19)} ` : '';
    fresh.push(`${at}${event.message ?? ''}`);
  }
  return fresh;
}

/** DescribeTasks takes at most 100 task ARNs per call. */
const DESCRIBE_TASKS_MAX = 100;

/** Fetches stopped tasks of our task definition (bounded) and prints each one once. */
export class StoppedTaskCollector {
  readonly tasks: StoppedTaskInfo[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly ecs: ECSClient,
    private readonly cluster: string,
    private readonly taskDefinitionArn: string,
    private readonly max: number,
    private readonly log: Logger,
  ) {}

  async collect(serviceName: string): Promise<void> {
    try {
      const listed = await this.ecs.send(
        new ListTasksCommand({ cluster: this.cluster, serviceName, desiredStatus: 'STOPPED', maxResults: 100 }),
      );
      // Up to DescribeTasks' maximum of 100 at once, filtered to our revision before the cap: tasks of
      // the old revision stopped by the rolling update must not take the places of the failing ones.
      const arns = (listed?.taskArns ?? []).filter((arn) => !this.seen.has(arn)).slice(0, DESCRIBE_TASKS_MAX);
      const room = this.max - this.tasks.length;
      if (arns.length === 0 || room <= 0) return;
      const described = await this.ecs.send(new DescribeTasksCommand({ cluster: this.cluster, tasks: arns }));
      for (const arn of arns) this.seen.add(arn);
      const ours = (described?.tasks ?? []).filter((t) => !t.taskDefinitionArn || t.taskDefinitionArn === this.taskDefinitionArn);
      ours.sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0));
      for (const task of ours.slice(0, room)) {
        const info = stoppedTaskInfo(task);
        this.tasks.push(info);
        this.log.info(`  stopped task: ${formatStoppedTask(info)}`);
      }
    } catch (err) {
      // Diagnostics only: never let them turn a rollout verdict into a crash.
      this.log.warning(`Could not fetch stopped tasks: ${describeError(err)}`);
    }
  }
}

function stoppedTaskInfo(task: Task): StoppedTaskInfo {
  return {
    taskArn: task.taskArn ?? 'unknown task',
    taskDefinitionArn: task.taskDefinitionArn,
    stoppedReason: task.stoppedReason,
    stopCode: task.stopCode,
    stoppedAt: task.stoppedAt,
    containers: (task.containers ?? []).map((c) => ({ name: c.name ?? '?', exitCode: c.exitCode, reason: c.reason })),
  };
}

/** `abc123 (TaskFailedToStart): Essential container in task exited; app exit 1: OOM` */
export function formatStoppedTask(info: StoppedTaskInfo): string {
  const id = info.taskArn.split('/').pop() ?? info.taskArn;
  return `${id}${info.stopCode ? ` (${info.stopCode})` : ''}: ${describeStop(info)}`;
}

/** Stopped tasks grouped by what happened to them: `2× EssentialContainerExited: …; app exit 1: …`. */
export function summarizeStoppedTasks(tasks: readonly StoppedTaskInfo[]): string[] {
  const counts = new Map<string, number>();
  for (const task of tasks) {
    const key = `${task.stopCode ? `${task.stopCode}: ` : ''}${describeStop(task)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([what, n]) => `${n}× ${what}`);
}

function describeStop(info: StoppedTaskInfo): string {
  const containers = info.containers
    .filter((c) => c.exitCode !== undefined || c.reason)
    .map((c) => `${c.name} exit ${c.exitCode ?? '?'}${c.reason ? `: ${c.reason}` : ''}`);
  const reason = info.stoppedReason ?? 'no stopped reason';
  return containers.length ? `${reason}; ${containers.join('; ')}` : reason;
}
