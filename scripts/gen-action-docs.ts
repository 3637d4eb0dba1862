/**
 * Generates docs/infra/actions.md — every action's inputs and outputs — from actions/*\/action.yml,
 * so the reference can never drift from the interface the runner actually reads.
 *
 *   npx tsx scripts/gen-action-docs.ts           write docs/infra/actions.md
 *   npx tsx scripts/gen-action-docs.ts --check   exit 1 when the committed file is out of date (CI)
 *
 * The rendering is a pure function of the action.yml texts (`renderActionsDoc`), which is what
 * test/docs/actions-doc.test.ts compares against the committed file.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';

export const DOC_PATH = 'docs/infra/actions.md';
export const GENERATE_COMMAND = 'npx tsx scripts/gen-action-docs.ts';

export interface ActionSource {
  /** Directory name under actions/, which is also the `uses:` path segment. */
  name: string;
  yamlText: string;
}

export interface InputDoc {
  name: string;
  required: boolean;
  default: string | undefined;
  description: string;
}

export interface OutputDoc {
  name: string;
  description: string;
}

export interface ActionDoc {
  name: string;
  title: string;
  description: string;
  runsUsing: string;
  inputs: InputDoc[];
  outputs: OutputDoc[];
}

export interface RenderOptions {
  /** Placeholder for the GitHub owner of the gantry repository in `uses:` examples. */
  owner?: string;
  /** The version tag consumers pin (one tag versions the whole suite). */
  ref?: string;
}

type Yaml = Record<string, unknown>;

function isRecord(value: unknown): value is Yaml {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return String(value).trim();
}

/** Parse one action.yml into the documented shape; a malformed file is an error naming it. */
export function parseActionMetadata(source: ActionSource): ActionDoc {
  const where = `actions/${source.name}/action.yml`;
  let doc: unknown;
  try {
    doc = parse(source.yamlText);
  } catch (err) {
    throw new Error(`${where}: not valid YAML (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  if (!isRecord(doc)) throw new Error(`${where}: expected a mapping at the top level`);
  const description = text(doc.description);
  if (description === '') throw new Error(`${where}: 'description' is missing`);
  const runs = isRecord(doc.runs) ? doc.runs : {};

  const inputs: InputDoc[] = [];
  if (doc.inputs !== undefined && doc.inputs !== null) {
    if (!isRecord(doc.inputs)) throw new Error(`${where}: 'inputs' must be a mapping`);
    for (const [name, raw] of Object.entries(doc.inputs)) {
      const spec = isRecord(raw) ? raw : {};
      const required = spec.required === true || text(spec.required).toLowerCase() === 'true';
      const hasDefault = spec.default !== undefined && spec.default !== null;
      inputs.push({ name, required, default: hasDefault ? String(spec.default) : undefined, description: text(spec.description) });
    }
  }

  const outputs: OutputDoc[] = [];
  if (doc.outputs !== undefined && doc.outputs !== null) {
    if (!isRecord(doc.outputs)) throw new Error(`${where}: 'outputs' must be a mapping`);
    for (const [name, raw] of Object.entries(doc.outputs)) {
      outputs.push({ name, description: text(isRecord(raw) ? raw.description : undefined) });
    }
  }

  return { name: source.name, title: text(doc.name) || source.name, description, runsUsing: text(runs.using), inputs, outputs };
}

/**
 * Prose from action.yml: `<secret-id>` outside code spans would be swallowed by GitHub as an
 * HTML tag, so angle brackets are escaped there (inside code spans they render literally).
 */
export function prose(value: string): string {
  return value
    .split(/(`+[^`]*?`+)/)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('');
}

/** A table cell: pipes escaped, line breaks kept visible as <br>. */
export function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** Inline code that survives any backticks inside the value. */
export function code(value: string): string {
  const longestRun = Math.max(0, ...(value.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = value.startsWith('`') || value.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${value}${pad}${fence}`;
}

function usesExample(action: ActionDoc, owner: string, ref: string): string {
  const lines = [`- uses: ${owner}/gantry/actions/${action.name}@${ref}`];
  const required = action.inputs.filter((input) => input.required);
  if (required.length > 0) {
    lines.push('  with:');
    for (const input of required) lines.push(`    ${input.name}: <${input.name}>`);
  }
  return ['```yaml', ...lines, '```'].join('\n');
}

function renderAction(action: ActionDoc, owner: string, ref: string): string {
  const parts = [`## ${action.name}`, '', prose(action.description), ''];
  parts.push(usesExample(action, owner, ref), '');
  if (action.runsUsing)
    parts.push(
      `Runs on ${code(action.runsUsing)}. Metadata: [\`actions/${action.name}/action.yml\`](../../actions/${action.name}/action.yml).`,
      '',
    );

  parts.push('### Inputs', '');
  if (action.inputs.length === 0) {
    parts.push('None.', '');
  } else {
    parts.push('| name | required | default | description |', '| --- | --- | --- | --- |');
    for (const input of action.inputs) {
      const fallback = input.default === undefined ? '—' : input.default === '' ? "`''`" : cell(code(input.default));
      parts.push(`| ${code(input.name)} | ${input.required ? 'yes' : 'no'} | ${fallback} | ${cell(prose(input.description))} |`);
    }
    parts.push('');
  }

  parts.push('### Outputs', '');
  if (action.outputs.length === 0) {
    parts.push('None.', '');
  } else {
    parts.push('| name | description |', '| --- | --- |');
    for (const output of action.outputs) parts.push(`| ${code(output.name)} | ${cell(prose(output.description))} |`);
    parts.push('');
  }
  return parts.join('\n');
}

/** The whole of docs/infra/actions.md. Pure: the same sources give byte-identical output. */
export function renderActionsDoc(sources: readonly ActionSource[], options: RenderOptions = {}): string {
  const owner = options.owner ?? '<owner>';
  const ref = options.ref ?? 'v1';
  const actions = [...sources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(parseActionMetadata);
  const head = [
    `<!-- Generated by \`${GENERATE_COMMAND}\` from actions/*/action.yml. Do not edit by hand: edit action.yml and regenerate. -->`,
    '',
    '# Action reference',
    '',
    `Every gantry action, its inputs and its outputs, as declared in its \`action.yml\`. One version tag versions the whole suite: pin \`@${ref}\` (or a full commit SHA) and replace \`${owner}\` with the GitHub owner of your gantry copy. Inputs are strings, as for every action; booleans accept only \`true\` or \`false\`, durations in seconds also accept \`90s\`, \`15m\`, \`1h\`. A bad input fails the step before any AWS or network call, with a message naming the input (see [runbook.md](runbook.md#failure-messages)).`,
    '',
    '| action | what it does |',
    '| --- | --- |',
    ...actions.map((action) => `| [${action.name}](#${action.name}) | ${cell(prose(action.description))} |`),
    '',
  ];
  return `${[...head, ...actions.map((action) => renderAction(action, owner, ref))].join('\n').trimEnd()}\n`;
}

/** actions/<name>/action.yml for every action directory, sorted by name. */
export function readActionSources(root: string): ActionSource[] {
  const actionsDir = path.join(root, 'actions');
  return readdirSync(actionsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(actionsDir, entry.name, 'action.yml')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ name, yamlText: readFileSync(path.join(actionsDir, name, 'action.yml'), 'utf8') }));
}

/** First differing line, 1-based, for a message that points the reader somewhere useful. */
export function firstDifference(expected: string, actual: string): { line: number; expected: string; actual: string } | undefined {
  const want = expected.split('\n');
  const have = actual.split('\n');
  for (let i = 0; i < Math.max(want.length, have.length); i += 1) {
    if (want[i] !== have[i]) return { line: i + 1, expected: want[i] ?? '<end of file>', actual: have[i] ?? '<end of file>' };
  }
  return undefined;
}

function main(argv: readonly string[]): number {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const target = path.join(root, DOC_PATH);
  const expected = renderActionsDoc(readActionSources(root));
  if (!argv.includes('--check')) {
    writeFileSync(target, expected);
    console.log(`wrote ${DOC_PATH}`);
    return 0;
  }
  const actual = existsSync(target) ? readFileSync(target, 'utf8') : '';
  const diff = firstDifference(expected, actual);
  if (!diff) {
    console.log(`${DOC_PATH} is up to date`);
    return 0;
  }
  console.error(
    [
      `${DOC_PATH} is out of date with actions/*/action.yml${actual === '' ? ' (the file is missing)' : ''}.`,
      `First difference at line ${diff.line}:`,
      `  generated: ${diff.expected}`,
      `  committed: ${diff.actual}`,
      `Fix: run \`${GENERATE_COMMAND}\` and commit ${DOC_PATH}.`,
    ].join('\n'),
  );
  return 1;
}

const invokedPath = process.argv[1] ? pathToFileURL(path.resolve(process.argv[1])).href : '';
if (import.meta.url === invokedPath) process.exitCode = main(process.argv.slice(2));
