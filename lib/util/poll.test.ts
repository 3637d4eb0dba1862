import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock';
import { poll } from './poll';

describe('poll', () => {
  it('checks at once, then once per interval, and stops at the first decisive answer', async () => {
    const clock = new FakeClock(1_000);
    const seen: number[] = [];
    const result = await poll({
      intervalMs: 10_000,
      timeoutMs: 900_000,
      clock,
      check: async (n, elapsed) => {
        seen.push(elapsed);
        return n === 4 ? { done: true, value: 'ok' } : { done: false };
      },
    });
    expect(result).toEqual({ status: 'done', value: 'ok', polls: 4, elapsedMs: 30_000 });
    expect(seen).toEqual([0, 10_000, 20_000, 30_000]);
    expect(clock.sleeps).toEqual([10_000, 10_000, 10_000]);
  });

  it('times out at the deadline with a last look exactly at it', async () => {
    const clock = new FakeClock();
    const result = await poll({ intervalMs: 10_000, timeoutMs: 25_000, clock, check: async () => ({ done: false }) });
    expect(result).toEqual({ status: 'timed-out', polls: 4, elapsedMs: 25_000 });
    expect(clock.sleeps).toEqual([10_000, 10_000, 5_000]);
  });

  it('accounts for time spent in the check itself', async () => {
    const clock = new FakeClock();
    const result = await poll({
      intervalMs: 1_000,
      timeoutMs: 3_000,
      clock,
      check: async () => {
        clock.advance(1_500);
        return { done: false };
      },
    });
    expect(result.status).toBe('timed-out');
    expect(result).toEqual({ status: 'timed-out', polls: 2, elapsedMs: 4_000 });
  });

  it('propagates a thrown error and rejects a non-positive interval', async () => {
    const clock = new FakeClock();
    await expect(poll({ intervalMs: 1, timeoutMs: 10, clock, check: async () => Promise.reject(new Error('boom')) })).rejects.toThrow(
      'boom',
    );
    await expect(poll({ intervalMs: 0, timeoutMs: 10, clock, check: async () => ({ done: false }) })).rejects.toThrow(/must be positive/);
  });
});
