/** Time as a dependency: real in the actions, simulated in tests (which never really wait). */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
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
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.current += ms;
    await this.onSleep?.(this.current);
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
