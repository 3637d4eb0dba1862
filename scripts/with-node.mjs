#!/usr/bin/env node
// Runs a command (`node scripts/with-node.mjs vitest run …`) under Node.js >= 22, the version
// package.json's engines asks for: with this Node when it is new enough, else with the Node of
// .node-version installed from the npm registry's `node` package into npm's cache (`npm exec
// --package=node@24`, once; later runs reuse it) — the way test/support/harness.ts gets the runner's
// Node 24. So the README's `npm ci && npm run demo` works on a machine whose Node is older.
// Plain JavaScript on purpose: it must run on the old Node it replaces.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MINIMUM = 22;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/with-node.mjs <command> [args…]');
  process.exit(2);
}

/** The directory of a node binary of at least MINIMUM: this one, or one from the npm registry. */
export function nodeBinDir() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= MINIMUM) return path.dirname(process.execPath);
  const versionFile = path.join(root, '.node-version');
  const wanted = (existsSync(versionFile) ? readFileSync(versionFile, 'utf8').trim() : '') || '24';
  console.error(
    `gantry: Node ${process.versions.node} is older than ${MINIMUM} (package.json engines); using Node ${wanted} from the npm registry (npm exec --package=node@${wanted}).`,
  );
  const binary = execFileSync('npm', ['exec', '--yes', `--package=node@${wanted}`, '--', 'node', '-p', 'process.execPath'], {
    cwd: os.tmpdir(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  if (!binary || !existsSync(binary)) {
    console.error(
      `gantry: could not install Node ${wanted} from the npm registry; install Node >= ${MINIMUM} (https://nodejs.org) and run again.`,
    );
    process.exit(1);
  }
  return path.dirname(binary);
}

const bin = nodeBinDir();
// First on PATH, so `node` and every `#!/usr/bin/env node` script (vitest, tsx, eslint) use it.
const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` };
// Asynchronously, so a signal sent to this wrapper alone (a cancelled job's SIGTERM) reaches the
// command too instead of leaving it orphaned; the exit code is the command's, or 128 + the signal's.
const child = spawn(command, args, { stdio: 'inherit', env, shell: false });
const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
for (const signal of Object.keys(SIGNAL_NUMBERS)) process.on(signal, () => child.kill(signal));
child.on('error', (error) => {
  console.error(`gantry: ${command}: ${error.message}`);
  process.exit(127);
});
child.on('exit', (code, signal) => process.exit(code ?? 128 + (SIGNAL_NUMBERS[signal] ?? 1)));
