/**
 * Retries against a real server in real time (small intervals keep it short): a service that
 * turns healthy after a while passes within one interval of that moment; one that never does
 * fails at the deadline; a check that passed is not requested again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock';
import { memoryLogger } from '../../lib/logger';
import { createExecutor } from '../../actions/smoke-test/src/executor';
import { loadChecks, parseCheckList } from '../../actions/smoke-test/src/load';
import { runChecks } from '../../actions/smoke-test/src/run';
import { sendJson, sendText, startHttpServer, type TestServer } from './support/servers';

const INTERVAL_MS = 400;
// The attempt in flight when the service turns healthy, and scheduling on a busy two-core machine.
const SLACK_MS = 400;

let server: TestServer;
let healthyAt = Number.POSITIVE_INFINITY;
let firstHealthyAnswerAt: number | undefined;
const executor = createExecutor(systemClock);

beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    if (req.url === '/stable') return sendJson(res, 200, { ok: true });
    if (req.url === '/warming' && Date.now() >= healthyAt) {
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
  return loadChecks(parseCheckList(yaml, 'checks'), { baseUrl: new URL(server.url), defaultTimeoutMs: 1000, env: {}, workspace: '/' }, 'checks').checks;
}

describe('retrying until the deadline', () => {
  it('passes within one interval of the service turning healthy, without re-running passed checks', async () => {
    const log = memoryLogger();
    const started = Date.now();
    healthyAt = started + 1200;
    const outcomes = await runChecks(checks('- { name: warming, url: /warming }\n- { name: stable, url: /stable }'), {
      timeoutMs: 10_000,
      intervalMs: INTERVAL_MS,
      concurrency: 8,
      clock: systemClock,
      log,
      attempt: (check) => executor.attempt(check),
    });
    expect(outcomes.map((o) => o.status)).toEqual(['passed', 'passed']);
    // The first request after the turn is answered healthy, and it comes within one interval.
    expect(firstHealthyAnswerAt! - healthyAt).toBeLessThanOrEqual(INTERVAL_MS + SLACK_MS);
    expect(outcomes[0].attempts).toBeGreaterThanOrEqual(3);
    expect(server.requests.filter((r) => r.path === '/stable')).toHaveLength(1);
    expect(outcomes[1].attempts).toBe(1);
    const failures = log.lines.filter((l) => l.startsWith('✗ warming — attempt'));
    expect(failures.length).toBe(outcomes[0].attempts - 1);
    expect(failures[0]).toMatch(/^✗ warming — attempt 1: status 503 \(expected 2xx\) — status 503, \d+ ms, body "warming up"; next attempt in \d\.\ds$/);
  });

  it('fails a service that never turns healthy at the deadline', async () => {
    healthyAt = Number.POSITIVE_INFINITY;
    const started = Date.now();
    const [outcome] = await runChecks(checks('- { name: warming, url: /warming }'), {
      timeoutMs: 1500,
      intervalMs: INTERVAL_MS,
      concurrency: 8,
      clock: systemClock,
      log: memoryLogger(),
      attempt: (check) => executor.attempt(check),
    });
    const took = Date.now() - started;
    expect(outcome).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^status 503 \(expected 2xx\)/) });
    expect(outcome.attempts).toBeGreaterThanOrEqual(3);
    expect(took).toBeGreaterThanOrEqual(1500);
    expect(took).toBeLessThanOrEqual(1500 + SLACK_MS);
  });
});
