/**
 * Fixed-interval polling with a deadline. Never an SDK waiter: their growing backoff hides
 * the moment a rollout fails. The first check happens immediately, then one per interval;
 * the loop ends at the first decisive answer or when the next check would pass the deadline.
 */
import type { Clock } from './clock';

export type PollStep<T> = { done: true; value: T } | { done: false };

export interface PollOptions<T> {
  intervalMs: number;
  timeoutMs: number;
  clock: Clock;
  /** One check. `poll` is 1 for the first call. Throwing ends the poll (the caller decides what is transient). */
  check: (poll: number, elapsedMs: number) => Promise<PollStep<T>>;
}

export type PollResult<T> =
  { status: 'done'; value: T; polls: number; elapsedMs: number } | { status: 'timed-out'; polls: number; elapsedMs: number };

export async function poll<T>({ intervalMs, timeoutMs, clock, check }: PollOptions<T>): Promise<PollResult<T>> {
  if (!(intervalMs > 0)) throw new RangeError(`poll interval must be positive, got ${intervalMs}`);
  const start = clock.now();
  const deadline = start + timeoutMs;
  let polls = 0;
  for (;;) {
    polls += 1;
    const step = await check(polls, clock.now() - start);
    if (step.done) return { status: 'done', value: step.value, polls, elapsedMs: clock.now() - start };
    const remaining = deadline - clock.now();
    if (remaining <= 0) return { status: 'timed-out', polls, elapsedMs: clock.now() - start };
    // Sleep a full interval, or only up to the deadline for one last look.
    await clock.sleep(Math.min(intervalMs, remaining));
  }
}
