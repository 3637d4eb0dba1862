/**
 * The rollback bundle driven through faults injected between it and AWS (test/support/fault-proxy.ts
 * in front of the rollout layer and moto), on a history made by the real deploy-ecs code: web:1
 * before gantry, releases on web:2, web:3, web:4 (web:4 marked failed, the one to roll back from).
 * Whatever breaks, the step ends with outputs and a release status chain written from what the
 * service really runs.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { useEcsEmulator } from '../support/ecs-emulator';
import { deploy } from '../../actions/deploy-ecs/src/deploy';
import { getInputs as getDeployInputs } from '../../actions/deploy-ecs/src/inputs';
import { FakeClock } from '../../lib/util/clock';
import { inputEnvName } from '../../lib/runner/inputs';
import { memoryLogger } from '../../lib/runner/logger';
import { runnerContext } from '../../lib/ecs/metadata';
import type { FaultRule } from '../support/fault-proxy';
import { runAction, type ActionResult } from '../support/harness';
import { CLUSTER, RUNNER_ENV, SERVICE, createHistory, release, revisionArn, rollbackTo, serviceTaskDefinition, tagsOf } from './history';

const TIMEOUT_S = 4;

const aws = useEcsEmulator({ faultProxy: true });

async function freshHistory(): Promise<void> {
  await aws.reset();
  await createHistory(aws.ecs);
}

const duringWait = (fault: FaultRule['fault'], times = Infinity): FaultRule => ({ operation: 'DescribeServices', fault, after: 1, times });

function rollbackThrough(
  faults: FaultRule[],
  inputs: Record<string, string> = {},
  options: { signal?: { when: RegExp; signal: NodeJS.Signals } } = {},
): Promise<ActionResult> {
  for (const fault of faults) aws.proxy.addFault(fault);
  return runAction(
    'rollback',
    { cluster: CLUSTER, service: SERVICE, reason: 'smoke test failed', 'poll-interval-seconds': '1', 'timeout-seconds': '20', ...inputs },
    {
      env: { ...aws.env(), ...RUNNER_ENV },
      signal: options.signal,
      timeoutMs: 60_000,
    },
  );
}

const errorOf = (result: ActionResult): string => result.annotations.find((a) => a.level === 'error')?.message ?? '';
const statusOf = async (n: number): Promise<string | undefined> => (await tagsOf(aws.ecs, revisionArn(n)))['gantry:status'];

describe('rollback through faults (previous: web:4 → web:3)', () => {
  beforeEach(freshHistory);

  it('one malformed HTTP 200 mid-wait is retried; rolled back', async () => {
    const result = await rollbackThrough([duringWait('malformed-200', 1)]);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs).toMatchObject({
      status: 'rolled-back',
      'task-definition-arn': revisionArn(3),
      'from-task-definition-arn': revisionArn(4),
    });
    expect(await serviceTaskDefinition(aws.ecs)).toBe(revisionArn(3));
    expect(await statusOf(4)).toBe('rolled-back');
  });

  it.each([
    ['AccessDeniedException', 'access-denied'],
    ['ExpiredTokenException', 'expired-token'],
    ['ThrottlingException', 'throttle'],
  ] as const)('%s on every poll: timed-out naming it, outputs written; what runs is unknown, so no tag changes', async (name, fault) => {
    const result = await rollbackThrough([duringWait(fault)], { 'timeout-seconds': String(TIMEOUT_S) });
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ status: 'timed-out', 'from-task-definition-arn': revisionArn(4) });
    expect(errorOf(result)).toMatch(
      new RegExp(
        `^GANTRY-ROLLBACK-016: Rollback of service web from web:4 to web:3 timed out: rollout did not finish within ${TIMEOUT_S}s; no successful DescribeServices \\(last error: ${name}`,
      ),
    );
    // The service was switched (it asks for web:3), but every read failed: the action cannot know
    // what runs, so it tags nothing it cannot see (web:4 stays failed, web:3 deployed) and says so.
    expect(await serviceTaskDefinition(aws.ecs)).toBe(revisionArn(3));
    expect(result.outputs['task-definition-arn']).toBeUndefined();
    expect(result.stdout).toMatch(/What the service runs is unknown, so web:4 keeps its gantry:status/);
    expect(await statusOf(4)).toBe('failed');
    expect(await statusOf(3)).toBe('deployed');
  });

  it('a poll that never answers: timed-out within timeout-seconds plus one poll', async () => {
    const result = await rollbackThrough([duringWait('hang')], { 'timeout-seconds': String(TIMEOUT_S) });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('timed-out');
    expect(result.durationMs).toBeLessThan((TIMEOUT_S + 1) * 1000 + 1500);
    expect(await statusOf(4)).toBe('failed');
  });

  it('UpdateService applied, every answer lost: read back, the service WAS changed, watched to the end', async () => {
    const result = await rollbackThrough([{ operation: 'UpdateService', fault: 'reset-after-forward', times: Infinity }]);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).toMatch(
      /starting the rollback failed: .*\. The service WAS changed: it now runs .*web:3\. The switch was applied: watching its rollout\./,
    );
    expect(result.outputs).toMatchObject({ status: 'rolled-back', 'task-definition-arn': revisionArn(3) });
    expect(await serviceTaskDefinition(aws.ecs)).toBe(revisionArn(3));
    expect(await statusOf(4)).toBe('rolled-back');
  });

  it('a throttling storm on UpdateService (then it passes): the SDK retries, rolled back', async () => {
    const result = await rollbackThrough([{ operation: 'UpdateService', fault: 'throttle', times: 3 }]);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(aws.proxy.log().filter((r) => r.operation === 'UpdateService' && r.fault === 'throttle')).toHaveLength(3);
    expect(result.outputs).toMatchObject({ status: 'rolled-back', 'task-definition-arn': revisionArn(3) });
    expect(await statusOf(4)).toBe('rolled-back');
  });

  it('UpdateService refused: the service was NOT changed, said so; nothing re-tagged', async () => {
    const result = await rollbackThrough([{ operation: 'UpdateService', fault: 'access-denied', times: Infinity }]);
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({
      status: 'failed',
      'task-definition-arn': revisionArn(4),
      'from-task-definition-arn': revisionArn(4),
    });
    expect(errorOf(result)).toMatch(
      /failed: starting the rollback failed: AccessDeniedException: .*\. The service was NOT changed: it still runs .*web:4\./,
    );
    expect(await serviceTaskDefinition(aws.ecs)).toBe(revisionArn(4));
    expect(await statusOf(4)).toBe('failed');
    expect(await statusOf(3)).toBe('deployed');
  });

  it('a cancelled job (SIGTERM mid-wait) writes the outputs and tags from what runs', async () => {
    aws.layer.setScenario({ kind: 'hang', image: 'web:1.2.0' });
    const result = await rollbackThrough([], { 'timeout-seconds': '60' }, { signal: { when: /poll 2:/, signal: 'SIGTERM' } });
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({
      status: 'cancelled',
      'task-definition-arn': revisionArn(3),
      'from-task-definition-arn': revisionArn(4),
    });
    expect(result.stdout).toMatch(/Received SIGTERM/);
    expect(result.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /^GANTRY-ROLLBACK-121: Rollback of service \S+ from \S+:4 to \S+:3 was cancelled \(SIGTERM\) before its rollout was judged; the service runs \S+:3\.$/,
    );
    expect(await statusOf(4)).toBe('rolled-back');
    expect(await statusOf(3)).toBe('deployed');
  });
});

describe('the release status chain of a failed rollback', () => {
  beforeEach(freshHistory);

  it('ECS puts the service back on the revision rolled back from: it is never tagged rolled-back', async () => {
    // web:3 is the live, healthy release; a rollback to web:4 fails and the circuit breaker returns to web:3.
    await rollbackTo(aws.ecs, { target: 'previous', reason: 'first' });
    expect(await serviceTaskDefinition(aws.ecs)).toBe(revisionArn(3));
    aws.layer.setScenario({ kind: 'fail-rollback', image: 'web:1.3.0', ticks: 2 });
    const result = await rollbackThrough([], { target: 'revision:4' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ status: 'failed', 'from-task-definition-arn': revisionArn(3) });
    expect(errorOf(result)).toMatch(/^GANTRY-ROLLBACK-015: Rollback of service web from web:3 to web:4 failed: deployment .* FAILED/);
    expect(result.stdout).toMatch(/The service runs web:3 again \(the rollback did not take\), so it keeps its gantry:status\./);
    expect(await statusOf(3)).toBe('deployed');
    expect(await statusOf(4)).toBe('failed');
    // …so version: still finds it, and the next previous does not skip it.
    // (Before, web:3 was tagged rolled-back here and `version:` said "no deployed revision".)
    const again = await rollbackThrough([], { target: `version:${release(2).version}`, 'dry-run': 'true' });
    expect(again.exitCode, again.stdout).toBe(0);
    expect(again.outputs).toMatchObject({ status: 'noop', 'task-definition-arn': revisionArn(3) });
  });
});

describe("a target ECS's own rollback is still rolling out to", () => {
  beforeEach(freshHistory);

  it('is watched to its end, not reported noop at once', async () => {
    // Release 4 (web:5) fails; the circuit breaker's rollback to web:4 is IN_PROGRESS for 3 polls.
    const env: Record<string, string> = { ...RUNNER_ENV };
    const inputs = {
      cluster: CLUSTER,
      service: SERVICE,
      image: release(4).image,
      'git-sha': release(4).sha,
      wait: 'false',
      'poll-interval-seconds': '1',
    };
    for (const [name, value] of Object.entries(inputs)) env[inputEnvName(name)] = value;
    aws.layer.setScenario({ kind: 'fail-rollback', image: release(4).image, ticks: 1, rollbackTicks: 3 });
    await deploy(getDeployInputs(env), { ecs: aws.ecs, clock: new FakeClock(0), log: memoryLogger(), context: runnerContext(env) });
    await serviceTaskDefinition(aws.ecs); // one poll: FAILED, the rollback deployment to web:4 starts
    expect(aws.layer.state().services[0].deployments[0]).toMatchObject({
      taskDefinition: revisionArn(4),
      isRollback: true,
      rolloutState: 'IN_PROGRESS',
    });

    const result = await rollbackThrough([], { target: 'revision:4' });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs).toMatchObject({ status: 'noop', 'task-definition-arn': revisionArn(4) });
    expect(result.stdout).toMatch(/still IN_PROGRESS: watching it to its end/);
    expect(result.stdout).toMatch(/poll \d+: running 2\/2, pending 0, failed tasks 0 · COMPLETED/);
    expect(aws.layer.state().services[0].deployments).toEqual([
      expect.objectContaining({ taskDefinition: revisionArn(4), rolloutState: 'COMPLETED' }),
    ]);
  });
});
