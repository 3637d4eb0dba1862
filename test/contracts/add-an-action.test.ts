/**
 * README's "Add an action", followed in a temporary copy of the repository's layout: its shell
 * commands run as written there (copy the smallest action under a new name, `npm run build`, the
 * docs generator), with step 1's edit of action.yml in between; then the new action is held to the
 * contract tests' checks (test/support/action-contract.ts) and its bundle to a bad-inputs row. So
 * the README's steps are proven to work, and a change that breaks them (a build that only knows the
 * existing actions, a generator with a fixed list) fails here.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../lib/runner/inputs';
import {
  expectActionShape,
  expectDefaultsApplied,
  expectReadsDeclaredInputs,
  expectRequiredEnforced,
  type InputsContract,
} from '../support/action-contract';
import { node24Binary, repoRoot, runAction } from '../support/harness';

const NAME = 'my-action';
const SMALLEST = 'run-task';

/** The ```sh block of README's "### Add an action", one command a line (comments dropped). */
function readmeCommands(): string[] {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Add an action'));
  const block = /```sh\n([\s\S]*?)```/.exec(section.slice(0, section.indexOf('\n#', 4)))?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

/** What the steps need of the repository: build and docs scripts, lib/, the actions, node_modules (linked). */
function copyLayout(tree: string): void {
  for (const file of ['package.json', 'tsconfig.json', '.node-version']) cpSync(path.join(repoRoot, file), path.join(tree, file));
  for (const script of ['build.mjs', 'licenses.mjs', 'with-node.mjs', 'gen-action-docs.ts'])
    cpSync(path.join(repoRoot, 'scripts', script), path.join(tree, 'scripts', script));
  cpSync(path.join(repoRoot, 'lib'), path.join(tree, 'lib'), { recursive: true, filter: (from) => !from.endsWith('.test.ts') });
  for (const action of readdirSync(path.join(repoRoot, 'actions'))) {
    if (action === SMALLEST) cpSync(path.join(repoRoot, 'actions', action), path.join(tree, 'actions', action), { recursive: true });
    else cpSync(path.join(repoRoot, 'actions', action, 'action.yml'), path.join(tree, 'actions', action, 'action.yml'));
  }
  mkdirSync(path.join(tree, 'docs', 'infra'), { recursive: true });
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(tree, 'node_modules'), 'dir');
}

const sh = promisify(execFile);
let tree: string;
let actionDir: string;
const log: string[] = [];

beforeAll(async () => {
  tree = mkdtempSync(path.join(os.tmpdir(), 'gantry-add-action-'));
  copyLayout(tree);
  actionDir = path.join(tree, 'actions', NAME);
  const env = { ...process.env, PATH: `${path.join(tree, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}` };
  for (const command of readmeCommands()) {
    const started = Date.now();
    const { stdout, stderr } = await sh('bash', ['-euo', 'pipefail', '-c', command], { cwd: tree, env, maxBuffer: 16 * 1024 * 1024 });
    log.push(`$ ${command} (${Date.now() - started} ms)\n${stdout}${stderr}`);
    // Step 1, once the action is copied: its own name in action.yml.
    if (command.startsWith('cp ')) {
      const yml = path.join(actionDir, 'action.yml');
      writeFileSync(yml, readFileSync(yml, 'utf8').replace(/^name: .*$/m, `name: gantry ${NAME}`));
    }
  }
}, 180_000);
afterAll(() => {
  if (tree) rmSync(tree, { recursive: true, force: true });
});

describe("README's Add an action, followed in a copy of the layout", () => {
  it('the README gives the commands: copy the smallest action, build it, generate the docs', () => {
    expect(readmeCommands()).toEqual([
      `cp -r actions/${SMALLEST} actions/${NAME} && rm -rf actions/${NAME}/dist`,
      `npm run build -- ${NAME}`,
      'npx tsx scripts/gen-action-docs.ts',
    ]);
  });

  it('the project build bundled the new action (and only it), with its licenses', () => {
    // As the copied action's own build (run-task loads its CloudWatch Logs client as a chunk of its own, `<id>.index.js`).
    const files = (dir: string) =>
      readdirSync(dir)
        .map((f) => f.replace(/^\d+\.index\.js$/, '<chunk>.index.js'))
        .sort();
    expect(files(path.join(actionDir, 'dist')), log.join('\n')).toEqual(files(path.join(repoRoot, 'actions', SMALLEST, 'dist')));
    expect(files(path.join(actionDir, 'dist'))).toEqual(expect.arrayContaining(['index.js', 'licenses.txt', 'package.json']));
    expect(readFileSync(path.join(actionDir, 'dist', 'licenses.txt'), 'utf8')).toContain('@aws-sdk/client-ecs\nApache-2.0\n');
    expect(existsSync(path.join(tree, 'actions', 'deploy-ecs', 'dist'))).toBe(false);
  });

  it('the docs generator wrote its reference beside the others', () => {
    const doc = readFileSync(path.join(tree, 'docs', 'infra', 'actions.md'), 'utf8');
    expect(doc).toContain(`## ${NAME}\n`);
    expect(doc).toContain(`- uses: <owner>/gantry/actions/${NAME}@v1`);
    expect(doc).toContain(`Metadata: [\`actions/${NAME}/action.yml\`](../../actions/${NAME}/action.yml)`);
    expect(doc.match(/^### Inputs$/gm)).toHaveLength(readdirSync(path.join(tree, 'actions')).length);
  });

  it("has the actions' shape: index.ts only calls the run() main.ts exports", () => expectActionShape(actionDir));

  it("its getInputs matches its action.yml (the contract tests' checks)", async () => {
    const { getInputs } = (await import(path.join(actionDir, 'src', 'inputs.ts'))) as { getInputs: (env: Env) => unknown };
    const contract: InputsContract = { actionDir, getInputs, minimal: { cluster: 'c', 'task-definition-arn': 'web:1' }, workspace: tree };
    expectReadsDeclaredInputs(contract);
    expectDefaultsApplied(contract);
    expectRequiredEnforced(contract);
  });

  it('its bundle runs as the runner runs it (Node 24): a bad input exits 1 naming the input, before any AWS call', async () => {
    const result = await runAction(
      NAME,
      { cluster: 'shop', 'task-definition-arn': 'web' },
      {
        node: await node24Binary(),
        actionDir: path.relative(repoRoot, actionDir),
        // Nothing listens here: a call to AWS would fail with a connection error, not the input's message.
        env: {
          AWS_REGION: 'eu-west-1',
          AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
        },
      },
    );
    expect(result.exitCode).toBe(1);
    expect(result.annotations.map((a) => `${a.level}: ${a.message}`)).toEqual([
      expect.stringMatching(/^error: GANTRY-RUNTASK-001: Input 'task-definition-arn' .*<family>:<revision>/),
    ]);
    expect(result.outputs).toEqual({});
  });
});
