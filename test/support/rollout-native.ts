/**
 * ECS-native BLUE_GREEN, LINEAR and CANARY deployments for the rollout model (rollout-model.ts),
 * after the ECS developer guide ("Amazon ECS blue/green deployments", "linear deployments",
 * "canary deployments", "Lifecycle hooks for Amazon ECS service deployments") and the API
 * reference (ServiceDeployment, DeploymentLifecycleHookDetail, ContinueServiceDeployment).
 *
 * A service deployment walks the lifecycle stages, one stage per DescribeServices poll:
 *   PRE_SCALE_UP → SCALE_UP (green tasks start) → POST_SCALE_UP → TEST_TRAFFIC_SHIFT (test 100%
 *   to green) → POST_TEST_TRAFFIC_SHIFT → PRE_PRODUCTION_TRAFFIC_SHIFT → PRODUCTION_TRAFFIC_SHIFT
 *   → POST_PRODUCTION_TRAFFIC_SHIFT → BAKE_TIME → CLEAN_UP (blue scaled to 0) → SUCCESSFUL.
 * BLUE_GREEN shifts production 0 → 100% at once; LINEAR in `stepPercent` steps with
 * `stepBakeTimeInMinutes` between them (PRE_PRODUCTION_TRAFFIC_SHIFT before every step); CANARY
 * `canaryPercent`, `canaryBakeTimeInMinutes`, then the rest. Time-based stages (bake, step bake)
 * use wall-clock time scaled by `minuteMs` (a configured "minute" lasts that many ms), so tests
 * run a 5-minute bake in a few seconds.
 * PAUSE hooks (deploymentConfiguration.lifecycleHooks with targetType PAUSE) hold the deployment
 * at their stage with a hook AWAITING_ACTION (hookId, expiresAt = now + timeoutInMinutes, default
 * 1440, timeoutAction default ROLLBACK) until ContinueServiceDeployment CONTINUE / ROLLBACK, or
 * until it expires (TIMED_OUT, then timeoutAction). A rollback (hook ROLLBACK, timeout,
 * StopServiceDeployment ROLLBACK, alarm, circuit breaker) shifts all traffic back to blue at once:
 * ROLLBACK_IN_PROGRESS, then ROLLBACK_SUCCESSFUL at the next poll with green's tasks stopped.
 * Not modelled: AWS_LAMBDA hooks (treated as succeeding at once), RECONCILE_SERVICE, ROLLBACK_FAILED.
 */
import { randomBytes } from 'node:crypto';
import type { DeploymentRecord, Effect, Plan, ServiceDeploymentRecord, ServiceRecord } from './rollout-model';

type Json = Record<string, unknown>;
export type NativeStrategy = 'BLUE_GREEN' | 'LINEAR' | 'CANARY';
export const NATIVE_STRATEGIES: readonly string[] = ['BLUE_GREEN', 'LINEAR', 'CANARY'];

export interface HookRecord {
  hookId: string;
  stage: string;
  status: 'AWAITING_ACTION' | 'SUCCEEDED' | 'TIMED_OUT' | 'FAILED';
  expiresAt: Date;
  timeoutAction: 'CONTINUE' | 'ROLLBACK';
}

export interface NativeState {
  strategy: NativeStrategy;
  stage: string;
  /** Remaining stages after the current one. */
  queue: { stage: string; productionWeight?: number; waitMinutes?: number }[];
  stageEnteredAt: number;
  /** Minutes the current stage lasts at least (bake times). */
  waitMinutes: number;
  productionWeight: number;
  testWeight: number;
  hooks: HookRecord[];
  alarms: { status: 'DISABLED' | 'MONITORING' | 'MONITORING_COMPLETE' | 'TRIGGERED'; alarmNames: string[]; triggeredAlarmNames: string[] };
  /** Every stage entered, in order (for assertions). */
  history: { stage: string; productionWeight: number; testWeight: number }[];
  sourceDeployment?: DeploymentRecord;
  /** Polls that have shown ROLLBACK_IN_PROGRESS (one does; the next shows ROLLBACK_SUCCESSFUL). */
  rollbackPolls: number;
}

export function nativeStrategyOf(svc: ServiceRecord): NativeStrategy | undefined {
  const strategy = svc.deploymentConfiguration.strategy;
  return typeof strategy === 'string' && NATIVE_STRATEGIES.includes(strategy) ? (strategy as NativeStrategy) : undefined;
}

const num = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);
const obj = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});

/** The stage plan of a native service deployment, from the service's configuration. */
export function nativePlan(svc: ServiceRecord, strategy: NativeStrategy): NativeState['queue'] {
  const config = svc.deploymentConfiguration;
  const queue: NativeState['queue'] = [
    { stage: 'SCALE_UP' },
    { stage: 'POST_SCALE_UP' },
    { stage: 'TEST_TRAFFIC_SHIFT' },
    { stage: 'POST_TEST_TRAFFIC_SHIFT' },
  ];
  const steps: { weight: number; wait: number }[] = [];
  if (strategy === 'LINEAR') {
    const linear = obj(config.linearConfiguration);
    const step = num(linear.stepPercent, 10);
    const wait = num(linear.stepBakeTimeInMinutes, 6);
    for (let w = step; w < 100; w += step) steps.push({ weight: Math.round(w * 10) / 10, wait });
    steps.push({ weight: 100, wait: 0 });
  } else if (strategy === 'CANARY') {
    const canary = obj(config.canaryConfiguration);
    steps.push({ weight: num(canary.canaryPercent, 5), wait: num(canary.canaryBakeTimeInMinutes, 10) }, { weight: 100, wait: 0 });
  } else {
    steps.push({ weight: 100, wait: 0 });
  }
  for (const s of steps)
    queue.push(
      { stage: 'PRE_PRODUCTION_TRAFFIC_SHIFT' },
      { stage: 'PRODUCTION_TRAFFIC_SHIFT', productionWeight: s.weight, waitMinutes: s.wait },
    );
  queue.push(
    { stage: 'POST_PRODUCTION_TRAFFIC_SHIFT' },
    { stage: 'BAKE_TIME', waitMinutes: num(config.bakeTimeInMinutes, 0) },
    { stage: 'CLEAN_UP' },
  );
  return queue;
}

export function startNative(svc: ServiceRecord, strategy: NativeStrategy, nowMs: number): NativeState {
  const alarmsConfig = obj(svc.deploymentConfiguration.alarms);
  const alarmNames = Array.isArray(alarmsConfig.alarmNames)
    ? alarmsConfig.alarmNames.filter((n): n is string => typeof n === 'string')
    : [];
  const state: NativeState = {
    strategy,
    stage: 'PRE_SCALE_UP',
    queue: nativePlan(svc, strategy),
    stageEnteredAt: nowMs,
    waitMinutes: 0,
    productionWeight: 0,
    testWeight: 0,
    hooks: [],
    alarms: { status: alarmsConfig.enable === true ? 'MONITORING' : 'DISABLED', alarmNames, triggeredAlarmNames: [] },
    history: [{ stage: 'PRE_SCALE_UP', productionWeight: 0, testWeight: 0 }],
    sourceDeployment: svc.deployments[0],
    rollbackPolls: 0,
  };
  return state;
}

/** PAUSE hooks configured at `stage`. */
function pauseHooksAt(svc: ServiceRecord, stage: string): Json[] {
  const hooks = Array.isArray(svc.deploymentConfiguration.lifecycleHooks) ? (svc.deploymentConfiguration.lifecycleHooks as unknown[]) : [];
  return hooks.map(obj).filter((h) => h.targetType === 'PAUSE' && Array.isArray(h.lifecycleStages) && h.lifecycleStages.includes(stage));
}

/** Callbacks into the rolling model (task starts/stops, events, completion). */
export interface NativeHost {
  startGreen(svc: ServiceRecord, d: DeploymentRecord, now: Date): number;
  failGreen(svc: ServiceRecord, d: DeploymentRecord, now: Date): number;
  complete(svc: ServiceRecord, d: DeploymentRecord, now: Date): void;
  stopTasks(svc: ServiceRecord, d: DeploymentRecord, count: number, reason: string, now: Date): void;
  event(svc: ServiceRecord, message: string, now: Date): void;
}

/** One poll of a native deployment: stage progress, hooks, timeouts, alarms. */
export function tickNative(host: NativeHost, svc: ServiceRecord, d: DeploymentRecord, minuteMs: number, now: Date): Effect[] {
  const sd = d.sd;
  const state = sd.native as NativeState;
  const nowMs = now.getTime();
  if (sd.status === 'ROLLBACK_IN_PROGRESS' || sd.status === 'ROLLBACK_REQUESTED') return [];
  if (sd.status !== 'IN_PROGRESS') return [];
  const plan = d.plan;

  const awaiting = state.hooks.find((h) => h.status === 'AWAITING_ACTION');
  if (awaiting) {
    if (nowMs < awaiting.expiresAt.getTime()) return [];
    awaiting.status = 'TIMED_OUT';
    host.event(
      svc,
      `(service ${svc.serviceName}) lifecycle hook ${awaiting.hookId} at ${awaiting.stage} timed out: ${awaiting.timeoutAction}.`,
      now,
    );
    if (awaiting.timeoutAction === 'ROLLBACK')
      return rollBackNative(host, svc, d, `Lifecycle hook ${awaiting.hookId} at ${awaiting.stage} timed out.`, now);
  }
  if (plan.alarmAt === state.stage && state.alarms.status !== 'TRIGGERED') {
    const name = plan.alarmName ?? state.alarms.alarmNames[0] ?? 'gantry-test-alarm';
    state.alarms = {
      ...state.alarms,
      status: 'TRIGGERED',
      triggeredAlarmNames: [name],
      alarmNames: state.alarms.alarmNames.includes(name) ? state.alarms.alarmNames : [...state.alarms.alarmNames, name],
    };
    host.event(svc, `(service ${svc.serviceName}) (deployment ${d.id}) CloudWatch alarm ${name} is in ALARM: rolling back.`, now);
    return rollBackNative(host, svc, d, `CloudWatch alarm ${name} triggered.`, now);
  }
  if (nowMs - state.stageEnteredAt < state.waitMinutes * minuteMs) return [];
  if (plan.kind === 'hang' && state.stage === 'SCALE_UP') return [];

  const next = state.queue.shift();
  if (!next) return [];
  state.stage = next.stage;
  state.stageEnteredAt = nowMs;
  state.waitMinutes = next.waitMinutes ?? 0;
  if (next.stage === 'SCALE_UP') {
    if (plan.kind !== 'complete' && plan.kind !== 'hang' && plan.kind !== 'alarm') {
      const failed = host.failGreen(svc, d, now);
      sd.breaker.failureCount += failed;
      sd.breaker.status = 'TRIGGERED';
      return rollBackNative(host, svc, d, 'ECS deployment circuit breaker: tasks failed to start.', now);
    }
    if (plan.kind !== 'hang') host.startGreen(svc, d, now);
  }
  if (next.stage === 'TEST_TRAFFIC_SHIFT') state.testWeight = 100;
  if (next.productionWeight !== undefined) state.productionWeight = next.productionWeight;
  state.history.push({ stage: state.stage, productionWeight: state.productionWeight, testWeight: state.testWeight });
  sd.updatedAt = now;
  if (next.stage === 'CLEAN_UP') {
    if (state.alarms.status === 'MONITORING') state.alarms.status = 'MONITORING_COMPLETE';
    host.complete(svc, d, now);
    return [];
  }
  const hooks = pauseHooksAt(svc, next.stage);
  for (const hook of hooks) {
    const timeout = obj(hook.timeoutConfiguration);
    state.hooks.push({
      hookId: `hook-${randomBytes(8).toString('hex')}`,
      stage: next.stage,
      status: 'AWAITING_ACTION',
      expiresAt: new Date(nowMs + num(timeout.timeoutInMinutes, 1440) * minuteMs),
      timeoutAction: timeout.action === 'CONTINUE' ? 'CONTINUE' : 'ROLLBACK',
    });
  }
  return [];
}

/** ContinueServiceDeployment. Throws (ConflictException text) when the hook is not awaiting action. */
export function continueNative(
  host: NativeHost,
  svc: ServiceRecord,
  d: DeploymentRecord | undefined,
  sd: ServiceDeploymentRecord,
  hookId: string,
  action: 'CONTINUE' | 'ROLLBACK',
  now: Date,
): Effect[] {
  const state = sd.native;
  const hook = state?.hooks.find((h) => h.hookId === hookId);
  if (!state || !hook) throw new Error(`Lifecycle hook ${hookId} was not found in service deployment ${sd.arn}.`);
  if (hook.status !== 'AWAITING_ACTION' || sd.status !== 'IN_PROGRESS' || !d)
    throw new Error(`Lifecycle hook ${hookId} is ${hook.status}, not AWAITING_ACTION.`);
  hook.status = 'SUCCEEDED';
  sd.updatedAt = now;
  host.event(svc, `(service ${svc.serviceName}) lifecycle hook ${hookId} at ${hook.stage}: ${action}.`, now);
  if (action === 'ROLLBACK') return rollBackNative(host, svc, d, `Rollback requested by ContinueServiceDeployment at ${hook.stage}.`, now);
  return [];
}

/** All traffic back to blue at once; green's tasks stop; ROLLBACK_SUCCESSFUL at the next poll. */
export function rollBackNative(host: NativeHost, svc: ServiceRecord, green: DeploymentRecord, reason: string, now: Date): Effect[] {
  const sd = green.sd;
  const state = sd.native as NativeState;
  const blue = state.sourceDeployment;
  state.productionWeight = 0;
  state.testWeight = 0;
  state.history.push({ stage: state.stage, productionWeight: 0, testWeight: 0 });
  sd.status = 'ROLLBACK_IN_PROGRESS';
  sd.updatedAt = now;
  sd.statusReason = reason;
  sd.rollback = { reason, startedAt: now, serviceRevisionArn: blue?.revisionArn ?? sd.sourceRevisionArns[0] ?? '' };
  green.rolloutState = 'FAILED';
  green.rolloutStateReason = reason;
  green.pendingCount = 0;
  host.stopTasks(svc, green, green.runningCount, `Rollback of service deployment: ${reason}`, now);
  green.runningCount = 0;
  green.status = 'ACTIVE';
  green.dropOnNextTick = true;
  if (blue) {
    blue.status = 'PRIMARY';
    svc.deployments = [blue, ...svc.deployments.filter((x) => x !== blue)];
  }
  host.event(svc, `(service ${svc.serviceName}) (deployment ${green.id}) rolling back: ${reason}`, now);
  return blue ? [{ type: 'update-service', cluster: svc.clusterArn, service: svc.serviceArn, taskDefinition: blue.taskDef.arn }] : [];
}

/** Called every tick for every service deployment: finish rollbacks started at the previous poll. */
export function finishNativeRollback(svc: ServiceRecord, sd: ServiceDeploymentRecord, now: Date): void {
  if (sd.native && sd.status === 'ROLLBACK_IN_PROGRESS' && sd.native.rollbackPolls++ >= 1) {
    sd.status = 'ROLLBACK_SUCCESSFUL';
    sd.finishedAt = now;
    sd.updatedAt = now;
    sd.native.stage = 'CLEAN_UP';
    sd.native.history.push({ stage: 'CLEAN_UP', productionWeight: 0, testWeight: 0 });
    const blue = sd.native.sourceDeployment;
    if (blue) svc.lastCompleted = { taskDef: blue.taskDef, revisionArn: blue.revisionArn };
  }
}

/** Traffic weights per listener and task definition, from the service's live native deployment. */
export function trafficOf(svc: ServiceRecord): { production: Record<string, number>; test: Record<string, number> } {
  const primary = svc.deployments[0];
  const state = primary?.sd.native;
  const live = state && primary.sd.status === 'IN_PROGRESS' ? primary : undefined;
  if (!live || !state) {
    const only = primary?.taskDef.arn;
    return only ? { production: { [only]: 100 }, test: { [only]: 100 } } : { production: {}, test: {} };
  }
  const green = live.taskDef.arn;
  const blue = state.sourceDeployment?.taskDef.arn;
  const split = (weight: number): Record<string, number> => {
    const out: Record<string, number> = {};
    if (blue && weight < 100) out[blue] = 100 - weight;
    if (weight > 0 || !blue) out[green] = (out[green] ?? 0) + (blue ? weight : 100);
    return out;
  };
  return { production: split(state.productionWeight), test: split(state.testWeight) };
}

/** Wire fields of a native service deployment (lifecycleStage, hooks, alarms, traffic weights). */
export function renderNative(sd: ServiceDeploymentRecord): Json {
  const state = sd.native;
  if (!state) return {};
  const epoch = (date: Date): number => date.getTime() / 1000;
  return {
    lifecycleStage: state.stage,
    lifecycleHookDetails: state.hooks.map((h) => ({
      hookId: h.hookId,
      targetType: 'PAUSE',
      status: h.status,
      expiresAt: epoch(h.expiresAt),
      timeoutAction: h.timeoutAction,
    })),
    alarms: { ...state.alarms },
  };
}

export function renderNativeWeights(sd: ServiceDeploymentRecord, target: boolean): Json {
  const state = sd.native;
  if (!state) return {};
  const rolledBack = sd.status.startsWith('ROLLBACK');
  const production = rolledBack ? 0 : state.productionWeight;
  const test = rolledBack ? 0 : state.testWeight;
  return target
    ? { requestedProductionTrafficWeight: production, requestedTestTrafficWeight: test }
    : { requestedProductionTrafficWeight: 100 - production, requestedTestTrafficWeight: 100 - test };
}

export type { Plan };
