import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from './errors';
import { InputReader, inputEnvName, resolveWorkspaceOutputPath } from './inputs';

function reader(inputs: Record<string, string>, extra: Record<string, string> = {}): InputReader {
  const env: Record<string, string> = { ...extra };
  for (const [k, v] of Object.entries(inputs)) env[inputEnvName(k)] = v;
  return new InputReader(env);
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('expected an InputError');
}

const cleanup: string[] = [];
afterAll(() => cleanup.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('inputEnvName', () => {
  it('follows the runner: upper case, spaces to _, hyphens kept', () => {
    expect(inputEnvName('poll-interval-seconds')).toBe('INPUT_POLL-INTERVAL-SECONDS');
    expect(inputEnvName('with space')).toBe('INPUT_WITH_SPACE');
  });
});

describe('InputReader', () => {
  it('reads required and optional strings, trimmed', () => {
    const r = reader({ cluster: '  prod  ', empty: '   ' });
    expect(r.required('cluster')).toBe('prod');
    expect(r.optional('empty')).toBeUndefined();
    expect(messageOf(() => r.required('service'))).toBe("Input 'service' is missing: expected a non-empty value.");
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
  ])('boolean %s', (value, expected) => {
    expect(reader({ wait: value }).boolean('wait', !expected)).toBe(expected);
  });

  it.each(['yes', '1', 'on', 'tru'])('boolean rejects %s', (value) => {
    expect(messageOf(() => reader({ wait: value }).boolean('wait', true))).toBe(
      `Input 'wait' has value '${value}': expected 'true' or 'false'.`,
    );
  });

  it('boolean default applies only when absent', () => {
    expect(reader({}).boolean('wait', true)).toBe(true);
  });

  it('integers with ranges', () => {
    expect(reader({ n: '42' }).integer('n', { min: 1, max: 100 })).toBe(42);
    expect(reader({}).integer('n', { default: 7 })).toBe(7);
    expect(messageOf(() => reader({ n: '0' }).integer('n', { min: 1 }))).toBe(
      "Input 'n' has value '0': expected an integer of at least 1.",
    );
    expect(messageOf(() => reader({ n: '101' }).integer('n', { max: 100 }))).toBe(
      "Input 'n' has value '101': expected an integer of at most 100.",
    );
    expect(messageOf(() => reader({ n: '1.5' }).integer('n', { min: 1, max: 9 }))).toBe(
      "Input 'n' has value '1.5': expected an integer from 1 to 9.",
    );
    expect(messageOf(() => reader({ n: 'ten' }).integer('n'))).toBe("Input 'n' has value 'ten': expected an integer.");
    expect(messageOf(() => reader({}).integer('n'))).toBe("Input 'n' is missing: expected an integer.");
  });

  it('seconds accept s, m and h suffixes', () => {
    expect(reader({ t: '90' }).seconds('t')).toBe(90);
    expect(reader({ t: '90s' }).seconds('t')).toBe(90);
    expect(reader({ t: '15m' }).seconds('t')).toBe(900);
    expect(reader({ t: '1h' }).seconds('t')).toBe(3600);
    expect(reader({}).seconds('t', { default: 900 })).toBe(900);
    expect(messageOf(() => reader({ t: '-5' }).seconds('t', { min: 1 }))).toBe(
      "Input 't' has value '-5': expected a number of seconds (e.g. 90, 90s, 15m) of at least 1.",
    );
    expect(messageOf(() => reader({ t: '0' }).seconds('t', { min: 1 }))).toMatch(/of at least 1\.$/);
    expect(messageOf(() => reader({ t: 'soon' }).seconds('t'))).toBe(
      "Input 't' has value 'soon': expected a number of seconds (e.g. 90, 90s, 15m).",
    );
  });

  it('lists skip blanks and comments', () => {
    expect(reader({ files: 'a.tfvars\n\n  # comment\n b.tfvars \r\n' }).list('files')).toEqual(['a.tfvars', 'b.tfvars']);
    expect(reader({}).list('files')).toEqual([]);
  });

  it('key/value lists keep = in values and reject bad lines and duplicates', () => {
    const kv = reader({ env: 'A=1\nB = x=y\nC=' }).keyValues('env');
    expect([...kv]).toEqual([
      ['A', '1'],
      ['B', 'x=y'],
      ['C', ''],
    ]);
    expect(messageOf(() => reader({ env: 'A=1\nnot a pair' }).keyValues('env'))).toMatch(
      /^Input 'env' has value 'line 2 \(10 characters, not shown: it may hold a secret\)': expected lines of the form KEY=VALUE/,
    );
    expect(messageOf(() => reader({ env: '=1' }).keyValues('env'))).toMatch(
      /^Input 'env' has value 'line 1 \(2 characters, not shown: it may hold a secret\)'/,
    );
    // A pasted credential (no separator) shows no character of itself; nor does a bad key's value.
    expect(messageOf(() => reader({ env: 'A=1\nghp_0123456789abcdefSECRET' }).keyValues('env'))).toBe(
      "Input 'env' has value 'line 2 (26 characters, not shown: it may hold a secret)': expected lines of the form KEY=VALUE with KEY matching /^[A-Za-z_][A-Za-z0-9_.-]*$/.",
    );
    expect(messageOf(() => reader({ env: '9LIVES=hunter2' }).keyValues('env', /^[A-Z]+$/))).not.toMatch(/hunter/);
    // A value is never echoed: these lists carry credentials.
    expect(messageOf(() => reader({ env: 'DATABASE_URL: postgres://u:hunter2@db/x' }).keyValues('env'))).toMatch(
      /^Input 'env' has value 'line 1: DATABASE_URL…'/,
    );
    expect(messageOf(() => reader({ env: 'TOKEN=hunter2\nTOKEN=hunter3' }).keyValues('env'))).not.toMatch(/hunter/);
    expect(messageOf(() => reader({ env: 'A=1\nA=2' }).keyValues('env'))).toBe(
      "Input 'env' has value 'line 2: A=…': expected each key at most once ('A' is repeated).",
    );
  });

  it('choices', () => {
    expect(reader({ command: 'plan' }).choice('command', ['plan', 'apply'] as const)).toBe('plan');
    expect(reader({}).choice('command', ['plan', 'apply'] as const, 'apply')).toBe('apply');
    expect(messageOf(() => reader({ command: 'destroy' }).choice('command', ['plan', 'apply'] as const))).toBe(
      "Input 'command' has value 'destroy': expected one of 'plan', 'apply'.",
    );
  });

  it('files must exist inside the workspace', () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'gantry-inputs-'));
    cleanup.push(ws);
    mkdirSync(path.join(ws, 'dir'));
    writeFileSync(path.join(ws, 'td.json'), '{}');
    const r = reader({ ok: 'td.json', missing: 'nope.json', outside: '../etc/passwd', dir: 'dir' }, { GITHUB_WORKSPACE: ws });
    expect(r.file('ok')).toBe(path.join(ws, 'td.json'));
    expect(r.file('absent')).toBeUndefined();
    expect(messageOf(() => r.file('absent', { required: true }))).toBe(
      "Input 'absent' is missing: expected a path to a file in the workspace.",
    );
    expect(messageOf(() => r.file('missing'))).toBe(
      `Input 'missing' has value 'nope.json': expected an existing file (not found at ${path.join(ws, 'nope.json')}).`,
    );
    expect(messageOf(() => r.file('outside'))).toBe(
      `Input 'outside' has value '../etc/passwd': expected a path inside the workspace ${ws}.`,
    );
    expect(messageOf(() => r.file('dir'))).toMatch(/expected a file, but .* is not one\.$/);
  });

  it('a name starting with two dots is inside; a link leading out of the workspace is not', () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'gantry-inputs-'));
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'gantry-elsewhere-'));
    cleanup.push(ws, elsewhere);
    mkdirSync(path.join(ws, '..config'));
    writeFileSync(path.join(ws, '..config', 'a.tfvars'), 'a = 1\n');
    writeFileSync(path.join(elsewhere, 'secret.json'), '{}');
    symlinkSync(path.join(elsewhere, 'secret.json'), path.join(ws, 'link.json'));
    const r = reader({ dots: '..config/a.tfvars', link: 'link.json', up: '..' }, { GITHUB_WORKSPACE: ws });
    expect(r.file('dots')).toBe(path.join(ws, '..config', 'a.tfvars'));
    expect(messageOf(() => r.file('link'))).toMatch(
      /^Input 'link' has value 'link\.json': expected a path inside the workspace .* \(it is a link to .*secret\.json\)\.$/,
    );
    expect(messageOf(() => r.file('up'))).toMatch(/expected a path inside the workspace/);
  });

  it('refuses a NUL character in any input without showing the value', () => {
    expect(messageOf(() => reader({ name: 'web\0s3cret' }).optional('name'))).toBe(
      "Input 'name' has a NUL character at position 4 (the value is not shown): expected text without NUL characters.",
    );
    expect(messageOf(() => reader({ env: 'A=1\nB=x\0y' }).keyValues('env'))).toBe(
      "Input 'env' has a NUL character at position 8 (the value is not shown): expected text without NUL characters.",
    );
  });

  it('an output path lies inside the workspace, judged by the nearest existing directory', () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'gantry-inputs-'));
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'gantry-elsewhere-'));
    cleanup.push(ws, elsewhere);
    symlinkSync(elsewhere, path.join(ws, 'out'));
    symlinkSync(path.join(elsewhere, 'plan'), path.join(ws, 'dangling'));
    expect(resolveWorkspaceOutputPath('plan-file', 'plans/new/tfplan', ws)).toBe(path.join(ws, 'plans', 'new', 'tfplan'));
    expect(messageOf(() => resolveWorkspaceOutputPath('plan-file', '../x', ws))).toBe(
      `Input 'plan-file' has value '../x': expected a path inside the workspace ${ws}.`,
    );
    expect(messageOf(() => resolveWorkspaceOutputPath('plan-file', 'out/a/tfplan', ws))).toMatch(
      /expected a path inside the workspace .* \(its directory .*out is a link to .*gantry-elsewhere-/,
    );
    expect(messageOf(() => resolveWorkspaceOutputPath('plan-file', 'dangling', ws))).toMatch(
      /expected a path inside the workspace .* \(it is a link to .*gantry-elsewhere-.*plan\)/,
    );
  });

  it('truncates very long values in messages', () => {
    const long = 'x'.repeat(500);
    expect(messageOf(() => reader({ wait: long }).boolean('wait', true))).toContain(`'${'x'.repeat(200)}…'`);
  });
});
