/**
 * A readable diff between two task definitions for dry-run: one line per changed leaf, with
 * containers, environment entries and tags addressed by name rather than array position.
 * Container environment values are not printed (teams keep credentials there although they
 * belong in `secrets`), except the release variables gantry sets itself.
 */

/** Environment variables whose values gantry writes and which are safe to show. */
const SHOWN_ENVIRONMENT = new Set(['DEPLOY_GIT_SHA', 'DEPLOY_VERSION']);

/** `containerDefinitions[app].environment[DATABASE_URL]` → `DATABASE_URL`; undefined for other paths. */
function environmentName(path: string): string | undefined {
  return /\.environment\[([^\]]+)\]$/.exec(path)?.[1];
}

function hidden(path: string): boolean {
  const name = environmentName(path);
  return name !== undefined && !SHOWN_ENVIRONMENT.has(name);
}

type Flat = Map<string, string>;

export function diffTaskDefinitions(live: unknown, rendered: unknown): string[] {
  const before = flatten(live);
  const after = flatten(rendered);
  const lines: string[] = [];
  for (const [path, value] of after) {
    const old = before.get(path);
    const secret = hidden(path);
    if (old === undefined) lines.push(`+ ${path}: ${secret ? '(value not shown)' : value}`);
    else if (old !== value) lines.push(`~ ${path}: ${secret ? 'value changed (not shown)' : `${old} → ${value}`}`);
  }
  for (const [path, value] of before) if (!after.has(path)) lines.push(`- ${path}: ${hidden(path) ? '(value not shown)' : value}`);
  return lines;
}

function flatten(value: unknown, prefix = '', out: Flat = new Map()): Flat {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(prefix, '[]');
    value.forEach((item, index) => flatten(item, `${prefix}[${keyOf(item) ?? index}]`, out));
  } else if (isNamedValue(value)) {
    out.set(prefix, JSON.stringify(value.value));
  } else if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) out.set(prefix, '{}');
    for (const [key, child] of entries) flatten(child, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

/** `name` (containers, environment, secrets) or `key` (tags) identifies an array item. */
function keyOf(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const record = item as Record<string, unknown>;
  if (typeof record.name === 'string') return record.name;
  if (typeof record.key === 'string') return record.key;
  return undefined;
}

/** `{name, value}` (environment) and `{key, value}` (tags) read best as one line. */
function isNamedValue(value: unknown): value is { value: unknown } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value).sort().join(',');
  return keys === 'name,value' || keys === 'key,value';
}
