import { describe, expect, it } from 'vitest';
import { hclTopLevelLines, jsonTopLevelKeyLines } from './source-lines';

const lines = (text: string) => Object.fromEntries(hclTopLevelLines(text).attributes);

describe('hclTopLevelLines', () => {
  it('finds top-level attributes with and without spaces around =', () => {
    expect(lines('a = 1\nb=2\n  c   =   "x"\n')).toEqual({ a: 1, b: 2, c: 3 });
  });

  it('ignores keys of nested maps, lists of objects and multi-line calls', () => {
    const text = ['tags = {', '  name = "x"', '  inner = {', '    deep = 1', '  }', '}', 'list = [', '  { name = 1 },', ']', 'after = true'].join('\n');
    expect(lines(text)).toEqual({ tags: 1, list: 7, after: 10 });
  });

  it('ignores `name =` inside heredocs, including indented <<- heredocs', () => {
    const text = ['policy = <<EOT', 'name = "inside"', '{', 'EOT', 'indented = <<-JSON', '    count = 3', '    JSON', 'name = "real"'].join('\n');
    expect(lines(text)).toEqual({ policy: 1, indented: 5, name: 8 });
  });

  it('ignores comments of all three kinds, including multi-line block comments', () => {
    const text = ['# hidden = 1', '// hidden2 = 2', '/* hidden3 = 3', 'hidden4 = 4 */', 'shown = 1 # trailing { [', 'also = 2 // trailing {', 'third = /* { */ 3'].join('\n');
    expect(lines(text)).toEqual({ shown: 5, also: 6, third: 7 });
  });

  it('does not count brackets inside strings, interpolations or escapes', () => {
    const text = [
      'a = "{ ["',
      'b = "${join(",", ["x", "}"])}"',
      'c = "$${not_interpolated"',
      'd = "quote \\" { inside"',
      'e = "%{ if true }yes%{ endif }"',
      'f = 1',
    ].join('\n');
    expect(lines(text)).toEqual({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 });
  });

  it('handles a map key that is quoted and looks like a top-level name', () => {
    expect(lines('m = {\n  "name" = 1\n  name2 = 2\n}\nname = 3\n')).toEqual({ m: 1, name: 5 });
  });

  it('does not take == or a quoted top-level string for an attribute', () => {
    expect(lines('a = 1 == 1\nx = [\n  1\n]\n')).toEqual({ a: 1, x: 2 });
  });

  it('keeps the first line of a name and accepts CRLF and unicode identifiers', () => {
    expect(lines('région = 1\r\nb-c = 2\r\n')).toEqual({ région: 1, 'b-c': 2 });
  });

  it('reports top-level blocks separately', () => {
    const found = hclTopLevelLines('a = 1\nfoo {\n  x = 1\n}\nbar "label" {\n}\n');
    expect(Object.fromEntries(found.blocks)).toEqual({ foo: 2, bar: 5 });
    expect(Object.fromEntries(found.attributes)).toEqual({ a: 1 });
  });
});

describe('jsonTopLevelKeyLines', () => {
  it('finds only depth-1 keys, not nested keys or string values', () => {
    const text = ['{', '  "a": 1,', '  "b": { "a": 2, "c": "d" },', '  "list": ["x", {"e": 1}],', '  "q\\"uote": true', '}'].join('\n');
    expect(Object.fromEntries(jsonTopLevelKeyLines(text))).toEqual({ a: 2, b: 3, list: 4, 'q"uote': 5 });
  });

  it('handles keys on their own line before the colon', () => {
    expect(Object.fromEntries(jsonTopLevelKeyLines('{\n"a"\n:\n1}'))).toEqual({ a: 2 });
  });
});
