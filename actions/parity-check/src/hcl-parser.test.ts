import { describe, expect, it } from 'vitest';
import { parseHcl, parseHclDocument, startHclParser } from './hcl-parser';

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
      { n: 0, name: 'file-0' }, { n: 1, name: 'file-1' }, { n: 2, name: 'file-2' },
      expect.stringMatching(/parse config: \[f3\.tfvars:1,10-2,1: Invalid expression/),
      { n: 4, name: 'file-4' }, { n: 5, name: 'file-5' },
    ]);
  });
});

describe('parseHcl: values as hcl2json gave them', () => {
  it('reads numbers as HCL writes them, exponents without a fraction included', async () => {
    expect(await parseHcl('n.tfvars', 'a = 1e3\nb = 2E-2\nc = [3e+1, 0.5, 1.5e3]\nd = -1e3\ne = 1e3 + 1\nf = -1.5\n')).toEqual({
      a: 1000, b: 0.02, c: [30, 0.5, 1500], d: -1000, e: '${1e3 + 1}', f: -1.5,
    });
  });

  it('decodes escapes, and keeps literal ${ and %{ escaped as Terraform JSON writes them', async () => {
    const text = String.raw`a = "tab\there \"quoted\" back\\slash new\nline \u00e9 \U0001F600"` + '\nb = "$${x} %%{y} \\u0024{z}"\n';
    expect(await parseHcl('s.tfvars', text)).toEqual({ a: 'tab\there "quoted" back\\slash new\nline é 😀', b: '$${x} %%{y} $${z}' });
  });

  it('keeps templates with interpolations and directives as text, and "${x}" alone as the value of x', async () => {
    const text = 'a = "a-${var.x}-${1 + 2}-${"q"}-${1}"\nb = "%{ if c }yes%{ else }no%{ endif }"\nc = "${[1, "x"]}"\nd = "${var.y}"\ne = "${true}"\n';
    expect(await parseHcl('t.tfvars', text)).toEqual({ a: 'a-${var.x}-${1 + 2}-q-1', b: '%{if c}yes%{else}no%{endif}', c: [1, 'x'], d: '${var.y}', e: true });
  });

  it('strips the smallest indentation of a <<- heredoc, ignoring blank lines, and keeps <<EOT as written', async () => {
    const text = 'a = <<-EOT\n    first\n      second\n\n    ${x} third\n  EOT\nb = <<EOT\n  kept $${y}\nEOT\n';
    expect(await parseHcl('h.tfvars', text)).toEqual({ a: 'first\n  second\n\n${x} third\n', b: '  kept $${y}\n' });
  });

  it('reads nested objects with quoted, identifier and expression keys, sorted as hcl2json sorted them', async () => {
    const text = 'tags = {\n  "cost-center" = "cc-1"\n  team: "payments"\n  (var.k) = 1\n  nested = { "a.b" = [{ c = null }] }\n}\n';
    const { tags } = await parseHcl('o.tfvars', text);
    expect(tags).toEqual({ 'cost-center': 'cc-1', team: 'payments', '${(var.k)}': 1, nested: { 'a.b': [{ c: null }] } });
    expect(Object.keys(tags as object)).toEqual(['${(var.k)}', 'cost-center', 'nested', 'team']);
  });

  it('keeps other expressions as their source text in ${…}', async () => {
    const text = 'a = f(1)\nb = x.y[0]\nc = true ? 1 : 2\nd = [for i in l : i]\ne = -x\nf = (1)\n';
    expect(await parseHcl('e.tfvars', text)).toEqual({ a: '${f(1)}', b: '${x.y[0]}', c: '${true ? 1 : 2}', d: '${[for i in l : i]}', e: '${-x}', f: '${(1)}' });
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
    expect(await lines('a = 1\nb=2\n  c   =   "x"\n/* c */ d = 1\ne /* c */ = 1\n/* a\n b = 1 */ f = 2\n')).toEqual({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 7 });
  });

  it('counts no keys of nested maps, lists of objects, heredocs or comments', async () => {
    const text = [
      'tags = {', '  name = "x"', '  inner = {', '    deep = 1', '  }', '}', 'list = [', '  { name = 1 },', ']',
      'policy = <<EOT', 'hidden = "inside"', '{', 'EOT', 'indented = <<-JSON', '    count = 3', '    JSON',
      '# hidden2 = 1', '// hidden3 = 2', '/* hidden4 = 3', 'hidden5 = 4 */', 'm = {', '  "name" = 1', '}',
      'b = "${join(",", ["x", "}"])}"', 'name = "real" # trailing { [',
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
    ['a quoted argument name', 'a = 1\n"b" = 2\n', /^parse config: \[x\.tfvars:2,1-2: Invalid argument name; Argument names must not be quoted\.\]$/],
    ['a variable set twice', 'a = 1\na = 2\n', /^parse config: \[x\.tfvars:2,1-2: Attribute redefined; The argument "a" was already set at x\.tfvars:1,1-2\./],
    ['an unclosed object', 'a = {\n  b = 1\n', /^parse config: \[x\.tfvars:3,1-1: Missing expression; /],
    ['two values on one line', 'a = 1\nb = 1 2\n', /^parse config: \[x\.tfvars:2,7-8: Missing newline after argument; /],
    ['a line break in a quoted string', 'a = 1\nb = "x\ny"\n', /^parse config: \[x\.tfvars:2,7-3,1: Invalid multi-line string; /],
    ['a unary operator on the wrong literal', 'a = -true\n', /^parse config: \[x\.tfvars:1,6-10: Invalid operand; /],
    // terraform console -var-file: `Unexpected "foo" block` / `Blocks are not allowed here.` at the block's line.
    ['a block, even after a comment', 'a = 1\n/* c */ foo "l" {\n  x = 1\n}\n', /^parse config: \[x\.tfvars:2,9-12: Unexpected "foo" block; Blocks are not allowed here\.\]$/],
    ['a variable set twice, before a block', 'foo {\n}\na = 1\na = 2\n', /^parse config: \[x\.tfvars:4,1-2: Attribute redefined; /],
    // Terraform reads none of these openers as a heredoc: "Invalid expression" on the line of `<<`.
    ['a space after <<', 'a = << EOT\nx\nEOT\n', /^parse config: \[x\.tfvars:1,5-6: Invalid expression; Expected the start of an expression, but found an invalid expression token\.\]$/],
    ['a space after <<-', 'a = 1\nb = <<- EOT\nx\nEOT\n', /^parse config: \[x\.tfvars:2,5-6: Invalid expression; /],
    ['a comment after the heredoc marker', 'a = <<EOT # c\nx\nEOT\n', /^parse config: \[x\.tfvars:1,5-6: Invalid expression; /],
    ['a space after the heredoc marker', 'a = <<EOT \nx\nEOT\n', /^parse config: \[x\.tfvars:1,5-6: Invalid expression; /],
    ['a file that is one object', '# vars\n{\n  "a" = 1\n}\n', /^parse config: \[x\.tfvars:2,1-2: Argument or block definition required; /],
  ])('%s', async (_name, text, message) => {
    await expect(parseHcl('x.tfvars', text)).rejects.toThrow(message);
  });
});
