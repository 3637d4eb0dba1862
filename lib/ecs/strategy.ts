/**
 * The deployment-strategy seam shared by deploy-ecs and rollback. A deploy is
 * prepare → start → watch → record; start (what UpdateService started), watch (until a verdict)
 * and rollback of a live deployment differ by strategy and sit behind `RolloutStrategy`, chosen
 * once from the service's `deploymentController` and `deploymentConfiguration.strategy`
 * (after kayac/ecspresso's DeployFunc/WaitFunc/RollbackFunc, one set per deployment type).
 *
 * The ECS rolling update is judged from DescribeServices' `deployments` (lib/ecs/rollout.ts);
 * ECS-native BLUE_GREEN, LINEAR and CANARY from the service deployment, its lifecycle stage and
 * PAUSE hooks (lib/ecs/service-deployment.ts). A strategy gantry does not know is refused before
 * anything changes: judging it by rolling rules would report a verdict ECS never gave.
 */
import type { Deployment, DeploymentLifecycleHookStage, ECSClient, Service } from '@aws-sdk/client-ecs';
import { assertEcsDeploymentController } from './release';
import type { RolloutOutcome, RolloutWatchBase } from './rollout';
import { ActionFailure } from '../runner/errors';
import type { Logger } from '../runner/logger';

export const STRATEGIES = ['ROLLING', 'BLUE_GREEN', 'LINEAR', 'CANARY'] as const;
export type StrategyName = (typeof STRATEGIES)[number];
/** Strategies whose progress is a service deployment with lifecycle stages. */
export type NativeStrategyName = Exclude<StrategyName, 'ROLLING'>;

/** Lifecycle stages where ECS accepts a PAUSE hook (not TEST_/PRODUCTION_TRAFFIC_SHIFT themselves). */
export const PAUSE_STAGES = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'POST_SCALE_UP',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRE_PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
] as const satisfies readonly DeploymentLifecycleHookStage[];
export type PauseStage = (typeof PAUSE_STAGES)[number];

export function isPauseStage(value: string): value is PauseStage {
  return (PAUSE_STAGES as readonly string[]).includes(value);
}

/**
 * The strategy of a service, or an ActionFailure naming what gantry does not support
 * (CODE_DEPLOY / EXTERNAL controllers, a strategy newer than gantry). Throws before any change.
 */
export function chooseStrategy(service: Service): StrategyName {
  assertEcsDeploymentController(service);
  const strategy = service.deploymentConfiguration?.strategy ?? 'ROLLING';
  if (!(STRATEGIES as readonly string[]).includes(strategy)) {
    throw new ActionFailure(
      'GANTRY-ECS-007',
      `Service ${service.serviceName ?? ''} uses the deployment strategy ${strategy}, which gantry does not support ` +
        `(it deploys ${STRATEGIES.join(', ')}): nothing was registered or changed.`,
    );
  }
  return strategy as StrategyName;
}

export const isNativeStrategy = (name: StrategyName): name is NativeStrategyName => name !== 'ROLLING';

/** The stages at which the service's configuration pauses a deployment (PAUSE lifecycle hooks). */
export function pauseHookStages(service: Service): PauseStage[] {
  const stages = new Set<PauseStage>();
  for (const hook of service.deploymentConfiguration?.lifecycleHooks ?? []) {
    if (hook.targetType !== 'PAUSE') continue;
    for (const stage of hook.lifecycleStages ?? []) if (isPauseStage(stage)) stages.add(stage);
  }
  return PAUSE_STAGES.filter((s) => stages.has(s));
}

/** What a start produced: the ECS deployment to watch and, for native strategies, its service deployment. */
export interface StartedDeployment {
  deployment?: Deployment;
  serviceDeploymentArn?: string;
}

export interface IdentifyRequest {
  ecs: ECSClient;
  cluster: string;
  service: string;
  /** The service as UpdateService returned it. */
  updated: Service | undefined;
  taskDefinitionArn: string;
  /** Deployment ids on the service before UpdateService. */
  previousIds: Set<string>;
  /** The service deployment that was current before UpdateService (a new one is expected). */
  previousServiceDeploymentArn?: string;
  log: Logger;
}

export interface WatchRequest extends RolloutWatchBase {
  started: StartedDeployment;
  /** Native strategies: stop at an AWAITING_ACTION PAUSE hook at one of these stages; others are continued. */
  gateStages?: readonly PauseStage[];
  /** Native strategies: hook ids already answered (not acted on again while ECS catches up). */
  answeredHookIds?: Iterable<string>;
  /** Native strategies: the service deployment current before UpdateService, never taken for ours. */
  previousServiceDeploymentArn?: string;
}

/** A PAUSE hook ECS is waiting on: the caller verifies, then continues or rolls back. */
export interface GateInfo {
  hookId: string;
  stage: PauseStage;
  serviceDeploymentArn: string;
  expiresAt?: Date;
  timeoutAction?: string;
}

/** A native strategy's view of the watch, next to the rolling fields. */
export interface NativeWatchDetails {
  serviceDeploymentArn?: string;
  /** The stages seen, in order, with the elapsed time when first seen. */
  stages: { stage: string; elapsedMs: number }[];
  lastStatus?: string;
  describeDeploymentCalls: number;
  triggeredAlarms: string[];
  /** ECS rolled the deployment back (ROLLBACK_*), traffic returned to the previous revision. */
  rolledBack: boolean;
  gate?: GateInfo;
}

export type WatchOutcome =
  | (Omit<RolloutOutcome, 'status'> & { status: RolloutOutcome['status']; native?: NativeWatchDetails })
  | (Omit<RolloutOutcome, 'status'> & { status: 'awaiting-action'; native: NativeWatchDetails & { gate: GateInfo } });

/** How a live deployment was rolled back: ECS returns to the previous revision itself. */
export interface LiveRollback {
  method: 'ContinueServiceDeployment' | 'StopServiceDeployment';
  serviceDeploymentArn: string;
  hookId?: string;
  stage?: string;
}

export interface LiveRollbackRequest {
  ecs: ECSClient;
  serviceDeploymentArn: string;
  log: Logger;
}

/** Start, watch and roll back, for one deployment strategy. */
export interface RolloutStrategy {
  readonly name: StrategyName;
  /** The deployment UpdateService started (from its response or, failing that, one DescribeServices). */
  identifyDeployment(req: IdentifyRequest): Promise<StartedDeployment | undefined>;
  /** Poll until a verdict: completed, failed, timed out, or (native) stopped at a gate. */
  waitForRollout(req: WatchRequest): Promise<WatchOutcome>;
  /**
   * Roll back a live service deployment (traffic back to the previous revision at once); undefined
   * when it is not live. The rolling update's equivalent, StopServiceDeployment only when ECS's
   * rollback lands on the target, stays in actions/rollback/src/start.ts.
   */
  rollBackLive?(req: LiveRollbackRequest): Promise<LiveRollback | undefined>;
}
