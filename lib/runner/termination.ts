/**
 * A cancelled job (or one hitting its timeout-minutes) ends the step's process: the runner sends
 * SIGINT, then SIGTERM about 7.5 s later, then kills it 2.5 s after that. Without a handler Node
 * dies at the first signal, before any `finally`, and an action that had already changed a
 * service leaves no outputs and a `pending` release behind. `onTermination` runs a recorder on the
 * first SIGINT/SIGTERM — bounded by `graceMs`, well inside the runner's 7.5 s — then exits 1.
 * A second signal while it records exits at once.
 */
export interface TerminationOptions {
  /** Writes what is known (outputs, tags). Must not throw; is cut off after `graceMs`. */
  record: (signal: NodeJS.Signals) => Promise<void>;
  graceMs: number;
  /** Printed when the signal arrives. */
  announce?: (line: string) => void;
  /** Default process.exit. */
  exit?: (code: number) => void;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Installs the handlers; returns a function that removes them. */
export function onTermination(options: TerminationOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let recording = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (recording) {
      options.announce?.(`Received ${signal} again: exiting now.`);
      exit(1);
      return;
    }
    recording = true;
    options.announce?.(`Received ${signal} (job cancelled or timed out): recording what is known before exiting.`);
    let timer: NodeJS.Timeout | undefined;
    const cutOff = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, options.graceMs);
    });
    void Promise.race([options.record(signal).catch(() => undefined), cutOff]).finally(() => {
      clearTimeout(timer);
      exit(1);
    });
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of SIGNALS) process.off(signal, handler);
  };
}
