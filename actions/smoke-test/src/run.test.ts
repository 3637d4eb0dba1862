import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../lib/util/clock';
import { memoryLogger } from '../../../lib/runner/logger';
import type { AttemptResult, Check, TcpCheck } from './definitions';
import { failureOf, reportEntries, smokeOutputs, renderSummary } from './summary';
import { runChecks, Semaphore } from './run';

function tcp(name: string, extra: Partial<TcpCheck> = {}): TcpCheck {
  return { index: 0, name, type: 'tcp', host: '127.0.0.1', port: 1, timeoutMs: 100, ...extra };
}

const ok = (latencyMs = 5): AttemptResult => ({ ok: true, detail: 'fine', latencyMs });
const bad = (reason = 'status 503'): AttemptResult => ({ ok: false, reason, latencyMs: 7 });

describe('runChecks', () => {
  it('retries a failing check with jittered backoff no longer than the interval, and never re-runs a passed one', async () => {
    const clock = new FakeClock(0);
    const log = memoryLogger();
    const calls: Record<string, number[]> = { a: [], b: [] };
    // `b` turns healthy at t = 20 s; its next attempt must come within one interval (5 s).
    const outcomes = await runChecks([tcp('a'), tcp('b')], {
      timeoutMs: 120_000,
      intervalMs: 5000,
      concurrency: 8,
      clock,
      log,
      random: () => 0.999,
      attempt: async (check) => {
        calls[check.name].push(clock.now());
        return check.name === 'a' || clock.now() >= 20_000 ? ok() : bad();
      },
    });
    expect(calls.a).toEqual([0]);
    const b = calls.b;
    expect(b[b.length - 1] - 20_000).toBeLessThanOrEqual(5000);
    expect(b[b.length - 2]).toBeLessThan(20_000);
    // Ceilings 500, 1000, 2000, 4000, then capped at the interval.
    expect(clock.sleeps.slice(0, 5)).toEqual([500, 999, 1998, 3996, 4995]);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(5000);
    expect(outcomes.map((o) => [o.check.name, o.status, o.attempts])).toEqual([
      ['a', 'passed', 1],
      ['b', 'passed', b.length],
    ]);
    const failedLines = log.lines.filter((l) => l.startsWith('✗ b — attempt'));
    expect(failedLines).toHaveLength(b.length - 1);
    expect(failedLines[0]).toBe('✗ b — attempt 1: status 503; next attempt in 0.5s');
    expect(log.lines).toContain('✓ a: fine');
    expect(log.lines.at(-1)).toMatch(/^✓ b: fine \(attempt \d+, after 2\ds\)$/);
  });

  it('fails a check still failing at the deadline, with a last attempt at the deadline', async () => {
    const clock = new FakeClock(0);
    const log = memoryLogger();
    const times: number[] = [];
    const [outcome] = await runChecks([tcp('never')], {
      timeoutMs: 30_000,
      intervalMs: 5000,
      concurrency: 1,
      clock,
      log,
      random: () => 1,
      attempt: async () => {
        times.push(clock.now());
        return bad('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1');
      },
    });
    expect(times.at(-1)).toBe(30_000);
    expect(outcome).toMatchObject({
      status: 'failed',
      attempts: times.length,
      reason: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1',
      elapsedMs: 30_000,
    });
    expect(log.lines.at(-1)).toBe('✗ never — attempt 10: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1; giving up at the deadline (30s)');
  });

  it('stops at max-attempts and turns a thrown error into a reason', async () => {
    const clock = new FakeClock(0);
    const [outcome] = await runChecks([tcp('burst', { maxAttempts: 2 })], {
      timeoutMs: 60_000,
      intervalMs: 5000,
      concurrency: 1,
      clock,
      log: memoryLogger(),
      attempt: async () => {
        throw new TypeError('boom');
      },
    });
    expect(outcome).toMatchObject({ status: 'failed', attempts: 2, reason: 'TypeError: boom' });
  });

  it('keeps at most `concurrency` attempts in flight, and a check waiting to retry holds no slot', async () => {
    const clock = new FakeClock(0);
    let inFlight = 0;
    let peak = 0;
    const checks: Check[] = Array.from({ length: 20 }, (_, i) => tcp(`c${i}`));
    const outcomes = await runChecks(checks, {
      timeoutMs: 60_000,
      intervalMs: 1000,
      concurrency: 3,
      clock,
      log: memoryLogger(),
      attempt: async (check) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        // c0 never passes: it must not block the 19 others.
        return check.name === 'c0' ? bad() : ok();
      },
    });
    expect(peak).toBe(3);
    expect(outcomes.filter((o) => o.status === 'passed')).toHaveLength(19);
    expect(outcomes[0]).toMatchObject({ status: 'failed' });
    expect(outcomes.slice(1).every((o) => o.attempts === 1)).toBe(true);
  });

  it('strips the user information of URLs in reasons and details (log, report and summary)', async () => {
    const log = memoryLogger();
    const outcomes = await runChecks([tcp('db'), tcp('api')], {
      timeoutMs: 1000,
      intervalMs: 1000,
      concurrency: 2,
      clock: new FakeClock(0),
      log,
      attempt: async (check) =>
        check.name === 'db'
          ? bad('could not connect to postgres://app:pw-LEAK@db.internal:5432/shop')
          : { ok: true, detail: '301 → https://deploy:pw-LEAK@shop.example.com/', latencyMs: 1 },
    });
    expect(outcomes[0].reason).toBe('could not connect to postgres://***@db.internal:5432/shop');
    expect(outcomes[1].detail).toBe('301 → https://***@shop.example.com/');
    const everything = [log.text(), smokeOutputs(outcomes).report, renderSummary(outcomes, { timeoutSeconds: 1, elapsedMs: 1000 })].join(
      '\n',
    );
    expect(everything).toContain('postgres://***@db.internal');
    expect(everything).not.toContain('pw-LEAK');
  });

  it('rejects a semaphore without slots', () => {
    expect(() => new Semaphore(0)).toThrow('concurrency must be at least 1, got 0');
  });
});

describe('report', () => {
  const outcomes = [
    {
      check: tcp('db'),
      status: 'passed' as const,
      attempts: 2,
      latencyMs: 3,
      detail: 'connected in 3 ms',
      reason: 'ECONNREFUSED',
      elapsedMs: 900,
    },
    { check: tcp('cache|x', { port: 6379 }), status: 'failed' as const, attempts: 4, reason: 'timed out after 100 ms', elapsedMs: 5000 },
  ];

  it('gives outputs and a JSON report per check', () => {
    expect(smokeOutputs(outcomes).passed).toBe(1);
    expect(smokeOutputs(outcomes).failed).toBe(1);
    expect(JSON.parse(smokeOutputs(outcomes).report)).toEqual(reportEntries(outcomes));
    expect(reportEntries(outcomes)).toEqual([
      { name: 'db', type: 'tcp', target: '127.0.0.1:1', status: 'passed', attempts: 2, latencyMs: 3, reason: null },
      {
        name: 'cache|x',
        type: 'tcp',
        target: '127.0.0.1:6379',
        status: 'failed',
        attempts: 4,
        latencyMs: null,
        reason: 'timed out after 100 ms',
      },
    ]);
  });

  it('writes a summary table with every check and fails naming the failing ones', () => {
    const md = renderSummary(outcomes, { baseUrl: new URL('https://shop.example.com'), timeoutSeconds: 120, elapsedMs: 5000 });
    expect(md).toContain('## Smoke test: ❌ 1 of 2 checks failed');
    expect(md).toContain('| Check | Type | Target | Result | Attempts | Latency | Details |');
    expect(md).toContain('| db | tcp | 127.0.0.1:1 | ✅ passed | 2 | 3 ms | connected in 3 ms |');
    expect(md).toContain('| cache\\|x | tcp | 127.0.0.1:6379 | ❌ failed | 4 | — | timed out after 100 ms |');
    const failure = failureOf(outcomes);
    expect(failure?.message).toBe('1 of 2 smoke checks failed: cache|x');
    expect(failure?.details).toEqual(['✗ cache|x (127.0.0.1:6379, 4 attempt(s)): timed out after 100 ms']);
    expect(failureOf(outcomes.slice(0, 1))).toBeUndefined();
  });

  it('shows the base URL without its user information', () => {
    const md = renderSummary(outcomes, {
      baseUrl: new URL('https://deploy:pw-LEAK@shop.example.com/'),
      timeoutSeconds: 120,
      elapsedMs: 5000,
    });
    expect(md).toContain('| **Base URL** | https://***@shop.example.com/ |');
    expect(md).not.toContain('pw-LEAK');
  });
});
