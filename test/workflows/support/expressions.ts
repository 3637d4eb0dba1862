/** Finding `${{ … }}` expressions in workflow values and the context references inside them. */
import { isMapping } from './workflow-model';

export interface Found {
  /** Dotted path of the value inside the job or workflow, e.g. `steps[3].with.image`. */
  where: string;
  expression: string;
}

const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g;

export function expressionsInText(text: string): string[] {
  return [...text.matchAll(EXPRESSION)].map((match) => (match[1] ?? '').trim());
}

/** Every expression in any string below `value`, with where it was found. */
export function expressionsIn(value: unknown, where = ''): Found[] {
  if (typeof value === 'string') return expressionsInText(value).map((expression) => ({ where, expression }));
  if (Array.isArray(value)) return value.flatMap((item, index) => expressionsIn(item, `${where}[${index}]`));
  if (isMapping(value)) {
    return Object.entries(value).flatMap(([key, item]) => expressionsIn(item, where ? `${where}.${key}` : key));
  }
  return [];
}

export interface OutputReference {
  /** The job id (needs.X) or step id (steps.X). */
  owner: string;
  output: string;
}

/** `needs.<job>.outputs.<name>` references. */
export function needsOutputs(expression: string): OutputReference[] {
  return [...expression.matchAll(/\bneeds\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)].map((m) => ({
    owner: m[1] ?? '',
    output: m[2] ?? '',
  }));
}

/** Every job named in `needs.<job>` (outputs, result). */
export function needsJobs(expression: string): string[] {
  return [...expression.matchAll(/\bneeds\.([A-Za-z0-9_-]+)/g)].map((m) => m[1] ?? '');
}

/** `steps.<id>.outputs.<name>` references. */
export function stepOutputs(expression: string): OutputReference[] {
  return [...expression.matchAll(/\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)].map((m) => ({
    owner: m[1] ?? '',
    output: m[2] ?? '',
  }));
}

/** Every step id named in `steps.<id>` (outputs, outcome, conclusion). */
export function stepIds(expression: string): string[] {
  return [...expression.matchAll(/\bsteps\.([A-Za-z0-9_-]+)/g)].map((m) => m[1] ?? '');
}

/** `jobs.<job>.outputs.<name>` references (in on.workflow_call.outputs). */
export function jobOutputs(expression: string): OutputReference[] {
  return [...expression.matchAll(/\bjobs\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)].map((m) => ({
    owner: m[1] ?? '',
    output: m[2] ?? '',
  }));
}

/** Names after `<context>.` — `inputs`, `secrets`. */
export function contextProperties(expression: string, context: 'inputs' | 'secrets'): string[] {
  return [...expression.matchAll(new RegExp(`(?<![\\w.-])${context}\\.([A-Za-z0-9_-]+)`, 'g'))].map((m) => m[1] ?? '');
}

/** When the whole value is one expression (`${{ inputs.x }}`), that expression; otherwise undefined. */
export function soleExpression(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^\s*\$\{\{([\s\S]*?)\}\}\s*$/.exec(value);
  return match ? (match[1] ?? '').trim() : undefined;
}
