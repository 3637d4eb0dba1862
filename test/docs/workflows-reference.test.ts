/**
 * docs/infra/workflows-reference.md is generated from every `on.workflow_call`; a workflow input,
 * secret or output changed without regenerating fails here (and in .ci/run's --check).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { firstDifference } from '../../scripts/gen-action-docs';
import {
  WORKFLOW_DOC_PATH,
  WORKFLOW_GENERATE_COMMAND,
  parseWorkflowCall,
  readWorkflowSources,
  renderWorkflowsDoc,
  type WorkflowSource,
} from '../../scripts/gen-workflow-docs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const sources = readWorkflowSources(root);
const committed = readFileSync(path.join(root, WORKFLOW_DOC_PATH), 'utf8');

function withWorkflow(file: string, change: (call: Record<string, Record<string, unknown>>) => void): WorkflowSource[] {
  return sources.map((source) => {
    if (source.file !== file) return source;
    const doc = parse(source.yamlText) as { on: { workflow_call: Record<string, Record<string, unknown>> } };
    change(doc.on.workflow_call);
    return { file, yamlText: stringify(doc) };
  });
}

describe('docs/infra/workflows-reference.md', () => {
  it('is up to date with .github/workflows/*.yml', () => {
    const diff = firstDifference(renderWorkflowsDoc(sources), committed);
    expect(
      diff,
      `${WORKFLOW_DOC_PATH} is out of date: run \`${WORKFLOW_GENERATE_COMMAND}\` (first difference: ${JSON.stringify(diff)})`,
    ).toBeUndefined();
  });

  it('documents every reusable workflow and only those (ci.yml and release.yml are not callable)', () => {
    const reusable = sources.filter((source) => parseWorkflowCall(source)).map((source) => source.file);
    expect(reusable).toEqual(['deploy.yml', 'drift.yml', 'pr-checks.yml', 'rollback.yml']);
    for (const file of reusable) expect(committed).toContain(`## ${file}\n`);
    expect(committed).not.toContain('## ci.yml');
    expect(committed.match(/^### Inputs$/gm)).toHaveLength(4);
  });

  it('every declared input, secret and output has its row, with type and default', () => {
    for (const source of sources) {
      const wf = parseWorkflowCall(source);
      if (!wf) continue;
      for (const input of wf.inputs)
        expect(committed, `${wf.file} input ${input.name}`).toMatch(
          new RegExp(`^\\| \`${input.name}\` \\| ${input.type} \\| ${input.required ? 'yes' : 'no'} \\|`, 'm'),
        );
      for (const secret of wf.secrets) expect(committed).toContain(`| \`${secret.name}\` | ${secret.required ? 'yes' : 'no'} |`);
      for (const output of wf.outputs) expect(committed).toContain(`| \`${output.name}\` |`);
    }
    expect(committed).toContain('| `rollout-timeout-seconds` | number | no | `900` |');
  });

  it('a new input, a changed default or a removed output without regenerating is caught', () => {
    const added = renderWorkflowsDoc(
      withWorkflow('deploy.yml', (call) => {
        call.inputs!['max-surge'] = { description: 'Surge.', type: 'number', default: 200 };
      }),
    );
    expect(added).toContain('| `max-surge` | number | no | `200` | Surge. |');
    expect(firstDifference(added, committed)).toBeDefined();
    const changedDefault = renderWorkflowsDoc(
      withWorkflow('pr-checks.yml', (call) => {
        (call.inputs!['coverage-threshold'] as Record<string, unknown>).default = 80;
      }),
    );
    expect(firstDifference(changedDefault, committed)).toBeDefined();
    const removed = renderWorkflowsDoc(
      withWorkflow('deploy.yml', (call) => {
        delete call.outputs!.status;
      }),
    );
    expect(firstDifference(removed, committed)).toBeDefined();
  });

  it('refuses an input type GitHub does not have', () => {
    const [bad] = withWorkflow('drift.yml', (call) => {
      (Object.values(call.inputs!)[0] as Record<string, unknown>).type = 'choice';
    }).filter((source) => source.file === 'drift.yml');
    expect(() => parseWorkflowCall(bad!)).toThrow(/input .* has type 'choice', expected string, number or boolean/);
  });
});
