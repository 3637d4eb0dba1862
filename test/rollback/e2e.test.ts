/**
 * The bundled rollback (actions/rollback/dist/index.js) run as the runner runs it, against
 * moto_server behind the rollout layer, on a history made by the real deploy-ecs code.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useEcsEmulator } from '../support/ecs-emulator';
import { node24Binary, runAction, splitFailureCode, type ActionResult } from '../support/harness';
import { CLUSTER, RUNNER_ENV, SERVICE, createHistory, release, revisionArn, tagsOf } from './history';

const aws = useEcsEmulator();

/** web:1 before gantry; releases 1, 2, 3 = web:2, web:3, web:4 deployed by deploy-ecs; release 3 marked failed. */
async function freshHistory(): Promise<void> {
  await aws.reset();
  await createHistory(aws.ecs);
}

function runRollback(inputs: Record<string, string>, options: { node?: string; env?: Record<string, string> } = {}): Promise<ActionResult> {
  return runAction(
    'rollback',
    { cluster: CLUSTER, service: SERVICE, 'poll-interval-seconds': '1', ...inputs },
    {
      node: options.node,
      env: { ...aws.env(), ...RUNNER_ENV, ...options.env },
    },
  );
}

const liveRevision = (): string | undefined => aws.layer.state().services[0]?.taskDefinition;
const calls = (op: string): number => aws.layer.state().calls[op] ?? 0;

describe('rollback bundle through the runner harness', () => {
  beforeEach(freshHistory);

  it('previous under Node 24: back to release 2, outputs, job summary, tags', async () => {
    const result = await runRollback({ reason: 'smoke test failed: /checkout → 500' }, { node: await node24Binary() });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      status: 'rolled-back',
      'task-definition-arn': revisionArn(3),
      'from-task-definition-arn': revisionArn(4),
    });
    expect(result.outputs['deployment-id']).toMatch(/^ecs-svc\/\d+$/);
    expect(liveRevision()).toBe(revisionArn(3));
    expect(await tagsOf(aws.ecs, revisionArn(4))).toMatchObject({
      'gantry:status': 'rolled-back',
      'gantry:rollback-reason': 'smoke test failed: /checkout 500',
    });
    expect(result.summary).toContain('## rollback: ✅ rolled back');
    expect(result.summary).toMatch(/\| Task definition \| web:4 \| web:3 \|/);
    expect(result.summary).toContain(`| Git SHA | ${release(3).sha} | ${release(2).sha} |`);
    expect(result.summary).toMatch(/\| Version \| 1\.3\.0 \| 1\.2\.0 \|/);
    expect(result.summary).toMatch(/\| Deployed at \| 2024-05-03T10:00:00\.000Z \| 2024-05-02T10:00:00\.000Z \|/);
    expect(result.summary).toContain('smoke test failed: /checkout → 500');
    expect(result.stdout).toMatch(/poll \d+: running 2\/2/);
  });

  it('dry run prints the target and changes nothing', async () => {
    const result = await runRollback({ target: `sha:${release(1).shortSha}`, 'dry-run': 'true' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      status: 'dry-run',
      'task-definition-arn': revisionArn(2),
      'from-task-definition-arn': revisionArn(4),
    });
    expect(result.stdout).toContain('Would: UpdateService: service web from web:4 to web:2');
    expect(calls('UpdateService')).toBe(3);
    expect(liveRevision()).toBe(revisionArn(4));
  });

  it('noop when the target is already live', async () => {
    const result = await runRollback({ target: 'revision:4' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ status: 'noop', 'task-definition-arn': revisionArn(4) });
    expect(result.stdout).toContain('Nothing to do: the service already runs web:4');
  });

  it('a rollback that fails exits 1 with the reason', async () => {
    aws.layer.setScenario({ kind: 'fail', image: 'web:1.2.0', ticks: 2 });
    const result = await runRollback({ target: 'version:1.2.0' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({
      status: 'failed',
      'task-definition-arn': revisionArn(4),
      'from-task-definition-arn': revisionArn(4),
    });
    expect(result.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /^GANTRY-ROLLBACK-015: Rollback of service web from web:4 to web:3 failed: deployment .* FAILED/,
    );
    expect(result.summary).toContain('❌ rollback failed');
    // The target failed to run: the next 'previous' must go past it.
    expect((await tagsOf(aws.ecs, revisionArn(3)))['gantry:status']).toBe('failed');
  });

  it('a target that resolves to nothing still leaves a job summary saying why', async () => {
    const result = await runRollback({ target: 'sha:deadbee', reason: 'smoke test failed' });
    expect(result.exitCode).toBe(1);
    expect(result.summary).toContain('## rollback: ❌ failed');
    expect(result.summary).toContain('| **Target** | sha:deadbee |');
    expect(result.summary).toContain('| **Reason** | smoke test failed |');
    expect(result.summary).toMatch(/\| \*\*Error\*\* \| .*no revision has gantry:git-sha starting with deadbee/);
    expect(liveRevision()).toBe(revisionArn(4));
  });
});

/** The failure code each bad-input case fails with (docs/infra/runbook.md#<code in lower case>). */
const BAD_INPUT_CODES: Record<string, string> = {
  'unknown target form': 'GANTRY-ROLLBACK-020',
  'malformed sha': 'GANTRY-ROLLBACK-017',
  'too short sha': 'GANTRY-ROLLBACK-017',
  'invalid semver': 'GANTRY-ROLLBACK-018',
  'revision 0': 'GANTRY-ROLLBACK-019',
  'ARN of another family': 'GANTRY-ROLLBACK-003',
  'sha not found': 'GANTRY-ROLLBACK-012',
  'revision that does not exist': 'GANTRY-ROLLBACK-005',
  'missing service': 'GANTRY-INPUT-001',
  'service that does not exist': 'GANTRY-ECS-004',
  'malformed service name': 'GANTRY-INPUT-007',
  'missing cluster': 'GANTRY-INPUT-001',
  'cluster that does not exist': 'GANTRY-ECS-003',
  'wait not a boolean': 'GANTRY-INPUT-002',
  'timeout not a duration': 'GANTRY-INPUT-004',
  'reason too long': 'GANTRY-ROLLBACK-001',
  'bad region': 'GANTRY-AWS-008',
  'log-lines out of range': 'GANTRY-INPUT-003',
  'target ARN of another region': 'GANTRY-AWS-003',
  'cluster and target ARNs of two accounts': 'GANTRY-AWS-004',
  'service ARN of another account than aws-account-id': 'GANTRY-AWS-004',
  'service ARN of another cluster': 'GANTRY-AWS-006',
};

describe('bad inputs through the bundle: exit 1, message naming the input, nothing changed', () => {
  // One history for the whole table: none of these may change it, which each case checks.
  beforeAll(freshHistory);
  const ANOTHER_FAMILY = 'arn:aws:ecs:us-east-1:123456789012:task-definition/api:2';
  it.each<[string, string, Record<string, string>, RegExp]>([
    ['unknown target form', 'target', { target: 'latest' }, /expected 'previous', 'sha:<git sha/],
    ['malformed sha', 'target', { target: 'sha:xyz1234' }, /7 to 40 hexadecimal characters/],
    ['too short sha', 'target', { target: 'sha:abc12' }, /7 to 40 hexadecimal characters/],
    ['invalid semver', 'target', { target: 'version:1.2' }, /version:<semver>/],
    ['revision 0', 'target', { target: 'revision:0' }, /revision number of at least 1/],
    ['ARN of another family', 'target', { target: ANOTHER_FAMILY }, /a task definition of the service's family 'web'/],
    [
      'sha not found',
      'target',
      { target: 'sha:deadbee' },
      /no revision has gantry:git-sha starting with deadbee \(searched the newest 4 ACTIVE revisions/,
    ],
    ['revision that does not exist', 'target', { target: 'revision:42' }, /revision 42 of family web does not exist/],
    ['missing service', 'service', { service: '' }, /is missing: expected an ECS service name or ARN/],
    ['service that does not exist', 'service', { service: 'nope' }, /an existing service in cluster 'shop'/],
    ['malformed service name', 'service', { service: 'web shop' }, /an ECS service name/],
    ['missing cluster', 'cluster', { cluster: '' }, /is missing/],
    ['cluster that does not exist', 'cluster', { cluster: 'nope' }, /an existing ECS cluster/],
    ['wait not a boolean', 'wait', { wait: 'sometimes' }, /'true' or 'false'/],
    ['timeout not a duration', 'timeout-seconds', { 'timeout-seconds': 'soon' }, /a number of seconds/],
    ['reason too long', 'reason', { reason: 'x'.repeat(2000) }, /at most 1024 characters/],
    ['bad region', 'aws-region', { 'aws-region': 'mars-1' }, /an AWS region such as eu-west-1/],
    ['log-lines out of range', 'log-lines', { 'log-lines': '1001' }, /an integer from 0 to 1000/],
    [
      'target ARN of another region',
      'target',
      { target: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:2' },
      /an ARN in the region the action calls, us-east-1 \(this ARN is in eu-west-1\)/,
    ],
    [
      'cluster and target ARNs of two accounts',
      'target',
      { cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/shop', target: 'arn:aws:ecs:us-east-1:210987654321:task-definition/web:2' },
      /an ARN of account 123456789012, as cluster says \(this ARN is of account 210987654321\)/,
    ],
    [
      'service ARN of another account than aws-account-id',
      'service',
      { service: 'arn:aws:ecs:us-east-1:123456789012:service/shop/web', 'aws-account-id': '210987654321' },
      /an ARN of account 210987654321, as aws-account-id says/,
    ],
    [
      'service ARN of another cluster',
      'service',
      { service: 'arn:aws:ecs:us-east-1:123456789012:service/payments/web' },
      /a service of cluster 'shop' \(this ARN names cluster 'payments'\)/,
    ],
  ])('%s → exit 1 naming %s, service unchanged', async (_name, input, inputs, expected) => {
    const before = {
      updates: calls('UpdateService'),
      tags: calls('TagResource'),
      stops: calls('StopServiceDeployment'),
      tagsOf4: await tagsOf(aws.ecs, revisionArn(4)),
    };
    const result = await runRollback(inputs);
    expect(result.exitCode).toBe(1);
    const { code, text: error } = splitFailureCode(result.annotations.find((a) => a.level === 'error')?.message ?? '');
    expect(code).toBe(BAD_INPUT_CODES[_name]);
    expect(error).toMatch(new RegExp(`^Input '${input}'`));
    expect(error).toMatch(expected);
    expect(result.outputs.status).toBeUndefined();
    expect(liveRevision()).toBe(revisionArn(4));
    expect(calls('UpdateService')).toBe(before.updates);
    expect(calls('StopServiceDeployment')).toBe(before.stops);
    expect(calls('TagResource')).toBe(before.tags);
    expect(await tagsOf(aws.ecs, revisionArn(4))).toEqual(before.tagsOf4);
  });
});
