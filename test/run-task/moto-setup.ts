/**
 * A FARGATE service with an awsvpc network configuration (moto's default VPC subnet and security
 * group: moto's RunTask needs both to exist) and an awslogs log configuration, for the run-task
 * end-to-end and bad-input tests.
 */
import {
  ListTagsForResourceCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  type ContainerDefinition,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { createEcsService } from '../support/ecs-emulator';
import { TEST_REGION } from '../support/moto';

export const CLUSTER = 'shop';
export const SERVICE = 'web';
export const LOG_GROUP = '/ecs/shop';
export const DB_PASSWORD = 'pa55-w0rd-from-task-definition';
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop';

export const migrationContainer = (name = 'app', logs = true): ContainerDefinition => ({
  name,
  image: `${REGISTRY}/web:a1b2c3d`,
  essential: true,
  // moto's RunTask adds up the containers' memory and fails without it (ECS takes the task's).
  memory: 512,
  environment: [
    { name: 'LOG_LEVEL', value: 'info' },
    { name: 'DB_PASSWORD', value: DB_PASSWORD },
  ],
  ...(logs
    ? {
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': LOG_GROUP, 'awslogs-region': TEST_REGION, 'awslogs-stream-prefix': 'web' },
        },
      }
    : {}),
});

/** The first subnet and security group of moto's default VPC (found with the EC2 query API). */
export async function defaultNetwork(endpoint: string): Promise<{ subnet: string; securityGroup: string }> {
  const query = async (action: string, tag: string): Promise<string> => {
    const response = await fetch(`${endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `AWS4-HMAC-SHA256 Credential=testing/20240101/${TEST_REGION}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: `Action=${action}&Version=2016-11-15`,
    });
    const found = new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(await response.text());
    if (!found) throw new Error(`moto ${action} returned no ${tag}`);
    return found[1];
  };
  return { subnet: await query('DescribeSubnets', 'subnetId'), securityGroup: await query('DescribeSecurityGroups', 'groupId') };
}

/** Cluster, revision web:1 (plus any `containers`), and service `web` on it with an awsvpc network. Returns the revision's ARN. */
export async function createMigrationService(
  ecs: ECSClient,
  endpoint: string,
  containers: ContainerDefinition[] = [migrationContainer()],
): Promise<string> {
  const network = await defaultNetwork(endpoint);
  return createEcsService(ecs, {
    cluster: CLUSTER,
    service: SERVICE,
    containers,
    tags: [],
    circuitBreaker: null,
    desiredCount: 1,
    network,
  });
}

/** Every task moto holds in the cluster, running or stopped. */
export async function allTasks(ecs: ECSClient): Promise<string[]> {
  const running = await ecs.send(new ListTasksCommand({ cluster: CLUSTER }));
  const stopped = await ecs.send(new ListTasksCommand({ cluster: CLUSTER, desiredStatus: 'STOPPED' }));
  return [...(running.taskArns ?? []), ...(stopped.taskArns ?? [])];
}

/**
 * What moto holds that a run or a registration would change: every task definition revision with its
 * tags (ListTaskDefinitions, ListTagsForResource) and every task of the cluster (ListTasks). Equal
 * before and after a step: the step registered, ran and tagged nothing.
 */
export async function ecsState(ecs: ECSClient): Promise<{ taskDefinitions: Record<string, Record<string, string>>; tasks: string[] }> {
  const arns = (await ecs.send(new ListTaskDefinitionsCommand({}))).taskDefinitionArns ?? [];
  const taskDefinitions: Record<string, Record<string, string>> = {};
  for (const arn of arns) {
    const tags = (await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? [];
    taskDefinitions[arn] = Object.fromEntries(tags.map((t) => [t.key ?? '', t.value ?? '']));
  }
  return { taskDefinitions, tasks: await allTasks(ecs) };
}
