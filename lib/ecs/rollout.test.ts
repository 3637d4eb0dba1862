import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, type Service } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CLUSTER,
  NEW_ID,
  NEW_TD,
  OLD_ID,
  OLD_TD,
  ROLLBACK_ID,
  SERVICE,
  completedService,
  deployment,
  event,
  failedService,
  rolledBackService,
  rollingService,
  service,
  steadyService,
  stoppedTask,
  throttlingError,
} from '../../test/deploy-ecs/ecs-fixtures';
import { FakeClock } from '../util/clock';
import {
  evaluateRollout,
  findNewDeployment,
  formatStoppedTask,
  summarizeStoppedTasks,
  waitForRollout,
  type RolloutDecision,
} from './rollout';
import { memoryLogger } from '../runner/logger';

const ours = { deploymentId: NEW_ID, taskDefinitionArn: NEW_TD };

describe('evaluateRollout', () => {
  const table: [string, Service, RolloutDecision['state'], RegExp][] = [
    ['just started', rollingService(), 'in-progress', /IN_PROGRESS/],
    ['half the tasks running', rollingService({ runningCount: 1, pendingCount: 1 }), 'in-progress', /IN_PROGRESS/],
    ['COMPLETED with all tasks running', completedService(), 'completed', /COMPLETED/],
    [
      'COMPLETED but not all running yet',
      service([deployment({ rolloutState: 'COMPLETED', runningCount: 1, pendingCount: 1 })]),
      'in-progress',
      /1 of 2/,
    ],
    ['FAILED (circuit breaker)', failedService(), 'failed', /FAILED \(ECS deployment circuit breaker: tasks failed to start\.\)/],
    [
      'FAILED while the rollback is PRIMARY',
      service(
        [
          deployment({ id: ROLLBACK_ID, taskDefinition: OLD_TD }),
          deployment({ status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start' }),
        ],
        { taskDefinition: OLD_TD },
      ),
      'failed',
      /FAILED.*rolled back/,
    ],
    ['replaced: gone, rollback PRIMARY', rolledBackService(), 'failed', new RegExp(`gone.*PRIMARY is now ${ROLLBACK_ID}.*rolled back`)],
    [
      'no longer PRIMARY, still IN_PROGRESS',
      service([deployment({ id: ROLLBACK_ID, taskDefinition: OLD_TD }), deployment({ status: 'ACTIVE' })]),
      'failed',
      /no longer PRIMARY \(now ACTIVE\)/,
    ],
    ['service task definition switched away', service([deployment({})], { taskDefinition: OLD_TD }), 'failed', /no longer .*web:7/],
    [
      'someone else deployed a newer revision',
      service([
        deployment({ id: 'ecs-svc/9', taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8' }),
        deployment({ status: 'ACTIVE' }),
      ]),
      'failed',
      /no longer PRIMARY/,
    ],
    ['service deleted', rollingService({}, { status: 'DRAINING' }), 'failed', /DRAINING/],
    [
      'no rolloutState (classic LB), steady',
      service([deployment({ rolloutState: undefined, runningCount: 2, pendingCount: 0 })]),
      'completed',
      /only one/,
    ],
    [
      'no rolloutState, old deployment still there',
      service([
        deployment({ rolloutState: undefined, runningCount: 2, pendingCount: 0 }),
        deployment({ id: OLD_ID, status: 'ACTIVE', taskDefinition: OLD_TD }),
      ]),
      'in-progress',
      /rolling out/,
    ],
    [
      'scaled to zero',
      service([deployment({ desiredCount: 0, runningCount: 0, pendingCount: 0, rolloutState: 'COMPLETED' })]),
      'completed',
      /COMPLETED/,
    ],
  ];
  it.each(table)('%s → %s', (_name, snapshot, state, reason) => {
    const decision = evaluateRollout(snapshot, ours);
    expect(decision.state).toBe(state);
    expect(decision.reason).toMatch(reason);
  });

  it('reports counts of our deployment, not of the service', () => {
    const decision = evaluateRollout(rollingService({ runningCount: 1, pendingCount: 1, failedTasks: 2 }), ours);
    expect(decision).toMatchObject({ running: 1, pending: 1, desired: 2, failedTasks: 2 });
    expect(decision.deployment?.id).toBe(NEW_ID);
  });
});

describe('findNewDeployment', () => {
  it('finds the PRIMARY deployment of our task definition that was not there before', () => {
    expect(findNewDeployment(rollingService(), NEW_TD, new Set([OLD_ID]))?.id).toBe(NEW_ID);
  });
  it('ignores deployments seen before and other task definitions', () => {
    expect(findNewDeployment(rollingService(), NEW_TD, new Set([OLD_ID, NEW_ID]))).toBeUndefined();
    expect(findNewDeployment(steadyService(), NEW_TD, new Set())).toBeUndefined();
  });
});

describe('waitForRollout (aws-sdk-client-mock, fake clock)', () => {
  const ecsMock = mockClient(ECSClient);
  beforeEach(() => ecsMock.reset());

  function sequence(...snapshots: (Service | Error)[]): void {
    let call = 0;
    ecsMock.on(DescribeServicesCommand).callsFake(() => {
      const next = snapshots[Math.min(call, snapshots.length - 1)];
      call += 1;
      if (next instanceof Error) throw next;
      return { services: [next], failures: [] };
    });
  }

  async function wait(options: { intervalMs?: number; timeoutMs?: number } = {}) {
    const log = memoryLogger();
    const clock = new FakeClock();
    const outcome = await waitForRollout({
      ecs: new ECSClient({ region: 'us-east-1' }),
      cluster: CLUSTER,
      service: SERVICE,
      deploymentId: NEW_ID,
      taskDefinitionArn: NEW_TD,
      intervalMs: options.intervalMs ?? 10_000,
      timeoutMs: options.timeoutMs ?? 900_000,
      clock,
      log,
    });
    return { outcome, log, clock };
  }

  it('IN_PROGRESS → COMPLETED: success at the poll that shows it, one DescribeServices per interval', async () => {
    sequence(rollingService(), rollingService({ runningCount: 1, pendingCount: 1 }), completedService());
    const { outcome, log, clock } = await wait();
    expect(outcome).toMatchObject({ status: 'completed', polls: 3, describeCalls: 3, elapsedMs: 20_000 });
    expect(clock.sleeps).toEqual([10_000, 10_000]);
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(3);
    expect(log.lines.filter((l) => /poll \d+: running/.test(l))).toEqual([
      '[0s] poll 1: running 0/2, pending 2, failed tasks 0 · IN_PROGRESS',
      '[10s] poll 2: running 1/2, pending 1, failed tasks 0 · IN_PROGRESS',
      '[20s] poll 3: running 2/2, pending 0, failed tasks 0 · COMPLETED',
    ]);
  });

  it('IN_PROGRESS → FAILED: failure at the first poll that shows FAILED, with the stopped tasks', async () => {
    sequence(rollingService(), rollingService({ failedTasks: 2 }), failedService(4), rolledBackService());
    ecsMock
      .on(ListTasksCommand)
      .resolves({ taskArns: ['arn:aws:ecs:us-east-1:123456789012:task/shop/aaa', 'arn:aws:ecs:us-east-1:123456789012:task/shop/bbb'] });
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [
        stoppedTask('aaa'),
        stoppedTask('bbb', {
          stopCode: 'TaskFailedToStart',
          stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
          containers: [{ name: 'app', reason: 'CannotPullContainerError' }],
        }),
      ],
    });
    const { outcome, log } = await wait();
    expect(outcome.status).toBe('failed');
    expect(outcome.polls).toBe(3);
    expect(outcome.describeCalls).toBe(3);
    expect(outcome.reason).toMatch(/FAILED \(ECS deployment circuit breaker/);
    expect(outcome.stoppedTasks.map((t) => t.taskArn.split('/').pop())).toEqual(['aaa', 'bbb']);
    expect(log.text()).toContain(
      'stopped task: aaa (EssentialContainerExited): Essential container in task exited; app exit 1: Error: DATABASE_URL is not set',
    );
    expect(log.text()).toContain('CannotPullContainerError: pull image manifest');
    // Each stopped task is printed once, although failedTasks grew again.
    expect(log.lines.filter((l) => l.includes('stopped task: aaa'))).toHaveLength(1);
    expect(ecsMock.commandCalls(ListTasksCommand)[0].args[0].input).toMatchObject({
      cluster: CLUSTER,
      serviceName: SERVICE,
      desiredStatus: 'STOPPED',
    });
  });

  it('stopped tasks of the old revision (the rolling update) do not crowd out the failing ones', async () => {
    sequence(rollingService(), failedService(2));
    const oldIds = Array.from({ length: 30 }, (_, i) => `old${i}`);
    const arn = (id: string) => `arn:aws:ecs:us-east-1:123456789012:task/shop/${id}`;
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [...oldIds, 'new1', 'new2'].map(arn) });
    ecsMock.on(DescribeTasksCommand).callsFake(({ tasks }: { tasks: string[] }) => ({
      tasks: tasks.map((t) => {
        const id = t.split('/').pop() ?? t;
        return id.startsWith('old')
          ? stoppedTask(id, {
              taskDefinitionArn: OLD_TD,
              stopCode: 'ServiceSchedulerInitiated',
              stoppedReason: 'Scaling activity initiated by deployment',
            })
          : stoppedTask(id);
      }),
    }));
    const { outcome, log } = await wait();
    expect(outcome.status).toBe('failed');
    expect(outcome.stoppedTasks.map((t) => t.taskArn.split('/').pop()).sort()).toEqual(['new1', 'new2']);
    expect(log.text()).not.toContain('Scaling activity initiated by deployment');
    expect(ecsMock.commandCalls(DescribeTasksCommand)[0].args[0].input.tasks).toHaveLength(32);
  });

  it('circuit-breaker rollback (our deployment replaced) is a failure at the first poll that shows it', async () => {
    sequence(rollingService(), rolledBackService(), completedService());
    const { outcome } = await wait();
    expect(outcome).toMatchObject({ status: 'failed', polls: 2, describeCalls: 2, elapsedMs: 10_000 });
    expect(outcome.reason).toMatch(/gone from the service.*rolled back/);
  });

  it('throttling on several polls is survived, each retried at the next poll', async () => {
    sequence(throttlingError(), rollingService(), throttlingError(), throttlingError(), completedService());
    const { outcome, log } = await wait();
    expect(outcome).toMatchObject({ status: 'completed', polls: 5, describeCalls: 5 });
    expect(log.warnings.filter((w) => /ThrottlingException/.test(w))).toHaveLength(3);
  });

  it("the action's deadline cutting off the last poll keeps the error AWS gave before it as the last error", async () => {
    const cutOff = Object.assign(new Error("DescribeServices did not answer before the action's deadline"), { name: 'DeadlineExceeded' });
    sequence(throttlingError(), throttlingError(), cutOff);
    const { outcome } = await wait({ intervalMs: 10_000, timeoutMs: 30_000 });
    expect(outcome.status).toBe('timed-out');
    expect(outcome.reason).toMatch(
      /no successful DescribeServices \(last error: ThrottlingException.*; then the deadline cut off a poll\)$/,
    );
  });

  it('a deadline cut-off with no AWS error before it is named as such', async () => {
    const cutOff = Object.assign(new Error("DescribeServices did not answer before the action's deadline"), { name: 'DeadlineExceeded' });
    sequence(cutOff);
    const { outcome } = await wait({ intervalMs: 10_000, timeoutMs: 30_000 });
    expect(outcome.reason).toMatch(
      /no successful DescribeServices \(last error: DeadlineExceeded: DescribeServices did not answer before the action's deadline\)$/,
    );
  });

  it('a non-transient error does not end the wait: retried at the next poll, named in the timeout', async () => {
    const denied = Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' });
    sequence(rollingService({ runningCount: 1, pendingCount: 1 }), denied);
    const { outcome, clock } = await wait({ intervalMs: 10_000, timeoutMs: 30_000 });
    expect(outcome.status).toBe('timed-out');
    expect(outcome.reason).toMatch(
      /did not finish within 30s; last seen: running 1\/2.*; the polls after that failed \(last error: AccessDeniedException: User is not authorized\)$/,
    );
    expect(outcome.describeCalls).toBe(4);
    expect(clock.now()).toBe(30_000);
  });

  it('a non-transient error then a verdict: the verdict stands', async () => {
    sequence(Object.assign(new SyntaxError('Unexpected end of JSON input')), completedService());
    const { outcome } = await wait();
    expect(outcome.status).toBe('completed');
    expect(outcome.describeCalls).toBe(2);
  });

  it('times out at the deadline with what it saw last', async () => {
    sequence(rollingService({ runningCount: 1, pendingCount: 1 }));
    const { outcome, clock } = await wait({ intervalMs: 10_000, timeoutMs: 35_000 });
    expect(outcome.status).toBe('timed-out');
    expect(outcome.reason).toMatch(/did not finish within 35s; last seen: running 1\/2/);
    expect(clock.now()).toBe(35_000);
    expect(outcome.describeCalls).toBe(5);
  });

  it('prints each new service event once, oldest first, and skips events known before', async () => {
    const known = event('(service web) has reached a steady state.');
    const started = event('(service web) has started 2 tasks: (task aaa) (task bbb).');
    const done = event('(service web) has reached a steady state.');
    const first = rollingService({}, { events: [started, known] });
    const last = { ...completedService(), events: [done, started, known] };
    sequence(first, last);
    const log = memoryLogger();
    const outcome = await waitForRollout({
      ecs: new ECSClient({ region: 'us-east-1' }),
      cluster: CLUSTER,
      service: SERVICE,
      deploymentId: NEW_ID,
      taskDefinitionArn: NEW_TD,
      intervalMs: 10_000,
      timeoutMs: 60_000,
      clock: new FakeClock(),
      log,
      knownEventIds: [known.id as string],
    });
    const printed = log.lines.filter((l) => l.startsWith('  event:'));
    expect(printed).toEqual([
      '  event: 10:00:30 (service web) has started 2 tasks: (task aaa) (task bbb).',
      '  event: 10:00:30 (service web) has reached a steady state.',
    ]);
    expect(outcome.lastEvents).toHaveLength(2);
  });

  it('a missing service fails the wait', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: SERVICE, reason: 'MISSING' }] });
    const { outcome } = await wait();
    expect(outcome).toMatchObject({ status: 'failed', polls: 1 });
    expect(outcome.reason).toMatch(/not found.*MISSING/);
  });

  it('stopped-task diagnostics failing never changes the verdict', async () => {
    sequence(failedService());
    ecsMock.on(ListTasksCommand).rejects(throttlingError());
    const { outcome, log } = await wait();
    expect(outcome.status).toBe('failed');
    expect(log.warnings.join('\n')).toMatch(/Could not fetch stopped tasks/);
  });
});

describe('formatStoppedTask', () => {
  it('names the task, the stop code, the reason and each container that exited', () => {
    expect(
      formatStoppedTask({
        taskArn: 'arn:aws:ecs:us-east-1:1:task/c/abc',
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'ResourceInitializationError',
        containers: [{ name: 'app', exitCode: 137, reason: 'OutOfMemoryError' }, { name: 'log' }],
      }),
    ).toBe('abc (TaskFailedToStart): ResourceInitializationError; app exit 137: OutOfMemoryError');
  });
});

describe('summarizeStoppedTasks', () => {
  it('groups tasks that stopped for the same reason', () => {
    const task = (id: string, exitCode: number) => ({
      taskArn: `arn:aws:ecs:us-east-1:1:task/c/${id}`,
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: 'app', exitCode }],
    });
    expect(summarizeStoppedTasks([task('a', 1), task('b', 1), task('c', 137)])).toEqual([
      '2× EssentialContainerExited: Essential container in task exited; app exit 1',
      '1× EssentialContainerExited: Essential container in task exited; app exit 137',
    ]);
  });
});
