/**
 * Statements the docs make in more than one place, or about the code, checked against each other so
 * a contradiction fails here (issue 18, item 9).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const markdownFiles = [
  'README.md',
  ...readdirSync(path.join(root, 'docs/infra'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/infra/${f}`),
  'examples/config/README.md',
  'examples/terraform/README.md',
];

describe('the docs agree with each other and with the code', () => {
  it('a staging rollback is dispatched from develop everywhere (GitHub records it under that branch head)', () => {
    const offenders: string[] = [];
    for (const file of markdownFiles) {
      read(file)
        .split('\n')
        .forEach((line, index) => {
          if (/rollback/i.test(line) && /from\*?\s*\(?`main`/.test(line) && !/`develop`/.test(line))
            offenders.push(`${file}:${index + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
    expect(read('docs/infra/runbook.md')).toMatch(
      /## Roll back \(the one click\)\n\n1\. [^\n]*\n\s*`develop` for staging, `main` for production/,
    );
    expect(read('docs/infra/rollback.md')).toContain('(from `develop` for staging, `main` for production)');
  });

  it('the Terraform version the README asks for is the one versions.tf requires', () => {
    const readme = /Terraform ≥ (\d+\.\d+)/.exec(read('README.md'))?.[1];
    const required = /required_version\s*=\s*">=\s*(\d+\.\d+)"/.exec(read('examples/terraform/versions.tf'))?.[1];
    expect(readme).toBeDefined();
    expect(required).toBe(readme);
    expect(read('.ci/run')).toContain(`terraform is required (>= ${readme})`);
  });

  it('third-party actions in the examples’ READMEs are pinned to a full SHA, as the workflows are', () => {
    for (const file of markdownFiles.filter((f) => f.startsWith('examples/'))) {
      for (const [, uses] of read(file).matchAll(/uses:\s*(\S+)/g)) {
        if (/\/gantry\//.test(String(uses))) continue;
        expect(uses, `${file}: ${uses}`).toMatch(/@[0-9a-f]{40}$/);
      }
    }
  });

  it('the example Terraform’s task definition family is task-definition.json’s', () => {
    const family = (JSON.parse(read('examples/task-definition.json')) as { family: string }).family;
    expect(read('examples/terraform/main.tf')).toMatch(/family\s+=\s+var\.service_name/);
    expect(read('examples/terraform/variables.tf')).toMatch(new RegExp(`variable "service_name" \\{[^}]*default\\s+=\\s+"${family}"`));
  });

  it('the Terraform guidance says the service ignores task_definition (deploy.yml applies before every deploy)', () => {
    for (const file of ['README.md', 'examples/terraform/README.md', 'examples/terraform/main.tf'])
      expect(read(file), file).toMatch(/ignore_changes = \[task_definition\]/);
  });

  it('values-must-match is never recommended for the image repository (ECR URIs differ per account)', () => {
    const example = read('examples/config/README.md');
    const block = /values-must-match: \|\n((?:\s{6}\S+\n)+)/.exec(example)?.[1] ?? '';
    expect(block.trim().split(/\s+/)).not.toContain('image_repository');
    expect(block.trim().split(/\s+/).length).toBeGreaterThan(0);
  });

  it('a manual smoke test with expect-version passes the workflows’ version-path and version-field', () => {
    const deploy = parse(read('.github/workflows/deploy.yml')) as {
      on: { workflow_call: { inputs: Record<string, { default?: string }> } };
    };
    const { 'version-path': versionPath, 'version-field': versionField } = deploy.on.workflow_call.inputs;
    for (const file of markdownFiles) {
      for (const [command] of read(file).matchAll(/env [^`]*?INPUT_EXPECT-VERSION[^`]*?node actions\/smoke-test\/dist\/index\.js/g)) {
        expect(command, file).toContain(`INPUT_VERSION-PATH=${versionPath?.default}`);
        expect(command, file).toContain(`INPUT_VERSION-FIELD=${versionField?.default}`);
      }
    }
    expect(read('docs/infra/disaster-recovery.md')).toContain('INPUT_VERSION-FIELD=gitSha');
  });

  it('the demo’s --keep hint sets AWS_DEFAULT_REGION for the AWS CLI v1', () => {
    expect(read('scripts/demo.ts')).toMatch(/AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1/);
  });
});
