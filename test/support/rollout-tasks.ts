/**
 * One-off tasks (RunTask) for the rollout layer. moto registers a RunTask and returns a task, but
 * runs nothing: its task never starts, never writes a log line and never stops. Here each task
 * started through the layer moves PROVISIONING → RUNNING → STOPPED, one step per DescribeTasks
 * that includes it (as rollouts advance one step per DescribeServices), writes its container's
 * log lines into moto's CloudWatch Logs at the stream the awslogs driver would use
 * (`<awslogs-stream-prefix>/<container>/<task id>`), and stops with the exit code its scenario
 * gives. StopTask stops it at once (stop code UserInitiated, exit code 143: SIGTERM).
 * A RunTask whose `clientToken` was seen before starts nothing and answers with the tasks that
 * token started, as ECS does (moto ignores the token: an SDK retry would start a second task).
 *
 * Scenario precedence: the newest matching `setTaskScenario` rule, else `exit` with code 0.
 *   exit           RUNNING at the first poll, STOPPED (EssentialContainerExited) at poll `ticks` (default 2)
 *   hang           RUNNING from the first poll until StopTask
 *   fail-to-start  STOPPED (TaskFailedToStart, CannotPullContainerError) at the first poll, no exit code, no logs
 */
type Json = Record<string, unknown>;

export type TaskScenarioKind = 'exit' | 'hang' | 'fail-to-start';
export const TASK_SCENARIO_KINDS: readonly TaskScenarioKind[] = ['exit', 'hang', 'fail-to-start'];

export interface TaskScenarioRequest {
  kind?: TaskScenarioKind;
  /** Exit code of the container that runs the command (exit; default 0). */
  exitCode?: number;
  /** DescribeTasks polls until STOPPED (exit; default 2, at least 1). */
  ticks?: number;
  /** Lines the container writes: the first half when it starts RUNNING, the rest when it stops. */
  logs?: string[];
  /** Only tasks of this task definition family. */
  family?: string;
}

export interface LogEvent {
  timestamp: number;
  message: string;
}
export type LogWriter = (group: string, stream: string, events: LogEvent[]) => Promise<void>;

export interface OneOffTaskSnapshot {
  taskArn: string;
  taskDefinitionArn: string;
  lastStatus: string;
  desiredStatus: string;
  stopCode?: string;
  stoppedReason?: string;
  exitCode?: number;
  command?: string[];
  startedBy?: string;
  ticks: number;
  stoppedByStopTask: boolean;
  logStream?: string;
}

interface ContainerLog {
  name: string;
  group?: string;
  prefix?: string;
  essential: boolean;
}

interface OneOffTask {
  moto: Json;
  arn: string;
  taskDefinitionArn: string;
  family: string;
  /** Every container of the task definition (moto's task holds only the first, with exit code 0). */
  containers: { name: string; image: string }[];
  container: string;
  command?: string[];
  logsOf?: ContainerLog;
  kind: TaskScenarioKind;
  exitCode: number;
  stopAt: number;
  lines: string[];
  written: number;
  lastStatus: 'PROVISIONING' | 'RUNNING' | 'STOPPED';
  desiredStatus: 'RUNNING' | 'STOPPED';
  ticks: number;
  createdAt: Date;
  startedAt?: Date;
  stoppedAt?: Date;
  stopCode?: string;
  stoppedReason?: string;
  containerExit?: number;
  containerReason?: string;
  stoppedByStopTask: boolean;
}

const lastSegment = (arn: string): string => arn.split('/').pop() ?? arn;
const epoch = (date: Date | undefined): number | undefined => (date ? date.getTime() / 1000 : undefined);

export function validateTaskScenario(s: TaskScenarioRequest): void {
  if (s.kind !== undefined && !TASK_SCENARIO_KINDS.includes(s.kind)) {
    throw new Error(`task scenario kind must be one of ${TASK_SCENARIO_KINDS.join(', ')}; got ${JSON.stringify(s.kind)}`);
  }
  for (const field of ['exitCode', 'ticks'] as const) {
    const value = s[field];
    if (value !== undefined && (!Number.isInteger(value) || value < 0))
      throw new Error(`task scenario ${field} must be a non-negative integer; got ${JSON.stringify(value)}`);
  }
  if (s.logs !== undefined && (!Array.isArray(s.logs) || !s.logs.every((l) => typeof l === 'string')))
    throw new Error('task scenario logs must be an array of strings');
}

export class TaskRuns {
  private rules: TaskScenarioRequest[] = [];
  private tasks = new Map<string, OneOffTask>();
  /** clientToken → the task ARNs the RunTask with that token started. */
  private tokens = new Map<string, string[]>();

  constructor(private readonly writeLogs: LogWriter) {}

  reset(): void {
    this.rules = [];
    this.tasks.clear();
    this.tokens.clear();
  }

  /** The tasks an earlier RunTask with this clientToken started (undefined: a new token). */
  startedWith(clientToken: unknown): OneOffTask[] | undefined {
    if (typeof clientToken !== 'string' || clientToken === '') return undefined;
    return this.tokens.get(clientToken)?.map((arn) => this.tasks.get(arn) as OneOffTask);
  }

  setScenario(scenario: TaskScenarioRequest): void {
    validateTaskScenario(scenario);
    this.rules.push({ ...scenario });
  }

  scenarios(): TaskScenarioRequest[] {
    return this.rules.map((r) => ({ ...r }));
  }

  find(ref: string): OneOffTask | undefined {
    return this.tasks.get(ref) ?? [...this.tasks.values()].find((t) => t.arn.endsWith(`/${ref}`));
  }

  /** Adopt the tasks moto returned for a RunTask request; `taskDefinition` is moto's DescribeTaskDefinition answer. */
  started(request: Json, motoTasks: Json[], taskDefinition: Json): void {
    const family = String(taskDefinition.family ?? '');
    const containers = (Array.isArray(taskDefinition.containerDefinitions) ? taskDefinition.containerDefinitions : []) as Json[];
    const overrides = ((request.overrides as Json | undefined)?.containerOverrides ?? []) as Json[];
    const overridden = overrides.find((o) => Array.isArray(o.command));
    const essential = containers.find((c) => c.essential !== false) ?? containers[0];
    const container = String(overridden?.name ?? essential?.name ?? '');
    const definition = containers.find((c) => c.name === container);
    const logConfiguration = definition?.logConfiguration as Json | undefined;
    const options = (logConfiguration?.options ?? {}) as Record<string, string>;
    const rule = [...this.rules].reverse().find((r) => !r.family || r.family === family);
    const kind = rule?.kind ?? 'exit';
    const command = overridden ? (overridden.command as string[]) : undefined;
    const exitCode = rule?.exitCode ?? 0;
    const lines = rule?.logs ?? defaultLines(command, kind, exitCode);
    if (typeof request.clientToken === 'string' && request.clientToken !== '')
      this.tokens.set(
        request.clientToken,
        motoTasks.map((t) => String(t.taskArn)),
      );
    for (const moto of motoTasks) {
      const arn = String(moto.taskArn);
      this.tasks.set(arn, {
        moto,
        arn,
        taskDefinitionArn: String(moto.taskDefinitionArn ?? taskDefinition.taskDefinitionArn),
        family,
        containers: containers.map((c) => ({ name: String(c.name), image: String(c.image ?? '') })),
        container,
        command,
        logsOf:
          logConfiguration?.logDriver === 'awslogs'
            ? {
                name: container,
                group: options['awslogs-group'],
                prefix: options['awslogs-stream-prefix'],
                essential: definition?.essential !== false,
              }
            : undefined,
        kind,
        exitCode,
        stopAt: Math.max(1, rule?.ticks ?? 2),
        lines,
        written: 0,
        lastStatus: 'PROVISIONING',
        desiredStatus: 'RUNNING',
        ticks: 0,
        createdAt: new Date(),
        stoppedByStopTask: false,
      });
    }
  }

  /** One DescribeTasks poll of these tasks: advance each, writing the log lines due. */
  async tick(tasks: OneOffTask[]): Promise<void> {
    for (const task of tasks) {
      if (task.lastStatus === 'STOPPED') continue;
      task.ticks += 1;
      const now = new Date();
      if (task.kind === 'fail-to-start') {
        this.stop(
          task,
          now,
          'TaskFailedToStart',
          'CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref: not found',
          undefined,
          'CannotPullContainerError: failed to resolve ref: not found',
        );
        continue;
      }
      if (task.lastStatus === 'PROVISIONING') {
        task.lastStatus = 'RUNNING';
        task.startedAt = now;
        await this.write(task, Math.ceil(task.lines.length / 2));
      }
      if (task.kind === 'exit' && task.ticks >= task.stopAt) {
        await this.write(task, task.lines.length);
        this.stop(task, now, 'EssentialContainerExited', 'Essential container in task exited', task.exitCode, undefined);
      }
    }
  }

  stopTask(task: OneOffTask, reason: string): void {
    if (task.lastStatus === 'STOPPED') return;
    task.stoppedByStopTask = true;
    this.stop(task, new Date(), 'UserInitiated', reason || 'Task stopped by user', task.startedAt ? 143 : undefined, undefined);
  }

  render(task: OneOffTask): Json {
    const taskId = lastSegment(task.arn);
    return {
      ...task.moto,
      lastStatus: task.lastStatus,
      desiredStatus: task.desiredStatus,
      createdAt: epoch(task.createdAt),
      ...(task.startedAt ? { startedAt: epoch(task.startedAt) } : {}),
      ...(task.stoppedAt
        ? { stoppingAt: epoch(task.stoppedAt), stoppedAt: epoch(task.stoppedAt), executionStoppedAt: epoch(task.stoppedAt) }
        : {}),
      ...(task.stopCode ? { stopCode: task.stopCode, stoppedReason: task.stoppedReason } : {}),
      containers: task.containers.map((c, index) => {
        const ours = c.name === task.container;
        return {
          containerArn: `${task.arn.replace(':task/', ':container/')}/${index}`,
          taskArn: task.arn,
          name: c.name,
          image: c.image,
          lastStatus: task.lastStatus === 'PROVISIONING' ? 'PENDING' : task.lastStatus,
          ...(task.lastStatus === 'STOPPED'
            ? ours
              ? {
                  ...(task.containerExit !== undefined ? { exitCode: task.containerExit } : {}),
                  ...(task.containerReason ? { reason: task.containerReason } : {}),
                }
              : task.startedAt
                ? { exitCode: 0 }
                : {}
            : {}),
          runtimeId: `${taskId}-${index}`,
        };
      }),
    };
  }

  snapshot(): OneOffTaskSnapshot[] {
    return [...this.tasks.values()].map((t) => ({
      taskArn: t.arn,
      taskDefinitionArn: t.taskDefinitionArn,
      lastStatus: t.lastStatus,
      desiredStatus: t.desiredStatus,
      stopCode: t.stopCode,
      stoppedReason: t.stoppedReason,
      exitCode: t.containerExit,
      command: t.command,
      startedBy: typeof t.moto.startedBy === 'string' ? t.moto.startedBy : undefined,
      ticks: t.ticks,
      stoppedByStopTask: t.stoppedByStopTask,
      logStream: streamOf(t),
    }));
  }

  private stop(
    task: OneOffTask,
    now: Date,
    stopCode: string,
    reason: string,
    exit: number | undefined,
    containerReason: string | undefined,
  ): void {
    Object.assign(task, {
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stoppedAt: now,
      stopCode,
      stoppedReason: reason,
      containerExit: exit,
      containerReason,
    });
  }

  private async write(task: OneOffTask, upTo: number): Promise<void> {
    const stream = streamOf(task);
    if (!stream || !task.logsOf?.group || upTo <= task.written) return;
    const base = Date.now();
    const events = task.lines.slice(task.written, upTo).map((message, i) => ({ timestamp: base + i, message }));
    task.written = upTo;
    await this.writeLogs(task.logsOf.group, stream, events);
  }
}

function streamOf(task: OneOffTask): string | undefined {
  return task.logsOf?.prefix ? `${task.logsOf.prefix}/${task.container}/${lastSegment(task.arn)}` : undefined;
}

function defaultLines(command: string[] | undefined, kind: TaskScenarioKind, exitCode: number): string[] {
  const start = `> ${command ? command.join(' ') : '(image command)'}`;
  if (kind === 'fail-to-start') return [];
  if (kind === 'hang') return [start, 'waiting for a lock…'];
  return exitCode === 0 ? [start, 'done'] : [start, `error: exited with code ${exitCode}`];
}
