#!/usr/bin/env node
// Bundles every action (actions/*/src/index.ts), test fixture action (test/fixtures/*/src/index.ts)
// and workflow script (scripts/*/src/index.ts, e.g. scripts/pr-checks) with @vercel/ncc into <dir>/dist/index.js.
// Reproducible: no timestamps, no source maps with absolute paths; building twice gives
// identical files (checked in CI by `git diff --exit-code` after a fresh build).
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { licensesFor } from './licenses.mjs';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);

function actionDirs(parent) {
  const dir = path.join(root, parent);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'src', 'index.ts')))
    .map((d) => path.join(parent, d.name));
}

const targets = [...actionDirs('actions'), ...actionDirs('test/fixtures'), ...actionDirs('scripts')].filter(
  (t) => only.length === 0 || only.some((o) => t.endsWith(o)),
);
if (targets.length === 0) {
  console.error(`build: nothing to build${only.length ? ` matching ${only.join(', ')}` : ''}`);
  process.exit(1);
}

/**
 * Files a bundle reads at run time, by package name: copied beside its dist/index.js under the
 * file's own name (the source finds the copy there, or the package in node_modules when run from
 * source: actions/parity-check/src/hcl-parser.ts). Their packages' licenses go into licenses.txt.
 */
const ASSETS = {
  'actions/parity-check': ['web-tree-sitter/tree-sitter.wasm', '@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-hcl.wasm'],
};
const resolveFromRoot = createRequire(path.join(root, 'package.json')).resolve;

/** `@scope/name/file` or `name/file` → the package name. */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function copyAssets(target, dist) {
  for (const specifier of ASSETS[target] ?? []) copyFileSync(resolveFromRoot(specifier), path.join(dist, path.basename(specifier)));
}

const ncc = path.join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
const started = Date.now();
// Two at a time: this machine (and CI) has two cores.
const queue = [...targets];
async function worker() {
  for (let target = queue.shift(); target; target = queue.shift()) {
    const dist = path.join(root, target, 'dist');
    rmSync(dist, { recursive: true, force: true });
    const t0 = Date.now();
    const stats = path.join(os.tmpdir(), `gantry-build-${process.pid}-${target.replace(/\W/g, '_')}.json`);
    await run(
      process.execPath,
      [
        ncc,
        'build',
        path.join(target, 'src', 'index.ts'),
        '-o',
        dist,
        '--stats-out',
        stats,
        '--quiet',
        '--transpile-only',
        '--target',
        'es2022',
      ],
      {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024,
      },
    )
      .then(() => {
        copyAssets(target, dist);
        writeFileSync(path.join(dist, 'licenses.txt'), licensesFor(stats, root, (ASSETS[target] ?? []).map(packageOf)));
      })
      .catch((err) => {
        console.error(`build: ${target} failed\n${err.stderr || err.message}`);
        process.exitCode = 1;
      })
      .finally(() => rmSync(stats, { force: true }));
    console.log(`build: ${target}/dist/index.js (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  }
}
await Promise.all([worker(), worker()]);
console.log(`build: ${targets.length} bundle(s) in ${((Date.now() - started) / 1000).toFixed(1)}s`);
