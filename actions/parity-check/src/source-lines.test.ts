import { describe, expect, it } from 'vitest';
import { jsonTopLevelKeyLines } from './source-lines';

describe('jsonTopLevelKeyLines', () => {
  it('finds only depth-1 keys, not nested keys or string values', () => {
    const text = ['{', '  "a": 1,', '  "b": { "a": 2, "c": "d" },', '  "list": ["x", {"e": 1}],', '  "q\\"uote": true', '}'].join('\n');
    expect(Object.fromEntries(jsonTopLevelKeyLines(text))).toEqual({ a: 2, b: 3, list: 4, 'q"uote': 5 });
  });

  it('handles keys on their own line before the colon', () => {
    expect(Object.fromEntries(jsonTopLevelKeyLines('{\n"a"\n:\n1}'))).toEqual({ a: 2 });
  });
});
