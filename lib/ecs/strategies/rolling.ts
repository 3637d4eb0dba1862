/**
 * The ECS rolling update as a RolloutStrategy: what UpdateService started is the new PRIMARY
 * deployment on our task definition; the watch is lib/ecs/rollout.ts's DescribeServices poll.
 */
import { DescribeServicesCommand, type Deployment, type Service } from '@aws-sdk/client-ecs';
import { findNewDeployment, waitForRollout, type WaitForRolloutOptions } from '../rollout';
import { describeError } from '../../runner/errors';
import type { IdentifyRequest, RolloutStrategy, StartedDeployment, WatchOutcome, WatchRequest } from '../strategy';

export const rollingStrategy: RolloutStrategy = {
  name: 'ROLLING',
  identifyDeployment,
  waitForRollout: async (req: WatchRequest): Promise<WatchOutcome> => waitForRollout(rollingWaitOptions(req)),
};

/** A strategy watch request as lib/ecs/rollout.ts's options (also what a RolloutBatch watches). */
export function rollingWaitOptions(req: WatchRequest): WaitForRolloutOptions {
  const deploymentId = req.started.deployment?.id;
  if (!deploymentId) throw new Error('rolling strategy: no deployment id to watch');
  return {
    ecs: req.ecs,
    cluster: req.cluster,
    service: req.service,
    deploymentId,
    taskDefinitionArn: req.taskDefinitionArn,
    intervalMs: req.intervalMs,
    timeoutMs: req.timeoutMs,
    reportedTimeoutMs: req.reportedTimeoutMs,
    clock: req.clock,
    log: req.log,
    knownEventIds: req.knownEventIds,
  };
}

/** The deployment UpdateService started, from its response or, failing that, one DescribeServices. */
export async function identifyDeployment(req: IdentifyRequest): Promise<StartedDeployment | undefined> {
  const { ecs, updated, taskDefinitionArn, previousIds, log } = req;
  let found = updated ? findNewDeployment(updated, taskDefinitionArn, previousIds) : undefined;
  let latest = updated;
  if (!found) {
    try {
      latest = (await ecs.send(new DescribeServicesCommand({ cluster: req.cluster, services: [req.service] }))).services?.[0] ?? updated;
    } catch (err) {
      // The update is sent: an unreadable service now is no verdict. Watch the PRIMARY the update answered with.
      log.warning(
        `Could not read the service after UpdateService (${describeError(err)}); watching the deployment UpdateService reported.`,
      );
    }
    found = latest ? findNewDeployment(latest, taskDefinitionArn, previousIds) : undefined;
  }
  if (found) {
    log.info(`Deployment ${found.id} started (${found.status ?? 'status unknown'}).`);
    return { deployment: found, serviceDeploymentArn: latest?.currentServiceDeployment };
  }
  // Same revision and no force: ECS starts nothing and the PRIMARY deployment already runs it.
  const primary = primaryOf(latest);
  if (primary?.taskDefinition === taskDefinitionArn) {
    log.info(`ECS started no new deployment: ${primary.id} already runs ${taskDefinitionArn}; watching it.`);
    return { deployment: primary, serviceDeploymentArn: latest?.currentServiceDeployment };
  }
  log.warning(`Could not identify the deployment of ${taskDefinitionArn} in the service's deployments.`);
  return undefined;
}

export function primaryOf(service: Service | undefined): Deployment | undefined {
  return service?.deployments?.find((d) => d.status === 'PRIMARY');
}
