/**
 * A task's own log lines, read from CloudWatch Logs where the awslogs driver writes them: group
 * `awslogs-group`, stream `<awslogs-stream-prefix>/<container>/<task id>` (the ECS developer guide,
 * "Using the awslogs log driver"). Shared by run-task (every line as it arrives) and deploy-ecs /
 * rollback (the last lines of each stopped task they report).
 *
 * Logs are diagnostics: they never change a verdict. A missing permission is one warning naming
 * `logs:GetLogEvents` and the log group; any other error is a warning per stream. Every line is
 * redacted before anyone sees it (lib/util/secrets.ts `redactor`).
 */
import type {
  CloudWatchLogsClient,
  GetLogEventsCommand,
  GetLogEventsCommandInput,
  GetLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTaskDefinitionCommand, type ContainerDefinition, type ECSClient } from '@aws-sdk/client-ecs';
import { awsClientConfig, type AwsClientConfig } from '../aws/config';
import { describeError } from '../runner/errors';
import type { Logger } from '../runner/logger';
import { SECRET_LIKE_NAME, redactor } from '../util/secrets';

/** The one CloudWatch Logs call gantry makes. */
export interface LogEventsApi {
  getLogEvents(input: GetLogEventsCommandInput): Promise<GetLogEventsCommandOutput>;
}

/**
 * CloudWatch Logs, loaded on the first read: the client is ~150 KB of bundle that would otherwise be
 * evaluated at every start, also by runs that never read a log line (the start-up budget is 150 ms).
 */
export function cloudWatchLogs(config: AwsClientConfig): LogEventsApi {
  let loaded: Promise<LogEventsApi> | undefined;
  return {
    getLogEvents: async (input) => {
      loaded ??= import('@aws-sdk/client-cloudwatch-logs').then((sdk) =>
        logEventsOf(new sdk.CloudWatchLogsClient(config), sdk.GetLogEventsCommand),
      );
      return (await loaded).getLogEvents(input);
    },
  };
}

/** A client (tests pass one that aws-sdk-client-mock intercepts) and its GetLogEventsCommand, as LogEventsApi. */
/**
 * The Logs reader of an action bounded by `deadline`: two attempts of at most 5 s each, done one
 * poll after the deadline — the same margin as the record clients (lib/ecs/clients.ts).
 */
export function deadlineBoundLogs(options: {
  region?: string;
  endpointUrl?: string;
  deadline: number;
  pollIntervalMs: number;
}): LogEventsApi {
  return cloudWatchLogs(
    awsClientConfig({
      region: options.region,
      endpointUrl: options.endpointUrl,
      maxAttempts: 2,
      timeouts: { requestTimeoutMs: 5_000, deadline: options.deadline + options.pollIntervalMs },
    }),
  );
}

export function logEventsOf(client: CloudWatchLogsClient, Command: typeof GetLogEventsCommand): LogEventsApi {
  return { getLogEvents: (input) => client.send(new Command(input)) };
}

export interface LogStreamRef {
  container: string;
  group: string;
  stream: string;
  /** `awslogs-region` when the container logs to another region than gantry's client (a note, not followed). */
  region?: string;
}

export interface TaskLogLine {
  container: string;
  timestamp?: number;
  message: string;
}

export interface TaskLogStreams {
  streams: LogStreamRef[];
  /** Why some container's lines cannot be read (another log driver, no stream prefix). */
  notes: string[];
}

/** The last segment of a task ARN (`arn:…:task/cluster/abc123` → `abc123`). */
export function taskIdOf(taskArn: string): string {
  return taskArn.split('/').pop() ?? taskArn;
}

/** Where each container of a task writes its log lines, from the task definition's log configuration. */
export function taskLogStreams(containers: readonly ContainerDefinition[], taskArn: string): TaskLogStreams {
  const streams: LogStreamRef[] = [];
  const notes: string[] = [];
  const taskId = taskIdOf(taskArn);
  for (const c of containers) {
    const name = c.name ?? '?';
    const config = c.logConfiguration;
    if (!config) {
      notes.push(`container ${name} has no log configuration: its lines are not in CloudWatch Logs`);
      continue;
    }
    if (config.logDriver !== 'awslogs') {
      notes.push(`container ${name} uses the ${config.logDriver ?? 'unknown'} log driver: gantry reads only awslogs`);
      continue;
    }
    const group = config.options?.['awslogs-group'];
    const prefix = config.options?.['awslogs-stream-prefix'];
    if (!group || !prefix) {
      notes.push(`container ${name} logs without ${group ? 'awslogs-stream-prefix' : 'awslogs-group'}: its log stream cannot be named`);
      continue;
    }
    streams.push({ container: name, group, stream: `${prefix}/${name}/${taskId}`, region: config.options?.['awslogs-region'] });
  }
  return { streams, notes };
}

/** Values of the task definition's plain environment whose names look like secrets (`DB_PASSWORD`, `API_TOKEN`). */
export function secretLikeValues(containers: readonly ContainerDefinition[]): string[] {
  return containers.flatMap((c) =>
    (c.environment ?? []).filter((e) => e.name && e.value && SECRET_LIKE_NAME.test(e.name)).map((e) => e.value as string),
  );
}

export interface TaskLogReaderOptions {
  logs: LogEventsApi;
  streams: readonly LogStreamRef[];
  log: Logger;
  redact: (text: string) => string;
  /** Keep at most this many of the latest lines (for the summary); default 1000. */
  keep?: number;
  /** At most this many GetLogEvents pages per stream per read (each up to 10,000 events); default 5. */
  maxPages?: number;
}

/** Reads a running task's streams from the start, returning only lines not returned before. */
export class TaskLogReader {
  readonly lines: TaskLogLine[] = [];
  private readonly tokens = new Map<string, string>();
  private readonly failedStreams = new Set<string>();
  private denied = false;

  constructor(private readonly opts: TaskLogReaderOptions) {}

  /** True once logs:GetLogEvents was refused: reading stopped, one warning said why. */
  get accessDenied(): boolean {
    return this.denied;
  }

  async readNew(): Promise<TaskLogLine[]> {
    const fresh: TaskLogLine[] = [];
    for (const ref of this.opts.streams) {
      if (this.denied) break;
      const key = `${ref.group}\u0000${ref.stream}`;
      if (this.failedStreams.has(key)) continue;
      for (let page = 0; page < (this.opts.maxPages ?? 5); page += 1) {
        const before = this.tokens.get(key);
        let out;
        try {
          out = await this.opts.logs.getLogEvents({
            logGroupName: ref.group,
            logStreamName: ref.stream,
            startFromHead: true,
            nextToken: before,
          });
        } catch (err) {
          this.onError(err, ref, key);
          break;
        }
        for (const event of out.events ?? []) {
          fresh.push({
            container: ref.container,
            timestamp: event.timestamp,
            message: this.opts.redact((event.message ?? '').replace(/\r?\n$/, '')),
          });
        }
        if (out.nextForwardToken) this.tokens.set(key, out.nextForwardToken);
        // The same token back means the end of the stream for now.
        if (!out.nextForwardToken || out.nextForwardToken === before || (out.events ?? []).length === 0) break;
      }
    }
    fresh.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
    this.lines.push(...fresh);
    const keep = this.opts.keep ?? 1000;
    if (this.lines.length > keep) this.lines.splice(0, this.lines.length - keep);
    return fresh;
  }

  private onError(err: unknown, ref: LogStreamRef, key: string): void {
    const name = err instanceof Error ? err.name : '';
    // The stream appears when the container starts writing; before that there is nothing to read.
    if (name === 'ResourceNotFoundException') return;
    if (isAccessDenied(err)) {
      this.denied = true;
      this.opts.log.warning(missingPermissionWarning(ref, err));
      return;
    }
    this.failedStreams.add(key);
    this.opts.log.warning(
      `Could not read the log lines of container ${ref.container} (${ref.group} ${ref.stream}): ${describeError(err)}. The verdict is unchanged.`,
    );
  }
}

export interface LastLogLinesOptions {
  logs: LogEventsApi;
  streams: readonly LogStreamRef[];
  limit: number;
  log: Logger;
  redact: (text: string) => string;
}

export interface LastLogLines {
  lines: TaskLogLine[];
  accessDenied: boolean;
}

/** The last `limit` lines of each stream (one GetLogEvents from the tail per stream), oldest first. */
export async function lastLogLines(opts: LastLogLinesOptions): Promise<LastLogLines> {
  const lines: TaskLogLine[] = [];
  if (opts.limit <= 0) return { lines, accessDenied: false };
  for (const ref of opts.streams) {
    try {
      const out = await opts.logs.getLogEvents({
        logGroupName: ref.group,
        logStreamName: ref.stream,
        startFromHead: false,
        limit: opts.limit,
      });
      for (const event of (out.events ?? []).slice(-opts.limit)) {
        lines.push({
          container: ref.container,
          timestamp: event.timestamp,
          message: opts.redact((event.message ?? '').replace(/\r?\n$/, '')),
        });
      }
    } catch (err) {
      if (err instanceof Error && err.name === 'ResourceNotFoundException') continue;
      if (isAccessDenied(err)) {
        opts.log.warning(missingPermissionWarning(ref, err));
        return { lines, accessDenied: true };
      }
      opts.log.warning(
        `Could not read the log lines of container ${ref.container} (${ref.group} ${ref.stream}): ${describeError(err)}. The verdict is unchanged.`,
      );
    }
  }
  return { lines, accessDenied: false };
}

/** `app | migrating 0042_add_index` */
export function formatLogLine(line: TaskLogLine): string {
  return `${line.container} | ${line.message}`;
}

function isAccessDenied(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return err.name === 'AccessDeniedException' || err.name === 'UnauthorizedOperation' || status === 403;
}

function missingPermissionWarning(ref: LogStreamRef, err: unknown): string {
  return (
    `Cannot read the task's log lines: the role lacks logs:GetLogEvents on log group ${ref.group} (${describeError(err)}). ` +
    `Grant it to show the container's own last lines; the verdict is unchanged.`
  );
}

/** What explainStoppedTasks needs of a stopped task (lib/ecs/rollout.ts StoppedTaskInfo). */
export interface StoppedTaskRef {
  taskArn: string;
  taskDefinitionArn?: string;
  containers: { name: string; exitCode?: number }[];
  /** Filled in: the last lines of the containers that failed, as `container | line`, redacted. */
  logLines?: string[];
}

export interface ExplainStoppedTasksOptions {
  /** DescribeTaskDefinition, for the containers' log configuration (one call per revision). */
  describeTaskDefinition: (arn: string) => Promise<{ containerDefinitions?: ContainerDefinition[] } | undefined>;
  logs: LogEventsApi;
  tasks: readonly StoppedTaskRef[];
  /** Lines per task; 0 reads nothing. */
  limit: number;
  log: Logger;
}

/**
 * The failing container's own last words for each stopped task deploy-ecs or rollback reports: the
 * last `limit` lines of the containers that exited non-zero (or had no exit code), else of all its
 * containers. Stops at the first refused read (one warning); never throws.
 */
export async function explainStoppedTasks(opts: ExplainStoppedTasksOptions): Promise<void> {
  if (opts.limit <= 0 || opts.tasks.length === 0) return;
  const definitions = new Map<string, Promise<ContainerDefinition[]>>();
  for (const task of opts.tasks) {
    if (!task.taskDefinitionArn) continue;
    const arn = task.taskDefinitionArn;
    let containers: ContainerDefinition[];
    try {
      if (!definitions.has(arn))
        definitions.set(
          arn,
          opts.describeTaskDefinition(arn).then((td) => td?.containerDefinitions ?? []),
        );
      containers = await (definitions.get(arn) as Promise<ContainerDefinition[]>);
    } catch (err) {
      opts.log.warning(`Could not read the log configuration of ${arn}: ${describeError(err)}. The verdict is unchanged.`);
      return;
    }
    const failed = new Set(task.containers.filter((c) => c.exitCode !== 0).map((c) => c.name));
    const chosen = containers.filter((c) => failed.has(c.name ?? ''));
    const { streams } = taskLogStreams(chosen.length > 0 ? chosen : containers, task.taskArn);
    if (streams.length === 0) continue;
    const out = await lastLogLines({
      logs: opts.logs,
      streams,
      limit: opts.limit,
      log: opts.log,
      redact: redactor(secretLikeValues(containers)),
    });
    task.logLines = out.lines.map(formatLogLine);
    if (out.accessDenied) return;
  }
}

/** The inputs of deploy-ecs and rollback that say where and how long to read a failed rollout's log lines. */
export interface RolloutLogInputs {
  'aws-region'?: string;
  'endpoint-url'?: string;
  'poll-interval-seconds': number;
  /** Default 20. */
  'log-lines'?: number;
}

/**
 * explainStoppedTasks for a failed or timed-out rollout of deploy-ecs or rollback: the crashing
 * containers' own last lines (diagnostics, within the record clients' extra poll past the
 * deadline), task definitions read with the record client.
 */
export function explainFailedRollout(
  inputs: RolloutLogInputs,
  opts: { recordEcs: ECSClient; deadline: number; tasks: readonly StoppedTaskRef[]; log: Logger },
): Promise<void> {
  const logs = deadlineBoundLogs({
    region: inputs['aws-region'],
    endpointUrl: inputs['endpoint-url'],
    deadline: opts.deadline,
    pollIntervalMs: inputs['poll-interval-seconds'] * 1000,
  });
  return explainStoppedTasks({
    describeTaskDefinition: async (arn) =>
      (await opts.recordEcs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition,
    logs,
    tasks: opts.tasks,
    limit: inputs['log-lines'] ?? 20,
    log: opts.log,
  });
}
