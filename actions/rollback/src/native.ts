/**
 * Rollback of a BLUE_GREEN / LINEAR / CANARY service. While its service deployment is live
 * (PENDING / IN_PROGRESS) and ECS's own rollback lands on the target — the revision the
 * deployment replaces — ContinueServiceDeployment ROLLBACK (a PAUSE hook is waiting) or
 * StopServiceDeployment ROLLBACK shifts traffic back at once, blue still running. Otherwise
 * UpdateService to the target starts a new service deployment, watched to the end with every
 * PAUSE hook answered CONTINUE: a rollback does not wait at the gates of a deploy.
 */
import {
  DescribeServiceRevisionsCommand,
  UpdateServiceCommand,
  type ECSClient,
  type Service,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import type { Clock } from '../../../lib/util/clock';
import { awaitingHook, describeServiceDeployment, waitForServiceDeployment } from '../../../lib/ecs/service-deployment';
import { nativeStrategy } from '../../../lib/ecs/strategies/native';
import type { NativeStrategyName, WatchOutcome } from '../../../lib/ecs/strategy';
import { describeError } from '../../../lib/runner/errors';
import type { Logger } from '../../../lib/runner/logger';
import { shortName } from './revisions';

export type NativeRollbackMethod = 'ContinueServiceDeployment' | 'StopServiceDeployment' | 'UpdateService';

export interface LiveNativeDeployment {
  sd: ServiceDeployment;
  /** The task definition ECS returns to on ROLLBACK (the source revision). */
  sourceTaskDefinition?: string;
}

/** The service's current service deployment when it is live, with the revision it replaces. */
export async function liveNativeDeployment(ecs: ECSClient, service: Service, log: Logger): Promise<LiveNativeDeployment | undefined> {
  const arn = service.currentServiceDeployment;
  if (!arn) return undefined;
  try {
    const sd = await describeServiceDeployment(ecs, arn);
    if (!sd || (sd.status !== 'IN_PROGRESS' && sd.status !== 'PENDING')) return undefined;
    const source = sd.sourceServiceRevisions?.[0]?.arn;
    const revisions = source ? await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [source] })) : undefined;
    const sourceTaskDefinition = revisions?.serviceRevisions?.[0]?.taskDefinition;
    log.info(
      `Service deployment ${arn} is live (${sd.status} at ${sd.lifecycleStage ?? '?'}), replacing ${sourceTaskDefinition ? shortName(sourceTaskDefinition) : 'an unknown revision'}.`,
    );
    return { sd, sourceTaskDefinition };
  } catch (err) {
    log.warning(`Could not read service deployment ${arn} (${describeError(err)}); rolling back with UpdateService.`);
    return undefined;
  }
}

export function plannedNativeMethod(live: LiveNativeDeployment | undefined, targetArn: string): NativeRollbackMethod {
  if (!live || live.sourceTaskDefinition !== targetArn) return 'UpdateService';
  return awaitingHook(live.sd) ? 'ContinueServiceDeployment' : 'StopServiceDeployment';
}

export interface NativeRollbackRequest {
  ecs: ECSClient;
  pollEcs: ECSClient;
  strategy: NativeStrategyName;
  cluster: string;
  serviceRef: string;
  service: Service;
  live: LiveNativeDeployment | undefined;
  targetArn: string;
  intervalMs: number;
  timeoutMs: number;
  reportedTimeoutMs?: number;
  clock: Clock;
  log: Logger;
}

export interface NativeRollbackStarted {
  method: NativeRollbackMethod;
  serviceDeploymentArn?: string;
  deploymentId?: string;
  watch: () => Promise<WatchOutcome>;
}

export async function startNativeRollback(req: NativeRollbackRequest): Promise<NativeRollbackStarted> {
  const { ecs, log } = req;
  const knownEventIds = (req.service.events ?? []).map((e) => e.id).filter((id): id is string => id !== undefined);
  const watchBase = {
    ecs: req.pollEcs,
    cluster: req.cluster,
    service: req.serviceRef,
    taskDefinitionArn: req.targetArn,
    intervalMs: req.intervalMs,
    timeoutMs: req.timeoutMs,
    reportedTimeoutMs: req.reportedTimeoutMs,
    clock: req.clock,
    log,
    knownEventIds,
    gateStages: [],
  };
  if (plannedNativeMethod(req.live, req.targetArn) !== 'UpdateService' && req.live?.sd.serviceDeploymentArn) {
    const arn = req.live.sd.serviceDeploymentArn;
    const stopped = await nativeStrategy(req.strategy).rollBackLive?.({ ecs, serviceDeploymentArn: arn, log });
    if (stopped) {
      return {
        method: stopped.method,
        serviceDeploymentArn: arn,
        watch: () => waitForServiceDeployment({ ...watchBase, started: { serviceDeploymentArn: arn }, expectRollback: true }),
      };
    }
  }
  const previousIds = new Set((req.service.deployments ?? []).map((d) => d.id).filter((id): id is string => id !== undefined));
  const out = await ecs.send(new UpdateServiceCommand({ cluster: req.cluster, service: req.serviceRef, taskDefinition: req.targetArn }));
  log.info(
    `UpdateService: service ${req.serviceRef} now asks for ${shortName(req.targetArn)} (a new ${req.strategy} service deployment; its PAUSE hooks are answered CONTINUE).`,
  );
  const started = await nativeStrategy(req.strategy).identifyDeployment({
    ecs,
    cluster: req.cluster,
    service: req.serviceRef,
    updated: out.service,
    taskDefinitionArn: req.targetArn,
    previousIds,
    previousServiceDeploymentArn: req.service.currentServiceDeployment,
    log,
  });
  return {
    method: 'UpdateService',
    serviceDeploymentArn: started?.serviceDeploymentArn,
    deploymentId: started?.deployment?.id,
    watch: () =>
      waitForServiceDeployment({
        ...watchBase,
        started: started ?? {},
        previousServiceDeploymentArn: req.service.currentServiceDeployment,
      }),
  };
}
