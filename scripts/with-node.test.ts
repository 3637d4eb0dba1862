/**
 * Node >= 22 for development, declared once and used everywhere: engines, .node-version, CI, the npm
 * scripts and .ci/run all go through scripts/with-node.mjs, which gives a command Node >= 22 whatever
 * the machine's `node` is (on a machine with Node 20 this test exercises the npm-registry path).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe('Node >= 22 for development', () => {
  it('engines, .node-version and ci.yml agree', () => {
    const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; scripts: Record<string, string> };
    expect(pkg.engines.node).toBe('>=22');
    expect(Number(read('.node-version').trim().split('.')[0])).toBeGreaterThanOrEqual(22);
    const ci = parse(read('.github/workflows/ci.yml')) as { jobs: { ci: { steps: Array<{ uses?: string; with?: Record<string, unknown> }> } } };
    const setupNode = ci.jobs.ci.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
    expect(setupNode?.with).toMatchObject({ 'node-version-file': '.node-version' });
    for (const script of ['build', 'lint', 'typecheck', 'test', 'bench', 'demo']) expect(pkg.scripts[script], script).toMatch(/^node scripts\/with-node\.mjs /);
    expect(read('.ci/run')).toContain('node scripts/with-node.mjs node -p');
  });

  it(`with-node.mjs runs a command under Node >= 22 (this process: ${process.versions.node})`, () => {
    const version = execFileSync(process.execPath, [path.join(ROOT, 'scripts/with-node.mjs'), 'node', '-p', 'process.versions.node'], { encoding: 'utf8', timeout: 300_000 }).trim();
    expect(Number(version.split('.')[0])).toBeGreaterThanOrEqual(22);
  });
});
