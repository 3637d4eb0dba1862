import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../lib/runner/errors';
import { inputEnvName } from '../../../lib/runner/inputs';
import { getInputs, isValidImageUri } from './inputs';

const workspace = mkdtempSync(path.join(os.tmpdir(), 'deploy-ecs-inputs-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));
writeFileSync(
  path.join(workspace, 'td.json'),
  JSON.stringify({ family: 'web', containerDefinitions: [{ name: 'app', image: 'r/web:1' }] }),
);
writeFileSync(path.join(workspace, 'broken.json'), '{ "family": "web", ');
writeFileSync(path.join(workspace, 'not-td.json'), JSON.stringify({ name: 'package', version: '1.0.0' }));

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

function env(inputs: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  const result: Record<string, string> = { GITHUB_SHA: SHA, GITHUB_WORKSPACE: workspace, ...extra };
  for (const [name, value] of Object.entries({ cluster: 'shop', service: 'web', ...inputs })) result[inputEnvName(name)] = value;
  return result;
}

describe('getInputs', () => {
  it('reads a typical deploy with defaults', () => {
    const inputs = getInputs(
      env({ image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web:a1b2c3d', version: 'v1.4.0', environment: 'staging' }),
    );
    expect(inputs).toMatchObject({
      cluster: 'shop',
      service: 'web',
      images: [{ image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web:a1b2c3d', container: undefined, input: 'image' }],
      'git-sha': SHA,
      version: '1.4.0',
      environment: 'staging',
      wait: true,
      'timeout-seconds': 900,
      'poll-interval-seconds': 10,
      'force-new-deployment': false,
      'dry-run': false,
    });
  });

  it('reads images, environment variables, a template file and durations', () => {
    const inputs = getInputs(
      env({
        images: 'app=r/web:2\nlog-router=r/fluent-bit:2',
        'environment-variables': 'A=1\nURL=https://x?a=b',
        'task-definition': 'td.json',
        'timeout-seconds': '15m',
        'poll-interval-seconds': '5',
        wait: 'false',
        'git-sha': 'ABCDEF1',
      }),
    );
    expect(inputs.images.map((i) => `${i.container}=${i.image}`)).toEqual(['app=r/web:2', 'log-router=r/fluent-bit:2']);
    expect([...inputs['environment-variables']]).toEqual([
      ['A', '1'],
      ['URL', 'https://x?a=b'],
    ]);
    expect(inputs['task-definition']?.definition.family).toBe('web');
    expect(inputs).toMatchObject({ 'timeout-seconds': 900, 'poll-interval-seconds': 5, wait: false, 'git-sha': 'abcdef1' });
  });

  it('reads a promotion with nothing to register', () => {
    const arn = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:12';
    expect(getInputs(env({ 'task-definition-arn': arn }, { AWS_REGION: 'us-east-1' }))).toMatchObject({
      'task-definition-arn': arn,
      images: [],
    });
    expect(getInputs(env({ 'task-definition-arn': 'web:12' }))['task-definition-arn']).toBe('web:12');
  });

  const bad: [string, Record<string, string>, string, RegExp, Record<string, string>?][] = [
    ['missing cluster', { cluster: '', image: 'r/web:1' }, 'cluster', /is missing/],
    ['malformed service name', { service: 'web shop', image: 'r/web:1' }, 'service', /an ECS service name \(1 to 255 letters/],
    [
      'malformed cluster ARN',
      { cluster: 'arn:aws:ecs:us-east-1:1:cluster/x', image: 'r/web:1' },
      'cluster',
      /an ECS cluster name .* or ARN/,
    ],
    ['missing service', { service: '', image: 'r/web:1' }, 'service', /is missing/],
    ['no image at all', {}, 'image', /required unless 'images' or 'task-definition-arn'/],
    ['malformed image', { image: 'Registry/Shop Web:1' }, 'image', /image URI/],
    ['image without tag or digest', { image: 'registry.example.com/shop/web' }, 'image', /tag or digest/],
    ['short digest', { image: 'r/web@sha256:abc' }, 'image', /image URI/],
    ['images and image together', { image: 'r/web:1', images: 'app=r/web:1' }, 'images', /either 'images' or 'image'/],
    ['images and container-name together', { images: 'app=r/web:1', 'container-name': 'app' }, 'container-name', /nothing when 'images'/],
    ['malformed line in images', { images: 'app r/web:1' }, 'images', /container=image|KEY=VALUE/],
    ['bad image in images', { images: 'app=not an image' }, 'images', /image URI/],
    ['task definition file missing', { image: 'r/web:1', 'task-definition': 'nope.json' }, 'task-definition', /existing file/],
    ['task definition invalid JSON', { image: 'r/web:1', 'task-definition': 'broken.json' }, 'task-definition', /not valid JSON/],
    ['task definition not a task definition', { image: 'r/web:1', 'task-definition': 'not-td.json' }, 'task-definition', /"family"/],
    [
      'task definition outside the workspace',
      { image: 'r/web:1', 'task-definition': '../../etc/passwd' },
      'task-definition',
      /inside the workspace/,
    ],
    ['invalid semver', { image: 'r/web:1', version: '1.2' }, 'version', /semantic version/],
    ['non-numeric timeout', { image: 'r/web:1', 'timeout-seconds': 'soon' }, 'timeout-seconds', /number of seconds/],
    ['interval below 1', { image: 'r/web:1', 'poll-interval-seconds': '0' }, 'poll-interval-seconds', /from 1 to 300/],
    [
      'interval above the timeout',
      { image: 'r/web:1', 'poll-interval-seconds': '60', 'timeout-seconds': '30' },
      'poll-interval-seconds',
      /at most timeout-seconds/,
    ],
    ['wait not a boolean', { image: 'r/web:1', wait: 'yes' }, 'wait', /'true' or 'false'/],
    ['dry-run not a boolean', { image: 'r/web:1', 'dry-run': '1' }, 'dry-run', /'true' or 'false'/],
    ['bad git sha', { image: 'r/web:1', 'git-sha': 'main' }, 'git-sha', /git commit SHA/],
    ['no git sha anywhere', { image: 'r/web:1' }, 'git-sha', /git commit SHA/, { GITHUB_SHA: '' }],
    ['bad environment variable line', { image: 'r/web:1', 'environment-variables': 'not a pair' }, 'environment-variables', /KEY=VALUE/],
    [
      'reserved environment variable',
      { image: 'r/web:1', 'environment-variables': 'DEPLOY_GIT_SHA=x' },
      'environment-variables',
      /gantry sets them/,
    ],
    ['bad environment name', { image: 'r/web:1', environment: 'prod env!' }, 'environment', /environment name/],
    ['bad task definition arn', { 'task-definition-arn': 'web' }, 'task-definition-arn', /<family>:<revision>/],
    ['promotion with an image', { 'task-definition-arn': 'web:3', image: 'r/web:1' }, 'image', /nothing when task-definition-arn/],
    [
      'promotion with environment variables (keys shown, never values)',
      { 'task-definition-arn': 'web:3', 'environment-variables': 'DB_PASSWORD=hunter2\nA=1' },
      'environment-variables',
      /^Input 'environment-variables' has value 'DB_PASSWORD=…, A=…': expected nothing when task-definition-arn/,
    ],
    [
      'malformed environment-variables line (line and key, never its text)',
      { image: 'r/web:1', 'environment-variables': 'A=1\nDB_PASSWORD hunter2' },
      'environment-variables',
      /^Input 'environment-variables' has value 'line 2 \(19 characters, not shown: it may hold a secret\)': expected lines of the form KEY=VALUE/,
    ],
    [
      'promotion with a template',
      { 'task-definition-arn': 'web:3', 'task-definition': 'td.json' },
      'task-definition',
      /nothing when task-definition-arn/,
    ],
    ['bad container name', { image: 'r/web:1', 'container-name': 'my app' }, 'container-name', /container name/],
    [
      'cluster ARN of another region',
      { image: 'r/web:1', cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/shop' },
      'cluster',
      /^Input 'cluster' has value 'arn:aws:ecs:eu-west-1:123456789012:cluster\/shop': expected an ARN in the region the action calls, us-east-1 \(this ARN is in eu-west-1\): set aws-region/,
      { AWS_REGION: 'us-east-1' },
    ],
    [
      'task definition ARN of another region',
      { 'task-definition-arn': 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3' },
      'task-definition-arn',
      /in the region the action calls, us-east-1 \(this ARN is in eu-west-1\)/,
      { AWS_REGION: 'us-east-1' },
    ],
    [
      'ARN region against the aws-region input',
      { image: 'r/web:1', service: 'arn:aws:ecs:us-east-1:123456789012:service/shop/web', 'aws-region': 'eu-west-1' },
      'service',
      /region the action calls, eu-west-1 \(this ARN is in us-east-1\)/,
      { AWS_REGION: 'us-east-1' },
    ],
    [
      'ARNs of two accounts',
      {
        'task-definition-arn': 'arn:aws:ecs:us-east-1:222222222222:task-definition/web:3',
        cluster: 'arn:aws:ecs:us-east-1:111111111111:cluster/shop',
      },
      'task-definition-arn',
      /expected an ARN of account 111111111111, as cluster says \(this ARN is of account 222222222222\)/,
      { AWS_REGION: 'us-east-1' },
    ],
    [
      'ARN of another account than aws-account-id',
      { image: 'r/web:1', cluster: 'arn:aws:ecs:us-east-1:111111111111:cluster/shop', 'aws-account-id': '999999999999' },
      'cluster',
      /an ARN of account 999999999999, as aws-account-id says \(this ARN is of account 111111111111\)/,
      { AWS_REGION: 'us-east-1' },
    ],
    [
      'malformed aws-account-id',
      { image: 'r/web:1', 'aws-account-id': '1234' },
      'aws-account-id',
      /a 12-digit AWS account ID/,
      { AWS_REGION: 'us-east-1' },
    ],
    [
      'service ARN of another cluster',
      { image: 'r/web:1', service: 'arn:aws:ecs:us-east-1:123456789012:service/payments/web' },
      'service',
      /a service of cluster 'shop' \(this ARN names cluster 'payments'\)/,
      { AWS_REGION: 'us-east-1' },
    ],
    [
      'an input with a NUL',
      { image: 'r/web:1', environment: 'staging\0' },
      'environment',
      /has a NUL character at position 8 \(the value is not shown\)/,
    ],
  ];
  it.each(bad)('%s → InputError naming the input', (_name, inputs, input, message, extra) => {
    let error: unknown;
    try {
      getInputs(env(inputs, extra));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe(input);
    expect((error as InputError).message).toMatch(new RegExp(`^Input '${input}'`));
    expect((error as InputError).message).toMatch(message);
  });
});

describe('isValidImageUri', () => {
  it.each([
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:a1b2c3d',
    `registry.example.com:5000/team/app@sha256:${'a'.repeat(64)}`,
    `ghcr.io/acme/shop:1.4.0@sha256:${'0'.repeat(64)}`,
    'nginx:1.27-alpine',
    'localhost:5000/web:latest',
    'public.ecr.aws/docker/library/redis:7.2',
  ])('accepts %s', (uri) => expect(isValidImageUri(uri)).toBe(true));
  it.each([
    'nginx',
    'registry.example.com/shop/web',
    'Shop/Web:1',
    'web:',
    'web:-bad',
    'r/web@sha256:xyz',
    'r//web:1',
    ' r/web:1',
    'https://registry/web:1',
  ])('rejects %s', (uri) => expect(isValidImageUri(uri)).toBe(false));
});
