import { describe, expect, it } from 'vitest';
import { deepEqual, lookupPath, renderValue, typeOf } from './values';

describe('typeOf', () => {
  it.each([
    ['x', 'string'], ['3', 'string'], [3, 'number'], [1.5, 'number'], [true, 'bool'], [[], 'list'], [{}, 'object'], [null, 'null'],
    ['${var.x}', 'expression'], ['${1 + 2}', 'expression'], ['${a}-${b}', 'expression'], ['prefix-${var.x}', 'string'], ['$${x}', 'string'],
  ])('%j is a %s', (value, type) => expect(typeOf(value)).toBe(type));
});

describe('deepEqual', () => {
  it('compares structure, not key order; lists in order', () => {
    expect(deepEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(deepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(deepEqual(3, '3')).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
    expect(deepEqual([], {})).toBe(false);
  });
});

describe('lookupPath', () => {
  const vars = new Map<string, unknown>([
    ['engine_version', '15'],
    ['db', { engine: { version: '15.4' }, 'a.b': { c: 1 } }],
    ['zones', ['a', { name: 'b' }]],
    ['dotted.name', 7],
  ]);
  it.each([
    ['engine_version', '15'],
    ['db.engine.version', '15.4'],
    ['db.engine', { version: '15.4' }],
    ['db.a.b.c', 1],
    ['zones.0', 'a'],
    ['zones.1.name', 'b'],
    ['dotted.name', 7],
  ])('finds %s', (dotPath, value) => expect(lookupPath(vars, dotPath)).toEqual({ found: true, value }));

  it.each(['nope', 'db.nope', 'zones.2', 'zones.x', 'engine_version.x', 'db.engine.version.more'])('does not find %s', (dotPath) => {
    expect(lookupPath(vars, dotPath)).toEqual({ found: false });
  });
});

describe('renderValue', () => {
  it('renders compact JSON, cut to a length', () => {
    expect(renderValue({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
    expect(renderValue('x'.repeat(200), 10)).toBe('"xxxxxxxx…');
    expect(renderValue(undefined)).toBe('null');
  });
});
