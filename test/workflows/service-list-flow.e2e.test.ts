/**
 * deploy.yml's deploy job and rollback.yml's rollback job with a `services` list, step by step as the
 * runner goes through them (support/run-job.ts): every `if:` evaluated on the real outputs of the steps
 * before, every gantry step its real bundle against moto + the rollout layer, every script step its own
 * bash. Two services, api and worker, of cluster shop, released from one image:
 *
 * - the release succeeds: both services on their new revision, every revision recorded (digest and
 *   promotion tags, one `gantry release` annotation the next gate reads), one smoke test, per-service rows;
 * - one of two fails: the list's rollback step runs with deploy-ecs's rollback-services and both
 *   services are back on their own previous revision (moto's state and tags); nothing is recorded;
 * - rollback.yml with a list: both services back to the release before, the smoke test expecting the
 *   commit they run again.
 */
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { ContainerDefinition, ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsTestEnv, ecsClientFor, startMoto, TEST_REGION, type MotoServer } from '../support/moto';
import { startRolloutLayer, type RolloutLayer } from '../support/rollout-layer';
import { releaseRecord } from '../../actions/release-gate/src/evidence';
import { CLUSTER, REGISTRY, createService, readRevision, serviceTaskDefinition } from '../deploy-ecs/moto-setup';
import { defaultNetwork } from '../run-task/moto-setup';
import { runJob, type JobRun } from './support/run-job';

const SHA_A = 'a1'.repeat(20);
const SHA_B = 'b2'.repeat(20);
const IMAGE = (sha: string) => `123456789012.dkr.ecr.us-east-1.amazonaws.com/shop@sha256:${sha.slice(0, 2).repeat(32)}`;
const TD = (family: string, revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`;
const SERVICES = `
- service: api
  task-definition: api.json
  container-name: api
- service: worker
  task-definition: worker.json
  container-name: worker
`;

let moto: MotoServer;
let layer: RolloutLayer;
let ecs: ECSClient;
let app: http.Server;
let appUrl: string;
/** The commit the environment URL answers with (the api's release). */
let answering = SHA_A;
let workspace: string;

beforeAll(async () => {
  moto = await startMoto();
  layer = await startRolloutLayer({ motoUrl: moto.url });
  ecs = ecsClientFor(layer.url);
  app = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', gitSha: answering }));
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => app?.close(resolve));
  await layer?.stop();
  await moto?.stop();
});
beforeEach(async () => {
  await layer.reset();
  workspace = mkdtempSync(path.join(os.tmpdir(), 'gantry-list-flow-'));
  const container = (name: string): ContainerDefinition => ({
    name,
    image: `${REGISTRY}/app:1.0.0`,
    essential: true,
    cpu: 0,
    // moto's RunTask (the migration) adds up the containers' memory and fails without it.
    memory: 512,
    environment: [{ name: 'ROLE', value: name }],
    logConfiguration: {
      logDriver: 'awslogs',
      options: { 'awslogs-group': '/ecs/shop', 'awslogs-region': TEST_REGION, 'awslogs-stream-prefix': name },
    },
  });
  // In a VPC, as on Fargate: a migration's one-off task borrows its service's network.
  const network = await defaultNetwork(layer.url);
  for (const name of ['api', 'worker']) {
    await createService(ecs, {
      service: name,
      family: name,
      containers: [container(name)],
      circuitBreaker: { enable: true, rollback: false },
      network,
    });
    writeFileSync(
      path.join(workspace, `${name}.json`),
      JSON.stringify({
        family: name,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [container(name)],
      }),
    );
  }
  layer.settle();
  layer.setScenario({ kind: 'complete', ticks: 1 });
});
afterEach(() => rmSync(workspace, { recursive: true, force: true }));

const env = () => ({ ...awsTestEnv(layer.url), AWS_DEFAULT_REGION: TEST_REGION });
const github = { server_url: 'https://github.com', repository: 'acme/shop', run_id: '4242' };

/** deploy.yml's deploy job with `services`, from the first step after Terraform apply (the migration check). */
function deployJob(sha: string, inputs: Record<string, string | number | boolean> = {}): Promise<JobRun> {
  return runJob({
    workflow: '.github/workflows/deploy.yml',
    job: 'deploy',
    from: 'migration-check',
    env: env(),
    workspace,
    context: {
      inputs: {
        environment: 'staging',
        cluster: CLUSTER,
        service: '',
        services: SERVICES,
        'container-name': '',
        images: '',
        'environment-variables': '',
        'task-definition': '',
        'dry-run': false,
        'force-new-deployment': false,
        'test-url': '',
        'environment-url': appUrl,
        'smoke-checks-file': '',
        'smoke-env': '',
        'version-path': '/health',
        'version-field': 'gitSha',
        'smoke-timeout-seconds': 15,
        'rollout-timeout-seconds': 90,
        'override-reason': '',
        migration: '',
        'migration-container': '',
        'migration-timeout-seconds': 600,
        ...inputs,
      },
      needs: {
        resolve: {
          result: 'success',
          outputs: {
            sha,
            version: '2.0.0',
            'call-id': 'shop.api.worker',
            lock: 'services@shop',
            'migration-service': String(inputs['migration-service'] || 'api'),
            'migration-index': inputs['migration-service'] === 'worker' ? '1' : '0',
            'migration-task-definition': inputs['migration-service'] === 'worker' ? 'worker.json' : 'api.json',
          },
        },
        gate: { result: 'success', outputs: { promotion: 'not-required' } },
      },
      github,
      secrets: {},
      steps: { image: { outputs: { image: IMAGE(sha) }, outcome: 'success', conclusion: 'success' } },
    },
  });
}

const explain = (job: JobRun) => job.steps.map((s) => `${s.id} ${s.outcome}\n${s.result?.stdout ?? s.stdout ?? ''}`).join('\n');

describe("deploy.yml's deploy job with a services list (bundles, moto + rollout layer)", () => {
  it('a two-service release: both deployed, one smoke test, every revision recorded, a row per service', async () => {
    answering = SHA_A;
    const job = await deployJob(SHA_A);
    expect(job.status, explain(job)).toBe('success');
    const summaryStep = job.steps.at(-1)?.id;
    expect(job.ran).toEqual(['deploy', 'smoke', 'record', summaryStep]);
    for (const id of ['register', 'migration', 'gate-test', 'gate-production', 'gate-rollback', 'rollback', 'rollback-services'])
      expect(job.byId(id)?.outcome, id).toBe('skipped');
    // deploy-ecs got the list and no gate stages (a list takes none).
    expect(JSON.parse(job.byId('deploy')?.outputs.services ?? '[]')).toEqual([
      expect.objectContaining({ service: 'api', status: 'deployed', 'task-definition-arn': TD('api', 2) }),
      expect.objectContaining({ service: 'worker', status: 'deployed', 'task-definition-arn': TD('worker', 2) }),
    ]);
    for (const name of ['api', 'worker']) {
      expect(await serviceTaskDefinition(ecs, name)).toBe(TD(name, 2));
      const revision = await readRevision(ecs, TD(name, 2), name);
      expect(revision.app?.image).toBe(IMAGE(SHA_A));
      // The release record on EVERY revision: what the next environment's gate and production deploy go by.
      expect(revision.tags).toMatchObject({
        'gantry:status': 'deployed',
        'gantry:git-sha': SHA_A,
        'gantry:previous': TD(name, 1),
        'gantry:image-digest': IMAGE(SHA_A).split('@')[1],
        'gantry:promotion': 'not-required',
      });
    }
    const record = job.byId('record');
    expect(record?.outputs.recorded).toBe('true');
    const notices = (record?.result?.annotations ?? []).filter((a) => a.level === 'notice');
    expect(notices).toHaveLength(1);
    expect(notices[0]?.message).toBe(`image=${IMAGE(SHA_A)} sha=${SHA_A} task-definitions=${TD('api', 2)},${TD('worker', 2)}`);
    // The promotion gate of the next environment reads the digest from exactly that annotation.
    expect(releaseRecord([{ title: notices[0]?.properties.title, message: notices[0]?.message }], SHA_A)).toEqual({
      image: IMAGE(SHA_A),
      digest: IMAGE(SHA_A).split('@')[1],
    });
    expect(job.summary).toContain('| deploy-ecs | deployed  |');
    expect(job.summary).toContain('| service | deploy-ecs | task definition | rollback |');
    expect(job.summary).toContain('| api | deployed | api:1 → api:2 | — |');
    expect(job.summary).toContain('| worker | deployed | worker:1 → worker:2 | — |');
  }, 180_000);

  it('one of two fails: the list is rolled back, each service to its own previous revision; nothing recorded', async () => {
    layer.setScenario({ kind: 'fail', service: 'worker', image: 'sha256:', ticks: 1 });
    const job = await deployJob(SHA_A);
    expect(job.status).toBe('failure');
    const summaryStep = job.steps.at(-1)?.id;
    expect(job.ran, explain(job)).toEqual(['deploy', 'rollback-services', summaryStep]);
    for (const id of ['smoke', 'record', 'rollback']) expect(job.byId(id)?.outcome, id).toBe('skipped');
    expect(job.byId('deploy')?.outcome).toBe('failure');
    expect(JSON.parse(job.byId('deploy')?.outputs['rollback-services'] ?? '[]')).toEqual([
      { service: 'api', target: TD('api', 1) },
      { service: 'worker', target: TD('worker', 1) },
    ]);
    const rollback = job.byId('rollback-services');
    expect(rollback?.outcome, rollback?.result?.stdout).toBe('success');
    expect(rollback?.outputs.status).toBe('rolled-back');
    for (const name of ['api', 'worker']) {
      expect(await serviceTaskDefinition(ecs, name)).toBe(TD(name, 1));
      const from = await readRevision(ecs, TD(name, 2), name);
      expect(from.tags['gantry:status']).toBe('rolled-back');
      expect(from.tags['gantry:rollback-reason']).toBe(
        `automatic: the rollout of ${SHA_A} to staging failed run https://github.com/acme/shop/actions/runs/4242`,
      );
      // No release record on a release that failed.
      expect(from.tags['gantry:image-digest']).toBeUndefined();
    }
    expect(job.summary).toContain('| rollback (every service updated) | success |');
    // The api may have completed in the poll that found the worker failed: deployed or failed, it is rolled back.
    expect(job.summary).toMatch(/\| api \| (deployed|failed) \| api:1 → api:2 \| rolled-back → api:1 \|/);
    expect(job.summary).toMatch(/\| worker \| failed \| worker:1 → worker:2 \| rolled-back → worker:1 \|/);
  }, 180_000);
});

describe("deploy.yml's deploy job with a services list and a migration", () => {
  it('a failed migration: every revision registered, no service updated, nothing to roll back', async () => {
    layer.setTaskScenario({ exitCode: 1, ticks: 1, logs: ['Applying 0007_carts', 'ERROR: column "total" does not exist'] });
    const job = await deployJob(SHA_A, { migration: 'npm run migrate', 'migration-service': 'worker', 'migration-container': 'worker' });
    expect(job.status).toBe('failure');
    expect(job.ran, explain(job)).toEqual(['migration-check', 'register', 'migration', job.steps.at(-1)?.id]);
    for (const id of ['deploy', 'smoke', 'rollback', 'rollback-services', 'record']) expect(job.byId(id)?.outcome, id).toBe('skipped');
    expect(JSON.parse(job.byId('register')?.outputs['deploy-services'] ?? '[]')).toEqual([
      { service: 'api', 'task-definition-arn': TD('api', 2) },
      { service: 'worker', 'task-definition-arn': TD('worker', 2) },
    ]);
    // The check read the worker's entry (its own file), then the migration ran from the worker's new
    // revision (migration-service), in the worker's network.
    expect(job.byId('migration-check')?.inputs).toMatchObject({ service: 'worker', 'task-definition': 'worker.json' });
    expect(job.byId('migration-check')?.outputs).toMatchObject({ status: 'checked', container: 'worker' });
    expect(job.byId('migration')?.inputs).toMatchObject({ service: 'worker', 'task-definition-arn': TD('worker', 2) });
    expect(layer.state().tasks[0]).toMatchObject({ taskDefinitionArn: TD('worker', 2), exitCode: 1 });
    // No service was told to change: both still run revision 1; the new revisions stay pending.
    expect(layer.state().calls.UpdateService).toBeUndefined();
    for (const name of ['api', 'worker']) {
      expect(await serviceTaskDefinition(ecs, name)).toBe(TD(name, 1));
      expect((await readRevision(ecs, TD(name, 2), name)).tags['gantry:status']).toBe('pending');
    }
    expect(job.summary).toContain('| migration | failure (exit code 1) |');
  }, 180_000);

  it("a migration-container the migration-service entry's file has not: refused at the check, nothing registered", async () => {
    const registeredBefore = layer.state().calls.RegisterTaskDefinition ?? 0;
    // 'api' is a container of api.json, not of worker.json: the check reads the entry's own file.
    const job = await deployJob(SHA_A, { migration: 'npm run migrate', 'migration-service': 'worker', 'migration-container': 'api' });
    expect(job.status).toBe('failure');
    expect(job.ran, explain(job)).toEqual(['migration-check', job.steps.at(-1)?.id]);
    const check = job.byId('migration-check');
    expect(check?.result?.annotations.find((a) => a.level === 'error')?.message, explain(job)).toMatch(
      /^GANTRY-RUNTASK-\d{3}: .*'container'.*api/,
    );
    expect(layer.state().calls.RegisterTaskDefinition ?? 0).toBe(registeredBefore);
    expect(layer.state().calls.RunTask).toBeUndefined();
    for (const name of ['api', 'worker']) expect(await serviceTaskDefinition(ecs, name)).toBe(TD(name, 1));
  }, 180_000);

  it('a migration that succeeds: the release deploys exactly the revisions registered for it', async () => {
    answering = SHA_A;
    layer.setTaskScenario({ ticks: 1, logs: ['migrations done'] });
    const registeredBefore = layer.state().calls.RegisterTaskDefinition ?? 0;
    const job = await deployJob(SHA_A, { migration: 'npm run migrate', 'migration-container': 'api' });
    expect(job.status, explain(job)).toBe('success');
    expect(job.ran).toEqual(['migration-check', 'register', 'migration', 'deploy', 'smoke', 'record', job.steps.at(-1)?.id]);
    // Default migration-service: the first entry.
    expect(job.byId('migration')?.inputs).toMatchObject({ service: 'api', 'task-definition-arn': TD('api', 2) });
    // The deploy got the registered list, no image: nothing rendered or registered again.
    expect(job.byId('deploy')?.inputs?.services).toBe(job.byId('register')?.outputs['deploy-services']);
    expect(job.byId('deploy')?.inputs?.image).toBe('');
    for (const name of ['api', 'worker']) {
      expect(await serviceTaskDefinition(ecs, name)).toBe(TD(name, 2));
      expect((await readRevision(ecs, TD(name, 2), name)).tags).toMatchObject({ 'gantry:status': 'deployed', 'gantry:git-sha': SHA_A });
    }
    // One revision per service, registered once for the migration and the rollout.
    expect(layer.state().calls.RegisterTaskDefinition).toBe(registeredBefore + 2);
  }, 180_000);
});

describe("rollback.yml's rollback job with a services list", () => {
  it('both services back to the release before, the restored release smoke-tested once with its commit', async () => {
    answering = SHA_A;
    expect((await deployJob(SHA_A)).status).toBe('success');
    answering = SHA_B;
    expect((await deployJob(SHA_B)).status).toBe('success');
    for (const name of ['api', 'worker']) expect(await serviceTaskDefinition(ecs, name)).toBe(TD(name, 3));

    // The environment answers the restored release once the services run it again.
    answering = SHA_A;
    const job = await runJob({
      workflow: '.github/workflows/rollback.yml',
      job: 'rollback',
      from: 'rollback',
      env: env(),
      workspace,
      context: {
        inputs: {
          environment: 'staging',
          'environment-url': appUrl,
          cluster: CLUSTER,
          service: '',
          services: '- service: api\n- service: worker\n',
          target: 'previous',
          reason: 'INC-7: 2.1.0 corrupts carts',
          'dry-run': false,
          'rollout-timeout-seconds': 90,
          'smoke-checks-file': '',
          'smoke-timeout-seconds': 15,
          'version-path': '/health',
          'version-field': 'gitSha',
          'smoke-env': '',
        },
        needs: { resolve: { result: 'success', outputs: { lock: 'services@shop' } } },
        github: { ...github, triggering_actor: 'alice' },
        secrets: {},
      },
    });
    expect(job.status, explain(job)).toBe('success');
    expect(job.ran).toEqual(['rollback', 'restored-services', job.steps.at(-1)?.id]);
    expect(job.byId('restored')?.outcome).toBe('skipped');
    expect(job.byId('restored-services')?.outputs['git-sha']).toBe(SHA_A);
    expect(job.byId('restored-services')?.stdout).toContain(`api runs ${TD('api', 2)}, commit ${SHA_A}`);
    const smoke = job.steps.at(-1);
    expect(smoke?.outcome).toBe('success');
    // The version the smoke test expected is the restored commit (evaluated from the step's own with:).
    expect(smoke?.inputs?.['expect-version']).toBe(SHA_A);
    for (const name of ['api', 'worker']) {
      expect(await serviceTaskDefinition(ecs, name)).toBe(TD(name, 2));
      expect((await readRevision(ecs, TD(name, 3), name)).tags).toMatchObject({
        'gantry:status': 'rolled-back',
        'gantry:rollback-reason': 'INC-7: 2.1.0 corrupts carts by alice run https://github.com/acme/shop/actions/runs/4242',
      });
    }
    // The rollback action's own summary: one row per service.
    expect(job.summary).toMatch(/\| api \|[^\n]*api:3[^\n]*api:2/);
    expect(job.summary).toMatch(/\| worker \|[^\n]*worker:3[^\n]*worker:2/);
  }, 300_000);
});
