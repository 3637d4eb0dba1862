/**
 * Every action runs under GitHub's local runner, `npx @github/local-action <action dir> src/main.ts
 * <.env>` (the pinned devDependency): it imports src/main.ts and calls its exported run(), with the
 * inputs from the .env file. gantry speaks the runner protocol itself, so the outputs land in the
 * GITHUB_OUTPUT file the .env names (README, "Run an action locally"). AWS is moto
 * behind the rollout layer in eu-west-1, not the default region.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEcsEmulator } from '../support/ecs-emulator';
import { CLUSTER, createService, REGISTRY, SERVICE } from '../deploy-ecs/moto-setup';
import { sendJson, startHttpServer, type TestServer } from '../smoke-test/support/servers';
import { parseCommandFile, repoRoot } from '../support/harness';

const REGION = 'eu-west-1';
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const LOCAL_ACTION = path.join(repoRoot, 'node_modules/@github/local-action/bin/local-action.js');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'gantry-local-action-'));
const aws = useEcsEmulator({ region: REGION });
let server: TestServer;

/** A dotenv line: double quotes, with \n for line breaks (dotenv expands them inside double quotes). */
const dotenvLine = (name: string, value: string) => `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

async function localAction(
  action: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<{ exitCode: number; stdout: string; outputs: Record<string, string> }> {
  const dir = mkdtempSync(path.join(scratch, `${action}-`));
  const files = {
    GITHUB_OUTPUT: path.join(dir, 'output'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
    GITHUB_ENV: path.join(dir, 'env'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const lines = [
    ...Object.entries(inputs).map(([name, value]) => dotenvLine(`INPUT_${name.toUpperCase()}`, value)),
    ...Object.entries({ ...files, GITHUB_SHA: SHA, GITHUB_WORKSPACE: scratch, ...env }).map(([name, value]) => dotenvLine(name, value)),
  ];
  const envFile = path.join(dir, '.env');
  writeFileSync(envFile, `${lines.join('\n')}\n`);
  let exitCode = 0;
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(process.execPath, [LOCAL_ACTION, `actions/${action}`, 'src/main.ts', envFile], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (err) {
    exitCode = (err as { code?: number }).code ?? 1;
    stdout = (err as { stdout?: string }).stdout ?? '';
  }
  return { exitCode, stdout, outputs: parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')) };
}

beforeAll(async () => {
  await createService(aws.ecs);
  aws.layer.settle();
  server = await startHttpServer((_req, res) => sendJson(res, 200, { status: 'ok', version: SHA.slice(0, 7) }));
  mkdirSync(path.join(scratch, 'tf'));
  writeFileSync(
    path.join(scratch, 'tf', 'main.tf'),
    'resource "terraform_data" "release" {\n  input = "1.0.0"\n}\n\noutput "release" {\n  value = terraform_data.release.input\n}\n',
  );
  writeFileSync(path.join(scratch, 'staging.tfvars'), 'replicas = 2\nlog_level = "info"\n');
  writeFileSync(path.join(scratch, 'production.tfvars'), 'replicas = 4\nlog_level = "debug"\ncache_ttl = 60\n');
}, 120_000);

afterAll(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('each action under npx @github/local-action', () => {
  it('the pinned version is installed', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(pkg.devDependencies['@github/local-action']).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('smoke-test: the version check passes; outputs captured', async () => {
    const result = await localAction('smoke-test', { 'base-url': server.url, 'expect-version': SHA, 'timeout-seconds': '5' });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).toContain('Running Action');
    expect(result.outputs).toMatchObject({ passed: '1', failed: '0' });
  });

  it('parity-check: the divergence found; outputs captured', async () => {
    const result = await localAction('parity-check', {
      'base-var-files': 'staging.tfvars',
      'target-var-files': 'production.tfvars',
      'fail-on-divergence': 'false',
    });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs.diverged).toBe('true');
    expect(result.outputs.findings).toMatch(/^\d+$/);
  });

  it('terraform: a plan of a terraform_data configuration; outputs captured', async () => {
    const result = await localAction('terraform', { command: 'plan', 'working-directory': 'tf', 'comment-on-pull-request': 'false' });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs).toMatchObject({ changes: 'true', add: '1', exitcode: '2' });
  });

  it(`deploy-ecs: a deploy through the rollout layer in ${REGION}; outputs captured`, async () => {
    const result = await localAction(
      'deploy-ecs',
      { cluster: CLUSTER, service: SERVICE, image: `${REGISTRY}/web:a1b2c3d`, environment: 'staging', 'poll-interval-seconds': '1' },
      aws.env(),
    );
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs).toMatchObject({ status: 'deployed', revision: '2' });
    expect(result.outputs['task-definition-arn']).toBe(`arn:aws:ecs:${REGION}:123456789012:task-definition/web:2`);
    expect(aws.layer.state().services[0]?.deployments[0]).toMatchObject({ rolloutState: 'COMPLETED' });
  });

  it('rollback: a dry run resolves what it would restore; outputs captured', async () => {
    const result = await localAction(
      'rollback',
      { cluster: CLUSTER, service: SERVICE, target: 'revision:1', reason: 'local debugging', 'dry-run': 'true' },
      aws.env(),
    );
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs).toMatchObject({
      status: 'dry-run',
      'task-definition-arn': `arn:aws:ecs:${REGION}:123456789012:task-definition/web:1`,
    });
  });
});
