/**
 * The chain from a staging deploy to a production deploy, through the real bundles: staging's record
 * step tags the task definition and leaves its `gantry release` annotation; the production gate (the
 * gate step of deploy.yml) reads that very annotation through a stand-in GitHub API and hands on the
 * digest; production's image step finds exactly that digest in its own registry (moto) and deploys
 * repo@sha256. A different image pushed under the commit's tag in production is refused.
 */
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../support/harness';
import { awsTestEnv, ecsClientFor, startMoto, TEST_REGION, type MotoServer } from '../support/moto';
import { FakeGitHubApi } from '../workflows/support/github-api';
import { loadWorkflow, WORKFLOW_DIR } from '../workflows/support/repo-files';
import { runWorkflowStep } from '../workflows/support/run-step';

const SHA = 'c'.repeat(40);
const GANTRY = 'your-org/gantry';
let moto: MotoServer;
let ecr: ECRClient;
const api = new FakeGitHubApi();
const deployYml = loadWorkflow(`${WORKFLOW_DIR}/deploy.yml`);
const gateStep = deployYml.jobs.find((job) => job.id === 'gate')?.steps.find((step) => step.id === 'promotion');
const imageStep = deployYml.jobs.find((job) => job.id === 'deploy')?.steps.find((step) => step.id === 'image');

const manifest = (layer: string) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1, digest: `sha256:${layer.repeat(64).slice(0, 64)}` },
    layers: [
      {
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        size: 2,
        digest: `sha256:${layer.repeat(64).slice(0, 64).replace(/^./, 'f')}`,
      },
    ],
  });

beforeAll(async () => {
  moto = await startMoto();
  await api.start();
  ecr = new ECRClient({
    endpoint: moto.url,
    region: TEST_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  await api.stop();
  await moto?.stop();
});

describe('staging record → production gate → production image', () => {
  it('promotes exactly the digest staging ran, and nothing pushed under its tag', async () => {
    // Staging: the image its build pushed (moto stands in for both registries: one account, one region).
    const uri = (await ecr.send(new CreateRepositoryCommand({ repositoryName: 'shop' }))).repository?.repositoryUri ?? '';
    const digest =
      (await ecr.send(new PutImageCommand({ repositoryName: 'shop', imageManifest: manifest('a'), imageTag: `${SHA}-11-1` }))).image
        ?.imageId?.imageDigest ?? '';
    const ecs = ecsClientFor(moto.url);
    const arn =
      (
        await ecs.send(
          new RegisterTaskDefinitionCommand({
            family: 'shop',
            containerDefinitions: [{ name: 'web', image: `${uri}@${digest}`, memory: 128 }],
          }),
        )
      ).taskDefinition?.taskDefinitionArn ?? '';
    const record = await runAction(
      'release-gate',
      {
        command: 'record',
        environment: 'staging',
        sha: SHA,
        'task-definition-arn': arn,
        image: `${uri}@${digest}`,
        promotion: 'not-required',
      },
      { env: awsTestEnv(moto.url) },
    );
    expect(record.exitCode, record.stdout).toBe(0);
    const notice = record.annotations.find((a) => a.level === 'notice');

    // GitHub's record of that staging deploy, with the job's annotation as the Checks API would list it.
    api.deployments = [
      {
        id: 1,
        sha: SHA,
        environment: 'staging',
        created_at: '2026-06-01T10:00:00Z',
        creator: { login: 'github-actions[bot]', type: 'Bot' },
        statuses: [
          { state: 'success', created_at: '2026-06-01T10:05:00Z', log_url: 'https://github.example/acme/shop/actions/runs/77/job/770' },
        ],
      },
    ];
    api.runs.set(77, {
      id: 77,
      path: '.github/workflows/deploy-staging.yml',
      head_sha: SHA,
      head_branch: 'develop',
      event: 'push',
      status: 'completed',
      conclusion: 'success',
      html_url: 'https://github.example/acme/shop/actions/runs/77',
      referenced_workflows: [{ path: `${GANTRY}/.github/workflows/deploy.yml@refs/tags/v1`, sha: 'e'.repeat(40) }],
    });
    api.jobs.set(770, { id: 770, run_id: 77, name: 'deploy / Deploy to staging', status: 'completed', conclusion: 'success' });
    api.annotations.set(770, [{ title: notice?.properties.title ?? '', message: notice?.message ?? '', annotation_level: 'notice' }]);

    if (!gateStep || !imageStep) throw new Error('deploy.yml lacks the gate or image step');
    const gate = await runWorkflowStep(
      gateStep,
      {
        'github.token': 't',
        'job.workflow_repository': GANTRY,
        'needs.resolve.outputs.sha': SHA,
        'inputs.environment': 'production',
        'inputs.promote-from': 'staging',
        'inputs.promote-from-branch': 'develop',
        'inputs.allow-unpromoted': 'false',
        'inputs.override-reason': '',
      },
      { env: { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'acme/shop' } },
    );
    expect(gate.exitCode, gate.stdout).toBe(0);
    expect(gate.outputs['image-digest']).toBe(digest);

    const values = {
      'github.token': 't',
      'inputs.environment': 'production',
      'needs.resolve.outputs.sha': SHA,
      'inputs.ecr-repository': 'shop',
      'needs.gate.outputs.image-digest': gate.outputs['image-digest'] ?? '',
      'needs.image.outputs.digest': '',
      'inputs.override-image-digest': '',
    };
    const image = await runWorkflowStep(imageStep, values, { env: awsTestEnv(moto.url) });
    expect(image.exitCode, image.stdout).toBe(0);
    expect(image.outputs.image).toBe(`${uri}@${digest}`);

    // Somebody pushes another image under the commit's tag: production refuses rather than choose.
    await ecr.send(new PutImageCommand({ repositoryName: 'shop', imageManifest: manifest('b'), imageTag: SHA }));
    const refused = await runWorkflowStep(imageStep, values, { env: awsTestEnv(moto.url) });
    expect(refused.exitCode).toBe(1);
    expect(refused.annotations.find((a) => a.level === 'error')?.message).toMatch(/^GANTRY-GATE-010: Image tag mismatch: /);
  });
});
