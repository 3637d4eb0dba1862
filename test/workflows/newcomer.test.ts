/**
 * The README's adoption path, followed literally, for a service whose health endpoint is not the
 * sample's: the lines step 1 says to add go into the templates, GitHub's parser accepts them against
 * deploy.yml/rollback.yml, and the smoke step deploy.yml runs — its `with:` evaluated from the
 * template's values and the workflow's defaults — passes against a service answering `/healthz` with
 * `commit`, reading a secret the caller passes as smoke-secret-env. Without the lines it fails.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { runAction } from '../support/harness';
import { sendJson, sendText, startHttpServer, type TestServer } from '../smoke-test/support/servers';
import { loadWorkflow, readRepoFile, TEMPLATE_DIR } from './support/repo-files';
import { workflowParserErrors } from './support/validators';
import { isMapping } from './support/workflow-model';

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const TOKEN = 'health-token-7f3a91';

/** The yaml block of the README's adoption step 1 that sets version-path. */
function readmeHealthLines(): Record<string, string> {
  const readme = readRepoFile('README.md');
  const step1 = readme.slice(readme.indexOf('1. **Copy the templates**'), readme.indexOf('2. **Create the GitHub environments**'));
  const block = [...step1.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '').find((text) => text.includes('version-path:'));
  if (!block) throw new Error('README step 1 has no yaml block with version-path');
  const lines = parse(block.replace(/^ {3}/gm, '')) as Record<string, string>;
  return lines;
}

/** A template with the README's lines added to the `with:` of every job calling deploy.yml or rollback.yml. */
function adopt(template: string, lines: Record<string, string>): string {
  const doc = parseDocument(readRepoFile(`${TEMPLATE_DIR}/${template}`));
  const jobs = doc.get('jobs') as { items: Array<{ key: { value: string } }> };
  for (const item of jobs.items) {
    const job = item.key.value;
    if (!/deploy\.yml@|rollback\.yml@/.test(String(doc.getIn(['jobs', job, 'uses'])))) continue;
    for (const [key, value] of Object.entries(lines)) doc.setIn(['jobs', job, 'with', key], value);
  }
  return doc.toString();
}

/** deploy.yml's smoke step `with:`, its expressions evaluated as GitHub would for this caller. */
function smokeStepInputs(callerWith: Record<string, unknown>, secrets: Record<string, string>): Record<string, string> {
  const deploy = loadWorkflow('.github/workflows/deploy.yml');
  const step = deploy.jobs.find((job) => job.id === 'deploy')?.steps.find((candidate) => candidate.id === 'smoke');
  if (!step) throw new Error('deploy.yml has no step id smoke in job deploy');
  const callInputs = (deploy.raw.on as { workflow_call: { inputs: Record<string, { default?: unknown }> } }).workflow_call.inputs;
  const evaluate = (expression: string): string => {
    const input = /^inputs\.([\w-]+)$/.exec(expression);
    if (input?.[1]) return String(callerWith[input[1]] ?? callInputs[input[1]]?.default ?? '');
    const secret = /^secrets\.([\w-]+)$/.exec(expression);
    if (secret?.[1]) return secrets[secret[1]] ?? '';
    if (expression === 'needs.resolve.outputs.sha') return SHA;
    throw new Error(`the test cannot evaluate \${{ ${expression} }}`);
  };
  return Object.fromEntries(
    Object.entries(step.with).map(([key, value]) => [
      key,
      String(value).replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_m, expression: string) => evaluate(expression)),
    ]),
  );
}

let server: TestServer;
const workspace = mkdtempSync(path.join(os.tmpdir(), 'gantry-newcomer-'));

beforeAll(async () => {
  // The newcomer's service: /healthz with `commit` (short SHA), no /health; /api/status needs the token.
  server = await startHttpServer((req, res) => {
    if (req.url === '/healthz') return sendJson(res, 200, { status: 'ok', commit: SHA.slice(0, 7) });
    if (req.url === '/api/status') {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return sendJson(res, 401, { error: 'no token' });
      return sendJson(res, 200, { status: 'ok' });
    }
    return sendText(res, 404, 'not found');
  });
  writeFileSync(
    path.join(workspace, 'smoke-checks.yml'),
    'checks:\n  - name: api\n    url: /api/status\n    headers: { Authorization: { env: HEALTH_AUTHORIZATION } }\n    expect: { status: 200, json: { $.status: ok } }\n',
  );
});
afterAll(async () => {
  await server.close();
  rmSync(workspace, { recursive: true, force: true });
});

describe('the README newcomer path, for a service with /healthz and commit', () => {
  const lines = readmeHealthLines();

  it('README step 1 names the contract and gives the two lines', () => {
    expect(lines).toEqual({ 'version-path': '/healthz', 'version-field': 'commit' });
    const readme = readRepoFile('README.md');
    expect(readme).toMatch(/`version-path: \/health` and `version-field: gitSha`/);
    expect(readme).toContain('DEPLOY_GIT_SHA');
  });

  it.each(['deploy-staging.yml', 'deploy-production.yml', 'rollback.yml'])(
    '%s with the lines added is valid against the called workflow',
    async (template) => {
      const adopted = adopt(template, lines);
      expect(adopted).toContain('version-field: commit');
      expect(await workflowParserErrors(template, adopted)).toEqual([]);
    },
  );

  it('the deploy smoke step passes against /healthz; without the lines it fails and would roll back', async () => {
    const staging = parse(adopt('deploy-staging.yml', lines)) as { jobs: { deploy: { with: Record<string, unknown> } } };
    const callerWith = { ...staging.jobs.deploy.with, 'environment-url': server.url };
    expect(isMapping(callerWith)).toBe(true);
    const secrets = { 'smoke-secret-env': `HEALTH_AUTHORIZATION=Bearer ${TOKEN}` };
    const inputs = smokeStepInputs(callerWith, secrets);
    expect(inputs).toMatchObject({
      'version-path': '/healthz',
      'version-field': 'commit',
      'expect-version': SHA,
      'checks-file': 'smoke-checks.yml',
    });

    const passed = await runAction('smoke-test', { ...inputs, 'timeout-seconds': '5', 'interval-seconds': '1' }, { workspace });
    expect(passed.exitCode, passed.stdout).toBe(0);
    expect(passed.outputs).toMatchObject({ passed: '2', failed: '0' });
    expect(passed.stdout).toContain(`::add-mask::Bearer ${TOKEN}`);
    expect(passed.stdout.replace(`::add-mask::Bearer ${TOKEN}`, '')).not.toContain(TOKEN);

    const { 'version-path': _path, 'version-field': _field, ...untouched } = staging.jobs.deploy.with;
    const defaults = smokeStepInputs({ ...untouched, 'environment-url': server.url }, secrets);
    const failed = await runAction('smoke-test', { ...defaults, 'timeout-seconds': '2', 'interval-seconds': '1' }, { workspace });
    expect(failed.exitCode).toBe(1);
    expect(failed.outputs).toMatchObject({ passed: '1', failed: '1' });
    expect(failed.stdout).toMatch(/version .*\/health.*status 404/);
  });
});
