/**
 * A FARGATE service in the emulator (moto directly, or moto behind the rollout layer) for the
 * deploy-ecs integration and end-to-end tests, and helpers to read back what was registered.
 */
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  type ContainerDefinition,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { createEcsService, type ServiceSetup as EmulatedServiceSetup } from '../support/ecs-emulator';

export const CLUSTER = 'shop';
export const SERVICE = 'web';
export const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop';

export const appContainer = (image = `${REGISTRY}/web:1.0.0`): ContainerDefinition => ({
  name: 'app',
  image,
  essential: true,
  cpu: 0,
  portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
  environment: [{ name: 'LOG_LEVEL', value: 'info' }],
  dockerLabels: { team: 'shop' },
});

export type ServiceSetup = Omit<EmulatedServiceSetup, 'containers' | 'cluster'> & { containers?: ContainerDefinition[] };

/** Cluster (idempotent), task definition revision 1 with a `team` tag, and a service on it. Returns its ARN. */
export function createService(ecs: ECSClient, setup: ServiceSetup = {}): Promise<string> {
  return createEcsService(ecs, { ...setup, cluster: CLUSTER, containers: setup.containers ?? [appContainer()] });
}

export async function taskDefinitionArns(ecs: ECSClient): Promise<string[]> {
  return (await ecs.send(new ListTaskDefinitionsCommand({}))).taskDefinitionArns ?? [];
}

export async function serviceTaskDefinition(ecs: ECSClient, service = SERVICE): Promise<string | undefined> {
  return (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }))).services?.[0]?.taskDefinition;
}

/** What a revision carries: tags as a record, and the `app` container. */
export async function readRevision(ecs: ECSClient, arn: string, container = 'app') {
  const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
  const tags = Object.fromEntries((out.tags ?? []).map((t) => [t.key, t.value]));
  const app = out.taskDefinition?.containerDefinitions?.find((c) => c.name === container);
  const env = Object.fromEntries((app?.environment ?? []).map((e) => [e.name, e.value]));
  return { definition: out.taskDefinition, tags, app, env, labels: app?.dockerLabels ?? {} };
}
