/**
 * Bad inputs through the bundle (runner harness) against moto_server behind the rollout layer:
 * each one fails the step with exit code 1 and a message naming the input, and no task is
 * started (the layer saw no RunTask, moto holds no new task).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useEcsEmulator } from '../support/ecs-emulator';
import { runAction, splitFailureCode } from '../support/harness';
import { CLUSTER, SERVICE, allTasks, createMigrationService, migrationContainer } from './moto-setup';

const aws = useEcsEmulator();
let taskDefinition: string;

beforeAll(async () => {
  taskDefinition = await createMigrationService(aws.ecs, aws.layer.url, [
    migrationContainer('app'),
    { ...migrationContainer('sidecar'), essential: true },
  ]);
});

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
