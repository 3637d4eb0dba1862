/**
 * Exponential backoff with full jitter (the AWS architecture blog's recommendation, as
 * aws-actions/configure-aws-credentials does), and which AWS errors are worth another try. The
 * retry loops themselves live where the retry decision differs (deploy-ecs's registration, the
 * smoke test's checks, the rollout polls).
 */

/** Full-jitter delay before attempt `attempt + 1`: uniform in [0, min(maxMs, baseMs × 2^(attempt−1))]. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'ServerException',
  'TimeoutError',
  'RequestTimeout',
]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/** Throttling, 5xx and network errors are worth another poll; everything else is not. */
export function isTransientAwsError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & { code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (TRANSIENT_NAMES.has(e.name) || (e.code && TRANSIENT_CODES.has(e.code))) return true;
  const status = e.$metadata?.httpStatusCode;
  return (status !== undefined && status >= 500) || e.$retryable !== undefined;
}
