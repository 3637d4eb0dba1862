/**
 * The documented command for application repositories: the templates as an application copies
 * them pass; a caller passing an input deploy.yml does not declare, or with a shell injection, fails.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main, validateWorkflowFile, workflowFiles } from './validate-workflows';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const app = mkdtempSync(path.join(tmpdir(), 'gantry-app-'));
const workflows = path.join(app, '.github', 'workflows');
mkdirSync(workflows, { recursive: true });
afterAll(() => rmSync(app, { recursive: true, force: true }));

describe('scripts/validate-workflows.ts', () => {
  it('the templates, copied with the owner replaced, are clean', async () => {
    cpSync(path.join(ROOT, 'workflow-templates'), workflows, { recursive: true, filter: (src) => !src.endsWith('.json') });
    for (const file of workflowFiles([workflows])) writeFileSync(file, readFileSync(file, 'utf8').replaceAll('your-org/', 'acme/'));
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(await main([workflows])).toBe(0);
    expect(log.mock.calls.map((call) => String(call[0])).at(-1)).toBe('5 workflow file(s): 5 clean, 0 with problems');
    log.mockRestore();
  });

  it('reports an input deploy.yml does not declare, a missing required input, and actionlint findings', async () => {
    const staging = readFileSync(path.join(workflows, 'deploy-staging.yml'), 'utf8');
    const bad = path.join(app, 'bad.yml');
    writeFileSync(
      bad,
      staging
        .replace('      cluster: shop-staging\n', '      clustr: shop-staging\n')
        .replace(
          'jobs:\n',
          'jobs:\n  hello:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.head_commit.message }}"\n',
        ),
    );
    const report = await validateWorkflowFile(bad);
    const text = report.problems.join('\n');
    expect(text).toMatch(/\[github-parser\] .*Invalid input, clustr is not defined/);
    expect(text).toMatch(/\[github-parser\] .*Input cluster is required/);
    expect(text).toMatch(/bad\.yml:\d+:\d+ \[expression\] "github\.event\.head_commit\.message" is potentially untrusted/);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(await main([bad])).toBe(1);
    log.mockRestore();
  });

  it('a path that does not exist is an error naming it', () => {
    expect(() => workflowFiles([path.join(app, 'nope')])).toThrow(/nope: no such file or directory/);
  });
});
