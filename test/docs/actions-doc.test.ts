/**
 * docs/infra/actions.md is generated from actions/*\/action.yml; these tests fail when someone
 * changes an action's interface without regenerating the reference (the fix is in the message).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  DOC_PATH,
  GENERATE_COMMAND,
  firstDifference,
  parseActionMetadata,
  readActionSources,
  renderActionsDoc,
  type ActionSource,
} from '../../scripts/gen-action-docs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const sources = readActionSources(root);
const committed = readFileSync(path.join(root, DOC_PATH), 'utf8');

function withAction(name: string, change: (doc: Record<string, unknown>) => void): ActionSource[] {
  return sources.map((source) => {
    if (source.name !== name) return source;
    const doc = parse(source.yamlText) as Record<string, unknown>;
    change(doc);
    return { name, yamlText: stringify(doc) };
  });
}

describe('docs/infra/actions.md', () => {
  it('is up to date with actions/*/action.yml', () => {
    const generated = renderActionsDoc(sources);
    const diff = firstDifference(generated, committed);
    expect(diff, `${DOC_PATH} is out of date: run \`${GENERATE_COMMAND}\` (first difference: ${JSON.stringify(diff)})`).toBeUndefined();
  });

  it('covers all five actions with a uses: example, inputs and outputs', () => {
    expect(sources.map((s) => s.name)).toEqual(
      expect.arrayContaining(['deploy-ecs', 'parity-check', 'rollback', 'smoke-test', 'terraform']),
    );
    for (const { name } of sources) {
      expect(committed).toContain(`## ${name}\n`);
      expect(committed).toContain(`- uses: <owner>/gantry/actions/${name}@v1`);
    }
    expect(committed.match(/^### Inputs$/gm)).toHaveLength(sources.length);
    expect(committed.match(/^### Outputs$/gm)).toHaveLength(sources.length);
  });

  it('is deterministic and independent of the order the sources are read in', () => {
    expect(renderActionsDoc([...sources].reverse())).toBe(renderActionsDoc(sources));
  });

  it('detects a new input added to an action.yml', () => {
    const changed = withAction('rollback', (doc) => {
      (doc.inputs as Record<string, unknown>)['max-history'] = {
        description: 'How many revisions to search.',
        required: false,
        default: '100',
      };
    });
    const generated = renderActionsDoc(changed);
    expect(generated).toContain('| `max-history` | no | `100` | How many revisions to search. |');
    expect(firstDifference(generated, committed)).toBeDefined();
  });

  it('detects a changed default, a required flag and a removed output', () => {
    const changed = withAction('deploy-ecs', (doc) => {
      const inputs = doc.inputs as Record<string, Record<string, unknown>>;
      inputs['timeout-seconds'].default = '1200';
      inputs.image.required = true;
      delete (doc.outputs as Record<string, unknown>)['deployment-id'];
    });
    const generated = renderActionsDoc(changed);
    expect(generated).toContain('| `timeout-seconds` | no | `1200` |');
    expect(generated).toMatch(/\| `image` \| yes \|/);
    expect(generated).not.toContain('| `deployment-id` | ECS deployment id of the rollout. |');
    expect(generated).toContain('    image: <image>');
    expect(firstDifference(generated, committed)).toBeDefined();
  });

  it('escapes table-breaking characters and HTML-looking placeholders', () => {
    const doc = renderActionsDoc([
      {
        name: 'demo',
        yamlText: [
          'name: demo',
          'description: Reads secretsmanager:<secret-id> values.',
          'inputs:',
          '  mode:',
          '    description: "a | b, see `x|<y>`"',
          "    default: '${{ github.token }}'",
          'outputs:',
          '  result:',
          '    description: |',
          '      first line',
          '      second line',
          'runs: { using: node24, main: dist/index.js }',
        ].join('\n'),
      },
    ]);
    expect(doc).toContain('Reads secretsmanager:&lt;secret-id&gt; values.');
    expect(doc).toContain('| `mode` | no | `${{ github.token }}` | a \\| b, see `x\\|<y>` |');
    expect(doc).toContain('| `result` | first line<br>second line |');
  });

  it('names the file when an action.yml is malformed', () => {
    expect(() => parseActionMetadata({ name: 'broken', yamlText: 'inputs: [oops' })).toThrow(/actions\/broken\/action.yml: not valid YAML/);
    expect(() => parseActionMetadata({ name: 'nodesc', yamlText: 'name: x\n' })).toThrow(
      /actions\/nodesc\/action.yml: 'description' is missing/,
    );
  });
});
