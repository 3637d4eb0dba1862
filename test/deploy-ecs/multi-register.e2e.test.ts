/**
 * register-only with a `services` list and a list of given revisions (`task-definition-arn` entries),
 * through the deploy-ecs bundle against moto + the rollout layer — what deploy.yml does with a migration
 * before a release of several services: register every revision and update nothing, then deploy exactly
 * those revisions (nothing registered again).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runAction } from '../support/harness';
import { awsTestEnv, ecsClientFor, startMoto, type MotoServer } from '../support/moto';
import { startRolloutLayer, type RolloutLayer } from '../support/rollout-layer';
import { CLUSTER, REGISTRY, createService, readRevision, serviceTaskDefinition, taskDefinitionArns } from './moto-setup';

const TD = (family: string, revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`;
const SHA = 'd00dfeedd00dfeedd00dfeedd00dfeedd00dfeed';
const SERVICES = '- service: api\n  task-definition: api.json\n  container-name: api\n- service: worker\n  task-definition: worker.json\n';

let moto: MotoServer;
let layer: RolloutLayer;
let ecs: ECSClient;
let workspace: string;

beforeAll(async () => {
  moto = await startMoto();
  layer = await startRolloutLayer({ motoUrl: moto.url });
  ecs = ecsClientFor(layer.url);
});
afterAll(async () => {
  await layer?.stop();
  await moto?.stop();
});
beforeEach(async () => {
  await layer.reset();
  workspace = mkdtempSync(path.join(os.tmpdir(), 'gantry-multi-register-'));
  for (const name of ['api', 'worker']) {
    const container = { name, image: `${REGISTRY}/app:1.0.0`, essential: true, cpu: 0 };
    await createService(ecs, { service: name, family: name, containers: [container] });
    writeFileSync(
      path.join(workspace, `${name}.json`),
      JSON.stringify({
        family: name,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [container],
      }),
    );
  }
  layer.settle();
  layer.setScenario({ kind: 'complete', ticks: 1 });
});
afterEach(() => rmSync(workspace, { recursive: true, force: true }));

const deploy = (inputs: Record<string, string>) =>
  runAction(
    'deploy-ecs',
    { cluster: CLUSTER, 'git-sha': SHA, version: '3.0.0', environment: 'staging', 'poll-interval-seconds': 1, ...inputs },
    { env: awsTestEnv(layer.url), workspace },
  );

describe('deploy-ecs services: register-only, then the registered revisions deployed as they are', () => {
  it('registers every revision and updates no service; the deploy of deploy-services deploys exactly them', async () => {
    const registeredBefore = (await taskDefinitionArns(ecs)).length;
    const register = await deploy({ services: SERVICES, image: `${REGISTRY}/app:d00dfee`, 'register-only': 'true' });
    expect(register.exitCode, register.stdout).toBe(0);
    expect(register.outputs.status).toBe('registered');
    expect(JSON.parse(register.outputs['deploy-services'])).toEqual([
      { service: 'api', 'task-definition-arn': TD('api', 2) },
      { service: 'worker', 'task-definition-arn': TD('worker', 2) },
    ]);
    // Nothing to roll back: no service was told to change.
    expect(JSON.parse(register.outputs['rollback-services'])).toEqual([]);
    expect(layer.state().calls.UpdateService).toBeUndefined();
    for (const name of ['api', 'worker']) {
      expect(await serviceTaskDefinition(ecs, name)).toBe(TD(name, 1));
      const revision = await readRevision(ecs, TD(name, 2), name);
      expect(revision.tags).toMatchObject({ 'gantry:status': 'pending', 'gantry:git-sha': SHA, 'gantry:previous': TD(name, 1) });
      expect(revision.app?.image).toBe(`${REGISTRY}/app:d00dfee`);
    }
    expect(register.summary).toContain('📝 registered (register-only: no service updated)');

    const release = await deploy({ services: register.outputs['deploy-services'] });
    expect(release.exitCode, release.stdout).toBe(0);
    expect(release.outputs.status).toBe('deployed');
    for (const name of ['api', 'worker']) {
      expect(await serviceTaskDefinition(ecs, name)).toBe(TD(name, 2));
      expect((await readRevision(ecs, TD(name, 2), name)).tags).toMatchObject({
        'gantry:status': 'deployed',
        'gantry:previous': TD(name, 1),
      });
    }
    expect(JSON.parse(release.outputs['rollback-services'])).toEqual([
      { service: 'api', target: TD('api', 1) },
      { service: 'worker', target: TD('worker', 1) },
    ]);
    // Two revisions in all: registered once, deployed as they are.
    expect((await taskDefinitionArns(ecs)).length).toBe(registeredBefore + 2);
  }, 120_000);
});
