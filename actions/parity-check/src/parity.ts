/** Load both sides (files first, secrets last), apply the rules, log what was compared. */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from '../../../lib/runner/logger';
import { compareEnvNames, compareToggles, compareVariables, type Comparison, type SideNames } from './compare';
import { loadEnvNames, type EnvNameSet } from './dotenv';
import type { Inputs } from './inputs';
import { loadToggles, type ToggleSet } from './toggles';
import { loadVariableFiles, type VariableSet } from './var-files';

export interface ParityDeps {
  /** Required when a toggles input is a `secretsmanager:` reference. */
  secrets?: SecretsManagerClient;
  log: Logger;
  now?: () => number;
}

interface Side {
  variables?: VariableSet;
  toggles?: ToggleSet;
  env?: EnvNameSet;
}

type Which = 'base' | 'target';

async function loadLocalFiles(which: Which, inputs: Inputs): Promise<Side> {
  const side: Side = {};
  const varFiles = inputs[`${which}-var-files`];
  const envFile = inputs[`${which}-env-file`];
  [side.variables, side.env] = await Promise.all([
    varFiles.length > 0 ? loadVariableFiles(`${which}-var-files`, varFiles, inputs.workspace) : undefined,
    envFile ? loadEnvNames(`${which}-env-file`, envFile, inputs.workspace) : undefined,
  ]);
  return side;
}

function logLocalFiles(which: Which, inputs: Inputs, side: Side, log: Logger): void {
  const name = inputs[`${which}-name`];
  if (side.variables) log.info(`${name}: ${side.variables.values.size} variables from ${side.variables.files.join(', ')}`);
  if (side.env) log.info(`${name}: ${side.env.names.size} env names from ${side.env.file}`);
}

/**
 * Both sides' files at once (a file both sides list is parsed once, var-files.ts). Settled together so the log order and the error reported (base first)
 * do not depend on which side finishes first.
 */
async function loadBothLocalFiles(inputs: Inputs, log: Logger): Promise<{ base: Side; target: Side }> {
  const [base, target] = await Promise.allSettled([loadLocalFiles('base', inputs), loadLocalFiles('target', inputs)]);
  if (base.status === 'rejected') throw base.reason;
  if (target.status === 'rejected') throw target.reason;
  logLocalFiles('base', inputs, base.value, log);
  logLocalFiles('target', inputs, target.value, log);
  return { base: base.value, target: target.value };
}

async function loadToggleSide(which: Which, inputs: Inputs, side: Side, deps: ParityDeps): Promise<void> {
  const source = inputs[`${which}-toggles`];
  if (!source) return;
  side.toggles = await loadToggles(`${which}-toggles`, source, deps);
  deps.log.info(`${inputs[`${which}-name`]}: ${side.toggles.toggles.size} toggles from ${side.toggles.where}`);
}

function merge(parts: Comparison[]): Comparison {
  return {
    findings: parts.flatMap((p) => p.findings),
    notes: parts.flatMap((p) => p.notes),
    compared: {
      variables: parts.reduce((n, p) => n + p.compared.variables, 0),
      toggles: parts.reduce((n, p) => n + p.compared.toggles, 0),
      envNames: parts.reduce((n, p) => n + p.compared.envNames, 0),
    },
  };
}

export async function checkParity(inputs: Inputs, deps: ParityDeps): Promise<Comparison> {
  const now = deps.now ?? (() => performance.now());
  const started = now();
  const names: SideNames = { base: inputs['base-name'], target: inputs['target-name'] };
  const { base, target } = await deps.log.group('Reading configuration', async () => {
    // Local files before secrets: a typo in a file fails before any AWS call.
    const sides = await loadBothLocalFiles(inputs, deps.log);
    await loadToggleSide('base', inputs, sides.base, deps);
    await loadToggleSide('target', inputs, sides.target, deps);
    return sides;
  });
  const options = { valuesMustMatch: inputs['values-must-match'], ignore: inputs.ignore, rolloutToggles: inputs['rollout-toggles'] };
  const parts: Comparison[] = [];
  if (base.variables && target.variables) parts.push(compareVariables(base.variables, target.variables, names, options));
  if (base.toggles && target.toggles) parts.push(compareToggles(base.toggles, target.toggles, names, options));
  if (base.env && target.env) parts.push(compareEnvNames(base.env, target.env, names, options));
  const result = merge(parts);
  for (const note of result.notes) deps.log.warning(note);
  deps.log.info(
    `Compared ${names.base} and ${names.target} in ${Math.round(now() - started)} ms: ${result.findings.length} finding${result.findings.length === 1 ? '' : 's'}.`,
  );
  return result;
}
