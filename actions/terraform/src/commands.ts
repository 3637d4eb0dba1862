/**
 * plan, apply and check: the Terraform command sequences, on an injected TerraformCli and
 * Logger. The saved plan is the unit of approval: plan hashes it, apply verifies the hash and
 * applies exactly that file (never a fresh plan).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ActionFailure } from '../../../lib/runner/errors';
import type { Logger } from '../../../lib/runner/logger';
import type { BackendConfig } from './inputs';
import {
  changeCount,
  describeCounts,
  parseOutputs,
  parseTerraformJson,
  secretStrings,
  summarizePlan,
  type OutputValue,
  type PlanSummary,
} from './plan-json';
import { TerraformCommandError, type TerraformCli } from './terraform-cli';

export interface TerraformSettings {
  varFiles: readonly string[];
  backendConfig: readonly BackendConfig[];
  workspace: string | undefined;
  lockTimeoutSeconds: number;
}

export interface PlanOutcome {
  /** plan -detailed-exitcode: 0 no changes, 2 changes. */
  exitCode: number;
  changes: boolean;
  summary: PlanSummary;
  planText: string;
  planFile: string | undefined;
  jsonPlanFile: string | undefined;
  planHash: string | undefined;
}

export interface CheckOutcome extends PlanOutcome {
  /** Resources apply would change to bring the infrastructure back in line (reads excluded). */
  drift: number;
  /** Output values that would change. */
  outputDrift: number;
}

/**
 * `drift: 2 changes to apply (…)`, `drift: 1 output value change to apply (no resource
 * changes)`, or undefined when there is none.
 */
export function driftMessage(outcome: CheckOutcome): string | undefined {
  if (!outcome.changes) return undefined;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (outcome.drift === 0 && outcome.outputDrift > 0) {
    return `drift: ${plural(outcome.outputDrift, 'output value change')} to apply (no resource changes)`;
  }
  const outputs = outcome.outputDrift > 0 ? `; ${plural(outcome.outputDrift, 'output value')} change` : '';
  return `drift: ${plural(outcome.drift, 'change')} to apply (${describeCounts(outcome.summary.counts)}${outputs})`;
}

export interface ApplyOutcome {
  summary: PlanSummary;
  planText: string;
  planHash: string;
  outputs: OutputValue[];
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function initArgs(settings: TerraformSettings): string[] {
  // -reconfigure: a cached .terraform from another backend setting must never trigger a state migration.
  const args = ['init', '-input=false', '-no-color', '-reconfigure', `-lock-timeout=${settings.lockTimeoutSeconds}s`];
  for (const entry of settings.backendConfig) {
    args.push(entry.kind === 'value' ? `-backend-config=${entry.key}=${entry.value}` : `-backend-config=${entry.path}`);
  }
  return args;
}

/** `terraform init`, then select the workspace (creating it the first time). */
export async function initialise(cli: TerraformCli, settings: TerraformSettings, log: Logger): Promise<void> {
  await log.group('terraform init', async () => {
    await cli.run(initArgs(settings), { stream: true }).catch((err: unknown) => {
      // Terraform's own advice ("remove -input=false") is wrong in CI: explain instead.
      if (err instanceof TerraformCommandError && /state migration/i.test(err.stderr)) {
        throw new ActionFailure(
          'GANTRY-TERRAFORM-001',
          `${err.message} The backend configuration differs from the one this directory's state was created with, ` +
            'and gantry never migrates state implicitly. Pass the same backend-config as before, or migrate the state by hand (terraform init -migrate-state).',
          err.details,
        );
      }
      throw err;
    });
    if (settings.workspace === undefined) return;
    const selected = await cli.run(['workspace', 'select', '-no-color', settings.workspace], { okExitCodes: [0, 1], logStderr: false });
    if (selected.exitCode === 0) return;
    if (!/doesn't exist|does not exist/i.test(selected.stderr + selected.stdout)) {
      throw new TerraformCommandError(`terraform workspace select ${settings.workspace}`, selected, cli.cwd);
    }
    log.info(`Workspace '${settings.workspace}' does not exist yet; creating it.`);
    await cli.run(['workspace', 'new', '-no-color', `-lock-timeout=${settings.lockTimeoutSeconds}s`, settings.workspace]);
  });
}

async function planTo(
  cli: TerraformCli,
  settings: TerraformSettings,
  planFile: string,
  log: Logger,
): Promise<{ exitCode: number; summary: PlanSummary; json: string; planText: string }> {
  await mkdir(path.dirname(planFile), { recursive: true });
  const args = [
    'plan',
    '-input=false',
    '-no-color',
    '-detailed-exitcode',
    `-lock-timeout=${settings.lockTimeoutSeconds}s`,
    `-out=${planFile}`,
  ];
  for (const file of settings.varFiles) args.push(`-var-file=${file}`);
  const planned = await log.group('terraform plan', () => cli.run(args, { stream: true, okExitCodes: [0, 2] }));
  const { summary, json } = await showPlan(cli, planFile);
  const planText = (await cli.run(['show', '-no-color', planFile])).stdout.trim();
  return { exitCode: planned.exitCode, summary, json, planText };
}

async function showPlan(cli: TerraformCli, planFile: string): Promise<{ summary: PlanSummary; json: string }> {
  const shown = await cli.run(['show', '-json', planFile]);
  try {
    return { summary: summarizePlan(parseTerraformJson(shown.stdout, 'terraform show -json')), json: shown.stdout };
  } catch (err) {
    // Never the output itself: the JSON plan holds every variable's value, sensitive ones included.
    throw new ActionFailure(
      'GANTRY-TERRAFORM-002',
      `terraform show -json ${planFile} printed something that is not a plan: ${(err as Error).message}`,
      [`output: ${shown.stdout.length} characters, not shown (it holds variable values)`],
    );
  }
}

export async function plan(cli: TerraformCli, settings: TerraformSettings, planFile: string, log: Logger): Promise<PlanOutcome> {
  await initialise(cli, settings, log);
  const { exitCode, summary, json, planText } = await planTo(cli, settings, planFile, log);
  const jsonPlanFile = `${planFile}.json`;
  await writeFile(jsonPlanFile, json);
  const planHash = await sha256File(planFile);
  log.info(
    `Plan: ${describeCounts(summary.counts)}${exitCode === 2 && changeCount(summary.counts) === 0 ? ' (output values change)' : ''}.`,
  );
  log.info(`Saved plan ${planFile} (sha256 ${planHash}); JSON plan ${jsonPlanFile}.`);
  return { exitCode, changes: exitCode === 2, summary, planText, planFile, jsonPlanFile, planHash };
}

/** A plan whose file is thrown away: for a drift check, only the differences matter. */
export async function check(cli: TerraformCli, settings: TerraformSettings, log: Logger, tempRoot = os.tmpdir()): Promise<CheckOutcome> {
  await initialise(cli, settings, log);
  const dir = await mkdtemp(path.join(tempRoot, 'gantry-drift-'));
  try {
    const { exitCode, summary, planText } = await planTo(cli, settings, path.join(dir, 'drift.tfplan'), log);
    const outcome: CheckOutcome = {
      exitCode,
      changes: exitCode === 2,
      summary,
      planText,
      planFile: undefined,
      jsonPlanFile: undefined,
      planHash: undefined,
      drift: changeCount(summary.counts),
      outputDrift: summary.outputs.length,
    };
    log.info(driftMessage(outcome) ?? 'No drift: the infrastructure matches the configuration.');
    return outcome;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export class PlanHashMismatch extends ActionFailure {}
export class StalePlan extends ActionFailure {}

export async function verifyPlanHash(planFile: string, expected: string | undefined): Promise<string> {
  const actual = await sha256File(planFile);
  if (expected !== undefined && actual !== expected) {
    throw new PlanHashMismatch(
      'GANTRY-TERRAFORM-003',
      `Plan hash mismatch: ${planFile} has SHA-256 ${actual}, but expected-plan-hash is ${expected}. ` +
        'This is not the plan that was reviewed; nothing was applied. Apply the plan-file from the approved plan run, or plan again.',
    );
  }
  return actual;
}

export async function apply(
  cli: TerraformCli,
  settings: TerraformSettings,
  planFile: string,
  expectedHash: string | undefined,
  log: Logger,
): Promise<ApplyOutcome> {
  // Before anything else: a plan that is not the reviewed one must not even reach terraform.
  const planHash = await verifyPlanHash(planFile, expectedHash);
  log.info(
    expectedHash ? `Plan file hash verified: ${planHash}.` : `Plan file sha256 ${planHash} (no expected-plan-hash given to compare).`,
  );
  if (settings.varFiles.length > 0) log.info('var-files are part of the saved plan already; they are not passed to apply.');
  await initialise(cli, settings, log);
  const { summary } = await showPlan(cli, planFile);
  const planText = (await cli.run(['show', '-no-color', planFile])).stdout.trim();
  log.info(`Applying the saved plan: ${describeCounts(summary.counts)}.`);
  try {
    await log.group('terraform apply', () =>
      cli.run(['apply', '-input=false', '-no-color', `-lock-timeout=${settings.lockTimeoutSeconds}s`, planFile], { stream: true }),
    );
  } catch (err) {
    if (err instanceof TerraformCommandError && /Saved plan is stale/i.test(err.stderr + err.stdout)) {
      throw new StalePlan(
        'GANTRY-TERRAFORM-004',
        'The saved plan is stale: the state changed after this plan was made and approved (another apply ran in between). ' +
          'Nothing was applied. Re-run the plan, review it again, and apply the new plan.',
        err.details,
      );
    }
    throw err;
  }
  const outputs = await readOutputs(cli, log);
  return { summary, planText, planHash, outputs };
}

/** `terraform output -json`, with every sensitive value masked before anything is logged. */
export async function readOutputs(cli: TerraformCli, log: Logger): Promise<OutputValue[]> {
  const printed = await cli.run(['output', '-json', '-no-color']);
  const outputs = parseOutputs(parseTerraformJson(printed.stdout || '{}', 'terraform output -json'));
  for (const output of outputs) if (output.sensitive) for (const secret of secretStrings(output.value)) log.secret(secret);
  for (const output of outputs) {
    log.info(`output ${output.name} = ${output.sensitive ? '(sensitive)' : JSON.stringify(output.value)}`);
  }
  return outputs;
}
