/**
 * A release of several services (`services`), end to end: the deploy-ecs bundle (runner harness)
 * against moto behind the rollout layer, then — when the release fails — the rollback bundle given
 * deploy-ecs's `rollback-services` output, as deploy.yml wires them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ContainerDefinition, ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runAction, type ActionResult } from '../support/harness';
import { awsTestEnv, ecsClientFor, startMoto, TEST_REGION, type MotoServer } from '../support/moto';
import { startRolloutLayer, type RolloutLayer } from '../support/rollout-layer';
import { CLUSTER, REGISTRY, createService, readRevision, serviceTaskDefinition } from './moto-setup';

const TD = (family: string, revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`;
const SHA = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';
const CRASH = ['worker starting', 'connecting to redis://app:q7-secret@cache:6379', 'Error: ECONNREFUSED cache:6379', 'worker exited'];

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
  workspace = mkdtempSync(path.join(os.tmpdir(), 'gantry-multi-'));
});
afterEach(() => rmSync(workspace, { recursive: true, force: true }));

const container = (name: string, image = `${REGISTRY}/app:1.0.0`): ContainerDefinition => ({
  name,
  image,
  essential: true,
  cpu: 0,
  environment: [{ name: 'ROLE', value: name }],
  logConfiguration: {
    logDriver: 'awslogs',
    options: { 'awslogs-group': '/ecs/shop', 'awslogs-region': TEST_REGION, 'awslogs-stream-prefix': name },
  },
});

/** Services api (family api, container api) and worker (family worker, container worker), settled on revision 1; their files in the workspace. */
async function twoServices(): Promise<void> {
  for (const name of ['api', 'worker']) {
    await createService(ecs, {
      service: name,
      family: name,
      containers: [container(name)],
      circuitBreaker: { enable: true, rollback: false },
    });
    writeFileSync(
      path.join(workspace, `${name}.json`),
      JSON.stringify({
        family: name,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          container(name),
          ...(name === 'api' ? [{ name: 'sidecar', image: `${REGISTRY}/proxy:1`, essential: false }] : []),
        ],
      }),
    );
  }
  layer.settle();
}

const SERVICES = `
- service: api
  task-definition: api.json
  container-name: api
- service: worker
  task-definition: worker.json
  container-name: worker
`;

function deployRelease(inputs: Record<string, string | number> = {}): Promise<ActionResult> {
  return runAction(
    'deploy-ecs',
    {
      cluster: CLUSTER,
      services: SERVICES,
      image: `${REGISTRY}/app:${SHA.slice(0, 7)}`,
      'git-sha': SHA,
      version: '2.0.0',
      environment: 'staging',
      'poll-interval-seconds': 1,
      'log-lines': 3,
      ...inputs,
    },
    { env: awsTestEnv(layer.url), workspace },
  );
}

const errorOf = (result: ActionResult) => result.annotations.find((a) => a.level === 'error')?.message ?? '';
const describeServicesCalls = () => layer.state().calls.DescribeServices ?? 0;
const pollLines = (stdout: string, service: string) =>
  stdout.split('\n').filter((l) => l.startsWith(`[${service}] [`) && / poll \d+:/.test(l));

describe('deploy-ecs services: a release of several services (bundles, moto + rollout layer)', () => {
  it('two services released together: both deployed, each with its own revision, previous and container, one DescribeServices per poll', async () => {
    await twoServices();
    const result = await deployRelease();
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs.status).toBe('deployed');
    expect(result.outputs['task-definition-arn']).toBeUndefined();
    const services = JSON.parse(result.outputs.services);
    expect(services).toEqual([
      expect.objectContaining({
        service: 'api',
        status: 'deployed',
        'task-definition-arn': TD('api', 2),
        'previous-task-definition-arn': TD('api', 1),
      }),
      expect.objectContaining({
        service: 'worker',
        status: 'deployed',
        'task-definition-arn': TD('worker', 2),
        'previous-task-definition-arn': TD('worker', 1),
      }),
    ]);
    expect(JSON.parse(result.outputs['rollback-services'])).toEqual([
      { service: 'api', target: TD('api', 1) },
      { service: 'worker', target: TD('worker', 1) },
    ]);
    for (const name of ['api', 'worker']) {
      expect(await serviceTaskDefinition(ecs, name)).toBe(TD(name, 2));
      const revision = await readRevision(ecs, TD(name, 2), name);
      expect(revision.tags).toMatchObject({
        'gantry:status': 'deployed',
        'gantry:previous': TD(name, 1),
        'gantry:git-sha': SHA,
        'gantry:version': '2.0.0',
      });
      expect(revision.app?.image).toBe(`${REGISTRY}/app:${SHA.slice(0, 7)}`);
      expect(revision.env).toMatchObject({ ROLE: name, DEPLOY_GIT_SHA: SHA });
    }
    // The api's sidecar kept its own image: only the named container got the release.
    const api = await readRevision(ecs, TD('api', 2), 'sidecar');
    expect(api.app?.image).toBe(`${REGISTRY}/proxy:1`);
    // One DescribeServices per poll for both services: the polls of each service are the same polls.
    const polls = pollLines(result.stdout, 'api').length;
    expect(polls).toBeGreaterThan(0);
    expect(pollLines(result.stdout, 'worker')).toHaveLength(polls);
    expect(result.summary).toContain(`| **Watch** | ${polls} polls, ${polls} DescribeServices for 2 services (at most 1 per poll) |`);
    // One DescribeServices describing both before the plan, at most one per service to find what UpdateService started, then one per poll.
    expect(describeServicesCalls()).toBeLessThanOrEqual(1 + 2 + polls);
    expect(result.summary).toMatch(/\| api \| api:1 → api:2 \| api \| ✅ deployed \|/);
    expect(result.summary).toMatch(/\| worker \| worker:1 → worker:2 \| worker \| ✅ deployed \|/);
  });

  it('one of two failing: the release fails at once, the other watch ends, both are rolled back, each to its own previous', async () => {
    await twoServices();
    layer.setScenario({ kind: 'complete', service: 'api', image: SHA.slice(0, 7), ticks: 6 });
    layer.setScenario({ kind: 'fail', service: 'worker', image: SHA.slice(0, 7), ticks: 1, logs: CRASH });
    const result = await deployRelease();
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('failed');
    const services = JSON.parse(result.outputs.services);
    expect(services.map((s: { status: string }) => s.status)).toEqual(['failed', 'failed']);
    expect(services[0].reason).toMatch(/^not judged: the release failed \(service worker failed: deployment .* FAILED/);
    expect(errorOf(result)).toMatch(
      /^GANTRY-DEPLOY-105: Release of 2 services in cluster shop failed: service worker failed: deployment \S+ FAILED/,
    );
    // The api's rollout was still in progress: the release did not wait for it.
    expect(pollLines(result.stdout, 'api').length).toBeLessThan(6);
    // Both revisions tagged truthfully: neither is a release a `previous` rollback may pick.
    expect((await readRevision(ecs, TD('api', 2), 'api')).tags['gantry:status']).toBe('failed');
    expect((await readRevision(ecs, TD('worker', 2), 'worker')).tags['gantry:status']).toBe('failed');
    // The crashing container's own last lines, for the worker, redacted.
    expect(result.stdout).toContain('worker | Error: ECONNREFUSED cache:6379');
    expect(result.summary).toContain('worker | Error: ECONNREFUSED cache:6379');
    expect(result.stdout).toMatch(/worker: failed worker:2 .*last log lines: worker \| connecting to redis:\/\/app:\*\*\*@cache:6379/);
    expect(result.summary).toMatch(/### worker\n\n#### Stopped tasks/);
    expect(`${result.stdout}${result.summary}`).not.toContain('q7-secret');

    const rollbackServices = result.outputs['rollback-services'];
    expect(JSON.parse(rollbackServices)).toEqual([
      { service: 'api', target: TD('api', 1) },
      { service: 'worker', target: TD('worker', 1) },
    ]);
    const rolledBack = await runAction(
      'rollback',
      { cluster: CLUSTER, services: rollbackServices, reason: 'release 2.0.0 failed', 'poll-interval-seconds': 1 },
      { env: awsTestEnv(layer.url), workspace },
    );
    expect(rolledBack.exitCode, rolledBack.stdout).toBe(0);
    expect(rolledBack.outputs.status).toBe('rolled-back');
    expect(JSON.parse(rolledBack.outputs.services)).toEqual([
      expect.objectContaining({
        service: 'api',
        status: 'rolled-back',
        'task-definition-arn': TD('api', 1),
        'from-task-definition-arn': TD('api', 2),
      }),
      expect.objectContaining({
        service: 'worker',
        status: 'rolled-back',
        'task-definition-arn': TD('worker', 1),
        'from-task-definition-arn': TD('worker', 2),
      }),
    ]);
    for (const name of ['api', 'worker']) {
      expect(await serviceTaskDefinition(ecs, name)).toBe(TD(name, 1));
      expect((await readRevision(ecs, TD(name, 2), name)).tags).toMatchObject({
        'gantry:status': 'rolled-back',
        'gantry:rollback-reason': 'release 2.0.0 failed',
      });
    }
  });

  it('a refused UpdateService of the first service: the second is never updated, its revision tagged failed', async () => {
    await twoServices();
    layer.setScenario({ throttle: 20, operation: 'UpdateService' });
    const result = await deployRelease({ 'timeout-seconds': 5 });
    expect(result.exitCode).toBe(1);
    const services = JSON.parse(result.outputs.services);
    expect(services[0]).toMatchObject({ service: 'api', status: 'failed' });
    expect(services[0].reason).toMatch(/UpdateService of api to \S+ failed: .*The service was NOT changed/);
    expect(services[1]).toMatchObject({ service: 'worker', status: 'failed', 'previous-task-definition-arn': null });
    expect(services[1].reason).toMatch(/^not updated: the release failed before this service's turn/);
    expect(await serviceTaskDefinition(ecs, 'api')).toBe(TD('api', 1));
    expect(await serviceTaskDefinition(ecs, 'worker')).toBe(TD('worker', 1));
    expect((await readRevision(ecs, TD('worker', 2), 'worker')).tags['gantry:status']).toBe('failed');
    // The api was told to change (its answer lost or refused): it is in the rollback list; the worker is not.
    expect(JSON.parse(result.outputs['rollback-services'])).toEqual([{ service: 'api', target: TD('api', 1) }]);
    expect(layer.state().calls.UpdateService).toBeGreaterThan(0);
  });
});
