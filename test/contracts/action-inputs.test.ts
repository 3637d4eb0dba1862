/**
 * One contract per action: the inputs `getInputs` reads are exactly the inputs action.yml
 * declares, and every default action.yml gives is the default inputs.ts applies — so a default
 * written in both places (900 in action.yml, 900 in inputs.ts) cannot drift apart, and an input
 * cannot be added to one side only. Read from action.yml itself, never restated here; the checks
 * are test/support/action-contract.ts (also run on a newly added action: add-an-action.test.ts).
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Env } from '../../lib/runner/inputs';
import { getInputs as deployInputs } from '../../actions/deploy-ecs/src/inputs';
import { getInputs as parityInputs } from '../../actions/parity-check/src/inputs';
import { getInputs as rollbackInputs } from '../../actions/rollback/src/inputs';
import { getInputs as runTaskInputs } from '../../actions/run-task/src/inputs';
import { getInputs as smokeInputs } from '../../actions/smoke-test/src/inputs';
import { getInputs as terraformInputs } from '../../actions/terraform/src/inputs';
import { expectDefaultsApplied, expectReadsDeclaredInputs, expectRequiredEnforced, type InputsContract } from '../support/action-contract';
import { repoRoot } from '../support/harness';

const workspace = mkdtempSync(path.join(os.tmpdir(), 'gantry-contract-'));
writeFileSync(path.join(workspace, 'staging.env'), 'A=1\n');
writeFileSync(path.join(workspace, 'production.env'), 'A=1\n');
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

/** release-gate reads a different set of inputs per `command` (resolve, promotion, image, record): no single minimal set. */
const PER_COMMAND = ['release-gate'];

const contract = (name: string, getInputs: (env: Env) => unknown, minimal: Record<string, string>) => ({
  name,
  actionDir: path.join(repoRoot, 'actions', name),
  getInputs,
  minimal,
  workspace,
});

const contracts: (InputsContract & { name: string })[] = [
  contract('deploy-ecs', deployInputs, { cluster: 'c', service: 's', image: 'repo:tag' }),
  contract('parity-check', parityInputs, { 'base-env-file': 'staging.env', 'target-env-file': 'production.env' }),
  contract('rollback', rollbackInputs, { cluster: 'c', service: 's' }),
  contract('run-task', runTaskInputs, { cluster: 'c', 'task-definition-arn': 'web:1' }),
  contract('smoke-test', smokeInputs, { 'base-url': 'http://127.0.0.1:1', 'expect-version': '1.0.0' }),
  contract('terraform', terraformInputs, { command: 'plan', 'working-directory': '.' }),
];

it('every action has a contract here (a new one needs its fewest valid inputs above)', () => {
  const actions = readdirSync(path.join(repoRoot, 'actions'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  expect(actions.filter((name) => !PER_COMMAND.includes(name)).sort()).toEqual(contracts.map((c) => c.name).sort());
});

describe.each(contracts)('$name: getInputs matches action.yml', (contract) => {
  it('reads every declared input and no other', () => expectReadsDeclaredInputs(contract));
  it('applies the defaults action.yml declares', () => expectDefaultsApplied(contract));
  it('requires what action.yml marks required', () => expectRequiredEnforced(contract));
});
