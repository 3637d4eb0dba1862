/**
 * actions/terraform end to end: the bundle (dist/index.js) run as the runner runs it, with
 * the real terraform binary and local state in a temporary workspace per test.
 */
import { appendFileSync, chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { node24Binary, runAction, type ActionResult } from '../support/harness';
import { baseConfig, tfWorkspace, type TfWorkspace } from './support';

let ws: TfWorkspace | undefined;
afterEach(() => ws?.remove());

const SECRET = 'p4ssw0rd-never-logged';
const run = (inputs: Record<string, string>, options: { env?: Record<string, string>; node?: string } = {}) =>
  runAction('terraform', inputs, { workspace: ws?.root, ...options });

/** stdout without the `::add-mask::` commands the runner consumes (and never shows). */
const visibleLog = (result: ActionResult) =>
  result.stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
const errorsOf = (result: ActionResult) =>
  result.annotations
    .filter((a) => a.level === 'error')
    .map((a) => a.message)
    .join('\n');

describe('actions/terraform bundle', () => {
  it('plans with var files and backend config, applies exactly that plan (Node 24), masks sensitive outputs, then finds no drift', async () => {
    ws = tfWorkspace(`terraform {\n  backend "local" {}\n}\n${baseConfig({ secret: SECRET })}`);
    ws.write('infra/envs/staging.tfvars', 'size = "large"\n');
    const common = { 'working-directory': 'infra', 'backend-config': 'path=state/staging.tfstate' };

    const drift = await run({ command: 'check', ...common, 'var-files': 'infra/envs/staging.tfvars' });
    expect(drift.exitCode).toBe(1);
    expect(errorsOf(drift)).toMatch(
      /^GANTRY-TERRAFORM-021: drift: 2 changes to apply \(2 to add, 0 to change, 0 to destroy, 0 to replace; 2 output values change\)/,
    );
    expect(drift.summary).toContain('**Drift: 2 changes to apply');

    const plan = await run({ command: 'plan', ...common, 'var-files': 'envs/staging.tfvars', 'plan-file': 'plans/staging.tfplan' });
    expect(plan.exitCode, plan.stdout).toBe(0);
    expect(plan.outputs).toMatchObject({ exitcode: '2', changes: 'true', add: '2', change: '0', destroy: '0', replace: '0' });
    expect(plan.outputs['plan-file']).toBe(`${ws.root}/plans/staging.tfplan`);
    expect(plan.outputs['json-plan-file']).toBe(`${ws.root}/plans/staging.tfplan.json`);
    expect(plan.outputs['plan-hash']).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(ws.read('plans/staging.tfplan.json')).variables.size.value).toBe('large');
    expect(plan.stdout).toContain('-backend-config=path=***');
    // Backend values are masked before anything else is printed.
    expect(plan.stdout.split('\n')[0]).toBe('::add-mask::state/staging.tfstate');
    expect(plan.summary).toContain('**Plan:** 2 to add, 0 to change, 0 to destroy, 0 to replace.');
    expect(plan.summary).toContain('| 🟢 create | `terraform_data.service` |');
    expect(plan.summary).toContain('<details><summary>Show the plan</summary>');
    expect(ws.stateResources('infra/state/staging.tfstate')).toEqual([]);

    const applied = await run(
      { command: 'apply', ...common, 'plan-file': 'plans/staging.tfplan', 'expected-plan-hash': plan.outputs['plan-hash'] },
      { node: await node24Binary() },
    );
    expect(applied.exitCode, applied.stdout).toBe(0);
    expect(applied.stdout).toContain('Plan file hash verified');
    expect(applied.stdout).toContain('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');
    expect(ws.stateResources('infra/state/staging.tfstate')).toEqual(['terraform_data.credentials', 'terraform_data.service']);
    expect(JSON.parse(applied.outputs.outputs)).toEqual({ service_name: 'shop-large' });
    expect(applied.summary).toContain('**Applied:** 2 added, 0 changed, 0 destroyed, 0 replaced.');
    expect(applied.summary).toContain('| `database_password` | *(sensitive)* |');
    // The secret is masked (the runner hides it) and printed nowhere else.
    expect(applied.stdout).toContain(`::add-mask::${SECRET}`);
    for (const text of [
      visibleLog(applied),
      applied.stderr,
      applied.summary,
      JSON.stringify(applied.outputs),
      visibleLog(plan),
      plan.summary,
    ]) {
      expect(text).not.toContain(SECRET);
    }

    const again = await run({ command: 'plan', ...common, 'var-files': 'infra/envs/staging.tfvars' });
    expect(again.outputs).toMatchObject({ exitcode: '0', changes: 'false', add: '0' });
    expect(again.summary).toContain('**No changes.**');
    const clean = await run({ command: 'check', ...common, 'var-files': 'infra/envs/staging.tfvars' });
    expect(clean.exitCode).toBe(0);
    expect(clean.summary).toContain('**No drift.**');
  });

  it('refuses a stale plan and a tampered plan, applying nothing', async () => {
    ws = tfWorkspace();
    const common = { 'working-directory': 'infra' };
    const approved = await run({ command: 'plan', ...common, 'plan-file': 'approved.tfplan' });
    const other = await run({ command: 'plan', ...common, 'plan-file': 'other.tfplan' });
    expect(
      (await run({ command: 'apply', ...common, 'plan-file': 'other.tfplan', 'expected-plan-hash': other.outputs['plan-hash'] })).exitCode,
    ).toBe(0);
    const serial = ws.stateSerial();

    const stale = await run({
      command: 'apply',
      ...common,
      'plan-file': 'approved.tfplan',
      'expected-plan-hash': approved.outputs['plan-hash'],
    });
    expect(stale.exitCode).toBe(1);
    expect(errorsOf(stale)).toMatch(/saved plan is stale: the state changed after this plan was made and approved.*Re-run the plan/);
    expect(stale.stdout).toContain('Error: Saved plan is stale');
    expect(stale.summary).toContain('### ❌ Terraform apply failed');

    appendFileSync(`${ws.root}/other.tfplan`, 'tampered');
    const tampered = await run({
      command: 'apply',
      ...common,
      'plan-file': 'other.tfplan',
      'expected-plan-hash': other.outputs['plan-hash'],
    });
    expect(tampered.exitCode).toBe(1);
    expect(errorsOf(tampered)).toMatch(
      /^GANTRY-TERRAFORM-003: Plan hash mismatch: .* expected-plan-hash is [0-9a-f]{64}.*nothing was applied/,
    );
    expect(tampered.stdout).not.toContain('$ terraform');
    expect(ws.stateSerial()).toBe(serial);
  });

  it('runs terraform with CHECKPOINT_DISABLE=1: no update check against checkpoint-api.hashicorp.com', async () => {
    ws = tfWorkspace();
    const fake = ws.write('bin/terraform', `#!/bin/sh\nenv > ${path.join(ws.root, 'terraform.env')}\necho 'Error: stand-in' >&2\nexit 1\n`);
    chmodSync(fake, 0o755);
    const result = await run({ command: 'plan', 'working-directory': 'infra' }, { env: { PATH: `${path.dirname(fake)}:/usr/bin:/bin` } });
    expect(result.exitCode).toBe(1);
    expect(readFileSync(path.join(ws.root, 'terraform.env'), 'utf8').split('\n')).toContain('CHECKPOINT_DISABLE=1');
  });

  it("never shows a backend-config value in the summary's failure block or the error, though Terraform's error quotes it", async () => {
    ws = tfWorkspace(`terraform {\n  backend "local" {}\n}\n${baseConfig()}`);
    const value = '/proc/S3CRET-BUCKET-KEY/state.tfstate';
    const result = await run({ command: 'plan', 'working-directory': 'infra', 'backend-config': `path=${value}` });
    expect(result.exitCode).toBe(1);
    expect(result.stdout.split('\n')[0]).toBe(`::add-mask::${value}`);
    // Terraform's own error names the state file: the runner masks the log; the summary and the annotation are redacted.
    expect(result.summary).toContain('Error acquiring the state lock');
    expect(result.summary).toContain('***');
    expect(result.summary).not.toContain('S3CRET');
    expect(errorsOf(result)).not.toContain('S3CRET');
    expect(errorsOf(result)).toMatch(/failed with exit code 1: Error: Error acquiring the state lock/);
  });

  it('shows the failing Terraform command and its error, in the log and the summary', async () => {
    ws = tfWorkspace(`${baseConfig()}\noutput "broken" {\n  value = terraform_data.missing.id\n}\n`);
    const result = await run({ command: 'plan', 'working-directory': 'infra' });
    expect(result.exitCode).toBe(1);
    expect(errorsOf(result)).toMatch(
      /^GANTRY-TERRAFORM-022: terraform plan -input=false -no-color -detailed-exitcode .* failed with exit code 1: Error: Reference to undeclared resource/,
    );
    expect(result.stdout).toContain('on main.tf line');
    expect(result.summary).toContain('Reference to undeclared resource');
    expect(result.summary).toContain('$ terraform plan');
  });

  describe('bad inputs fail before Terraform runs, naming the input', () => {
    const cases: [string, Record<string, string>, RegExp, Record<string, string>?][] = [
      [
        'unknown command',
        { command: 'destroy', 'working-directory': 'infra' },
        /Input 'command' has value 'destroy': expected one of 'plan', 'apply', 'check', 'comment'/,
      ],
      [
        'missing directory',
        { command: 'plan', 'working-directory': 'nowhere' },
        /Input 'working-directory' has value 'nowhere': expected an existing directory/,
      ],
      [
        'apply without plan file',
        { command: 'apply', 'working-directory': 'infra' },
        /Input 'plan-file' is missing: expected the saved plan to apply/,
      ],
      [
        'missing var file',
        { command: 'plan', 'working-directory': 'infra', 'var-files': 'envs/gone.tfvars' },
        /Input 'var-files' has value 'envs\/gone.tfvars': expected an existing file/,
      ],
      [
        'apply without expected-plan-hash',
        { command: 'apply', 'working-directory': 'infra', 'plan-file': 'infra/main.tf' },
        /Input 'expected-plan-hash' is missing: expected the SHA-256 of the reviewed plan/,
      ],
      [
        'comment-file on apply',
        {
          command: 'apply',
          'working-directory': 'infra',
          'plan-file': 'infra/main.tf',
          'expected-plan-hash': 'ab'.repeat(32),
          'comment-file': 'c.md',
        },
        /Input 'comment-file' has value 'c.md': expected no value unless command is 'plan' or 'comment'/,
      ],
      [
        'comment without its file',
        { command: 'comment', 'working-directory': 'infra', 'github-token': 'ghs_x' },
        /Input 'comment-file' is missing: expected the comment file the plan job wrote/,
      ],
      [
        'comment outside a pull request',
        { command: 'comment', 'working-directory': 'infra', 'comment-file': 'infra/main.tf', 'github-token': 'ghs_x' },
        /Input 'command' has value 'comment': expected a pull_request event \(this one is 'push'\)/,
      ],
      [
        'comment outside the workspace',
        { command: 'comment', 'working-directory': '../elsewhere', 'comment-file': 'infra/main.tf', 'github-token': 'ghs_x' },
        /Input 'working-directory' has value '..\/elsewhere': expected a directory relative to the workspace/,
      ],
      [
        'malformed plan hash',
        { command: 'apply', 'working-directory': 'infra', 'plan-file': 'infra/main.tf', 'expected-plan-hash': 'abc123' },
        /Input 'expected-plan-hash' has value 'abc123'/,
      ],
      ['bad lock timeout', { command: 'plan', 'working-directory': 'infra', 'lock-timeout-seconds': '-1' }, /Input 'lock-timeout-seconds'/],
      [
        'plan written outside the workspace',
        { command: 'plan', 'working-directory': 'infra', 'plan-file': '../gantry-escaped.tfplan' },
        /Input 'plan-file' has value '\.\.\/gantry-escaped\.tfplan': expected a path inside the workspace /,
      ],
      [
        'terraform absent from PATH',
        { command: 'plan', 'working-directory': 'infra' },
        /terraform was not found on PATH.*hashicorp\/setup-terraform@v3.*terraform_wrapper: false/s,
        { PATH: '/nonexistent' },
      ],
    ];
    it.each(cases)('%s', async (_name, inputs, message, env) => {
      ws = tfWorkspace();
      const before = readdirSync(`${ws.root}/infra`);
      const result = await run(inputs, { env });
      expect(result.exitCode).toBe(1);
      expect(errorsOf(result)).toMatch(message);
      expect(result.stdout).not.toContain('$ terraform');
      expect(readdirSync(`${ws.root}/infra`)).toEqual(before);
      expect(readdirSync(ws.root)).toEqual(['infra']);
      expect(existsSync(path.join(path.dirname(ws.root), 'gantry-escaped.tfplan'))).toBe(false);
    });
  });
});
