/**
 * deploy-ecs `register-only` (the bundle, moto + rollout layer): the revision a migration runs is
 * registered with the release metadata and gantry:status=pending, the service is not updated; a
 * later deploy with `task-definition-arn` deploys exactly that revision.
 */
import { describe, expect, it } from 'vitest';
import { useEcsEmulator } from '../support/ecs-emulator';
import { runAction } from '../support/harness';
import { CLUSTER, REGISTRY, SERVICE, createService, readRevision, serviceTaskDefinition, taskDefinitionArns } from './moto-setup';

const TD = (revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;
const aws = useEcsEmulator();

describe('deploy-ecs register-only', () => {
  it('registers the release revision without touching the service; the deploy then promotes exactly it', async () => {
    await createService(aws.ecs);
    aws.layer.settle();
    const registered = await runAction(
      'deploy-ecs',
      { cluster: CLUSTER, service: SERVICE, image: `${REGISTRY}/web:a1b2c3d`, version: '1.4.0', 'register-only': 'true' },
      { env: aws.env() },
    );
    expect(registered.exitCode, registered.stdout).toBe(0);
    expect(registered.outputs).toEqual({ 'task-definition-arn': TD(2), revision: '2', status: 'registered' });
    expect(await serviceTaskDefinition(aws.ecs)).toBe(TD(1));
    expect(aws.layer.state().calls.UpdateService).toBeUndefined();
    expect((await readRevision(aws.ecs, TD(2))).tags).toMatchObject({
      'gantry:status': 'pending',
      'gantry:version': '1.4.0',
      'gantry:previous': TD(1),
    });
    expect(registered.summary).toContain('📝 registered (service not updated)');

    const deployed = await runAction(
      'deploy-ecs',
      { cluster: CLUSTER, service: SERVICE, 'task-definition-arn': TD(2), 'poll-interval-seconds': 1 },
      { env: aws.env() },
    );
    expect(deployed.outputs).toMatchObject({ status: 'deployed', 'task-definition-arn': TD(2), 'previous-task-definition-arn': TD(1) });
    expect(await taskDefinitionArns(aws.ecs)).toEqual([TD(1), TD(2)]);
    expect((await readRevision(aws.ecs, TD(2))).tags['gantry:status']).toBe('deployed');
  });
});
