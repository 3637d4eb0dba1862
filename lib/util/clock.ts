/** Time as a dependency: real in the actions, simulated in tests (which never really wait). */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts (its timer cleared: a sleep nobody awaits any more keeps no process alive). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** Simulated time: `sleep` advances `now` instantly. `onSleep` lets a scenario act between polls. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(
    private current = 0,
    private readonly onSleep?: (now: number) => void | Promise<void>,
  ) {}
  now(): number {
    return this.current;
  }
  /** An abort ends the wait for `onSleep` (the time has passed all the same). */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    this.current += ms;
    const slept = this.onSleep?.(this.current);
    if (!signal || !slept) return void (await slept);
    if (signal.aborted) return;
    await new Promise<void>((resolve, reject) => {
      signal.addEventListener('abort', () => resolve(), { once: true });
      Promise.resolve(slept).then(() => resolve(), reject);
    });
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
