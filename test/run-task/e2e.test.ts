/**
 * End to end: the bundled action (actions/run-task/dist/index.js) run by the runner harness against
 * moto_server behind the rollout layer, which runs the one-off task over time and writes its log
 * lines into moto's CloudWatch Logs. Outputs are read back from GITHUB_OUTPUT, the task's fate from
 * the layer's state.
 */
import { describe, expect, it } from 'vitest';
import { useEcsEmulator } from '../support/ecs-emulator';
import { runAction, type ActionResult } from '../support/harness';
import { CLUSTER, DB_PASSWORD, SERVICE, createMigrationService } from './moto-setup';

let taskDefinition: string;
const aws = useEcsEmulator({
  fresh: true,
  each: async (aws) => {
    taskDefinition = await createMigrationService(aws.ecs, aws.layer.url);
    aws.layer.settle();
  },
});

const migrate = (inputs: Record<string, string | number> = {}): Promise<ActionResult> =>
  runAction(
    'run-task',
    {
      cluster: CLUSTER,
      'task-definition-arn': taskDefinition,
      service: SERVICE,
      command: 'npm run migrate',
      'poll-interval-seconds': 1,
      ...inputs,
    },
    { env: aws.env() },
  );

const errorOf = (result: ActionResult) => result.annotations.find((a) => a.level === 'error')?.message ?? '';
const warningsOf = (result: ActionResult) => result.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
const logLines = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('  app | '));

describe('run-task bundle end to end (moto + rollout layer)', () => {
  it('a migration that exits 0: succeeded, its log lines printed as they arrive, the service network borrowed', async () => {
    aws.layer.setTaskScenario({ ticks: 3, logs: ['Applying 0041_create_orders', 'Applying 0042_add_index', 'migrations done'] });
    const result = await migrate();
    expect(result.exitCode, result.stdout).toBe(0);
    const [task] = aws.layer.state().tasks;
    expect(result.outputs).toEqual({
      'task-arn': task.taskArn,
      status: 'succeeded',
      'exit-code': '0',
      'stop-code': 'EssentialContainerExited',
      // What it resolved: the task's only container, the command as the JSON array ECS got.
      container: 'app',
      command: '["npm","run","migrate"]',
    });
    expect(task).toMatchObject({
      lastStatus: 'STOPPED',
      command: ['npm', 'run', 'migrate'],
      startedBy: 'gantry/run-task/4242',
      stoppedByStopTask: false,
      ticks: 3,
    });
    expect(aws.layer.state().calls.RunTask).toBe(1);
    expect(aws.layer.state().calls.StopTask).toBeUndefined();
    // The first half arrives while RUNNING (poll 1), the rest when it stops (poll 3): printed in order, once each.
    expect(logLines(result.stdout)).toEqual([
      '  app | Applying 0041_create_orders',
      '  app | Applying 0042_add_index',
      '  app | migrations done',
    ]);
    const stdout = result.stdout;
    expect(stdout.indexOf('app | Applying 0042_add_index')).toBeLessThan(stdout.indexOf('poll 3: STOPPED'));
    expect(stdout).toMatch(/on FARGATE, subnets subnet-[0-9a-f]+, started by gantry\/run-task\/4242/);
    expect(result.summary).toContain('## run-task: ✅ succeeded');
    expect(result.summary).toContain('migrations done');
    expect(warningsOf(result)).toEqual([]);
  });

  it("a migration that exits 1: failed, the container's last lines in the log, the error and the summary", async () => {
    aws.layer.setTaskScenario({
      exitCode: 1,
      logs: ['Applying 0042_add_index', 'ERROR: relation "orders" does not exist', 'migration failed'],
    });
    const result = await migrate({ 'log-lines': 2 });
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ status: 'failed', 'exit-code': '1', 'stop-code': 'EssentialContainerExited' });
    expect(errorOf(result)).toMatch(/^GANTRY-RUNTASK-027: Task [\w-]+ from web:1 failed: essential container app exited with code 1/);
    expect(errorOf(result)).toContain('Last log lines: app | ERROR: relation "orders" does not exist | app | migration failed');
    expect(logLines(result.stdout)).toContain('  app | ERROR: relation "orders" does not exist');
    expect(result.summary).toContain('## run-task: ❌ failed');
    expect(result.summary).toContain('### Last 2 log lines');
    expect(result.summary).toContain('app | ERROR: relation "orders" does not exist\napp | migration failed');
    expect(result.summary).not.toContain('Applying 0042_add_index');
  });

  it('a task that never stops: timed out at the deadline and stopped by gantry (StopTask)', async () => {
    aws.layer.setTaskScenario({ kind: 'hang', logs: ['waiting for advisory lock 42'] });
    const result = await migrate({ 'timeout-seconds': 3 });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('timed-out');
    const state = aws.layer.state();
    expect(state.calls.StopTask).toBe(1);
    expect(state.tasks[0]).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedByStopTask: true });
    expect(state.tasks[0].stoppedReason).toMatch(
      /^gantry run-task: not STOPPED within 3s \(https:\/\/github.com\/acme\/shop\/actions\/runs\/4242\)/,
    );
    expect(errorOf(result)).toMatch(/did not stop within 3s \(last seen RUNNING\); gantry stopped it \(StopTask\)/);
    expect(errorOf(result)).toContain('app | waiting for advisory lock 42');
    // The deadline plus one poll, plus the bundle's start: never the scenario's "forever".
    expect(result.durationMs).toBeLessThan(3_000 + 1_000 + 5_000);
    expect(result.summary).toContain('gantry (StopTask at the deadline)');
  });

  it('a task that fails to start: failed with its stop code and reason, no exit code', async () => {
    aws.layer.setTaskScenario({ kind: 'fail-to-start' });
    const result = await migrate();
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ status: 'failed', 'stop-code': 'TaskFailedToStart' });
    expect(result.outputs['exit-code']).toBeUndefined();
    expect(errorOf(result)).toMatch(/the task stopped with TaskFailedToStart: CannotPullContainerError/);
    expect(errorOf(result)).toMatch(/essential container app has no exit code \(CannotPullContainerError/);
  });

  it('no logs:GetLogEvents: one warning naming the permission, the verdict unchanged', async () => {
    aws.layer.setScenario({ deny: 'logs:GetLogEvents' });
    aws.layer.setTaskScenario({ logs: ['secret stuff nobody may read'] });
    const ok = await migrate();
    expect(ok.exitCode, ok.stdout).toBe(0);
    expect(ok.outputs.status).toBe('succeeded');
    expect(warningsOf(ok)).toHaveLength(1);
    expect(warningsOf(ok)[0]).toMatch(/the role lacks logs:GetLogEvents on log group \/ecs\/shop \(AccessDeniedException: .*\)/);
    expect(ok.stdout).not.toContain('secret stuff');
    expect(ok.summary).toContain('the role lacks logs:GetLogEvents');
    // Reading stops at the first refusal: no refused call per poll.
    expect(aws.layer.state().calls['Logs_20140328.GetLogEvents']).toBe(1);

    aws.layer.setTaskScenario({ exitCode: 3 });
    const failed = await migrate();
    expect(failed.outputs).toMatchObject({ status: 'failed', 'exit-code': '3' });
    expect(errorOf(failed)).toMatch(/exited with code 3/);
  });

  it('secrets in the log lines are redacted in the log and the summary', async () => {
    aws.layer.setTaskScenario({
      exitCode: 2,
      logs: [`connecting with password ${DB_PASSWORD}`, 'DATABASE_URL=postgres://shop:hunter2-secret@db:5432/shop failed'],
    });
    const result = await migrate();
    expect(result.outputs.status).toBe('failed');
    const shown = [result.summary, ...result.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'))].join('\n');
    expect(shown).toContain('connecting with password ***');
    expect(shown).toContain('postgres://shop:***@db:5432/shop');
    expect(shown).not.toContain(DB_PASSWORD);
    expect(shown).not.toContain('hunter2-secret');
    expect(result.stdout).toContain(`::add-mask::${DB_PASSWORD}`);
  });
});
