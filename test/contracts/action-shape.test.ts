/**
 * Every action has the actions/typescript-action shape: `src/index.ts` only starts `run()`, which
 * `src/main.ts` exports, so `npx @github/local-action actions/<name> src/main.ts` can import and
 * call it (test/local-action runs them) — and a new action cannot forget it. The check is
 * test/support/action-contract.ts (also run on a newly added action: add-an-action.test.ts).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectActionShape } from '../support/action-contract';
import { repoRoot } from '../support/harness';

const actions = readdirSync(path.join(repoRoot, 'actions'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

describe.each(actions)('actions/%s', (name) => {
  it('index.ts only calls the run() main.ts exports, and main.ts exports run()', () =>
    expectActionShape(path.join(repoRoot, 'actions', name)));
});

it('finds every action', () => {
  expect(actions).toEqual(
    expect.arrayContaining(['deploy-ecs', 'parity-check', 'release-gate', 'rollback', 'run-task', 'smoke-test', 'terraform']),
  );
});
