import { describe, expect, it } from 'vitest';
import { DocumentError, parseJsonDocument } from './documents';
import { parseYamlDocument } from './yaml-documents';

function problemOf(parse: () => unknown): { kind: string; problem: string; line?: number } {
  try {
    parse();
  } catch (err) {
    if (err instanceof DocumentError) return { kind: err.kind, problem: err.problem, line: err.line };
    throw err;
  }
  throw new Error('no error');
}

describe('parseJsonDocument', () => {
  it("gives JSON.parse's value and the line of each top-level key", () => {
    const parsed = parseJsonDocument('{\n  "family": "web",\n  "cpu": "256",\n  "nested": { "family": 1 }\n}');
    expect(parsed.value).toEqual({ family: 'web', cpu: '256', nested: { family: 1 } });
    expect([...parsed.keyLines]).toEqual([
      ['family', 2],
      ['cpu', 3],
      ['nested', 4],
    ]);
  });

  it.each([
    [
      'a duplicate top-level key',
      '{\n "family": "a",\n "cpu": "1",\n "family": "b"\n}',
      {
        kind: 'duplicate-key',
        line: 4,
        problem: 'duplicate key "family" (lines 2 and 4): JSON keeps only the last, so one would be dropped silently',
      },
    ],
    [
      'a duplicate nested key',
      '{"containerDefinitions": [{"name": "a",\n"image": "x",\n"name": "b"}]}',
      {
        kind: 'duplicate-key',
        line: 3,
        problem:
          'duplicate key "name" in containerDefinitions[0] (lines 1 and 3): JSON keeps only the last, so one would be dropped silently',
      },
    ],
    [
      '100,000 levels of arrays',
      `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      { kind: 'depth', line: 1, problem: 'nested more than 64 levels deep' },
    ],
    ['deep objects', `${'{"a":'.repeat(70)}1${'}'.repeat(70)}`, { kind: 'depth', line: 1, problem: 'nested more than 64 levels deep' }],
    [
      'an escaped NUL in a value',
      '{"environment": [{"name": "A", "value": "x\\u0000y"}]}',
      { kind: 'nul', line: 1, problem: 'a NUL character in the string at environment[0].value' },
    ],
    [
      'a raw NUL in a string',
      '{"a": "x\u0000"}',
      { kind: 'nul', line: 1, problem: 'invalid JSON: a NUL character inside a string (escape it)' },
    ],
    ['an escaped NUL in a key', '{"a\\u0000": 1}', { kind: 'nul', line: 1, problem: 'a NUL character in a key of the top level' }],
    ['a trailing comma', '{\n"a": 1,\n}', { kind: 'syntax', line: 3, problem: "invalid JSON: unexpected '}'" }],
    ['a truncated file', '{"a": ', { kind: 'syntax', line: 1, problem: 'invalid JSON: unexpected end of input' }],
    [
      'a line break in a string',
      '{"a": "x\ny"}',
      { kind: 'syntax', line: 1, problem: 'invalid JSON: a line break inside a string (escape it)' },
    ],
  ])('refuses %s, with its line', (_label, text, expected) => {
    expect(problemOf(() => parseJsonDocument(text))).toEqual(expected);
  });

  it('refuses a document over the size limit, by its size only', () => {
    expect(problemOf(() => parseJsonDocument(`"${'x'.repeat(2046)}"`, { maxBytes: 1024 }))).toEqual({
      kind: 'size',
      problem: 'is 2 KiB, more than the 1 KiB allowed',
      line: undefined,
    });
  });

  it('finds a duplicate written with an escape, and keeps equal keys of different objects apart', () => {
    expect(problemOf(() => parseJsonDocument('{"a": 1,\n"\\u0061": 2}'))).toEqual({
      kind: 'duplicate-key',
      line: 2,
      problem: 'duplicate key "a" (lines 1 and 2): JSON keeps only the last, so one would be dropped silently',
    });
    expect(parseJsonDocument('[{"name": "a"}, {"name": "b"}, {"x": {"name": 1}, "name": 2}]').value).toHaveLength(3);
    expect([...parseJsonDocument('{"a": {"b": 1, "c": [1, {"d": 2}]},\n "e": "x,y:z"}').keyLines]).toEqual([
      ['a', 1],
      ['e', 2],
    ]);
  });

  it('takes brackets inside strings as text', () => {
    expect(parseJsonDocument(`{"a": "${'['.repeat(200)}\\"{"}`).value).toEqual({ a: `${'['.repeat(200)}"{` });
  });
});

describe('parseYamlDocument', () => {
  it('gives the value, aliases expanded', () => {
    expect(parseYamlDocument('a: &x [1]\nb: *x\n').value).toEqual({ a: [1], b: [1] });
  });

  it.each([
    [
      'a duplicate key, with both lines',
      'checks:\n  - name: a\n    url: /\n    name: b\n',
      { kind: 'duplicate-key', line: 4, problem: 'duplicate key "name" in checks[0] (lines 2 and 4): only one of them would count' },
    ],
    [
      'a duplicate key in flow style',
      '{"a": 1, "a": 2}',
      { kind: 'duplicate-key', line: 1, problem: 'duplicate key "a" (lines 1 and 1): only one of them would count' },
    ],
    [
      'deep flow nesting',
      `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      { kind: 'depth', line: 1, problem: 'nested more than 64 levels deep' },
    ],
    [
      'deep block nesting',
      Array.from({ length: 80 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' 1',
      { kind: 'depth', line: 65, problem: 'nested more than 64 levels deep' },
    ],
    ['a NUL escape', 'name: "a\\0b"\n', { kind: 'nul', line: 1, problem: 'a NUL character in the string at name' }],
    [
      'bad syntax',
      'a: [1, 2\n',
      { kind: 'syntax', line: 2, problem: 'Flow sequence in block collection must be sufficiently indented and end with a ]' },
    ],
  ])('refuses %s', (_label, text, expected) => {
    expect(problemOf(() => parseYamlDocument(text))).toEqual(expected);
  });

  it('stops alias expansion past the limit (billion laughs)', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i += 1)
      lines.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(', ')}]`,
      );
    expect(problemOf(() => parseYamlDocument(lines.join('\n'))).kind).toBe('syntax');
  });
});
