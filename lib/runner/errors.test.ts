import { describe, expect, it } from 'vitest';
import { DeadlineExceededError } from '../aws/deadline';
import { ActionFailure, InputError, describeError, describeFailure, failureCode } from './errors';

describe('failure codes', () => {
  it('an InputError and an ActionFailure print their own code before the message; the message itself is unchanged', () => {
    const input = new InputError('GANTRY-DEPLOY-007', 'hook-id', 'x y', 'a lifecycle hook id');
    expect(input.code).toBe('GANTRY-DEPLOY-007');
    expect(input.message).toBe("Input 'hook-id' has value 'x y': expected a lifecycle hook id.");
    expect(describeFailure(input)).toBe("GANTRY-DEPLOY-007: Input 'hook-id' has value 'x y': expected a lifecycle hook id.");
    const failure = new ActionFailure('GANTRY-TERRAFORM-004', 'The saved plan is stale.', ['detail']);
    expect(describeFailure(failure)).toBe('GANTRY-TERRAFORM-004: The saved plan is stale.');
    expect(describeError(failure)).toBe('The saved plan is stale.');
  });

  it('an AWS service error gets GANTRY-AWS-001, a deadline GANTRY-AWS-002, anything else GANTRY-RUNNER-001', () => {
    const aws = Object.assign(new Error('User is not authorized'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403, requestId: 'req-1' },
    });
    expect(failureCode(aws)).toBe('GANTRY-AWS-001');
    expect(describeFailure(aws)).toBe('GANTRY-AWS-001: AccessDeniedException: User is not authorized (HTTP 403, request req-1)');
    const deadline = new DeadlineExceededError('DescribeServices', Date.UTC(2026, 0, 1));
    expect(describeFailure(deadline)).toBe(
      "GANTRY-AWS-002: DeadlineExceeded: DescribeServices did not answer before the action's deadline (2026-01-01T00:00:00.000Z)",
    );
    expect(describeFailure(new TypeError('x is undefined'))).toBe('GANTRY-RUNNER-001: TypeError: x is undefined');
    expect(describeFailure('a string')).toBe('GANTRY-RUNNER-001: a string');
  });
});
