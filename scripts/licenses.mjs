// licenses.txt for a bundle, from what webpack actually put in it. ncc's own `--license` only
// covers the last chunk it emits, so a bundle with a lazily loaded chunk (smoke-test's pg,
// terraform's Octokit) lost the licenses of everything else. This reads ncc's `--stats-out`:
// every bundled module's path names its package; the packages whose files the build copies
// beside the bundle (scripts/build.mjs ASSETS, e.g. parity-check's WASM) are passed in.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const PACKAGE_IN_PATH = /node_modules\/((?:@[^/]+\/)?[^/!|'"`\s]+)/g;
const LICENSE_FILE = /^(licen[cs]e|copying)(\.(md|txt|markdown))?$/i;

function packagesIn(text, into) {
  for (const match of text.matchAll(PACKAGE_IN_PATH)) into.add(match[1]);
}

/** Module names are paths relative to the repo (`./node_modules/pg/lib/index.js`, `./lib/x.ts + 3 modules`). */
function walk(modules, into) {
  for (const mod of modules ?? []) {
    const name = mod.name ?? '';
    if (name.includes('node_modules/')) packagesIn(name, into);
    walk(mod.modules, into);
  }
}

function licenseText(dir) {
  const file = readdirSync(dir).find((f) => LICENSE_FILE.test(f));
  return file ? readFileSync(path.join(dir, file), 'utf8').trim() : undefined;
}

/** The licenses file: `name`, SPDX id, the license text, for every package (sorted), as ncc wrote it. */
export function licensesFor(statsFile, root, assetPackages = []) {
  const stats = JSON.parse(readFileSync(statsFile, 'utf8'));
  const names = new Set(assetPackages);
  walk(stats.modules, names);
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
