/**
 * The checks every action is held to, on any action directory (the repository's in
 * test/contracts, a freshly added one in test/contracts/add-an-action.test.ts):
 * - its shape (actions/typescript-action's): `src/index.ts` only starts `run()`, which `src/main.ts`
 *   exports, so `npx @github/local-action <dir> src/main.ts` can import and call it;
 * - its inputs: `getInputs` reads exactly the inputs action.yml declares, applies every default
 *   action.yml gives and requires what action.yml marks required — read from action.yml itself.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { parse } from 'yaml';
import type { Env } from '../../lib/runner/inputs';
import { inputEnvName } from '../../lib/runner/inputs';

/** What `src/index.ts` of every action is, to the letter. */
export const INDEX_TS = "import { run } from './main';\n\nvoid run();";

interface ActionYml {
  inputs?: Record<string, { required?: boolean; default?: string }>;
  outputs?: Record<string, unknown>;
}

export function readActionYml(actionDir: string): ActionYml {
  return parse(readFileSync(path.join(actionDir, 'action.yml'), 'utf8')) as ActionYml;
}

export async function expectActionShape(actionDir: string): Promise<void> {
  const index = readFileSync(path.join(actionDir, 'src', 'index.ts'), 'utf8').trim();
  expect(index).toBe(INDEX_TS);
  const main = (await import(path.join(actionDir, 'src', 'main.ts'))) as { run?: unknown };
  expect(typeof main.run).toBe('function');
}

export interface InputsContract {
  /** The action's directory (holding action.yml). */
  actionDir: string;
  getInputs: (env: Env) => unknown;
  /** The fewest inputs that make a valid configuration (the runner's INPUT_* variables). */
  minimal: Record<string, string>;
  /** GITHUB_WORKSPACE for getInputs (files named in `minimal` live there). */
  workspace: string;
}

function runnerEnv(contract: InputsContract, inputs: Record<string, string>): Env {
  const env: Env = { GITHUB_WORKSPACE: contract.workspace, GITHUB_SHA: 'a'.repeat(40) };
  for (const [name, value] of Object.entries(inputs)) env[inputEnvName(name)] = value;
  return env;
}

/** The input names (as action.yml spells them) that getInputs looks up in the environment. */
function inputsRead(contract: InputsContract, env: Env): Set<string> {
  const read = new Set<string>();
  const note = (key: string | symbol) => {
    if (typeof key === 'string' && key.startsWith('INPUT_')) read.add(key);
  };
  const recording = new Proxy(env, {
    get: (target, key) => (note(key), target[key as string]),
    has: (target, key) => (note(key), key in target),
  });
  contract.getInputs(recording);
  const byEnvName = new Map(Object.keys(readActionYml(contract.actionDir).inputs ?? {}).map((name) => [inputEnvName(name), name]));
  return new Set([...read].map((key) => byEnvName.get(key) ?? `(undeclared ${key})`));
}

export function expectReadsDeclaredInputs(contract: InputsContract): void {
  const declared = readActionYml(contract.actionDir).inputs ?? {};
  const read = inputsRead(contract, runnerEnv(contract, contract.minimal));
  expect([...read].sort()).toEqual(Object.keys(declared).sort());
}

export function expectDefaultsApplied(contract: InputsContract): void {
  const declared = readActionYml(contract.actionDir).inputs ?? {};
  const name = path.basename(contract.actionDir);
  const base = runnerEnv(contract, contract.minimal);
  const withoutDefaults = contract.getInputs(base);
  const defaulted = Object.entries(declared).filter(([input, spec]) => spec.default !== undefined && !(input in contract.minimal));
  expect(defaulted.length).toBeGreaterThan(0);
  for (const [input, spec] of defaulted) {
    // An expression default (`${{ github.token }}`) is evaluated by the runner, not by the action.
    if (spec.default!.includes('${{')) continue;
    const explicit = contract.getInputs({ ...base, [inputEnvName(input)]: spec.default });
    expect(explicit, `${name}: input '${input}' set to action.yml's default '${spec.default}'`).toEqual(withoutDefaults);
  }
}

export function expectRequiredEnforced(contract: InputsContract): void {
  const declared = readActionYml(contract.actionDir).inputs ?? {};
  const name = path.basename(contract.actionDir);
  for (const [input, spec] of Object.entries(declared)) {
    if (!spec.required) continue;
    const inputs = { ...contract.minimal };
    delete inputs[input];
    expect(() => contract.getInputs(runnerEnv(contract, inputs)), `${name}: without '${input}'`).toThrow(new RegExp(`'${input}'`));
  }
}
