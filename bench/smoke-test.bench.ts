/**
 * smoke-test: 100 checks against a local server whose every response takes 50 ms must finish
 * in about the time of the slowest check, not the sum (docs/infra/architecture.md#performance-budgets): at most twice the
 * slowest check's latency. Run with the concurrency input set to 100; the default
 * concurrency (8) is printed for comparison.
 * Also: how soon after a service turns healthy its check passes (within one interval, the
 * real-time figure of test/smoke-test/retry.test.ts), and the bundle's cold start, process
 * spawn to its first request (median of 11; budget 150 ms).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { systemClock } from '../lib/util/clock';
import { memoryLogger } from '../lib/runner/logger';
import { createExecutor } from '../actions/smoke-test/src/executor';
import { loadChecks, parseCheckList } from '../actions/smoke-test/src/load';
import { runChecks } from '../actions/smoke-test/src/run';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot, node24Binary } from '../test/support/harness';
import { sendJson, startHttpServer, type TestServer } from '../test/smoke-test/support/servers';
import type { BenchFigure } from './types';

const CHECKS = 100;
const RESPONSE_MS = 50;
const RETRY_INTERVAL_MS = 400;
const HEALTHY_AFTER_MS = 1200;
/** A request in flight at the turn, and the event loop: far below one interval. */
const RETRY_SLACK_MS = 100;

export default async function bench(): Promise<BenchFigure[]> {
  let firstRequestAt: number | undefined;
  let healthyAt = Number.POSITIVE_INFINITY;
  let firstHealthyAt: number | undefined;
  const server = await startHttpServer(async (req, res) => {
    if (req.url === '/warming') {
      if (performance.now() < healthyAt) return sendJson(res, 503, { ok: false });
      firstHealthyAt ??= performance.now();
      return sendJson(res, 200, { ok: true });
    }
    firstRequestAt ??= performance.now();
    await delay(RESPONSE_MS);
    sendJson(res, 200, { ok: true, path: req.url });
  });
  try {
    const yaml = Array.from({ length: CHECKS }, (_, i) => `- { name: c${i}, url: /item/${i}, expect: { json: { $.ok: true } } }`).join(
      '\n',
    );
    const { checks } = loadChecks(
      parseCheckList(yaml, 'checks'),
      { baseUrl: new URL(server.url), defaultTimeoutMs: 5000, env: {}, workspace: process.cwd() },
      'checks',
    );

    const measure = async (concurrency: number) => {
      const executor = createExecutor(systemClock);
      try {
        const started = performance.now();
        const outcomes = await runChecks(checks, {
          timeoutMs: 30_000,
          intervalMs: 1000,
          concurrency,
          clock: systemClock,
          log: memoryLogger(),
          attempt: (c) => executor.attempt(c),
        });
        const totalMs = performance.now() - started;
        const failed = outcomes.filter((o) => o.status === 'failed');
        if (failed.length) throw new Error(`${failed.length} checks failed: ${failed[0].reason}`);
        const latencies = outcomes.map((o) => o.latencyMs ?? 0);
        return { totalMs, slowestMs: Math.max(...latencies), sumMs: latencies.reduce((a, b) => a + b, 0) };
      } finally {
        await executor.close();
      }
    };

    await measure(100); // warm-up: JIT, first connections
    const wide = await measure(100);
    const narrow = await measure(8);

    // Turned healthy → passed, worst of 3 (the backoff's jitter makes each run differ).
    const warming = loadChecks(
      parseCheckList('- { name: warming, url: /warming }', 'checks'),
      { baseUrl: new URL(server.url), defaultTimeoutMs: 5000, env: {}, workspace: process.cwd() },
      'checks',
    ).checks;
    const afterTurn: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      const executor = createExecutor(systemClock);
      try {
        firstHealthyAt = undefined;
        healthyAt = performance.now() + HEALTHY_AFTER_MS;
        const [outcome] = await runChecks(warming, {
          timeoutMs: 30_000,
          intervalMs: RETRY_INTERVAL_MS,
          concurrency: 8,
          clock: systemClock,
          log: memoryLogger(),
          attempt: (c) => executor.attempt(c),
        });
        if (outcome.status !== 'passed' || firstHealthyAt === undefined)
          throw new Error(`the warming check did not pass: ${outcome.reason}`);
        afterTurn.push(firstHealthyAt - healthyAt);
      } finally {
        await executor.close();
      }
    }
    const worstAfterTurn = Math.max(...afterTurn);

    const starts = await coldStarts(
      server,
      () => firstRequestAt,
      () => (firstRequestAt = undefined),
      11,
    );
    const median = starts[Math.floor(starts.length / 2)];

    return [
      {
        name: `${CHECKS} checks × ${RESPONSE_MS} ms, concurrency 100: total`,
        value: wide.totalMs,
        unit: 'ms',
        budget: `≤ 2 × slowest (${Math.round(2 * wide.slowestMs)} ms)`,
        ok: wide.totalMs <= 2 * wide.slowestMs,
      },
      { name: `${CHECKS} checks × ${RESPONSE_MS} ms, concurrency 100: slowest check`, value: wide.slowestMs, unit: 'ms' },
      { name: `${CHECKS} checks × ${RESPONSE_MS} ms, concurrency 100: sum of check latencies`, value: wide.sumMs, unit: 'ms' },
      {
        name: `${CHECKS} checks × ${RESPONSE_MS} ms, concurrency 8 (default): total`,
        value: narrow.totalMs,
        unit: 'ms',
        budget: `≤ 2 × ⌈${CHECKS}/8⌉ × slowest (${Math.round(2 * Math.ceil(CHECKS / 8) * narrow.slowestMs)} ms)`,
        ok: narrow.totalMs <= 2 * Math.ceil(CHECKS / 8) * narrow.slowestMs,
      },
      {
        name: `turned healthy → check passed, interval ${RETRY_INTERVAL_MS} ms (worst of 3)`,
        value: worstAfterTurn,
        unit: 'ms',
        budget: `≤ interval + ${RETRY_SLACK_MS} ms`,
        ok: worstAfterTurn <= RETRY_INTERVAL_MS + RETRY_SLACK_MS,
      },
      {
        name: 'bundle cold start to first HTTP request, Node 24 (median of 11)',
        value: median,
        unit: 'ms',
        budget: '≤ 150 ms',
        ok: median <= 150,
      },
      { name: 'bundle cold start to first HTTP request, Node 24 (fastest of 11)', value: starts[0], unit: 'ms' },
    ];
  } finally {
    await server.close();
  }
}

/** Process spawn → the bundle's first request, as the runner starts it (sorted, fastest first). */
async function coldStarts(server: TestServer, firstRequest: () => number | undefined, reset: () => void, runs: number): Promise<number[]> {
  // The runtime action.yml declares (node24), as the runner starts it.
  const node = await node24Binary();
  const bundle = path.join(repoRoot, 'actions', 'smoke-test', 'dist', 'index.js');
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    reset();
    const started = performance.now();
    const child = spawn(node, [bundle], {
      stdio: 'ignore',
      env: { PATH: process.env.PATH, HOME: process.env.HOME, 'INPUT_BASE-URL': server.url, INPUT_CHECKS: '- url: /start' },
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    const at = firstRequest();
    if (code !== 0 || at === undefined) throw new Error(`the bundle exited ${String(code)} without a request`);
    times.push(at - started);
  }
  return times.sort((a, b) => a - b);
}
