/**
 * deploy() in-process with the real AWS SDK against moto_server. Bare moto keeps the old PRIMARY
 * deployment after UpdateService, so these use `wait: false`; rollouts are covered end to end
 * through the rollout layer (e2e.test.ts).
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deploy } from '../../actions/deploy-ecs/src/deploy';
import { diffTaskDefinitions } from '../../actions/deploy-ecs/src/diff';
import { getInputs } from '../../actions/deploy-ecs/src/inputs';
import { registerView } from '../../lib/ecs/task-definition-template';
import { FakeClock } from '../../lib/util/clock';
import { inputEnvName } from '../../lib/runner/inputs';
import { memoryLogger } from '../../lib/runner/logger';
import { runnerContext } from '../../lib/ecs/metadata';
import { ecsClientFor, startMoto, type MotoServer } from '../support/moto';
import { CLUSTER, REGISTRY, SERVICE, createService, readRevision, serviceTaskDefinition, taskDefinitionArns } from './moto-setup';

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const RUNNER_ENV = {
  AWS_REGION: 'us-east-1',
  GITHUB_SHA: SHA,
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_RUN_ID: '4242',
  GITHUB_ACTOR: 'octocat',
  GITHUB_SERVER_URL: 'https://github.com',
};

let moto: MotoServer;
let ecs: ECSClient;
let workspace: string;

beforeAll(async () => {
  moto = await startMoto();
  ecs = ecsClientFor(moto.url);
  workspace = mkdtempSync(path.join(os.tmpdir(), 'deploy-ecs-moto-'));
});
afterAll(async () => {
  await moto?.stop();
  rmSync(workspace, { recursive: true, force: true });
});
beforeEach(async () => moto.reset());

async function run(inputs: Record<string, string>) {
  const env: Record<string, string> = { ...RUNNER_ENV, GITHUB_WORKSPACE: workspace };
  for (const [name, value] of Object.entries({ cluster: CLUSTER, service: SERVICE, wait: 'false', ...inputs }))
    env[inputEnvName(name)] = value;
  const log = memoryLogger();
  const result = await deploy(getInputs(env), {
    ecs,
    clock: new FakeClock(Date.parse('2024-05-01T10:00:00Z')),
    log,
    context: runnerContext(env),
  });
  return { result, log };
}

describe('deploy-ecs against moto_server', () => {
  it('registers the revision with all release metadata and points the service at it', async () => {
    const previous = await createService(ecs);
    const { result } = await run({
      image: `${REGISTRY}/web:a1b2c3d`,
      version: 'v1.4.0',
      environment: 'staging',
      'environment-variables': 'FEATURE_X=on\nLOG_LEVEL=debug',
    });
    expect(result).toMatchObject({ status: 'deployed', previousTaskDefinitionArn: previous, revision: 2, registered: true });
    expect(result.taskDefinitionArn).toMatch(/task-definition\/web:2$/);

    const revision = await readRevision(ecs, result.taskDefinitionArn as string);
    expect(revision.app?.image).toBe(`${REGISTRY}/web:a1b2c3d`);
    expect(revision.tags).toEqual({
      team: 'shop',
      'gantry:git-sha': SHA,
      'gantry:version': '1.4.0',
      'gantry:environment': 'staging',
      'gantry:run-url': 'https://github.com/acme/shop/actions/runs/4242',
      'gantry:actor': 'octocat',
      'gantry:previous': previous,
      'gantry:deployed-at': '2024-05-01T10:00:00.000Z',
      'gantry:status': 'pending',
      // Unique per run: a retried registration finds this revision instead of registering another.
      'gantry:run-token': expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(revision.env).toEqual({ LOG_LEVEL: 'debug', FEATURE_X: 'on', DEPLOY_GIT_SHA: SHA, DEPLOY_VERSION: '1.4.0' });
    expect(revision.labels).toEqual({
      team: 'shop',
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.version': '1.4.0',
      'org.opencontainers.image.source': 'https://github.com/acme/shop',
    });
    // The rest of the template is kept as it was.
    expect(revision.definition).toMatchObject({
      family: 'web',
      cpu: '256',
      memory: '512',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
    });
    expect(revision.app?.portMappings).toEqual([{ containerPort: 8080, protocol: 'tcp' }]);
    expect(await serviceTaskDefinition(ecs)).toBe(result.taskDefinitionArn);
  });

  it('uses a describe-task-definition file as the template, read-only fields dropped, tags kept', async () => {
    const previous = await createService(ecs);
    const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: previous, include: ['TAGS'] }));
    writeFileSync(
      path.join(workspace, 'described.json'),
      JSON.stringify(
        {
          taskDefinition: { ...described.taskDefinition, memory: '1024' },
          tags: [...(described.tags ?? []), { key: 'cost-center', value: '42' }],
        },
        null,
        2,
      ),
    );
    const { result } = await run({ image: `${REGISTRY}/web:b2c3d4e`, 'task-definition': 'described.json' });
    const revision = await readRevision(ecs, result.taskDefinitionArn as string);
    expect(revision.definition?.memory).toBe('1024');
    expect(revision.tags).toMatchObject({ team: 'shop', 'cost-center': '42', 'gantry:git-sha': SHA });
    expect(revision.tags).not.toHaveProperty('gantry:version');
  });

  it('a task-definition-arn promotion registers nothing and deploys that revision', async () => {
    await createService(ecs);
    const staged = await run({ image: `${REGISTRY}/web:c3d4e5f` });
    await createService(ecs, { service: 'web-canary', family: 'web-canary' });
    const before = await taskDefinitionArns(ecs);
    const canaryBefore = await serviceTaskDefinition(ecs, 'web-canary');
    const stagedTags = (await readRevision(ecs, staged.result.taskDefinitionArn as string)).tags;
    const { result } = await run({
      service: 'web-canary',
      'task-definition-arn': staged.result.taskDefinitionArn as string,
      environment: 'canary',
    });
    expect(result).toMatchObject({
      status: 'deployed',
      registered: false,
      taskDefinitionArn: staged.result.taskDefinitionArn,
      revision: 2,
    });
    expect(await taskDefinitionArns(ecs)).toEqual(before);
    expect(await serviceTaskDefinition(ecs, 'web-canary')).toBe(staged.result.taskDefinitionArn);
    // This deploy's record replaces the first one's: a 'previous' rollback of web-canary goes back to what web-canary ran.
    const tags = (await readRevision(ecs, staged.result.taskDefinitionArn as string)).tags;
    expect(tags).toMatchObject({
      'gantry:previous': canaryBefore,
      'gantry:environment': 'canary',
      'gantry:git-sha': stagedTags['gantry:git-sha'],
    });
    expect(tags['gantry:previous']).not.toBe(stagedTags['gantry:previous']);
  });

  it('dry-run shows exactly what the deploy registers: its diff equals the diff to the revision registered after', async () => {
    const previous = await createService(ecs);
    writeFileSync(
      path.join(workspace, 'full.json'),
      JSON.stringify({
        family: 'web',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
        containerDefinitions: [
          {
            name: 'app',
            image: `${REGISTRY}/web:1.0.0`,
            essential: true,
            portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
            environment: [{ name: 'POSTGRES_HOST', value: 'db' }],
            secrets: [{ name: 'POSTGRES_USER', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-user' }],
            healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:8080/health'], interval: 10, retries: 3 },
            logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web' } },
            dockerLabels: { team: 'shop' },
          },
        ],
        tags: [{ key: 'team', value: 'shop' }],
      }),
    );
    const inputs = { image: `${REGISTRY}/web:d4e5f60`, 'task-definition': 'full.json', version: '2.0.0' };
    const dry = await run({ ...inputs, 'dry-run': 'true' });
    const real = await run(inputs);
    const describe = (arn: string) => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
    const registered = diffTaskDefinitions(
      registerView(await describe(previous)),
      registerView(await describe(real.result.taskDefinitionArn as string)),
    );
    expect(dry.result.diff).toContain(
      '+ containerDefinitions[app].secrets[POSTGRES_USER].valueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-user"',
    );
    // Registration fills defaults (cpu 0, empty lists) the live revision shows too; the diff lists
    // them as removed although nothing removes them. Order differs (the registered view is ECS's).
    // The run token is unique per run (an idempotency key), so the dry run's differs by design.
    const RUN_TOKEN = /^\+ tags\[gantry:run-token\]: /;
    const registrationDefault = (line: string) => /^- .*(: \[\]|\.cpu: 0)$/.test(line) || RUN_TOKEN.test(line);
    expect(registered.filter((line) => !registrationDefault(line)).sort()).toEqual(
      (dry.result.diff ?? []).filter((line) => !registrationDefault(line)).sort(),
    );
  });

  it('dry-run prints the diff and changes nothing', async () => {
    const previous = await createService(ecs);
    const before = await taskDefinitionArns(ecs);
    const { result, log } = await run({ image: `${REGISTRY}/web:d4e5f60`, 'dry-run': 'true', version: '2.0.0' });
    expect(result.status).toBe('dry-run');
    expect(log.text()).toContain(`~ containerDefinitions[app].image: "${REGISTRY}/web:1.0.0" → "${REGISTRY}/web:d4e5f60"`);
    expect(log.text()).toContain('+ containerDefinitions[app].environment[DEPLOY_VERSION]: "2.0.0"');
    expect(await taskDefinitionArns(ecs)).toEqual(before);
    expect(await serviceTaskDefinition(ecs)).toBe(previous);
    expect((await readRevision(ecs, previous)).tags).toEqual({ team: 'shop' });
  });
});
