/**
 * Watching an ECS-native BLUE_GREEN, LINEAR or CANARY deployment, shared by deploy-ecs and
 * rollback. Such a deployment is judged from its service deployment (DescribeServiceDeployments):
 * `status`, `lifecycleStage`, the circuit breaker and alarms, `rollback` and the PAUSE hooks in
 * `lifecycleHookDetails` — never from `service.deployments`, whose rolloutState says nothing about
 * traffic, bake time or an alarm during bake.
 *
 * One poll = at most one DescribeServices (events, the current service deployment, stopped tasks)
 * and one DescribeServiceDeployments. The verdict comes at the first poll that shows SUCCESSFUL,
 * ROLLBACK_*, STOPPED or a TRIGGERED alarm or circuit breaker. At an AWAITING_ACTION PAUSE hook
 * the watch stops (a gate stage: the caller verifies and answers) or answers CONTINUE itself.
 */
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  StopServiceDeploymentCommand,
  type DeploymentLifecycleHookDetail,
  type ECSClient,
  type Service,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import { StoppedTaskCollector, newEvents } from './rollout';
import {
  isPauseStage,
  type GateInfo,
  type LiveRollback,
  type NativeWatchDetails,
  type PauseStage,
  type StartedDeployment,
  type WatchOutcome,
  type WatchRequest,
} from './strategy';
import { describeError } from '../runner/errors';
import type { Logger } from '../runner/logger';
import { formatDuration } from '../util/markdown';
import { poll } from '../util/poll';
import { isTransientAwsError } from '../aws/retry';

/** Warn when a paused hook expires within this much time. */
export const HOOK_EXPIRY_WARNING_MS = 10 * 60_000;
const LAST_EVENTS = 10;

export type ServiceDeploymentDecision =
  | { state: 'in-progress'; reason: string }
  | { state: 'completed'; reason: string }
  | { state: 'failed'; reason: string; rolledBack: boolean; alarms: string[] }
  | { state: 'gate' | 'continue'; reason: string; hook: GateInfo };

const ROLLBACK_STATUSES = new Set(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED']);

/** The PAUSE hook ECS waits on (AWAITING_ACTION), not yet answered by us. */
export function awaitingHook(sd: ServiceDeployment, answered: ReadonlySet<string> = new Set()): DeploymentLifecycleHookDetail | undefined {
  return (sd.lifecycleHookDetails ?? []).find(
    (h) => h.status === 'AWAITING_ACTION' && (h.targetType ?? 'PAUSE') === 'PAUSE' && h.hookId !== undefined && !answered.has(h.hookId),
  );
}

/** Judge one DescribeServiceDeployments snapshot. Pure. */
export function evaluateServiceDeployment(
  sd: ServiceDeployment,
  gateStages: readonly PauseStage[],
  answered: ReadonlySet<string> = new Set(),
): ServiceDeploymentDecision {
  const arn = sd.serviceDeploymentArn ?? 'the service deployment';
  const status = sd.status ?? 'unknown';
  const why = sd.rollback?.reason ?? sd.statusReason;
  const alarms = sd.alarms?.triggeredAlarmNames ?? [];
  const alarmText = alarms.length ? ` CloudWatch alarm ${alarms.join(', ')} TRIGGERED.` : '';
  const stage = sd.lifecycleStage ? ` at ${sd.lifecycleStage}` : '';
  if (status === 'SUCCESSFUL') return { state: 'completed', reason: `service deployment ${arn} SUCCESSFUL` };
  if (ROLLBACK_STATUSES.has(status)) {
    return {
      state: 'failed',
      rolledBack: status !== 'ROLLBACK_FAILED',
      alarms,
      reason: `service deployment ${arn} is ${status}${stage}${why ? ` (${why})` : ''}: traffic goes back to the previous revision.${alarmText}`,
    };
  }
  if (status === 'STOPPED' || status === 'STOP_REQUESTED') {
    return {
      state: 'failed',
      rolledBack: false,
      alarms,
      reason: `service deployment ${arn} is ${status}${stage}${why ? ` (${why})` : ''}.${alarmText}`,
    };
  }
  if (sd.alarms?.status === 'TRIGGERED') {
    return {
      state: 'failed',
      rolledBack: false,
      alarms,
      reason: `CloudWatch alarm ${alarms.join(', ') || '(unnamed)'} TRIGGERED during service deployment ${arn}${stage}.`,
    };
  }
  const breaker = sd.deploymentCircuitBreaker;
  if (breaker?.status === 'TRIGGERED') {
    return {
      state: 'failed',
      rolledBack: false,
      alarms,
      reason: `the deployment circuit breaker TRIGGERED${stage}: ${breaker.failureCount ?? '?'} failed tasks (threshold ${breaker.threshold ?? '?'}).`,
    };
  }
  const hook = awaitingHook(sd, answered);
  if (hook?.hookId && sd.lifecycleStage && isPauseStage(sd.lifecycleStage)) {
    const gate: GateInfo = {
      hookId: hook.hookId,
      stage: sd.lifecycleStage,
      serviceDeploymentArn: arn,
      expiresAt: hook.expiresAt,
      timeoutAction: hook.timeoutAction,
    };
    const state = gateStages.includes(sd.lifecycleStage) ? 'gate' : 'continue';
    return { state, hook: gate, reason: `PAUSE hook ${hook.hookId} AWAITING_ACTION at ${sd.lifecycleStage}` };
  }
  return { state: 'in-progress', reason: `${status}${stage}` };
}

/** `production 10% · test 100%` on the target (green) revision, when ECS reports the weights. */
export function trafficText(sd: ServiceDeployment): string {
  const target = sd.targetServiceRevision;
  const parts: string[] = [];
  if (target?.requestedProductionTrafficWeight !== undefined) parts.push(`production ${target.requestedProductionTrafficWeight}%`);
  if (target?.requestedTestTrafficWeight !== undefined) parts.push(`test ${target.requestedTestTrafficWeight}%`);
  const tasks = target?.runningTaskCount !== undefined ? `${target.runningTaskCount}/${target.requestedTaskCount ?? '?'} tasks` : '';
  return [tasks, parts.length ? `traffic to the new revision: ${parts.join(', ')}` : ''].filter(Boolean).join(' · ');
}

/** Answer a paused hook. */
export async function answerHook(
  ecs: ECSClient,
  gate: Pick<GateInfo, 'serviceDeploymentArn' | 'hookId'>,
  action: 'CONTINUE' | 'ROLLBACK',
): Promise<void> {
  await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: gate.serviceDeploymentArn, hookId: gate.hookId, action }));
}

/** The service deployment, or undefined when ECS does not know the ARN. */
export async function describeServiceDeployment(ecs: ECSClient, arn: string): Promise<ServiceDeployment | undefined> {
  const out = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
  return out?.serviceDeployments?.[0];
}

/**
 * Roll back a live (PENDING / IN_PROGRESS) service deployment: ROLLBACK on the PAUSE hook ECS waits
 * on, else StopServiceDeployment ROLLBACK. ECS shifts traffic back to the previous revision at once.
 * Undefined when the deployment is not live (finished, or already rolling back).
 */
export async function rollBackLiveServiceDeployment(ecs: ECSClient, arn: string, log: Logger): Promise<LiveRollback | undefined> {
  const sd = await describeServiceDeployment(ecs, arn);
  if (!sd || (sd.status !== 'IN_PROGRESS' && sd.status !== 'PENDING')) {
    log.info(`Service deployment ${arn} is ${sd?.status ?? 'not found'}: not live, nothing to stop.`);
    return undefined;
  }
  const hook = awaitingHook(sd);
  if (hook?.hookId) {
    await answerHook(ecs, { serviceDeploymentArn: arn, hookId: hook.hookId }, 'ROLLBACK');
    log.info(
      `ContinueServiceDeployment ROLLBACK on hook ${hook.hookId} at ${sd.lifecycleStage ?? '?'}: ECS shifts traffic back to the previous revision.`,
    );
    return { method: 'ContinueServiceDeployment', serviceDeploymentArn: arn, hookId: hook.hookId, stage: sd.lifecycleStage };
  }
  await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }));
  log.info(`StopServiceDeployment ROLLBACK on ${arn} at ${sd.lifecycleStage ?? '?'}: ECS shifts traffic back to the previous revision.`);
  return { method: 'StopServiceDeployment', serviceDeploymentArn: arn, stage: sd.lifecycleStage };
}

/** The service deployment UpdateService started: `currentServiceDeployment`, once it differs from the one before. */
export function newServiceDeploymentArn(service: Service | undefined, previousArn: string | undefined): string | undefined {
  const current = service?.currentServiceDeployment;
  return current && current !== previousArn ? current : undefined;
}

export interface ServiceDeploymentWatchOptions extends WatchRequest {
  /** After answering ROLLBACK: ROLLBACK_* is the expected outcome; wait for ROLLBACK_SUCCESSFUL. */
  expectRollback?: boolean;
}

/** Poll until the service deployment succeeds, rolls back, stops, trips an alarm, or waits at a gate. */
export async function waitForServiceDeployment(opts: ServiceDeploymentWatchOptions): Promise<WatchOutcome> {
  const { ecs, cluster, clock, log } = opts;
  const gateStages = opts.gateStages ?? [];
  const answered = new Set(opts.answeredHookIds ?? []);
  const seenEvents = new Set(opts.knownEventIds ?? []);
  const lastEvents: string[] = [];
  const stopped = new StoppedTaskCollector(ecs, cluster, opts.taskDefinitionArn, 10, log);
  const warnedExpiry = new Set<string>();
  const native: NativeWatchDetails = {
    serviceDeploymentArn: opts.started.serviceDeploymentArn,
    stages: [],
    describeDeploymentCalls: 0,
    triggeredAlarms: [],
    rolledBack: false,
  };
  let describeCalls = 0;
  let lastError: string | undefined;
  let lastSeen = 'no service deployment seen';
  let failuresFetched = 0;
  let lastShown = '';

  log.info(
    `Waiting for service deployment ${native.serviceDeploymentArn ?? '(to be identified)'} of ${opts.service}: one DescribeServices and one DescribeServiceDeployments ` +
      `every ${formatDuration(opts.intervalMs)}, timeout ${formatDuration(opts.reportedTimeoutMs ?? opts.timeoutMs)}; gates at ${gateStages.length ? gateStages.join(', ') : 'no stage'}.`,
  );
  const result = await poll<ServiceDeploymentDecision>({
    intervalMs: opts.intervalMs,
    timeoutMs: opts.timeoutMs,
    clock,
    check: async (pollNumber, elapsedMs) => {
      const at = `[${formatDuration(elapsedMs)}] poll ${pollNumber}`;
      let sd: ServiceDeployment | undefined;
      try {
        describeCalls += 1;
        const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [opts.service] }));
        const service = out?.services?.[0];
        for (const line of newEvents(service?.events ?? [], seenEvents)) {
          log.info(`  event: ${line}`);
          lastEvents.push(line);
          if (lastEvents.length > LAST_EVENTS) lastEvents.shift();
        }
        const current = service?.currentServiceDeployment;
        if (!native.serviceDeploymentArn && current && current !== opts.previousServiceDeploymentArn) native.serviceDeploymentArn = current;
        if (!native.serviceDeploymentArn) return { done: false };
        native.describeDeploymentCalls += 1;
        sd = await describeServiceDeployment(ecs, native.serviceDeploymentArn);
      } catch (err) {
        if (!isTransientAwsError(err)) throw err;
        lastError = describeError(err);
        log.warning(`${at}: ${lastError}; trying again at the next poll.`);
        return { done: false };
      }
      if (!sd)
        return {
          done: true,
          value: { state: 'failed', rolledBack: false, alarms: [], reason: `service deployment ${native.serviceDeploymentArn} not found` },
        };
      const stage = sd.lifecycleStage ?? sd.status ?? 'unknown';
      if (native.stages.at(-1)?.stage !== stage) native.stages.push({ stage, elapsedMs });
      const shown = `${stage} (${sd.status ?? '?'})${trafficText(sd) ? ` · ${trafficText(sd)}` : ''}`;
      if (shown !== lastShown) {
        lastShown = shown;
        log.info(`${at}: stage ${shown}`);
      }
      native.lastStatus = sd.status;
      native.triggeredAlarms = sd.alarms?.triggeredAlarmNames ?? [];
      lastSeen = `${sd.status ?? '?'} at ${stage}`;
      warnNearExpiry(sd, clock.now(), warnedExpiry, log);
      const failures = sd.deploymentCircuitBreaker?.failureCount ?? 0;
      let decision = evaluateServiceDeployment(sd, gateStages, answered);
      if (opts.expectRollback && decision.state === 'failed' && decision.rolledBack) {
        if (sd.status !== 'ROLLBACK_SUCCESSFUL') return { done: false };
        decision = { state: 'completed', reason: decision.reason };
      }
      if (failures > failuresFetched || (decision.state === 'failed' && failuresFetched === 0 && failures > 0)) {
        failuresFetched = failures;
        await stopped.collect(opts.service);
      }
      if (decision.state === 'continue') {
        // A PAUSE hook the caller did not ask to verify at: answer it so the deployment goes on.
        answered.add(decision.hook.hookId);
        try {
          await answerHook(ecs, decision.hook, 'CONTINUE');
          log.info(`${at}: ${decision.reason}, not a gate stage here: answered CONTINUE.`);
        } catch (err) {
          if (!isTransientAwsError(err)) throw err;
          answered.delete(decision.hook.hookId);
          log.warning(`${at}: ContinueServiceDeployment failed (${describeError(err)}); trying again at the next poll.`);
        }
        return { done: false };
      }
      return decision.state === 'in-progress' ? { done: false } : { done: true, value: decision };
    },
  });

  const common = { polls: result.polls, elapsedMs: result.elapsedMs, describeCalls, lastEvents, stoppedTasks: stopped.tasks };
  if (result.status === 'timed-out') {
    const seen = native.stages.length
      ? `last seen: ${lastSeen}`
      : `no service deployment seen${lastError ? ` (last error: ${lastError})` : ''}`;
    return {
      status: 'timed-out',
      reason: `service deployment did not finish within ${formatDuration(opts.reportedTimeoutMs ?? opts.timeoutMs)}; ${seen}`,
      ...common,
      native,
    };
  }
  const decision = result.value;
  if (decision.state === 'gate') {
    log.info(
      `Stopped at gate ${decision.hook.stage}: hook ${decision.hook.hookId} AWAITING_ACTION${decision.hook.expiresAt ? ` until ${decision.hook.expiresAt.toISOString()} (then ECS does ${decision.hook.timeoutAction ?? 'ROLLBACK'})` : ''}.`,
    );
    return { status: 'awaiting-action', reason: decision.reason, ...common, native: { ...native, gate: decision.hook } };
  }
  if (decision.state === 'failed') {
    native.rolledBack = decision.rolledBack;
    native.triggeredAlarms = decision.alarms.length ? decision.alarms : native.triggeredAlarms;
    return { status: 'failed', reason: decision.reason, ...common, native };
  }
  if (opts.expectRollback) native.rolledBack = true;
  return { status: 'completed', reason: decision.reason, ...common, native };
}

function warnNearExpiry(sd: ServiceDeployment, now: number, warned: Set<string>, log: Logger): void {
  for (const hook of sd.lifecycleHookDetails ?? []) {
    if (hook.status !== 'AWAITING_ACTION' || !hook.hookId || !hook.expiresAt || warned.has(hook.hookId)) continue;
    const left = hook.expiresAt.getTime() - now;
    if (left > HOOK_EXPIRY_WARNING_MS) continue;
    warned.add(hook.hookId);
    log.warning(
      `PAUSE hook ${hook.hookId} at ${sd.lifecycleStage ?? '?'} expires in ${formatDuration(Math.max(0, left))} (${hook.expiresAt.toISOString()}): ` +
        `unless it is answered, ECS does ${hook.timeoutAction ?? 'ROLLBACK'}.`,
    );
  }
}

export type { StartedDeployment };
