/**
 * The bundle (actions/parity-check/dist/index.js, with the HCL parser's WASM beside it) run as
 * the runner runs it, on the example configuration in examples/config: in parity, drifted
 * (annotations on the exact lines, summary table, report output), under Node 24, without
 * failing, and with a rollout in progress.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { node24Binary, repoRoot, runAction, type ActionResult } from '../support/harness';

const CONFIG = 'examples/config';
const IN_PARITY = {
  'base-var-files': `${CONFIG}/staging.tfvars`,
  'target-var-files': `${CONFIG}/production.tfvars`,
  'base-toggles': `${CONFIG}/staging.toggles.json`,
  'target-toggles': `${CONFIG}/production.toggles.json`,
  'base-env-file': `${CONFIG}/staging.env`,
  'target-env-file': `${CONFIG}/production.env`,
  'values-must-match': 'service_name\npostgres_version\ncontainer_port',
};
const DRIFTED = {
  ...IN_PARITY,
  'target-var-files': `${CONFIG}/drift/production.tfvars`,
  'target-toggles': `${CONFIG}/drift/production.toggles.json`,
  'target-env-file': `${CONFIG}/drift/production.env`,
};

interface ReportedFinding {
  kind: string;
  key: string;
  base: string;
  target: string;
  rule: string;
  file?: string;
  line?: number;
  message: string;
}

/** The action only reads the workspace, so the repository itself is the workspace. */
const run = (inputs: Record<string, string>, options: { node?: string; actionDir?: string } = {}) =>
  runAction('parity-check', inputs, { workspace: repoRoot, ...options });

const report = (result: ActionResult): ReportedFinding[] => JSON.parse(result.outputs.report) as ReportedFinding[];

function expectDriftFindings(result: ActionResult, level: 'error' | 'warning'): void {
  expect(result.outputs.diverged).toBe('true');
  expect(result.outputs.findings).toBe('10');
  // Variables sorted by name (must-match last), toggles and env names in file order.
  expect(report(result).map((f) => `${f.kind} ${f.rule} ${f.key} ${f.file}:${f.line}`)).toEqual([
    `variable missing-in-target autoscaling.target_cpu_percent ${CONFIG}/drift/production.tfvars:12`,
    `variable type-mismatch container_port ${CONFIG}/drift/production.tfvars:7`,
    `variable missing-in-target database_password_version ${CONFIG}/staging.tfvars:34`,
    `variable missing-in-base debug_endpoints ${CONFIG}/drift/production.tfvars:34`,
    `variable values-must-match postgres_version ${CONFIG}/drift/production.tfvars:6`,
    `toggle target-ahead search-suggest ${CONFIG}/drift/production.toggles.json:4`,
    `toggle base-ahead recommendations ${CONFIG}/drift/production.toggles.json:5`,
    `toggle missing-in-target legacy-cart ${CONFIG}/staging.toggles.json:6`,
    `env missing-in-target DATABASE_POOL_SIZE ${CONFIG}/staging.env:6`,
    `env missing-in-base SENTRY_DSN ${CONFIG}/drift/production.env:8`,
  ]);

  // GitHub shows 10 annotations of a level per step: 9 findings, then the failure or closing warning.
  const annotations = result.annotations.filter((a) => a.properties.title?.startsWith('parity-check:'));
  expect(annotations).toHaveLength(9);
  expect(result.annotations.filter((a) => a.level === level)).toHaveLength(10);
  expect(annotations.map((a) => a.message)).not.toContain("Env variable 'SENTRY_DSN' is set in production but missing in staging.");
  expect(result.stdout).toContain('Annotating the first 9 of 10 findings');
  expect(result.summary).toContain(`| missing-in-base | env | \`SENTRY_DSN\` | (missing) | set | ${CONFIG}/drift/production.env:8 |`);
  expect(result.summary).toContain('Only the first 9 findings are annotated on their lines');
  expect(annotations.every((a) => a.level === level)).toBe(true);
  const typeMismatch = annotations.find((a) => a.properties.title === 'parity-check: type-mismatch');
  expect(typeMismatch).toEqual({
    level,
    message: "'container_port' is a number in staging but a string in production.",
    properties: { title: 'parity-check: type-mismatch', file: `${CONFIG}/drift/production.tfvars`, line: '7' },
  });
  expect(annotations.find((a) => a.message.startsWith("Variable 'database_password_version'"))?.properties).toMatchObject({
    file: `${CONFIG}/staging.tfvars`,
    line: '34',
  });

  expect(result.summary).toContain('### Parity check: staging → production');
  expect(result.summary).toContain(
    '❌ **10 findings** (5 variables, 3 toggles, 2 env names); compared 12 variables, 5 toggles, 8 env names.',
  );
  expect(result.summary).toContain('| Rule | Kind | Key | staging | production | Where |');
  expect(result.summary).toContain(
    `| type-mismatch | variable | \`container_port\` | 8080 | "8080" | ${CONFIG}/drift/production.tfvars:7 |`,
  );
  expect(result.summary).toContain(
    `| target-ahead | toggle | \`search-suggest\` | off | on (10%) | ${CONFIG}/drift/production.toggles.json:4 |`,
  );
  expect(result.summary).toContain(`| missing-in-target | env | \`DATABASE_POOL_SIZE\` | set | (missing) | ${CONFIG}/staging.env:6 |`);
  // Env values are never shown, not even placeholder ones.
  expect(result.stdout + result.summary + result.outputs.report).not.toContain('postgresql://');
}

describe('parity-check end to end', () => {
  it('passes on the example configuration, with a one-line summary of what was compared', async () => {
    const result = await run(IN_PARITY);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toEqual({ diverged: 'false', report: '[]', findings: '0' });
    expect(result.summary.trim()).toBe(
      '### Parity check: staging → production\n\n✅ **staging** and **production** are in parity: compared 11 variables, 5 toggles, 7 env names.',
    );
    expect(result.annotations).toEqual([]);
    expect(result.stdout).toContain('staging: 11 variables from examples/config/staging.tfvars');
  });

  it('fails on the drifted production under Node 24: annotations on the exact lines, summary table, report output', async () => {
    const result = await run(DRIFTED, { node: await node24Binary() });
    expect(result.exitCode).toBe(1);
    expectDriftFindings(result, 'error');
    const failure = result.annotations.find((a) => a.level === 'error' && !a.properties.title);
    expect(failure?.message).toBe(
      'GANTRY-PARITY-007: staging and production diverge: 10 findings (5 variables, 3 toggles, 2 env names). See the job summary; set fail-on-divergence: false to report without failing.',
    );
  }, 300_000);

  it('the bundle needs only its own directory: copied outside the repository (no node_modules above it), it reads the WASM beside it', async () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), 'gantry-parity-bundle-'));
    try {
      cpSync(path.join(repoRoot, 'actions/parity-check/dist'), path.join(copy, 'dist'), { recursive: true });
      expect(
        readdirSync(path.join(copy, 'dist'))
          .filter((f) => f.endsWith('.wasm'))
          .sort(),
      ).toEqual(['tree-sitter-hcl.wasm', 'tree-sitter.wasm']);
      const result = await run(DRIFTED, { node: await node24Binary(), actionDir: path.relative(repoRoot, copy) });
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(1);
      expectDriftFindings(result, 'error');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, 300_000);

  it('with fail-on-divergence false reports the same findings as warnings and succeeds', async () => {
    const result = await run({ ...DRIFTED, 'fail-on-divergence': 'false' });
    expect(result.exitCode).toBe(0);
    expectDriftFindings(result, 'warning');
    expect(result.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(result.stdout).toContain(
      'staging and production diverge: 10 findings (5 variables, 3 toggles, 2 env names) (not failing: fail-on-divergence is false).',
    );
  });

  it('rollout-toggles allows staging to lead but never production; ignore and labels apply everywhere', async () => {
    const result = await run({
      ...DRIFTED,
      'base-name': 'stage',
      'target-name': 'prod',
      'rollout-toggles': 'recommendations, search-suggest',
      ignore: 'database_password_version\ndebug_endpoints\nautoscaling.target_cpu_percent\nlegacy-cart\nDATABASE_POOL_SIZE\nSENTRY_DSN',
      'values-must-match': '',
    });
    expect(result.exitCode).toBe(1);
    expect(report(result).map((f) => `${f.rule} ${f.key}`)).toEqual(['type-mismatch container_port', 'target-ahead search-suggest']);
    expect(result.summary).toContain('| Rule | Kind | Key | stage | prod | Where |');
    expect(result.summary).toContain('compared 10 variables, 4 toggles, 6 env names');
    expect(result.annotations.find((a) => a.properties.title === 'parity-check: target-ahead')?.message).toBe(
      "Toggle 'search-suggest' is on (10%) in prod but off in stage: prod must never be ahead of stage.",
    );
  });
});
