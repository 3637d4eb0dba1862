import { describe, expect, it } from 'vitest';
import { LinearRegex, RegexError, unsupportedFeature } from './linear-regex';

describe('LinearRegex: JavaScript pattern syntax on a linear-time engine', () => {
  it.each([
    ['max-age=\\d+', '', 'max-age=60', true],
    ['^ok$', '', 'OK', false],
    ['^ok$', 'i', 'OK', true],
    ['^b$', '', 'a\nb', false],
    ['^b$', 'm', 'a\nb', true],
    ['a.b', '', 'a\nb', false],
    ['a.b', 's', 'a\nb', true],
    ['(?<word>\\w+)-\\d{2,}', 'u', 'sha-42', true],
    ['\\u0041\\x42', '', 'AB', true],
    ['[(?=]x', '', '=x', true],
    ['\\\\1', '', 'a\\1', true],
    ['\\(?=a', '', '=a', true],
    ['^(a+)+$', 'gy', 'aaa', true],
  ])('/%s/%s against %j is %s', (source, flags, value, expected) => {
    expect(LinearRegex.compile(source, flags).test(value)).toBe(expected);
  });

  it('prints as /source/flags', () => {
    expect(String(LinearRegex.compile('a|b', 'i'))).toBe('/a|b/i');
  });

  it('returns at once where backtracking would not: 2^33 splits of 33 a’s', () => {
    expect(LinearRegex.compile('^(a+)+$').test(`${'a'.repeat(33)}!`)).toBe(false);
    expect(LinearRegex.compile('(a|aa)*b').test('a'.repeat(10_000))).toBe(false);
  });

  it.each([
    ['(a)\\1', 'a backreference (\\1)'],
    ['(?<x>a)\\k<x>', 'a named backreference (\\k<…>)'],
    ['a(?=b)', 'a lookahead (?=…)'],
    ['a(?!b)', 'a negative lookahead (?!…)'],
    ['(?<=a)b', 'a lookbehind (?<=…)'],
    ['(?<!a)b', 'a negative lookbehind (?<!…)'],
  ])('refuses %s: it uses %s', (source, feature) => {
    expect(unsupportedFeature(source)).toBe(feature);
    expect(() => LinearRegex.compile(source)).toThrow(
      new RegexError(source, '', `uses ${feature}, which the linear-time engine (RE2) does not support; rewrite the pattern without it`),
    );
  });

  it('reports a syntax error with the fragment at fault kept apart from the reason', () => {
    let error: unknown;
    try {
      LinearRegex.compile('x{2,1}');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RegexError);
    expect(error).toMatchObject({
      reason: 'invalid repeat count',
      fragment: '{2,1}',
      message: 'invalid regular expression /x{2,1}/: invalid repeat count at `{2,1}`',
    });
  });
});
