/**
 * Generates docs/infra/workflows-reference.md — every reusable workflow's inputs (type, required,
 * default), secrets and outputs — from the `on.workflow_call` of .github/workflows/*.yml, as
 * gen-action-docs.ts generates actions.md from action.yml.
 *
 *   npx tsx scripts/gen-workflow-docs.ts           write docs/infra/workflows-reference.md
 *   npx tsx scripts/gen-workflow-docs.ts --check   exit 1 when the committed file is out of date (CI)
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { cell, code, firstDifference, prose } from './gen-action-docs';

export const WORKFLOW_DOC_PATH = 'docs/infra/workflows-reference.md';
export const WORKFLOW_GENERATE_COMMAND = 'npx tsx scripts/gen-workflow-docs.ts';

export interface WorkflowSource {
  /** File name under .github/workflows/. */
  file: string;
  yamlText: string;
}

export interface WorkflowInputDoc {
  name: string;
  type: string;
  required: boolean;
  default: string | undefined;
  description: string;
}

export interface WorkflowDoc {
  file: string;
  name: string;
  /** The comment block at the top of the file, without the `#`. */
  summary: string;
  inputs: WorkflowInputDoc[];
  secrets: Array<{ name: string; required: boolean; description: string }>;
  outputs: Array<{ name: string; description: string }>;
}

type Yaml = Record<string, unknown>;
const isRecord = (value: unknown): value is Yaml => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value).trim());

function leadingComment(yamlText: string): string {
  const lines: string[] = [];
  for (const line of yamlText.split('\n')) {
    if (!line.startsWith('#')) break;
    lines.push(line.replace(/^#\s?/, ''));
  }
  // The first paragraph: diagrams and notes after a blank comment line stay in the file.
  const end = lines.findIndex((line) => line.trim() === '');
  return (end === -1 ? lines : lines.slice(0, end)).join(' ').replace(/\s+/g, ' ').trim();
}

/** The workflow_call interface of one workflow; undefined when the workflow is not reusable. */
export function parseWorkflowCall(source: WorkflowSource): WorkflowDoc | undefined {
  const where = `.github/workflows/${source.file}`;
  const doc: unknown = parse(source.yamlText);
  if (!isRecord(doc)) throw new Error(`${where}: expected a mapping at the top level`);
  const on = doc.on;
  if (!isRecord(on) || !('workflow_call' in on)) return undefined;
  const call = isRecord(on.workflow_call) ? on.workflow_call : {};
  const entries = (value: unknown) =>
    Object.entries(isRecord(value) ? value : {}).map(([name, spec]) => [name, isRecord(spec) ? spec : {}] as const);
  return {
    file: source.file,
    name: text(doc.name) || source.file,
    summary: leadingComment(source.yamlText),
    inputs: entries(call.inputs).map(([name, spec]) => {
      if (!['string', 'number', 'boolean'].includes(text(spec.type)))
        throw new Error(`${where}: input ${name} has type '${text(spec.type)}', expected string, number or boolean`);
      return {
        name,
        type: text(spec.type),
        required: spec.required === true,
        default: 'default' in spec ? String(spec.default) : undefined,
        description: text(spec.description),
      };
    }),
    secrets: entries(call.secrets).map(([name, spec]) => ({ name, required: spec.required === true, description: text(spec.description) })),
    outputs: entries(call.outputs).map(([name, spec]) => ({ name, description: text(spec.description) })),
  };
}

function renderWorkflow(wf: WorkflowDoc, owner: string, ref: string): string {
  const required = wf.inputs.filter((input) => input.required);
  const parts = [`## ${wf.file}`, '', prose(wf.summary || wf.name), ''];
  parts.push('```yaml', 'jobs:', '  call:', `    uses: ${owner}/gantry/.github/workflows/${wf.file}@${ref}`);
  if (required.length > 0) parts.push('    with:', ...required.map((input) => `      ${input.name}: <${input.name}>`));
  parts.push('```', '', `Source: [\`.github/workflows/${wf.file}\`](../../.github/workflows/${wf.file}).`, '');

  parts.push('### Inputs', '');
  if (wf.inputs.length === 0) parts.push('None.', '');
  else {
    parts.push('| name | type | required | default | description |', '| --- | --- | --- | --- | --- |');
    for (const input of wf.inputs) {
      const fallback = input.default === undefined ? '—' : input.default === '' ? "`''`" : cell(code(input.default));
      parts.push(
        `| ${code(input.name)} | ${input.type} | ${input.required ? 'yes' : 'no'} | ${fallback} | ${cell(prose(input.description))} |`,
      );
    }
    parts.push('');
  }
  parts.push('### Secrets', '');
  if (wf.secrets.length === 0) parts.push('None.', '');
  else {
    parts.push('| name | required | description |', '| --- | --- | --- |');
    for (const secret of wf.secrets)
      parts.push(`| ${code(secret.name)} | ${secret.required ? 'yes' : 'no'} | ${cell(prose(secret.description))} |`);
    parts.push('');
  }
  parts.push('### Outputs', '');
  if (wf.outputs.length === 0) parts.push('None.', '');
  else {
    parts.push('| name | description |', '| --- | --- |');
    for (const output of wf.outputs) parts.push(`| ${code(output.name)} | ${cell(prose(output.description))} |`);
    parts.push('');
  }
  return parts.join('\n');
}

/** GitHub's anchor for a `## <file>` heading: lower case, punctuation other than - and _ dropped. */
const anchorOf = (file: string) => file.toLowerCase().replace(/[^a-z0-9_-]/g, '');
const firstSentence = (summary: string) => /^.*?[.!?](?=\s|$)/.exec(summary)?.[0] ?? summary;

/** The whole of docs/infra/workflows-reference.md. Pure: the same sources give byte-identical output. */
export function renderWorkflowsDoc(sources: readonly WorkflowSource[], options: { owner?: string; ref?: string } = {}): string {
  const owner = options.owner ?? '<owner>';
  const ref = options.ref ?? 'v1';
  const workflows = [...sources]
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    .map(parseWorkflowCall)
    .filter((wf): wf is WorkflowDoc => wf !== undefined);
  const head = [
    `<!-- Generated by \`${WORKFLOW_GENERATE_COMMAND}\` from .github/workflows/*.yml (on.workflow_call). Do not edit by hand: edit the workflow and regenerate. -->`,
    '',
    '# Reusable workflow reference',
    '',
    `Every reusable workflow of gantry (\`on: workflow_call\`), with its inputs, secrets and outputs as declared. Call it from a job with \`uses: ${owner}/gantry/.github/workflows/<file>@${ref}\` (see [releasing.md](releasing.md) for what to pin) and pass inputs under \`with:\`, secrets under \`secrets:\`. An input of type \`boolean\` or \`number\` takes a YAML boolean or number (or an expression giving one); a \`string\` input given a number is converted by YAML first (\`1.10\` becomes \`1.1\`: quote it). How the workflows fit together: [workflows.md](workflows.md); the actions they call: [actions.md](actions.md).`,
    '',
    '| workflow | what it does |',
    '| --- | --- |',
    ...workflows.map((wf) => `| [${wf.file}](#${anchorOf(wf.file)}) | ${cell(prose(firstSentence(wf.summary) || wf.name))} |`),
    '',
  ];
  return `${[...head, ...workflows.map((wf) => renderWorkflow(wf, owner, ref))].join('\n').trimEnd()}\n`;
}

export function readWorkflowSources(root: string): WorkflowSource[] {
  const dir = path.join(root, '.github', 'workflows');
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((file) => ({ file, yamlText: readFileSync(path.join(dir, file), 'utf8') }));
}

function main(argv: readonly string[]): number {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const target = path.join(root, WORKFLOW_DOC_PATH);
  const expected = renderWorkflowsDoc(readWorkflowSources(root));
  if (!argv.includes('--check')) {
    writeFileSync(target, expected);
    console.log(`wrote ${WORKFLOW_DOC_PATH}`);
    return 0;
  }
  const actual = existsSync(target) ? readFileSync(target, 'utf8') : '';
  const diff = firstDifference(expected, actual);
  if (!diff) {
    console.log(`${WORKFLOW_DOC_PATH} is up to date`);
    return 0;
  }
  console.error(
    [
      `${WORKFLOW_DOC_PATH} is out of date with .github/workflows/*.yml${actual === '' ? ' (the file is missing)' : ''}.`,
      `First difference at line ${diff.line}:`,
      `  generated: ${diff.expected}`,
      `  committed: ${diff.actual}`,
      `Fix: run \`${WORKFLOW_GENERATE_COMMAND}\` and commit ${WORKFLOW_DOC_PATH}.`,
    ].join('\n'),
  );
  return 1;
}

const invokedPath = process.argv[1] ? pathToFileURL(path.resolve(process.argv[1])).href : '';
if (import.meta.url === invokedPath) process.exitCode = main(process.argv.slice(2));
