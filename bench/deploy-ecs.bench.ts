/**
 * deploy-ecs figures:
 * - detection latency: simulated time from ECS reporting FAILED / replacing our deployment /
 *   COMPLETED to deploy() returning, for state changes at many offsets within a poll interval
 *   (aws-sdk-client-mock + FakeClock; budget: one poll interval);
 * - DescribeServices calls in any minute of waiting (budget 60 / interval);
 * - bundle cold start: process start to the first AWS request, seen by a local HTTP server used
 *   as the endpoint (median of several runs; budget 150 ms), and the bundle size.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { deploy } from '../actions/deploy-ecs/src/deploy';
import type { Inputs } from '../actions/deploy-ecs/src/inputs';
import { FakeClock } from '../lib/util/clock';
import { memoryLogger } from '../lib/runner/logger';
import { runnerContext } from '../lib/ecs/metadata';
import {
  CLUSTER,
  NEW_TD,
  OLD_TD,
  SERVICE,
  completedService,
  failedService,
  rolledBackService,
  rollingService,
  steadyService,
} from '../test/deploy-ecs/ecs-fixtures';
import type { BenchFigure } from './types';
import { coldStartsToFirstAwsRequest } from './cold-start';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(root, 'actions', 'deploy-ecs', 'dist', 'index.js');
const INTERVAL_S = 10;
const INTERVAL_MS = INTERVAL_S * 1000;

interface Run {
  elapsedMs: number;
  status: string;
  describeTimes: number[];
}

/** deploy() against a mocked ECS whose service switches to `after` at simulated time `changeAtMs`. */
async function simulate(after: Service | undefined, changeAtMs: number, timeoutS = 900): Promise<Run> {
  const ecsMock = mockClient(ECSClient);
  const clock = new FakeClock(0);
  const describeTimes: number[] = [];
  let first = true;
  ecsMock.on(DescribeServicesCommand).callsFake(() => {
    if (first) {
      first = false;
      return { services: [steadyService()] };
    }
    describeTimes.push(clock.now());
    return { services: [after && clock.now() >= changeAtMs ? after : rollingService({ runningCount: 1, pendingCount: 1 })] };
  });
  ecsMock
    .on(DescribeTaskDefinitionCommand)
    .resolves({ taskDefinition: { taskDefinitionArn: OLD_TD, family: 'web', containerDefinitions: [{ name: 'app', image: 'r/web:1' }] } });
  ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: NEW_TD, revision: 7 } });
  ecsMock.on(UpdateServiceCommand).resolves({ service: rollingService() });
  ecsMock.on(TagResourceCommand).resolves({});
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
  const inputs: Inputs = {
    cluster: CLUSTER,
    service: SERVICE,
    images: [{ image: 'r/web:2', input: 'image' }],
    'environment-variables': new Map(),
    'git-sha': 'a1b2c3d',
    wait: true,
    'timeout-seconds': timeoutS,
    'poll-interval-seconds': INTERVAL_S,
    'force-new-deployment': false,
    'dry-run': false,
  };
  try {
    const result = await deploy(inputs, {
      ecs: new ECSClient({ region: 'us-east-1' }),
      clock,
      log: memoryLogger(),
      context: runnerContext({}),
    });
    return { elapsedMs: clock.now(), status: result.status, describeTimes };
  } finally {
    ecsMock.restore();
  }
}

/** Worst latency over state changes at 41 offsets spread across several poll intervals. */
async function detectionLatency(after: Service, expected: string): Promise<number> {
  let worst = 0;
  for (let i = 0; i <= 40; i += 1) {
    const changeAt = 1 + Math.round((i / 40) * 3 * INTERVAL_MS);
    const run = await simulate(after, changeAt);
    if (run.status !== expected) throw new Error(`expected ${expected}, got ${run.status} (change at ${changeAt} ms)`);
    worst = Math.max(worst, run.elapsedMs - changeAt);
  }
  return worst;
}

/** Most DescribeServices calls in any half-open 60 s window of a 10-minute wait. */
async function callsPerMinute(): Promise<number> {
  const run = await simulate(undefined, Number.POSITIVE_INFINITY, 600);
  if (run.status !== 'timed-out') throw new Error(`expected timed-out, got ${run.status}`);
  let most = 0;
  for (const start of run.describeTimes) most = Math.max(most, run.describeTimes.filter((t) => t >= start && t < start + 60_000).length);
  return most;
}

export default async function bench(): Promise<BenchFigure[]> {
  const interval = `≤ ${INTERVAL_MS} ms (one poll interval)`;
  const failed = await detectionLatency(failedService(), 'failed');
  const replaced = await detectionLatency(rolledBackService(), 'failed');
  const completed = await detectionLatency(completedService(), 'deployed');
  const perMinute = await callsPerMinute();
  const starts = await coldStartsToFirstAwsRequest(
    bundle,
    { INPUT_CLUSTER: CLUSTER, INPUT_SERVICE: SERVICE, INPUT_IMAGE: 'registry.example.com/shop/web:a1b2c3d' },
    15,
  );
  const median = starts[Math.floor(starts.length / 2)];
  return [
    {
      name: 'FAILED → action fails (worst, simulated, 10 s interval)',
      value: failed,
      unit: 'ms',
      budget: interval,
      ok: failed <= INTERVAL_MS,
    },
    {
      name: 'deployment replaced (circuit-breaker rollback) → action fails (worst)',
      value: replaced,
      unit: 'ms',
      budget: interval,
      ok: replaced <= INTERVAL_MS,
    },
    { name: 'COMPLETED → action succeeds (worst)', value: completed, unit: 'ms', budget: interval, ok: completed <= INTERVAL_MS },
    {
      name: 'DescribeServices calls in any minute of waiting (10 s interval)',
      value: perMinute,
      unit: 'calls',
      budget: `≤ ${60 / INTERVAL_S}`,
      ok: perMinute <= 60 / INTERVAL_S,
    },
    {
      name: 'bundle cold start to first AWS request, Node 24 (median of 15)',
      value: median,
      unit: 'ms',
      budget: '≤ 150 ms',
      ok: median <= 150,
    },
    { name: 'bundle cold start to first AWS request, Node 24 (fastest of 15)', value: starts[0], unit: 'ms' },
    { name: 'bundle size (dist/index.js)', value: statSync(bundle).size / 1024 / 1024, unit: 'MiB' },
  ];
}
