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

describe('getInputs services (a list of services)', () => {
  const env = (inputs: Record<string, string>) =>
    Object.fromEntries(Object.entries({ cluster: 'shop', ...inputs }).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]));

  it("takes deploy-ecs's rollback-services JSON as it is: each service with its own target", () => {
    const TD1 = 'arn:aws:ecs:us-east-1:123456789012:task-definition/api:1';
    const inputs = getInputs(
      env({
        services: JSON.stringify([{ service: 'api', target: TD1 }, { service: 'worker' }]),
        target: 'revision:3',
        'aws-region': 'us-east-1',
      }),
    );
    expect(inputs.service).toBe('');
    expect(inputs.services).toEqual([
      { index: 1, service: 'api', target: { kind: 'arn', arn: TD1, family: 'api', revision: 1 }, 'target-input': TD1 },
      { index: 2, service: 'worker', target: { kind: 'revision', revision: 3 }, 'target-input': 'revision:3' },
    ]);
  });

  it.each([
    [
      'with service',
      { service: 'web', services: '- service: api' },
      /^Input 'service' has value 'web': expected nothing when 'services' is given/,
    ],
    [
      'a bad target',
      { services: '- service: api\n  target: last' },
      /^Input 'services' has value 'services\[1\] \(api\) target=last': expected 'previous'/,
    ],
    ['a service twice', { services: '- api\n- api' }, /each service once \(service 'api' is also services\[1\]\)/],
    ['51 services', { services: Array.from({ length: 51 }, (_, i) => `- s${i}`).join('\n') }, /at most 50 services/],
    ['an unknown key', { services: '- service: api\n  container-name: api' }, /only the keys 'service', 'target' in an entry/],
    [
      'a target ARN of another region',
      { services: '- service: api\n  target: arn:aws:ecs:eu-west-1:123456789012:task-definition/api:1', 'aws-region': 'us-east-1' },
      /^Input 'services' has value 'arn:aws:ecs:eu-west-1.*expected an ARN in the region the action calls, us-east-1/,
    ],
  ])('%s → InputError', (_name, inputs, message) => {
    expect(() => getInputs(env(inputs))).toThrow(InputError);
    expect(() => getInputs(env(inputs))).toThrow(message);
  });
});
