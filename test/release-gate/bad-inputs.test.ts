/**
 * Bad inputs of the release gate through the bundle: each fails the step with exit code 1 and a
 * message naming the input, and nothing is asked: one stand-in on 127.0.0.1 serves as both the GitHub
 * API and the AWS endpoint, and records no request.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitFailureCode, runAction } from '../support/harness';

const SHA = 'a'.repeat(40);
const DIGEST = `sha256:${'d'.repeat(64)}`;
const ARN = 'arn:aws:ecs:us-east-1:123456789012:task-definition/shop:3';
let server: Server;
let url = '';
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    response.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const good: Record<string, Record<string, string>> = {
  resolve: { command: 'resolve', environment: 'production', 'promote-from': 'staging', 'github-token': 't' },
  promotion: {
    command: 'promotion',
    environment: 'production',
    sha: SHA,
    'promote-from': 'staging',
    'gantry-repository': 'your-org/gantry',
    'github-token': 't',
  },
  image: { command: 'image', environment: 'production', sha: SHA, 'ecr-repository': 'shop', 'image-digest': DIGEST },
  record: {
    command: 'record',
    environment: 'production',
    sha: SHA,
    'task-definition-arn': ARN,
    image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/shop@${DIGEST}`,
    promotion: 'proven',
  },
  services: { command: 'services', environment: 'staging', cluster: 'shop', services: '- service: api\n- service: worker\n' },
};

// [case, command, inputs over the good ones ('' removes one), input named, what the message says]
const cases: [string, string, Record<string, string>, string, RegExp][] = [
  ['unknown command', 'image', { command: 'build' }, 'command', /one of 'resolve', 'promotion', 'image', 'record', 'services'/],
  [
    'environment with a newline',
    'promotion',
    { environment: 'production\nsha=x' },
    'environment',
    /an environment name \(letters, digits, - and _\)/,
  ],
  ['no environment', 'image', { environment: '' }, 'environment', /is missing: expected an environment name/],
  [
    'version with an injected output',
    'resolve',
    { version: `1.2.3\nsha=${'0'.repeat(40)}` },
    'version',
    /a semantic version such as 1\.2\.3/,
  ],
  ['version that is not semver', 'resolve', { version: 'latest' }, 'version', /a semantic version/],
  ['ref with spaces', 'resolve', { ref: 'main; rm -rf /' }, 'ref', /a commit SHA, tag or branch name/],
  ['production branch with ..', 'resolve', { 'production-branch': 'main/../x' }, 'production-branch', /a branch name/],
  [
    'resolve for production without a token',
    'resolve',
    { 'github-token': '' },
    'github-token',
    /to check the commit is reachable from production-branch/,
  ],
  ['short SHA', 'promotion', { sha: 'abc1234' }, 'sha', /a full 40-character lower-case commit SHA/],
  ['promote-from itself', 'promotion', { 'promote-from': 'production' }, 'promote-from', /not production itself/],
  [
    'promotion without gantry repository',
    'promotion',
    { 'gantry-repository': '' },
    'gantry-repository',
    /owner\/name of gantry \(job\.workflow_repository\)/,
  ],
  [
    'promotion without a token',
    'promotion',
    { 'github-token': '' },
    'github-token',
    /a token that can read the repository, its deployments/,
  ],
  [
    'override with a blank reason',
    'promotion',
    { 'allow-unpromoted': 'true', 'override-reason': ' ' },
    'override-reason',
    /at least 20 characters that names the ticket/,
  ],
  [
    'override reason without a ticket',
    'promotion',
    { 'allow-unpromoted': 'true', 'override-reason': 'we really need this out today please' },
    'override-reason',
    /INC-123, an issue such as #123, or an https:\/\/ link/,
  ],
  [
    'override reason too long',
    'promotion',
    { 'allow-unpromoted': 'true', 'override-reason': `INC-1 ${'x'.repeat(1100)}` },
    'override-reason',
    /at most 1024 characters/,
  ],
  ['promote-from-branch with a space', 'promotion', { 'promote-from-branch': 'dev elop' }, 'promote-from-branch', /a branch name/],
  ['image without a digest', 'image', { 'image-digest': '' }, 'image-digest', /the sha256 digest to deploy/],
  ['image digest by tag', 'image', { 'image-digest': 'latest' }, 'image-digest', /sha256:<64 lower-case hex>/],
  ['ECR repository with capitals', 'image', { 'ecr-repository': 'Shop' }, 'ecr-repository', /an ECR repository name/],
  [
    'record of an image by tag',
    'record',
    { image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:latest' },
    'image',
    /an image by digest/,
  ],
  [
    'record without the task definition',
    'record',
    { 'task-definition-arn': '' },
    'task-definition-arn',
    /the task definition ARN deploy-ecs deployed/,
  ],
  ['record of a bad ARN', 'record', { 'task-definition-arn': 'shop:3' }, 'task-definition-arn', /a task definition ARN/],
  [
    'record of an ARN of another region',
    'record',
    { 'task-definition-arn': 'arn:aws:ecs:eu-west-1:123456789012:task-definition/shop:3' },
    'task-definition-arn',
    /an ARN in the region the action calls, us-east-1 \(this ARN is in eu-west-1\)/,
  ],
  ['record of an unknown verdict', 'record', { promotion: 'maybe' }, 'promotion', /one of 'not-required', 'proven', 'overridden'/],
  ['record of an override without its reason', 'record', { promotion: 'overridden' }, 'override-reason', /at least 20 characters/],
  [
    'record with a timeout of 0',
    'record',
    { 'timeout-seconds': '0' },
    'timeout-seconds',
    /a number of seconds \(e\.g\. 90, 90s, 15m\) from 1 to 3600/,
  ],
  [
    'record of one ARN and a list',
    'record',
    { 'task-definition-arns': `${ARN} ${ARN.replace('shop:3', 'worker:3')}` },
    'task-definition-arn',
    /nothing when task-definition-arns is given/,
  ],
  [
    'record of a list with a bad ARN',
    'record',
    { 'task-definition-arn': '', 'task-definition-arns': `${ARN}\nworker:3` },
    'task-definition-arns',
    /a task definition ARN \(arn:aws:ecs:/,
  ],
  [
    'record of a list with an ARN twice',
    'record',
    { 'task-definition-arn': '', 'task-definition-arns': `${ARN}, ${ARN}` },
    'task-definition-arns',
    /each revision once/,
  ],
  [
    'record of a list of 51 revisions',
    'record',
    { 'task-definition-arn': '', 'task-definition-arns': Array.from({ length: 51 }, (_, i) => ARN.replace('shop:3', `s${i}:1`)).join(' ') },
    'task-definition-arns',
    /at most 50 revisions/,
  ],
  [
    'record of a list with an ARN of another region',
    'record',
    { 'task-definition-arn': '', 'task-definition-arns': `${ARN} arn:aws:ecs:eu-west-1:123456789012:task-definition/worker:3` },
    'task-definition-arns',
    /an ARN in the region the action calls, us-east-1/,
  ],
  ['services without the list', 'services', { services: '' }, 'services', /a YAML list of services/],
  ['services without a cluster', 'services', { cluster: '' }, 'cluster', /an ECS cluster name or ARN/],
  ['services for an unknown action', 'services', { 'services-for': 'run-task' }, 'services-for', /one of 'deploy-ecs', 'rollback'/],
  [
    'services with an unknown key',
    'services',
    { services: '- service: api\n  image: x' },
    'services',
    /only the keys 'service', 'task-definition', 'container-name'/,
  ],
  [
    'record with a timeout in days',
    'record',
    { 'timeout-seconds': '2d' },
    'timeout-seconds',
    /a number of seconds \(e\.g\. 90, 90s, 15m\)/,
  ],
];

/** The failure code each case fails with (docs/infra/runbook.md#<code in lower case> explains it). */
const CODES: Record<string, string> = {
  'unknown command': 'GANTRY-INPUT-008',
  'record with a timeout of 0': 'GANTRY-INPUT-004',
  'record with a timeout in days': 'GANTRY-INPUT-004',
  'environment with a newline': 'GANTRY-GATE-011',
  'no environment': 'GANTRY-INPUT-001',
  'version with an injected output': 'GANTRY-GATE-019',
  'version that is not semver': 'GANTRY-GATE-019',
  'ref with spaces': 'GANTRY-GATE-018',
  'production branch with ..': 'GANTRY-GATE-013',
  'resolve for production without a token': 'GANTRY-GATE-021',
  'short SHA': 'GANTRY-GATE-012',
  'promote-from itself': 'GANTRY-GATE-022',
  'promotion without gantry repository': 'GANTRY-GATE-023',
  'promotion without a token': 'GANTRY-GATE-016',
  'override with a blank reason': 'GANTRY-GATE-014',
  'override reason without a ticket': 'GANTRY-GATE-014',
  'override reason too long': 'GANTRY-GATE-015',
  'promote-from-branch with a space': 'GANTRY-GATE-013',
  'image without a digest': 'GANTRY-INPUT-001',
  'image digest by tag': 'GANTRY-GATE-025',
  'ECR repository with capitals': 'GANTRY-GATE-024',
  'record of an image by tag': 'GANTRY-GATE-027',
  'record without the task definition': 'GANTRY-INPUT-001',
  'record of a bad ARN': 'GANTRY-GATE-026',
  'record of an ARN of another region': 'GANTRY-AWS-003',
  'record of an unknown verdict': 'GANTRY-INPUT-008',
  'record of an override without its reason': 'GANTRY-GATE-014',
  'record of one ARN and a list': 'GANTRY-GATE-040',
  'record of a list of 51 revisions': 'GANTRY-GATE-041',
  'record of a list with a bad ARN': 'GANTRY-GATE-042',
  'record of a list with an ARN twice': 'GANTRY-GATE-043',
  'record of a list with an ARN of another region': 'GANTRY-AWS-003',
  'services without the list': 'GANTRY-INPUT-001',
  'services without a cluster': 'GANTRY-INPUT-001',
  'services for an unknown action': 'GANTRY-INPUT-008',
  'services with an unknown key': 'GANTRY-ECS-013',
};

describe('release-gate bad inputs', () => {
  it.each(cases)('%s', async (_name, command, overrides, input, message) => {
    const inputs = { ...good[command], ...overrides };
    for (const [key, value] of Object.entries(inputs)) if (value === '') delete inputs[key];
    requests.length = 0;
    const run = await runAction('release-gate', inputs, {
      env: {
        GITHUB_API_URL: url,
        AWS_ENDPOINT_URL: url,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
      },
    });
    expect(run.exitCode).toBe(1);
    const { code, text: error } = splitFailureCode(run.annotations.find((a) => a.level === 'error')?.message ?? '');
    expect(code).toBe(CODES[_name]);
    expect(error).toContain(`Input '${input}'`);
    expect(error).toMatch(message);
    expect(run.outputs).toEqual({});
    expect(requests).toEqual([]);
  });
});
