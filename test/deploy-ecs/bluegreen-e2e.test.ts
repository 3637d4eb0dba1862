/**
 * End to end on ECS-native BLUE_GREEN / LINEAR / CANARY services: the deploy-ecs and smoke-test
 * bundles, run by the runner harness as deploy.yml runs them, against moto behind the rollout
 * layer, with the load balancer's production and test listeners (test/support/listeners.ts)
 * routing by the layer's traffic weights to a stand-in of each revision.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type DeploymentConfiguration,
} from '@aws-sdk/client-ecs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useEcsEmulator } from '../support/ecs-emulator';
import { runAction, type ActionResult } from '../support/harness';
import { startListeners, type Listeners } from '../support/listeners';
import { CLUSTER, REGISTRY, SERVICE, appContainer, readRevision, serviceTaskDefinition } from './moto-setup';

const TD = (revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;
const SHA = 'c0ffee0123456789abcdef0123456789abcdef01';
const OLD_SHA = '0000000000000000000000000000000000000001';

// A configured minute lasts 100 ms: bake times and hook timeouts in seconds of test time.
const aws = useEcsEmulator({ minuteMs: 100, fresh: true });
let listeners: Listeners;
/** Task definitions whose stand-in answers 500 on the given listener(s). */
let broken: Map<string, Set<string>>;
let gitShaOf: Map<string, string>;

beforeAll(async () => {
  listeners = await startListeners({
    route: (listener) => aws.layer.traffic(SERVICE)[listener],
    respond: async (arn, path, listener) => {
      if (broken.get(arn)?.has(listener)) return { status: 500, body: { error: 'release is broken' } };
      if (!gitShaOf.has(arn)) {
        const td = await aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
        const env = td.taskDefinition?.containerDefinitions?.[0]?.environment ?? [];
        gitShaOf.set(arn, env.find((e) => e.name === 'DEPLOY_GIT_SHA')?.value ?? OLD_SHA);
      }
      return { status: 200, body: { gitSha: gitShaOf.get(arn), path } };
    },
  });
});
afterAll(async () => {
  await listeners?.stop();
});
beforeEach(async () => {
  broken = new Map();
  gitShaOf = new Map();
  for (const name of ['production', 'test'] as const)
    for (const key of Object.keys(listeners.served[name])) delete listeners.served[name][key];
});

/** Production traffic during the whole test, as real users would send it. */
let users: NodeJS.Timeout | undefined;
afterEach(() => clearInterval(users));
function startUsers(): void {
  users = setInterval(() => void fetch(`${listeners.productionUrl}/`).catch(() => undefined), 25);
}

const pauseAt = (...stages: ('POST_TEST_TRAFFIC_SHIFT' | 'POST_PRODUCTION_TRAFFIC_SHIFT')[]) =>
  stages.map((stage) => ({
    targetType: 'PAUSE' as const,
    lifecycleStages: [stage],
    timeoutConfiguration: { timeoutInMinutes: 1440, action: 'ROLLBACK' as const },
  }));

async function blueGreenService(config: DeploymentConfiguration): Promise<void> {
  await aws.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  await aws.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [appContainer()],
    }),
  );
  await aws.ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: SERVICE,
      taskDefinition: TD(1),
      desiredCount: 2,
      launchType: 'FARGATE',
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, ...config },
    }),
  );
  aws.layer.settle();
}

const env = () => aws.env();
const deployStep = (inputs: Record<string, string | number> = {}) =>
  runAction(
    'deploy-ecs',
    {
      cluster: CLUSTER,
      service: SERVICE,
      image: `${REGISTRY}/web:${SHA.slice(0, 7)}`,
      'git-sha': SHA,
      version: '1.3.0',
      environment: 'staging',
      'poll-interval-seconds': 1,
      ...inputs,
    },
    { env: env() },
  );
const gateStep = (action: 'continue' | 'rollback', from: ActionResult, inputs: Record<string, string | number> = {}) =>
  runAction(
    'deploy-ecs',
    {
      cluster: CLUSTER,
      service: SERVICE,
      'gate-action': action,
      'service-deployment-arn': from.outputs['service-deployment-arn'],
      'poll-interval-seconds': 1,
      ...inputs,
    },
    { env: env() },
  );
const smokeStep = (baseUrl: string) =>
  runAction(
    'smoke-test',
    {
      'base-url': baseUrl,
      'expect-version': SHA,
      'version-path': '/health',
      'version-field': 'gitSha',
      'timeout-seconds': 2,
      'interval-seconds': 1,
    },
    { env: env() },
  );

const stageLines = (stdout: string) => stdout.split('\n').filter((l) => /^\[\d+s\] poll \d+: stage /.test(l));
const errorOf = (result: ActionResult) => result.annotations.find((a) => a.level === 'error')?.message ?? '';
const calls = () => aws.layer.state().calls;
const sdState = () => aws.layer.state().services[0].serviceDeployments[0];

describe('deploy-ecs on BLUE_GREEN / LINEAR / CANARY (bundles, moto + rollout layer, two listeners)', () => {
  it('blue/green success: gate at POST_TEST_TRAFFIC_SHIFT (smoke on the test listener), gate at POST_PRODUCTION_TRAFFIC_SHIFT (smoke on production), deployed', async () => {
    await blueGreenService({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 1,
      lifecycleHooks: pauseAt('POST_TEST_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT'),
    });
    const deploy = await deployStep();
    expect(deploy.exitCode, deploy.stdout).toBe(0);
    expect(deploy.outputs).toMatchObject({
      status: 'awaiting-action',
      'lifecycle-stage': 'POST_TEST_TRAFFIC_SHIFT',
      'gate-listener': 'test',
      'task-definition-arn': TD(2),
      'previous-task-definition-arn': TD(1),
    });
    expect(deploy.outputs['hook-id']).toBe(sdState().hooks?.[0].hookId);
    expect(deploy.outputs['service-deployment-arn']).toBe(sdState().arn);
    expect(deploy.summary).toContain('⏸️ paused at a gate');
    expect((await readRevision(aws.ecs, TD(2))).tags['gantry:status']).toBe('pending');
    expect(stageLines(deploy.stdout).map((l) => l.replace(/^\[\d+s\] poll \d+: /, '').split(' (')[0])).toEqual([
      'stage SCALE_UP',
      'stage POST_SCALE_UP',
      'stage TEST_TRAFFIC_SHIFT',
      'stage POST_TEST_TRAFFIC_SHIFT',
    ]);

    const testSmoke = await smokeStep(listeners.testUrl);
    expect(testSmoke.exitCode, testSmoke.stdout).toBe(0);
    const first = await gateStep('continue', deploy, { 'hook-id': deploy.outputs['hook-id'] });
    expect(first.exitCode, first.stdout).toBe(0);
    expect(first.outputs).toMatchObject({
      status: 'awaiting-action',
      'lifecycle-stage': 'POST_PRODUCTION_TRAFFIC_SHIFT',
      'gate-listener': 'production',
    });
    const prodSmoke = await smokeStep(listeners.productionUrl);
    expect(prodSmoke.exitCode, prodSmoke.stdout).toBe(0);
    const last = await gateStep('continue', first);
    expect(last.exitCode, last.stdout).toBe(0);
    expect(last.outputs).toMatchObject({ status: 'deployed', 'task-definition-arn': TD(2), 'previous-task-definition-arn': TD(1) });
    expect(last.stdout).toMatch(/stage BAKE_TIME \(IN_PROGRESS\)/);
    expect(last.summary).toContain('## deploy-ecs: ✅ deployed');
    expect(last.summary).toMatch(/\| \*\*Strategy\*\* \| BLUE_GREEN \|/);
    expect((await readRevision(aws.ecs, TD(2))).tags['gantry:status']).toBe('deployed');
    expect(sdState().status).toBe('SUCCESSFUL');
    expect(calls().ContinueServiceDeployment).toBe(2);
    // One DescribeServiceDeployments per poll at most, beside one DescribeServices.
    expect(calls().DescribeServiceDeployments).toBeLessThanOrEqual(calls().DescribeServices);
  }, 120_000);

  it('smoke failure at the test-traffic gate → ROLLBACK: production served 0 requests of the new revision, release tagged failed', async () => {
    await blueGreenService({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1, lifecycleHooks: pauseAt('POST_TEST_TRAFFIC_SHIFT') });
    broken.set(TD(2), new Set(['test', 'production']));
    startUsers();
    const deploy = await deployStep();
    expect(deploy.outputs.status, deploy.stdout).toBe('awaiting-action');
    const smoke = await smokeStep(listeners.testUrl);
    expect(smoke.exitCode).toBe(1);
    const rollback = await gateStep('rollback', deploy);
    expect(rollback.exitCode).toBe(1);
    expect(rollback.outputs).toMatchObject({ status: 'failed', 'task-definition-arn': TD(2), 'previous-task-definition-arn': TD(1) });
    expect(errorOf(rollback)).toMatch(
      /rolled back by gate-action rollback \(ContinueServiceDeployment ROLLBACK at POST_TEST_TRAFFIC_SHIFT\): traffic is back on .*web:1/,
    );
    expect(calls().ContinueServiceDeployment).toBe(1);
    expect(sdState().status).toBe('ROLLBACK_SUCCESSFUL');
    clearInterval(users);
    expect(listeners.served.test[TD(2)]).toBeGreaterThan(0);
    expect(listeners.served.production[TD(2)] ?? 0).toBe(0);
    expect(listeners.served.production[TD(1)]).toBeGreaterThan(0);
    expect((await readRevision(aws.ecs, TD(2))).tags['gantry:status']).toBe('failed');
    expect(await serviceTaskDefinition(aws.ecs)).toBe(TD(1));
    expect(rollback.summary).toContain('## deploy-ecs: ❌ failed');
  }, 120_000);

  it('failure at the production gate (before bake): ROLLBACK shifts production back to blue within one poll', async () => {
    await blueGreenService({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 10, lifecycleHooks: pauseAt('POST_PRODUCTION_TRAFFIC_SHIFT') });
    broken.set(TD(2), new Set(['production']));
    const deploy = await deployStep();
    expect(deploy.outputs).toMatchObject({ status: 'awaiting-action', 'gate-listener': 'production' });
    expect(aws.layer.traffic(SERVICE).production).toEqual({ [TD(2)]: 100 });
    expect((await smokeStep(listeners.productionUrl)).exitCode).toBe(1);
    const rollback = await gateStep('rollback', deploy);
    expect(aws.layer.traffic(SERVICE).production).toEqual({ [TD(1)]: 100 });
    expect(rollback.outputs.status).toBe('failed');
    // The first poll after the answer already shows the rollback.
    expect(stageLines(rollback.stdout)[0]).toMatch(/poll 1: stage POST_PRODUCTION_TRAFFIC_SHIFT \(ROLLBACK_IN_PROGRESS\) .*production 0%/);
    expect((await readRevision(aws.ecs, TD(2))).tags['gantry:status']).toBe('failed');
  }, 120_000);

  it('an alarm during bake time: ECS rolls back, deploy-ecs fails within one poll naming the alarm', async () => {
    await blueGreenService({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 100,
      alarms: { enable: true, rollback: true, alarmNames: ['web-5xx'] },
    });
    aws.layer.setScenario({ kind: 'alarm', alarmAt: 'BAKE_TIME', alarmName: 'web-5xx' });
    const deploy = await deployStep({ 'gate-stages': 'none' });
    expect(deploy.exitCode).toBe(1);
    expect(deploy.outputs).toMatchObject({ status: 'failed', 'lifecycle-stage': 'BAKE_TIME' });
    expect(errorOf(deploy)).toMatch(
      /ROLLBACK_IN_PROGRESS at BAKE_TIME \(CloudWatch alarm web-5xx triggered\.\).*CloudWatch alarm web-5xx TRIGGERED/,
    );
    expect(deploy.summary).toContain('| **Triggered alarms** | web-5xx |');
    const lines = stageLines(deploy.stdout);
    expect(lines.at(-2)).toMatch(/stage BAKE_TIME \(IN_PROGRESS\)/);
    expect(lines.at(-1)).toMatch(/stage BAKE_TIME \(ROLLBACK_IN_PROGRESS\)/);
    expect((await readRevision(aws.ecs, TD(2))).tags['gantry:status']).toBe('failed');
  }, 120_000);

  it('a hook nobody answers in time: the gate warns of the expiry, ECS rolls back at the timeout, the late answer reports it', async () => {
    await blueGreenService({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 1,
      lifecycleHooks: [
        {
          targetType: 'PAUSE',
          lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
          timeoutConfiguration: { timeoutInMinutes: 20, action: 'ROLLBACK' },
        },
      ],
    });
    const deploy = await deployStep();
    expect(deploy.outputs.status).toBe('awaiting-action');
    expect(
      deploy.annotations.some(
        (a) =>
          a.level === 'warning' && /PAUSE hook hook-\w+ at POST_TEST_TRAFFIC_SHIFT expires in \d+s .*ECS does ROLLBACK/.test(a.message),
      ),
    ).toBe(true);
    await new Promise((r) => setTimeout(r, 2_200));
    const late = await gateStep('continue', deploy, { 'hook-id': deploy.outputs['hook-id'] });
    expect(late.exitCode).toBe(1);
    expect(late.outputs.status).toBe('failed');
    expect(
      late.annotations.some(
        (a) =>
          a.level === 'warning' &&
          /Hook hook-\w+ is TIMED_OUT, no longer AWAITING_ACTION: ECS took its timeout action \(ROLLBACK\)/.test(a.message),
      ),
    ).toBe(true);
    expect(errorOf(late)).toMatch(
      /ROLLBACK_IN_PROGRESS at POST_TEST_TRAFFIC_SHIFT \(Lifecycle hook hook-\w+ at POST_TEST_TRAFFIC_SHIFT timed out\.\)/,
    );
    expect(calls().ContinueServiceDeployment ?? 0).toBe(0);
    expect(sdState().hooks?.[0].status).toBe('TIMED_OUT');
    expect(await serviceTaskDefinition(aws.ecs)).toBe(TD(1));
  }, 120_000);

  it('rollback action while the deployment is paused at a gate: ContinueServiceDeployment ROLLBACK, traffic back at once, rolled-back', async () => {
    await blueGreenService({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1, lifecycleHooks: pauseAt('POST_TEST_TRAFFIC_SHIFT') });
    const deploy = await deployStep();
    expect(deploy.outputs.status).toBe('awaiting-action');
    const rollback = await runAction(
      'rollback',
      { cluster: CLUSTER, service: SERVICE, target: 'revision:1', reason: 'gate abandoned', 'poll-interval-seconds': 1 },
      { env: env() },
    );
    expect(rollback.exitCode, rollback.stdout).toBe(0);
    expect(rollback.outputs).toMatchObject({ status: 'rolled-back', 'task-definition-arn': TD(1), 'from-task-definition-arn': TD(2) });
    expect(rollback.stdout).toContain('ContinueServiceDeployment ROLLBACK on hook');
    expect(rollback.summary).toContain('ContinueServiceDeployment');
    expect(calls().ContinueServiceDeployment).toBe(1);
    expect(calls().UpdateService).toBe(1);
    expect(sdState().status).toBe('ROLLBACK_SUCCESSFUL');
    expect(aws.layer.traffic(SERVICE).production).toEqual({ [TD(1)]: 100 });
    expect((await readRevision(aws.ecs, TD(2))).tags).toMatchObject({
      'gantry:status': 'rolled-back',
      'gantry:rollback-reason': 'gate abandoned',
    });
  }, 120_000);

  it('rollback action after a finished blue/green deployment: a new service deployment to the target, its PAUSE hooks answered', async () => {
    await blueGreenService({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0, lifecycleHooks: pauseAt('POST_TEST_TRAFFIC_SHIFT') });
    const deploy = await deployStep({ 'gate-stages': 'none' });
    expect(deploy.outputs.status, deploy.stdout).toBe('deployed');
    const rollback = await runAction(
      'rollback',
      { cluster: CLUSTER, service: SERVICE, target: 'revision:1', 'poll-interval-seconds': 1 },
      { env: env() },
    );
    expect(rollback.exitCode, rollback.stdout).toBe(0);
    expect(rollback.outputs).toMatchObject({ status: 'rolled-back', 'task-definition-arn': TD(1) });
    expect(rollback.stdout).toMatch(/AWAITING_ACTION at POST_TEST_TRAFFIC_SHIFT, not a gate stage here: answered CONTINUE/);
    expect(aws.layer.state().services[0].serviceDeployments[0]).toMatchObject({ status: 'SUCCESSFUL', targetTaskDefinition: TD(1) });
    expect(await serviceTaskDefinition(aws.ecs)).toBe(TD(1));
    expect((await readRevision(aws.ecs, TD(2))).tags['gantry:status']).toBe('rolled-back');
  }, 120_000);

  it('LINEAR and CANARY: each production traffic step is logged', async () => {
    await blueGreenService({
      strategy: 'LINEAR',
      bakeTimeInMinutes: 0,
      linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 0 },
    });
    const linear = await deployStep();
    expect(linear.exitCode, linear.stdout).toBe(0);
    expect(linear.outputs.status).toBe('deployed');
    expect(linear.stdout).toMatch(/stage PRODUCTION_TRAFFIC_SHIFT \(IN_PROGRESS\) .*production 50%/);
    expect(linear.stdout).toMatch(/stage PRODUCTION_TRAFFIC_SHIFT \(IN_PROGRESS\) .*production 100%/);

    await aws.layer.reset();
    await blueGreenService({
      strategy: 'CANARY',
      bakeTimeInMinutes: 0,
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 5 },
    });
    const canary = await deployStep();
    expect(canary.outputs.status, canary.stdout).toBe('deployed');
    expect(canary.stdout).toMatch(/production 10%/);
    expect(canary.summary).toMatch(/\| \*\*Strategy\*\* \| CANARY \|/);
    expect((await readRevision(aws.ecs, TD(2))).tags['gantry:status']).toBe('deployed');
  }, 120_000);
});
