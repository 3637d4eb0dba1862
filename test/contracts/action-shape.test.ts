/**
 * Every action has the actions/typescript-action shape: `src/index.ts` only starts `run()`, which
 * `src/main.ts` exports, so `npx @github/local-action actions/<name> src/main.ts` can import and
 * call it (test/local-action runs them) — and a new action cannot forget it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const actions = readdirSync(path.join(root, 'actions'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

describe.each(actions)('actions/%s', (name) => {
  it('index.ts only calls the run() main.ts exports, and main.ts exports run()', async () => {
    const index = readFileSync(path.join(root, 'actions', name, 'src', 'index.ts'), 'utf8').trim();
    expect(index).toBe("import { run } from './main';\n\nvoid run();");
    const main = (await import(path.join(root, 'actions', name, 'src', 'main.ts'))) as { run?: unknown };
    expect(typeof main.run).toBe('function');
  });
});

it('finds every action', () => {
  expect(actions).toEqual(
    expect.arrayContaining(['deploy-ecs', 'parity-check', 'release-gate', 'rollback', 'run-task', 'smoke-test', 'terraform']),
  );
});
