/**
 * Pure state machine behind the rollout layer (rollout-layer.ts): ECS rolling-update deployments
 * over time, advanced one "tick" per DescribeServices poll. No I/O; the layer feeds it what moto
 * knows (task definitions, service ARNs) and applies the effects it returns.
 *
 * Modelled, after the ECS API reference (Deployment, Service, ServiceDeployment) and the
 * circuit-breaker docs:
 * - CreateService / UpdateService (new task definition or forceNewDeployment) start a PRIMARY
 *   deployment; the previous PRIMARY turns ACTIVE and is dropped when the new one COMPLETES.
 * - complete: tasks go pending → running over `ticks` polls, then COMPLETED + steady-state event.
 * - fail: every poll launches tasks that stop ("Essential container in task exited", exit code 1),
 *   failedTasks grows, after `ticks` polls rolloutState FAILED ("ECS deployment circuit breaker:
 *   tasks failed to start."). With deploymentCircuitBreaker.rollback (or kind fail-rollback) a
 *   rollback deployment to the last COMPLETED task definition becomes PRIMARY, the failed one stays
 *   one more poll as ACTIVE/FAILED, then disappears; the rollback completes after `rollbackTicks`.
 * - rollback-immediate: like fail-rollback, but the failed deployment is already gone at the poll
 *   where the failure shows (a waiter only sees "our deployment was replaced").
 * - hang: tasks start but never run; IN_PROGRESS forever.
 * - Service deployments (ListServiceDeployments & co.): one per CreateService/UpdateService, with
 *   IN_PROGRESS → SUCCESSFUL | STOPPED | ROLLBACK_REQUESTED → ROLLBACK_IN_PROGRESS →
 *   ROLLBACK_SUCCESSFUL; a rollback is part of the failed service deployment, as in ECS.
 * Not modelled: wall-clock time, min/max healthy percent, load balancers, alarms, scaling of
 * non-primary deployments, ROLLBACK_FAILED, PENDING, stopType ABORT. Unlike real ECS, `fail`
 * reaches FAILED even when the service has no circuit breaker (use `hang` for "retries forever").
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import {
  continueNative,
  finishNativeRollback,
  nativeStrategyOf,
  rollBackNative,
  startNative,
  tickNative,
  type NativeHost,
  type NativeState,
} from './rollout-native';

/** `alarm`: native strategies only, a CloudWatch alarm fires at `alarmAt` (default BAKE_TIME) and ECS rolls back. */
export type ScenarioKind = 'complete' | 'fail' | 'fail-rollback' | 'rollback-immediate' | 'hang' | 'alarm';
export const SCENARIO_KINDS: readonly ScenarioKind[] = ['complete', 'fail', 'fail-rollback', 'rollback-immediate', 'hang', 'alarm'];

export interface Plan {
  kind: ScenarioKind;
  /** Polls until COMPLETED (complete) or FAILED (fail kinds). */
  ticks: number;
  /** Polls until a rollback deployment COMPLETES. */
  rollbackTicks: number;
  source: 'control' | 'image-tag' | 'default';
  /** kind alarm: the lifecycle stage at which the alarm fires, and its name. */
  alarmAt?: string;
  alarmName?: string;
  /** What a failing task's container writes to its awslogs stream before it exits (fail kinds). */
  logs?: string[];
}

export interface ContainerInfo {
  name: string;
  image: string;
  essential: boolean;
  /** awslogs-group / awslogs-stream-prefix of the container's log configuration, when it uses awslogs. */
  logGroup?: string;
  logStreamPrefix?: string;
}
export interface TaskDefInfo {
  arn: string;
  containers: ContainerInfo[];
}

type Json = Record<string, unknown>;
type SdStatus = 'IN_PROGRESS' | 'SUCCESSFUL' | 'STOPPED' | 'ROLLBACK_REQUESTED' | 'ROLLBACK_IN_PROGRESS' | 'ROLLBACK_SUCCESSFUL';

export interface ServiceDeploymentRecord {
  arn: string;
  serviceArn: string;
  clusterArn: string;
  status: SdStatus;
  statusReason?: string;
  createdAt: Date;
  updatedAt: Date;
  finishedAt?: Date;
  sourceRevisionArns: string[];
  targetRevisionArn: string;
  rollback?: { reason: string; startedAt: Date; serviceRevisionArn: string };
  breaker: { status: 'DISABLED' | 'MONITORING' | 'MONITORING_COMPLETE' | 'TRIGGERED'; failureCount: number; threshold: number };
  deploymentConfiguration: Json;
  /** BLUE_GREEN / LINEAR / CANARY (rollout-native.ts). */
  native?: NativeState;
}

export interface DeploymentRecord {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  taskDef: TaskDefInfo;
  revisionArn: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  createdAt: Date;
  updatedAt: Date;
  plan: Plan;
  ticks: number;
  isRollback: boolean;
  sd: ServiceDeploymentRecord;
  dropOnNextTick: boolean;
}

export interface TaskRecord {
  arn: string;
  clusterArn: string;
  serviceName: string;
  deploymentId: string;
  taskDef: TaskDefInfo;
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
  desiredStatus: 'RUNNING' | 'STOPPED';
  createdAt: Date;
  startedAt?: Date;
  stoppedAt?: Date;
  stoppedReason?: string;
  stopCode?: string;
  failed: boolean;
  /** The layer wrote the failing container's log lines (once per task). */
  logged?: boolean;
}

export interface ServiceRecord {
  clusterArn: string;
  clusterName: string;
  serviceArn: string;
  serviceName: string;
  desiredCount: number;
  launchType: string;
  deploymentConfiguration: Json;
  /** Visible in `service.deployments`, newest first. */
  deployments: DeploymentRecord[];
  /** Every service deployment ever started, newest first. */
  serviceDeployments: ServiceDeploymentRecord[];
  revisions: Map<string, { arn: string; taskDef: TaskDefInfo; createdAt: Date }>;
  lastCompleted?: { taskDef: TaskDefInfo; revisionArn: string };
  events: { id: string; createdAt: Date; message: string }[];
  tasks: TaskRecord[];
}

/** Something the layer must mirror into moto (keeps moto's view of the service consistent). */
export interface Effect {
  type: 'update-service';
  cluster: string;
  service: string;
  taskDefinition: string;
}

const digits = (n: number): string => String(randomInt(1, 10)) + Array.from({ length: n - 1 }, () => randomInt(0, 10)).join('');
const lastSegment = (nameOrArn: string): string => nameOrArn.split('/').pop() ?? nameOrArn;
export const serviceKey = (cluster: string | undefined, service: string): string =>
  `${lastSegment(cluster ?? 'default')}/${lastSegment(service)}`;

export class RolloutModel {
  readonly services = new Map<string, ServiceRecord>();
  /** How long a configured "minute" (bake times, hook timeouts) lasts, in ms. */
  constructor(public minuteMs = 60_000) {}

  private readonly host: NativeHost = {
    startGreen: (svc, d, now) => {
      const missing = d.desiredCount - d.runningCount;
      if (missing > 0) this.startTasks(svc, d, missing, 'RUNNING', now);
      d.runningCount = d.desiredCount;
      d.pendingCount = 0;
      return missing;
    },
    failGreen: (svc, d, now) => {
      const launched = this.startTasks(svc, d, Math.max(1, d.desiredCount), 'STOPPED', now);
      d.failedTasks += launched.length;
      return launched.length;
    },
    complete: (svc, d, now) => this.complete(svc, d, now),
    stopTasks: (svc, d, count, reason, now) => this.stopTasks(svc, d, count, reason, now),
    event: (svc, message, now) => this.event(svc, message, now),
  };

  reset(): void {
    this.services.clear();
  }

  get(cluster: string | undefined, service: string): ServiceRecord | undefined {
    return this.services.get(serviceKey(cluster, service));
  }

  addService(
    init: Pick<ServiceRecord, 'clusterArn' | 'serviceArn' | 'serviceName' | 'desiredCount' | 'launchType' | 'deploymentConfiguration'>,
  ): ServiceRecord {
    const svc: ServiceRecord = {
      ...init,
      clusterName: lastSegment(init.clusterArn),
      deployments: [],
      serviceDeployments: [],
      revisions: new Map(),
      events: [],
      tasks: [],
    };
    this.services.set(serviceKey(svc.clusterName, svc.serviceName), svc);
    return svc;
  }

  /** A new PRIMARY deployment (CreateService, UpdateService with a change, forceNewDeployment). */
  startDeployment(svc: ServiceRecord, taskDef: TaskDefInfo, plan: Plan, now = new Date()): DeploymentRecord {
    const revisionArn = this.newRevision(svc, taskDef, now);
    const previous = svc.deployments[0];
    if (previous) {
      previous.status = 'ACTIVE';
      if (!isFinished(previous.sd.status)) finishSd(previous.sd, 'STOPPED', now, 'Superseded by a newer service deployment.');
    }
    const sd: ServiceDeploymentRecord = {
      arn: `${svc.serviceArn.replace(':service/', ':service-deployment/')}/${randomBytes(16).toString('base64url').slice(0, 22)}`,
      serviceArn: svc.serviceArn,
      clusterArn: svc.clusterArn,
      status: 'IN_PROGRESS',
      createdAt: now,
      updatedAt: now,
      sourceRevisionArns: [...new Set(svc.deployments.map((d) => d.revisionArn))],
      targetRevisionArn: revisionArn,
      breaker: { status: breakerEnabled(svc) ? 'MONITORING' : 'DISABLED', failureCount: 0, threshold: breakerThreshold(svc.desiredCount) },
      deploymentConfiguration: svc.deploymentConfiguration,
    };
    const strategy = nativeStrategyOf(svc);
    if (strategy && previous) sd.native = startNative(svc, strategy, now.getTime());
    svc.serviceDeployments.unshift(sd);
    return this.addDeployment(svc, taskDef, revisionArn, plan, sd, false, now);
  }

  setDesiredCount(svc: ServiceRecord, desired: number, now = new Date()): void {
    svc.desiredCount = desired;
    const primary = svc.deployments[0];
    if (!primary) return;
    primary.desiredCount = desired;
    primary.sd.breaker.threshold = breakerThreshold(desired);
    if (primary.rolloutState !== 'COMPLETED') return;
    const running = primary.runningCount;
    if (desired > running) this.startTasks(svc, primary, desired - running, 'RUNNING', now);
    if (desired < running) this.stopTasks(svc, primary, running - desired, 'Scaling activity initiated by (service)', now);
    primary.runningCount = desired;
  }

  /** One DescribeServices poll of this service. */
  tick(svc: ServiceRecord, now = new Date()): Effect[] {
    const effects: Effect[] = [];
    svc.deployments = svc.deployments.filter((d) => !d.dropOnNextTick);
    for (const d of svc.deployments) {
      if (d.sd.status === 'ROLLBACK_REQUESTED') {
        d.sd.status = 'ROLLBACK_IN_PROGRESS';
        d.sd.updatedAt = now;
      }
    }
    for (const sd of svc.serviceDeployments) finishNativeRollback(svc, sd, now);
    const primary = svc.deployments[0];
    if (primary?.sd.native && !primary.isRollback && primary.rolloutState === 'IN_PROGRESS') {
      primary.ticks += 1;
      primary.updatedAt = now;
      return tickNative(this.host, svc, primary, this.minuteMs, now);
    }
    if (!primary || primary.rolloutState !== 'IN_PROGRESS') return effects;
    primary.ticks += 1;
    primary.updatedAt = now;
    const kind = primary.isRollback ? 'complete' : primary.plan.kind;
    const target = Math.max(1, primary.isRollback ? primary.plan.rollbackTicks : primary.plan.ticks);
    if (kind === 'complete') {
      const running = primary.ticks >= target ? primary.desiredCount : Math.floor((primary.desiredCount * primary.ticks) / target);
      if (running > primary.runningCount) this.startTasks(svc, primary, running - primary.runningCount, 'RUNNING', now);
      primary.runningCount = running;
      primary.pendingCount = primary.desiredCount - running;
      if (primary.ticks >= target) this.complete(svc, primary, now);
    } else if (kind === 'hang') {
      if (primary.ticks === 1 && primary.desiredCount > 0) this.startTasks(svc, primary, primary.desiredCount, 'PENDING', now);
    } else {
      const launched = this.startTasks(svc, primary, Math.max(1, primary.desiredCount), 'STOPPED', now);
      primary.failedTasks += launched.length;
      primary.sd.breaker.failureCount = primary.failedTasks;
      this.event(
        svc,
        `(service ${svc.serviceName}) (deployment ${primary.id}) ${launched.length} tasks failed to start: ` +
          `${launched.map((t) => `(task ${lastSegment(t.arn)})`).join(' ')} Essential container in task exited.`,
        now,
      );
      if (primary.ticks >= target) effects.push(...this.fail(svc, primary, now));
    }
    return effects;
  }

  /** Completes the PRIMARY deployment now, whatever its plan (test set-up: "the service is stable"). */
  settle(svc: ServiceRecord, now = new Date()): void {
    const primary = svc.deployments[0];
    if (!primary || primary.rolloutState !== 'IN_PROGRESS') return;
    if (primary.sd.native) primary.sd.native.stage = 'CLEAN_UP';
    if (primary.desiredCount > primary.runningCount)
      this.startTasks(svc, primary, primary.desiredCount - primary.runningCount, 'RUNNING', now);
    primary.runningCount = primary.desiredCount;
    this.complete(svc, primary, now);
  }

  /**
   * StopServiceDeployment(stopType ROLLBACK): roll back to the previous service revision.
   * Throws (message for a ConflictException) when the service deployment cannot be stopped.
   */
  stopServiceDeployment(svc: ServiceRecord, sd: ServiceDeploymentRecord, now = new Date()): Effect[] {
    if (sd.status === 'ROLLBACK_REQUESTED' || sd.status === 'ROLLBACK_IN_PROGRESS') return [];
    const current = svc.deployments.find((d) => d.sd === sd && !d.isRollback && d.status === 'PRIMARY');
    if (sd.status !== 'IN_PROGRESS' || !current) {
      throw new Error(`Service deployment ${sd.arn} is ${sd.status} and cannot be stopped.`);
    }
    if (sd.native) return rollBackNative(this.host, svc, current, 'Service deployment rollback requested by StopServiceDeployment.', now);
    if (!rollbackTarget(svc, current)) throw new Error(`Service deployment ${sd.arn} has no previous service revision to roll back to.`);
    current.rolloutState = 'FAILED';
    current.rolloutStateReason = `ECS deployment ${current.id} stopped: rollback requested.`;
    current.pendingCount = 0;
    return this.rollBack(svc, current, 'Service deployment rollback requested by StopServiceDeployment.', 'ROLLBACK_REQUESTED', false, now);
  }

  /** ContinueServiceDeployment on a PAUSE hook. Throws (ConflictException text) when it cannot be answered. */
  continueServiceDeployment(
    svc: ServiceRecord,
    sd: ServiceDeploymentRecord,
    hookId: string,
    action: 'CONTINUE' | 'ROLLBACK',
    now = new Date(),
  ): Effect[] {
    const current = svc.deployments.find((d) => d.sd === sd && !d.isRollback && d.status === 'PRIMARY');
    return continueNative(this.host, svc, current, sd, hookId, action, now);
  }

  findServiceDeployment(arn: string): { svc: ServiceRecord; sd: ServiceDeploymentRecord } | undefined {
    for (const svc of this.services.values()) {
      const sd = svc.serviceDeployments.find((s) => s.arn === arn);
      if (sd) return { svc, sd };
    }
    return undefined;
  }

  private complete(svc: ServiceRecord, d: DeploymentRecord, now: Date): void {
    d.rolloutState = 'COMPLETED';
    d.rolloutStateReason = `ECS deployment ${d.id} completed.`;
    d.pendingCount = 0;
    for (const old of svc.deployments.filter((o) => o !== d)) {
      this.stopTasks(svc, old, old.runningCount, `Scaling activity initiated by (deployment ${d.id})`, now);
    }
    svc.deployments = [d];
    if (d.isRollback) finishSd(d.sd, 'ROLLBACK_SUCCESSFUL', now, 'Service deployment rolled back successfully.');
    else {
      finishSd(d.sd, 'SUCCESSFUL', now);
      if (d.sd.breaker.status === 'MONITORING') d.sd.breaker.status = 'MONITORING_COMPLETE';
    }
    svc.lastCompleted = { taskDef: d.taskDef, revisionArn: d.revisionArn };
    this.event(svc, `(service ${svc.serviceName}) (deployment ${d.id}) deployment completed.`, now);
    this.event(svc, `(service ${svc.serviceName}) has reached a steady state.`, now);
  }

  private fail(svc: ServiceRecord, d: DeploymentRecord, now: Date): Effect[] {
    const reason = 'ECS deployment circuit breaker: tasks failed to start.';
    d.rolloutState = 'FAILED';
    d.rolloutStateReason = reason;
    d.pendingCount = 0;
    d.sd.breaker.status = 'TRIGGERED';
    this.event(svc, `(service ${svc.serviceName}) (deployment ${d.id}) deployment failed: tasks failed to start.`, now);
    const wantsRollback = d.plan.kind !== 'fail' || breakerRollback(svc);
    if (wantsRollback) {
      const effects = this.rollBack(
        svc,
        d,
        'ECS deployment circuit breaker: rollback requested.',
        'ROLLBACK_IN_PROGRESS',
        d.plan.kind === 'rollback-immediate',
        now,
      );
      if (effects.length > 0) return effects;
    }
    finishSd(d.sd, 'STOPPED', now, reason);
    return [];
  }

  private rollBack(
    svc: ServiceRecord,
    failed: DeploymentRecord,
    reason: string,
    status: SdStatus,
    immediate: boolean,
    now: Date,
  ): Effect[] {
    const target = rollbackTarget(svc, failed);
    if (!target) return [];
    failed.status = 'ACTIVE';
    failed.dropOnNextTick = true;
    if (immediate) svc.deployments = svc.deployments.filter((o) => o !== failed);
    failed.sd.status = status;
    failed.sd.updatedAt = now;
    failed.sd.rollback = { reason, startedAt: now, serviceRevisionArn: target.revisionArn };
    const plan: Plan = { ...failed.plan, kind: 'complete' };
    const rollback = this.addDeployment(svc, target.taskDef, target.revisionArn, plan, failed.sd, true, now);
    this.event(svc, `(service ${svc.serviceName}) (deployment ${rollback.id}) rolling back to ${target.taskDef.arn}.`, now);
    return [{ type: 'update-service', cluster: svc.clusterArn, service: svc.serviceArn, taskDefinition: target.taskDef.arn }];
  }

  private addDeployment(
    svc: ServiceRecord,
    taskDef: TaskDefInfo,
    revisionArn: string,
    plan: Plan,
    sd: ServiceDeploymentRecord,
    isRollback: boolean,
    now: Date,
  ): DeploymentRecord {
    for (const d of svc.deployments) d.status = 'ACTIVE';
    const id = `ecs-svc/${digits(19)}`;
    const d: DeploymentRecord = {
      id,
      status: 'PRIMARY',
      taskDef,
      revisionArn,
      desiredCount: svc.desiredCount,
      runningCount: 0,
      pendingCount: svc.desiredCount,
      failedTasks: 0,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment ${id} in progress.`,
      createdAt: now,
      updatedAt: now,
      plan,
      ticks: 0,
      isRollback,
      sd,
      dropOnNextTick: false,
    };
    svc.deployments.unshift(d);
    return d;
  }

  private newRevision(svc: ServiceRecord, taskDef: TaskDefInfo, now: Date): string {
    const arn = `${svc.serviceArn.replace(':service/', ':service-revision/')}/${digits(19)}`;
    svc.revisions.set(arn, { arn, taskDef, createdAt: now });
    return arn;
  }

  private startTasks(svc: ServiceRecord, d: DeploymentRecord, count: number, status: TaskRecord['lastStatus'], now: Date): TaskRecord[] {
    const tasks = Array.from({ length: count }, (): TaskRecord => ({
      arn: `${svc.clusterArn.replace(':cluster/', ':task/')}/${randomBytes(16).toString('hex')}`,
      clusterArn: svc.clusterArn,
      serviceName: svc.serviceName,
      deploymentId: d.id,
      taskDef: d.taskDef,
      lastStatus: status,
      desiredStatus: status === 'STOPPED' ? 'STOPPED' : 'RUNNING',
      createdAt: now,
      ...(status === 'PENDING' ? {} : { startedAt: now }),
      ...(status === 'STOPPED'
        ? { stoppedAt: now, stoppedReason: 'Essential container in task exited', stopCode: 'EssentialContainerExited', failed: true }
        : { failed: false }),
    }));
    svc.tasks.push(...tasks);
    if (count > 0) {
      this.event(
        svc,
        `(service ${svc.serviceName}) has started ${count} tasks: ${tasks.map((t) => `(task ${lastSegment(t.arn)})`).join(' ')}.`,
        now,
      );
    }
    return tasks;
  }

  private stopTasks(svc: ServiceRecord, d: DeploymentRecord, count: number, reason: string, now: Date): void {
    const running = svc.tasks.filter((t) => t.deploymentId === d.id && t.desiredStatus === 'RUNNING').slice(0, count);
    for (const t of running) {
      Object.assign(t, {
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stoppedAt: now,
        stoppedReason: reason,
        stopCode: 'ServiceSchedulerInitiated',
      });
    }
    if (running.length > 0) {
      this.event(
        svc,
        `(service ${svc.serviceName}) has stopped ${running.length} running tasks: ${running.map((t) => `(task ${lastSegment(t.arn)})`).join(' ')}.`,
        now,
      );
    }
  }

  private event(svc: ServiceRecord, message: string, now: Date): void {
    svc.events.unshift({ id: randomUUID(), createdAt: now, message });
    svc.events.length = Math.min(svc.events.length, 100);
  }
}

/** The last COMPLETED revision (ECS rolls back to it); else the deployment that was live before. */
function rollbackTarget(svc: ServiceRecord, failed: DeploymentRecord): ServiceRecord['lastCompleted'] {
  if (svc.lastCompleted && svc.lastCompleted.taskDef.arn !== failed.taskDef.arn) return svc.lastCompleted;
  const previous = svc.deployments.find((o) => o !== failed && o.taskDef.arn !== failed.taskDef.arn);
  return previous && { taskDef: previous.taskDef, revisionArn: previous.revisionArn };
}

function isFinished(status: SdStatus): boolean {
  return status === 'SUCCESSFUL' || status === 'STOPPED' || status === 'ROLLBACK_SUCCESSFUL';
}

function finishSd(sd: ServiceDeploymentRecord, status: SdStatus, now: Date, reason?: string): void {
  sd.status = status;
  sd.updatedAt = now;
  sd.finishedAt = now;
  if (reason) sd.statusReason = reason;
}

function breakerConfig(svc: ServiceRecord): Json | undefined {
  const breaker = svc.deploymentConfiguration.deploymentCircuitBreaker;
  return breaker && typeof breaker === 'object' ? (breaker as Json) : undefined;
}
const breakerEnabled = (svc: ServiceRecord): boolean => breakerConfig(svc)?.enable === true;
const breakerRollback = (svc: ServiceRecord): boolean => breakerEnabled(svc) && breakerConfig(svc)?.rollback === true;
/** ECS: failed-task threshold = 0.5 × desired count, at least 3, at most 200. */
const breakerThreshold = (desired: number): number => Math.min(200, Math.max(3, Math.ceil(desired / 2)));
