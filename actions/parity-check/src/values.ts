/** Terraform value helpers: type names, deep equality, dot paths, short renderings. */

export type ValueType = 'string' | 'number' | 'bool' | 'list' | 'object' | 'null' | 'expression';

/**
 * A value Terraform would compute that this action does not (`var.x`, `f(1)`, `"a-${var.x}"`,
 * `%{ if … }` directives): kept as its text in Terraform's JSON syntax (`${var.x}`, `a-${var.x}`),
 * which is also how reports show it, and its type when the syntax fixes it (a template is a
 * string, `a + b` a number, `a == b` a bool); otherwise its type is unknown and matches any.
 * Strings are always literal strings: `"${x}"` in a .tfvars.json is text, as Terraform reads it.
 */
export class Unevaluated {
  constructor(
    readonly text: string,
    readonly type?: 'string' | 'number' | 'bool' | 'object',
  ) {}

  toJSON(): string {
    return this.text;
  }
}

export function isUnevaluated(value: unknown): value is Unevaluated {
  return value instanceof Unevaluated;
}

export function typeOf(value: unknown): ValueType {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Unevaluated) return value.type ?? 'expression';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}

/** A plain object value (a Terraform object or map); not a list, null or an Unevaluated. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Unevaluated);
}

/** Structural equality; object key order does not matter (Terraform maps are unordered). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // Two unevaluated expressions are the same when written the same.
  if (a instanceof Unevaluated || b instanceof Unevaluated)
    return a instanceof Unevaluated && b instanceof Unevaluated && a.text === b.text;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
}

export type PathLookup = { found: true; value: unknown } | { found: false };

/**
 * Resolve a dot path (`db.engine_version`, `subnets.0`) in a map of top-level variables. A map
 * key may itself contain dots (`"example.com"`), so every split of the path is tried.
 */
export function lookupPath(variables: ReadonlyMap<string, unknown>, dotPath: string): PathLookup {
  if (variables.has(dotPath)) return { found: true, value: variables.get(dotPath) };
  for (let dot = dotPath.indexOf('.'); dot !== -1; dot = dotPath.indexOf('.', dot + 1)) {
    const head = dotPath.slice(0, dot);
    if (variables.has(head)) {
      const found = lookupIn(variables.get(head), dotPath.slice(dot + 1));
      if (found.found) return found;
    }
  }
  return { found: false };
}

function lookupIn(value: unknown, rest: string): PathLookup {
  if (Array.isArray(value)) {
    const dot = rest.indexOf('.');
    const segment = dot === -1 ? rest : rest.slice(0, dot);
    if (!/^\d+$/.test(segment) || Number(segment) >= value.length) return { found: false };
    return dot === -1 ? { found: true, value: value[Number(segment)] } : lookupIn(value[Number(segment)], rest.slice(dot + 1));
  }
  if (!isObject(value)) return { found: false };
  return lookupPath(new Map(Object.entries(value)), rest);
}

/** Compact JSON for a report cell, cut to `max` characters. */
export function renderValue(value: unknown, max = 120): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
