/**
 * rollback figures:
 * - detection latency of a failing rollback: simulated time from ECS reporting the rollback's
 *   deployment FAILED to rollback() returning, over many offsets (aws-sdk-client-mock + FakeClock;
 *   budget: one poll interval), and of a completed one;
 * - ECS calls to resolve a target in a family of 100 revisions: `previous` across failed links,
 *   a full SHA (stops at the newest hit), a short SHA (must prove it is unambiguous: the whole window);
 * - bundle cold start: process start to the first AWS request (median of 15; budget 150 ms), size.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  type Deployment,
  type Service,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import type { Inputs } from '../actions/rollback/src/inputs';
import { rollback } from '../actions/rollback/src/rollback';
import { parseTarget } from '../actions/rollback/src/target';
import { FakeClock } from '../lib/util/clock';
import { memoryLogger } from '../lib/runner/logger';
import type { BenchFigure } from './types';
import { coldStartsToFirstAwsRequest } from './cold-start';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(root, 'actions', 'rollback', 'dist', 'index.js');
const INTERVAL_S = 10;
const INTERVAL_MS = INTERVAL_S * 1000;
const REVISIONS = 100;
const td = (n: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${n}`;
const sha = (n: number): string => createHash('sha1').update(`release ${n}`).digest('hex');

const deployment = (id: string, rev: number, extra: Partial<Deployment> = {}): Deployment => ({
  id,
  status: 'PRIMARY',
  taskDefinition: td(rev),
  desiredCount: 2,
  runningCount: 1,
  pendingCount: 1,
  failedTasks: 0,
  rolloutState: 'IN_PROGRESS',
  ...extra,
});
const service = (rev: number, deployments: Deployment[]): Service => ({
  serviceName: 'web',
  status: 'ACTIVE',
  taskDefinition: td(rev),
  desiredCount: 2,
  deployments,
});

/** A family of 100 revisions, each deployed with previous = the one before; the newest `failedLinks` marked failed. */
function mockFamily(failedLinks: number): ReturnType<typeof mockClient> {
  const ecsMock = mockClient(ECSClient);
  ecsMock.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => {
    const rev = Number(input.taskDefinition.split(':').pop());
    const status = rev > REVISIONS - failedLinks - 1 && rev < REVISIONS ? 'failed' : 'deployed';
    const tags = { 'gantry:status': status, 'gantry:git-sha': sha(rev), ...(rev > 1 ? { 'gantry:previous': td(rev - 1) } : {}) };
    return {
      taskDefinition: { taskDefinitionArn: td(rev), family: 'web', revision: rev, status: 'ACTIVE' },
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    };
  });
  ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: Array.from({ length: REVISIONS }, (_, i) => td(REVISIONS - i)) });
  ecsMock.on(TagResourceCommand).resolves({});
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
  return ecsMock;
}

function inputs(target: string, wait = true): Inputs {
  return {
    cluster: 'shop',
    service: 'web',
    target: parseTarget(target),
    'target-input': target,
    wait,
    'timeout-seconds': 900,
    'poll-interval-seconds': INTERVAL_S,
    'dry-run': true,
  };
}

/** DescribeTaskDefinition calls a dry run needs to resolve `target` (current is web:100). */
async function resolutionCalls(target: string, failedLinks = 0): Promise<number> {
  const ecsMock = mockFamily(failedLinks);
  ecsMock
    .on(DescribeServicesCommand)
    .resolves({ services: [service(REVISIONS, [deployment('d100', REVISIONS, { rolloutState: 'COMPLETED' })])] });
  try {
    await rollback(inputs(target), { ecs: new ECSClient({ region: 'us-east-1' }), clock: new FakeClock(0), log: memoryLogger() });
    return ecsMock.commandCalls(DescribeTaskDefinitionCommand).length;
  } finally {
    ecsMock.restore();
  }
}

/** rollback() to web:99 whose deployment turns `after` at simulated time `changeAtMs`; simulated ms from change to return. */
async function latency(after: 'FAILED' | 'COMPLETED', changeAtMs: number): Promise<number> {
  const ecsMock = mockFamily(0);
  const clock = new FakeClock(0);
  let first = true;
  ecsMock.on(DescribeServicesCommand).callsFake(() => {
    if (first) {
      first = false;
      return { services: [service(REVISIONS, [deployment('d100', REVISIONS, { rolloutState: 'COMPLETED' })])] };
    }
    const changed = clock.now() >= changeAtMs;
    const rb = changed
      ? deployment(
          'rb',
          99,
          after === 'FAILED' ? { rolloutState: 'FAILED', failedTasks: 3 } : { rolloutState: 'COMPLETED', runningCount: 2, pendingCount: 0 },
        )
      : deployment('rb', 99);
    return { services: [service(99, changed && after === 'COMPLETED' ? [rb] : [rb, deployment('d100', REVISIONS, { status: 'ACTIVE' })])] };
  });
  ecsMock
    .on(UpdateServiceCommand)
    .resolves({ service: service(99, [deployment('rb', 99), deployment('d100', REVISIONS, { status: 'ACTIVE' })]) });
  try {
    const result = await rollback(
      { ...inputs('revision:99'), 'dry-run': false },
      { ecs: new ECSClient({ region: 'us-east-1' }), clock, log: memoryLogger() },
    );
    const expected = after === 'FAILED' ? 'failed' : 'rolled-back';
    if (result.status !== expected) throw new Error(`expected ${expected}, got ${result.status} (change at ${changeAtMs} ms)`);
    return clock.now() - changeAtMs;
  } finally {
    ecsMock.restore();
  }
}

async function worstLatency(after: 'FAILED' | 'COMPLETED'): Promise<number> {
  let worst = 0;
  for (let i = 0; i <= 40; i += 1) worst = Math.max(worst, await latency(after, 1 + Math.round((i / 40) * 3 * INTERVAL_MS)));
  return worst;
}

export default async function bench(): Promise<BenchFigure[]> {
  const interval = `≤ ${INTERVAL_MS} ms (one poll interval)`;
  const failed = await worstLatency('FAILED');
  const completed = await worstLatency('COMPLETED');
  const previous = await resolutionCalls('previous', 3);
  const fullSha = await resolutionCalls(`sha:${sha(90)}`);
  const shortSha = await resolutionCalls(`sha:${sha(90).slice(0, 7)}`);
  const starts = await coldStartsToFirstAwsRequest(bundle, { INPUT_CLUSTER: 'shop', INPUT_SERVICE: 'web' }, 15);
  const median = starts[Math.floor(starts.length / 2)];
  return [
    {
      name: 'rollback FAILED → action fails (worst, simulated, 10 s interval)',
      value: failed,
      unit: 'ms',
      budget: interval,
      ok: failed <= INTERVAL_MS,
    },
    { name: 'rollback COMPLETED → action succeeds (worst)', value: completed, unit: 'ms', budget: interval, ok: completed <= INTERVAL_MS },
    {
      name: `DescribeTaskDefinition for previous across 3 failed links (${REVISIONS} revisions)`,
      value: previous,
      unit: 'calls',
      budget: '≤ 5',
      ok: previous <= 5,
    },
    { name: 'DescribeTaskDefinition for a full SHA 10 revisions back', value: fullSha, unit: 'calls', budget: '≤ 16', ok: fullSha <= 16 },
    {
      name: `DescribeTaskDefinition for a short SHA (whole bounded window)`,
      value: shortSha,
      unit: 'calls',
      budget: `≤ ${REVISIONS + 1}`,
      ok: shortSha <= REVISIONS + 1,
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
