/**
 * One contract per action: the inputs `getInputs` reads are exactly the inputs action.yml
 * declares, and every default action.yml gives is the default inputs.ts applies — so a default
 * written in both places (900 in action.yml, 900 in inputs.ts) cannot drift apart, and an input
 * cannot be added to one side only. Read from action.yml itself, never restated here.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Env } from '../../lib/runner/inputs';
import { inputEnvName } from '../../lib/runner/inputs';
import { getInputs as deployInputs } from '../../actions/deploy-ecs/src/inputs';
import { getInputs as parityInputs } from '../../actions/parity-check/src/inputs';
import { getInputs as rollbackInputs } from '../../actions/rollback/src/inputs';
import { getInputs as runTaskInputs } from '../../actions/run-task/src/inputs';
import { getInputs as smokeInputs } from '../../actions/smoke-test/src/inputs';
import { getInputs as terraformInputs } from '../../actions/terraform/src/inputs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const workspace = mkdtempSync(path.join(os.tmpdir(), 'gantry-contract-'));
writeFileSync(path.join(workspace, 'staging.env'), 'A=1\n');
writeFileSync(path.join(workspace, 'production.env'), 'A=1\n');
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

interface ActionYml {
  inputs?: Record<string, { required?: boolean; default?: string }>;
  outputs?: Record<string, unknown>;
}

function actionYml(name: string): ActionYml {
  return parse(readFileSync(path.join(root, 'actions', name, 'action.yml'), 'utf8')) as ActionYml;
}

interface Contract {
  name: string;
  getInputs: (env: Env) => unknown;
  /** The fewest inputs that make a valid configuration (the runner's INPUT_* variables). */
  minimal: Record<string, string>;
}

const contracts: Contract[] = [
  { name: 'deploy-ecs', getInputs: deployInputs, minimal: { cluster: 'c', service: 's', image: 'repo:tag' } },
  { name: 'parity-check', getInputs: parityInputs, minimal: { 'base-env-file': 'staging.env', 'target-env-file': 'production.env' } },
  { name: 'rollback', getInputs: rollbackInputs, minimal: { cluster: 'c', service: 's' } },
  { name: 'run-task', getInputs: runTaskInputs, minimal: { cluster: 'c', 'task-definition-arn': 'web:1' } },
  { name: 'smoke-test', getInputs: smokeInputs, minimal: { 'base-url': 'http://127.0.0.1:1', 'expect-version': '1.0.0' } },
  { name: 'terraform', getInputs: terraformInputs, minimal: { command: 'plan', 'working-directory': '.' } },
];

function runnerEnv(inputs: Record<string, string>): Env {
  const env: Env = { GITHUB_WORKSPACE: workspace, GITHUB_SHA: 'a'.repeat(40) };
  for (const [name, value] of Object.entries(inputs)) env[inputEnvName(name)] = value;
  return env;
}

/** The input names (as action.yml spells them) that getInputs looks up in the environment. */
function inputsRead(contract: Contract, env: Env): Set<string> {
  const read = new Set<string>();
  const note = (key: string | symbol) => {
    if (typeof key === 'string' && key.startsWith('INPUT_')) read.add(key);
  };
  const recording = new Proxy(env, {
    get: (target, key) => (note(key), target[key as string]),
    has: (target, key) => (note(key), key in target),
  });
  contract.getInputs(recording);
  const byEnvName = new Map(Object.keys(actionYml(contract.name).inputs ?? {}).map((name) => [inputEnvName(name), name]));
  return new Set([...read].map((key) => byEnvName.get(key) ?? `(undeclared ${key})`));
}

describe.each(contracts)('$name: getInputs matches action.yml', (contract) => {
  const declared = actionYml(contract.name).inputs ?? {};

  it('reads every declared input and no other', () => {
    const read = inputsRead(contract, runnerEnv(contract.minimal));
    expect([...read].sort()).toEqual(Object.keys(declared).sort());
  });

  it('applies the defaults action.yml declares', () => {
    const base = runnerEnv(contract.minimal);
    const withoutDefaults = contract.getInputs(base);
    const defaulted = Object.entries(declared).filter(([name, spec]) => spec.default !== undefined && !(name in contract.minimal));
    expect(defaulted.length).toBeGreaterThan(0);
    for (const [name, spec] of defaulted) {
      // An expression default (`${{ github.token }}`) is evaluated by the runner, not by the action.
      if (spec.default!.includes('${{')) continue;
      const explicit = contract.getInputs({ ...base, [inputEnvName(name)]: spec.default });
      expect(explicit, `${contract.name}: input '${name}' set to action.yml's default '${spec.default}'`).toEqual(withoutDefaults);
    }
  });

  it('requires what action.yml marks required', () => {
    for (const [name, spec] of Object.entries(declared)) {
      if (!spec.required) continue;
      const inputs = { ...contract.minimal };
      delete inputs[name];
      expect(() => contract.getInputs(runnerEnv(inputs)), `${contract.name}: without '${name}'`).toThrow(new RegExp(`'${name}'`));
    }
  });
});
