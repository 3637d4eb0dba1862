/**
 * The deploy-ecs bundle driven through faults injected between it and AWS (moto + the rollout
 * layer, with test/support/fault-proxy.ts in front): during RegisterTaskDefinition, UpdateService
 * and the wait. Whatever breaks, once the service may have changed the step reports the truth —
 * outputs, a release tag that is not `pending`, a message that says whether the service WAS
 * changed — and deploy.yml's own rollback condition, evaluated on those outputs, is true.
 */
import { describe, expect, it } from 'vitest';
import { useEcsEmulator } from '../support/ecs-emulator';
import type { FaultRule } from '../support/fault-proxy';
import { runAction, type ActionResult } from '../support/harness';
import { deployRollbackRuns } from '../workflows/support/step-condition';
import { CLUSTER, REGISTRY, SERVICE, createService, readRevision, serviceTaskDefinition, taskDefinitionArns } from './moto-setup';

const TD = (revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;
/** timeout-seconds of the cases that run into it; the others get 20 s, far more than they need. */
const TIMEOUT_S = 4;

const aws = useEcsEmulator({
  faultProxy: true,
  fresh: true,
  each: async (aws) => {
    await createService(aws.ecs);
    aws.layer.settle();
  },
});

/** DescribeServices calls after the first one (which describes the service before anything changes). */
const duringWait = (fault: FaultRule['fault'], times = Infinity): FaultRule => ({ operation: 'DescribeServices', fault, after: 1, times });

function deployThrough(
  faults: FaultRule[],
  inputs: Record<string, string | number> = {},
  options: { signal?: { when: RegExp; signal: NodeJS.Signals } } = {},
): Promise<ActionResult> {
  for (const fault of faults) aws.proxy.addFault(fault);
  return runAction(
    'deploy-ecs',
    { cluster: CLUSTER, service: SERVICE, image: `${REGISTRY}/web:a1b2c3d`, 'poll-interval-seconds': 1, 'timeout-seconds': 20, ...inputs },
    { env: aws.env(), signal: options.signal, timeoutMs: 60_000 },
  );
}

const errorOf = (result: ActionResult): string => result.annotations.find((a) => a.level === 'error')?.message ?? '';
const statusTag = async (revision: number): Promise<string | undefined> =>
  (await readRevision(aws.ecs, TD(revision))).tags['gantry:status'];

/**
 * The service changed (it runs web:2): the outputs say so, the release is judged (not pending), and
 * unless the step succeeded the workflow's rollback step runs.
 */
async function expectChangedAndReported(result: ActionResult, ending: { cancelled?: boolean } = {}): Promise<void> {
  expect(await serviceTaskDefinition(aws.ecs)).toBe(TD(2));
  expect(result.outputs).toMatchObject({ 'task-definition-arn': TD(2), 'previous-task-definition-arn': TD(1) });
  expect(await statusTag(2)).not.toBe('pending');
  const rollbackRuns = deployRollbackRuns(result.outputs, { exitCode: result.exitCode, cancelled: ending.cancelled });
  expect(rollbackRuns).toBe(result.exitCode !== 0 || ending.cancelled === true);
}

describe('faults during the wait', () => {
  it('one malformed HTTP 200 is retried at the next poll; the rollout completes', async () => {
    const result = await deployThrough([duringWait('malformed-200', 1)]);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs.status).toBe('deployed');
    expect(result.stdout).toMatch(
      /poll 1: DescribeServices failed \(.*\) \(not a transient error; retried until the deadline all the same\)/,
    );
    expect(await statusTag(2)).toBe('deployed');
    await expectChangedAndReported(result);
  });

  it.each([
    ['AccessDeniedException', 'access-denied'],
    ['ExpiredTokenException', 'expired-token'],
    ['ThrottlingException', 'throttle'],
  ] as const)('%s on every poll: retried until the deadline, then timed-out naming it, tagged failed', async (name, fault) => {
    const result = await deployThrough([duringWait(fault)], { 'timeout-seconds': TIMEOUT_S });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('timed-out');
    expect(errorOf(result)).toMatch(
      new RegExp(
        `^GANTRY-DEPLOY-035: Deployment of web:2 to service web timed out: rollout did not finish within ${TIMEOUT_S}s; no successful DescribeServices \\(last error: ${name}`,
      ),
    );
    expect(await statusTag(2)).toBe('failed');
    await expectChangedAndReported(result);
  });

  it('a poll that never answers: timed-out within timeout-seconds plus one poll', async () => {
    const result = await deployThrough([duringWait('hang')], { 'timeout-seconds': TIMEOUT_S });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('timed-out');
    expect(errorOf(result)).toMatch(
      /timed out: rollout did not finish within 4s; no successful DescribeServices \(last error: DeadlineExceeded|TimeoutError/,
    );
    expect(result.durationMs).toBeLessThan((TIMEOUT_S + 1) * 1000 + 1500);
    expect(await statusTag(2)).toBe('failed');
    await expectChangedAndReported(result);
  });

  it('a cancelled job (SIGTERM mid-wait) still writes the outputs and tags the release failed', async () => {
    aws.layer.setScenario({ kind: 'hang' });
    const result = await deployThrough([], { 'timeout-seconds': 60 }, { signal: { when: /poll 2:/, signal: 'SIGTERM' } });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('cancelled');
    expect(result.stdout).toMatch(/Received SIGTERM \(job cancelled or timed out\): recording what is known before exiting\./);
    expect(errorOf(result)).toMatch(
      /^GANTRY-DEPLOY-036: Deployment of web:2 to service web was cancelled: SIGTERM before the rollout's verdict/,
    );
    expect(await statusTag(2)).toBe('failed');
    expect(result.summary).toContain('cancelled before the rollout was judged');
    await expectChangedAndReported(result, { cancelled: true });
  });
});

describe('faults on UpdateService', () => {
  it('applied upstream, every answer lost (connection reset): read back, the service WAS changed, the rollout is watched', async () => {
    const result = await deployThrough([{ operation: 'UpdateService', fault: 'reset-after-forward', times: Infinity }]);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs.status).toBe('deployed');
    expect(result.stdout).toMatch(
      /UpdateService of web to .*web:2 failed: .*\. The service WAS changed: it now runs .*web:2\. The update was applied: watching its rollout\./,
    );
    expect(result.stdout).not.toMatch(/still runs/);
    expect(await statusTag(2)).toBe('deployed');
    await expectChangedAndReported(result);
  });

  it('a malformed answer after it was applied: the same', async () => {
    const result = await deployThrough([{ operation: 'UpdateService', fault: 'malformed-after-forward' }]);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/The service WAS changed/);
    await expectChangedAndReported(result);
  });

  it('applied, then never answered: timed-out at the deadline, the service WAS changed, tagged failed', async () => {
    aws.layer.setScenario({ kind: 'hang' });
    const result = await deployThrough([{ operation: 'UpdateService', fault: 'hang-after-forward', times: Infinity }], {
      'timeout-seconds': TIMEOUT_S,
    });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('timed-out');
    expect(result.stdout).toMatch(
      /UpdateService of web to .*web:2 failed: DeadlineExceeded: UpdateService did not answer before the action's deadline .*\. The service WAS changed/,
    );
    expect(result.durationMs).toBeLessThan((TIMEOUT_S + 1) * 1000 + 1500);
    expect(await statusTag(2)).toBe('failed');
    await expectChangedAndReported(result);
  });

  it('a throttling storm that outlasts the SDK retries: read back, NOT changed, said so', async () => {
    const result = await deployThrough([{ operation: 'UpdateService', fault: 'throttle', times: Infinity }]);
    expect(result.exitCode).toBe(1);
    expect(errorOf(result)).toMatch(
      /UpdateService of web to .*web:2 failed: ThrottlingException: Rate exceeded .*\. The service was NOT changed: it still runs .*web:1\./,
    );
    expect(aws.proxy.log().filter((r) => r.operation === 'UpdateService')).toHaveLength(5);
    expect(await serviceTaskDefinition(aws.ecs)).toBe(TD(1));
    expect(await statusTag(2)).toBe('failed');
    expect(deployRollbackRuns(result.outputs, { exitCode: result.exitCode })).toBe(true);
  });

  it('refused (AccessDenied): the service was NOT changed, said so, outputs written, the revision tagged failed', async () => {
    const result = await deployThrough([{ operation: 'UpdateService', fault: 'access-denied', times: Infinity }]);
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ status: 'failed', 'task-definition-arn': TD(2), 'previous-task-definition-arn': TD(1) });
    expect(errorOf(result)).toMatch(
      /UpdateService of web to .*web:2 failed: AccessDeniedException: .*\. The service was NOT changed: it still runs .*web:1\./,
    );
    expect(await serviceTaskDefinition(aws.ecs)).toBe(TD(1));
    expect(await statusTag(2)).toBe('failed');
    // The workflow still runs its rollback (a no-op: the target is what runs).
    expect(deployRollbackRuns(result.outputs, { exitCode: result.exitCode })).toBe(true);
  });
});

describe('faults on RegisterTaskDefinition: never a duplicate revision', () => {
  it.each([
    ['registered upstream, the answer lost (reset)', [{ operation: 'RegisterTaskDefinition', fault: 'reset-after-forward', times: 2 }]],
    ['registered upstream, a malformed answer', [{ operation: 'RegisterTaskDefinition', fault: 'malformed-after-forward', times: 3 }]],
    ['throttled twice', [{ operation: 'RegisterTaskDefinition', fault: 'throttle', times: 2 }]],
  ] as [string, FaultRule[]][])('%s → one new revision, deployed', async (_name, faults) => {
    const result = await deployThrough(faults);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(await taskDefinitionArns(aws.ecs)).toEqual([TD(1), TD(2)]);
    expect(result.outputs).toMatchObject({ status: 'deployed', 'task-definition-arn': TD(2), revision: '2' });
    expect((await readRevision(aws.ecs, TD(2))).tags['gantry:run-token']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refused (AccessDenied): nothing registered, nothing changed, no outputs, no rollback', async () => {
    const result = await deployThrough([{ operation: 'RegisterTaskDefinition', fault: 'access-denied' }]);
    expect(result.exitCode).toBe(1);
    expect(errorOf(result)).toMatch(/^GANTRY-AWS-001: AccessDeniedException: /);
    expect(await taskDefinitionArns(aws.ecs)).toEqual([TD(1)]);
    expect(await serviceTaskDefinition(aws.ecs)).toBe(TD(1));
    expect(result.outputs).toEqual({});
    expect(deployRollbackRuns(result.outputs, { exitCode: result.exitCode })).toBe(false);
  });
});
