/**
 * ECS-native BLUE_GREEN, LINEAR and CANARY as a RolloutStrategy: what UpdateService started is
 * identified as for a rolling update (the new PRIMARY deployment) plus its service deployment —
 * the service's `currentServiceDeployment` once it differs from the one before — and the watch
 * follows that service deployment (lib/ecs/service-deployment.ts).
 */
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { newServiceDeploymentArn, rollBackLiveServiceDeployment, waitForServiceDeployment } from '../service-deployment';
import type { IdentifyRequest, NativeStrategyName, RolloutStrategy, StartedDeployment } from '../strategy';
import { identifyDeployment } from './rolling';

export function nativeStrategy(name: NativeStrategyName): RolloutStrategy {
  return {
    name,
    identifyDeployment: (req) => identifyServiceDeployment(req),
    waitForRollout: (req) => waitForServiceDeployment(req),
    rollBackLive: (req) => rollBackLiveServiceDeployment(req.ecs, req.serviceDeploymentArn, req.log),
  };
}

async function identifyServiceDeployment(req: IdentifyRequest): Promise<StartedDeployment | undefined> {
  const started = await identifyDeployment(req);
  // Same revision, no force: ECS started nothing, and the current service deployment is the one that deployed it.
  const existing = started?.deployment?.id !== undefined && req.previousIds.has(started.deployment.id);
  let arn = newServiceDeploymentArn(req.updated, req.previousServiceDeploymentArn);
  if (!arn) {
    // Unreadable now: the watch takes the first new service deployment the service shows.
    let latest;
    try {
      latest = (await req.ecs.send(new DescribeServicesCommand({ cluster: req.cluster, services: [req.service] }))).services?.[0];
    } catch {
      latest = undefined;
    }
    // Never the service deployment that was current before: its verdict is not ours.
    arn = newServiceDeploymentArn(latest, req.previousServiceDeploymentArn) ?? (existing ? latest?.currentServiceDeployment : undefined);
  }
  if (!arn && !started) return undefined;
  if (arn) req.log.info(`Service deployment ${arn} started.`);
  return { ...started, serviceDeploymentArn: arn };
}
