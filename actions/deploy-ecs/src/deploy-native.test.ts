/**
 * deploy-ecs on ECS-native BLUE_GREEN / LINEAR / CANARY services (aws-sdk-client-mock, fake
 * clock): judged by the service deployment, never by rolling rules; gates at PAUSE hooks; the
 * gate answers (gate-action); an unknown strategy refused before any change.
 */
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  type Service,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../lib/util/clock';
import { memoryLogger } from '../../../lib/runner/logger';
import { runnerContext } from '../../../lib/ecs/metadata';
import { CLUSTER, NEW_TD, OLD_TD, SERVICE, completedService, rollingService, steadyService } from '../../../test/deploy-ecs/ecs-fixtures';
import { deploy } from './deploy';
import { answerGate } from './gate';
import type { Inputs } from './inputs';
import { failureOf, renderSummary } from './summary';

const ecsMock = mockClient(ECSClient);
const T0 = Date.parse('2024-05-01T10:00:00Z');
const OLD_SD = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/shop/web/oldOldOldOldOldOldOld1';
const NEW_SD = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/shop/web/newNewNewNewNewNewNew1';
const GREEN = 'arn:aws:ecs:us-east-1:123456789012:service-revision/shop/web/2222';
const BLUE = 'arn:aws:ecs:us-east-1:123456789012:service-revision/shop/web/1111';
const HOOK = 'hook-0123456789abcdef';

const blueGreen = (extra: Record<string, unknown> = {}) => ({
  deploymentCircuitBreaker: { enable: true, rollback: true },
  strategy: 'BLUE_GREEN' as const,
  bakeTimeInMinutes: 5,
  lifecycleHooks: [
    {
      targetType: 'PAUSE' as const,
      lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT' as const],
      timeoutConfiguration: { timeoutInMinutes: 60, action: 'ROLLBACK' as const },
    },
  ],
  ...extra,
});

function bgService(base: Service, sd: string, config = blueGreen()): Service {
  return { ...base, currentServiceDeployment: sd, deploymentConfiguration: config };
}

function sd(overrides: Partial<ServiceDeployment>): ServiceDeployment {
  return {
    serviceDeploymentArn: NEW_SD,
    serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/${CLUSTER}/${SERVICE}`,
    status: 'IN_PROGRESS',
    targetServiceRevision: {
      arn: GREEN,
      requestedTaskCount: 2,
      runningTaskCount: 2,
      requestedProductionTrafficWeight: 0,
      requestedTestTrafficWeight: 0,
    },
    sourceServiceRevisions: [{ arn: BLUE, requestedTaskCount: 2, runningTaskCount: 2 }],
    alarms: { status: 'MONITORING', alarmNames: ['web-5xx'] },
    deploymentCircuitBreaker: { status: 'MONITORING', failureCount: 0, threshold: 3 },
    ...overrides,
  };
}

function inputs(overrides: Partial<Inputs> = {}): Inputs {
  return {
    cluster: CLUSTER,
    service: SERVICE,
    images: [{ image: 'registry.example.com/shop/web:a1b2c3d', input: 'image' }],
    'environment-variables': new Map(),
    'git-sha': 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    version: '1.3.0',
    wait: true,
    'timeout-seconds': 900,
    'poll-interval-seconds': 10,
    'force-new-deployment': false,
    'dry-run': false,
    ...overrides,
  };
}

/** DescribeServices: the service before, then `service` every poll; DescribeServiceDeployments: `sds` one per call. */
function scenario(before: Service, during: Service, sds: ServiceDeployment[]): void {
  let call = 0;
  ecsMock.on(DescribeServicesCommand).callsFake(() => ({ services: [call++ === 0 ? before : during] }));
  let sdCall = 0;
  ecsMock.on(DescribeServiceDeploymentsCommand).callsFake(() => ({ serviceDeployments: [sds[Math.min(sdCall++, sds.length - 1)]] }));
}

async function run(overrides: Partial<Inputs> = {}, answer = false) {
  const log = memoryLogger();
  const clock = new FakeClock(T0);
  const deps = { ecs: new ECSClient({ region: 'us-east-1' }), clock, log, context: runnerContext({}) };
  const result = answer ? await answerGate(inputs(overrides), deps) : await deploy(inputs(overrides), deps);
  return { result, log, clock };
}

const statusTags = () =>
  ecsMock.commandCalls(TagResourceCommand).map((c) => c.args[0].input.tags?.find((t) => t.key === 'gantry:status')?.value);

beforeEach(() => {
  ecsMock.reset();
  ecsMock.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: OLD_TD,
      family: 'web',
      containerDefinitions: [{ name: 'app', image: 'registry.example.com/shop/web:old', essential: true }],
    },
  });
  ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: NEW_TD, revision: 7 } });
  ecsMock.on(UpdateServiceCommand).resolves({ service: bgService(rollingService(), NEW_SD) });
  ecsMock.on(TagResourceCommand).resolves({});
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
  ecsMock.on(ContinueServiceDeploymentCommand).resolves({ serviceDeploymentArn: NEW_SD });
  ecsMock.on(DescribeServiceRevisionsCommand).resolves({
    serviceRevisions: [
      { serviceRevisionArn: GREEN, taskDefinition: NEW_TD },
      { serviceRevisionArn: BLUE, taskDefinition: OLD_TD },
    ],
  });
});

describe('deploy-ecs on BLUE_GREEN / LINEAR / CANARY services', () => {
  it('BLUE_GREEN is never judged by rolling rules: a COMPLETED ECS deployment during bake time is not "deployed"; the alarm rollback is', async () => {
    // Rolling rules would say "deployed" at the first poll: the PRIMARY deployment is COMPLETED with 2/2 running.
    scenario(bgService(steadyService(), OLD_SD), bgService(completedService(), NEW_SD), [
      sd({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' }),
      sd({
        lifecycleStage: 'BAKE_TIME',
        targetServiceRevision: { arn: GREEN, requestedProductionTrafficWeight: 100, requestedTestTrafficWeight: 100 },
      }),
      sd({
        lifecycleStage: 'BAKE_TIME',
        status: 'ROLLBACK_IN_PROGRESS',
        alarms: { status: 'TRIGGERED', alarmNames: ['web-5xx'], triggeredAlarmNames: ['web-5xx'] },
        rollback: { reason: 'CloudWatch alarm web-5xx triggered.' },
      }),
    ]);
    const { result, log } = await run({ 'gate-stages': [] });
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(
      /ROLLBACK_IN_PROGRESS at BAKE_TIME \(CloudWatch alarm web-5xx triggered\.\).*CloudWatch alarm web-5xx TRIGGERED/,
    );
    expect(result.rollout).toMatchObject({
      polls: 3,
      describeCalls: 3,
      native: { describeDeploymentCalls: 3, rolledBack: true, triggeredAlarms: ['web-5xx'] },
    });
    expect(ecsMock.commandCalls(DescribeServiceDeploymentsCommand)).toHaveLength(3);
    expect(statusTags()).toEqual(['failed']);
    expect(log.lines.filter((l) => /poll \d+: stage/.test(l))).toEqual([
      '[0s] poll 1: stage PRODUCTION_TRAFFIC_SHIFT (IN_PROGRESS) · 2/2 tasks · traffic to the new revision: production 0%, test 0%',
      '[10s] poll 2: stage BAKE_TIME (IN_PROGRESS) · traffic to the new revision: production 100%, test 100%',
      '[20s] poll 3: stage BAKE_TIME (ROLLBACK_IN_PROGRESS) · 2/2 tasks · traffic to the new revision: production 0%, test 0%',
    ]);
    expect(log.text()).toContain('Deployment strategy BLUE_GREEN: watched through its service deployment');
    expect(failureOf(result).message).toMatch(/^Deployment of web:7 to service web failed: service deployment .* ROLLBACK_IN_PROGRESS/);
    const summary = renderSummary(inputs(), result);
    expect(summary).toContain('| **Triggered alarms** | web-5xx |');
    expect(summary).toContain('PRODUCTION_TRAFFIC_SHIFT (0s) → BAKE_TIME (10s)');
  });

  it('stops at the PAUSE hook of a gate stage with the hook, stage and ARN; tags nothing yet; warns when expiry is near', async () => {
    scenario(bgService(steadyService(), OLD_SD), bgService(rollingService(), NEW_SD), [
      sd({ lifecycleStage: 'SCALE_UP' }),
      sd({
        lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
        lifecycleHookDetails: [
          { hookId: HOOK, targetType: 'PAUSE', status: 'AWAITING_ACTION', expiresAt: new Date(T0 + 5 * 60_000), timeoutAction: 'ROLLBACK' },
        ],
      }),
    ]);
    const { result, log } = await run();
    expect(result.status).toBe('awaiting-action');
    if (result.status !== 'awaiting-action') return;
    expect(result.gate).toEqual({
      hookId: HOOK,
      stage: 'POST_TEST_TRAFFIC_SHIFT',
      serviceDeploymentArn: NEW_SD,
      expiresAt: new Date(T0 + 5 * 60_000),
      timeoutAction: 'ROLLBACK',
    });
    expect(result.serviceDeploymentArn).toBe(NEW_SD);
    expect(statusTags()).toEqual([]);
    expect(log.warnings).toEqual([
      expect.stringMatching(/PAUSE hook hook-0123456789abcdef at POST_TEST_TRAFFIC_SHIFT expires in 4m 50s .* ECS does ROLLBACK/),
    ]);
    expect(ecsMock.commandCalls(ContinueServiceDeploymentCommand)).toHaveLength(0);
    expect(renderSummary(inputs(), result)).toContain('⏸️ paused at a gate');
  });

  it('answers CONTINUE itself at a PAUSE hook outside gate-stages and follows LINEAR steps to SUCCESSFUL', async () => {
    const linear = blueGreen({ strategy: 'LINEAR', linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 1 } });
    const weight = (w: number) => ({
      targetServiceRevision: { arn: GREEN, requestedProductionTrafficWeight: w, requestedTestTrafficWeight: 100 },
    });
    scenario(bgService(steadyService(), OLD_SD, linear), bgService(rollingService(), NEW_SD, linear), [
      sd({
        lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
        lifecycleHookDetails: [{ hookId: HOOK, targetType: 'PAUSE', status: 'AWAITING_ACTION' }],
      }),
      sd({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', ...weight(50) }),
      sd({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', ...weight(100) }),
      sd({ lifecycleStage: 'CLEAN_UP', ...weight(100) }),
      sd({ lifecycleStage: 'CLEAN_UP', status: 'SUCCESSFUL', ...weight(100) }),
    ]);
    const { result, log } = await run({ 'gate-stages': [] });
    expect(result.status).toBe('deployed');
    expect(ecsMock.commandCalls(ContinueServiceDeploymentCommand)[0].args[0].input).toEqual({
      serviceDeploymentArn: NEW_SD,
      hookId: HOOK,
      action: 'CONTINUE',
    });
    expect(log.text()).toContain('AWAITING_ACTION at POST_TEST_TRAFFIC_SHIFT, not a gate stage here: answered CONTINUE');
    expect(log.lines.filter((l) => l.includes('production 50%'))).toHaveLength(1);
    expect(statusTags()).toEqual(['deployed']);
  });

  it('never judges the service deployment that was current before UpdateService, while ECS has not shown the new one yet', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({ service: bgService(rollingService(), OLD_SD) });
    const shown = [
      bgService(steadyService(), OLD_SD),
      bgService(rollingService(), OLD_SD),
      bgService(rollingService(), OLD_SD),
      bgService(rollingService(), NEW_SD),
    ];
    let call = 0;
    ecsMock.on(DescribeServicesCommand).callsFake(() => ({ services: [shown[Math.min(call++, shown.length - 1)]] }));
    ecsMock.on(DescribeServiceDeploymentsCommand).callsFake(({ serviceDeploymentArns }: { serviceDeploymentArns: string[] }) => ({
      serviceDeployments: [sd({ serviceDeploymentArn: serviceDeploymentArns[0], status: 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP' })],
    }));
    const { result } = await run({ 'gate-stages': [] });
    expect(result.status, result.reason).toBe('deployed');
    expect(ecsMock.commandCalls(DescribeServiceDeploymentsCommand).map((c) => c.args[0].input.serviceDeploymentArns)).toEqual([[NEW_SD]]);
    expect(result.serviceDeploymentArn).toBe(NEW_SD);
  });

  it('refuses a strategy gantry does not know before registering or updating anything', async () => {
    const shadow = { ...steadyService(), deploymentConfiguration: { strategy: 'SHADOW' as never } };
    scenario(shadow, shadow, []);
    await expect(run()).rejects.toThrow(
      /uses the deployment strategy SHADOW, which gantry does not support \(it deploys ROLLING, BLUE_GREEN, LINEAR, CANARY\)/,
    );
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('gate-action rollback: ROLLBACK on the paused hook, waits for ROLLBACK_SUCCESSFUL, tags the release failed', async () => {
    const paused = sd({
      lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
      lifecycleHookDetails: [{ hookId: HOOK, targetType: 'PAUSE', status: 'AWAITING_ACTION' }],
    });
    scenario(bgService(rollingService(), NEW_SD), bgService(rollingService(), NEW_SD), [
      paused,
      paused,
      sd({
        lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
        status: 'ROLLBACK_IN_PROGRESS',
        rollback: { reason: 'Rollback requested by ContinueServiceDeployment.' },
      }),
      sd({ lifecycleStage: 'CLEAN_UP', status: 'ROLLBACK_SUCCESSFUL' }),
    ]);
    const { result } = await run({ images: [], 'gate-action': 'rollback', 'service-deployment-arn': NEW_SD }, true);
    expect(ecsMock.commandCalls(ContinueServiceDeploymentCommand)[0].args[0].input).toEqual({
      serviceDeploymentArn: NEW_SD,
      hookId: HOOK,
      action: 'ROLLBACK',
    });
    expect(ecsMock.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
    expect(result).toMatchObject({ status: 'failed', taskDefinitionArn: NEW_TD, previousTaskDefinitionArn: OLD_TD });
    expect(result.reason).toMatch(
      /rolled back by gate-action rollback \(ContinueServiceDeployment ROLLBACK at POST_TEST_TRAFFIC_SHIFT\): traffic is back on .*web:6/,
    );
    expect(statusTags()).toEqual(['failed']);
  });

  it('gate-action rollback with no hook waiting: StopServiceDeployment ROLLBACK', async () => {
    scenario(bgService(rollingService(), NEW_SD), bgService(rollingService(), NEW_SD), [
      sd({ lifecycleStage: 'BAKE_TIME' }),
      sd({ lifecycleStage: 'BAKE_TIME' }),
      sd({ status: 'ROLLBACK_SUCCESSFUL', lifecycleStage: 'CLEAN_UP' }),
    ]);
    ecsMock.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: NEW_SD });
    const { result } = await run({ images: [], 'gate-action': 'rollback', 'service-deployment-arn': NEW_SD }, true);
    expect(ecsMock.commandCalls(StopServiceDeploymentCommand)[0].args[0].input).toEqual({
      serviceDeploymentArn: NEW_SD,
      stopType: 'ROLLBACK',
    });
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/StopServiceDeployment ROLLBACK at BAKE_TIME/);
  });
});
