import { describe, expect, it } from 'vitest';
import { backoffDelay, isTransientAwsError } from './retry';

function awsError(name: string, status?: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

describe('backoff and error classes', () => {
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
