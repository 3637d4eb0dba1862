import { describe, expect, it } from 'vitest';
import { TaskRuns, type LogEvent } from './rollout-tasks';

const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/shop/abc123';
const taskDefinition = {
  family: 'web',
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:3',
  containerDefinitions: [
    {
      name: 'app',
      image: 'r/web:1',
      essential: true,
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/shop', 'awslogs-stream-prefix': 'web' } },
    },
    { name: 'sidecar', image: 'r/proxy:1', essential: false },
  ],
};
const request = { overrides: { containerOverrides: [{ name: 'app', command: ['npm', 'run', 'migrate'] }] } };

function runs() {
  const written: { group: string; stream: string; events: LogEvent[] }[] = [];
  const store = new TaskRuns(async (group, stream, events) => void written.push({ group, stream, events }));
  return { store, written };
}

describe('TaskRuns (one-off tasks of the rollout layer)', () => {
  it('PROVISIONING → RUNNING (first half of the lines) → STOPPED with the exit code (the rest), one step per DescribeTasks', async () => {
    const { store, written } = runs();
    store.setScenario({ exitCode: 1, ticks: 2, logs: ['a', 'b', 'c'] });
    store.started(request, [{ taskArn: TASK, taskDefinitionArn: taskDefinition.taskDefinitionArn }], taskDefinition);
    const task = store.find('abc123');
    if (!task) throw new Error('task not adopted');
    expect(store.render(task)).toMatchObject({ lastStatus: 'PROVISIONING' });
    await store.tick([task]);
    expect(store.render(task)).toMatchObject({ lastStatus: 'RUNNING' });
    expect(written).toEqual([
      {
        group: '/ecs/shop',
        stream: 'web/app/abc123',
        events: [expect.objectContaining({ message: 'a' }), expect.objectContaining({ message: 'b' })],
      },
    ]);
    await store.tick([task]);
    expect(store.render(task)).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      containers: [expect.objectContaining({ name: 'app', exitCode: 1 }), expect.objectContaining({ name: 'sidecar', exitCode: 0 })],
    });
    expect(written[1].events.map((e) => e.message)).toEqual(['c']);
    expect(store.snapshot()[0]).toMatchObject({ command: ['npm', 'run', 'migrate'], exitCode: 1, ticks: 2 });
  });

  it('hang runs until StopTask (UserInitiated, exit 143); fail-to-start stops at once without exit codes', async () => {
    const { store } = runs();
    store.setScenario({ kind: 'hang' });
    store.started(request, [{ taskArn: TASK }], taskDefinition);
    const task = store.find(TASK);
    if (!task) throw new Error('task not adopted');
    for (let i = 0; i < 5; i += 1) await store.tick([task]);
    expect(store.render(task).lastStatus).toBe('RUNNING');
    store.stopTask(task, 'deadline');
    expect(store.render(task)).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      stoppedReason: 'deadline',
      containers: [expect.objectContaining({ exitCode: 143 }), expect.anything()],
    });

    store.setScenario({ kind: 'fail-to-start', family: 'web' });
    store.started(request, [{ taskArn: `${TASK}2` }], taskDefinition);
    const failing = store.find(`${TASK}2`);
    if (!failing) throw new Error('task not adopted');
    await store.tick([failing]);
    const rendered = store.render(failing) as { stopCode: string; containers: Record<string, unknown>[] };
    expect(rendered.stopCode).toBe('TaskFailedToStart');
    expect(rendered.containers[0].exitCode).toBeUndefined();
  });

  it("remembers each RunTask's clientToken: a retry with it gets the same tasks (ECS's idempotency)", () => {
    const { store } = runs();
    expect(store.startedWith('token-1')).toBeUndefined();
    store.started({ ...request, clientToken: 'token-1' }, [{ taskArn: TASK }], taskDefinition);
    expect(store.startedWith('token-1')?.map((t) => t.arn)).toEqual([TASK]);
    expect(store.startedWith('token-2')).toBeUndefined();
    expect(store.startedWith(undefined)).toBeUndefined();
    store.reset();
    expect(store.startedWith('token-1')).toBeUndefined();
  });

  it('refuses a malformed scenario', () => {
    expect(() => runs().store.setScenario({ kind: 'explode' as never })).toThrow(/task scenario kind must be one of/);
    expect(() => runs().store.setScenario({ exitCode: -1 })).toThrow(/non-negative integer/);
  });
});
