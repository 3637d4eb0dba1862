/**
 * Bad inputs through the bundle (runner harness) against moto_server behind the rollout layer:
 * each one fails the step with exit code 1 and a message naming the input, and no task is
 * started (the layer saw no RunTask, moto holds no new task). The check-only table also holds
 * moto to registering and tagging nothing: no new revision, no tag changed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEcsEmulator } from '../support/ecs-emulator';
import { runAction, splitFailureCode } from '../support/harness';
import { CLUSTER, SERVICE, allTasks, createMigrationService, ecsState, migrationContainer } from './moto-setup';

const aws = useEcsEmulator();
let taskDefinition: string;
/** GITHUB_WORKSPACE of the check-only cases: the task definition files they name. */
const workspace = mkdtempSync(path.join(os.tmpdir(), 'gantry-run-task-bad-'));

beforeAll(async () => {
  taskDefinition = await createMigrationService(aws.ecs, aws.layer.url, [
    migrationContainer('app'),
    { ...migrationContainer('sidecar'), essential: true },
  ]);
  // The service's own rollout done: its tasks are placed, none appears during a case.
  aws.layer.settle();
  // The file the new revision would be registered from: only 'app' (the service's revision also has 'sidecar').
  const file = {
    family: 'web',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [migrationContainer('app')],
  };
  writeFileSync(path.join(workspace, 'td.json'), JSON.stringify(file, null, 2));
  writeFileSync(path.join(workspace, 'broken.json'), '{\n  "family": "web",\n');
  writeFileSync(path.join(workspace, 'not-a-task-definition.json'), '{ "family": "web" }\n');
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

const good = () => ({
  cluster: CLUSTER,
  'task-definition-arn': taskDefinition,
  service: SERVICE,
  container: 'app',
  command: 'npm run migrate',
});

// [case, inputs (merged over a good run; '' removes one), input named, what the message says]
const cases: [string, Record<string, string>, string, RegExp][] = [
  ['missing cluster', { cluster: '' }, 'cluster', /is missing/],
  ['missing task definition', { 'task-definition-arn': '' }, 'task-definition-arn', /is missing: expected a task definition revision/],
  ['task definition without revision', { 'task-definition-arn': 'web' }, 'task-definition-arn', /<family>:<revision>/],
  ['unknown task definition revision', { 'task-definition-arn': 'web:99' }, 'task-definition-arn', /an existing task definition revision/],
  ['unknown container', { container: 'migrator' }, 'container', /a container of web:1: one of 'app', 'sidecar'/],
  ['ambiguous container', { container: '' }, 'container', /web:1 has 2 essential containers among 'app', 'sidecar'/],
  ['malformed container name', { container: 'app one' }, 'container', /letters, digits/],
  ['empty command (JSON)', { command: '[]' }, 'command', /not an empty one/],
  ['empty first word (JSON)', { command: '[""]' }, 'command', /not an empty one/],
  ['command not valid JSON', { command: '["npm", "run"' }, 'command', /not valid JSON/],
  ['command JSON not strings', { command: '["sleep", 5]' }, 'command', /JSON array of strings/],
  ['command too long', { command: `echo ${'x'.repeat(8000)}` }, 'command', /ECS allows 8192 characters of overrides/],
  ['unknown service', { service: 'nope' }, 'service', /existing service in cluster 'shop'/],
  ['malformed subnet', { subnets: 'subnet-xyz' }, 'subnets', /subnet ids such as subnet-0123456789abcdef0/],
  ['security groups without subnets', { 'security-groups': 'sg-0123456789abcdef0' }, 'subnets', /when security-groups is given/],
  ['assign-public-ip without subnets', { 'assign-public-ip': 'ENABLED' }, 'assign-public-ip', /nothing unless subnets is given/],
  [
    'assign-public-ip not a choice',
    { subnets: 'subnet-0123456789abcdef0', 'assign-public-ip': 'yes' },
    'assign-public-ip',
    /one of 'ENABLED', 'DISABLED'/,
  ],
  ['awsvpc without service or subnets', { service: '' }, 'subnets', /uses networkMode awsvpc and no service was given/],
  ['unknown launch type', { 'launch-type': 'LAMBDA' }, 'launch-type', /one of 'FARGATE', 'EC2', 'EXTERNAL'/],
  [
    'launch type and capacity providers',
    { 'launch-type': 'FARGATE', 'capacity-provider-strategy': 'FARGATE_SPOT=1' },
    'capacity-provider-strategy',
    /nothing when launch-type is given/,
  ],
  [
    'malformed capacity provider weight',
    { 'capacity-provider-strategy': 'FARGATE_SPOT=heavy' },
    'capacity-provider-strategy',
    /PROVIDER=WEIGHT/,
  ],
  ['started-by too long', { 'started-by': 'x'.repeat(37) }, 'started-by', /at most 36 letters/],
  ['reserved tag key', { tags: 'aws:owner=me' }, 'tags', /no keys starting with aws:/],
  ['log-lines out of range', { 'log-lines': '5000' }, 'log-lines', /from 0 to 1000/],
  [
    'malformed security group',
    { subnets: 'subnet-0123456789abcdef0', 'security-groups': 'default' },
    'security-groups',
    /security group ids such as sg-/,
  ],
  [
    'too many subnets',
    { subnets: Array.from({ length: 17 }, (_, i) => `subnet-${String(i).padStart(8, '0')}`).join('\n') },
    'subnets',
    /at most 16 subnets/,
  ],
  ['tag value with a forbidden character', { tags: 'team=shop;drop' }, 'tags', /values of at most 256 letters/],
  ['timeout-seconds not a duration', { 'timeout-seconds': 'soon' }, 'timeout-seconds', /a number of seconds \(e\.g\. 90, 90s, 15m\)/],
  ['timeout-seconds zero', { 'timeout-seconds': '0' }, 'timeout-seconds', /a number of seconds/],
  ['timeout-seconds above six hours', { 'timeout-seconds': '7h' }, 'timeout-seconds', /a number of seconds/],
  ['poll-interval-seconds zero', { 'poll-interval-seconds': '0' }, 'poll-interval-seconds', /a number of seconds/],
  [
    'interval above timeout',
    { 'timeout-seconds': '5', 'poll-interval-seconds': '10' },
    'poll-interval-seconds',
    /at most timeout-seconds \(5\)/,
  ],
  ['invalid region', { 'aws-region': 'moon' }, 'aws-region', /AWS region/],
  ['task-definition file without check-only', { 'task-definition': 'td.json' }, 'task-definition', /nothing unless check-only is true/],
];

/** check-only, good: the service's current revision (web:1, containers app and sidecar) is the template. */
const checkOnly = () => ({
  cluster: CLUSTER,
  service: SERVICE,
  container: 'app',
  command: 'npm run migrate',
  'check-only': 'true',
});

// [case, inputs (merged over a good check; '' removes one), input named, what the message says]
const checkOnlyCases: [string, Record<string, string>, string, RegExp][] = [
  ['check-only: blank command', { command: '   ' }, 'command', /is missing: expected a command: .* not an empty one or only white space/],
  ['check-only: no command', { command: '' }, 'command', /when check-only is true, not an empty one or only white space/],
  ['check-only: empty JSON command', { command: '[]' }, 'command', /not an empty one/],
  ['check-only: blank first word (JSON)', { command: '["  ", "migrate"]' }, 'command', /not an empty one/],
  ['check-only: command JSON not strings', { command: '["migrate", 1]' }, 'command', /JSON array of strings/],
  [
    "check-only: container not in the service's revision",
    { container: 'migrator' },
    'container',
    /a container of web:1 \(service web's current task definition\): one of 'app', 'sidecar'/,
  ],
  [
    "check-only: ambiguous container of the service's revision",
    { container: '' },
    'container',
    /web:1 \(service web's current task definition\) has 2 essential containers among 'app', 'sidecar'/,
  ],
  // 'sidecar' is in the service's revision but not in the file: the file is what is checked.
  [
    'check-only: container not in the file',
    { 'task-definition': 'td.json', container: 'sidecar' },
    'container',
    /a container of td.json: one of 'app'\.$/,
  ],
  ['check-only: file not JSON', { 'task-definition': 'broken.json' }, 'task-definition', /broken.json:\d+ is not valid JSON/],
  [
    'check-only: file not a task definition',
    { 'task-definition': 'not-a-task-definition.json' },
    'task-definition',
    /with a non-empty "containerDefinitions" array/,
  ],
  ['check-only: file not found', { 'task-definition': 'nope.json' }, 'task-definition', /an existing file/],
  ['check-only: file outside the workspace', { 'task-definition': '../td.json' }, 'task-definition', /a path inside the workspace/],
  [
    'check-only: awsvpc file without service or subnets',
    { 'task-definition': 'td.json', service: '' },
    'subnets',
    /subnets: td.json uses networkMode awsvpc and no service was given/,
  ],
  [
    'check-only: neither file nor service',
    { service: '' },
    'task-definition',
    /a task definition file or a service when check-only is true/,
  ],
  ['check-only: with task-definition-arn', { 'task-definition-arn': 'web:1' }, 'task-definition-arn', /nothing when check-only is true/],
  ['check-only: not a boolean', { 'check-only': 'yes' }, 'check-only', /'true' or 'false'/],
  ['check-only: timeout zero', { 'timeout-seconds': '0' }, 'timeout-seconds', /a number of seconds/],
  ['check-only: timeout above six hours', { 'timeout-seconds': '7h' }, 'timeout-seconds', /a number of seconds/],
  ['check-only: unknown service', { service: 'nope' }, 'service', /existing service in cluster 'shop'/],
  ['check-only: malformed subnet', { subnets: 'subnet-xyz' }, 'subnets', /subnet ids such as subnet-0123456789abcdef0/],
];

/** The failure code each case fails with (docs/infra/runbook.md#<code in lower case> explains it). */
const CODES: Record<string, string> = {
  'missing cluster': 'GANTRY-INPUT-001',
  'missing task definition': 'GANTRY-INPUT-001',
  'task definition without revision': 'GANTRY-RUNTASK-001',
  'unknown task definition revision': 'GANTRY-RUNTASK-028',
  'unknown container': 'GANTRY-RUNTASK-024',
  'ambiguous container': 'GANTRY-RUNTASK-025',
  'malformed container name': 'GANTRY-RUNTASK-002',
  'empty command (JSON)': 'GANTRY-RUNTASK-017',
  'empty first word (JSON)': 'GANTRY-RUNTASK-017',
  'command not valid JSON': 'GANTRY-RUNTASK-015',
  'command JSON not strings': 'GANTRY-RUNTASK-016',
  'command too long': 'GANTRY-RUNTASK-018',
  'unknown service': 'GANTRY-ECS-004',
  'malformed subnet': 'GANTRY-RUNTASK-003',
  'security groups without subnets': 'GANTRY-RUNTASK-005',
  'assign-public-ip without subnets': 'GANTRY-RUNTASK-008',
  'assign-public-ip not a choice': 'GANTRY-INPUT-008',
  'awsvpc without service or subnets': 'GANTRY-RUNTASK-026',
  'unknown launch type': 'GANTRY-INPUT-008',
  'launch type and capacity providers': 'GANTRY-RUNTASK-009',
  'malformed capacity provider weight': 'GANTRY-RUNTASK-019',
  'started-by too long': 'GANTRY-RUNTASK-010',
  'reserved tag key': 'GANTRY-RUNTASK-012',
  'log-lines out of range': 'GANTRY-INPUT-003',
  'interval above timeout': 'GANTRY-RUNTASK-014',
  'invalid region': 'GANTRY-AWS-008',
  'malformed security group': 'GANTRY-RUNTASK-004',
  'too many subnets': 'GANTRY-RUNTASK-006',
  'tag value with a forbidden character': 'GANTRY-RUNTASK-013',
  'timeout-seconds not a duration': 'GANTRY-INPUT-004',
  'timeout-seconds zero': 'GANTRY-INPUT-004',
  'timeout-seconds above six hours': 'GANTRY-INPUT-004',
  'poll-interval-seconds zero': 'GANTRY-INPUT-004',
  'task-definition file without check-only': 'GANTRY-RUNTASK-042',
  'check-only: blank command': 'GANTRY-RUNTASK-040',
  'check-only: no command': 'GANTRY-RUNTASK-040',
  'check-only: empty JSON command': 'GANTRY-RUNTASK-017',
  'check-only: blank first word (JSON)': 'GANTRY-RUNTASK-017',
  'check-only: command JSON not strings': 'GANTRY-RUNTASK-016',
  "check-only: container not in the service's revision": 'GANTRY-RUNTASK-024',
  "check-only: ambiguous container of the service's revision": 'GANTRY-RUNTASK-025',
  'check-only: container not in the file': 'GANTRY-RUNTASK-024',
  'check-only: file not JSON': 'GANTRY-DEPLOY-028',
  'check-only: file not a task definition': 'GANTRY-DEPLOY-029',
  'check-only: file not found': 'GANTRY-INPUT-011',
  'check-only: file outside the workspace': 'GANTRY-INPUT-010',
  'check-only: awsvpc file without service or subnets': 'GANTRY-RUNTASK-026',
  'check-only: neither file nor service': 'GANTRY-RUNTASK-043',
  'check-only: with task-definition-arn': 'GANTRY-RUNTASK-041',
  'check-only: not a boolean': 'GANTRY-INPUT-002',
  'check-only: timeout zero': 'GANTRY-INPUT-004',
  'check-only: timeout above six hours': 'GANTRY-INPUT-004',
  'check-only: unknown service': 'GANTRY-ECS-004',
  'check-only: malformed subnet': 'GANTRY-RUNTASK-003',
};

describe('run-task bad inputs (bundle, moto_server + rollout layer)', () => {
  it.each(cases)('%s → exit 1 naming the input, no task started', async (_name, overrides, input, message) => {
    const before = await allTasks(aws.ecs);
    const runTasksBefore = aws.layer.state().calls.RunTask ?? 0;
    const result = await runAction('run-task', { ...good(), ...overrides }, { env: aws.env() });
    expect(result.exitCode).toBe(1);
    const { code, text: error } = splitFailureCode(result.annotations.find((a) => a.level === 'error')?.message ?? '');
    expect(code).toBe(CODES[_name]);
    expect(error).toMatch(new RegExp(`^Input '${input}'`));
    expect(error).toMatch(message);
    expect(result.outputs).toEqual({});
    expect(aws.layer.state().calls.RunTask ?? 0).toBe(runTasksBefore);
    expect(await allTasks(aws.ecs)).toEqual(before);
  });
});

describe('run-task check-only bad inputs (bundle, moto_server + rollout layer)', () => {
  it.each(checkOnlyCases)('%s → exit 1 naming the input; nothing run, registered or tagged', async (name, overrides, input, message) => {
    const before = await ecsState(aws.ecs);
    const callsBefore = aws.layer.state().calls;
    const result = await runAction('run-task', { ...checkOnly(), ...overrides }, { env: aws.env(), workspace });
    expect(result.exitCode, result.stdout).toBe(1);
    const { code, text: error } = splitFailureCode(result.annotations.find((a) => a.level === 'error')?.message ?? '');
    expect(code).toBe(CODES[name]);
    expect(error).toMatch(new RegExp(`^Input '${input}'`));
    expect(error).toMatch(message);
    // No output: nothing was resolved for a later step to act on.
    expect(result.outputs).toEqual({});
    const calls = aws.layer.state().calls;
    for (const operation of ['RunTask', 'RegisterTaskDefinition', 'TagResource', 'UpdateService'])
      expect(calls[operation] ?? 0, operation).toBe(callsBefore[operation] ?? 0);
    expect(await ecsState(aws.ecs)).toEqual(before);
  });
});
