/**
 * Starting the rollback on ECS. When the service's current deployment is still IN_PROGRESS and
 * ECS's own rollback would land on our target, StopServiceDeployment (stopType ROLLBACK) lets ECS
 * undo it the way it undoes a circuit-breaker failure; in every other case (steady service, a
 * target further back, ECS refusing the stop) UpdateService to the target does the job.
 */
import {
  DescribeServicesCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type Deployment,
  type ECSClient,
  type Service,
} from '@aws-sdk/client-ecs';
import type { Clock } from '../../../lib/util/clock';
import { findNewDeployment } from '../../../lib/ecs/rollout';
import { describeError } from '../../../lib/runner/errors';
import type { Logger } from '../../../lib/runner/logger';
import { shortName } from './revisions';

/** ContinueServiceDeployment: BLUE_GREEN / LINEAR / CANARY paused at a hook (native.ts). */
export type RollbackMethod = 'StopServiceDeployment' | 'UpdateService' | 'ContinueServiceDeployment';

export interface StartRequest {
  ecs: ECSClient;
  cluster: string;
  service: Service;
  /** The service name or ARN as the user gave it. */
  serviceRef: string;
  targetArn: string;
  clock: Clock;
  log: Logger;
  /** How long to keep looking for the rollback deployment ECS creates after StopServiceDeployment. */
  locateIntervalMs: number;
}

export interface StartedRollback {
  method: RollbackMethod;
  deployment?: Deployment;
  serviceDeploymentArn?: string;
}

/** Errors after which StopServiceDeployment is given up for UpdateService: ECS refused, nothing changed. */
const STOP_REFUSALS = new Set([
  'UnsupportedFeatureException',
  'InvalidParameterException',
  'ConflictException',
  'AccessDeniedException',
  'ServiceDeploymentNotFoundException',
  'UnknownOperationException',
  'ClientException',
]);
/** DescribeServices calls spent finding the rollback deployment ECS starts after StopServiceDeployment. */
const LOCATE_ATTEMPTS = 6;

/**
 * Would ECS's own rollback of the in-progress deployment go to `targetArn`? It returns to the
 * deployment(s) being replaced, which DescribeServices shows next to the PRIMARY one.
 */
export function ecsRollbackReaches(service: Service, targetArn: string): boolean {
  const deployments = service.deployments ?? [];
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  if (!primary || primary.rolloutState !== 'IN_PROGRESS' || primary.taskDefinition === targetArn) return false;
  const replaced = deployments.filter((d) => d !== primary);
  return replaced.length > 0 && replaced.every((d) => d.taskDefinition === targetArn);
}

export function plannedMethod(service: Service, targetArn: string): RollbackMethod {
  return ecsRollbackReaches(service, targetArn) ? 'StopServiceDeployment' : 'UpdateService';
}

export async function startRollback(req: StartRequest): Promise<StartedRollback> {
  const previousIds = new Set((req.service.deployments ?? []).map((d) => d.id).filter((id): id is string => id !== undefined));
  if (plannedMethod(req.service, req.targetArn) === 'StopServiceDeployment') {
    const stopped = await tryStopServiceDeployment(req);
    if (stopped) {
      const deployment = await locateRollbackDeployment(req, previousIds);
      return { method: 'StopServiceDeployment', deployment, serviceDeploymentArn: stopped };
    }
  }
  const out = await req.ecs.send(
    new UpdateServiceCommand({ cluster: req.cluster, service: req.serviceRef, taskDefinition: req.targetArn }),
  );
  req.log.info(`UpdateService: service ${req.serviceRef} now asks for ${shortName(req.targetArn)}.`);
  let deployment = out.service ? findNewDeployment(out.service, req.targetArn, previousIds) : undefined;
  if (!deployment) deployment = await locateRollbackDeployment({ ...req, locateIntervalMs: 0 }, previousIds, 1);
  return { method: 'UpdateService', deployment };
}

/** The ARN of the stopped service deployment, or undefined when ECS refused (logged) and UpdateService should be used. */
async function tryStopServiceDeployment(req: StartRequest): Promise<string | undefined> {
  const { ecs, log } = req;
  try {
    const listed = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster: req.cluster, service: req.serviceRef, status: ['IN_PROGRESS'] }),
    );
    const candidates = listed.serviceDeployments ?? [];
    const current = candidates.find((d) => d.serviceDeploymentArn === req.service.currentServiceDeployment) ?? candidates[0];
    if (!current?.serviceDeploymentArn) {
      log.info('No IN_PROGRESS service deployment listed; using UpdateService instead of StopServiceDeployment.');
      return undefined;
    }
    await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: current.serviceDeploymentArn, stopType: 'ROLLBACK' }));
    log.info(
      `StopServiceDeployment (ROLLBACK): ECS rolls back the in-progress service deployment ${current.serviceDeploymentArn} to ${shortName(req.targetArn)}.`,
    );
    return current.serviceDeploymentArn;
  } catch (err) {
    if (!(err instanceof Error) || !STOP_REFUSALS.has(err.name)) throw err;
    log.warning(
      `ECS's own rollback is not available here (${describeError(err)}); using UpdateService to ${shortName(req.targetArn)} instead.`,
    );
    return undefined;
  }
}

/** A few DescribeServices, one interval apart, until the new deployment on the target shows. */
async function locateRollbackDeployment(
  req: StartRequest,
  previousIds: Set<string>,
  attempts = LOCATE_ATTEMPTS,
): Promise<Deployment | undefined> {
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const out = await req.ecs.send(new DescribeServicesCommand({ cluster: req.cluster, services: [req.serviceRef] }));
    const found = out.services?.[0] ? findNewDeployment(out.services[0], req.targetArn, previousIds) : undefined;
    if (found) {
      req.log.info(
        `Rollback deployment ${found.id} started (${found.status ?? 'status unknown'}, ${found.rolloutState ?? 'no rollout state'}).`,
      );
      return found;
    }
    if (attempt < attempts) await req.clock.sleep(req.locateIntervalMs);
  }
  req.log.warning(`Could not find the deployment of ${shortName(req.targetArn)} in the service's deployments.`);
  return undefined;
}
