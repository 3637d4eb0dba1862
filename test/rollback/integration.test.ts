/**
 * rollback() in-process with the real AWS SDK against moto_server behind the rollout layer, on a
 * history made by the real deploy-ecs code: web:1 (before gantry), releases 1, 2, 3 = web:2, web:3, web:4.
 */
import { DeregisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { useEcsEmulator } from '../support/ecs-emulator';
import { setReleaseStatus } from '../../lib/ecs/release';
import { ActionFailure, InputError } from '../../lib/runner/errors';
import { createHistory, deployRelease, release, revisionArn, rollbackTo, serviceTaskDefinition, tagsOf } from './history';

/** Releases 1, 2, 3 deployed (web:2, web:3, web:4); release 3 then marked failed (say, by a smoke test). */
const aws = useEcsEmulator({ fresh: true, each: (aws) => createHistory(aws.ecs) });

const liveRevision = (): string | undefined => aws.layer.state().services[0]?.taskDefinition;
const calls = (op: string): number => aws.layer.state().calls[op] ?? 0;

describe('rollback against moto_server + rollout layer, history from deploy-ecs', () => {
  it('previous returns to release 2; a second previous goes further back (release 1), never forward', async () => {
    const first = await rollbackTo(aws.ecs, { target: 'previous', reason: 'smoke test failed: checkout returns 500' });
    expect(first.result).toMatchObject({ status: 'rolled-back', method: 'UpdateService', liveArn: revisionArn(3) });
    expect(first.result.from.arn).toBe(revisionArn(4));
    expect(first.result.how).toBe('previous: followed gantry:previous web:4 → web:3 (deployed)');
    expect(await serviceTaskDefinition(aws.ecs)).toBe(revisionArn(3));
    expect(await tagsOf(aws.ecs, revisionArn(4))).toMatchObject({
      'gantry:status': 'rolled-back',
      'gantry:rollback-reason': 'smoke test failed: checkout returns 500',
      'gantry:git-sha': release(3).sha,
    });
    expect((await tagsOf(aws.ecs, revisionArn(3)))['gantry:status']).toBe('deployed');

    const second = await rollbackTo(aws.ecs, { reason: 'release 2 is bad too' });
    expect(second.result).toMatchObject({ status: 'rolled-back', liveArn: revisionArn(2) });
    expect(second.result.how).toBe('previous: followed gantry:previous web:3 → web:2 (deployed)');
    expect(await serviceTaskDefinition(aws.ecs)).toBe(revisionArn(2));
    expect((await tagsOf(aws.ecs, revisionArn(3)))['gantry:status']).toBe('rolled-back');

    // Nothing is ever deregistered.
    expect(calls('DeregisterTaskDefinition')).toBe(0);
  });

  it.each<[string, (n: number) => string, number]>([
    ['sha: (short)', (n) => `sha:${release(n).shortSha}`, 2],
    ['sha: (full)', (n) => `sha:${release(n).sha}`, 2],
    ['version:', (n) => `version:v${release(n).version}`, 2],
    ['revision:', (n) => `revision:${n + 1}`, 1],
    ['ARN', (n) => revisionArn(n + 1), 1],
  ])('%s target', async (_name, target, releaseNumber) => {
    const { result } = await rollbackTo(aws.ecs, { target: target(releaseNumber), reason: 'named release' });
    expect(result.status).toBe('rolled-back');
    expect(result.to.arn).toBe(revisionArn(releaseNumber + 1));
    expect(await serviceTaskDefinition(aws.ecs)).toBe(revisionArn(releaseNumber + 1));
    expect((await tagsOf(aws.ecs, revisionArn(4)))['gantry:status']).toBe('rolled-back');
  });

  it('revision: may even return to the revision from before gantry', async () => {
    const { result } = await rollbackTo(aws.ecs, { target: 'revision:1' });
    expect(result).toMatchObject({ status: 'rolled-back', liveArn: revisionArn(1) });
    expect(result.to.tags).toEqual({ team: 'shop' });
  });

  it.each<[string, RegExp, typeof ActionFailure | typeof InputError]>([
    [
      'sha:deadbee',
      /no revision has gantry:git-sha starting with deadbee \(searched the newest 4 ACTIVE revisions of family web \(web:4 down to web:1\), all there are\)/,
      ActionFailure,
    ],
    ['version:9.9.9', /no revision has gantry:version 9\.9\.9/, ActionFailure],
    [`sha:${release(3).shortSha}`, /web:4 \(failed, .*\) has it but is not marked deployed/, ActionFailure],
    ['revision:42', /revision 42 of family web does not exist/, ActionFailure],
    ['arn:aws:ecs:us-east-1:123456789012:task-definition/api:2', /expected a task definition of the service's family 'web'/, InputError],
  ])('not found (%s) leaves the service untouched', async (target, message, type) => {
    const before = { updates: calls('UpdateService'), tags: calls('TagResource'), tagsOf4: await tagsOf(aws.ecs, revisionArn(4)) };
    const error = await rollbackTo(aws.ecs, { target }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toMatch(/Input 'target'/);
    expect((error as Error).message).toMatch(message);
    expect(liveRevision()).toBe(revisionArn(4));
    expect(calls('UpdateService')).toBe(before.updates);
    expect(calls('TagResource')).toBe(before.tags);
    expect(await tagsOf(aws.ecs, revisionArn(4))).toEqual(before.tagsOf4);
  });

  it('a deregistered target is a clear error and changes nothing', async () => {
    await aws.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: revisionArn(2) }));
    const error = await rollbackTo(aws.ecs, { target: `version:${release(1).version}` }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/web:2 \(deployed, .*INACTIVE\) is INACTIVE \(deregistered\)/);
    expect(liveRevision()).toBe(revisionArn(4));
  });

  it('dry run resolves and prints, changes nothing', async () => {
    const updates = calls('UpdateService');
    const { result, log } = await rollbackTo(aws.ecs, { 'dry-run': 'true' });
    expect(result).toMatchObject({ status: 'dry-run', method: 'UpdateService' });
    expect(result.to.arn).toBe(revisionArn(3));
    expect(log.text()).toContain('Would: UpdateService: service web from web:4 to web:3');
    expect(calls('UpdateService')).toBe(updates);
    expect((await tagsOf(aws.ecs, revisionArn(4)))['gantry:status']).toBe('failed');
  });

  it("during an in-progress deployment uses ECS's own rollback (StopServiceDeployment)", async () => {
    await setReleaseStatus(aws.ecs, revisionArn(4), 'deployed');
    // Release 4 hangs (tasks never become healthy); deploy-ecs does not wait for it.
    aws.layer.setScenario({ kind: 'hang', image: 'web:1.4.0' });
    await deployRelease(aws.ecs, 4, { wait: 'false' });
    expect(aws.layer.state().services[0].deployments[0]).toMatchObject({ taskDefinition: revisionArn(5), rolloutState: 'IN_PROGRESS' });

    const { result } = await rollbackTo(aws.ecs, { reason: 'release 4 does not become healthy' });
    expect(result).toMatchObject({ status: 'rolled-back', method: 'StopServiceDeployment', liveArn: revisionArn(4) });
    expect(calls('StopServiceDeployment')).toBe(1);
    const state = aws.layer.state().services[0];
    expect(state.serviceDeployments[0]).toMatchObject({ status: 'ROLLBACK_SUCCESSFUL' });
    expect(state.deployments).toHaveLength(1);
    expect(state.deployments[0]).toMatchObject({ taskDefinition: revisionArn(4), isRollback: true, rolloutState: 'COMPLETED' });
    expect((await tagsOf(aws.ecs, revisionArn(5)))['gantry:status']).toBe('rolled-back');
  });

  it('the rollback itself failing is reported at the first poll that shows it', async () => {
    // Release 2 no longer starts (say, a secret it needs was deleted): rolling back to it fails.
    aws.layer.setScenario({ kind: 'fail', image: 'web:1.2.0', ticks: 2 });
    const { result } = await rollbackTo(aws.ecs, { target: 'version:1.2.0', reason: 'try release 2' });
    expect(result.status).toBe('failed');
    expect(result.rollout).toMatchObject({ status: 'failed', polls: 2 });
    expect(result.failure).toMatch(/FAILED \(ECS deployment circuit breaker: tasks failed to start\.\)/);
    expect(result.rollout?.stoppedTasks.length).toBeGreaterThan(0);
    // The circuit breaker returns the service to what was live before the rollback.
    expect(result.liveArn).toBe(revisionArn(4));
  });
});
