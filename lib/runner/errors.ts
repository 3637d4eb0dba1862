/**
 * An input the user gave (or failed to give) is wrong. The message names the input,
 * the value received and what was expected; `run()` prints it without a stack trace,
 * because the stack is noise to the person who has to fix their workflow file.
 */
export class InputError extends Error {
  readonly input: string;
  readonly value: string | undefined;
  readonly expected: string;

  constructor(input: string, value: string | undefined, expected: string) {
    const received = value === undefined || value === '' ? 'is missing' : `has value '${truncate(value)}'`;
    super(`Input '${input}' ${received}: expected ${expected}.`);
    this.name = 'InputError';
    this.input = input;
    this.value = value;
    this.expected = expected;
  }
}

/**
 * A failure the action detected and can explain (rollout failed, check failed, plan stale).
 * Printed without a stack trace; `details` are extra lines for the log.
 */
export class ActionFailure extends Error {
  readonly details: readonly string[];
  constructor(message: string, details: readonly string[] = []) {
    super(message);
    this.name = 'ActionFailure';
    this.details = details;
  }
}

function truncate(value: string, max = 200): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/** A readable one-line description of anything thrown, including AWS SDK service errors. */
export function describeError(err: unknown): string {
  if (err instanceof InputError || err instanceof ActionFailure) return err.message;
  if (err instanceof Error) {
    const meta = (err as { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata;
    const parts = [`${err.name}: ${err.message}`];
    if (meta?.httpStatusCode) parts.push(`(HTTP ${meta.httpStatusCode}${meta.requestId ? `, request ${meta.requestId}` : ''})`);
    return parts.join(' ');
  }
  return String(err);
}
