/**
 * One one-off task, with injected clients, clock and logger: read the task definition (and the
 * service whose network configuration it borrows) → RunTask with the command override → one
 * DescribeTasks per poll until STOPPED, printing the task's CloudWatch log lines as they arrive →
 * the verdict on its exit codes and stop code. A task still running at the deadline is stopped
 * (StopTask) and reported as timed out: a migration nobody watches must not keep going.
 */
import { randomUUID } from 'node:crypto';
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ContainerDefinition,
  type ECSClient,
  type NetworkConfiguration,
  type RunTaskCommandInput,
  type Service,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { Clock } from '../../../lib/util/clock';
import { describeServiceOrFail, recordToTags } from '../../../lib/ecs/release';
import { ActionFailure, InputError, describeError } from '../../../lib/runner/errors';
import type { Logger } from '../../../lib/runner/logger';
import { formatDuration } from '../../../lib/util/markdown';
import type { RunnerContext } from '../../../lib/ecs/metadata';
import { poll, type PollResult } from '../../../lib/util/poll';
import { isTransientAwsError } from '../../../lib/aws/retry';
import { abortAfter } from '../../../lib/ecs/readback';
import { redactor } from '../../../lib/util/secrets';
import {
  TaskLogReader,
  formatLogLine,
  secretLikeValues,
  taskIdOf,
  taskLogStreams,
  type LogEventsApi,
  type TaskLogLine,
} from '../../../lib/ecs/task-logs';
import type { Inputs } from './inputs';
import { judgeStoppedTask, type ContainerOutcome } from './verdict';

export interface RunTaskDeps {
  ecs: ECSClient;
  /** Client for the polls, without SDK retries: one poll is one request. Default `ecs`. */
  pollEcs?: ECSClient;
  /**
   * Client for what must still happen at or after the deadline — StopTask and reading the task back,
   * looking for a task whose RunTask answer was lost — (it outlives the deadline by a poll). Default `ecs`.
   */
  recordEcs?: ECSClient;
  /** How long `recordEcs` outlives the deadline (default one poll interval): StopTask and its read-back share it. */
  recordMarginMs?: number;
  logs: LogEventsApi;
  clock: Clock;
  log: Logger;
  context: RunnerContext;
}

/** `unknown`: RunTask failed without a clear refusal and no task with this run's token was found. */
export type RunTaskStatus = 'succeeded' | 'failed' | 'timed-out' | 'unknown';

/** Whether the task a timed-out run left is stopped: StopTask answered, or the task was read back. */
export type StoppedByGantry = 'true' | 'false' | 'unknown';

/** The tag RunTask puts on the task so that gantry can find it when RunTask's answer is lost. */
export const RUN_TOKEN_TAG = 'gantry:run-token';

export interface RunTaskResult {
  status: RunTaskStatus;
  cluster: string;
  taskDefinitionArn: string;
  container: string;
  command?: string[];
  /** Empty when the outcome of RunTask is unknown. */
  taskArn: string;
  startedBy: string;
  runToken: string;
  /** Set when RunTask's answer was lost: what happened and how the task was found (or not). */
  runTaskNote?: string;
  lastStatus?: string;
  exitCode?: number;
  stopCode?: string;
  stoppedReason?: string;
  reason: string;
  containers: ContainerOutcome[];
  /** The latest log lines (redacted), oldest first. */
  logLines: TaskLogLine[];
  /** Why some lines could not be read (other log driver, missing permission). */
  logNotes: string[];
  /** Only for timed-out: whether the task is stopped now. */
  stoppedByGantry?: StoppedByGantry;
  polls: number;
  describeCalls: number;
  durationMs: number;
}

export async function runTask(inputs: Inputs, deps: RunTaskDeps): Promise<RunTaskResult> {
  const { ecs, clock, log } = deps;
  const started = clock.now();
  const definition = await describeTaskDefinition(ecs, inputs['task-definition-arn']);
  const taskDefinitionArn = definition.taskDefinitionArn ?? inputs['task-definition-arn'];
  const containers = definition.containerDefinitions ?? [];
  const container = resolveContainer(containers, inputs.container, shortArn(taskDefinitionArn));
  const service = inputs.service ? await describeServiceOrFail(ecs, inputs.cluster, inputs.service) : undefined;
  const request = runTaskRequest(inputs, deps.context, definition, taskDefinitionArn, container, service);

  const commandText = inputs.command ? JSON.stringify(inputs.command) : '(its own command)';
  log.info(
    `Running ${shortArn(taskDefinitionArn)} in cluster ${inputs.cluster}: container ${container} runs ${commandText}${describePlacement(request)}.`,
  );
  const timeoutMs = inputs['timeout-seconds'] * 1000;
  const deadline = started + timeoutMs;
  const runToken = request.clientToken as string;
  const recordEcs = deps.recordEcs ?? ecs;
  let task: Task;
  let runTaskNote: string | undefined;
  try {
    const out = await ecs.send(new RunTaskCommand(request));
    const first = out.tasks?.[0];
    if (!first?.taskArn) {
      const reasons = (out.failures ?? [])
        .map((f) => `${f.arn ? `${f.arn}: ` : ''}${f.reason ?? 'unknown'}${f.detail ? ` (${f.detail})` : ''}`)
        .join('; ');
      throw new ActionFailure(
        'GANTRY-RUNTASK-022',
        `RunTask started no task from ${shortArn(taskDefinitionArn)}: ${reasons || 'ECS returned no task and no failure'}.`,
      );
    }
    task = first;
  } catch (err) {
    // ECS answered the only attempt with a refusal: nothing started, the error is what ECS said.
    if (err instanceof ActionFailure || refusedByEcs(err)) throw err;
    // Otherwise the task may have started and only the answer was lost (a reset connection, a
    // timeout, a malformed body, the deadline): look for it by this run's token before saying anything.
    const error = describeError(err);
    log.warning(
      `RunTask failed (${error}): looking for the task by its run token ${RUN_TOKEN_TAG}=${runToken} (started by ${inputs['started-by']}).`,
    );
    const found = await findStartedTask(recordEcs, inputs.cluster, inputs['started-by'], runToken);
    if (!found.task) {
      return {
        status: 'unknown',
        cluster: inputs.cluster,
        taskDefinitionArn,
        container,
        command: inputs.command,
        taskArn: '',
        startedBy: inputs['started-by'],
        runToken,
        runTaskNote: `RunTask's answer was lost (${error}); ${found.note}`,
        reason: `${error}; ${found.note}`,
        containers: [],
        logLines: [],
        logNotes: [],
        polls: 0,
        describeCalls: 0,
        durationMs: clock.now() - started,
      };
    }
    task = found.task;
    runTaskNote = `RunTask's answer was lost (${error}); task found by its run token`;
    log.info(`Found task ${taskIdOf(task.taskArn as string)} by its run token: RunTask had started it.`);
  }
  const taskArn = task.taskArn as string;
  const taskId = taskIdOf(taskArn);
  log.info(`Started task ${taskId} (${task.lastStatus ?? 'status unknown'}).`);

  const { streams, notes } = taskLogStreams(containers, taskArn);
  for (const note of notes) log.info(`Logs: ${note}.`);
  for (const s of streams) log.info(`Logs of ${s.container}: ${s.group} ${s.stream}${s.region ? ` (region ${s.region})` : ''}`);
  const secrets = secretLikeValues(containers);
  for (const secret of secrets) log.secret(secret);
  const reader = new TaskLogReader({ logs: deps.logs, streams, log, redact: redactor(secrets), keep: Math.max(inputs['log-lines'], 1) });
  const printNew = async (): Promise<void> => {
    for (const line of await reader.readNew()) log.info(`  ${formatLogLine(line)}`);
  };

  const pollEcs = deps.pollEcs ?? ecs;
  let latest: Task = task;
  let describeCalls = 0;
  let lastError: string | undefined;
  // The wait ends at the action's deadline, however long RunTask took (a found task may come after it).
  const waitMs = deadline - clock.now();
  const result: PollResult<Task> =
    waitMs <= 0 && latest.lastStatus !== 'STOPPED'
      ? { status: 'timed-out', polls: 0, elapsedMs: 0 }
      : await log.group(`Task ${taskId}`, async () => {
          log.info(
            `Waiting for task ${taskId} to stop: one DescribeTasks every ${formatDuration(inputs['poll-interval-seconds'] * 1000)}, timeout ${formatDuration(timeoutMs)}.`,
          );
          let printedStatus = '';
          return poll<Task>({
            intervalMs: inputs['poll-interval-seconds'] * 1000,
            timeoutMs: Math.max(0, waitMs),
            clock,
            check: async (pollNumber, elapsedMs) => {
              try {
                describeCalls += 1;
                const described = await pollEcs.send(new DescribeTasksCommand({ cluster: inputs.cluster, tasks: [taskArn] }));
                const found = described.tasks?.[0];
                if (found) latest = found;
                else lastError = `DescribeTasks reported ${described.failures?.[0]?.reason ?? 'no task'}`;
              } catch (err) {
                // Any poll error is retried at the next poll until the deadline (as deploy-ecs does): the
                // task runs on whatever DescribeTasks says, and at the deadline it is stopped all the same.
                lastError = describeError(err);
                log.warning(
                  `[${formatDuration(elapsedMs)}] poll ${pollNumber}: DescribeTasks failed (${lastError}); trying again at the next poll.`,
                );
              }
              const status = `${latest.lastStatus ?? 'unknown'} (desired ${latest.desiredStatus ?? 'unknown'})`;
              if (status !== printedStatus) log.info(`[${formatDuration(elapsedMs)}] poll ${pollNumber}: ${status}`);
              printedStatus = status;
              await printNew();
              return latest.lastStatus === 'STOPPED' ? { done: true, value: latest } : { done: false };
            },
          });
        });

  const essential = new Map(containers.map((c) => [c.name ?? '', c.essential !== false]));
  const base = {
    cluster: inputs.cluster,
    taskDefinitionArn,
    container,
    command: inputs.command,
    taskArn,
    startedBy: inputs['started-by'],
    runToken,
    runTaskNote,
    polls: result.polls,
    describeCalls,
    logNotes: notes,
  };
  if (result.status === 'timed-out') {
    const stop = await stopTask({
      ecs: recordEcs,
      cluster: inputs.cluster,
      taskArn,
      reason: `gantry run-task: not STOPPED within ${formatDuration(timeoutMs)}${deps.context.runUrl ? ` (${deps.context.runUrl})` : ''}`,
      log,
      // StopTask and, if it fails, the read-back share what is left of the record client's margin.
      budgetMs: Math.max(500, deadline + (deps.recordMarginMs ?? inputs['poll-interval-seconds'] * 1000) - clock.now()),
    });
    await printNew();
    const seen = `last seen ${latest.lastStatus ?? 'unknown'}${lastError ? `, last error: ${lastError}` : ''}`;
    return {
      ...base,
      status: 'timed-out',
      lastStatus: stop.lastStatus ?? latest.lastStatus,
      reason: `task ${taskId} did not stop within ${formatDuration(timeoutMs)} (${seen}); ${stop.text}`,
      containers: [],
      logLines: [...reader.lines],
      logNotes: withDenied(notes, reader),
      stoppedByGantry: stop.stopped,
      durationMs: clock.now() - started,
    };
  }
  // The last lines are often written in the second before the task stops.
  await printNew();
  const stoppedTask = result.value;
  const verdict = judgeStoppedTask(stoppedTask, essential);
  for (const warning of verdict.warnings) log.warning(warning);
  const exitCode = verdict.containers.find((c) => c.name === container)?.exitCode;
  log.info(`Task ${taskId} STOPPED${stoppedTask.stopCode ? ` (${stoppedTask.stopCode})` : ''}: ${verdict.reason}.`);
  return {
    ...base,
    status: verdict.ok ? 'succeeded' : 'failed',
    lastStatus: stoppedTask.lastStatus,
    exitCode,
    stopCode: stoppedTask.stopCode,
    stoppedReason: stoppedTask.stoppedReason,
    reason: verdict.reason,
    containers: verdict.containers,
    logLines: [...reader.lines],
    logNotes: withDenied(notes, reader),
    durationMs: clock.now() - started,
  };
}

function withDenied(notes: string[], reader: TaskLogReader): string[] {
  return reader.accessDenied ? [...notes, 'the role lacks logs:GetLogEvents: no log lines could be read'] : notes;
}

async function describeTaskDefinition(ecs: ECSClient, arn: string): Promise<TaskDefinition> {
  try {
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
    if (!out.taskDefinition)
      throw new InputError(
        'GANTRY-RUNTASK-023',
        'task-definition-arn',
        arn,
        'an existing task definition revision (DescribeTaskDefinition returned none)',
      );
    return out.taskDefinition;
  } catch (err) {
    if (err instanceof InputError || isTransientAwsError(err)) throw err;
    throw new InputError('GANTRY-RUNTASK-028', 'task-definition-arn', arn, `an existing task definition revision (${describeError(err)})`);
  }
}

/**
 * The container that runs the command: the one named, or the task's only essential container.
 * `label` names the task definition in messages (`web:7`, or check-only's file or template).
 */
export function resolveContainer(containers: readonly ContainerDefinition[], wanted: string | undefined, label: string): string {
  const names = containers.map((c) => c.name ?? '');
  const listed = names.map((n) => `'${n}'`).join(', ');
  if (wanted !== undefined) {
    if (!names.includes(wanted))
      throw new InputError('GANTRY-RUNTASK-024', 'container', wanted, `a container of ${label}: one of ${listed}`);
    return wanted;
  }
  const essential = containers.filter((c) => c.essential !== false).map((c) => c.name ?? '');
  if (containers.length === 1) return names[0];
  if (essential.length === 1) return essential[0];
  throw new InputError(
    'GANTRY-RUNTASK-025',
    'container',
    undefined,
    `the container that runs the command: ${label} has ${essential.length === 0 ? 'no' : essential.length} essential containers among ${listed}`,
  );
}

function runTaskRequest(
  inputs: Inputs,
  context: RunnerContext,
  definition: TaskDefinition,
  arn: string,
  container: string,
  service: Service | undefined,
): RunTaskCommandInput {
  const request: RunTaskCommandInput = {
    cluster: inputs.cluster,
    taskDefinition: arn,
    count: 1,
    startedBy: inputs['started-by'],
    // The same token on an SDK retry after a lost response: ECS starts the task once, not twice.
    clientToken: randomUUID(),
    ...(inputs.command ? { overrides: { containerOverrides: [{ name: container, command: inputs.command }] } } : {}),
  };
  const tags = new Map(inputs.tags);
  if (context.runUrl && !tags.has('gantry:run-url')) tags.set('gantry:run-url', context.runUrl);
  // What finds the task again when RunTask's answer is lost (the clientToken itself is not readable back).
  tags.set(RUN_TOKEN_TAG, request.clientToken as string);
  request.tags = recordToTags(Object.fromEntries(tags));
  return { ...request, ...taskPlacement(inputs, service, definition, shortArn(arn)) };
}

/** What a task definition says about where its task may run (a registered revision or a template). */
export type PlacementShape = Pick<TaskDefinition, 'networkMode' | 'requiresCompatibilities'>;

export type TaskPlacement = Pick<
  RunTaskCommandInput,
  'networkConfiguration' | 'launchType' | 'capacityProviderStrategy' | 'platformVersion'
>;

/**
 * Where the task runs: the network, the launch type or capacity provider strategy and platform
 * version — given, else the service's, else FARGATE for a Fargate-compatible task definition.
 * An awsvpc task with no network to take is an input error (`label` names the task definition).
 */
export function taskPlacement(inputs: Inputs, service: Service | undefined, definition: PlacementShape, label: string): TaskPlacement {
  const placement: TaskPlacement = {};
  const network = networkConfiguration(inputs, service, definition, label);
  if (network) placement.networkConfiguration = network;
  if (inputs['launch-type']) placement.launchType = inputs['launch-type'];
  else if (inputs['capacity-provider-strategy'].length > 0) placement.capacityProviderStrategy = inputs['capacity-provider-strategy'];
  else if (service?.capacityProviderStrategy?.length) placement.capacityProviderStrategy = service.capacityProviderStrategy;
  else if (service?.launchType) placement.launchType = service.launchType;
  else if (!definition.requiresCompatibilities?.length || definition.requiresCompatibilities.includes('FARGATE'))
    placement.launchType = 'FARGATE';
  if (
    service?.platformVersion &&
    service.platformVersion !== 'LATEST' &&
    (placement.launchType === 'FARGATE' || placement.capacityProviderStrategy)
  ) {
    placement.platformVersion = service.platformVersion;
  }
  return placement;
}

function networkConfiguration(
  inputs: Inputs,
  service: Service | undefined,
  definition: PlacementShape,
  label: string,
): NetworkConfiguration | undefined {
  if (inputs.subnets.length > 0) {
    const fromService = service?.networkConfiguration?.awsvpcConfiguration;
    return {
      awsvpcConfiguration: {
        subnets: inputs.subnets,
        ...(inputs['security-groups'].length > 0
          ? { securityGroups: inputs['security-groups'] }
          : fromService?.securityGroups
            ? { securityGroups: fromService.securityGroups }
            : {}),
        assignPublicIp: inputs['assign-public-ip'] ?? fromService?.assignPublicIp ?? 'DISABLED',
      },
    };
  }
  const fromService = service?.networkConfiguration;
  if (fromService?.awsvpcConfiguration?.subnets?.length) return fromService;
  if (definition.networkMode === 'awsvpc') {
    const why = service
      ? `service ${inputs.service} has no awsvpc network configuration to borrow`
      : 'no service was given to borrow the network configuration from';
    throw new InputError('GANTRY-RUNTASK-026', 'subnets', undefined, `subnets: ${label} uses networkMode awsvpc and ${why}`);
  }
  return undefined;
}

/**
 * ECS answered and refused (a 4xx other than throttling, on the only attempt): RunTask started
 * nothing. Anything else — a network error, a timeout, a 5xx, a malformed answer, the deadline, an
 * answer after retries — leaves it open whether a task started.
 */
function refusedByEcs(err: unknown): boolean {
  const meta = (err as { $metadata?: { httpStatusCode?: number; attempts?: number } } | undefined)?.$metadata;
  const status = meta?.httpStatusCode;
  return status !== undefined && status >= 400 && status < 500 && (meta?.attempts ?? 1) <= 1 && !isTransientAwsError(err);
}

/** The task a RunTask with this run token started, from ListTasks by started-by and the token tag. */
async function findStartedTask(
  ecs: ECSClient,
  cluster: string,
  startedBy: string,
  runToken: string,
): Promise<{ task?: Task; note: string }> {
  const lookup = `ListTasks --started-by ${startedBy}`;
  try {
    const arns = new Set<string>();
    for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
      const listed = await ecs.send(new ListTasksCommand({ cluster, startedBy, desiredStatus }));
      for (const arn of listed.taskArns ?? []) arns.add(arn);
    }
    const candidates = [...arns].slice(0, 100);
    if (candidates.length > 0) {
      const described = await ecs.send(new DescribeTasksCommand({ cluster, tasks: candidates, include: ['TAGS'] }));
      const ours = described.tasks?.find((t) => t.tags?.some((tag) => tag.key === RUN_TOKEN_TAG && tag.value === runToken));
      if (ours?.taskArn) return { task: ours, note: `found task ${taskIdOf(ours.taskArn)} by its run token` };
    }
    return { note: `no task with run token ${RUN_TOKEN_TAG}=${runToken} found (${lookup})` };
  } catch (err) {
    return { note: `looking for it by its run token ${RUN_TOKEN_TAG}=${runToken} failed too (${lookup}: ${describeError(err)})` };
  }
}

interface StopOutcome {
  stopped: StoppedByGantry;
  /** For the reason: what happened to the task. */
  text: string;
  lastStatus?: string;
}

/**
 * StopTask at the deadline. When it fails, its outcome is unknown (refused, or applied and the answer
 * lost): the task is read back (DescribeTasks) to say whether it is stopped, still runs, or unknown.
 */
async function stopTask(opts: {
  ecs: ECSClient;
  cluster: string;
  taskArn: string;
  reason: string;
  log: Logger;
  budgetMs: number;
}): Promise<StopOutcome> {
  const { ecs, cluster, taskArn, reason, log } = opts;
  const taskId = taskIdOf(taskArn);
  const started = Date.now();
  let stopError: string;
  try {
    // Half the budget, so that a StopTask that never answers leaves time to read the task back.
    await ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason: reason.slice(0, 255) }), abortAfter(opts.budgetMs / 2));
    log.warning(`Stopped task ${taskId} (StopTask): ${reason}.`);
    return { stopped: 'true', text: 'gantry stopped it (StopTask)' };
  } catch (err) {
    stopError = describeError(err);
  }
  let readBack: Task | undefined;
  let readError = 'DescribeTasks returned no task';
  try {
    const remaining = Math.max(1, opts.budgetMs - (Date.now() - started));
    const described = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }), abortAfter(remaining));
    readBack = described.tasks?.[0];
  } catch (err) {
    readError = describeError(err);
  }
  const stopByHand = `aws ecs stop-task --cluster ${cluster} --task ${taskArn}`;
  if (readBack && (readBack.lastStatus === 'STOPPED' || readBack.desiredStatus === 'STOPPED')) {
    const state = readBack.lastStatus === 'STOPPED' ? 'STOPPED' : `${readBack.lastStatus ?? 'unknown'}, desired STOPPED`;
    log.warning(`Stopped task ${taskId}: StopTask's answer was lost (${stopError}), but the task is stopped (read back: ${state}).`);
    return {
      stopped: 'true',
      text: `StopTask's answer was lost (${stopError}), but the task is stopped (read back: ${state})`,
      lastStatus: readBack.lastStatus,
    };
  }
  if (readBack) {
    const state = readBack.lastStatus ?? 'unknown';
    log.error(`Could not stop task ${taskId}: ${stopError}. It still runs (read back: ${state}). Stop it by hand: ${stopByHand}`);
    return {
      stopped: 'false',
      text: `StopTask failed (${stopError}) and the task still runs (read back: ${state}): stop it by hand: ${stopByHand}`,
      lastStatus: readBack.lastStatus,
    };
  }
  const check = `aws ecs describe-tasks --cluster ${cluster} --tasks ${taskArn}`;
  log.error(
    `Could not stop task ${taskId}: ${stopError}, and could not read it back (${readError}). Whether it still runs is UNKNOWN: check with ${check} and stop it by hand: ${stopByHand}`,
  );
  return {
    stopped: 'unknown',
    text: `StopTask failed (${stopError}) and the task could not be read back (${readError}): whether it still runs is UNKNOWN — check: ${check} and stop it by hand: ${stopByHand}`,
  };
}

export function describePlacement(request: TaskPlacement & Pick<RunTaskCommandInput, 'startedBy'>): string {
  const how = request.launchType
    ? ` on ${request.launchType}`
    : request.capacityProviderStrategy?.length
      ? ` on ${request.capacityProviderStrategy.map((p) => `${p.capacityProvider}=${p.weight ?? 0}`).join(', ')}`
      : " on the cluster's default capacity provider strategy";
  const subnets = request.networkConfiguration?.awsvpcConfiguration?.subnets;
  return `${how}${subnets?.length ? `, subnets ${subnets.join(', ')}` : ''}, started by ${request.startedBy}`;
}

export function shortArn(arn: string | undefined): string {
  return arn?.split('/').pop() ?? 'the task definition';
}
