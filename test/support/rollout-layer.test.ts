import { describe, expect, it } from 'vitest';
import { useEcsEmulator } from './ecs-emulator';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListClustersCommand,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ecsClientFor, secretsClientFor } from './moto';

const CLUSTER = 'demo';
const SERVICE = 'web';
const TD = (revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;

const aws = useEcsEmulator({ fresh: true });

async function register(image: string): Promise<string> {
  const out = await aws.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'app', image, essential: true }],
    }),
  );
  return out.taskDefinition?.taskDefinitionArn ?? '';
}

/** A FARGATE service running web:1, settled (its first deployment COMPLETED). */
async function stableService(circuitBreaker?: { enable: boolean; rollback: boolean }): Promise<void> {
  await aws.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  await register('example/web:1.0.0');
  await aws.ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: SERVICE,
      taskDefinition: 'web:1',
      desiredCount: 2,
      launchType: 'FARGATE',
      ...(circuitBreaker ? { deploymentConfiguration: { deploymentCircuitBreaker: circuitBreaker } } : {}),
    }),
  );
  aws.layer.settle(SERVICE);
}

async function poll(): Promise<Service> {
  const out = await aws.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }));
  const service = out.services?.[0];
  if (!service) throw new Error('service missing from DescribeServices');
  return service;
}

const summary = (s: Service) => s.deployments?.map((d) => [d.status, d.taskDefinition, d.rolloutState]);

describe('rollout layer in front of moto (real AWS SDK)', () => {
  it('completes a rollout: IN_PROGRESS → COMPLETED, old deployment gone, steady state', async () => {
    await aws.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await register('example/web:1.0.0');
    const created = await aws.ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: SERVICE,
        taskDefinition: 'web:1',
        desiredCount: 2,
        launchType: 'FARGATE',
      }),
    );
    expect(summary(created.service!)).toEqual([['PRIMARY', TD(1), 'IN_PROGRESS']]);
    await poll();
    expect((await poll()).deployments?.[0].rolloutState).toBe('COMPLETED');

    await register('example/web:2.0.0');
    const updated = await aws.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: 'web' }));
    expect(updated.service?.taskDefinition).toBe(TD(2));
    expect(summary(updated.service!)).toEqual([
      ['PRIMARY', TD(2), 'IN_PROGRESS'],
      ['ACTIVE', TD(1), 'COMPLETED'],
    ]);
    const primaryId = updated.service?.deployments?.[0].id;
    expect(primaryId).toMatch(/^ecs-svc\/\d{19}$/);

    const first = await poll();
    expect(first.deployments?.[0]).toMatchObject({ id: primaryId, rolloutState: 'IN_PROGRESS', runningCount: 1, pendingCount: 1 });
    expect(first.deployments?.[0].createdAt).toBeInstanceOf(Date);
    expect(first.events?.[0].message).toMatch(/^\(service web\) has started 1 tasks: \(task [0-9a-f]{32}\)\.$/);

    const second = await poll();
    expect(summary(second)).toEqual([['PRIMARY', TD(2), 'COMPLETED']]);
    expect(second).toMatchObject({ taskDefinition: TD(2), runningCount: 2, pendingCount: 0 });
    expect(second.events?.[0].message).toBe('(service web) has reached a steady state.');
    expect(aws.layer.state().calls.DescribeServices).toBe(4);
  });

  it('fails with circuit-breaker rollback (image tag "fail"): FAILED, rollback to web:1, stopped tasks', async () => {
    await stableService({ enable: true, rollback: true });
    await register('example/web:2.0.0-fail');
    const updated = await aws.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: 'web:2' }));
    const failingId = updated.service?.deployments?.[0].id;

    const first = await poll();
    expect(first.deployments?.[0]).toMatchObject({ id: failingId, status: 'PRIMARY', rolloutState: 'IN_PROGRESS', failedTasks: 2 });
    expect(first.events?.[0].message).toContain('tasks failed to start');

    const failed = await poll();
    expect(summary(failed)).toEqual([
      ['PRIMARY', TD(1), 'IN_PROGRESS'],
      ['ACTIVE', TD(2), 'FAILED'],
      ['ACTIVE', TD(1), 'COMPLETED'],
    ]);
    expect(failed.deployments?.[1]).toMatchObject({
      id: failingId,
      failedTasks: 4,
      rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
    });
    expect(failed.taskDefinition).toBe(TD(1));
    expect(failed.events?.map((e) => e.message).join('\n')).toContain(
      `(deployment ${failingId}) deployment failed: tasks failed to start.`,
    );
    // moto itself was switched back too.
    const atMoto = await ecsClientFor(aws.moto.url).send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }));
    expect(atMoto.services?.[0].taskDefinition).toBe(TD(1));

    expect(summary(await poll())).toEqual([
      ['PRIMARY', TD(1), 'IN_PROGRESS'],
      ['ACTIVE', TD(1), 'COMPLETED'],
    ]);
    const done = await poll();
    expect(summary(done)).toEqual([['PRIMARY', TD(1), 'COMPLETED']]);
    expect(done.events?.[0].message).toBe('(service web) has reached a steady state.');

    // 4 tasks of web:2 that failed to start + 2 web:1 tasks replaced when the rollback completed.
    const stopped = await aws.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: SERVICE, desiredStatus: 'STOPPED' }));
    expect(stopped.taskArns).toHaveLength(6);
    expect(stopped.taskArns?.[0]).toMatch(/^arn:aws:ecs:us-east-1:123456789012:task\/demo\/[0-9a-f]{32}$/);
    const tasks = await aws.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: stopped.taskArns }));
    const crashed = tasks.tasks?.filter((t) => t.stopCode === 'EssentialContainerExited') ?? [];
    expect(crashed).toHaveLength(4);
    expect(crashed[0]).toMatchObject({
      lastStatus: 'STOPPED',
      stoppedReason: 'Essential container in task exited',
      taskDefinitionArn: TD(2),
      startedBy: failingId,
    });
    expect(crashed[0].containers?.[0]).toMatchObject({ name: 'app', exitCode: 1, reason: expect.stringContaining('exit') });
    expect(tasks.tasks?.find((t) => t.stopCode === 'ServiceSchedulerInitiated')?.stoppedReason).toMatch(
      /^Scaling activity initiated by \(deployment ecs-svc\/\d+\)$/,
    );
    const running = await aws.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: SERVICE }));
    expect(running.taskArns).toHaveLength(2);

    const deployments = await aws.ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE }));
    expect(deployments.serviceDeployments?.map((d) => d.status)).toEqual(['ROLLBACK_SUCCESSFUL', 'SUCCESSFUL']);
  });

  it('without rollback a failed deployment stays PRIMARY and FAILED (explicit scenario beats the image tag)', async () => {
    await stableService({ enable: true, rollback: false });
    aws.layer.setScenario({ service: SERVICE, kind: 'fail', ticks: 1 });
    await register('example/web:2.0.0'); // no tag hint: the control rule decides
    await aws.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: 'web:2' }));
    const failed = await poll();
    expect(summary(failed)).toEqual([
      ['PRIMARY', TD(2), 'FAILED'],
      ['ACTIVE', TD(1), 'COMPLETED'],
    ]);
    expect(failed.taskDefinition).toBe(TD(2));
    const [latest] =
      (await aws.ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE }))).serviceDeployments ?? [];
    expect(latest).toMatchObject({ status: 'STOPPED', statusReason: 'ECS deployment circuit breaker: tasks failed to start.' });

    aws.layer.setScenario({ image: 'web:3', kind: 'complete', ticks: 1 });
    await register('example/web:3-fail');
    await aws.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: 'web:3' }));
    expect((await poll()).deployments?.[0]).toMatchObject({ taskDefinition: TD(3), rolloutState: 'COMPLETED' });
  });

  it('rollback-immediate: the first poll already shows our deployment replaced', async () => {
    await stableService({ enable: true, rollback: true });
    const response = await fetch(`${aws.layer.url}/_rollout/scenario`, {
      method: 'POST',
      body: JSON.stringify({ service: SERVICE, kind: 'rollback-immediate' }),
    });
    expect(response.status).toBe(200);
    await register('example/web:2.0.0');
    const updated = await aws.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: 'web:2' }));
    const ourId = updated.service?.deployments?.[0].id;
    const first = await poll();
    expect(first.deployments?.map((d) => d.id)).not.toContain(ourId);
    expect(first.deployments?.[0]).toMatchObject({ status: 'PRIMARY', taskDefinition: TD(1), rolloutState: 'IN_PROGRESS' });
    expect(first.taskDefinition).toBe(TD(1));
    expect(first.events?.map((e) => e.message).join('\n')).toContain(`(deployment ${ourId}) deployment failed`);
  });

  it('hang (image tag): IN_PROGRESS forever, tasks pending', async () => {
    await stableService();
    await register('example/web:2.0.0-hang');
    await aws.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: 'web:2' }));
    for (let i = 0; i < 5; i++) await poll();
    const service = await poll();
    expect(service.deployments?.[0]).toMatchObject({
      taskDefinition: TD(2),
      rolloutState: 'IN_PROGRESS',
      runningCount: 0,
      pendingCount: 2,
    });
    expect(aws.layer.state().services[0].deployments[0].plan).toMatchObject({ kind: 'hang', source: 'image-tag' });
  });

  it('adopts a service created directly at moto as steady; scaling and forceNewDeployment', async () => {
    const direct = ecsClientFor(aws.moto.url);
    await direct.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await register('example/web:1.0.0');
    await direct.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: SERVICE,
        taskDefinition: 'web:1',
        desiredCount: 1,
        launchType: 'FARGATE',
      }),
    );
    expect(summary(await poll())).toEqual([['PRIMARY', TD(1), 'COMPLETED']]);

    const scaled = await aws.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, desiredCount: 3 }));
    expect(scaled.service).toMatchObject({ desiredCount: 3, runningCount: 3 });
    expect(scaled.service?.deployments).toHaveLength(1);

    const forced = await aws.ecs.send(
      new UpdateServiceCommand({
        cluster: `arn:aws:ecs:us-east-1:123456789012:cluster/${CLUSTER}`,
        service: SERVICE,
        forceNewDeployment: true,
      }),
    );
    expect(summary(forced.service!)).toEqual([
      ['PRIMARY', TD(1), 'IN_PROGRESS'],
      ['ACTIVE', TD(1), 'COMPLETED'],
    ]);
    await poll();
    expect(summary(await poll())).toEqual([['PRIMARY', TD(1), 'COMPLETED']]);
  });

  it('throttles: raw ThrottlingException N times with maxAttempts 1, absorbed by default retries', async () => {
    await aws.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    aws.layer.setScenario({ throttle: 2, operation: 'ListClusters' });
    for (let i = 0; i < 2; i++) {
      await expect(aws.ecs.send(new ListClustersCommand({}))).rejects.toMatchObject({
        name: 'ThrottlingException',
        message: 'Rate exceeded',
        $metadata: { httpStatusCode: 400 },
      });
    }
    expect((await aws.ecs.send(new ListClustersCommand({}))).clusterArns).toHaveLength(1);

    aws.layer.setScenario({ throttle: 1 });
    const retrying = ecsClientFor(aws.layer.url, 3);
    const out = await retrying.send(new ListClustersCommand({}));
    expect(out.$metadata.attempts).toBe(2);
    expect(aws.layer.state().throttled).toEqual({ ListClusters: 3 });
    expect(aws.layer.state().calls.ListClusters).toBe(5);
  });

  it('service deployment APIs: list, describe, revisions, stop with ROLLBACK', async () => {
    await stableService();
    await register('example/web:2.0.0-hang');
    await aws.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: 'web:2' }));

    const listed = await aws.ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE }));
    expect(listed.serviceDeployments?.map((d) => d.status)).toEqual(['IN_PROGRESS', 'SUCCESSFUL']);
    const arn = listed.serviceDeployments?.[0].serviceDeploymentArn ?? '';
    expect(arn).toMatch(/^arn:aws:ecs:us-east-1:123456789012:service-deployment\/demo\/web\/[\w-]{22}$/);
    const inProgress = await aws.ecs.send(
      new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE, status: ['IN_PROGRESS'] }),
    );
    expect(inProgress.serviceDeployments).toHaveLength(1);

    const described = await aws.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn, `${arn}x`] }));
    const sd = described.serviceDeployments?.[0];
    expect(sd).toMatchObject({ status: 'IN_PROGRESS', serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/demo/web' });
    expect(sd?.createdAt).toBeInstanceOf(Date);
    expect(described.failures).toEqual([{ arn: `${arn}x`, reason: 'MISSING' }]);
    const revisions = await aws.ecs.send(
      new DescribeServiceRevisionsCommand({
        serviceRevisionArns: [sd?.targetServiceRevision?.arn ?? '', sd?.sourceServiceRevisions?.[0].arn ?? ''],
      }),
    );
    expect(revisions.serviceRevisions?.map((r) => r.taskDefinition)).toEqual([TD(2), TD(1)]);

    await aws.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }));
    const statusOf = async () =>
      (await aws.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments?.[0];
    expect(await statusOf()).toMatchObject({
      status: 'ROLLBACK_REQUESTED',
      rollback: { serviceRevisionArn: sd?.sourceServiceRevisions?.[0].arn },
    });
    expect((await poll()).deployments?.[0]).toMatchObject({ status: 'PRIMARY', taskDefinition: TD(1), rolloutState: 'IN_PROGRESS' });
    expect((await statusOf())?.status).toBe('ROLLBACK_IN_PROGRESS');
    await poll();
    expect((await statusOf())?.status).toBe('ROLLBACK_SUCCESSFUL');

    await expect(aws.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn }))).rejects.toMatchObject({
      name: 'ConflictException',
    });
    await expect(aws.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: `${arn}x` }))).rejects.toMatchObject({
      name: 'ServiceDeploymentNotFoundException',
    });
  });

  it('passes Secrets Manager and unknown services through to moto', async () => {
    const secrets = secretsClientFor(aws.layer.url);
    await secrets.send(new CreateSecretCommand({ Name: 'app/db', SecretString: 's3cret' }));
    expect((await secrets.send(new GetSecretValueCommand({ SecretId: 'app/db' }))).SecretString).toBe('s3cret');
    expect(aws.layer.state().calls['secretsmanager.GetSecretValue']).toBe(1);
  });

  it('control endpoints: state over HTTP, bad scenarios rejected, reset clears moto', async () => {
    await aws.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    const bad = await fetch(`${aws.layer.url}/_rollout/scenario`, { method: 'POST', body: JSON.stringify({ kind: 'explode' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('scenario kind must be one of');
    const state = (await (await fetch(`${aws.layer.url}/_rollout/state`)).json()) as { calls: Record<string, number> };
    expect(state.calls).toEqual({ CreateCluster: 1 });
    expect((await fetch(`${aws.layer.url}/_rollout/reset`, { method: 'POST' })).status).toBe(200);
    expect((await aws.ecs.send(new ListClustersCommand({}))).clusterArns).toEqual([]);
  });
});
