/**
 * End-to-end: `npm run demo` tells the whole story with the real bundles and exits 0,
 * and leaves no process behind.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/harness';

const exec = promisify(execFile);

describe('npm run demo', () => {
  it('runs parity, terraform, three releases, a caught broken release and its rollback', async () => {
    const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
    const { stdout } = await exec(tsx, ['scripts/demo.ts'], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      timeout: 170_000,
      maxBuffer: 32 * 1024 * 1024,
    }).catch((err: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`demo failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
    });
    expect(stdout).toContain('Demo complete');
    expect(stdout).toMatch(/parity-check: production turns on '.+' before staging/);
    expect(stdout).toMatch(/smoke-test 1\.2\.0[\s\S]*failed \(exit 1\) — as expected/);
    expect(stdout).toMatch(/rollback to the last good release[\s\S]*passed/);
    expect(stdout).toMatch(/shop:\d+ ← live\s+1\.1\.0/);
    expect(stdout).toMatch(/1\.2\.0\s+3333333\s+rolled-back/);
  }, 180_000);
});
