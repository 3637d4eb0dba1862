import { DescribeTaskDefinitionCommand, ECSClient, ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DeadlineExceededError } from '../../../lib/aws/deadline';
import { FakeClock } from '../../../lib/util/clock';
import { memoryLogger } from '../../../lib/runner/logger';
import { registerTaskDefinitionOnce } from './register';

const ecsMock = mockClient(ECSClient);
const TOKEN = '11111111-2222-3333-4444-555555555555';
const TD = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${n}`;
const input = { family: 'web', containerDefinitions: [{ name: 'app', image: 'r/web:2' }], tags: [{ key: 'team', value: 'shop' }] };
const lost = () => Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });

function register() {
  const log = memoryLogger();
  return {
    log,
    promise: registerTaskDefinitionOnce({
      ecs: new ECSClient({ region: 'us-east-1' }),
      input,
      runToken: TOKEN,
      clock: new FakeClock(0),
      log,
      random: () => 0.5,
    }),
  };
}

beforeEach(() => {
  ecsMock.reset();
  ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [TD(2), TD(1)] });
  ecsMock
    .on(DescribeTaskDefinitionCommand, { taskDefinition: TD(1) })
    .resolves({ taskDefinition: { taskDefinitionArn: TD(1), revision: 1 }, tags: [] });
});

describe('registerTaskDefinitionOnce', () => {
  it('registers with the run token added to the tags', async () => {
    ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TD(2), revision: 2 } });
    expect(await register().promise).toMatchObject({ taskDefinitionArn: TD(2) });
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input.tags).toEqual([
      { key: 'team', value: 'shop' },
      { key: 'gantry:run-token', value: TOKEN },
    ]);
  });

  it('a lost answer: finds the revision carrying the token instead of registering again', async () => {
    ecsMock.on(RegisterTaskDefinitionCommand).rejects(lost());
    ecsMock
      .on(DescribeTaskDefinitionCommand, { taskDefinition: TD(2) })
      .resolves({ taskDefinition: { taskDefinitionArn: TD(2), revision: 2 }, tags: [{ key: 'gantry:run-token', value: TOKEN }] });
    const { promise, log } = register();
    expect(await promise).toMatchObject({ taskDefinitionArn: TD(2) });
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
    expect(log.text()).toMatch(/its outcome is unknown: looking for this run's gantry:run-token before trying again/);
  });

  it('a lost answer and no such revision: registers again', async () => {
    ecsMock
      .on(RegisterTaskDefinitionCommand)
      .rejectsOnce(lost())
      .resolves({ taskDefinition: { taskDefinitionArn: TD(2), revision: 2 } });
    ecsMock
      .on(DescribeTaskDefinitionCommand, { taskDefinition: TD(2) })
      .resolves({ taskDefinition: { taskDefinitionArn: TD(2), revision: 2 }, tags: [{ key: 'gantry:run-token', value: 'another run' }] });
    expect(await register().promise).toMatchObject({ taskDefinitionArn: TD(2) });
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(2);
  });

  it('a refusal (HTTP 4xx) is thrown as it is, without a retry', async () => {
    const refused = Object.assign(new Error('Container.image should not be null'), {
      name: 'ClientException',
      $metadata: { httpStatusCode: 400 },
    });
    ecsMock.on(RegisterTaskDefinitionCommand).rejects(refused);
    await expect(register().promise).rejects.toThrow('Container.image should not be null');
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
    expect(ecsMock.commandCalls(ListTaskDefinitionsCommand)).toHaveLength(0);
  });

  it('never registers while it cannot tell whether the last attempt did', async () => {
    ecsMock.on(RegisterTaskDefinitionCommand).rejects(lost());
    ecsMock.on(ListTaskDefinitionsCommand).rejects(lost());
    await expect(register().promise).rejects.toThrow(
      /^RegisterTaskDefinition of family web failed after 6 attempts and whether a revision carries this run's gantry:run-token 1111\S+ is unknown \(the look-up failed: TimeoutError: socket hang up/,
    );
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
  });

  it('an attempt cut off at the deadline ends the registration there: no back-off and no look-up past the deadline', async () => {
    // The bench's "RegisterTaskDefinition hangs" case: the attempt's request timeout (cut to the deadline) fires
    // just before the deadline's own timer, so the error is a TimeoutError, not DeadlineExceeded. Every look-up
    // after it fails at once (the client is past its deadline), and each failure used to be followed by a
    // full-jitter back-off: 0.5 + 1 + 2 + 4 + 5 s, 12.5 s past the deadline.
    const deadline = 4_000;
    const clock = new FakeClock(0);
    ecsMock.on(RegisterTaskDefinitionCommand).callsFake(() => {
      clock.advance(deadline - 10 - clock.now());
      throw Object.assign(new Error('a request has exceeded the configured 3990 ms requestTimeout.'), {
        name: 'TimeoutError',
        code: 'ETIMEDOUT',
      });
    });
    ecsMock.on(ListTaskDefinitionsCommand).callsFake(() => {
      if (clock.now() >= deadline) throw new DeadlineExceededError('ListTaskDefinitions', deadline);
      return { taskDefinitionArns: [] };
    });
    const log = memoryLogger();
    const failure = await registerTaskDefinitionOnce({
      ecs: new ECSClient({ region: 'us-east-1' }),
      input,
      runToken: TOKEN,
      clock,
      log,
      deadline,
      random: () => 1,
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(
      /^RegisterTaskDefinition of family web failed after 1 attempt .*The service was NOT changed\.$/,
    );
    expect(clock.now()).toBeLessThanOrEqual(deadline);
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
  });
});
