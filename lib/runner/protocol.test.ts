/** lib/runner/protocol.ts must write exactly what `@actions/core` writes. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseCommandFile } from '../../test/support/harness';
import { coreLogger, setOutputs, writeSummary } from './github';

function captureStdout(fn: () => void): string {
  let text = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return text;
}

const tricky = 'line 1\nline 2 100% done, a:b\r\n';

describe('runner protocol', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('annotations, masks and debug lines equal @actions/core', () => {
    const ours = captureStdout(() => {
      coreLogger.warning(tricky, { file: 'a,b:c.tf', line: 3, title: 'T' });
      coreLogger.error(tricky);
      coreLogger.secret('s3cr%t');
      coreLogger.debug(tricky);
    });
    const theirs = captureStdout(() => {
      core.warning(tricky, { file: 'a,b:c.tf', startLine: 3, title: 'T' });
      core.error(tricky);
      core.setSecret('s3cr%t');
      core.debug(tricky);
    });
    expect(ours).toBe(theirs);
  });

  it('outputs and the summary land in the environment files as @actions/core writes them', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gantry-protocol-'));
    const files = (who: string) => ({ out: path.join(dir, `${who}-output`), summary: path.join(dir, `${who}-summary`) });
    for (const who of ['ours', 'theirs']) {
      const f = files(who);
      writeFileSync(f.out, '');
      writeFileSync(f.summary, '');
      process.env.GITHUB_OUTPUT = f.out;
      process.env.GITHUB_STEP_SUMMARY = f.summary;
      if (who === 'ours') {
        setOutputs({ single: 'x', multi: tricky, count: 3, skipped: undefined });
        await writeSummary('| a | b |');
      } else {
        core.setOutput('single', 'x');
        core.setOutput('multi', tricky);
        core.setOutput('count', 3);
        await core.summary.addRaw('| a | b |', true).write();
      }
    }
    const read = (file: string) => readFileSync(file, 'utf8');
    expect(parseCommandFile(read(files('ours').out))).toEqual(parseCommandFile(read(files('theirs').out)));
    const ours = parseCommandFile(read(files('ours').out));
    expect(ours).toMatchObject({ single: 'x', count: '3' });
    expect(ours.multi).toMatch(/^line 1\nline 2 100% done, a:b/);
    expect(read(files('ours').summary)).toBe(read(files('theirs').summary));
    rmSync(dir, { recursive: true, force: true });
  });
});
