import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock';
import { backoffDelay, isTransientAwsError, retry } from './retry';

function awsError(name: string, status?: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

describe('retry', () => {
  it('retries transient failures with full-jitter backoff and never really waits', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const value = await retry(
      async () => {
        calls += 1;
        if (calls < 3) throw awsError('ThrottlingException', 400);
        return 'ok';
      },
      { attempts: 5, baseMs: 100, maxMs: 1000, clock, isRetryable: isTransientAwsError, random: () => 1 },
    );
    expect(value).toBe('ok');
    expect(clock.sleeps).toEqual([100, 200]);
  });

  it('gives up after the attempts and on non-retryable errors', async () => {
    const clock = new FakeClock();
    await expect(
      retry(async () => Promise.reject(awsError('ThrottlingException')), { attempts: 3, baseMs: 1, maxMs: 1, clock, isRetryable: () => true }),
    ).rejects.toThrow('ThrottlingException');
    expect(clock.sleeps).toHaveLength(2);
    const other = new FakeClock();
    await expect(
      retry(async () => Promise.reject(awsError('AccessDeniedException', 400)), { attempts: 3, baseMs: 1, maxMs: 1, clock: other, isRetryable: isTransientAwsError }),
    ).rejects.toThrow('AccessDeniedException');
    expect(other.sleeps).toHaveLength(0);
  });

  it('caps the backoff', () => {
    expect(backoffDelay(10, 100, 1000, () => 1)).toBe(1000);
    expect(backoffDelay(1, 100, 1000, () => 0)).toBe(0);
  });

  it('classifies errors', () => {
    expect(isTransientAwsError(awsError('ThrottlingException', 400))).toBe(true);
    expect(isTransientAwsError(awsError('InternalError', 503))).toBe(true);
    expect(isTransientAwsError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransientAwsError(awsError('ServiceNotFoundException', 400))).toBe(false);
    expect(isTransientAwsError('string')).toBe(false);
  });
});
