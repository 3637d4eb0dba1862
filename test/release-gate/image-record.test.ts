/**
 * The release gate's image and record commands through the bundle (runner harness) against
 * moto_server: the image is found by digest in this environment's ECR, a commit tag pointing at another
 * image is refused, a missing digest is refused naming replication; the record tags the task definition
 * and leaves the `gantry release` annotation the next environment's gate reads.
 */
import { ECRClient, CreateRepositoryCommand, PutImageCommand } from '@aws-sdk/client-ecr';
import { ListTagsForResourceCommand, RegisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction, type ActionResult } from '../support/harness';
import { awsTestEnv, ecsClientFor, startMoto, TEST_REGION, type MotoServer } from '../support/moto';

const SHA = 'a'.repeat(40);
let moto: MotoServer;
let ecr: ECRClient;
let ecs: ECSClient;
let uri = '';

function manifest(layer: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 7023,
      digest: `sha256:${createHash('sha256').update(`config-${layer}`).digest('hex')}`,
    },
    layers: [
      {
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        size: 32654,
        digest: `sha256:${createHash('sha256').update(layer).digest('hex')}`,
      },
    ],
  });
}

async function push(repository: string, layer: string, tag: string): Promise<string> {
  const out = await ecr.send(new PutImageCommand({ repositoryName: repository, imageManifest: manifest(layer), imageTag: tag }));
  return out.image?.imageId?.imageDigest ?? '';
}

beforeAll(async () => {
  moto = await startMoto();
  ecr = new ECRClient({
    endpoint: moto.url,
    region: TEST_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  });
  ecs = ecsClientFor(moto.url);
  uri = (await ecr.send(new CreateRepositoryCommand({ repositoryName: 'shop' }))).repository?.repositoryUri ?? '';
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'spoofed' }));
});
afterAll(async () => {
  await moto?.stop();
});

const image = (inputs: Record<string, string>): Promise<ActionResult> =>
  runAction(
    'release-gate',
    { command: 'image', environment: 'production', sha: SHA, 'ecr-repository': 'shop', ...inputs },
    { env: awsTestEnv(moto.url) },
  );
const errorsOf = (run: ActionResult) =>
  run.annotations
    .filter((a) => a.level === 'error')
    .map((a) => a.message)
    .join('\n');

describe('release-gate image', () => {
  it('deploys repo@digest when exactly that digest is in this registry (whatever the tags)', async () => {
    const digest = await push('shop', 'staging-built', `${SHA}-1-1`);
    const run = await image({ 'image-digest': digest });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toEqual({ 'repository-uri': uri, registry: uri.split('/')[0], image: `${uri}@${digest}` });
  });

  it('refuses a digest this registry does not have, naming replication', async () => {
    const run = await image({ 'image-digest': `sha256:${'e'.repeat(64)}` });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toEqual({});
    expect(errorsOf(run)).toContain(`Image not in this registry: ${uri}@sha256:${'e'.repeat(64)} does not exist.`);
    expect(errorsOf(run)).toContain('ECR replication keeps the digest');
  });

  it('refuses when the commit’s tag points at another image than the digest promoted (an image pushed under the SHA)', async () => {
    const real = await push('spoofed', 'real', `${SHA}-7-1`);
    const planted = await push('spoofed', 'planted', SHA);
    const run = await image({ 'ecr-repository': 'spoofed', 'image-digest': real });
    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toContain(`Image tag mismatch: ${uri.replace(/shop$/, 'spoofed')}:${SHA} points at ${planted}, not at ${real}`);
  });

  it('refuses a repository that does not exist', async () => {
    const run = await image({ 'ecr-repository': 'nope', 'image-digest': `sha256:${'e'.repeat(64)}` });
    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toContain('No ECR repository nope in this account and region');
  });
});

describe('release-gate record', () => {
  it('tags the task definition with the digest and the promotion, and leaves the release annotation', async () => {
    const arn =
      (
        await ecs.send(
          new RegisterTaskDefinitionCommand({ family: 'shop', containerDefinitions: [{ name: 'web', image: 'x', memory: 128 }] }),
        )
      ).taskDefinition?.taskDefinitionArn ?? '';
    const digest = `sha256:${'d'.repeat(64)}`;
    const reason = 'INC-42: staging is down, hotfix for checkout';
    const run = await runAction(
      'release-gate',
      {
        command: 'record',
        environment: 'production',
        sha: SHA,
        'task-definition-arn': arn,
        image: `${uri}@${digest}`,
        promotion: 'overridden',
        'override-reason': reason,
      },
      { env: awsTestEnv(moto.url) },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    const tags = Object.fromEntries(
      ((await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? []).map((t) => [t.key, t.value]),
    );
    expect(tags).toMatchObject({
      'gantry:image-digest': digest,
      'gantry:promotion': 'overridden',
      'gantry:override-reason': 'INC-42: staging is down hotfix for checkout',
    });
    const notice = run.annotations.find((a) => a.level === 'notice');
    expect(notice?.properties.title).toBe('gantry release');
    expect(notice?.message).toBe(`image=${uri}@${digest} sha=${SHA} task-definition=${arn}`);
    expect(run.summary).toContain('promotion overridden');
    expect(run.annotations.find((a) => a.level === 'warning')?.message).toBe(
      `${SHA} was deployed to production without a proven promotion (allow-unpromoted). Reason: ${reason}`,
    );
  });

  it('a list (task-definition-arns): the record on every revision, one annotation naming them all; one missing fails naming it', async () => {
    const register = async (family: string) =>
      (await ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ name: family, image: 'x', memory: 128 }] })))
        .taskDefinition?.taskDefinitionArn ?? '';
    const api = await register('api');
    const worker = await register('worker');
    const digest = `sha256:${'e'.repeat(64)}`;
    const record = (arns: string) =>
      runAction(
        'release-gate',
        {
          command: 'record',
          environment: 'staging',
          sha: SHA,
          'task-definition-arns': arns,
          image: `${uri}@${digest}`,
          promotion: 'not-required',
        },
        { env: awsTestEnv(moto.url) },
      );
    const run = await record(`${api}\n${worker}`);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs.recorded).toBe('true');
    for (const arn of [api, worker]) {
      const tags = Object.fromEntries(
        ((await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? []).map((t) => [t.key, t.value]),
      );
      expect(tags).toMatchObject({ 'gantry:image-digest': digest, 'gantry:promotion': 'not-required' });
    }
    const notices = run.annotations.filter((a) => a.level === 'notice');
    expect(notices.map((a) => a.message)).toEqual([`image=${uri}@${digest} sha=${SHA} task-definitions=${api},${worker}`]);
    expect(run.summary).toContain(`| \`${worker}\` | recorded |`);

    // A revision that does not exist: TagResource refused, read back NOT there → the step fails naming it, no annotation.
    const missing = api.replace(/api:\d+$/, 'api:99');
    const failed = await record(`${worker} ${missing}`);
    expect(failed.exitCode).toBe(1);
    expect(failed.outputs.recorded).not.toBe('true');
    const error = failed.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(error).toMatch(/^GANTRY-GATE-044: The release record is missing on 1 of 2 revisions: /);
    expect(error).toContain(missing);
    expect(error).not.toContain(`${worker} `);
    expect(failed.annotations.filter((a) => a.level === 'notice')).toEqual([]);
  });
});
