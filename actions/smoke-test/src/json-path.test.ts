import { describe, expect, it } from 'vitest';
import { formatJsonPath, jsonEqual, lookupJsonPath, parseJsonPath } from './json-path';
import { bodyExcerpt, parseStatusRule, parseTextMatcher, matchesStatus, matchesText, versionMatches } from './matchers';

describe('parseJsonPath', () => {
  it.each([
    ['$', []],
    [
      '$.a.b[0].c',
      [
        { kind: 'key', key: 'a' },
        { kind: 'key', key: 'b' },
        { kind: 'index', index: 0 },
        { kind: 'key', key: 'c' },
      ],
    ],
    [
      "$['odd key'].x-y",
      [
        { kind: 'key', key: 'odd key' },
        { kind: 'key', key: 'x-y' },
      ],
    ],
    [
      '$["it\\"s"][12]',
      [
        { kind: 'key', key: 'it"s' },
        { kind: 'index', index: 12 },
      ],
    ],
  ])('parses %s', (path, segments) => {
    expect(parseJsonPath(path)).toEqual(segments);
  });

  it.each([
    ['a.b', "position 1: a path starts with '$'"],
    ['$.a..b', "recursive descent '..' is not supported"],
    ['$.a.*', "wildcards '*' are not supported"],
    ['$.a[*]', "wildcards '*' are not supported"],
    ['$.a[-1]', "'-1' is not an array index"],
    ['$.a[01]', "'01' is not an array index"],
    ['$.a[0', "unterminated '['"],
    ["$['a", 'unterminated quoted key'],
    ['$.', "expected a key name after '.'"],
    ['$.1a', "expected a key name after '.'"],
    ['$a', "unexpected 'a'"],
    ["$['a'x]", "expected ']' after the quoted key"],
  ])('rejects %s', (path, problem) => {
    expect(() => parseJsonPath(path)).toThrow(problem);
  });

  it('formats back to a canonical path', () => {
    expect(formatJsonPath(parseJsonPath("$['a'].b[2]['c d']"))).toBe('$.a.b[2]["c d"]');
  });
});

describe('lookupJsonPath', () => {
  const doc = { a: { b: [{ c: 'x' }, null] }, n: 0 };
  it('finds values, including falsy ones', () => {
    expect(lookupJsonPath(doc, parseJsonPath('$.a.b[0].c'))).toEqual({ found: true, value: 'x' });
    expect(lookupJsonPath(doc, parseJsonPath('$.a.b[1]'))).toEqual({ found: true, value: null });
    expect(lookupJsonPath(doc, parseJsonPath('$.n'))).toEqual({ found: true, value: 0 });
  });
  it('says where and why a path breaks', () => {
    expect(lookupJsonPath(doc, parseJsonPath('$.a.x'))).toEqual({ found: false, problem: "$.a has no key 'x'" });
    expect(lookupJsonPath(doc, parseJsonPath('$.a.b[5]'))).toEqual({ found: false, problem: '$.a.b has 2 element(s), no index 5' });
    expect(lookupJsonPath(doc, parseJsonPath('$.a[0]'))).toEqual({ found: false, problem: '$.a is an object, not an array' });
    expect(lookupJsonPath(doc, parseJsonPath('$.n.x'))).toEqual({ found: false, problem: '$.n is a number, not an object' });
    expect(lookupJsonPath({ toString: 1 }, parseJsonPath('$.constructor'))).toEqual({
      found: false,
      problem: "$ has no key 'constructor'",
    });
  });
  it('compares JSON structurally', () => {
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual([1], { 0: 1 })).toBe(false);
    expect(jsonEqual('1', 1)).toBe(false);
  });
});

describe('matchers', () => {
  it('parses statuses and classes', () => {
    expect(parseStatusRule(204)).toEqual({ min: 204, max: 204, label: '204' });
    expect(parseStatusRule('3XX')).toEqual({ min: 300, max: 399, label: '3xx' });
    expect(parseStatusRule('404')).toEqual({ min: 404, max: 404, label: '404' });
    expect(parseStatusRule(600)).toBeUndefined();
    expect(parseStatusRule('20x')).toBeUndefined();
    const rules = [parseStatusRule('2xx')!, parseStatusRule(304)!];
    expect([200, 299, 304, 301, 500].map((s) => matchesStatus(rules, s))).toEqual([true, true, true, false, false]);
  });
  it('treats /…/flags as a regex and anything else as exact text', () => {
    expect(matchesText(parseTextMatcher('/^max-age=\\d+$/i'), 'MAX-AGE=5')).toBe(true);
    expect(matchesText(parseTextMatcher('nosniff'), 'nosniff')).toBe(true);
    expect(matchesText(parseTextMatcher('nosniff'), 'nosniff ')).toBe(false);
    expect(() => parseTextMatcher('/(/')).toThrow('invalid regular expression /(/: missing closing ) at `(`');
  });
  it('matches a full SHA with its short form and v-prefixed versions', () => {
    const sha = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
    expect(versionMatches(sha, sha)).toBe(true);
    expect(versionMatches(sha, 'a1b2c3d')).toBe(true);
    expect(versionMatches('a1b2c3d', sha.toUpperCase())).toBe(true);
    expect(versionMatches(sha, 'a1b2c3e')).toBe(false);
    expect(versionMatches(sha, 'a1b2c3')).toBe(false);
    expect(versionMatches('v1.2.3', '1.2.3')).toBe(true);
    expect(versionMatches('1.2.3', '1.2.4')).toBe(false);
    expect(versionMatches('1', 1)).toBe(true);
    expect(versionMatches('x', { version: 'x' })).toBe(false);
  });
  it('git-sha: an all-digit short SHA matches its full form when the caller says it is a SHA; exact: only equal strings', () => {
    const full = '1234567f90123456789012345678901234567890';
    expect(versionMatches('1234567', full)).toBe(false);
    expect(versionMatches('1234567', full, 'git-sha')).toBe(true);
    expect(versionMatches(full, '1234567', 'git-sha')).toBe(true);
    expect(versionMatches('1234567', '1234568f90', 'git-sha')).toBe(false);
    // A JSON number lost any leading zero: it is not taken for a SHA.
    expect(versionMatches('1234567', 1234567, 'git-sha')).toBe(true);
    expect(versionMatches('0123456', 123456, 'git-sha')).toBe(false);
    expect(versionMatches('a1b2c3d', 'a1b2c3d4e5', 'exact')).toBe(false);
    expect(versionMatches('v1.2.3', '1.2.3', 'exact')).toBe(false);
    expect(versionMatches('v1.2.3', 'v1.2.3', 'exact')).toBe(true);
  });
  it('prefix-matches only when the expected value is a git SHA; numbers and semver match exactly', () => {
    // Purely numeric: a build number or date, not an abbreviated SHA.
    expect(versionMatches('1234567', '12345678')).toBe(false);
    expect(versionMatches('12345678', '1234567')).toBe(false);
    expect(versionMatches('20240101', '202401011200')).toBe(false);
    expect(versionMatches('1234567', '1234567')).toBe(true);
    expect(versionMatches('1234567', 1234567)).toBe(true);
    // A full 40-character SHA may happen to have no letter; its short form still matches.
    const digits = '1234567890123456789012345678901234567890';
    expect(versionMatches(digits, '1234567')).toBe(true);
    expect(versionMatches(digits, '1234568')).toBe(false);
    // An abbreviated SHA (it has a letter) matches the full one the service reports.
    expect(versionMatches('abc1234', 'abc1234ffffffff')).toBe(true);
    expect(versionMatches('1.2.3', '1.2.30')).toBe(false);
    expect(versionMatches('1.2', '1.2.3')).toBe(false);
  });
  it('makes a one-line body excerpt of at most 200 characters', () => {
    expect(bodyExcerpt('  a\n\n b  ')).toBe('a b');
    const long = bodyExcerpt('x'.repeat(500));
    expect(long).toHaveLength(200);
    expect(long.endsWith('…')).toBe(true);
  });
});
