/**
 * release-gate `record` through faults on TagResource (test/support/fault-proxy.ts in front of
 * moto_server): applied with the answer lost, applied and answered with an error, never answered, refused
 * — and the read-back failing too. The step's `recorded` output and its message say whether the record
 * is on the task definition, as moto really holds it (read back with ListTagsForResource when
 * TagResource's outcome is unknown); the `gantry release` annotation the next gate reads is left only when
 * it is.
 */
import { ListTagsForResourceCommand, RegisterTaskDefinitionCommand, TagResourceCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy, type FaultRule } from '../support/fault-proxy';
import { runAction, type ActionResult } from '../support/harness';
import { awsTestEnv, ecsClientFor, startMoto, type MotoServer } from '../support/moto';

const SHA = 'b'.repeat(40);
const DIGEST = `sha256:${'c'.repeat(64)}`;
const IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/shop@${DIGEST}`;

let moto: MotoServer;
let proxy: FaultProxy;
let ecs: ECSClient;
let arn = '';

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy({ upstream: moto.url });
  ecs = ecsClientFor(moto.url);
});
afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});
beforeEach(async () => {
  proxy.reset();
  // A fresh revision per test: no record on it yet.
  const out = await ecs.send(
    new RegisterTaskDefinitionCommand({ family: 'shop', containerDefinitions: [{ name: 'web', image: 'x', memory: 128 }] }),
  );
  arn = out.taskDefinition?.taskDefinitionArn ?? '';
});

function recordThrough(faults: FaultRule[], inputs: Record<string, string> = {}): Promise<ActionResult> {
  for (const fault of faults) proxy.addFault(fault);
  return runAction(
    'release-gate',
    { command: 'record', environment: 'staging', sha: SHA, 'task-definition-arn': arn, image: IMAGE, promotion: 'not-required', ...inputs },
    { env: awsTestEnv(proxy.url), timeoutMs: 60_000 },
  );
}

const tagsOnRevision = async (): Promise<Record<string, string>> =>
  Object.fromEntries(((await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? []).map((t) => [t.key, t.value]));
const errorOf = (result: ActionResult): string => result.annotations.find((a) => a.level === 'error')?.message ?? '';
const releaseNotice = (result: ActionResult) =>
  result.annotations.find((a) => a.level === 'notice' && a.properties.title === 'gantry release');
const RECORD = { 'gantry:image-digest': DIGEST, 'gantry:promotion': 'not-required' };

describe('release-gate record through faults on TagResource', () => {
  it.each([
    ['applied, every answer lost (connection reset)', 'reset-after-forward'],
    ['applied, then HTTP 500 instead of the answer (every SDK retry too)', 'error-after-forward'],
  ] as const)('%s: read back, the record WAS written; recorded true, the annotation left', async (_name, fault) => {
    const result = await recordThrough([{ operation: 'TagResource', fault, times: Infinity }]);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs).toEqual({ recorded: 'true' });
    expect(await tagsOnRevision()).toMatchObject(RECORD);
    expect(
      result.annotations.some(
        (a) => a.level === 'warning' && /The record WAS written \(read back: .*\): TagResource's answer was lost\./.test(a.message),
      ),
    ).toBe(true);
    expect(releaseNotice(result)?.message).toBe(`image=${IMAGE} sha=${SHA} task-definition=${arn}`);
    expect(result.summary).toContain("TagResource's answer was lost");
  });

  it('refused (AccessDenied): the record was NOT written, said so; recorded false, no annotation', async () => {
    const result = await recordThrough([{ operation: 'TagResource', fault: 'access-denied', times: Infinity }]);
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toEqual({ recorded: 'false' });
    expect(errorOf(result)).toMatch(
      /^GANTRY-GATE-030: Could not record the release on \S+: AccessDeniedException: .*\. The record was NOT written: the task definition carries no gantry:image-digest, no gantry:promotion\. The deploy role needs ecs:TagResource/,
    );
    expect(await tagsOnRevision()).not.toHaveProperty('gantry:image-digest');
    expect(releaseNotice(result)).toBeUndefined();
    expect(result.summary).toContain('NOT recorded');
  });

  it('refused while an older record is there: NOT written, naming what the task definition carries', async () => {
    await ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'gantry:promotion', value: 'proven' }] }));
    const result = await recordThrough([{ operation: 'TagResource', fault: 'access-denied', times: Infinity }]);
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toEqual({ recorded: 'false' });
    expect(errorOf(result)).toMatch(
      /The record was NOT written: the task definition carries no gantry:image-digest, gantry:promotion=proven\./,
    );
  });

  it('applied, then never answered: cut at timeout-seconds, read back, WAS written — within the deadline plus the read-back grace', async () => {
    const result = await recordThrough([{ operation: 'TagResource', fault: 'hang-after-forward', times: Infinity }], {
      'timeout-seconds': '2',
    });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs).toEqual({ recorded: 'true' });
    expect(result.stdout).toMatch(/DeadlineExceeded: TagResource did not answer before the action's deadline .*\. The record WAS written/);
    expect(result.durationMs).toBeLessThan(2_000 + 5_000);
    expect(await tagsOnRevision()).toMatchObject(RECORD);
  });

  it('never answered and never applied: NOT written, within the deadline plus the read-back grace', async () => {
    const result = await recordThrough([{ operation: 'TagResource', fault: 'hang', times: Infinity }], { 'timeout-seconds': '2' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toEqual({ recorded: 'false' });
    expect(errorOf(result)).toMatch(/DeadlineExceeded: TagResource did not answer .*\. The record was NOT written/);
    expect(result.durationMs).toBeLessThan(2_000 + 5_000);
    expect(await tagsOnRevision()).not.toHaveProperty('gantry:image-digest');
  });

  it('the answer lost and the read-back refused: whether it was written is UNKNOWN, said so; recorded unknown', async () => {
    const result = await recordThrough([
      { operation: 'TagResource', fault: 'reset-after-forward', times: Infinity },
      { operation: 'ListTagsForResource', fault: 'access-denied', times: Infinity },
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toEqual({ recorded: 'unknown' });
    expect(errorOf(result)).toMatch(
      /^GANTRY-GATE-030: Could not record the release on \S+: .*\. Whether the record was written is UNKNOWN: reading the tags back failed \(AccessDeniedException: .*\)\./,
    );
    expect(releaseNotice(result)).toBeUndefined();
    // What moto really holds: the record went through.
    expect(await tagsOnRevision()).toMatchObject(RECORD);
  });
});
