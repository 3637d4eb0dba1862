/** reportOutcome, the common tail of every action's main(): what reaches GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, and what is thrown. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCommandFile } from '../../test/support/harness';
import { ActionFailure } from './errors';
import { reportOutcome } from './github';

describe('reportOutcome', () => {
  const saved = { ...process.env };
  let dir: string;
  const outputs = () => parseCommandFile(readFileSync(path.join(dir, 'output'), 'utf8'));
  const summary = () => readFileSync(path.join(dir, 'summary'), 'utf8');
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gantry-report-'));
    for (const file of ['output', 'summary']) writeFileSync(path.join(dir, file), '');
    process.env.GITHUB_OUTPUT = path.join(dir, 'output');
    process.env.GITHUB_STEP_SUMMARY = path.join(dir, 'summary');
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the outputs (undefined ones left out) and the summary of the result, and returns the result', async () => {
    const result = await reportOutcome(async () => ({ n: 3 }), {
      report: (r) => ({ outputs: { count: r.n, ok: true, none: undefined }, summary: `### ${r.n} done\n` }),
    });
    expect(result).toEqual({ n: 3 });
    expect(outputs()).toEqual({ count: '3', ok: 'true' });
    expect(summary()).toBe('### 3 done\n\n'); // appendSummary ends each block with a line break
  });

  it("throws the report's failure after its outputs and summary are written", async () => {
    const failure = new ActionFailure('GANTRY-RUNNER-999', '2 checks failed');
    await expect(reportOutcome(async () => 2, { report: (n) => ({ outputs: { failed: n }, summary: 'table\n', failure }) })).rejects.toBe(
      failure,
    );
    expect(outputs()).toEqual({ failed: '2' });
    expect(summary()).toBe('table\n\n');
  });

  it('when the work throws: writes what reportError owes, then throws the error (or the failure it gives instead)', async () => {
    const boom = new Error('AccessDenied');
    await expect(
      reportOutcome(
        async () => {
          throw boom;
        },
        { report: () => ({ outputs: { status: 'deployed' } }), reportError: (err) => ({ summary: `failed: ${String(err)}\n` }) },
      ),
    ).rejects.toBe(boom);
    expect(outputs()).toEqual({});
    expect(summary()).toBe('failed: Error: AccessDenied\n\n');

    const redacted = new ActionFailure('GANTRY-RUNNER-999', 'redacted');
    await expect(
      reportOutcome(
        async () => {
          throw boom;
        },
        { report: () => ({}), reportError: () => ({ outputs: { status: 'failed' }, failure: redacted }) },
      ),
    ).rejects.toBe(redacted);
    expect(outputs()).toEqual({ status: 'failed' });
  });

  it('without reportError an error of the work writes nothing; an error of report itself is not reported again', async () => {
    const boom = new Error('boom');
    await expect(
      reportOutcome(
        async () => {
          throw boom;
        },
        { report: () => ({ summary: 'never\n' }) },
      ),
    ).rejects.toBe(boom);
    let reportedError = false;
    await expect(
      reportOutcome(async () => 1, {
        report: () => {
          throw new Error('render failed');
        },
        reportError: () => {
          reportedError = true;
          return { summary: 'error\n' };
        },
      }),
    ).rejects.toThrow('render failed');
    expect(reportedError).toBe(false);
    expect(summary()).toBe('');
  });
});
