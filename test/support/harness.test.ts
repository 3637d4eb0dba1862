import { describe, expect, it } from 'vitest';
import { node24Binary, parseCommandFile, runAction } from './harness';

const fixture = { actionDir: 'test/fixtures/echo-action' };

describe('parseCommandFile', () => {
  it('reads single-line and heredoc values', () => {
    const text = 'a=1\nb<<ghadelimiter_x\nline 1\nline 2\nghadelimiter_x\nc=x=y\n';
    expect(parseCommandFile(text)).toEqual({ a: '1', b: 'line 1\nline 2', c: 'x=y' });
  });
  it('rejects an unterminated heredoc', () => {
    expect(() => parseCommandFile('b<<EOF\nvalue\n')).toThrow(/unterminated b<<EOF/);
  });
});

describe.each([
  ['local node', async () => process.execPath],
  ['node 24', node24Binary],
])('runner harness under %s', (_label, binary) => {
  it('round-trips outputs, multi-line outputs, env, summary and annotations through the real files', async () => {
    const node = await binary();
    const result = await runAction('echo', { message: 'hello world', lines: 4, 'with space': 'spaced' }, { ...fixture, node });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.outputs.message).toBe('hello world');
    expect(result.outputs.multiline).toBe('line 1\nline 2\nline 3\nline 4');
    expect(result.outputs['with-space']).toBe('spaced');
    expect(result.outputs['node-version']).toMatch(node === process.execPath ? process.version : /^v24\./);
    expect(result.env.ECHO_DONE).toBe('yes');
    expect(result.summary).toContain('| message | hello world |');
    expect(result.annotations).toContainEqual({
      level: 'warning',
      message: 'a warning about hello world',
      properties: { file: 'README.md', line: '3' },
    });
  });

  it('fails with exit code 1 and an error annotation naming the input, without a stack trace', async () => {
    const node = await binary();
    const result = await runAction('echo', { message: 'x', fail: 'true' }, { ...fixture, node });
    expect(result.exitCode).toBe(1);
    expect(result.annotations).toEqual([
      {
        level: 'error',
        message: "GANTRY-RUNNER-999: Input 'fail' has value 'true': expected false, because you asked this fixture to fail.",
        properties: {},
      },
    ]);
    expect(result.stdout).not.toMatch(/at .*\.js:\d+/);
    expect(result.outputs).toEqual({});
  });

  it('reports a missing required input and a bad integer', async () => {
    const node = await binary();
    const missing = await runAction('echo', {}, { ...fixture, node });
    expect(missing.exitCode).toBe(1);
    expect(missing.annotations[0].message).toBe("GANTRY-INPUT-001: Input 'message' is missing: expected a non-empty value.");
    const bad = await runAction('echo', { message: 'x', lines: 'many' }, { ...fixture, node });
    expect(bad.exitCode).toBe(1);
    expect(bad.annotations[0].message).toBe("GANTRY-INPUT-003: Input 'lines' has value 'many': expected an integer from 1 to 100.");
  });
});
