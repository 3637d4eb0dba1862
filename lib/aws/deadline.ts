/**
 * Time bounds on AWS calls. The SDK's own handler has no request timeout (0 = wait forever), so a
 * DescribeServices that never answers would keep an action running past its `timeout-seconds` and
 * the job's own timeout would then kill it before it records anything. Here every attempt gets a
 * connection timeout and a request timeout, both cut to what is left before the client's deadline,
 * and `boundByDeadline` makes a whole `send()` — retries and their back-off included — give up at
 * the deadline with a `DeadlineExceeded` error, which neither the SDK nor gantry retries.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions } from '@smithy/types';

export interface AwsTimeouts {
  /** Time to open a connection (default 5 s). */
  connectionTimeoutMs?: number;
  /** Time one attempt may take to answer (default 30 s). */
  requestTimeoutMs?: number;
  /** Epoch milliseconds after which no attempt is started and a running one is cut off. */
  deadline?: number;
}

export const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** A timeout this close to the deadline is the deadline's (a connection timeout long before it is not). */
const DEADLINE_SLACK_MS = 250;

/** An AWS call that would outlive the action's deadline. Not transient: nothing retries it. */
export class DeadlineExceededError extends Error {
  constructor(what: string, deadline: number) {
    super(`${what} did not answer before the action's deadline (${new Date(deadline).toISOString()})`);
    this.name = 'DeadlineExceeded';
  }
}

type HandleArgs = Parameters<NodeHttpHandler['handle']>;

/** NodeHttpHandler whose per-attempt request timeout never reaches past the deadline. */
export class DeadlineHttpHandler extends NodeHttpHandler {
  readonly requestTimeoutMs: number;
  readonly connectionTimeoutMs: number;
  readonly deadline: number | undefined;
  private readonly now: () => number;

  constructor(timeouts: AwsTimeouts = {}, now: () => number = Date.now) {
    const connectionTimeout = timeouts.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS;
    const requestTimeout = timeouts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes, and waits on.
    super({ connectionTimeout, requestTimeout, throwOnRequestTimeout: true });
    this.connectionTimeoutMs = connectionTimeout;
    this.requestTimeoutMs = requestTimeout;
    this.deadline = timeouts.deadline;
    this.now = now;
  }

  override handle(request: HandleArgs[0], options: HttpHandlerOptions = {}): ReturnType<NodeHttpHandler['handle']> {
    if (this.deadline === undefined) return super.handle(request, options);
    const deadline = this.deadline;
    const what = `${request.method} ${request.hostname}${request.path}`;
    const remaining = deadline - this.now();
    if (remaining <= 0) return Promise.reject(new DeadlineExceededError(what, deadline));
    const attempt = super.handle(request, { ...options, requestTimeout: Math.max(1, Math.min(this.requestTimeoutMs, remaining)) });
    if (remaining >= this.requestTimeoutMs) return attempt;
    // This attempt's timeout IS the deadline. Its timer and boundByDeadline's expire together and either may
    // fire first (timers count from the event loop's cached time, so the one armed later in the same tick can
    // expire a few ms sooner): the answer must be DeadlineExceeded either way, never a retryable TimeoutError
    // that sends the SDK or gantry into another back-off past the deadline.
    return attempt.catch((err: unknown) => {
      throw isTimeout(err) && this.now() >= deadline - DEADLINE_SLACK_MS ? new DeadlineExceededError(what, deadline) : err;
    });
  }
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || (err as { code?: string }).code === 'ETIMEDOUT');
}

interface MiddlewareHost {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string; override?: boolean },
    ): void;
  };
}

/**
 * Every `send()` of this client rejects with DeadlineExceeded at `deadline` at the latest, even
 * while the SDK sleeps between retries. (The abandoned attempt ends by its own request timeout,
 * which DeadlineHttpHandler also cut to the deadline.)
 */
export function boundByDeadline<C>(client: C, deadline: number, now: () => number = Date.now): C {
  (client as unknown as MiddlewareHost).middlewareStack.add(
    (next, context) => async (args) => {
      const what = context.commandName?.replace(/Command$/, '') ?? 'an AWS call';
      const remaining = deadline - now();
      if (remaining <= 0) throw new DeadlineExceededError(what, deadline);
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DeadlineExceededError(what, deadline)), remaining);
      });
      try {
        return await Promise.race([next(args), expired]);
      } catch (err) {
        // The HTTP handler's deadline names the request (POST host/); the operation is what a reader needs.
        if (err instanceof DeadlineExceededError) throw new DeadlineExceededError(what, deadline);
        throw err;
      } finally {
        clearTimeout(timer);
      }
    },
    { step: 'initialize', name: 'gantryDeadline', override: true },
  );
  return client;
}
