import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DotenvSyntaxError, loadEnvNames, parseDotenvNames } from './dotenv';

const names = (text: string) => Object.fromEntries(parseDotenvNames(text));

describe('parseDotenvNames', () => {
  it('reads names with their lines: comments, blanks, export, empty and quoted values', () => {
    const text = [
      '# database',
      'DATABASE_URL=postgres://user:pass@db/shop',
      '',
      'export LOG_LEVEL=info',
      'EMPTY=',
      "  SPACED = 'value with = sign' # comment",
      'DOTTED.NAME-1=x',
      'URL="http://x/#not-a-comment"',
    ].join('\n');
    expect(names(text)).toEqual({ DATABASE_URL: 2, LOG_LEVEL: 4, EMPTY: 5, SPACED: 6, 'DOTTED.NAME-1': 7, URL: 8 });
  });

  it('skips the lines of a quoted multi-line value, which are not assignments', () => {
    const text = [
      'PRIVATE_KEY="-----BEGIN KEY-----',
      'NOT_A_NAME=inside',
      'with \\" escaped quote',
      '-----END KEY-----"',
      'AFTER=1',
      "SINGLE='a",
      "B=c'",
      'TICKS=`x',
      'y`',
    ].join('\n');
    expect(names(text)).toEqual({ PRIVATE_KEY: 1, AFTER: 5, SINGLE: 6, TICKS: 8 });
  });

  it('keeps the first line of a repeated name; accepts CRLF and a BOM', () => {
    expect(names('\uFEFFA=1\r\nB=2\r\nA=3\r\n')).toEqual({ A: 1, B: 2 });
  });

  it('rejects a line that is not an assignment without quoting it (it may hold a secret)', () => {
    const error = (() => {
      try {
        parseDotenvNames('A=1\nsuper-secret-token\n');
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(DotenvSyntaxError);
    expect((error as DotenvSyntaxError).line).toBe(2);
    expect((error as Error).message).not.toContain('super-secret-token');
  });

  it('rejects a quoted value that is never closed, naming the variable, not the value', () => {
    expect(() => parseDotenvNames('A=1\nKEY="s3cret\nB=2\n')).toThrow(/line 2: the "-quoted value of KEY is never closed/);
    expect(() => parseDotenvNames('KEY="s3cret\n')).not.toThrow(/s3cret/);
  });
});

describe('loadEnvNames', () => {
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'parity-env-'));
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it('returns names and the workspace-relative file; errors name the input, file and line', async () => {
    writeFileSync(path.join(workspace, 'staging.env'), 'A=1\nB=2\n');
    expect(await loadEnvNames('base-env-file', path.join(workspace, 'staging.env'), workspace)).toEqual({
      names: new Map([
        ['A', 1],
        ['B', 2],
      ]),
      file: 'staging.env',
    });
    writeFileSync(path.join(workspace, 'bad.env'), 'A=1\n\nnot an assignment\n');
    await expect(loadEnvNames('target-env-file', path.join(workspace, 'bad.env'), workspace)).rejects.toThrow(
      /^Input 'target-env-file': bad\.env:3: expected NAME=value/,
    );
  });
});
