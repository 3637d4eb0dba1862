/**
 * Service snapshots and SDK errors for the aws-sdk-client-mock scenarios of the rollout waiter
 * and deploy-ecs (shapes as DescribeServices returns them).
 */
import { ECSServiceException, type Deployment, type Service, type ServiceEvent, type Task } from '@aws-sdk/client-ecs';

export const CLUSTER = 'shop';
export const SERVICE = 'web';
export const TD = (revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;
export const OLD_TD = TD(6);
export const NEW_TD = TD(7);
export const OLD_ID = 'ecs-svc/1111111111111111111';
export const NEW_ID = 'ecs-svc/2222222222222222222';
export const ROLLBACK_ID = 'ecs-svc/3333333333333333333';

export function deployment(overrides: Partial<Deployment>): Deployment {
  return {
    id: NEW_ID,
    status: 'PRIMARY',
    taskDefinition: NEW_TD,
    desiredCount: 2,
    runningCount: 0,
    pendingCount: 2,
    failedTasks: 0,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: `ECS deployment ${overrides.id ?? NEW_ID} in progress.`,
    createdAt: new Date('2024-05-01T10:00:00Z'),
    ...overrides,
  };
}

export function service(deployments: Deployment[], overrides: Partial<Service> = {}): Service {
  return {
    serviceName: SERVICE,
    serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/${CLUSTER}/${SERVICE}`,
    clusterArn: `arn:aws:ecs:us-east-1:123456789012:cluster/${CLUSTER}`,
    status: 'ACTIVE',
    desiredCount: 2,
    taskDefinition: deployments.find((d) => d.status === 'PRIMARY')?.taskDefinition,
    deployments,
    events: [],
    deploymentController: { type: 'ECS' },
    deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    ...overrides,
  };
}

let eventCounter = 0;
export function event(message: string, at = new Date('2024-05-01T10:00:30Z')): ServiceEvent {
  eventCounter += 1;
  return { id: `event-${eventCounter}`, createdAt: at, message };
}

/** The steady service before a deployment: the old revision, COMPLETED. */
export function steadyService(overrides: Partial<Service> = {}): Service {
  return service(
    [
      deployment({
        id: OLD_ID,
        taskDefinition: OLD_TD,
        runningCount: 2,
        pendingCount: 0,
        rolloutState: 'COMPLETED',
        rolloutStateReason: 'ECS deployment completed.',
      }),
    ],
    overrides,
  );
}

/** Our deployment IN_PROGRESS next to the old one. */
export function rollingService(ours: Partial<Deployment> = {}, extra: Partial<Service> = {}): Service {
  return service(
    [
      deployment(ours),
      deployment({ id: OLD_ID, status: 'ACTIVE', taskDefinition: OLD_TD, runningCount: 2, pendingCount: 0, rolloutState: 'COMPLETED' }),
    ],
    extra,
  );
}

export function completedService(): Service {
  return service([
    deployment({ runningCount: 2, pendingCount: 0, rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${NEW_ID} completed.` }),
  ]);
}

export function failedService(failedTasks = 3): Service {
  return rollingService({
    rolloutState: 'FAILED',
    rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
    failedTasks,
    pendingCount: 0,
  });
}

/** The circuit breaker already replaced our deployment with a rollback to the old revision. */
export function rolledBackService(): Service {
  return service([deployment({ id: ROLLBACK_ID, taskDefinition: OLD_TD, runningCount: 1, pendingCount: 1 })], { taskDefinition: OLD_TD });
}

export function throttlingError(): ECSServiceException {
  return new ECSServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'Rate exceeded',
  });
}

export function stoppedTask(id: string, overrides: Partial<Task> = {}): Task {
  return {
    taskArn: `arn:aws:ecs:us-east-1:123456789012:task/${CLUSTER}/${id}`,
    taskDefinitionArn: NEW_TD,
    lastStatus: 'STOPPED',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    stoppedAt: new Date('2024-05-01T10:00:40Z'),
    containers: [{ name: 'app', exitCode: 1, reason: 'Error: DATABASE_URL is not set' }],
    ...overrides,
  };
}
