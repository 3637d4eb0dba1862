/**
 * Where a failure comes from: one area per action, and one per shared part of lib/ (the input
 * readers, AWS and ECS checks, the runner itself) and for the workflows' own steps (WF).
 */
export type FailureArea =
  'INPUT' | 'AWS' | 'ECS' | 'RUNNER' | 'DEPLOY' | 'ROLLBACK' | 'RUNTASK' | 'SMOKE' | 'PARITY' | 'TERRAFORM' | 'GATE' | 'WF';

/**
 * A failure's stable code, `GANTRY-<AREA>-<NNN>` (three digits): printed before the message and
 * the anchor of its entry in docs/infra/runbook.md. Written at the throw site; a number is never
 * reused for another failure (test/docs/runbook.test.ts checks the code set against the runbook).
 */
export type FailureCode = `GANTRY-${FailureArea}-${number}`;

/**
 * An input the user gave (or failed to give) is wrong. The message names the input,
 * the value received and what was expected; `run()` prints it after its code, without a stack trace,
 * because the stack is noise to the person who has to fix their workflow file.
 */
export class InputError extends Error {
  readonly code: FailureCode;
  readonly input: string;
  readonly value: string | undefined;
  readonly expected: string;

  constructor(code: FailureCode, input: string, value: string | undefined, expected: string) {
    const received = value === undefined || value === '' ? 'is missing' : `has value '${truncate(value)}'`;
    super(`Input '${input}' ${received}: expected ${expected}.`);
    this.name = 'InputError';
    this.code = code;
    this.input = input;
    this.value = value;
    this.expected = expected;
  }
}

/**
 * A failure the action detected and can explain (rollout failed, check failed, plan stale).
 * Printed without a stack trace, after its code; `details` are extra lines for the log.
 */
export class ActionFailure extends Error {
  readonly code: FailureCode;
  readonly details: readonly string[];
  constructor(code: FailureCode, message: string, details: readonly string[] = []) {
    super(message);
    this.name = 'ActionFailure';
    this.code = code;
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

/** An AWS service error (the SDK's `$metadata`): the runbook's AWS errors table. */
export const AWS_ERROR: FailureCode = 'GANTRY-AWS-001';
/** An AWS call cut off at the action's deadline (lib/aws/deadline.ts's DeadlineExceeded). */
export const AWS_DEADLINE: FailureCode = 'GANTRY-AWS-002';
/** Anything else gantry did not foresee: a bug, or an answer nobody expected. */
export const UNEXPECTED_ERROR: FailureCode = 'GANTRY-RUNNER-001';

/** The code of anything thrown: gantry's own errors carry one; others get the AWS or the unexpected-error code. */
export function failureCode(err: unknown): FailureCode {
  if (err instanceof InputError || err instanceof ActionFailure) return err.code;
  if (err instanceof Error && err.name === 'DeadlineExceeded') return AWS_DEADLINE;
  if (err instanceof Error && (err as { $metadata?: unknown }).$metadata !== undefined) return AWS_ERROR;
  return UNEXPECTED_ERROR;
}

/** How a failure is printed (the step's error, the job summary): `<code>: <description>`. */
export function describeFailure(err: unknown): string {
  return `${failureCode(err)}: ${describeError(err)}`;
}
