/**
 * The plan/apply/check logic against the real terraform binary, with configurations built
 * from terraform_data and local state in a temporary directory per test.
 */
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../lib/runner/logger';
import {
  apply,
  check,
  driftMessage,
  plan,
  PlanHashMismatch,
  readOutputs,
  sha256File,
  StalePlan,
  type CheckOutcome,
  type TerraformSettings,
} from '../../actions/terraform/src/commands';
import { summarizePlan } from '../../actions/terraform/src/plan-json';
import { TerraformCli, TerraformCommandError } from '../../actions/terraform/src/terraform-cli';
import { baseConfig, cliIn, tfWorkspace, type TfWorkspace } from './support';

const settings = (overrides: Partial<TerraformSettings> = {}): TerraformSettings => ({
  varFiles: [],
  backendConfig: [],
  workspace: undefined,
  lockTimeoutSeconds: 5,
  ...overrides,
});

let ws: TfWorkspace | undefined;
afterEach(() => ws?.remove());

describe('plan and apply with the real terraform', () => {
  it('plans, applies exactly the saved plan, then plans no changes', async () => {
    ws = tfWorkspace();
    const log = memoryLogger();
    const cli = cliIn(ws.dir, log);
    const planFile = path.join(ws.dir, 'plans', 'tfplan');

    const planned = await plan(cli, settings(), planFile, log);
    expect(planned).toMatchObject({ exitCode: 2, changes: true, planFile, jsonPlanFile: `${planFile}.json` });
    expect(planned.summary.counts).toEqual({ add: 2, change: 0, destroy: 0, replace: 0, read: 0 });
    expect(planned.planHash).toBe(await sha256File(planFile));
    const json = JSON.parse(readFileSync(`${planFile}.json`, 'utf8')) as { resource_changes: unknown[] };
    expect(json.resource_changes).toHaveLength(2);
    expect(planned.planText).toContain('terraform_data.service will be created');
    expect(ws.stateResources()).toEqual([]);

    const applied = await apply(cli, settings(), planFile, planned.planHash, log);
    expect(applied.summary.counts.add).toBe(2);
    expect(ws.stateResources()).toEqual(['terraform_data.credentials', 'terraform_data.service']);
    expect(applied.outputs.find((o) => o.name === 'service_name')).toMatchObject({ sensitive: false, value: 'shop-small' });

    const again = await plan(cli, settings(), planFile, log);
    expect(again).toMatchObject({ exitCode: 0, changes: false });
    expect(again.summary.resources).toEqual([]);
  });

  it('counts replacements, deletions, updates and reads separately, destroys first', async () => {
    ws = tfWorkspace();
    const log = memoryLogger();
    const cli = cliIn(ws.dir, log);
    const planFile = path.join(ws.dir, 'tfplan');
    await apply(cli, settings(), (await plan(cli, settings(), planFile, log)).planFile as string, undefined, log);

    // credentials replaced (trigger), service updated (input), a new resource, and a data
    // source whose config is unknown until apply (read during apply).
    ws.write('infra/main.tf', baseConfig({ size: 'large', replaceKey: 'v2' }));
    ws.write(
      'infra/extra.tf',
      `
resource "terraform_data" "queue" {
  input = "orders"
}
data "terraform_remote_state" "peer" {
  backend  = "local"
  config   = { path = "\${terraform_data.queue.output}.tfstate" }
  defaults = {}
}
`,
    );
    ws.write(
      'infra/orders.tfstate',
      JSON.stringify({ version: 4, terraform_version: '1.11.4', serial: 1, lineage: 'peer', outputs: {}, resources: [] }),
    );
    const changed = await plan(cli, settings(), planFile, log);
    expect(changed.summary.counts).toEqual({ add: 1, change: 1, destroy: 0, replace: 1, read: 1 });
    await apply(cli, settings(), planFile, changed.planHash, log);

    ws.write('infra/extra.tf', '');
    const removed = await plan(cli, settings(), planFile, log);
    expect(removed.summary.counts).toMatchObject({ destroy: 1, add: 0, change: 0, replace: 0 });
    expect(removed.summary.resources[0]).toMatchObject({ address: 'terraform_data.queue', action: 'delete' });
  });

  it('refuses a stale plan (state changed after the plan) and applies nothing', async () => {
    ws = tfWorkspace();
    const log = memoryLogger();
    const cli = cliIn(ws.dir, log);
    const approved = await plan(cli, settings(), path.join(ws.dir, 'approved.tfplan'), log);
    const other = await plan(cli, settings(), path.join(ws.dir, 'other.tfplan'), log);
    await apply(cli, settings(), other.planFile as string, other.planHash, log);
    const serial = ws.stateSerial();

    const attempt = apply(cli, settings(), approved.planFile as string, approved.planHash, log);
    await expect(attempt).rejects.toBeInstanceOf(StalePlan);
    await expect(attempt).rejects.toThrow(/state changed after this plan was made and approved.*Nothing was applied.*Re-run the plan/);
    const err = (await attempt.catch((e: unknown) => e)) as StalePlan;
    expect(err.details.join('\n')).toContain('Error: Saved plan is stale');
    expect(ws.stateSerial()).toBe(serial);
  });

  it('refuses a tampered plan file before running terraform at all', async () => {
    ws = tfWorkspace();
    const log = memoryLogger();
    const cli = cliIn(ws.dir, log);
    const planned = await plan(cli, settings(), path.join(ws.dir, 'tfplan'), log);
    appendFileSync(planned.planFile as string, Buffer.from([0]));
    const applyLog = memoryLogger();

    const attempt = apply(cliIn(ws.dir, applyLog), settings(), planned.planFile as string, planned.planHash, applyLog);
    await expect(attempt).rejects.toBeInstanceOf(PlanHashMismatch);
    await expect(attempt).rejects.toThrow(`expected-plan-hash is ${planned.planHash}`);
    expect(applyLog.lines.filter((l) => l.startsWith('$ terraform'))).toEqual([]);
    expect(ws.stateResources()).toEqual([]);
  });

  it('check reports drift until the configuration is applied, and keeps no plan', async () => {
    ws = tfWorkspace();
    const log = memoryLogger();
    const cli = cliIn(ws.dir, log);
    const drifted = await check(cli, settings(), log, ws.root);
    expect(drifted).toMatchObject({ exitCode: 2, changes: true, drift: 2, outputDrift: 2, planFile: undefined });
    expect(log.text()).toContain('drift: 2 changes to apply (2 to add, 0 to change, 0 to destroy, 0 to replace; 2 output values change)');

    const planned = await plan(cli, settings(), path.join(ws.dir, 'tfplan'), log);
    await apply(cli, settings(), planned.planFile as string, planned.planHash, log);
    const clean = await check(cli, settings(), log, ws.root);
    expect(clean).toMatchObject({ exitCode: 0, changes: false, drift: 0 });
    expect(readdirSync(ws.root).filter((name) => name.startsWith('gantry-drift-'))).toEqual([]);
  });

  it('check names output-only drift as such', async () => {
    ws = tfWorkspace();
    const log = memoryLogger();
    const cli = cliIn(ws.dir, log);
    const planned = await plan(cli, settings(), path.join(ws.dir, 'tfplan'), log);
    await apply(cli, settings(), planned.planFile as string, planned.planHash, log);
    ws.write('infra/extra.tf', 'output "region" {\n  value = "eu-west-1"\n}\n');
    const drifted = await check(cli, settings(), log, ws.root);
    expect(drifted).toMatchObject({ exitCode: 2, changes: true, drift: 0, outputDrift: 1 });
    expect(log.lines.at(-1)).toBe('drift: 1 output value change to apply (no resource changes)');
  });

  it('masks sensitive outputs before logging anything about them', async () => {
    ws = tfWorkspace(baseConfig({ secret: 's3cr3t-Value-42' }));
    const log = memoryLogger();
    const cli = cliIn(ws.dir, log);
    const planned = await plan(cli, settings(), path.join(ws.dir, 'tfplan'), log);
    await apply(cli, settings(), planned.planFile as string, planned.planHash, log);
    const outputs = await readOutputs(cli, log);
    expect(outputs.find((o) => o.name === 'database_password')).toMatchObject({ sensitive: true });
    expect(log.secrets).toContain('s3cr3t-Value-42');
    expect(log.text()).not.toContain('s3cr3t-Value-42');
    expect(log.text()).toContain('output database_password = (sensitive)');
  });

  it('passes var files, backend configuration (values and files) and the workspace through', async () => {
    ws = tfWorkspace(`terraform {\n  backend "local" {}\n}\n${baseConfig()}`);
    const log = memoryLogger();
    const cli = cliIn(ws.dir, log);
    const varFile = ws.write('envs/large.tfvars', 'size = "large"\n');
    const backendFile = ws.write('envs/backend.hcl', 'workspace_dir = "workspaces"\n');
    const s = settings({
      varFiles: [varFile],
      backendConfig: [
        { kind: 'value', key: 'path', value: 'state/custom.tfstate' },
        { kind: 'file', path: backendFile },
      ],
      workspace: 'staging',
    });
    const planned = await plan(cli, s, path.join(ws.dir, 'tfplan'), log);
    const json = JSON.parse(readFileSync(planned.jsonPlanFile as string, 'utf8')) as { variables: Record<string, { value: unknown }> };
    expect(json.variables.size.value).toBe('large');
    expect(log.text()).toContain("Workspace 'staging' does not exist yet; creating it.");
    expect(log.text()).toContain('-backend-config=path=***');
    await apply(cli, s, planned.planFile as string, planned.planHash, log);
    // Non-default workspaces live under workspace_dir; the default one at `path`.
    expect(ws.stateResources('infra/workspaces/staging/terraform.tfstate')).toEqual([
      'terraform_data.credentials',
      'terraform_data.service',
    ]);
    expect(ws.exists('infra/terraform.tfstate')).toBe(false);

    // The second time the workspace exists and is simply selected.
    const again = memoryLogger();
    await plan(cliIn(ws.dir, again), s, path.join(ws.dir, 'tfplan'), again);
    expect(again.text()).not.toContain('creating it');
  });

  it('never migrates state when the backend configuration changes, and says what to do', async () => {
    ws = tfWorkspace(`terraform {\n  backend "local" {}\n}\n${baseConfig()}`);
    const log = memoryLogger();
    const cli = cliIn(ws.dir, log);
    const planned = await plan(cli, settings(), path.join(ws.dir, 'tfplan'), log);
    await apply(cli, settings(), planned.planFile as string, planned.planHash, log);
    const moved = settings({ backendConfig: [{ kind: 'value', key: 'path', value: 'elsewhere.tfstate' }] });
    await expect(plan(cli, moved, path.join(ws.dir, 'tfplan'), log)).rejects.toThrow(
      /gantry never migrates state implicitly\. Pass the same backend-config as before/,
    );
    expect(ws.exists('infra/elsewhere.tfstate')).toBe(false);
  });

  it('shows the failing command and the error Terraform printed', async () => {
    ws = tfWorkspace(`${baseConfig()}\noutput "broken" {\n  value = terraform_data.missing.id\n}\n`);
    const log = memoryLogger();
    const attempt = plan(cliIn(ws.dir, log), settings(), path.join(ws.dir, 'tfplan'), log);
    await expect(attempt).rejects.toBeInstanceOf(TerraformCommandError);
    const err = (await attempt.catch((e: unknown) => e)) as TerraformCommandError;
    expect(err.message).toMatch(/^terraform plan .* failed with exit code 1: Error: Reference to undeclared resource/);
    expect(err.details).toEqual(
      expect.arrayContaining([expect.stringMatching(/^command: terraform plan -input=false/), expect.stringContaining('on main.tf line')]),
    );
  });
});

describe('drift message', () => {
  const outcome = (drift: number, outputDrift: number, add = drift): CheckOutcome => ({
    exitCode: 2,
    changes: true,
    summary: { ...summarizePlan({}), counts: { add, change: 0, destroy: 0, replace: 0, read: 0 } },
    planText: '',
    planFile: undefined,
    jsonPlanFile: undefined,
    planHash: undefined,
    drift,
    outputDrift,
  });
  it('counts resources and outputs, in the singular when there is one', () => {
    expect(driftMessage(outcome(1, 0))).toBe('drift: 1 change to apply (1 to add, 0 to change, 0 to destroy, 0 to replace)');
    expect(driftMessage(outcome(2, 1))).toBe(
      'drift: 2 changes to apply (2 to add, 0 to change, 0 to destroy, 0 to replace; 1 output value change)',
    );
    expect(driftMessage(outcome(0, 1))).toBe('drift: 1 output value change to apply (no resource changes)');
    expect(driftMessage(outcome(0, 3))).toBe('drift: 3 output value changes to apply (no resource changes)');
    expect(driftMessage({ ...outcome(0, 0), changes: false, exitCode: 0 })).toBeUndefined();
  });
});

describe('output of terraform is never quoted in errors (it holds variable values)', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  /** A stand-in terraform: init and plan succeed (plan with changes), show -json and output -json print `json`. */
  function fakeTerraform(json: string): TerraformCli {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gantry-tf-fake-'));
    writeFileSync(path.join(dir, 'out.json'), json);
    const binary = path.join(dir, 'terraform');
    writeFileSync(
      binary,
      `#!/bin/sh\ncase "$1 $2" in\n  "show -json"|"output -json") cat ${path.join(dir, 'out.json')} ;;\n  plan*) exit 2 ;;\nesac\nexit 0\n`,
    );
    chmodSync(binary, 0o755);
    return new TerraformCli({ binary, cwd: dir, env: { PATH: '/usr/bin:/bin' }, log: memoryLogger() });
  }
  const failureOf = async (promise: Promise<unknown>) =>
    (await promise.then(
      () => undefined,
      (e: unknown) => e,
    )) as Error & { details?: string[] };
  const LEAK = 'hunter2-LEAK';

  it('a JSON plan that does not parse: its length and where parsing stopped', async () => {
    const json = `{"variables":{"db_password":{"value":"${LEAK}"}},"resource_changes":[{"address":"x", oops}]}`;
    const err = await failureOf(plan(fakeTerraform(json), settings(), path.join(dir ?? os.tmpdir(), 'tfplan'), memoryLogger()));
    expect(err.message).toMatch(
      new RegExp(
        `printed something that is not a plan: terraform show -json printed ${json.length} characters that are not valid JSON \\(parsing stopped at character \\d+;`,
      ),
    );
    expect(err.details).toEqual([`output: ${json.length} characters, not shown (it holds variable values)`]);
    expect(JSON.stringify([err.message, err.details])).not.toContain(LEAK);
  });

  it('a resource change without an address: its position', async () => {
    const json = JSON.stringify({
      resource_changes: [{ address: 'a', change: { actions: ['create'] } }, { change: { after: { password: LEAK } } }],
    });
    const err = await failureOf(plan(fakeTerraform(json), settings(), path.join(dir ?? os.tmpdir(), 'tfplan'), memoryLogger()));
    expect(err.message).toMatch(/not a plan: terraform show -json: resource_changes\[1\] has no address$/);
    expect(JSON.stringify([err.message, err.details])).not.toContain(LEAK);
  });

  it('outputs that do not parse: never the sensitive values in them', async () => {
    const json = `{"db_password":{"sensitive":true,"value":"${LEAK}"`;
    const err = await failureOf(readOutputs(fakeTerraform(json), memoryLogger()));
    expect(err.message).toBe(
      `terraform output -json printed ${json.length} characters that are not valid JSON (it ends before the JSON is complete; the output is not shown: it holds variable values)`,
    );
  });
});
