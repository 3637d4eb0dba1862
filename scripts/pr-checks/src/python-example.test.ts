/**
 * The sample non-Node application (examples/python-service) through the PR checks' own scripts:
 * its caller workflow's `with:` evaluated into the env pr-checks.yml gives each step, then detect,
 * lint, test and the coverage gate run for real (python3, the stdlib trace-based Cobertura writer).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateWorkflowFile } from '../../validate-workflows';
import { coverage, detect, runStep } from './index';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const EXAMPLE = path.join(ROOT, 'examples/python-service');
const app = mkdtempSync(path.join(os.tmpdir(), 'gantry-python-app-'));
cpSync(EXAMPLE, app, { recursive: true, filter: (src) => !src.includes('__pycache__') });
afterAll(() => rmSync(app, { recursive: true, force: true }));

type Step = { id?: string; name?: string; env?: Record<string, string> };
const prChecks = parse(readFileSync(path.join(ROOT, '.github/workflows/pr-checks.yml'), 'utf8')) as {
  on: { workflow_call: { inputs: Record<string, { default?: unknown }> } };
  jobs: { node: { steps: Step[] } };
};
const callerWith = (
  parse(readFileSync(path.join(EXAMPLE, '.github/workflows/pull-request.yml'), 'utf8')) as {
    jobs: { checks: { with: Record<string, unknown> } };
  }
).jobs.checks.with;

/** A step's env: as GitHub evaluates it for this caller (inputs.x, a || b, steps.plan.outputs.x). */
function stepEnv(name: string, planOutputs: Record<string, string> = {}): Record<string, string> {
  const step = prChecks.jobs.node.steps.find((candidate) => candidate.name === name);
  if (!step?.env) throw new Error(`pr-checks.yml has no step '${name}' with env`);
  const operand = (text: string): string => {
    const input = /^inputs\.([\w-]+)$/.exec(text);
    if (input?.[1]) return String(callerWith[input[1]] ?? prChecks.on.workflow_call.inputs[input[1]]?.default ?? '');
    const output = /^steps\.plan\.outputs\.([\w-]+)$/.exec(text);
    if (output?.[1]) return planOutputs[output[1]] ?? '';
    throw new Error(`the test cannot evaluate ${text}`);
  };
  const evaluate = (expression: string) =>
    expression
      .split('||')
      .map((part) => operand(part.trim()))
      .find((value) => value !== '') ?? '';
  return Object.fromEntries(
    Object.entries(step.env).map(([key, value]) => [key, String(value).replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_m, e: string) => evaluate(e))]),
  );
}

const quiet = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };

describe('examples/python-service through pr-checks', () => {
  const plan = detect(stepEnv('Plan the checks (ecosystem, package manager, commands)'), app).outputs ?? {};

  it('detect: python with the caller’s commands and Cobertura coverage', () => {
    expect(plan).toMatchObject({
      ecosystem: 'python',
      manager: 'pip',
      'node-cache': '',
      lint: 'python3 -m compileall -q service tests tools',
      test: 'python3 tools/coverage_cobertura.py service coverage.xml',
      'coverage-file': 'coverage.xml',
      'coverage-format': 'cobertura',
    });
  });

  it('install, lint and test run for real, and the coverage gate reads the Cobertura report', () => {
    for (const name of ['Install', 'Lint', 'Test']) {
      const env = { ...quiet, ...stepEnv(name, plan) };
      expect(runStep(env, app).exitCode, name).toBe(0);
    }
    const report = readFileSync(path.join(app, 'coverage.xml'), 'utf8');
    expect(report).toMatch(/<coverage [^>]*lines-covered="\d+" lines-valid="\d+"/);
    const gate = coverage(stepEnv('Coverage threshold', plan), app);
    expect(gate.exitCode).toBe(0);
    expect(gate.lines[0]).toMatch(
      /^Line coverage (8\d|9\d|100)(\.\d+)?% \(threshold 80%\); cobertura report coverage\.xml, \d+ of \d+ lines\.$/,
    );

    const strict = coverage({ ...stepEnv('Coverage threshold', plan), THRESHOLD: '99' }, app);
    expect(strict.exitCode).toBe(1);
    expect(strict.lines.at(-1)).toMatch(
      /^::error title=Coverage below threshold::GANTRY-WF-072: Line coverage [\d.]+% \(threshold 99%\)\.$/,
    );
  });

  it('a failing unit test fails the Test step', () => {
    const broken = mkdtempSync(path.join(os.tmpdir(), 'gantry-python-broken-'));
    try {
      cpSync(app, broken, { recursive: true });
      const test = path.join(broken, 'tests/test_app.py');
      writeFileSync(
        test,
        readFileSync(test, 'utf8').replace('"commit": "a1b2c3d", "version": "1.2.0"', '"commit": "wrong", "version": "1.2.0"'),
      );
      const result = runStep({ ...quiet, ...stepEnv('Test', plan) }, broken);
      expect(result.exitCode).toBe(1);
      expect(result.lines).toEqual([
        "::error title=Test failed::GANTRY-WF-067: 'python3 tools/coverage_cobertura.py service coverage.xml' exited with 1.",
      ]);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it.each(['pull-request.yml', 'deploy-staging.yml'])(
    'its %s is valid for GitHub’s parser and actionlint against gantry’s workflows',
    async (file) => {
      expect((await validateWorkflowFile(path.join(EXAMPLE, '.github/workflows', file))).problems).toEqual([]);
    },
  );
});
