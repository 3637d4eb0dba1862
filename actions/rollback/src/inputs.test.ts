import { describe, expect, it } from 'vitest';
import { InputError } from '../../../lib/runner/errors';
import { getInputs } from './inputs';
import { describeTarget, parseTarget } from './target';

const ARN = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:12';

describe('parseTarget', () => {
  it.each([
    ['', { kind: 'previous' }],
    ['previous', { kind: 'previous' }],
    ['sha:1A2B3C4', { kind: 'sha', sha: '1a2b3c4' }],
    [`sha:${'f'.repeat(40)}`, { kind: 'sha', sha: 'f'.repeat(40) }],
    ['version:1.4.2', { kind: 'version', version: '1.4.2' }],
    ['version:v2.0.0-rc.1', { kind: 'version', version: '2.0.0-rc.1' }],
    ['revision:7', { kind: 'revision', revision: 7 }],
    [ARN, { kind: 'arn', arn: ARN, family: 'web', revision: 12 }],
    [
      'arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/my_app-2:3',
      { kind: 'arn', arn: 'arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/my_app-2:3', family: 'my_app-2', revision: 3 },
    ],
  ])('%s', (value, expected) => {
    expect(parseTarget(value)).toEqual(expected);
  });

  it.each([
    ['last', /expected 'previous', 'sha:<git sha/],
    ['Previous', /expected 'previous'/],
    ['tag:v1', /expected 'previous'/],
    ['web:12', /expected 'previous'/],
    ['sha:', /sha:<git sha> with 7 to 40 hexadecimal characters/],
    ['sha:abc12', /7 to 40 hexadecimal/],
    ['sha:xyz1234', /7 to 40 hexadecimal/],
    [`sha:${'a'.repeat(41)}`, /7 to 40 hexadecimal/],
    ['version:1.2', /version:<semver>/],
    ['version:latest', /version:<semver>/],
    ['revision:0', /revision:<n> with a revision number of at least 1/],
    ['revision:-1', /at least 1/],
    ['revision:two', /at least 1/],
    ['revision:1.5', /at least 1/],
    ['arn:aws:ecs:eu-west-1:123456789012:task-definition/web', /a full task definition ARN/],
    ['arn:aws:ecs:eu-west-1:123456789012:service/prod/web', /a full task definition ARN/],
    ['arn:aws:ecs:eu-west-1:123456789012:task-definition/web:0', /revision of at least 1/],
    ['arn:aws:ecs:eu-west-1:123456789012:task-definition/web:latest', /revision of at least 1/],
  ])('%s is an InputError naming target', (value, expected) => {
    const err = (() => {
      try {
        parseTarget(value);
      } catch (e) {
        return e;
      }
      throw new Error('expected an error');
    })();
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe('target');
    expect((err as InputError).message).toMatch(/^Input 'target' has value /);
    expect((err as InputError).message).toMatch(expected);
  });

  it('describes targets the way they are written', () => {
    expect(['previous', 'sha:1a2b3c4', 'version:1.0.0', 'revision:3', ARN].map((v) => describeTarget(parseTarget(v)))).toEqual([
      'previous',
      'sha:1a2b3c4',
      'version:1.0.0',
      'revision:3',
      ARN,
    ]);
  });
});

const base = { INPUT_CLUSTER: 'prod', INPUT_SERVICE: 'web' };

describe('getInputs', () => {
  it('applies its defaults (test/contracts checks them against action.yml)', () => {
    expect(getInputs(base)).toEqual({
      cluster: 'prod',
      service: 'web',
      target: { kind: 'previous' },
      'target-input': 'previous',
      reason: undefined,
      wait: true,
      'timeout-seconds': 900,
      'poll-interval-seconds': 10,
      'dry-run': false,
      'log-lines': 20,
      'aws-region': undefined,
      'endpoint-url': undefined,
    });
  });

  it('reads every input', () => {
    const inputs = getInputs({
      ...base,
      INPUT_SERVICE: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web',
      INPUT_TARGET: ' version:v1.2.3 ',
      INPUT_REASON: 'smoke test failed: /health 500',
      INPUT_WAIT: 'false',
      'INPUT_TIMEOUT-SECONDS': '15m',
      'INPUT_POLL-INTERVAL-SECONDS': '5',
      'INPUT_DRY-RUN': 'TRUE',
      'INPUT_AWS-REGION': 'eu-west-1',
      'INPUT_ENDPOINT-URL': 'http://127.0.0.1:5000',
    });
    expect(inputs).toMatchObject({
      service: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web',
      target: { kind: 'version', version: '1.2.3' },
      'target-input': 'version:v1.2.3',
      reason: 'smoke test failed: /health 500',
      wait: false,
      'timeout-seconds': 900,
      'poll-interval-seconds': 5,
      'dry-run': true,
      'aws-region': 'eu-west-1',
      'endpoint-url': 'http://127.0.0.1:5000',
    });
  });

  it.each<[Record<string, string>, string]>([
    [{ INPUT_CLUSTER: '' }, 'cluster'],
    [{ INPUT_SERVICE: '' }, 'service'],
    [{ INPUT_SERVICE: 'web service' }, 'service'],
    [{ INPUT_CLUSTER: 'prod/eu' }, 'cluster'],
    [{ INPUT_TARGET: 'latest' }, 'target'],
    [{ INPUT_WAIT: 'yes' }, 'wait'],
    [{ 'INPUT_DRY-RUN': '1' }, 'dry-run'],
    [{ 'INPUT_TIMEOUT-SECONDS': '0' }, 'timeout-seconds'],
    [{ 'INPUT_POLL-INTERVAL-SECONDS': '0' }, 'poll-interval-seconds'],
    [{ 'INPUT_POLL-INTERVAL-SECONDS': '120', 'INPUT_TIMEOUT-SECONDS': '60' }, 'poll-interval-seconds'],
    [{ INPUT_REASON: 'x'.repeat(1025) }, 'reason'],
  ])('%j is an InputError naming %s', (overrides, input) => {
    let caught: unknown;
    try {
      getInputs({ ...base, ...overrides });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).input).toBe(input);
  });
});
