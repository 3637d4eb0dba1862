/**
 * Validating one check against its type's schema (check-schemas.ts), and the translation of
 * ajv's errors into lines a person can act on: `checks[2].expect.status: must be an HTTP status …
 * (got "20x")`. Values under `headers`, or inside an object marked `secret`, are never echoed
 * (only their type and size): this runs before any secret is masked.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import compiledValidators from './check-validators.generated.cjs';
import { validatorExportName } from './check-schemas';
import type { CheckType } from './definitions';

export interface DefinitionProblem {
  /** Where: `checks[2].expect.status`. */
  field: string;
  message: string;
}

// Compiled ahead of time (scripts/gen-check-validators.ts): compiling at run time took ≈ 30 ms of
// the action's start. check-schemas.ts stays the source of truth; a test keeps the two in step.
function validatorFor(type: CheckType): ValidateFunction {
  const validate = compiledValidators[validatorExportName(type)];
  if (!validate) throw new Error(`no compiled validator for check type ${type}: run npx tsx scripts/gen-check-validators.ts`);
  return validate;
}

/** Validate one check (already known to be an object of a known type) against its schema. */
export function schemaProblems(type: CheckType, check: unknown, prefix: string): DefinitionProblem[] {
  const validate = validatorFor(type);
  if (validate(check)) return [];
  return describeAjvErrors(validate.errors ?? [], prefix, check);
}

/**
 * One line per problem. A failed `anyOf` is reported once, with the schema's description,
 * instead of one line per branch it tried.
 */
export function describeAjvErrors(errors: readonly ErrorObject[], prefix: string, root?: unknown): DefinitionProblem[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.schemaPath.replace(/\/anyOf$/, ''));
  const problems: DefinitionProblem[] = [];
  for (const error of errors) {
    const insideUnion = unions.some((u) => error.schemaPath.startsWith(`${u}/anyOf/`));
    if (insideUnion) continue;
    const field = prefix + pointerToField(error.instancePath);
    const problem = describeOne(error, field, isSensitive(root, error.instancePath, error.data));
    if (!problems.some((p) => p.field === problem.field && p.message === problem.message)) problems.push(problem);
  }
  return problems;
}

function describeOne(error: ErrorObject, field: string, sensitive: boolean): DefinitionProblem {
  const got = ` (got ${sensitive ? describeShape(error.data) : formatValue(error.data)})`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { field: `${field}${fieldSuffix(String(params.missingProperty))}`, message: 'is required' };
    case 'additionalProperties': {
      const allowed = Object.keys((error.parentSchema as { properties?: object })?.properties ?? {});
      const suffix = allowed.length ? ` (allowed: ${allowed.join(', ')})` : '';
      return { field: `${field}${fieldSuffix(String(params.additionalProperty))}`, message: `is not a known field${suffix}` };
    }
    case 'enum':
      return { field, message: `must be one of ${(params.allowedValues as unknown[]).join(', ')}${got}` };
    case 'anyOf':
      return { field, message: `must be ${(error.parentSchema as { description?: string })?.description ?? 'valid'}${got}` };
    case 'type':
      return { field, message: `must be ${article(String(params.type))}${got}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { field, message: `${error.message ?? 'is out of range'}${got}` };
    case 'pattern':
      return { field, message: `must match ${String(params.pattern)}${got}` };
    case 'minLength':
      return { field, message: params.limit === 1 ? 'must not be empty' : `${error.message}${got}` };
    default:
      return { field, message: `${error.message ?? 'is invalid'}${got}` };
  }
}

function article(type: string): string {
  const names = type
    .split(',')
    .map((t) => (t === 'integer' ? 'an integer' : t === 'object' ? 'an object' : t === 'array' ? 'a list' : `a ${t}`));
  return names.join(' or ');
}

/** JSON pointer `/expect/status/0` → `.expect.status[0]`. */
export function pointerToField(pointer: string): string {
  if (!pointer) return '';
  return pointer
    .split('/')
    .slice(1)
    .map((raw) => fieldSuffix(raw.replace(/~1/g, '/').replace(/~0/g, '~')))
    .join('');
}

export function fieldSuffix(key: string): string {
  if (/^\d+$/.test(key)) return `[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/**
 * Is the value at `pointer` a header value or inside something marked secret? Header values
 * carry tokens; a `{value: …, secret: …}` object is secret even when `secret` is misspelt.
 */
function isSensitive(root: unknown, pointer: string, data: unknown): boolean {
  const hasSecretKey = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v) && 'secret' in v;
  let cursor = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (key === 'headers' || hasSecretKey(cursor)) return true;
    cursor = cursor !== null && typeof cursor === 'object' ? (cursor as Record<string, unknown>)[key] : undefined;
  }
  return hasSecretKey(cursor) || hasSecretKey(data);
}

/** The type and size of a value, never its content: `a string of 21 characters`. */
export function describeShape(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `a string of ${value.length} character${value.length === 1 ? '' : 's'}`;
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return 'an empty object';
    const shown = keys.slice(0, 5).map((k) => fieldSuffix(k).replace(/^\./, ''));
    return `an object with field${keys.length === 1 ? '' : 's'} ${shown.join(', ')}${keys.length > 5 ? ', …' : ''}`;
  }
  return `a ${typeof value}`;
}

export function formatValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
