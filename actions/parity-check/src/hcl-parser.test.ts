import { describe, expect, it } from 'vitest';
import { parseHcl, parseHclDocument, startHclParser } from './hcl-parser';
import { Unevaluated } from './values';

describe('parseHcl', () => {
  it('starts once and parses many files, attributes becoming plain JSON values', async () => {
    await startHclParser();
    const [a, b] = await Promise.all([parseHcl('a.tfvars', 'x = 1\ny = { z = [true, "s"] }\n'), parseHcl('b.tfvars', 'x = "1"\n')]);
    expect(a).toEqual({ x: 1, y: { z: [true, 's'] } });
    expect(b).toEqual({ x: '1' });
  });

  it('rejects with the parser diagnostics, file and position included', async () => {
    await expect(parseHcl('bad.tfvars', 'x = \n')).rejects.toThrow(/^parse config: \[bad\.tfvars:1,5-2,1: Invalid expression; /);
  });

  it('answers concurrent parses, each answer going to its own caller', async () => {
    const texts = Array.from({ length: 6 }, (_, i) => (i === 3 ? 'broken = \n' : `n = ${i}\nname = "file-${i}"\n`));
    const results = await Promise.allSettled(texts.map((text, i) => parseHcl(`f${i}.tfvars`, text)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))).toEqual([
      { n: 0, name: 'file-0' },
      { n: 1, name: 'file-1' },
      { n: 2, name: 'file-2' },
      expect.stringMatching(/parse config: \[f3\.tfvars:1,10-2,1: Invalid expression/),
      { n: 4, name: 'file-4' },
      { n: 5, name: 'file-5' },
    ]);
  });
});

/** Shorthand for an expected Unevaluated value. */
const unevaluated = (text: string, type?: Unevaluated['type']) => new Unevaluated(text, type);

/**
 * Each expectation was checked with `terraform console -var-file=…` (`jsonencode(var.v)`); where
 * Terraform would evaluate something this action does not, the value is an Unevaluated.
 */
describe('parseHcl: values as Terraform reads them', () => {
  it('reads numbers as HCL writes them, exponents without a fraction included', async () => {
    expect(await parseHcl('n.tfvars', 'a = 1e3\nb = 2E-2\nc = [3e+1, 0.5, 1.5e3]\nd = -1e3\ne = 1e3 + 1\nf = -1.5\n')).toEqual({
      a: 1000,
      b: 0.02,
      c: [30, 0.5, 1500],
      d: -1000,
      e: 1001,
      f: -1.5,
    });
  });

  it('decodes escapes, and reads $${ and %%{ as the literal ${ and %{ they stand for', async () => {
    const text = String.raw`a = "tab\there \"quoted\" back\\slash new\nline \u00e9 \U0001F600"` + '\nb = "$${x} %%{y} \\u0024{z}"\n';
    expect(await parseHcl('s.tfvars', text)).toEqual({ a: 'tab\there "quoted" back\\slash new\nline é 😀', b: '${x} %{y} ${z}' });
  });

  it('evaluates templates of known values; one with unknown parts is an Unevaluated string; "${x}" alone is the value of x', async () => {
    const text = [
      'a = "a-${var.x}-${1 + 2}-${"q"}-${1}-$${lit}"',
      'b = "%{ if c }yes%{ else }no%{ endif }"',
      'c = "${[1, "x"]}"',
      'd = "${var.y}"',
      'e = "${true}"',
      'f = "n=${1 + 2} ${true} ${"$${x}"} ${1e21} ${0.5e-6}"',
      'g = "${~ " a " ~} b"',
      'h = "a ${~ "x" ~} b"',
      '',
    ].join('\n');
    expect(await parseHcl('t.tfvars', text)).toStrictEqual({
      a: unevaluated('a-${var.x}-3-q-1-$${lit}', 'string'),
      b: unevaluated('%{if c}yes%{else}no%{endif}', 'string'),
      c: [1, 'x'],
      d: unevaluated('${var.y}'),
      e: true,
      f: 'n=3 true ${x} 1000000000000000000000 0.0000005',
      g: ' a b',
      h: 'axb',
    });
  });

  it('strips the smallest indentation of a <<- heredoc, ignoring blank lines, and keeps <<EOT as written', async () => {
    const text =
      'a = <<-EOT\n    first\n      second\n\n    ${"x"} third\n  EOT\nb = <<EOT\n  kept $${y} %%{z}\nEOT\nc = <<EOT\n${var.x}\nEOT\n';
    expect(await parseHcl('h.tfvars', text)).toEqual({
      a: 'first\n  second\n\nx third\n',
      b: '  kept ${y} %{z}\n',
      c: unevaluated('${var.x}\n', 'string'),
    });
  });

  it('reads nested objects with quoted, identifier and constant keys, sorted; an object with an unknown key is an Unevaluated object', async () => {
    const text =
      'tags = {\n  "cost-center" = "cc-1"\n  team: "payments"\n  (1) = 1\n  true = 2\n  nested = { "a.b" = [{ c = null }] }\n}\nkeyed = { (var.k) = 1, team = "x" }\n';
    const { tags, keyed } = await parseHcl('o.tfvars', text);
    expect(tags).toEqual({ 1: 1, 'cost-center': 'cc-1', nested: { 'a.b': [{ c: null }] }, team: 'payments', true: 2 });
    expect(Object.keys(tags as object)).toEqual(['1', 'cost-center', 'nested', 'team', 'true']);
    expect(keyed).toEqual(unevaluated('${{ (var.k) = 1, team = "x" }}', 'object'));
  });

  it('folds the constant expressions Terraform evaluates', async () => {
    const cases: [string, unknown][] = [
      ['1 + 2 * 3', 7],
      ['(1)', 1],
      ['-(2)', -2],
      ['10 - 2 - 3', 5],
      ['-1 + 2', 1],
      ['0.1 + 0.2', 0.3],
      ['-5 % 3', -2],
      ['0.3 % 0.1', 0],
      ['1 / 4', 0.25],
      ['"2" * "3"', 6],
      ['2 > 1 && !false', true],
      ['!"true"', false],
      ['"x" == "x"', true],
      ['1 == 1.0', true],
      ['[1] == [1]', true],
      ['"1" == 1', false],
      ['true ? 1 : 2', 1],
      ['true ? 1 : "x"', '1'],
      ['false ? 1 : null', null],
      ['"true" ? "a" : "b"', 'a'],
      ['[1, 2][1]', 2],
      ['[1, 2].0', 1],
      ['{ x = "y" }.x', 'y'],
      ['{ a = 1 }["a"]', 1],
    ];
    const text = cases.map(([expression], i) => `v${i} = ${expression}`).join('\n');
    const values = await parseHcl('f.tfvars', `${text}\n`);
    expect(cases.map(([expression], i) => [expression, values[`v${i}`]])).toEqual(cases);
  });

  it('keeps what needs variables or functions (or would be infinite) as an Unevaluated, typed where the syntax fixes it', async () => {
    const text =
      'a = f(1)\nb = x.y[0]\nc = cond ? 1 : 2\nd = [for i in l : i]\ne = -x\nf = x == 1\ng = var.n + 1\nh = [1, var.x]\ni = 1 / 0\nj = [1][5]\n';
    expect(await parseHcl('e.tfvars', text)).toStrictEqual({
      a: unevaluated('${f(1)}'),
      b: unevaluated('${x.y[0]}'),
      c: unevaluated('${cond ? 1 : 2}'),
      d: unevaluated('${[for i in l : i]}'),
      e: unevaluated('${-x}', 'number'),
      f: unevaluated('${x == 1}', 'bool'),
      g: unevaluated('${var.n + 1}', 'number'),
      h: [1, unevaluated('${var.x}')],
      i: unevaluated('${1 / 0}', 'number'),
      j: unevaluated('${[1][5]}'),
    });
  });

  it('skips comments wherever they are, as Terraform does (checked with terraform console)', async () => {
    // terraform console: [var.a, var.b, var.c, var.d] → [1, 1, [1, 2], -1]; var.e → [1, { k = "s", q = 3 }]; var.f → {}
    const text = [
      'a = /* c */ 1',
      'b /* c */ = 1',
      'c = /* c */ [1, 2]',
      'd /* c */ = - /* c */ 1',
      'e = [ /* x */ 1, # y',
      '  { /* k */ k /* l */ = /* v */ "s" /* e */, "q" = 3 } // z',
      ']',
      'f = { /* only */ }',
      '',
    ].join('\n');
    expect(await parseHcl('c.tfvars', text)).toEqual({ a: 1, b: 1, c: [1, 2], d: -1, e: [1, { k: 's', q: 3 }], f: {} });
  });
});

describe('parseHclDocument: the line of each top-level attribute, from the syntax tree', () => {
  const lines = async (text: string) => Object.fromEntries((await parseHclDocument('l.tfvars', text)).lines);

  it('finds attributes with and without spaces around =, and after or inside comments on their line', async () => {
    expect(await lines('a = 1\nb=2\n  c   =   "x"\n/* c */ d = 1\ne /* c */ = 1\n/* a\n b = 1 */ f = 2\n')).toEqual({
      a: 1,
      b: 2,
      c: 3,
      d: 4,
      e: 5,
      f: 7,
    });
  });

  it('counts no keys of nested maps, lists of objects, heredocs or comments', async () => {
    const text = [
      'tags = {',
      '  name = "x"',
      '  inner = {',
      '    deep = 1',
      '  }',
      '}',
      'list = [',
      '  { name = 1 },',
      ']',
      'policy = <<EOT',
      'hidden = "inside"',
      '{',
      'EOT',
      'indented = <<-JSON',
      '    count = 3',
      '    JSON',
      '# hidden2 = 1',
      '// hidden3 = 2',
      '/* hidden4 = 3',
      'hidden5 = 4 */',
      'm = {',
      '  "name" = 1',
      '}',
      'b = "${join(",", ["x", "}"])}"',
      'name = "real" # trailing { [',
    ].join('\n');
    expect(await lines(text)).toEqual({ tags: 1, list: 7, policy: 10, indented: 14, m: 21, b: 24, name: 25 });
  });

  it('accepts CRLF and unicode identifiers', async () => {
    expect(await lines('région = 1\r\nb-c = 2\r\n')).toEqual({ région: 1, 'b-c': 2 });
  });
});
describe('parseHcl: syntax errors at the line of the problem', () => {
  it.each([
    ['a missing value, the next line taken as one', 'a = 1\nb =\nc = 2\n', /^parse config: \[x\.tfvars:2,4-3,1: Invalid expression; /],
    [
      'a quoted argument name',
      'a = 1\n"b" = 2\n',
      /^parse config: \[x\.tfvars:2,1-2: Invalid argument name; Argument names must not be quoted\.\]$/,
    ],
    [
      'a variable set twice',
      'a = 1\na = 2\n',
      /^parse config: \[x\.tfvars:2,1-2: Attribute redefined; The argument "a" was already set at x\.tfvars:1,1-2\./,
    ],
    ['an unclosed object', 'a = {\n  b = 1\n', /^parse config: \[x\.tfvars:3,1-1: Missing expression; /],
    ['two values on one line', 'a = 1\nb = 1 2\n', /^parse config: \[x\.tfvars:2,7-8: Missing newline after argument; /],
    ['a line break in a quoted string', 'a = 1\nb = "x\ny"\n', /^parse config: \[x\.tfvars:2,7-3,1: Invalid multi-line string; /],
    [
      'a unary operator on the wrong literal',
      'a = -true\n',
      /^parse config: \[x\.tfvars:1,6-10: Invalid operand; Unsuitable value for unary operand: number required\.\]$/,
    ],
    [
      'arithmetic on a bool',
      'a = 1\nb = true + 1\n',
      /^parse config: \[x\.tfvars:2,5-9: Invalid operand; Unsuitable value for left operand: number required\.\]$/,
    ],
    [
      'a logical operator on a number',
      'a = true && 1\n',
      /^parse config: \[x\.tfvars:1,13-14: Invalid operand; Unsuitable value for right operand: bool required\.\]$/,
    ],
    [
      'arithmetic on null',
      'a = null + 1\n',
      /^parse config: \[x\.tfvars:1,5-13: Operation failed; Error during operation: argument must not be null\.\]$/,
    ],
    [
      'a number as a condition',
      'a = 1 ? 2 : 3\n',
      /^parse config: \[x\.tfvars:1,5-6: Incorrect condition type; The condition expression must be of type bool\.\]$/,
    ],
    [
      'a list in a template',
      'a = "a${[1]}"\n',
      /^parse config: \[x\.tfvars:1,9-12: Invalid template interpolation value; Cannot include the given value in a string template: string required\.\]$/,
    ],
    [
      'null in a template',
      'a = "${null}x"\n',
      /^parse config: \[x\.tfvars:1,8-12: Invalid template interpolation value; The expression result is null\./,
    ],
    // terraform console -var-file: `Unexpected "foo" block` / `Blocks are not allowed here.` at the block's line.
    [
      'a block, even after a comment',
      'a = 1\n/* c */ foo "l" {\n  x = 1\n}\n',
      /^parse config: \[x\.tfvars:2,9-12: Unexpected "foo" block; Blocks are not allowed here\.\]$/,
    ],
    ['a variable set twice, before a block', 'foo {\n}\na = 1\na = 2\n', /^parse config: \[x\.tfvars:4,1-2: Attribute redefined; /],
    // Terraform reads none of these openers as a heredoc: "Invalid expression" on the line of `<<`.
    [
      'a space after <<',
      'a = << EOT\nx\nEOT\n',
      /^parse config: \[x\.tfvars:1,5-6: Invalid expression; Expected the start of an expression, but found an invalid expression token\.\]$/,
    ],
    ['a space after <<-', 'a = 1\nb = <<- EOT\nx\nEOT\n', /^parse config: \[x\.tfvars:2,5-6: Invalid expression; /],
    ['a comment after the heredoc marker', 'a = <<EOT # c\nx\nEOT\n', /^parse config: \[x\.tfvars:1,5-6: Invalid expression; /],
    ['a space after the heredoc marker', 'a = <<EOT \nx\nEOT\n', /^parse config: \[x\.tfvars:1,5-6: Invalid expression; /],
    [
      'a hexadecimal number (Terraform: "Missing newline after argument")',
      'a = 1\nb = 0x10\n',
      /^parse config: \[x\.tfvars:2,5-9: Invalid number literal; /,
    ],
    ['a file that is one object', '# vars\n{\n  "a" = 1\n}\n', /^parse config: \[x\.tfvars:2,1-2: Argument or block definition required; /],
  ])('%s', async (_name, text, message) => {
    await expect(parseHcl('x.tfvars', text)).rejects.toThrow(message);
  });
});
