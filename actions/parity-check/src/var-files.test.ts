import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadVariableFiles, VarFileError } from './var-files';

const workspace = mkdtempSync(path.join(os.tmpdir(), 'parity-vars-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const absolute = path.join(workspace, name);
  writeFileSync(absolute, text);
  return absolute;
}

async function load(...files: string[]) {
  const set = await loadVariableFiles('base-var-files', files, workspace);
  return { values: Object.fromEntries(set.values), sources: Object.fromEntries(set.sources), files: set.files };
}

async function failure(...files: string[]): Promise<VarFileError> {
  const error = await loadVariableFiles('base-var-files', files, workspace).catch((err: unknown) => err);
  expect(error).toBeInstanceOf(VarFileError);
  return error as VarFileError;
}

const EDGE_CASES = `# hash comment: hidden = 1
// slash comment: hidden = 2
/* block comment
   hidden = 3 */
name = "shop" # trailing comment
count = 3
ratio = 1.5
count_as_string = "3"
enabled = true
nothing = null
tags = {
  team          = "payments"
  "cost-center" = "cc-1"
  "example.com" = "dotted key"
  nested        = { a = 1, b = [1, "two", false] }
}
subnets = [
  "10.0.1.0/24", # a comment inside a list
  "10.0.2.0/24",
]
rules = [{ port = 443 }, { port = 80 }]
policy = <<EOT
name = "not an attribute"
{ "Version": "2012-10-17" }
EOT
banner = <<-EOT
    indented
    EOT
computed = 1 + 2
templated = "\${"literal"} template"
escaped = "$\${not_interpolated}"
`;

describe('loadVariableFiles: HCL through the tree-sitter HCL parser', () => {
  it('reads every kind of value with its type, and the line of each variable', async () => {
    const { values, sources } = await load(file('edge.tfvars', EDGE_CASES));
    expect(values).toEqual({
      name: 'shop',
      count: 3,
      ratio: 1.5,
      count_as_string: '3',
      enabled: true,
      nothing: null,
      tags: { team: 'payments', 'cost-center': 'cc-1', 'example.com': 'dotted key', nested: { a: 1, b: [1, 'two', false] } },
      subnets: ['10.0.1.0/24', '10.0.2.0/24'],
      rules: [{ port: 443 }, { port: 80 }],
      policy: 'name = "not an attribute"\n{ "Version": "2012-10-17" }\n',
      banner: 'indented\n',
      computed: 3,
      templated: 'literal template',
      escaped: '${not_interpolated}',
    });
    expect(Object.keys(values)).not.toContain('hidden');
    const line = (name: string) => sources[name].line;
    expect([
      line('name'),
      line('count'),
      line('tags'),
      line('subnets'),
      line('rules'),
      line('policy'),
      line('banner'),
      line('computed'),
    ]).toEqual([5, 6, 11, 17, 21, 22, 26, 29]);
    expect(sources.name.file).toBe('edge.tfvars');
  });

  it('reads HCL $${ as a literal ${, and .tfvars.json strings literally, as Terraform does', async () => {
    // terraform console: "a$${b}c" in .tfvars is a${b}c; in .tfvars.json "a$${b}c ${x}" stays as written.
    const hcl = await load(file('literal.tfvars', 'v = "a$${b}c"\nt = "${1 + 1}x"\n'));
    const json = await load(file('literal.tfvars.json', '{ "v": "a$${b}c ${x}", "t": "${1 + 1}x" }'));
    expect(hcl.values).toEqual({ v: 'a${b}c', t: '2x' });
    expect(json.values).toEqual({ v: 'a$${b}c ${x}', t: '${1 + 1}x' });
  });

  it('reads .tfvars.json with JSON.parse and finds its lines', async () => {
    const json = file('prod.tfvars.json', '{\n  "name": "shop",\n  "count": 3,\n  "tags": { "name": "x" }\n}\n');
    const { values, sources } = await load(json);
    expect(values).toEqual({ name: 'shop', count: 3, tags: { name: 'x' } });
    expect(sources).toEqual({
      name: { file: 'prod.tfvars.json', line: 2 },
      count: { file: 'prod.tfvars.json', line: 3 },
      tags: { file: 'prod.tfvars.json', line: 4 },
    });
  });

  it('lets later files replace whole top-level values, as Terraform does (no deep merge)', async () => {
    const common = file('common.tfvars', 'name = "shop"\ntags = {\n  team = "payments"\n  tier = "web"\n}\ncpu = 256\n');
    const override = file('override.tfvars.json', '{\n  "tags": { "team": "checkout" },\n  "memory": 512\n}');
    const { values, sources, files } = await load(common, override);
    expect(values).toEqual({ name: 'shop', tags: { team: 'checkout' }, cpu: 256, memory: 512 });
    expect(sources.tags).toEqual({ file: 'override.tfvars.json', line: 2 });
    expect(sources.cpu).toEqual({ file: 'common.tfvars', line: 6 });
    expect(files).toEqual(['common.tfvars', 'override.tfvars.json']);
  });

  it('reads an empty file as no variables', async () => {
    expect((await load(file('empty.tfvars', '# nothing here\n'))).values).toEqual({});
  });

  it('names workspace-relative paths in sub-directories with forward slashes', async () => {
    const dir = path.join(workspace, 'env', 'staging');
    (await import('node:fs')).mkdirSync(dir, { recursive: true });
    const { sources } = await load(file('env/staging/app.tfvars', 'a = 1\n'));
    expect(sources.a.file).toBe('env/staging/app.tfvars');
  });
});

describe('loadVariableFiles: errors name the input, the file and the line', () => {
  it('reports an unparsable HCL file with the line of the first problem', async () => {
    const error = await failure(file('broken.tfvars', 'a = 1\nb =\nc = "unterminated\n'));
    expect(error.message).toMatch(/^Input 'base-var-files': broken\.tfvars:2: /);
    expect(error.location).toEqual({ file: 'broken.tfvars', line: 2 });
  });

  it('reports a quoted top-level name (HCL forbids it) at its line', async () => {
    const error = await failure(file('quoted.tfvars', 'a = 1\n"b" = 2\n'));
    expect(error.message).toBe("Input 'base-var-files': quoted.tfvars:2: Invalid argument name; Argument names must not be quoted.");
  });

  it('reports a variable defined twice in one file', async () => {
    const error = await failure(file('twice.tfvars', 'a = 1\na = 2\n'));
    expect(error.message).toMatch(/twice\.tfvars:2: Attribute redefined/);
  });

  it('rejects blocks, which Terraform does not allow in a variables file, also after a comment', async () => {
    const error = await failure(file('block.tfvars', 'a = 1\nfoo {\n  x = 1\n}\n'));
    expect(error.message).toBe('Input \'base-var-files\': block.tfvars:2: Unexpected "foo" block; Blocks are not allowed here.');
    const commented = await failure(file('commented-block.tfvars', 'a = 1\n\n/* c */ foo {\n  x = 1\n}\n'));
    expect(commented.location).toEqual({ file: 'commented-block.tfvars', line: 3 });
  });

  it('reports invalid JSON with its line, and a JSON document that is not an object', async () => {
    expect((await failure(file('bad.tfvars.json', '{\n  "a": 1,\n  "b": \n}\n'))).message).toBe(
      'Input \'base-var-files\': bad.tfvars.json:4: invalid JSON: unexpected "}" at column 1.',
    );
    expect((await failure(file('list.tfvars.json', '[1, 2]'))).message).toBe(
      "Input 'base-var-files': list.tfvars.json: expected a JSON object mapping variable names to values.",
    );
  });
});

describe('loadVariableFiles: a file on both sides', () => {
  it('parses it once and gives each side the same values', async () => {
    const common = file('common.tfvars', 'region = "eu-west-1"\nzones = ["a", "b"]\n');
    const base = await loadVariableFiles('base-var-files', [common], workspace);
    const target = await loadVariableFiles('target-var-files', [common], workspace);
    // The same object, not an equal one: the second side did not parse again.
    expect(target.values.get('zones')).toBe(base.values.get('zones'));
    writeFileSync(common, 'region = "us-east-1"\n');
    expect(Object.fromEntries((await loadVariableFiles('base-var-files', [common], workspace)).values)).toEqual({ region: 'us-east-1' });
  });
});
