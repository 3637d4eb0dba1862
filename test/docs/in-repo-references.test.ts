/**
 * Code and docs point at documents inside the repository: the design document is
 * docs/infra/architecture.md. A reference to a document the repository does not contain
 * (a DESIGN.md kept elsewhere) sends the next engineer nowhere.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MISSING_DOCUMENT = /\bDESIGN\.md\b/;

it('no tracked source or document cites a DESIGN.md the repository does not contain', () => {
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter(
      (f) => f && !f.includes('/dist/') && /\.(ts|mts|cts|js|mjs|cjs|md|ya?ml)$/.test(f) && f !== 'test/docs/in-repo-references.test.ts',
    );
  expect(files.length).toBeGreaterThan(50);
  const citing = files.filter((f) => {
    try {
      return MISSING_DOCUMENT.test(readFileSync(path.join(root, f), 'utf8'));
    } catch {
      return false; // listed but deleted in the working tree
    }
  });
  expect(citing).toEqual([]);
});
