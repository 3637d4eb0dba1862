/**
 * Retries against a real server in real time (small intervals keep it short): a service that
 * turns healthy after a while passes within one interval of that moment; one that never does
 * fails at the deadline; a check that passed is not requested again.
 *
 * "Within one interval" is proved from the schedule, not from a stopwatch: the last failing
 * request came before the turn, the very next request was answered healthy, and no wait
 * between requests was longer than the interval. Wall-clock bounds here are only generous
 * sanity limits (a shared two-core machine can stall for a second); the timing figures belong
 * to `npm run bench`, and run.test.ts proves the same behaviour on a fake clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../lib/util/clock';
import { memoryLogger } from '../../lib/runner/logger';
import { createExecutor } from '../../actions/smoke-test/src/executor';
import { loadChecks, parseCheckList } from '../../actions/smoke-test/src/load';
import { runChecks } from '../../actions/smoke-test/src/run';
import { sendJson, sendText, startHttpServer, type TestServer } from './support/servers';

const INTERVAL_MS = 400;
// Not a timing budget: only "it did not hang", far beyond any scheduling stall.
const SANITY_MS = 5000;

let server: TestServer;
let healthyAt = Number.POSITIVE_INFINITY;
let firstHealthyAnswerAt: number | undefined;
/** When each /warming request arrived, and whether it was answered healthy. */
const warming: { at: number; healthy: boolean }[] = [];

/** The real clock, recording every wait the runner asks for. */
function recordingClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { now: () => systemClock.now(), sleep: (ms) => (sleeps.push(ms), systemClock.sleep(ms)), sleeps };
}
const executor = createExecutor(systemClock);

beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    if (req.url === '/stable') return sendJson(res, 200, { ok: true });
    const healthy = Date.now() >= healthyAt;
    if (req.url === '/warming') warming.push({ at: Date.now(), healthy });
    if (req.url === '/warming' && healthy) {
      firstHealthyAnswerAt ??= Date.now();
      return sendJson(res, 200, { version: 'new' });
    }
    sendText(res, 503, 'warming up');
  });
});
afterAll(async () => {
  await executor.close();
  await server.close();
});

function checks(yaml: string) {
  return loadChecks(
    parseCheckList(yaml, 'checks'),
    { baseUrl: new URL(server.url), defaultTimeoutMs: 1000, env: {}, workspace: '/' },
    'checks',
  ).checks;
}

describe('retrying until the deadline', () => {
  it('passes within one interval of the service turning healthy, without re-running passed checks', async () => {
    const log = memoryLogger();
    const clock = recordingClock();
    warming.length = 0;
    const started = Date.now();
    healthyAt = started + 1200;
    const outcomes = await runChecks(checks('- { name: warming, url: /warming }\n- { name: stable, url: /stable }'), {
      timeoutMs: 10_000,
      intervalMs: INTERVAL_MS,
      concurrency: 8,
      clock,
      log,
      attempt: (check) => executor.attempt(check),
    });
    expect(outcomes.map((o) => o.status)).toEqual(['passed', 'passed']);
    // Every request before the last one failed and came before the turn; the last one, the first
    // after the turn, passed; and it followed the previous one after one wait of at most the interval.
    expect(warming.map((w) => w.healthy)).toEqual([...Array<boolean>(warming.length - 1).fill(false), true]);
    expect(warming.at(-2)!.at).toBeLessThan(healthyAt);
    expect(clock.sleeps).toHaveLength(warming.length - 1);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(INTERVAL_MS);
    expect(firstHealthyAnswerAt! - healthyAt).toBeLessThanOrEqual(INTERVAL_MS + SANITY_MS);
    expect(outcomes[0].attempts).toBe(warming.length);
    expect(outcomes[0].attempts).toBeGreaterThanOrEqual(3);
    expect(server.requests.filter((r) => r.path === '/stable')).toHaveLength(1);
    expect(outcomes[1].attempts).toBe(1);
    const failures = log.lines.filter((l) => l.startsWith('✗ warming — attempt'));
    expect(failures.length).toBe(outcomes[0].attempts - 1);
    expect(failures[0]).toMatch(
      /^✗ warming — attempt 1: status 503 \(expected 2xx\) — status 503, \d+ ms, body "warming up"; next attempt in \d\.\ds$/,
    );
  });

  it('fails a service that never turns healthy at the deadline', async () => {
    healthyAt = Number.POSITIVE_INFINITY;
    const log = memoryLogger();
    const clock = recordingClock();
    const started = Date.now();
    const [outcome] = await runChecks(checks('- { name: warming, url: /warming }'), {
      timeoutMs: 1500,
      intervalMs: INTERVAL_MS,
      concurrency: 8,
      clock,
      log,
      attempt: (check) => executor.attempt(check),
    });
    const took = Date.now() - started;
    expect(outcome).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^status 503 \(expected 2xx\)/) });
    expect(outcome.attempts).toBeGreaterThanOrEqual(3);
    expect(log.lines.at(-1)).toMatch(/^✗ warming — attempt \d+: status 503 .*; giving up at the deadline \(1\.5s\)$/);
    // It waited out the deadline (never gave up early) and then stopped.
    expect(took).toBeGreaterThanOrEqual(1500);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(INTERVAL_MS);
    expect(took).toBeLessThanOrEqual(1500 + SANITY_MS);
  });
});
