/**
 * The blue/green gate of deploy-ecs (gate-action continue / rollback) driven through faults injected
 * between the bundle and AWS (test/support/fault-proxy.ts in front of the rollout layer and moto):
 * ContinueServiceDeployment CONTINUE, ContinueServiceDeployment ROLLBACK and StopServiceDeployment
 * ROLLBACK applied and their answer lost, applied and answered with an error, applied and never
 * answered, or refused — and the job cancelled while the gate step watches. Whatever breaks, the step
 * writes its outputs, tags the release from what ECS really did, and says whether the service
 * deployment WAS or was NOT continued / rolled back (or that it is UNKNOWN).
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
  type DeploymentConfiguration,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy, type FaultRule } from '../support/fault-proxy';
import { runAction, type ActionResult } from '../support/harness';
import { awsTestEnv, ecsClientFor, startMoto, type MotoServer } from '../support/moto';
import { startRolloutLayer, type RolloutLayer } from '../support/rollout-layer';
import { CLUSTER, REGISTRY, SERVICE, appContainer, readRevision } from './moto-setup';

const TD = (revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;
const SHA = 'c0ffee0123456789abcdef0123456789abcdef01';
/** timeout-seconds of the cases that run into it. */
const TIMEOUT_S = 4;

let moto: MotoServer;
let layer: RolloutLayer;
let proxy: FaultProxy;
let ecs: ECSClient;

beforeAll(async () => {
  moto = await startMoto();
  // A configured minute lasts 100 ms: a bake of 100 minutes is 10 s of test time.
  layer = await startRolloutLayer({ motoUrl: moto.url, minuteMs: 100 });
  proxy = await startFaultProxy({ upstream: layer.url });
  ecs = ecsClientFor(layer.url);
});
afterAll(async () => {
  await proxy?.stop();
  await layer?.stop();
  await moto?.stop();
});
beforeEach(async () => {
  proxy.reset();
  await layer.reset();
});

const PAUSE_AT_TEST_GATE = [
  {
    targetType: 'PAUSE' as const,
    lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT' as const],
    timeoutConfiguration: { timeoutInMinutes: 1440, action: 'ROLLBACK' as const },
  },
];

async function blueGreenService(config: DeploymentConfiguration): Promise<void> {
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [appContainer()],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: SERVICE,
      taskDefinition: TD(1),
      desiredCount: 2,
      launchType: 'FARGATE',
      deploymentConfiguration: { strategy: 'BLUE_GREEN', deploymentCircuitBreaker: { enable: true, rollback: true }, ...config },
    }),
  );
  layer.settle();
}

const deployStep = (inputs: Record<string, string | number> = {}): Promise<ActionResult> =>
  runAction(
    'deploy-ecs',
    {
      cluster: CLUSTER,
      service: SERVICE,
      image: `${REGISTRY}/web:${SHA.slice(0, 7)}`,
      'git-sha': SHA,
      'poll-interval-seconds': 1,
      ...inputs,
    },
    { env: awsTestEnv(proxy.url), timeoutMs: 60_000 },
  );

function gateStep(
  action: 'continue' | 'rollback',
  from: ActionResult,
  faults: FaultRule[],
  inputs: Record<string, string | number> = {},
  options: { signal?: { when: RegExp; signal: NodeJS.Signals } } = {},
): Promise<ActionResult> {
  for (const fault of faults) proxy.addFault(fault);
  return runAction(
    'deploy-ecs',
    {
      cluster: CLUSTER,
      service: SERVICE,
      'gate-action': action,
      'service-deployment-arn': from.outputs['service-deployment-arn'],
      'poll-interval-seconds': 1,
      'timeout-seconds': 30,
      ...inputs,
    },
    { env: awsTestEnv(proxy.url), signal: options.signal, timeoutMs: 60_000 },
  );
}

/** Paused at the POST_TEST_TRAFFIC_SHIFT gate (no faults yet). */
async function atTestGate(bakeTimeInMinutes: number): Promise<ActionResult> {
  await blueGreenService({ bakeTimeInMinutes, lifecycleHooks: PAUSE_AT_TEST_GATE });
  const deploy = await deployStep();
  expect(deploy.outputs.status, deploy.stdout).toBe('awaiting-action');
  return deploy;
}

/** A live service deployment with no hook waiting (bake time, 10 s): the deploy step timed out in it. */
async function liveWithoutHook(): Promise<ActionResult> {
  await blueGreenService({ bakeTimeInMinutes: 100 });
  const deploy = await deployStep({ 'gate-stages': 'none', 'timeout-seconds': 3 });
  expect(deploy.outputs.status, deploy.stdout).toBe('timed-out');
  expect(sdState().status).toBe('IN_PROGRESS');
  return deploy;
}

const errorOf = (result: ActionResult): string => result.annotations.find((a) => a.level === 'error')?.message ?? '';
const sdState = () => layer.state().services[0].serviceDeployments[0];
const hookStatus = (): string | undefined => sdState().hooks?.[0]?.status;
const statusTag = async (revision: number): Promise<string | undefined> => (await readRevision(ecs, TD(revision))).tags['gantry:status'];
const forwarded = (operation: string): number => proxy.log().filter((r) => r.operation === operation && r.forwarded).length;

/** Every exit path of a gate step: its outputs name the release, the previous one and the service deployment. */
function expectOutputs(result: ActionResult, from: ActionResult, status: string): void {
  expect(result.outputs).toMatchObject({
    status,
    'task-definition-arn': TD(2),
    'previous-task-definition-arn': TD(1),
    'service-deployment-arn': from.outputs['service-deployment-arn'],
  });
}

describe('gate-action continue: ContinueServiceDeployment CONTINUE through faults', () => {
  it('applied, every answer lost (connection reset): read back, the deployment WAS continued and is watched to deployed', async () => {
    const deploy = await atTestGate(1);
    const gate = await gateStep('continue', deploy, [
      { operation: 'ContinueServiceDeployment', fault: 'reset-after-forward', times: Infinity },
    ]);
    expect(gate.exitCode, gate.stdout).toBe(0);
    expectOutputs(gate, deploy, 'deployed');
    expect(gate.stdout).toMatch(
      /ContinueServiceDeployment CONTINUE on hook hook-\w+ of \S+ failed: .*\. The service deployment WAS continued: hook hook-\w+ is SUCCEEDED/,
    );
    expect(forwarded('ContinueServiceDeployment')).toBeGreaterThanOrEqual(1);
    expect(hookStatus()).toBe('SUCCEEDED');
    expect(sdState().status).toBe('SUCCESSFUL');
    expect(await statusTag(2)).toBe('deployed');
  }, 60_000);

  it('applied, then an HTTP 500 instead of the answer (every SDK retry too): WAS continued, deployed', async () => {
    const deploy = await atTestGate(1);
    const gate = await gateStep('continue', deploy, [
      { operation: 'ContinueServiceDeployment', fault: 'error-after-forward', times: Infinity },
    ]);
    expect(gate.exitCode, gate.stdout).toBe(0);
    expectOutputs(gate, deploy, 'deployed');
    expect(gate.stdout).toMatch(/failed: (ServerException|ConflictException).*\. The service deployment WAS continued/);
    expect(sdState().status).toBe('SUCCESSFUL');
    expect(await statusTag(2)).toBe('deployed');
  }, 60_000);

  it('refused (AccessDenied): the deployment was NOT continued, said so; outputs written, the release tagged failed', async () => {
    const deploy = await atTestGate(1);
    const gate = await gateStep('continue', deploy, [{ operation: 'ContinueServiceDeployment', fault: 'access-denied', times: Infinity }]);
    expect(gate.exitCode).toBe(1);
    expectOutputs(gate, deploy, 'failed');
    expect(errorOf(gate)).toMatch(
      /^GANTRY-DEPLOY-034: Deployment of web:2 to service web failed: ContinueServiceDeployment CONTINUE on hook hook-\w+ of \S+ failed: AccessDeniedException: .*\. The service deployment was NOT continued: hook hook-\w+ is still AWAITING_ACTION, the deployment IN_PROGRESS at POST_TEST_TRAFFIC_SHIFT\./,
    );
    expect(forwarded('ContinueServiceDeployment')).toBe(0);
    expect(hookStatus()).toBe('AWAITING_ACTION');
    expect(sdState().status).toBe('IN_PROGRESS');
    expect(await statusTag(2)).toBe('failed');
  }, 60_000);

  it('applied, then never answered: cut at the deadline, WAS continued, timed-out within timeout-seconds plus one poll, tagged failed', async () => {
    const deploy = await atTestGate(100);
    const gate = await gateStep(
      'continue',
      deploy,
      [{ operation: 'ContinueServiceDeployment', fault: 'hang-after-forward', times: Infinity }],
      {
        'timeout-seconds': TIMEOUT_S,
      },
    );
    expect(gate.exitCode).toBe(1);
    expectOutputs(gate, deploy, 'timed-out');
    expect(errorOf(gate)).toMatch(
      /timed out: ContinueServiceDeployment CONTINUE on hook hook-\w+ of \S+ failed: DeadlineExceeded: ContinueServiceDeployment did not answer before the action's deadline .*\. The service deployment WAS continued: .* Then: service deployment did not finish within 4s/,
    );
    expect(gate.durationMs).toBeLessThan((TIMEOUT_S + 1) * 1000 + 1500);
    expect(hookStatus()).toBe('SUCCEEDED');
    expect(sdState().status).toBe('IN_PROGRESS');
    expect(await statusTag(2)).toBe('failed');
  }, 60_000);

  it('the job cancelled (SIGTERM) while the gate step watches: outputs with status cancelled, the release tagged failed', async () => {
    const deploy = await atTestGate(100);
    const gate = await gateStep('continue', deploy, [], { 'timeout-seconds': 60 }, { signal: { when: /poll 2:/, signal: 'SIGTERM' } });
    expect(gate.exitCode).toBe(1);
    expectOutputs(gate, deploy, 'cancelled');
    expect(gate.stdout).toMatch(/Received SIGTERM \(job cancelled or timed out\): recording what is known before exiting\./);
    expect(errorOf(gate)).toMatch(
      /^GANTRY-DEPLOY-036: Deployment of web:2 to service web was cancelled: SIGTERM before the rollout's verdict: gate-action continue on \S+: the service was told to run .*web:2, unverified/,
    );
    expect(gate.summary).toContain('cancelled before the rollout was judged');
    expect(await statusTag(2)).toBe('failed');
    expect(sdState().status).toBe('IN_PROGRESS');
  }, 60_000);
});

describe('gate-action rollback at a waiting hook: ContinueServiceDeployment ROLLBACK through faults', () => {
  it('applied, every answer lost: read back, WAS rolled back, watched to ROLLBACK_SUCCESSFUL; production back on web:1', async () => {
    const deploy = await atTestGate(1);
    const gate = await gateStep('rollback', deploy, [
      { operation: 'ContinueServiceDeployment', fault: 'reset-after-forward', times: Infinity },
    ]);
    expect(gate.exitCode).toBe(1);
    expectOutputs(gate, deploy, 'failed');
    expect(gate.stdout).toMatch(/Rolling back service deployment \S+ failed: .*\. The service deployment WAS rolled back: it is ROLLBACK_/);
    expect(errorOf(gate)).toMatch(
      /rolled back by gate-action rollback \(ROLLBACK at POST_TEST_TRAFFIC_SHIFT, its answer lost\): traffic is back on .*web:1/,
    );
    expect(sdState().status).toBe('ROLLBACK_SUCCESSFUL');
    expect(layer.traffic(SERVICE).production).toEqual({ [TD(1)]: 100 });
    expect(await statusTag(2)).toBe('failed');
  }, 60_000);

  it('refused (AccessDenied): NOT rolled back, said so with what to do; outputs written', async () => {
    const deploy = await atTestGate(1);
    const gate = await gateStep('rollback', deploy, [{ operation: 'ContinueServiceDeployment', fault: 'access-denied', times: Infinity }]);
    expect(gate.exitCode).toBe(1);
    expectOutputs(gate, deploy, 'failed');
    expect(errorOf(gate)).toMatch(
      /failed: Rolling back service deployment \S+ failed: AccessDeniedException: .*\. The service deployment was NOT rolled back: it is IN_PROGRESS at POST_TEST_TRAFFIC_SHIFT; traffic may still reach .*web:2: run the rollback action\./,
    );
    expect(sdState().status).toBe('IN_PROGRESS');
    expect(hookStatus()).toBe('AWAITING_ACTION');
    expect(await statusTag(2)).toBe('failed');
  }, 60_000);

  it('applied, then never answered: WAS rolled back, within timeout-seconds plus one poll', async () => {
    const deploy = await atTestGate(1);
    const gate = await gateStep(
      'rollback',
      deploy,
      [{ operation: 'ContinueServiceDeployment', fault: 'hang-after-forward', times: Infinity }],
      {
        'timeout-seconds': TIMEOUT_S,
      },
    );
    expect(gate.exitCode).toBe(1);
    expect(['failed', 'timed-out']).toContain(gate.outputs.status);
    expectOutputs(gate, deploy, gate.outputs.status);
    expect(errorOf(gate)).toMatch(/DeadlineExceeded: ContinueServiceDeployment did not answer .*\. The service deployment WAS rolled back/);
    expect(gate.durationMs).toBeLessThan((TIMEOUT_S + 1) * 1000 + 1500);
    expect(sdState().status).toMatch(/^ROLLBACK_/);
    expect(layer.traffic(SERVICE).production).toEqual({ [TD(1)]: 100 });
    expect(await statusTag(2)).toBe('failed');
  }, 60_000);
});

describe('gate-action rollback with no hook waiting: StopServiceDeployment ROLLBACK through faults', () => {
  it('applied, every answer lost: WAS rolled back, watched to ROLLBACK_SUCCESSFUL', async () => {
    const deploy = await liveWithoutHook();
    const gate = await gateStep('rollback', deploy, [
      { operation: 'StopServiceDeployment', fault: 'reset-after-forward', times: Infinity },
    ]);
    expect(gate.exitCode).toBe(1);
    expectOutputs(gate, deploy, 'failed');
    expect(gate.stdout).toMatch(/Rolling back service deployment \S+ failed: .*\. The service deployment WAS rolled back/);
    expect(errorOf(gate)).toMatch(/rolled back by gate-action rollback \(ROLLBACK at \w+, its answer lost\): traffic is back on .*web:1/);
    expect(forwarded('StopServiceDeployment')).toBeGreaterThanOrEqual(1);
    expect(sdState().status).toBe('ROLLBACK_SUCCESSFUL');
    expect(layer.traffic(SERVICE).production).toEqual({ [TD(1)]: 100 });
    expect(await statusTag(2)).toBe('failed');
  }, 60_000);

  it('applied, then an HTTP 500 (every retry too): WAS rolled back', async () => {
    const deploy = await liveWithoutHook();
    const gate = await gateStep('rollback', deploy, [
      { operation: 'StopServiceDeployment', fault: 'error-after-forward', times: Infinity },
    ]);
    expect(gate.exitCode).toBe(1);
    expectOutputs(gate, deploy, 'failed');
    expect(gate.stdout).toMatch(/failed: ServerException: Service unavailable.*\. The service deployment WAS rolled back/);
    expect(sdState().status).toBe('ROLLBACK_SUCCESSFUL');
    expect(await statusTag(2)).toBe('failed');
  }, 60_000);

  it('one HTTP 500 after it was applied: the SDK retry is accepted (a rollback in progress is stopped again harmlessly); rolled back', async () => {
    const deploy = await liveWithoutHook();
    const gate = await gateStep('rollback', deploy, [{ operation: 'StopServiceDeployment', fault: 'error-after-forward', times: 1 }]);
    expect(gate.exitCode).toBe(1);
    expectOutputs(gate, deploy, 'failed');
    expect(errorOf(gate)).toMatch(
      /rolled back by gate-action rollback \(StopServiceDeployment ROLLBACK at \w+\): traffic is back on .*web:1/,
    );
    expect(forwarded('StopServiceDeployment')).toBe(2);
    expect(sdState().status).toBe('ROLLBACK_SUCCESSFUL');
  }, 60_000);

  it('applied, then never answered: WAS rolled back, within timeout-seconds plus one poll', async () => {
    const deploy = await liveWithoutHook();
    const gate = await gateStep(
      'rollback',
      deploy,
      [{ operation: 'StopServiceDeployment', fault: 'hang-after-forward', times: Infinity }],
      {
        'timeout-seconds': TIMEOUT_S,
      },
    );
    expect(gate.exitCode).toBe(1);
    expectOutputs(gate, deploy, gate.outputs.status);
    expect(errorOf(gate)).toMatch(/DeadlineExceeded: StopServiceDeployment did not answer .*\. The service deployment WAS rolled back/);
    expect(gate.durationMs).toBeLessThan((TIMEOUT_S + 1) * 1000 + 1500);
    expect(sdState().status).toMatch(/^ROLLBACK_/);
    expect(await statusTag(2)).toBe('failed');
  }, 60_000);

  it('refused (AccessDenied): NOT rolled back, said so; the deployment goes on', async () => {
    const deploy = await liveWithoutHook();
    const gate = await gateStep('rollback', deploy, [{ operation: 'StopServiceDeployment', fault: 'access-denied', times: Infinity }]);
    expect(gate.exitCode).toBe(1);
    expectOutputs(gate, deploy, 'failed');
    expect(errorOf(gate)).toMatch(
      /Rolling back service deployment \S+ failed: AccessDeniedException: .*\. The service deployment was NOT rolled back: it is IN_PROGRESS at \w+; traffic may still reach .*web:2: run the rollback action\./,
    );
    expect(sdState().status).toBe('IN_PROGRESS');
    expect(await statusTag(2)).toBe('failed');
  }, 60_000);

  it('reading it back fails too: whether it was rolled back is UNKNOWN, said so', async () => {
    const deploy = await liveWithoutHook();
    const gate = await gateStep('rollback', deploy, [
      { operation: 'StopServiceDeployment', fault: 'reset-after-forward', times: Infinity },
      // The first DescribeServiceDeployments is the step's own look before answering; every later one fails.
      { operation: 'DescribeServiceDeployments', fault: 'access-denied', after: 2, times: Infinity },
    ]);
    expect(gate.exitCode).toBe(1);
    expectOutputs(gate, deploy, 'failed');
    expect(errorOf(gate)).toMatch(
      /Rolling back service deployment \S+ failed: .*\. Whether the service deployment was rolled back is UNKNOWN: reading it back failed \(AccessDeniedException: .*\); traffic may still reach .*web:2: run the rollback action\./,
    );
    // What ECS really did: the rollback went through.
    expect(sdState().status).toMatch(/^ROLLBACK_/);
    expect(await statusTag(2)).toBe('failed');
  }, 60_000);
});
