/**
 * Wire shapes for the rollout layer: turns rollout-model records into the JSON that ECS returns
 * (field names from @aws-sdk/client-ecs models: Service, Deployment, ServiceEvent,
 * ServiceDeployment, ServiceDeploymentBrief, ServiceRevision, Task, Container). Timestamps are
 * epoch seconds, as in the ECS JSON protocol.
 */
import type { DeploymentRecord, ServiceDeploymentRecord, ServiceRecord, TaskRecord } from './rollout-model';
import { renderNative, renderNativeWeights } from './rollout-native';

type Json = Record<string, unknown>;

const epoch = (date: Date | undefined): number | undefined => (date ? date.getTime() / 1000 : undefined);
const lastSegment = (nameOrArn: string): string => nameOrArn.split('/').pop() ?? nameOrArn;

/** moto's service object with the deployment state replaced by the model's. */
export function renderService(svc: ServiceRecord, moto: Json): Json {
  const primary = svc.deployments[0];
  const network = moto.networkConfiguration as Json | undefined;
  const hasNetwork = !!network && Object.keys(network).length > 0;
  return {
    ...moto,
    desiredCount: svc.desiredCount,
    taskDefinition: primary?.taskDef.arn ?? moto.taskDefinition,
    runningCount: svc.deployments.reduce((sum, d) => sum + d.runningCount, 0),
    pendingCount: svc.deployments.reduce((sum, d) => sum + d.pendingCount, 0),
    deploymentConfiguration: svc.deploymentConfiguration,
    deployments: svc.deployments.map((d) => renderDeployment(svc, d, hasNetwork ? network : undefined)),
    events: svc.events.map((e) => ({ id: e.id, createdAt: epoch(e.createdAt), message: e.message })),
    ...(primary ? { currentServiceDeployment: primary.sd.arn } : {}),
  };
}

function renderDeployment(svc: ServiceRecord, d: DeploymentRecord, networkConfiguration: Json | undefined): Json {
  return {
    id: d.id,
    status: d.status,
    taskDefinition: d.taskDef.arn,
    desiredCount: d.desiredCount,
    pendingCount: d.pendingCount,
    runningCount: d.runningCount,
    failedTasks: d.failedTasks,
    createdAt: epoch(d.createdAt),
    updatedAt: epoch(d.updatedAt),
    launchType: svc.launchType,
    ...(svc.launchType === 'FARGATE' ? { platformVersion: '1.4.0', platformFamily: 'Linux' } : {}),
    ...(networkConfiguration ? { networkConfiguration } : {}),
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason,
  };
}

function revisionSummary(svc: ServiceRecord, revisionArn: string): Json {
  const live = svc.deployments.filter((d) => d.revisionArn === revisionArn);
  return {
    arn: revisionArn,
    requestedTaskCount: live.reduce((sum, d) => sum + d.desiredCount, 0),
    runningTaskCount: live.reduce((sum, d) => sum + d.runningCount, 0),
    pendingTaskCount: live.reduce((sum, d) => sum + d.pendingCount, 0),
  };
}

export function renderServiceDeployment(svc: ServiceRecord, sd: ServiceDeploymentRecord): Json {
  return {
    serviceDeploymentArn: sd.arn,
    serviceArn: sd.serviceArn,
    clusterArn: sd.clusterArn,
    createdAt: epoch(sd.createdAt),
    startedAt: epoch(sd.createdAt),
    updatedAt: epoch(sd.updatedAt),
    finishedAt: epoch(sd.finishedAt),
    ...(sd.status === 'STOPPED' ? { stoppedAt: epoch(sd.finishedAt) } : {}),
    sourceServiceRevisions: sd.sourceRevisionArns.map((arn) => ({ ...revisionSummary(svc, arn), ...renderNativeWeights(sd, false) })),
    targetServiceRevision: { ...revisionSummary(svc, sd.targetRevisionArn), ...renderNativeWeights(sd, true) },
    status: sd.status,
    statusReason: sd.statusReason,
    deploymentConfiguration: sd.deploymentConfiguration,
    ...(sd.rollback
      ? {
          rollback: {
            reason: sd.rollback.reason,
            startedAt: epoch(sd.rollback.startedAt),
            serviceRevisionArn: sd.rollback.serviceRevisionArn,
          },
        }
      : {}),
    deploymentCircuitBreaker: { ...sd.breaker },
    alarms: { status: 'DISABLED' },
    ...renderNative(sd),
  };
}

export function renderServiceDeploymentBrief(sd: ServiceDeploymentRecord): Json {
  return {
    serviceDeploymentArn: sd.arn,
    serviceArn: sd.serviceArn,
    clusterArn: sd.clusterArn,
    createdAt: epoch(sd.createdAt),
    startedAt: epoch(sd.createdAt),
    finishedAt: epoch(sd.finishedAt),
    targetServiceRevisionArn: sd.targetRevisionArn,
    status: sd.status,
    statusReason: sd.statusReason,
  };
}

export function renderServiceRevision(svc: ServiceRecord, arn: string): Json | undefined {
  const revision = svc.revisions.get(arn);
  if (!revision) return undefined;
  return {
    serviceRevisionArn: arn,
    serviceArn: svc.serviceArn,
    clusterArn: svc.clusterArn,
    taskDefinition: revision.taskDef.arn,
    launchType: svc.launchType,
    containerImages: revision.taskDef.containers.map((c) => ({ containerName: c.name, image: c.image })),
    createdAt: epoch(revision.createdAt),
  };
}

export function renderTask(task: TaskRecord): Json {
  const taskId = lastSegment(task.arn);
  const firstEssential = task.taskDef.containers.findIndex((c) => c.essential);
  return {
    taskArn: task.arn,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.taskDef.arn,
    group: `service:${task.serviceName}`,
    startedBy: task.deploymentId,
    launchType: 'FARGATE',
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    createdAt: epoch(task.createdAt),
    startedAt: epoch(task.startedAt),
    stoppingAt: epoch(task.stoppedAt),
    stoppedAt: epoch(task.stoppedAt),
    stoppedReason: task.stoppedReason,
    stopCode: task.stopCode,
    version: task.lastStatus === 'STOPPED' ? 3 : 2,
    containers: task.taskDef.containers.map((c, index) => ({
      containerArn: `${task.clusterArn.replace(':cluster/', ':container/')}/${taskId}/${index}`,
      taskArn: task.arn,
      name: c.name,
      image: c.image,
      lastStatus: task.lastStatus,
      ...(task.lastStatus === 'STOPPED'
        ? task.failed && index === Math.max(0, firstEssential)
          ? { exitCode: 1, reason: 'Essential container in task exited: exit code 1' }
          : { exitCode: 0 }
        : {}),
    })),
  };
}

/** The model's tasks that a ListTasks request selects (cluster, serviceName, family, startedBy, desiredStatus). */
export function selectTasks(tasks: TaskRecord[], request: Json): TaskRecord[] {
  const cluster = lastSegment(typeof request.cluster === 'string' ? request.cluster : 'default');
  const desired = typeof request.desiredStatus === 'string' ? request.desiredStatus : 'RUNNING';
  return tasks.filter(
    (t) =>
      lastSegment(t.clusterArn) === cluster &&
      t.desiredStatus === desired &&
      (typeof request.serviceName !== 'string' || lastSegment(request.serviceName) === t.serviceName) &&
      (typeof request.startedBy !== 'string' || request.startedBy === t.deploymentId) &&
      (typeof request.family !== 'string' || lastSegment(t.taskDef.arn).split(':')[0] === request.family),
  );
}
