/**
 * A deliberately small, strict JSON path: `$`, `.key`, `['key']` / `["key"]` and `[index]`.
 * No wildcards, filters or recursive descent: a smoke check asserts one value at one place,
 * and a typo in a path must fail when the checks are loaded, not silently match nothing.
 */

export type PathSegment = { kind: 'key'; key: string } | { kind: 'index'; index: number };

export class JsonPathError extends Error {
  constructor(path: string, position: number, problem: string) {
    super(`invalid JSON path '${path}' at position ${position + 1}: ${problem} (expected a path like $.a.b[0].c)`);
    this.name = 'JsonPathError';
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*/;

export function parseJsonPath(path: string): PathSegment[] {
  if (!path.startsWith('$')) throw new JsonPathError(path, 0, "a path starts with '$'");
  const segments: PathSegment[] = [];
  let i = 1;
  while (i < path.length) {
    const char = path[i];
    if (char === '.') {
      const rest = path.slice(i + 1);
      if (rest.startsWith('.')) throw new JsonPathError(path, i, "recursive descent '..' is not supported");
      if (rest.startsWith('*')) throw new JsonPathError(path, i + 1, "wildcards '*' are not supported");
      const match = IDENTIFIER.exec(rest);
      if (!match) throw new JsonPathError(path, i + 1, "expected a key name after '.' (use ['key'] for other characters)");
      segments.push({ kind: 'key', key: match[0] });
      i += 1 + match[0].length;
    } else if (char === '[') {
      const parsed = parseBracket(path, i);
      segments.push(parsed.segment);
      i = parsed.end;
    } else {
      throw new JsonPathError(path, i, `unexpected '${char}'`);
    }
  }
  return segments;
}

function parseBracket(path: string, open: number): { segment: PathSegment; end: number } {
  const quote = path[open + 1];
  if (quote === "'" || quote === '"') {
    let key = '';
    let i = open + 2;
    for (; i < path.length && path[i] !== quote; i += 1) {
      // A backslash escapes the quote or itself, so keys may contain either.
      if (path[i] === '\\' && (path[i + 1] === quote || path[i + 1] === '\\')) i += 1;
      key += path[i];
    }
    if (i >= path.length) throw new JsonPathError(path, open, 'unterminated quoted key');
    if (path[i + 1] !== ']') throw new JsonPathError(path, i + 1, "expected ']' after the quoted key");
    return { segment: { kind: 'key', key }, end: i + 2 };
  }
  const close = path.indexOf(']', open);
  if (close < 0) throw new JsonPathError(path, open, "unterminated '['");
  const inside = path.slice(open + 1, close);
  if (inside === '*') throw new JsonPathError(path, open + 1, "wildcards '*' are not supported");
  if (!/^(0|[1-9]\d*)$/.test(inside)) {
    throw new JsonPathError(path, open + 1, `'${inside}' is not an array index (a non-negative integer) or a quoted key`);
  }
  return { segment: { kind: 'index', index: Number(inside) }, end: close + 1 };
}

export function formatJsonPath(segments: readonly PathSegment[]): string {
  return (
    '$' +
    segments
      .map((s) => {
        if (s.kind === 'index') return `[${s.index}]`;
        return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(s.key) ? `.${s.key}` : `[${JSON.stringify(s.key)}]`;
      })
      .join('')
  );
}

export type PathLookup = { found: true; value: unknown } | { found: false; problem: string };

/** Follow the path; when it breaks, say where and why (a missing key, an index past the end, a wrong type). */
export function lookupJsonPath(document: unknown, segments: readonly PathSegment[]): PathLookup {
  let current: unknown = document;
  for (let i = 0; i < segments.length; i += 1) {
    const segment = segments[i];
    const at = formatJsonPath(segments.slice(0, i));
    if (segment.kind === 'index') {
      if (!Array.isArray(current)) return { found: false, problem: `${at} is ${describeJsonType(current)}, not an array` };
      if (segment.index >= current.length) {
        return { found: false, problem: `${at} has ${current.length} element(s), no index ${segment.index}` };
      }
      current = current[segment.index];
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) {
        return { found: false, problem: `${at} is ${describeJsonType(current)}, not an object` };
      }
      if (!Object.prototype.hasOwnProperty.call(current, segment.key)) {
        return { found: false, problem: `${at} has no key '${segment.key}'` };
      }
      current = (current as Record<string, unknown>)[segment.key];
    }
  }
  return { found: true, value: current };
}

export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** Structural equality of JSON values (key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  const bo = b as Record<string, unknown>;
  return (
    ak.length === bk.length &&
    ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && jsonEqual((a as Record<string, unknown>)[k], bo[k]))
  );
}
