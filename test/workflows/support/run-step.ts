/**
 * Runs one `uses: ./.gantry/actions/<name>` step of a workflow as the runner would: its `with:` values
 * (each `${{ … }}` replaced by a test value; an expression the test does not provide fails loudly), the
 * action.yml defaults for inputs the step leaves out, then the bundle through the runner harness.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { runAction, type ActionResult, type RunActionOptions } from '../../support/harness';
import { soleExpression } from './expressions';
import { REPO_ROOT } from './repo-files';
import { gantryActionOf, isMapping, type Step } from './workflow-model';

/** Evaluates the `${{ a || b || 'c' }}` forms the workflows use, from a table of context values. */
export function evaluate(expression: string, values: Record<string, string>, where: string): string {
  for (const part of expression.split('||').map((p) => p.trim())) {
    const literal = /^'(.*)'$/.exec(part);
    const value = literal ? literal[1] : values[part];
    if (value === undefined) throw new Error(`${where} uses \${{ ${part} }}, which this test does not provide`);
    if (value !== '') return value;
  }
  return '';
}

export function stepInputs(step: Step, values: Record<string, string>): Record<string, string> {
  const name = gantryActionOf(step);
  if (!name) throw new Error(`step ${step.id ?? step.index} does not use a gantry action`);
  const action = parse(readFileSync(path.join(REPO_ROOT, 'actions', name, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, { default?: unknown }>;
  };
  const inputs: Record<string, string> = {};
  for (const [input, spec] of Object.entries(action.inputs ?? {})) {
    if (isMapping(spec) && spec.default !== undefined) {
      const text = String(spec.default);
      const expression = soleExpression(text);
      inputs[input] = expression === undefined ? text : evaluate(expression, values, `action.yml default of ${input}`);
    }
  }
  for (const [input, raw] of Object.entries(step.with)) {
    const expression = soleExpression(raw);
    inputs[input] = expression === undefined ? String(raw) : evaluate(expression, values, `with.${input}`);
  }
  return inputs;
}

export async function runWorkflowStep(step: Step, values: Record<string, string>, options: RunActionOptions = {}): Promise<ActionResult> {
  const name = gantryActionOf(step) as string;
  return runAction(name, stepInputs(step, values), options);
}
