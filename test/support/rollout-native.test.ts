import { describe, expect, it } from 'vitest';
import { useEcsEmulator } from './ecs-emulator';
import {
  ContinueServiceDeploymentCommand,
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type DeploymentConfiguration,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import { ecsClientFor } from './moto';

const CLUSTER = 'demo';
const SERVICE = 'web';
const TD = (revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;
const MINUTE_MS = 200;

const aws = useEcsEmulator({ minuteMs: MINUTE_MS, fresh: true });

const pause = (
  stages: ('POST_TEST_TRAFFIC_SHIFT' | 'POST_PRODUCTION_TRAFFIC_SHIFT')[],
  timeoutInMinutes = 60,
  action: 'CONTINUE' | 'ROLLBACK' = 'ROLLBACK',
) => ({ targetType: 'PAUSE' as const, lifecycleStages: stages, timeoutConfiguration: { timeoutInMinutes, action } });

/** A settled service on web:1 with `config`, then UpdateService to web:2; returns the new service deployment's ARN. */
async function deployGreen(config: DeploymentConfiguration, image = 'example/web:2.0.0'): Promise<string> {
  await aws.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  for (const tag of ['1.0.0', image.split(':')[1]]) {
    await aws.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'app', image: `example/web:${tag}`, essential: true }],
      }),
    );
  }
  await aws.ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: SERVICE,
      taskDefinition: 'web:1',
      desiredCount: 2,
      launchType: 'FARGATE',
      deploymentConfiguration: config,
    }),
  );
  aws.layer.settle(SERVICE);
  const updated = await aws.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: 'web:2' }));
  return updated.service?.currentServiceDeployment ?? '';
}

async function pollOnce(arn: string): Promise<ServiceDeployment> {
  await aws.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }));
  const out = await aws.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
  return out.serviceDeployments?.[0] as ServiceDeployment;
}

async function pollUntil(arn: string, done: (sd: ServiceDeployment) => boolean, max = 30): Promise<ServiceDeployment> {
  for (let i = 0; i < max; i += 1) {
    const sd = await pollOnce(arn);
    if (done(sd)) return sd;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('service deployment never reached the expected state');
}

const awaiting = (sd: ServiceDeployment) => sd.lifecycleHookDetails?.some((h) => h.status === 'AWAITING_ACTION') ?? false;

describe('rollout layer: ECS-native BLUE_GREEN / LINEAR / CANARY', () => {
  it('BLUE_GREEN: stages in order, PAUSE at POST_TEST_TRAFFIC_SHIFT with test 100% / production 0% on green, CONTINUE, bake, SUCCESSFUL', async () => {
    const arn = await deployGreen({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 2, lifecycleHooks: [pause(['POST_TEST_TRAFFIC_SHIFT'])] });
    expect(arn).toMatch(/:service-deployment\/demo\/web\//);
    const paused = await pollUntil(arn, awaiting);
    expect(paused).toMatchObject({ status: 'IN_PROGRESS', lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT' });
    expect(paused.targetServiceRevision).toMatchObject({
      requestedTestTrafficWeight: 100,
      requestedProductionTrafficWeight: 0,
      runningTaskCount: 2,
    });
    const hook = paused.lifecycleHookDetails?.[0];
    expect(hook).toMatchObject({ targetType: 'PAUSE', status: 'AWAITING_ACTION', timeoutAction: 'ROLLBACK' });
    expect(hook?.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 59 * MINUTE_MS);
    expect(aws.layer.traffic(SERVICE)).toEqual({ production: { [TD(1)]: 100 }, test: { [TD(2)]: 100 } });
    // Paused: polls do not move it.
    expect((await pollOnce(arn)).lifecycleStage).toBe('POST_TEST_TRAFFIC_SHIFT');
    await aws.ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: hook?.hookId, action: 'CONTINUE' }));
    await expect(
      aws.ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: hook?.hookId })),
    ).rejects.toMatchObject({ name: 'ConflictException' });
    const baking = await pollUntil(arn, (sd) => sd.lifecycleStage === 'BAKE_TIME');
    expect(baking.targetServiceRevision?.requestedProductionTrafficWeight).toBe(100);
    const bakeStarted = Date.now();
    const done = await pollUntil(arn, (sd) => sd.status === 'SUCCESSFUL', 200);
    expect(Date.now() - bakeStarted).toBeGreaterThanOrEqual(2 * MINUTE_MS - 50);
    expect(done.lifecycleStage).toBe('CLEAN_UP');
    const stages = aws.layer.state().services[0].serviceDeployments[0].stages?.map((s) => s.stage);
    expect(stages).toEqual([
      'PRE_SCALE_UP',
      'SCALE_UP',
      'POST_SCALE_UP',
      'TEST_TRAFFIC_SHIFT',
      'POST_TEST_TRAFFIC_SHIFT',
      'PRE_PRODUCTION_TRAFFIC_SHIFT',
      'PRODUCTION_TRAFFIC_SHIFT',
      'POST_PRODUCTION_TRAFFIC_SHIFT',
      'BAKE_TIME',
      'CLEAN_UP',
    ]);
    expect(aws.layer.traffic(SERVICE)).toEqual({ production: { [TD(2)]: 100 }, test: { [TD(2)]: 100 } });
  });

  it('ROLLBACK at the hook: traffic back to blue at once, ROLLBACK_SUCCESSFUL at the next poll, moto back on web:1', async () => {
    const arn = await deployGreen({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1, lifecycleHooks: [pause(['POST_TEST_TRAFFIC_SHIFT'])] });
    const paused = await pollUntil(arn, awaiting);
    await aws.ecs.send(
      new ContinueServiceDeploymentCommand({
        serviceDeploymentArn: arn,
        hookId: paused.lifecycleHookDetails?.[0].hookId,
        action: 'ROLLBACK',
      }),
    );
    expect(aws.layer.traffic(SERVICE)).toEqual({ production: { [TD(1)]: 100 }, test: { [TD(1)]: 100 } });
    const rolling = await pollOnce(arn);
    expect(rolling).toMatchObject({
      status: 'ROLLBACK_IN_PROGRESS',
      rollback: { reason: 'Rollback requested by ContinueServiceDeployment at POST_TEST_TRAFFIC_SHIFT.' },
    });
    expect((await pollOnce(arn)).status).toBe('ROLLBACK_SUCCESSFUL');
    const atMoto = await ecsClientFor(aws.moto.url).send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }));
    expect(atMoto.services?.[0].taskDefinition).toBe(TD(1));
  });

  it('a hook nobody answers times out and ECS takes its timeoutAction (ROLLBACK)', async () => {
    const arn = await deployGreen({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 1,
      lifecycleHooks: [pause(['POST_TEST_TRAFFIC_SHIFT'], 1)],
    });
    await pollUntil(arn, awaiting);
    const rolled = await pollUntil(arn, (sd) => sd.status?.startsWith('ROLLBACK') ?? false, 200);
    expect(rolled.lifecycleHookDetails?.[0].status).toBe('TIMED_OUT');
    expect(rolled.rollback?.reason).toMatch(/^Lifecycle hook hook-[0-9a-f]+ at POST_TEST_TRAFFIC_SHIFT timed out\.$/);
  });

  it('StopServiceDeployment ROLLBACK during bake shifts production back', async () => {
    const arn = await deployGreen({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 50 });
    await pollUntil(arn, (sd) => sd.lifecycleStage === 'BAKE_TIME');
    expect(aws.layer.traffic(SERVICE).production).toEqual({ [TD(2)]: 100 });
    await aws.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }));
    expect(aws.layer.traffic(SERVICE).production).toEqual({ [TD(1)]: 100 });
    expect((await pollOnce(arn)).status).toBe('ROLLBACK_IN_PROGRESS');
  });

  it('LINEAR: production shifts in steps with a bake between them; CANARY: percentage, bake, rest', async () => {
    const arn = await deployGreen({
      strategy: 'LINEAR',
      bakeTimeInMinutes: 0,
      linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 0 },
    });
    await pollUntil(arn, (sd) => sd.status === 'SUCCESSFUL');
    const weights = aws.layer
      .state()
      .services[0].serviceDeployments[0].stages?.filter((s) => s.stage === 'PRODUCTION_TRAFFIC_SHIFT')
      .map((s) => s.productionWeight);
    expect(weights).toEqual([25, 50, 75, 100]);

    await aws.layer.reset();
    const canary = await deployGreen({
      strategy: 'CANARY',
      bakeTimeInMinutes: 0,
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 },
    });
    await pollUntil(canary, (sd) => sd.targetServiceRevision?.requestedProductionTrafficWeight === 10);
    expect(aws.layer.traffic(SERVICE).production).toEqual({ [TD(1)]: 90, [TD(2)]: 10 });
    await pollUntil(canary, (sd) => sd.status === 'SUCCESSFUL', 200);
    expect(
      aws.layer
        .state()
        .services[0].serviceDeployments[0].stages?.filter((s) => s.stage === 'PRODUCTION_TRAFFIC_SHIFT')
        .map((s) => s.productionWeight),
    ).toEqual([10, 100]);
  });

  it('alarm scenario: the named alarm TRIGGERED during bake, ROLLBACK; failing tasks trip the circuit breaker', async () => {
    aws.layer.setScenario({ kind: 'alarm', alarmAt: 'BAKE_TIME', alarmName: 'web-5xx' });
    const arn = await deployGreen({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 5,
      alarms: { enable: true, rollback: true, alarmNames: ['web-5xx'] },
    });
    const rolled = await pollUntil(arn, (sd) => sd.status?.startsWith('ROLLBACK') ?? false);
    expect(rolled).toMatchObject({ lifecycleStage: 'BAKE_TIME', alarms: { status: 'TRIGGERED', triggeredAlarmNames: ['web-5xx'] } });

    await aws.layer.reset();
    const failing = await deployGreen(
      { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5, deploymentCircuitBreaker: { enable: true, rollback: true } },
      'example/web:2.0.0-fail',
    );
    const broken = await pollUntil(failing, (sd) => sd.status?.startsWith('ROLLBACK') ?? false);
    expect(broken).toMatchObject({ lifecycleStage: 'SCALE_UP', deploymentCircuitBreaker: { status: 'TRIGGERED' } });
    expect(broken.deploymentCircuitBreaker?.failureCount).toBeGreaterThan(0);
  });
});
