import { describe, expect, it } from 'vitest';
import { locateJsonError } from './json-errors';

describe('locateJsonError', () => {
  it.each([
    ['{\n  "a": 1,\n  "b": \n}\n', { line: 4, column: 1, problem: 'unexpected "}"' }],
    ['{"a": 1,}', { line: 1, column: 9, problem: 'unexpected "}"' }],
    ['{"a": [1, 2}', { line: 1, column: 12, problem: 'unexpected "}"' }],
    ['{"a": tru}', { line: 1, column: 10, problem: 'unexpected "}"' }],
    ['{"a": "x\\q"}', { line: 1, column: 10, problem: 'unexpected "q"' }],
    ['{"a": "\\u12G4"}', { line: 1, column: 9, problem: 'unexpected "u"' }],
    ['{"a": 01}', { line: 1, column: 8, problem: 'unexpected "1"' }],
    ['{"a": 1', { line: 1, column: 8, problem: 'unexpected end of file' }],
    ['{"a": "open', { line: 1, column: 12, problem: 'unexpected end of file' }],
    ['{a: 1}', { line: 1, column: 2, problem: 'unexpected "a"' }],
    ['{} {}', { line: 1, column: 4, problem: 'unexpected "{"' }],
    ['', { line: 1, column: 1, problem: 'unexpected end of file' }],
  ])('finds the first error in %j', (text, expected) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(locateJsonError(text)).toEqual(expected);
  });

  it.each(['{"a": [1, -2.5e3, true, false, null, {"b": "\\u00e9\\n"}]}', ' [ ] ', '"x"', '0'])('accepts valid JSON %j', (text) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(locateJsonError(text)).toBeUndefined();
  });
});
