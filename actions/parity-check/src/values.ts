/** Terraform value helpers: type names, deep equality, dot paths, short renderings. */

export type ValueType = 'string' | 'number' | 'bool' | 'list' | 'object' | 'null' | 'expression';

/**
 * hcl2json keeps an expression it cannot reduce to a literal (`1 + 2`, `var.x`) as the string
 * `"${…}"`; its type is unknown until Terraform evaluates it, so it matches any type.
 */
export function isExpression(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith('${') && value.endsWith('}');
}

export function typeOf(value: unknown): ValueType {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'string':
      return isExpression(value) ? 'expression' : 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Structural equality; object key order does not matter (Terraform maps are unordered). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
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
