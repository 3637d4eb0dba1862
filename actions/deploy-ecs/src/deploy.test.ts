import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../lib/util/clock';
import { ActionFailure, InputError } from '../../../lib/runner/errors';
import { memoryLogger } from '../../../lib/runner/logger';
import { runnerContext } from '../../../lib/ecs/metadata';
import {
  CLUSTER,
  NEW_ID,
  NEW_TD,
  OLD_TD,
  SERVICE,
  completedService,
  failedService,
  rolledBackService,
  rollingService,
  steadyService,
  stoppedTask,
  throttlingError,
} from '../../../test/deploy-ecs/ecs-fixtures';
import { deploy } from './deploy';
import type { Inputs } from './inputs';
import { failureOf, renderSummary } from './summary';

const ecsMock = mockClient(ECSClient);
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const live = {
  taskDefinition: {
    taskDefinitionArn: OLD_TD,
    revision: 6,
    status: 'ACTIVE' as const,
    family: 'web',
    cpu: '256',
    memory: '512',
    networkMode: 'awsvpc' as const,
    containerDefinitions: [
      { name: 'app', image: 'registry.example.com/shop/web:old', essential: true, environment: [{ name: 'LOG_LEVEL', value: 'info' }] },
    ],
  },
  tags: [
    { key: 'team', value: 'shop' },
    { key: 'gantry:status', value: 'deployed' },
  ],
};

function inputs(overrides: Partial<Inputs> = {}): Inputs {
  return {
    cluster: CLUSTER,
    service: SERVICE,
    images: [{ image: 'registry.example.com/shop/web:a1b2c3d', input: 'image' }],
    'environment-variables': new Map(),
    'git-sha': SHA,
    version: '1.4.0',
    environment: 'staging',
    wait: true,
    'timeout-seconds': 900,
    'poll-interval-seconds': 10,
    'force-new-deployment': false,
    'dry-run': false,
    ...overrides,
  };
}

/** DescribeServices answers: the steady service first (before UpdateService), then `polls`. */
function scenario(before: Service, ...polls: (Service | Error)[]): void {
  let call = 0;
  ecsMock.on(DescribeServicesCommand).callsFake(() => {
    const next = call === 0 ? before : polls[Math.min(call - 1, polls.length - 1)];
    call += 1;
    if (next instanceof Error) throw next;
    return { services: [next] };
  });
}

async function run(overrides: Partial<Inputs> = {}) {
  const log = memoryLogger();
  const clock = new FakeClock(Date.parse('2024-05-01T10:00:00Z'));
  const context = runnerContext({ GITHUB_REPOSITORY: 'acme/shop', GITHUB_RUN_ID: '4242', GITHUB_ACTOR: 'octocat' });
  const result = await deploy(inputs(overrides), { ecs: new ECSClient({ region: 'us-east-1' }), clock, log, context });
  return { result, log, clock };
}

beforeEach(() => {
  ecsMock.reset();
  ecsMock.on(DescribeTaskDefinitionCommand).resolves(live);
  ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: NEW_TD, revision: 7 } });
  ecsMock.on(UpdateServiceCommand).resolves({ service: rollingService() });
  ecsMock.on(TagResourceCommand).resolves({});
});

const statusTags = () =>
  ecsMock.commandCalls(TagResourceCommand).map((c) => c.args[0].input.tags?.find((t) => t.key === 'gantry:status')?.value);

describe('deploy (aws-sdk-client-mock, fake clock)', () => {
  it('IN_PROGRESS → COMPLETED: registers with metadata, updates, waits, tags deployed', async () => {
    scenario(steadyService(), rollingService(), rollingService({ runningCount: 1, pendingCount: 1 }), completedService());
    const { result, log } = await run();
    expect(result).toMatchObject({
      status: 'deployed',
      taskDefinitionArn: NEW_TD,
      previousTaskDefinitionArn: OLD_TD,
      revision: 7,
      deploymentId: NEW_ID,
      registered: true,
      waited: true,
    });
    expect(result.rollout).toMatchObject({ polls: 3, describeCalls: 3, elapsedMs: 20_000 });
    const registered = ecsMock.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input;
    expect(registered.containerDefinitions?.[0].image).toBe('registry.example.com/shop/web:a1b2c3d');
    expect(registered.tags).toEqual(
      expect.arrayContaining([
        { key: 'team', value: 'shop' },
        { key: 'gantry:git-sha', value: SHA },
        { key: 'gantry:previous', value: OLD_TD },
        { key: 'gantry:run-url', value: 'https://github.com/acme/shop/actions/runs/4242' },
        { key: 'gantry:deployed-at', value: '2024-05-01T10:00:00.000Z' },
        { key: 'gantry:status', value: 'pending' },
      ]),
    );
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({
      cluster: CLUSTER,
      service: SERVICE,
      taskDefinition: NEW_TD,
      forceNewDeployment: false,
    });
    expect(statusTags()).toEqual(['deployed']);
    expect(log.warnings).toEqual([]);
    const summary = renderSummary(inputs(), result);
    expect(summary).toContain('web:6 → web:7');
    expect(summary).toContain('✅ deployed');
  });

  it('IN_PROGRESS → FAILED: fails at the first poll showing FAILED, says why, tags failed', async () => {
    scenario(steadyService(), rollingService(), rollingService({ failedTasks: 2 }), failedService(4), rolledBackService());
    ecsMock.on(ListTasksCommand).resolves({ taskArns: ['arn:aws:ecs:us-east-1:123456789012:task/shop/aaa'] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [stoppedTask('aaa')] });
    const { result } = await run();
    expect(result.status).toBe('failed');
    expect(result.rollout?.polls).toBe(3);
    expect(statusTags()).toEqual(['failed']);
    const failure = failureOf(result);
    expect(failure).toBeInstanceOf(ActionFailure);
    expect(failure.message).toMatch(
      /Deployment of web:7 to service web failed: deployment .* FAILED \(ECS deployment circuit breaker: tasks failed to start\.\)/,
    );
    expect(failure.message).toContain(
      'Stopped tasks: 1× EssentialContainerExited: Essential container in task exited; app exit 1: Error: DATABASE_URL is not set',
    );
    expect(renderSummary(inputs(), result)).toContain('DATABASE_URL is not set');
  });

  it('circuit-breaker rollback: fails at the first poll where our deployment is replaced', async () => {
    scenario(steadyService(), rollingService(), rolledBackService(), steadyService());
    const { result } = await run();
    expect(result).toMatchObject({ status: 'failed', rollout: { polls: 2, elapsedMs: 10_000 } });
    expect(result.reason).toMatch(/gone from the service.*circuit breaker rolled back/);
  });

  it('throttling on several polls is survived', async () => {
    scenario(steadyService(), throttlingError(), rollingService(), throttlingError(), throttlingError(), completedService());
    const { result, log } = await run();
    expect(result.status).toBe('deployed');
    expect(log.warnings.filter((w) => w.includes('ThrottlingException'))).toHaveLength(3);
  });

  it('times out at the deadline and tags failed', async () => {
    scenario(steadyService(), rollingService());
    const { result, clock } = await run({ 'timeout-seconds': 60, 'poll-interval-seconds': 20 });
    expect(result.status).toBe('timed-out');
    expect(result.rollout?.describeCalls).toBe(4);
    expect(clock.now() - Date.parse('2024-05-01T10:00:00Z')).toBe(60_000);
    expect(statusTags()).toEqual(['failed']);
    expect(failureOf(result).message).toMatch(/timed out: rollout did not finish within 1m 00s/);
  });

  it('refuses a CODE_DEPLOY service before changing anything', async () => {
    scenario(steadyService({ deploymentController: { type: 'CODE_DEPLOY' } }));
    await expect(run()).rejects.toThrow(/CODE_DEPLOY deployment controller, which gantry does not support/);
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('warns when the circuit breaker is disabled', async () => {
    scenario(steadyService({ deploymentConfiguration: {} }), completedService());
    const { log } = await run();
    expect(log.warnings[0]).toMatch(/circuit breaker disabled/);
  });

  it('an unknown container fails before anything is registered', async () => {
    scenario(steadyService());
    await expect(run({ images: [{ image: 'r/web:1', container: 'api', input: 'image' }] })).rejects.toThrow(InputError);
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  it('promotion (task-definition-arn) registers nothing and deploys that revision', async () => {
    scenario(steadyService(), completedService());
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolves({ taskDefinition: { ...live.taskDefinition, taskDefinitionArn: NEW_TD, revision: 7 } });
    const { result } = await run({ images: [], 'task-definition-arn': 'web:7' });
    expect(result).toMatchObject({ status: 'deployed', taskDefinitionArn: NEW_TD, revision: 7, registered: false });
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input.taskDefinition).toBe(NEW_TD);
  });

  it('a promotion of a revision that does not exist names the input', async () => {
    scenario(steadyService());
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .rejects(Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' }));
    await expect(run({ images: [], 'task-definition-arn': 'web:99' })).rejects.toThrow(
      /^Input 'task-definition-arn' has value 'web:99': expected an existing task definition revision/,
    );
  });

  it('dry-run prints the diff and changes nothing', async () => {
    scenario(steadyService());
    const { result, log } = await run({ 'dry-run': true, 'environment-variables': new Map([['FEATURE', 'on']]) });
    expect(result.status).toBe('dry-run');
    expect(result.diff).toEqual(
      expect.arrayContaining([
        '~ containerDefinitions[app].image: "registry.example.com/shop/web:old" → "registry.example.com/shop/web:a1b2c3d"',
        '+ containerDefinitions[app].environment[FEATURE]: (value not shown)',
        '~ tags[gantry:status]: "deployed" → "pending"',
      ]),
    );
    expect(log.text()).toContain('Dry run: nothing registered, service not updated.');
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(TagResourceCommand)).toHaveLength(0);
  });

  it('wait: false returns after UpdateService without polling', async () => {
    scenario(steadyService());
    const { result } = await run({ wait: false });
    expect(result).toMatchObject({ status: 'deployed', deploymentId: NEW_ID, waited: false });
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(1);
    expect(statusTags()).toEqual([]);
  });

  it('the same revision without force: watches the PRIMARY deployment that already runs it', async () => {
    const already = completedService();
    scenario(already, already);
    ecsMock.on(UpdateServiceCommand).resolves({ service: already });
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolves({ taskDefinition: { ...live.taskDefinition, taskDefinitionArn: NEW_TD, revision: 7 } });
    const { result } = await run({ images: [], 'task-definition-arn': NEW_TD });
    expect(result).toMatchObject({ status: 'deployed', deploymentId: NEW_ID });
  });

  it('fails clearly when ECS started no deployment of the revision', async () => {
    scenario(steadyService(), steadyService());
    ecsMock.on(UpdateServiceCommand).resolves({ service: steadyService() });
    const { result } = await run();
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/ECS started no deployment of .*web:7/);
  });
});

describe('deploy when UpdateService fails', () => {
  it('reads the service back: not changed → failed with the outputs, the revision tagged failed', async () => {
    scenario(steadyService(), steadyService());
    ecsMock.on(UpdateServiceCommand).rejects(Object.assign(new Error('TaskDefinition is inactive'), { name: 'InvalidParameterException' }));
    const { result } = await run();
    expect(result).toMatchObject({ status: 'failed', taskDefinitionArn: NEW_TD, previousTaskDefinitionArn: OLD_TD });
    expect(result.reason).toMatch(
      /^UpdateService of web to .*web:7 failed: InvalidParameterException: TaskDefinition is inactive\. The service was NOT changed: it still runs .*web:6\.$/,
    );
    expect(statusTags()).toEqual(['failed']);
  });

  it('reads the service back: the update was applied (lost answer) → watches the rollout', async () => {
    scenario(steadyService(), rollingService(), completedService());
    ecsMock.on(UpdateServiceCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' }));
    const { result, log } = await run();
    expect(result).toMatchObject({ status: 'deployed', taskDefinitionArn: NEW_TD, previousTaskDefinitionArn: OLD_TD });
    expect(log.text()).toMatch(/The service WAS changed: it now runs .*web:7\. The update was applied: watching its rollout\./);
    expect(statusTags()).toEqual(['deployed']);
  });

  it('reads the service back: unreadable → failed, says the outcome is unknown', async () => {
    const expired = Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException' });
    scenario(steadyService(), expired);
    ecsMock.on(UpdateServiceCommand).rejects(expired);
    const { result } = await run();
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(
      /Whether the service was changed is UNKNOWN: reading it back failed \(ExpiredTokenException: .*\); it may run .*web:7\./,
    );
    expect(result.previousTaskDefinitionArn).toBe(OLD_TD);
  });
});
