import { describe, expect, it } from 'vitest';
import { deepEqual, isObject, lookupPath, renderValue, typeOf, Unevaluated } from './values';

describe('typeOf', () => {
  it.each([
    ['x', 'string'],
    ['3', 'string'],
    [3, 'number'],
    [1.5, 'number'],
    [true, 'bool'],
    [[], 'list'],
    [{}, 'object'],
    [null, 'null'],
    // Strings are literal (a .tfvars.json "${x}" is text, as Terraform reads it); only an Unevaluated is an expression.
    ['${var.x}', 'string'],
    ['${a}-${b}', 'string'],
    ['$${x}', 'string'],
    [new Unevaluated('${var.x}'), 'expression'],
    [new Unevaluated('a-${var.x}', 'string'), 'string'],
    [new Unevaluated('${a + b}', 'number'), 'number'],
    [new Unevaluated('${{ (k) = 1 }}', 'object'), 'object'],
  ])('%j is a %s', (value, type) => expect(typeOf(value)).toBe(type));
});

describe('Unevaluated', () => {
  it('renders as its Terraform JSON text, is no object to look into, and equals only the same text', () => {
    const value = new Unevaluated('${var.x}');
    expect(renderValue({ a: value })).toBe('{"a":"${var.x}"}');
    expect(isObject(new Unevaluated('${{ (k) = 1 }}', 'object'))).toBe(false);
    expect(deepEqual(value, new Unevaluated('${var.x}'))).toBe(true);
    expect(deepEqual(value, new Unevaluated('${var.y}'))).toBe(false);
    expect(deepEqual(value, '${var.x}')).toBe(false);
    expect(lookupPath(new Map([['o', new Unevaluated('${{ (k) = 1 }}', 'object')]]), 'o.k')).toEqual({ found: false });
  });
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
