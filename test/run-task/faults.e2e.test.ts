/**
 * The run-task bundle driven through faults injected between it and AWS (moto + the rollout layer,
 * test/support/fault-proxy.ts in front), on the two calls that change something: RunTask (a task
 * may have started although its answer never came) and StopTask at the deadline (the task may or may
 * not have stopped). Whatever breaks, the step says what is true — the task found by its run token
 * and watched, or an UNKNOWN outcome, never "not started" for a task that runs; and after the
 * deadline whether the task was stopped (the `stopped-by-gantry` output and the message) — and the
 * layer's own state (the tasks it holds, StopTask applied or not) is the judge.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy, type FaultRule } from '../support/fault-proxy';
import { runAction, type ActionResult } from '../support/harness';
import { awsTestEnv, ecsClientFor, startMoto, type MotoServer } from '../support/moto';
import { startRolloutLayer, type RolloutLayer } from '../support/rollout-layer';
import { CLUSTER, SERVICE, createMigrationService } from './moto-setup';

/** timeout-seconds of the cases that run into the deadline; the others get 20 s, far more than they need. */
const TIMEOUT_S = 4;

let moto: MotoServer;
let layer: RolloutLayer;
let proxy: FaultProxy;
let ecs: ECSClient;
let taskDefinition: string;

beforeAll(async () => {
  moto = await startMoto();
  layer = await startRolloutLayer({ motoUrl: moto.url });
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
  taskDefinition = await createMigrationService(ecs, layer.url);
  layer.settle();
});

function migrateThrough(faults: FaultRule[], inputs: Record<string, string | number> = {}): Promise<ActionResult> {
  for (const fault of faults) proxy.addFault(fault);
  return runAction(
    'run-task',
    {
      cluster: CLUSTER,
      'task-definition-arn': taskDefinition,
      service: SERVICE,
      command: 'npm run migrate',
      'poll-interval-seconds': 1,
      'timeout-seconds': 20,
      ...inputs,
    },
    { env: awsTestEnv(proxy.url), timeoutMs: 60_000 },
  );
}

/** The step's failure: the last error annotation (an error logged on the way comes before it). */
const errorOf = (result: ActionResult): string => result.annotations.filter((a) => a.level === 'error').at(-1)?.message ?? '';
const errorsOf = (result: ActionResult): string[] => result.annotations.filter((a) => a.level === 'error').map((a) => a.message);
const runTaskCalls = (): number => proxy.log().filter((r) => r.operation === 'RunTask').length;
/** The deadline plus one poll, plus the bundle's start on a loaded machine. */
const withinDeadline = (result: ActionResult): void => expect(result.durationMs).toBeLessThan((TIMEOUT_S + 1) * 1000 + 2500);

describe('faults on RunTask: a task that started is found, never reported as not started', () => {
  it('one answer lost (connection reset after ECS started it): the SDK retry with the same clientToken gets that task; one task, watched', async () => {
    layer.setTaskScenario({ logs: ['Applying 0042_add_index', 'migrations done'] });
    const result = await migrateThrough([{ operation: 'RunTask', fault: 'reset-after-forward' }]);
    expect(result.exitCode, result.stdout).toBe(0);
    const { tasks } = layer.state();
    expect(tasks).toHaveLength(1);
    expect(runTaskCalls()).toBe(2);
    expect(result.outputs).toMatchObject({ 'task-arn': tasks[0].taskArn, status: 'succeeded', 'exit-code': '0' });
    expect(tasks[0]).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited' });
  });

  it('every answer lost: the task is found by its run token (ListTasks by started-by, then its tag) and watched to its verdict', async () => {
    layer.setTaskScenario({ exitCode: 1, logs: ['ERROR: relation "orders" does not exist'] });
    const result = await migrateThrough([{ operation: 'RunTask', fault: 'reset-after-forward', times: Infinity }]);
    const { tasks } = layer.state();
    expect(tasks, 'the retries started no second task').toHaveLength(1);
    expect(result.stdout).toMatch(
      /RunTask failed \(.*\): looking for the task by its run token gantry:run-token=[0-9a-f-]{36} \(started by gantry\/run-task\/4242\)/,
    );
    expect(result.stdout).toContain(`Found task ${tasks[0].taskArn.split('/').pop()} by its run token: RunTask had started it.`);
    // Watched like any other: its exit code is the verdict.
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ 'task-arn': tasks[0].taskArn, status: 'failed', 'exit-code': '1' });
    expect(errorOf(result)).toMatch(/failed: essential container app exited with code 1/);
    expect(errorOf(result)).toContain('ERROR: relation "orders" does not exist');
    expect(result.summary).toMatch(/RunTask's answer was lost .*; task found by its run token/);
  });

  it('applied, then never answered until the deadline: found by its run token after it, stopped (StopTask), timed out', async () => {
    layer.setTaskScenario({ kind: 'hang', logs: ['waiting for advisory lock 42'] });
    const result = await migrateThrough([{ operation: 'RunTask', fault: 'hang-after-forward', times: Infinity }], {
      'timeout-seconds': TIMEOUT_S,
    });
    const { tasks } = layer.state();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedByStopTask: true });
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ 'task-arn': tasks[0].taskArn, status: 'timed-out', 'stopped-by-gantry': 'true' });
    expect(result.stdout).toMatch(/RunTask failed \(DeadlineExceeded: RunTask did not answer before the action's deadline/);
    expect(errorOf(result)).toMatch(/did not stop within 4s .*; gantry stopped it \(StopTask\)/);
    withinDeadline(result);
  });

  it('never answered and never reached ECS: no task anywhere, and the step says UNKNOWN — not "not started"', async () => {
    const result = await migrateThrough([{ operation: 'RunTask', fault: 'hang', times: Infinity }], { 'timeout-seconds': TIMEOUT_S });
    expect(layer.state().tasks).toEqual([]);
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toEqual({ status: 'unknown', container: 'app', command: '["npm","run","migrate"]' });
    expect(errorOf(result)).toMatch(
      /^GANTRY-RUNTASK-029: RunTask of web:1 in cluster shop: outcome UNKNOWN — DeadlineExceeded: RunTask did not answer before the action's deadline .*; no task with run token gantry:run-token=[0-9a-f-]{36} found \(ListTasks --started-by gantry\/run-task\/4242\)\. ECS may still have started it: aws ecs list-tasks --cluster shop --started-by gantry\/run-task\/4242/,
    );
    expect(errorOf(result)).not.toMatch(/not started|no task was started/i);
    expect(result.summary).toContain('## run-task: ❓ unknown');
    withinDeadline(result);
  });

  it('refused (AccessDenied, one attempt answered by ECS): no task, the error as ECS gave it, nothing to look for', async () => {
    const result = await migrateThrough([{ operation: 'RunTask', fault: 'access-denied', times: Infinity }]);
    expect(layer.state().tasks).toEqual([]);
    expect(runTaskCalls()).toBe(1);
    expect(result.exitCode).toBe(1);
    expect(errorOf(result)).toMatch(/^GANTRY-AWS-001: AccessDeniedException: /);
    expect(result.outputs).toEqual({});
    expect(proxy.calls('ListTasks')).toBe(0);
  });
});

describe('faults on StopTask at the deadline: the outputs and the message say whether the task stopped', () => {
  const hang = (): void => layer.setTaskScenario({ kind: 'hang', logs: ['waiting for advisory lock 42'] });

  it('refused (AccessDenied): read back still RUNNING — stopped-by-gantry false, "still runs: stop it by hand"', async () => {
    hang();
    const result = await migrateThrough([{ operation: 'StopTask', fault: 'access-denied', times: Infinity }], {
      'timeout-seconds': TIMEOUT_S,
    });
    const [task] = layer.state().tasks;
    expect(task).toMatchObject({ lastStatus: 'RUNNING', stoppedByStopTask: false });
    expect(result.outputs).toMatchObject({ 'task-arn': task.taskArn, status: 'timed-out', 'stopped-by-gantry': 'false' });
    expect(errorOf(result)).toMatch(
      new RegExp(
        `did not stop within 4s \\(last seen RUNNING\\); StopTask failed \\(AccessDeniedException: .*\\) and the task still runs \\(read back: RUNNING\\): stop it by hand: aws ecs stop-task --cluster shop --task ${task.taskArn}`,
      ),
    );
    expect(result.summary).toContain('not stopped: StopTask failed');
    expect(errorsOf(result)[0]).toMatch(
      /^Could not stop task [\w-]+: AccessDeniedException: .*\. It still runs \(read back: RUNNING\)\. Stop it by hand: /,
    );
    withinDeadline(result);
  });

  it('applied, the answer lost every time: read back desired STOPPED — stopped-by-gantry true', async () => {
    hang();
    const result = await migrateThrough([{ operation: 'StopTask', fault: 'reset-after-forward', times: Infinity }], {
      'timeout-seconds': TIMEOUT_S,
    });
    const [task] = layer.state().tasks;
    expect(task).toMatchObject({ lastStatus: 'STOPPED', stoppedByStopTask: true });
    expect(result.outputs).toMatchObject({ status: 'timed-out', 'stopped-by-gantry': 'true' });
    expect(errorOf(result)).toMatch(/; StopTask's answer was lost \(.*\), but the task is stopped \(read back: STOPPED\)/);
    expect(errorsOf(result).join('\n')).not.toContain('Could not stop');
    withinDeadline(result);
  });

  it('applied, never answered: the same, within the deadline plus one poll', async () => {
    hang();
    const result = await migrateThrough([{ operation: 'StopTask', fault: 'hang-after-forward', times: Infinity }], {
      'timeout-seconds': TIMEOUT_S,
    });
    expect(layer.state().tasks[0]).toMatchObject({ lastStatus: 'STOPPED', stoppedByStopTask: true });
    expect(result.outputs).toMatchObject({ status: 'timed-out', 'stopped-by-gantry': 'true' });
    expect(errorOf(result)).toMatch(/; StopTask's answer was lost \(.*\), but the task is stopped \(read back: STOPPED\)/);
    withinDeadline(result);
  });

  it('neither StopTask nor the read-back answers: stopped-by-gantry unknown, and the message says so', async () => {
    hang();
    const result = await migrateThrough(
      [
        { operation: 'StopTask', fault: 'hang', times: Infinity },
        // Every DescribeTasks from the deadline on (the polls before it answer).
        { operation: 'DescribeTasks', fault: 'hang', after: TIMEOUT_S, times: Infinity },
      ],
      { 'timeout-seconds': TIMEOUT_S },
    );
    const [task] = layer.state().tasks;
    expect(task).toMatchObject({ lastStatus: 'RUNNING', stoppedByStopTask: false });
    expect(result.outputs).toMatchObject({ 'task-arn': task.taskArn, status: 'timed-out', 'stopped-by-gantry': 'unknown' });
    expect(errorOf(result)).toMatch(
      /; StopTask failed \(.*\) and the task could not be read back \(.*\): whether it still runs is UNKNOWN — check: aws ecs describe-tasks --cluster shop --tasks \S+ and stop it by hand/,
    );
    expect(errorsOf(result)[0]).toMatch(
      /^Could not stop task [\w-]+: .*, and could not read it back \(.*\)\. Whether it still runs is UNKNOWN/,
    );
    expect(result.summary).toContain('unknown: StopTask failed and the task could not be read back');
    withinDeadline(result);
  });
});
