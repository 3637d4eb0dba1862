import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../runner/logger';
import { redactor } from '../util/secrets';
import { TaskLogReader, lastLogLines, logEventsOf, secretLikeValues, taskLogStreams } from './task-logs';

const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/shop/abc123';
const awslogs = (name: string, options: Record<string, string>) => ({ name, logConfiguration: { logDriver: 'awslogs' as const, options } });
const logsMock = mockClient(CloudWatchLogsClient);
const logs = () => logEventsOf(new CloudWatchLogsClient({ region: 'us-east-1' }), GetLogEventsCommand);
const denied = () =>
  Object.assign(new Error('not authorized to perform: logs:GetLogEvents'), {
    name: 'AccessDeniedException',
    $metadata: { httpStatusCode: 400 },
  });
afterEach(() => logsMock.reset());

describe('taskLogStreams', () => {
  it('names the awslogs stream <prefix>/<container>/<task id>, and says why other containers have none', () => {
    const { streams, notes } = taskLogStreams(
      [
        awslogs('app', { 'awslogs-group': '/ecs/shop', 'awslogs-stream-prefix': 'web' }),
        awslogs('noprefix', { 'awslogs-group': '/ecs/shop' }),
        { name: 'router', logConfiguration: { logDriver: 'awsfirelens' } },
        { name: 'quiet' },
      ],
      TASK,
    );
    expect(streams).toEqual([{ container: 'app', group: '/ecs/shop', stream: 'web/app/abc123', region: undefined }]);
    expect(notes).toEqual([
      'container noprefix logs without awslogs-stream-prefix: its log stream cannot be named',
      'container router uses the awsfirelens log driver: gantry reads only awslogs',
      'container quiet has no log configuration: its lines are not in CloudWatch Logs',
    ]);
  });

  it('treats plain environment values with secret-like names as secrets', () => {
    expect(
      secretLikeValues([
        {
          environment: [
            { name: 'DB_PASSWORD', value: 'pw-123456' },
            { name: 'LOG_LEVEL', value: 'debug' },
            { name: 'API_TOKEN', value: 't0k3n' },
          ],
        },
      ]),
    ).toEqual(['pw-123456', 't0k3n']);
  });
});

describe('TaskLogReader', () => {
  const streams = [{ container: 'app', group: '/ecs/shop', stream: 'web/app/abc123' }];

  it('returns each line once, following nextForwardToken, redacted', async () => {
    logsMock
      .on(GetLogEventsCommand, { nextToken: undefined })
      .resolves({ events: [{ timestamp: 1, message: 'one pw-123456\n' }], nextForwardToken: 'f/1' });
    logsMock
      .on(GetLogEventsCommand, { nextToken: 'f/1' })
      .resolvesOnce({ events: [{ timestamp: 2, message: 'two' }], nextForwardToken: 'f/2' })
      .resolves({ events: [], nextForwardToken: 'f/1' });
    logsMock.on(GetLogEventsCommand, { nextToken: 'f/2' }).resolves({ events: [], nextForwardToken: 'f/2' });
    const reader = new TaskLogReader({ logs: logs(), streams, log: memoryLogger(), redact: redactor(['pw-123456']) });
    expect((await reader.readNew()).map((l) => l.message)).toEqual(['one ***', 'two']);
    expect(await reader.readNew()).toEqual([]);
    expect(reader.lines.map((l) => l.message)).toEqual(['one ***', 'two']);
  });

  it('a stream not created yet is no lines and no warning; a refused read is one warning and no more calls', async () => {
    logsMock
      .on(GetLogEventsCommand)
      .rejectsOnce(Object.assign(new Error('The specified log stream does not exist.'), { name: 'ResourceNotFoundException' }))
      .rejects(denied());
    const log = memoryLogger();
    const reader = new TaskLogReader({ logs: logs(), streams, log, redact: (t) => t });
    expect(await reader.readNew()).toEqual([]);
    expect(log.warnings).toEqual([]);
    await reader.readNew();
    await reader.readNew();
    expect(reader.accessDenied).toBe(true);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toMatch(/lacks logs:GetLogEvents on log group \/ecs\/shop .*the verdict is unchanged/);
    expect(logsMock.commandCalls(GetLogEventsCommand)).toHaveLength(2);
  });
});

describe('lastLogLines', () => {
  it('reads the last N lines of each stream from the tail', async () => {
    logsMock.on(GetLogEventsCommand).resolves({
      events: [
        { timestamp: 1, message: 'b' },
        { timestamp: 2, message: 'c' },
      ],
    });
    const out = await lastLogLines({
      logs: logs(),
      streams: [{ container: 'app', group: 'g', stream: 's' }],
      limit: 2,
      log: memoryLogger(),
      redact: (t) => t,
    });
    expect(out).toEqual({
      lines: [
        { container: 'app', timestamp: 1, message: 'b' },
        { container: 'app', timestamp: 2, message: 'c' },
      ],
      accessDenied: false,
    });
    expect(logsMock.commandCalls(GetLogEventsCommand)[0].args[0].input).toEqual({
      logGroupName: 'g',
      logStreamName: 's',
      startFromHead: false,
      limit: 2,
    });
  });

  it('a missing permission is a warning and no lines, never a throw', async () => {
    logsMock.on(GetLogEventsCommand).rejects(denied());
    const log = memoryLogger();
    const out = await lastLogLines({
      logs: logs(),
      streams: [
        { container: 'app', group: 'g', stream: 's' },
        { container: 'w', group: 'g', stream: 't' },
      ],
      limit: 20,
      log,
      redact: (t) => t,
    });
    expect(out).toEqual({ lines: [], accessDenied: true });
    expect(log.warnings).toHaveLength(1);
  });
});
