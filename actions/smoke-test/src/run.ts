/**
 * Runs the checks: all start at once, at most `concurrency` attempts are in flight, a failing
 * check is retried with exponential backoff and full jitter (never longer than the interval)
 * until the deadline, and a check that passed is never run again. A check waiting for its
 * next attempt holds no slot, so one failing check cannot starve the others.
 */
import type { Clock } from '../../../lib/util/clock';
import { describeError } from '../../../lib/runner/errors';
import type { Logger } from '../../../lib/runner/logger';
import { backoffDelay } from '../../../lib/aws/retry';
import { redactUrlsIn, type AttemptResult, type Check } from './definitions';

export interface CheckOutcome {
  check: Check;
  status: 'passed' | 'failed';
  attempts: number;
  /** Latency of the last attempt that got an answer. */
  latencyMs?: number;
  /** The last failure reason (for a passed check: why earlier attempts failed). */
  reason?: string;
  detail?: string;
  /** From the start of the run to this check's verdict. */
  elapsedMs: number;
}

export interface RunOptions {
  timeoutMs: number;
  intervalMs: number;
  concurrency: number;
  clock: Clock;
  log: Logger;
  attempt: (check: Check) => Promise<AttemptResult>;
  /** First backoff ceiling; doubles per attempt up to intervalMs. */
  baseDelayMs?: number;
  random?: () => number;
}

export async function runChecks(checks: readonly Check[], options: RunOptions): Promise<CheckOutcome[]> {
  const { clock, log } = options;
  const start = clock.now();
  const deadline = start + options.timeoutMs;
  const slots = new Semaphore(options.concurrency);
  const baseDelayMs = Math.min(options.baseDelayMs ?? 500, options.intervalMs);

  const runOne = async (check: Check): Promise<CheckOutcome> => {
    let lastLatency: number | undefined;
    let lastReason: string | undefined;
    for (let attempt = 1; ; attempt += 1) {
      const result = await slots.run(() => safeAttempt(options.attempt, check));
      lastLatency = result.latencyMs ?? lastLatency;
      const elapsedMs = clock.now() - start;
      if (result.ok) {
        log.info(`✓ ${check.name}: ${result.detail ?? 'passed'}${attempt > 1 ? ` (attempt ${attempt}, after ${seconds(elapsedMs)})` : ''}`);
        return { check, status: 'passed', attempts: attempt, latencyMs: lastLatency, detail: result.detail, reason: lastReason, elapsedMs };
      }
      lastReason = result.reason ?? 'failed';
      const remaining = deadline - clock.now();
      const outOfAttempts = check.maxAttempts !== undefined && attempt >= check.maxAttempts;
      if (remaining <= 0 || outOfAttempts) {
        const why = outOfAttempts ? `after ${attempt} attempt(s) (max-attempts)` : `at the deadline (${seconds(options.timeoutMs)})`;
        log.info(`✗ ${check.name} — attempt ${attempt}: ${lastReason}; giving up ${why}`);
        return { check, status: 'failed', attempts: attempt, latencyMs: lastLatency, reason: lastReason, elapsedMs };
      }
      // Full jitter; the last wait ends at the deadline so the final attempt happens there.
      const delay = Math.min(backoffDelay(attempt, baseDelayMs, options.intervalMs, options.random), remaining);
      log.info(`✗ ${check.name} — attempt ${attempt}: ${lastReason}; next attempt in ${seconds(delay)}`);
      await clock.sleep(delay);
    }
  };

  return Promise.all(checks.map(runOne));
}

/**
 * One attempt that never throws. Its reason and detail go to the log, the summary and the
 * report output, so URLs in them (an error quoting a URL, a connection string) lose their
 * user information first.
 */
async function safeAttempt(attempt: RunOptions['attempt'], check: Check): Promise<AttemptResult> {
  let result: AttemptResult;
  try {
    result = await attempt(check);
  } catch (err) {
    result = { ok: false, reason: describeError(err) };
  }
  return {
    ...result,
    reason: result.reason === undefined ? undefined : redactUrlsIn(result.reason),
    detail: result.detail === undefined ? undefined : redactUrlsIn(result.detail),
  };
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

/** A counting semaphore: `run` waits for a free slot, first come first served. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {
    if (!(size >= 1)) throw new RangeError(`concurrency must be at least 1, got ${size}`);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next waiter, so `active` never drops and rises again.
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
