// licenses.txt for a bundle, from what webpack actually put in it. ncc's own `--license` only
// covers the last chunk it emits, so a bundle with a lazily loaded chunk (smoke-test's pg,
// terraform's Octokit) lost the licenses of everything else. This reads ncc's `--stats-out`:
// every bundled module's path names its package; our own sources that read a package's file
// at run time (`node_modules/<pkg>/x.wasm`, copied into dist/ as an asset) count as well.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const PACKAGE_IN_PATH = /node_modules\/((?:@[^/]+\/)?[^/!|'"`\s]+)/g;
const LICENSE_FILE = /^(licen[cs]e|copying)(\.(md|txt|markdown))?$/i;

function packagesIn(text, into) {
  for (const match of text.matchAll(PACKAGE_IN_PATH)) into.add(match[1]);
}

/** Module names are paths relative to the repo (`./node_modules/pg/lib/index.js`, `./lib/x.ts + 3 modules`). */
function walk(modules, root, into) {
  for (const mod of modules ?? []) {
    const name = mod.name ?? '';
    if (name.includes('node_modules/')) packagesIn(name, into);
    else if (/^\.\/.+\.(ts|js|mjs|cjs)$/.test(name) && existsSync(path.join(root, name)))
      packagesIn(readFileSync(path.join(root, name), 'utf8'), into);
    walk(mod.modules, root, into);
  }
}

function licenseText(dir) {
  const file = readdirSync(dir).find((f) => LICENSE_FILE.test(f));
  return file ? readFileSync(path.join(dir, file), 'utf8').trim() : undefined;
}

/** The licenses file: `name`, SPDX id, the license text, for every package (sorted), as ncc wrote it. */
export function licensesFor(statsFile, root) {
  const stats = JSON.parse(readFileSync(statsFile, 'utf8'));
  const names = new Set();
  walk(stats.modules, root, names);
  names.delete('@vercel/ncc'); // its loaders appear in module paths; none of its code is bundled
  const entries = [];
  for (const name of [...names].sort()) {
    const dir = path.join(root, 'node_modules', name);
    if (!existsSync(path.join(dir, 'package.json'))) continue;
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? 'UNKNOWN');
    entries.push(`${name}\n${license}\n${licenseText(dir) ?? `(no license file in the package; package.json says ${license})`}\n`);
  }
  return entries.join('\n');
}
