import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  StopServiceDeploymentCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  type Deployment,
  type Service,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../lib/util/clock';
import { ActionFailure } from '../../../lib/runner/errors';
import { memoryLogger } from '../../../lib/runner/logger';
import type { Inputs } from './inputs';
import { rollback } from './rollback';
import { failureOf, renderSummary } from './summary';
import { parseTarget } from './target';

const ecsMock = mockClient(ECSClient);
const td = (n: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${n}`;
const SD_ARN = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/shop/web/sd4';

/** Tags per revision: web:2 and web:3 deployed, web:4 just registered by a deploy still rolling out. */
const TAGS: Record<number, Record<string, string>> = {
  1: { 'gantry:status': 'deployed', 'gantry:git-sha': '1'.repeat(40) },
  2: {
    'gantry:status': 'deployed',
    'gantry:git-sha': '2'.repeat(40),
    'gantry:version': '1.2.0',
    'gantry:previous': td(1),
    'gantry:deployed-at': '2024-05-01T09:00:00.000Z',
  },
  3: {
    'gantry:status': 'deployed',
    'gantry:git-sha': '3'.repeat(40),
    'gantry:version': '1.3.0',
    'gantry:previous': td(2),
    'gantry:deployed-at': '2024-05-02T09:00:00.000Z',
  },
  4: { 'gantry:status': 'pending', 'gantry:git-sha': '4'.repeat(40), 'gantry:version': '1.4.0', 'gantry:previous': td(3) },
};

const deployment = (id: string, rev: number, overrides: Partial<Deployment> = {}): Deployment => ({
  id,
  status: 'PRIMARY',
  taskDefinition: td(rev),
  desiredCount: 2,
  runningCount: 0,
  pendingCount: 2,
  failedTasks: 0,
  rolloutState: 'IN_PROGRESS',
  ...overrides,
});
const service = (rev: number, deployments: Deployment[], extra: Partial<Service> = {}): Service => ({
  serviceName: 'web',
  serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/shop/web',
  status: 'ACTIVE',
  taskDefinition: td(rev),
  desiredCount: 2,
  deploymentController: { type: 'ECS' },
  deployments,
  events: [{ id: 'e0', message: 'old event', createdAt: new Date(0) }],
  ...extra,
});
const steady = (rev: number, id = `d${rev}`): Service =>
  service(rev, [deployment(id, rev, { runningCount: 2, pendingCount: 0, rolloutState: 'COMPLETED' })]);
/** web:4 rolling out over web:3, as ECS shows it mid-deployment. */
const deploying4 = (): Service =>
  service(
    4,
    [deployment('d4', 4), deployment('d3', 3, { status: 'ACTIVE', runningCount: 2, pendingCount: 0, rolloutState: 'COMPLETED' })],
    { currentServiceDeployment: SD_ARN },
  );

/** DescribeServices answers in order; the last one repeats. */
function describeScript(...answers: Service[]): void {
  let call = 0;
  ecsMock.on(DescribeServicesCommand).callsFake(() => ({ services: [answers[Math.min(call++, answers.length - 1)]] }));
}

function inputs(overrides: Partial<Inputs> = {}): Inputs {
  return {
    cluster: 'shop',
    service: 'web',
    target: { kind: 'previous' },
    'target-input': 'previous',
    reason: 'smoke test failed: GET /health → 500',
    wait: true,
    'timeout-seconds': 900,
    'poll-interval-seconds': 10,
    'dry-run': false,
    ...overrides,
  };
}

async function run(overrides: Partial<Inputs> = {}) {
  const log = memoryLogger();
  const clock = new FakeClock(Date.parse('2024-05-03T10:00:00Z'));
  const result = await rollback(inputs(overrides), { ecs: new ECSClient({ region: 'us-east-1' }), clock, log });
  return { result, log, clock };
}

const tagCalls = () =>
  ecsMock.commandCalls(TagResourceCommand).map((c) => ({
    arn: c.args[0].input.resourceArn,
    tags: Object.fromEntries((c.args[0].input.tags ?? []).map((t) => [t.key, t.value])),
  }));

beforeEach(() => {
  ecsMock.reset();
  ecsMock.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => {
    const rev = Number(input.taskDefinition.split(':').pop());
    if (!TAGS[rev]) throw Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' });
    return {
      taskDefinition: { taskDefinitionArn: td(rev), family: 'web', revision: rev, status: 'ACTIVE' },
      tags: Object.entries(TAGS[rev]).map(([key, value]) => ({ key, value })),
    };
  });
  ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [4, 3, 2, 1].map(td) });
  ecsMock.on(TagResourceCommand).resolves({});
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
  ecsMock.on(DescribeTasksCommand).resolves({ tasks: [] });
});

describe('rollback during an in-progress deployment', () => {
  it("uses ECS's own rollback (StopServiceDeployment, ROLLBACK) when it lands on the target", async () => {
    ecsMock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: SD_ARN, status: 'IN_PROGRESS' }] });
    ecsMock.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: SD_ARN });
    const rolling = service(3, [
      deployment('d5', 3),
      deployment('d4', 4, { status: 'ACTIVE', rolloutState: 'FAILED' }),
      deployment('d3', 3, { status: 'ACTIVE', runningCount: 2, pendingCount: 0 }),
    ]);
    describeScript(deploying4(), rolling, rolling, steady(3, 'd5'));
    const { result, log, clock } = await run();

    expect(result).toMatchObject({
      status: 'rolled-back',
      method: 'StopServiceDeployment',
      deploymentId: 'd5',
      serviceDeploymentArn: SD_ARN,
      liveArn: td(3),
    });
    expect(result.from.arn).toBe(td(4));
    expect(result.to.arn).toBe(td(3));
    expect(ecsMock.commandCalls(StopServiceDeploymentCommand)[0].args[0].input).toEqual({
      serviceDeploymentArn: SD_ARN,
      stopType: 'ROLLBACK',
    });
    expect(ecsMock.commandCalls(ListServiceDeploymentsCommand)[0].args[0].input).toMatchObject({
      cluster: 'shop',
      service: 'web',
      status: ['IN_PROGRESS'],
    });
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(tagCalls()).toEqual([
      { arn: td(4), tags: { 'gantry:status': 'rolled-back', 'gantry:rollback-reason': 'smoke test failed: GET /health 500' } },
    ]);
    expect(result.rollout).toMatchObject({ status: 'completed', polls: 2 });
    expect(clock.now() - Date.parse('2024-05-03T10:00:00Z')).toBe(10_000);
    expect(log.warnings).toEqual([]);
    expect(log.text()).toContain('StopServiceDeployment (ROLLBACK)');
    // Plain words, not the status value ("Rollback rolled-back after …").
    expect(log.text()).toMatch(/^Rolled back after 10s: /m);
    expect(log.text()).not.toContain('Rollback rolled-back');
  });

  it('falls back to UpdateService when ECS refuses StopServiceDeployment, and says so', async () => {
    ecsMock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: SD_ARN, status: 'IN_PROGRESS' }] });
    ecsMock
      .on(StopServiceDeploymentCommand)
      .rejects(Object.assign(new Error('This operation is not supported for this service.'), { name: 'UnsupportedFeatureException' }));
    const rolling = service(3, [deployment('d6', 3), deployment('d4', 4, { status: 'ACTIVE' })]);
    ecsMock.on(UpdateServiceCommand).resolves({ service: rolling });
    describeScript(deploying4(), rolling, steady(3, 'd6'));
    const { result, log } = await run();
    expect(result).toMatchObject({ status: 'rolled-back', method: 'UpdateService', deploymentId: 'd6' });
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({ cluster: 'shop', service: 'web', taskDefinition: td(3) });
    expect(log.warnings.join('\n')).toMatch(
      /ECS's own rollback is not available here \(UnsupportedFeatureException: .*\); using UpdateService to web:3 instead/,
    );
  });

  it('uses UpdateService when the target is further back than what ECS would return to', async () => {
    TAGS[3]['gantry:status'] = 'failed';
    try {
      const rolling = service(2, [
        deployment('d7', 2),
        deployment('d4', 4, { status: 'ACTIVE' }),
        deployment('d3', 3, { status: 'ACTIVE' }),
      ]);
      ecsMock.on(UpdateServiceCommand).resolves({ service: rolling });
      describeScript(deploying4(), rolling, steady(2, 'd7'));
      const { result } = await run();
      expect(result).toMatchObject({ status: 'rolled-back', method: 'UpdateService', deploymentId: 'd7' });
      expect(result.to.arn).toBe(td(2));
      expect(ecsMock.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
      expect(ecsMock.commandCalls(ListServiceDeploymentsCommand)).toHaveLength(0);
    } finally {
      TAGS[3]['gantry:status'] = 'deployed';
    }
  });
});

describe('the rollback itself failing', () => {
  it('is reported at the first poll that shows it; the target is marked failed, the from revision the service runs again keeps its status', async () => {
    const started = service(2, [
      deployment('d8', 2),
      deployment('d3', 3, { status: 'ACTIVE', runningCount: 2, pendingCount: 0, rolloutState: 'COMPLETED' }),
    ]);
    const failing = service(2, [deployment('d8', 2, { failedTasks: 2 }), deployment('d3', 3, { status: 'ACTIVE', runningCount: 2 })], {
      events: [{ id: 'e1', message: '(service web) (deployment d8) 2 tasks failed to start', createdAt: new Date(1) }],
    });
    const failed = service(2, [
      deployment('d8', 2, {
        failedTasks: 4,
        rolloutState: 'FAILED',
        rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
      }),
      deployment('d3', 3, { status: 'ACTIVE', runningCount: 2 }),
    ]);
    ecsMock.on(UpdateServiceCommand).resolves({ service: started });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: ['arn:aws:ecs:us-east-1:123456789012:task/shop/t1'] });
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/shop/t1',
          taskDefinitionArn: td(2),
          stopCode: 'EssentialContainerExited',
          stoppedReason: 'Essential container in task exited',
          containers: [{ name: 'app', exitCode: 1 }],
        },
      ],
    });
    // steady on web:3 → polls: rolling, failing, FAILED (decisive), then ECS's breaker back on web:3 (never reached by the poll loop).
    describeScript(steady(3), started, failing, failed, steady(3, 'd9'));
    const { result, clock } = await run();

    expect(result.status).toBe('failed');
    expect(result.rollout).toMatchObject({ status: 'failed', polls: 3, describeCalls: 3, elapsedMs: 20_000 });
    expect(result.failure).toMatch(/deployment d8 FAILED \(ECS deployment circuit breaker: tasks failed to start\.\)/);
    expect(clock.sleeps).toEqual([10_000, 10_000]);
    // 1 before, 3 polls, 1 to read what is live afterwards.
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(5);
    expect(result.liveArn).toBe(td(3));
    // web:3 runs again (the circuit breaker took the service back): never tagged rolled-back.
    expect(tagCalls().map((t) => [t.arn, t.tags['gantry:status']])).toEqual([[td(2), 'failed']]);
    const failure = failureOf(result);
    expect(failure).toBeInstanceOf(ActionFailure);
    expect(failure.message).toMatch(/^Rollback of service web from web:3 to web:2 failed: deployment d8 FAILED/);
    expect(failure.message).toContain('Stopped tasks: 1× EssentialContainerExited: Essential container in task exited; app exit 1');
    expect(failure.details.join('\n')).toContain('t1 (EssentialContainerExited): Essential container in task exited; app exit 1');
    const summary = renderSummary(result);
    expect(summary).toContain('❌ rollback failed');
    expect(summary).toContain('2 tasks failed to start');
  });

  it('times out with what it saw last', async () => {
    const started = service(2, [deployment('d8', 2), deployment('d3', 3, { status: 'ACTIVE' })]);
    ecsMock.on(UpdateServiceCommand).resolves({ service: started });
    describeScript(steady(3), started);
    const { result } = await run({ 'timeout-seconds': 30 });
    expect(result.status).toBe('timed-out');
    expect(result.rollout).toMatchObject({ polls: 4, elapsedMs: 30_000 });
    expect(failureOf(result).message).toMatch(/timed out: rollout did not finish within 30s/);
  });
});

describe('nothing changes', () => {
  it('noop when the target is the current revision', async () => {
    describeScript(steady(3));
    const { result, log } = await run({ target: parseTarget('revision:3'), 'target-input': 'revision:3' });
    expect(result).toMatchObject({ status: 'noop', liveArn: td(3) });
    expect(log.text()).toMatch(/Nothing to do: the service already runs web:3/);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(TagResourceCommand)).toHaveLength(0);
    expect(renderSummary(result)).toContain('nothing to do');
  });

  it('dry run: resolves and prints, writes nothing', async () => {
    describeScript(deploying4());
    const { result, log } = await run({ 'dry-run': true });
    expect(result).toMatchObject({ status: 'dry-run', method: 'StopServiceDeployment', liveArn: td(4) });
    expect(result.to.arn).toBe(td(3));
    expect(log.text()).toMatch(/Would: StopServiceDeployment \(ROLLBACK\)/);
    expect(log.text()).toMatch(/Would: Tag web:4 gantry:status=rolled-back/);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(ListServiceDeploymentsCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(TagResourceCommand)).toHaveLength(0);
    const summary = renderSummary(result);
    expect(summary).toContain('### What would change');
    expect(summary).toMatch(/\| Version \| 1\.4\.0 \| 1\.3\.0 \|/);
    expect(summary).toMatch(/\| Deployed at \| — \| 2024-05-02T09:00:00\.000Z \|/);
  });

  it('wait: false starts the rollback and reports started', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({ service: service(2, [deployment('d8', 2), deployment('d3', 3, { status: 'ACTIVE' })]) });
    describeScript(steady(3));
    const { result } = await run({ wait: false });
    expect(result).toMatchObject({ status: 'started', deploymentId: 'd8', liveArn: td(2) });
    expect(result.rollout).toBeUndefined();
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(1);
  });
});

describe('the switch itself failing', () => {
  it('an answer lost after the switch was applied: read back, watched, rolled back', async () => {
    // web:4 steady; previous → web:3. UpdateService's answer is lost, the read-back shows the new deployment.
    TAGS[4]['gantry:status'] = 'failed';
    try {
      ecsMock.on(UpdateServiceCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' }));
      const switched = service(3, [
        deployment('d9', 3),
        deployment('d4', 4, { status: 'ACTIVE', runningCount: 2, pendingCount: 0, rolloutState: 'COMPLETED' }),
      ]);
      describeScript(steady(4), switched, switched, steady(3, 'd9'));
      const { result, log } = await run();
      expect(result).toMatchObject({ status: 'rolled-back', deploymentId: 'd9', liveArn: td(3) });
      expect(log.text()).toMatch(
        /starting the rollback failed: TimeoutError: socket hang up\. The service WAS changed: it now runs .*web:3\. The switch was applied: watching its rollout\./,
      );
      expect(tagCalls().map((t) => [t.arn, t.tags['gantry:status']])).toEqual([[td(4), 'rolled-back']]);
    } finally {
      TAGS[4]['gantry:status'] = 'pending';
    }
  });

  it('refused: the service was NOT changed, no tag written', async () => {
    TAGS[4]['gantry:status'] = 'failed';
    try {
      ecsMock
        .on(UpdateServiceCommand)
        .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
      describeScript(steady(4));
      const { result } = await run();
      expect(result).toMatchObject({ status: 'failed', liveArn: td(4) });
      expect(result.failure).toMatch(
        /^starting the rollback failed: AccessDeniedException: not authorized \(HTTP 400\)\. The service was NOT changed: it still runs .*web:4\.$/,
      );
      expect(tagCalls()).toEqual([]);
    } finally {
      TAGS[4]['gantry:status'] = 'pending';
    }
  });
});

describe("ECS's own rollback onto the target still in progress", () => {
  it('is watched to its end (noop when it completes), not reported noop at once', async () => {
    // The circuit breaker rolls web:4 back to web:3: the service already asks for web:3, deployment d7 IN_PROGRESS.
    const rollingBack = service(3, [
      deployment('d7', 3),
      deployment('d4', 4, { status: 'ACTIVE', rolloutState: 'FAILED', runningCount: 0, pendingCount: 0 }),
    ]);
    describeScript(rollingBack, rollingBack, steady(3, 'd7'));
    const { result, log } = await run({ target: parseTarget('revision:3'), 'target-input': 'revision:3' });
    expect(result).toMatchObject({ status: 'noop', deploymentId: 'd7', liveArn: td(3) });
    expect(result.rollout).toMatchObject({ status: 'completed', polls: 2 });
    expect(log.text()).toMatch(/still IN_PROGRESS: watching it to its end/);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(tagCalls()).toEqual([]);
  });
});
