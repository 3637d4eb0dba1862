/**
 * deploy.yml's deploy job with a migration, step by step as the runner would go through it: from the
 * migration-check step on, each step's own `if:` (from the YAML) is evaluated with GitHub's expression engine
 * against the job status and the outputs and outcomes of the steps before it; a gantry step that runs
 * is its real bundle with its `with:` evaluated the same way (and the action.yml defaults), against
 * moto + the rollout layer; the Summary step is its own bash script (support/run-job.ts). The steps before (checkout,
 * credentials, the image by digest, terraform) are taken as done: the image output is given.
 *
 * A migration that exits 1 must end the job with the service exactly as it was — asserted on moto
 * (task definition, its release tags, its deployments, no UpdateService) — and no deploy, smoke test,
 * rollback or release record step run; a migration that succeeds is followed by the deploy of exactly
 * the revision it ran from. A bad migration input (container, timeout, a command of only white space)
 * stops the job at the check, before anything is registered: moto holds no new revision, task or tag.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsTestEnv, ecsClientFor, startMoto, type MotoServer } from '../support/moto';
import { startRolloutLayer, type RolloutLayer } from '../support/rollout-layer';
import { CLUSTER, SERVICE, createMigrationService, ecsState } from '../run-task/moto-setup';
import { splitFailureCode, type ActionResult } from '../support/harness';
import { runJob, type JobContext, type JobRun } from './support/run-job';

const WORKFLOW = '.github/workflows/deploy.yml';
const SHA = 'b'.repeat(40);
const IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web@sha256:${'c'.repeat(64)}`;
const TD = (revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;

let moto: MotoServer;
let layer: RolloutLayer;
let ecs: ECSClient;
let app: http.Server;
let appUrl: string;

beforeAll(async () => {
  moto = await startMoto();
  layer = await startRolloutLayer({ motoUrl: moto.url });
  ecs = ecsClientFor(layer.url);
  // The environment URL the smoke test checks: the new release answering with its commit.
  app = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', gitSha: SHA }));
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
  await createMigrationService(ecs, layer.url);
  layer.settle();
  // One poll is enough for a verdict (deploy.yml leaves poll-interval-seconds at its 10 s default).
  layer.setScenario({ kind: 'complete', ticks: 1 });
});

/** The deploy job from its migration-check step to its end, as the runner goes through it. */
async function runDeployJob(inputs: Record<string, string | number | boolean>): Promise<JobRun> {
  const context: JobContext = {
    inputs: {
      environment: 'staging',
      cluster: CLUSTER,
      service: SERVICE,
      'container-name': 'app',
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
      'smoke-timeout-seconds': 20,
      'rollout-timeout-seconds': 60,
      'override-reason': '',
      migration: '',
      'migration-container': '',
      'migration-timeout-seconds': 600,
      ...inputs,
    },
    needs: {
      resolve: { result: 'success', outputs: { sha: SHA, version: '2.0.0' } },
      gate: { result: 'success', outputs: { promotion: 'not-required' } },
    },
    github: { server_url: 'https://github.com', repository: 'acme/shop', run_id: '4242' },
    secrets: {},
    steps: { image: { outputs: { image: IMAGE }, outcome: 'success', conclusion: 'success' } },
  };
  return runJob({ workflow: WORKFLOW, job: 'deploy', from: 'migration-check', context, env: awsTestEnv(layer.url) });
}

async function serviceState(): Promise<{ taskDefinition?: string; tags: Record<string, string>; deployments: string[] }> {
  const service = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services?.[0];
  const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service?.taskDefinition, include: ['TAGS'] }));
  return {
    taskDefinition: service?.taskDefinition,
    tags: Object.fromEntries((td.tags ?? []).map((t) => [t.key ?? '', t.value ?? ''])),
    deployments: (service?.deployments ?? []).map((d) => `${d.id} ${d.status} ${d.taskDefinition}`),
  };
}

const tagsOf = async (arn: string): Promise<Record<string, string>> =>
  Object.fromEntries(
    ((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }))).tags ?? []).map((t) => [
      t.key ?? '',
      t.value ?? '',
    ]),
  );

describe("deploy.yml's deploy job with a migration, through the bundles (moto + rollout layer)", () => {
  it('a migration that exits 1: the job fails at it, no later step that changes anything runs, the service is exactly as it was', async () => {
    const before = await serviceState();
    layer.setTaskScenario({
      exitCode: 1,
      ticks: 1,
      logs: ['Applying 0042_add_index', 'ERROR: relation "orders" does not exist', 'migration failed'],
    });
    const job = await runDeployJob({ migration: 'npm run migrate', 'migration-container': 'app' });

    expect(job.status).toBe('failure');
    expect(job.byId('migration-check')?.result?.outputs).toEqual({
      status: 'checked',
      container: 'app',
      command: '["npm","run","migrate"]',
    });
    expect(job.byId('register')?.outcome).toBe('success');
    expect(job.byId('migration')?.outcome).toBe('failure');
    // Only the Summary runs after the failed migration: no deploy, smoke test, gate, rollback or record.
    expect(job.ran).toEqual(['migration-check', 'register', 'migration', job.steps.at(-1)?.id]);
    for (const id of ['deploy', 'smoke', 'gate-rollback', 'rollback', 'record']) expect(job.byId(id)?.outcome, id).toBe('skipped');

    // The service on moto: the same revision, the same release tags, the same deployments — never updated.
    expect(await serviceState()).toEqual(before);
    expect(before.taskDefinition).toBe(TD(1));
    expect(layer.state().calls.UpdateService).toBeUndefined();
    // The revision registered for the migration ran it, and stays pending: never deployed, never a rollback target.
    const [task] = layer.state().tasks;
    expect(task).toMatchObject({ taskDefinitionArn: TD(2), command: ['npm', 'run', 'migrate'], exitCode: 1 });
    expect((await tagsOf(TD(2)))['gantry:status']).toBe('pending');

    // The migration's own lines: in the step's log, in its error, in the job summary; the job's own row.
    const migration = job.byId('migration')?.result as ActionResult;
    expect(migration.outputs).toMatchObject({ status: 'failed', 'exit-code': '1' });
    expect(migration.stdout).toContain('  app | ERROR: relation "orders" does not exist');
    expect(migration.annotations.find((a) => a.level === 'error')?.message).toContain('app | ERROR: relation "orders" does not exist');
    expect(job.summary).toContain('## run-task: ❌ failed');
    expect(job.summary).toContain('app | ERROR: relation "orders" does not exist\napp | migration failed');
    expect(job.summary).toContain('| migration | failure (exit code 1) |');
    expect(job.summary).toContain('| deploy-ecs | not run  |');
  }, 120_000);

  it('a migration that succeeds: the deploy that follows deploys exactly the revision it ran from, smoke-tested and recorded', async () => {
    layer.setTaskScenario({ ticks: 1, logs: ['Applying 0042_add_index', 'migrations done'] });
    const registeredBefore = layer.state().calls.RegisterTaskDefinition ?? 0;
    const job = await runDeployJob({ migration: 'npm run migrate', 'migration-container': 'app' });

    expect(job.status, job.steps.map((s) => `${s.id} ${s.outcome}\n${s.result?.stdout ?? ''}`).join('\n')).toBe('success');
    expect(job.ran).toEqual(['migration-check', 'register', 'migration', 'deploy', 'smoke', 'record', job.steps.at(-1)?.id]);
    expect(layer.state().tasks[0]).toMatchObject({ taskDefinitionArn: TD(2), exitCode: 0 });
    expect(job.byId('deploy')?.result?.outputs).toMatchObject({
      status: 'deployed',
      'task-definition-arn': TD(2),
      'previous-task-definition-arn': TD(1),
    });
    expect((await serviceState()).taskDefinition).toBe(TD(2));
    expect(await tagsOf(TD(2))).toMatchObject({ 'gantry:status': 'deployed', 'gantry:git-sha': SHA });
    // One revision for the migration and the rollout: nothing registered twice.
    expect(layer.state().calls.RegisterTaskDefinition).toBe(registeredBefore + 1);
    expect(job.summary).toContain('| migration | success (exit code 0) |');
  }, 120_000);

  // [case, deploy.yml inputs, code, the check's error]
  it.each<[string, Record<string, string | number>, string, RegExp]>([
    [
      'a migration-container not in the task definition',
      { migration: 'npm run migrate', 'migration-container': 'migrator' },
      'GANTRY-RUNTASK-024',
      /^Input 'container' has value 'migrator': expected a container of web:1 \(service web's current task definition\): one of 'app'\.$/,
    ],
    [
      'a migration-timeout-seconds above six hours',
      { migration: 'npm run migrate', 'migration-container': 'app', 'migration-timeout-seconds': 30000 },
      'GANTRY-INPUT-004',
      /^Input 'timeout-seconds' has value '30000': expected a number of seconds/,
    ],
    [
      'a migration of only white space',
      { migration: '  \n\t ', 'migration-container': 'app' },
      'GANTRY-RUNTASK-040',
      /^Input 'command' is missing: expected a command: .* not an empty one or only white space/,
    ],
  ])(
    '%s: the job stops at the check — nothing registered, run or tagged in moto, the service untouched',
    async (_name, inputs, code, error) => {
      const before = await ecsState(ecs);
      const service = await serviceState();
      const callsBefore = layer.state().calls;
      const job = await runDeployJob(inputs);

      expect(job.status).toBe('failure');
      const check = job.byId('migration-check')?.result as ActionResult;
      expect(splitFailureCode(check.annotations.find((a) => a.level === 'error')?.message ?? '')).toMatchObject({
        code,
        text: expect.stringMatching(error),
      });
      expect(check.outputs).toEqual({});
      // Only the Summary runs after it: no register, migration, deploy, smoke test, rollback or record.
      expect(job.ran).toEqual(['migration-check', job.steps.at(-1)?.id]);
      for (const id of ['register', 'migration', 'deploy', 'smoke', 'rollback', 'record'])
        expect(job.byId(id)?.outcome, id).toBe('skipped');

      // moto as it was: the one revision web:1 with its tags, the service's own task only, the same service.
      expect(await ecsState(ecs)).toEqual(before);
      expect(Object.keys(before.taskDefinitions)).toEqual([TD(1)]);
      expect(await serviceState()).toEqual(service);
      const calls = layer.state().calls;
      for (const operation of ['RegisterTaskDefinition', 'RunTask', 'TagResource', 'UpdateService'])
        expect(calls[operation] ?? 0, operation).toBe(callsBefore[operation] ?? 0);
      expect(job.summary).toContain('| deploy-ecs | not run  |');
    },
    120_000,
  );

  it('a dry run with a migration: the check runs (read-only) and catches a bad migration-container; nothing registered', async () => {
    const before = await ecsState(ecs);
    const registered = layer.state().calls.RegisterTaskDefinition ?? 0;
    const good = await runDeployJob({ migration: 'npm run migrate', 'migration-container': 'app', 'dry-run': true });
    expect(good.byId('migration-check')?.outcome).toBe('success');
    for (const id of ['register', 'migration']) expect(good.byId(id)?.outcome, id).toBe('skipped');

    const bad = await runDeployJob({ migration: 'npm run migrate', 'migration-container': 'migrator', 'dry-run': true });
    expect(bad.status).toBe('failure');
    expect(bad.ran).toEqual(['migration-check', bad.steps.at(-1)?.id]);
    expect(layer.state().calls.RegisterTaskDefinition ?? 0).toBe(registered);
    expect(await ecsState(ecs)).toEqual(before);
  }, 120_000);
});
