/**
 * run-task figures:
 * - verdict latency: simulated time from ECS reporting the task STOPPED to runTask() returning, for
 *   stops at many offsets within several poll intervals (aws-sdk-client-mock + FakeClock; budget:
 *   one poll interval);
 * - DescribeTasks calls in any minute of waiting (budget 60 / interval);
 * - bundle cold start to the first AWS request (median; budget 150 ms), and the bundle size.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import type { Inputs } from '../actions/run-task/src/inputs';
import { runTask } from '../actions/run-task/src/run';
import { FakeClock } from '../lib/util/clock';
import { memoryLogger } from '../lib/runner/logger';
import { runnerContext } from '../lib/ecs/metadata';
import { logEventsOf } from '../lib/ecs/task-logs';
import { coldStartsToFirstAwsRequest } from './cold-start';
import type { BenchFigure } from './types';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(root, 'actions', 'run-task', 'dist', 'index.js');
const INTERVAL_S = 10;
const INTERVAL_MS = INTERVAL_S * 1000;
const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/shop/0123456789abcdef0123456789abcdef';
const TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7';

const running: Task = { taskArn: TASK, lastStatus: 'RUNNING', desiredStatus: 'RUNNING', containers: [{ name: 'app' }] };
const stopped: Task = {
  taskArn: TASK,
  lastStatus: 'STOPPED',
  desiredStatus: 'STOPPED',
  stopCode: 'EssentialContainerExited',
  containers: [{ name: 'app', exitCode: 0 }],
};

interface Run {
  elapsedMs: number;
  status: string;
  describeTimes: number[];
}

async function simulate(stopAtMs: number, timeoutS = 900): Promise<Run> {
  const ecsMock = mockClient(ECSClient);
  const logsMock = mockClient(CloudWatchLogsClient);
  const clock = new FakeClock(0);
  const describeTimes: number[] = [];
  ecsMock.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: TD,
      networkMode: 'bridge',
      containerDefinitions: [
        {
          name: 'app',
          essential: true,
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/shop', 'awslogs-stream-prefix': 'web' } },
        },
      ],
    },
  });
  ecsMock.on(RunTaskCommand).resolves({ tasks: [{ ...running, lastStatus: 'PROVISIONING' }] });
  ecsMock.on(DescribeTasksCommand).callsFake(() => {
    describeTimes.push(clock.now());
    return { tasks: [clock.now() >= stopAtMs ? stopped : running] };
  });
  ecsMock.on(StopTaskCommand).resolves({});
  logsMock.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'f/1' });
  const inputs: Inputs = {
    cluster: 'shop',
    'task-definition-arn': TD,
    command: ['npm', 'run', 'migrate'],
    subnets: [],
    'security-groups': [],
    'capacity-provider-strategy': [],
    'launch-type': 'EC2',
    'started-by': 'gantry/run-task',
    tags: new Map(),
    'timeout-seconds': timeoutS,
    'poll-interval-seconds': INTERVAL_S,
    'log-lines': 20,
  };
  try {
    const result = await runTask(inputs, {
      ecs: new ECSClient({ region: 'us-east-1' }),
      logs: logEventsOf(new CloudWatchLogsClient({ region: 'us-east-1' }), GetLogEventsCommand),
      clock,
      log: memoryLogger(),
      context: runnerContext({}),
    });
    return { elapsedMs: clock.now(), status: result.status, describeTimes };
  } finally {
    ecsMock.restore();
    logsMock.restore();
  }
}

async function verdictLatency(): Promise<number> {
  let worst = 0;
  for (let i = 0; i <= 40; i += 1) {
    const stopAt = 1 + Math.round((i / 40) * 3 * INTERVAL_MS);
    const run = await simulate(stopAt);
    if (run.status !== 'succeeded') throw new Error(`expected succeeded, got ${run.status} (stop at ${stopAt} ms)`);
    worst = Math.max(worst, run.elapsedMs - stopAt);
  }
  return worst;
}

async function callsPerMinute(): Promise<number> {
  const run = await simulate(Number.POSITIVE_INFINITY, 600);
  if (run.status !== 'timed-out') throw new Error(`expected timed-out, got ${run.status}`);
  let most = 0;
  for (const start of run.describeTimes) most = Math.max(most, run.describeTimes.filter((t) => t >= start && t < start + 60_000).length);
  return most;
}

export default async function bench(): Promise<BenchFigure[]> {
  const latency = await verdictLatency();
  const perMinute = await callsPerMinute();
  const starts = await coldStartsToFirstAwsRequest(
    bundle,
    { INPUT_CLUSTER: 'shop', 'INPUT_TASK-DEFINITION-ARN': 'web:7', INPUT_COMMAND: 'npm run migrate', INPUT_SERVICE: 'web' },
    15,
  );
  const median = starts[Math.floor(starts.length / 2)];
  return [
    {
      name: 'STOPPED → migration verdict (worst, simulated, 10 s interval)',
      value: latency,
      unit: 'ms',
      budget: `≤ ${INTERVAL_MS} ms (one poll interval)`,
      ok: latency <= INTERVAL_MS,
    },
    {
      name: 'DescribeTasks calls in any minute of waiting (10 s interval)',
      value: perMinute,
      unit: 'calls',
      budget: `≤ ${60 / INTERVAL_S}`,
      ok: perMinute <= 60 / INTERVAL_S,
    },
    {
      name: 'run-task bundle cold start to first AWS request, Node 24 (median of 15)',
      value: median,
      unit: 'ms',
      budget: '≤ 150 ms',
      ok: median <= 150,
    },
    { name: 'run-task bundle size (dist/index.js)', value: statSync(bundle).size / 1024 / 1024, unit: 'MiB' },
  ];
}
