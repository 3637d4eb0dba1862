/**
 * `npm run bench`: runs every `bench/*.bench.ts` (each default-exports a `Bench`) and prints
 * its figures. Exits 1 when a figure misses its budget. Speed targets live here, not in
 * timed unit tests, which flake on shared machines. `npm run bench -- smoke` runs a subset.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Bench, BenchFigure } from '../bench/types';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bench');
const filters = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

let failed = 0;
if (files.length === 0) console.log('bench: no benchmarks found (bench/*.bench.ts)');
for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(benchDir, file)).href)) as { default: Bench };
  const started = Date.now();
  let figures: BenchFigure[];
  try {
    figures = await mod.default();
  } catch (err) {
    failed += 1;
    console.log(`\n${file}: ERROR ${err instanceof Error ? err.stack : String(err)}`);
    continue;
  }
  console.log(`\n${file} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  for (const f of figures) {
    const verdict = f.ok === undefined ? '' : f.ok ? '  ok' : '  OVER BUDGET';
    if (f.ok === false) failed += 1;
    const value = Number.isInteger(f.value) ? String(f.value) : f.value.toFixed(2);
    console.log(`  ${f.name.padEnd(64)} ${value.padStart(10)} ${f.unit.padEnd(8)}${f.budget ? ` (budget ${f.budget})` : ''}${verdict}`);
  }
}
console.log(failed ? `\nbench: ${failed} figure(s) over budget or failed` : '\nbench: all figures within budget');
process.exit(failed ? 1 : 0);
