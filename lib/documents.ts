/**
 * JSON and YAML documents a user gives (task definitions, toggle manifests, var files, check
 * lists), parsed with the limits a hand-written file never reaches: a size, a nesting depth
 * (checked before any recursive parser runs, so no `Maximum call stack size exceeded`), no
 * duplicate keys (JSON.parse and YAML loaders keep the last one silently: `"family"` twice
 * switches the family) and no NUL characters. Every problem is a `DocumentError` with the line,
 * which the caller turns into an error naming its input. Messages name keys and positions,
 * never values: these files may hold secrets.
 */
import { parse as parseMomoa, type AnyNode } from '@humanwhocodes/momoa';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';

export interface DocumentLimits {
  /** Largest text accepted, in bytes (UTF-8). */
  maxBytes?: number;
  /** Deepest nesting of objects and arrays; the top-level object or array is depth 1. */
  maxDepth?: number;
}

export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 64;
/** YAML aliases expanded at most this many times (the `yaml` package's default, said explicitly: no billion laughs). */
const MAX_ALIAS_COUNT = 100;

export type DocumentProblemKind = 'size' | 'depth' | 'duplicate-key' | 'nul' | 'syntax';

export class DocumentError extends Error {
  constructor(
    readonly kind: DocumentProblemKind,
    /** What is wrong, without the position (e.g. `duplicate key 'family' (lines 2 and 9)`). */
    readonly problem: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line === undefined ? problem : `line ${line}: ${problem}`);
    this.name = 'DocumentError';
  }
}

export interface ParsedJson {
  value: unknown;
  /** Line of each top-level key (when the document is an object). */
  keyLines: Map<string, number>;
}

/** A JSON document: the value JSON.parse gives, after every limit above is checked. */
export function parseJsonDocument(text: string, limits: DocumentLimits = {}): ParsedJson {
  checkSize(text, limits);
  scanJsonDepth(text, limits.maxDepth ?? DEFAULT_MAX_DEPTH);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw jsonSyntaxError(text);
  }
  const keyLines = new Map<string, number>();
  const body = parseMomoa(text, { mode: 'json' }).body;
  checkJsonNode(body, '', keyLines, true);
  return { value, keyLines };
}

export interface ParsedYaml {
  value: unknown;
}

/** A YAML (or JSON, which is YAML) document, with the same limits. */
export function parseYamlDocument(text: string, limits: DocumentLimits = {}): ParsedYaml {
  checkSize(text, limits);
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  const lineCounter = new LineCounter();
  // uniqueKeys off: the walk below reports a duplicate with both lines, not only the second.
  const document = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const lineOf = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
  const columnOf = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).col);
  const error = document.errors[0];
  if (error) {
    if (/Maximum call stack size exceeded/.test(error.message)) {
      throw new DocumentError('depth', `nested more than ${maxDepth} levels deep`, lineOf(error.pos[0]));
    }
    const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
    throw new DocumentError('syntax', message, lineOf(error.pos[0]), columnOf(error.pos[0]));
  }
  checkYamlNode(document.contents, '', 1, maxDepth, lineOf);
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/Maximum call stack size exceeded/.test(message)) throw new DocumentError('depth', `nested more than ${maxDepth} levels deep (through aliases)`);
    throw new DocumentError('syntax', message);
  }
  return { value };
}

function checkSize(text: string, limits: DocumentLimits): void {
  const max = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  // Cheap bound first: a UTF-16 unit is at most 3 UTF-8 bytes.
  if (text.length * 3 <= max) return;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > max) throw new DocumentError('size', `is ${formatBytes(bytes)}, more than the ${formatBytes(max)} allowed`);
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) ? 1 : 0)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(bytes % 1024 ? 1 : 0)} KiB`;
  return `${bytes} bytes`;
}

/**
 * One pass over the text, strings skipped: the first bracket deeper than `maxDepth`, and the
 * first raw control character inside a string (JSON.parse rejects it without a position).
 */
function scanJsonDepth(text: string, maxDepth: number): void {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x0a) {
      line += 1;
      lineStart = i + 1;
    } else if (code === 0x7b || code === 0x5b) {
      depth += 1;
      if (depth > maxDepth) throw new DocumentError('depth', `nested more than ${maxDepth} levels deep`, line, i - lineStart + 1);
    } else if (code === 0x7d || code === 0x5d) {
      depth -= 1;
    } else if (code === 0x22) {
      for (i += 1; i < text.length && text.charCodeAt(i) !== 0x22; i += 1) {
        const inner = text.charCodeAt(i);
        if (inner === 0x5c) i += 1;
        else if (inner < 0x20) {
          const what = inner === 0 ? 'a NUL character' : inner === 0x0a ? 'a line break' : 'a control character';
          throw new DocumentError(inner === 0 ? 'nul' : 'syntax', `invalid JSON: ${what} inside a string (escape it)`, line, i - lineStart + 1);
        }
      }
    }
  }
}

const TOKEN_NAMES: Record<string, string> = {
  LBrace: "'{'", RBrace: "'}'", LBracket: "'['", RBracket: "']'", Colon: "':'", Comma: "','", String: 'a string', Number: 'a number', Boolean: 'true/false', Null: 'null',
};

function jsonSyntaxError(text: string): DocumentError {
  try {
    parseMomoa(text, { mode: 'json' });
  } catch (err) {
    const e = err as Error & { line?: number; column?: number };
    // momoa quotes at most one character ("Unexpected character 'x' found. (1:8)").
    const problem = e.message
      .replace(/\s*\(\d+:\d+\)$/, '')
      .replace(/\.$/, '')
      .replace(/token (\w+)/, (_m, token: string) => TOKEN_NAMES[token] ?? token)
      .replace(/^Unexpected/, 'unexpected')
      .replace(/ found$/, '');
    return new DocumentError('syntax', `invalid JSON: ${problem}`, e.line, e.column);
  }
  return new DocumentError('syntax', 'invalid JSON');
}

function pathOf(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? (parent ? `${parent}.${key}` : key) : `${parent}[${JSON.stringify(key)}]`;
}

function describeKey(key: string): string {
  const shown = key.length > 80 ? `${key.slice(0, 80)}…` : key;
  return JSON.stringify(shown);
}

/** Duplicate keys and NUL characters, depth already bounded (so the recursion is too). */
function checkJsonNode(node: AnyNode, path: string, keyLines: Map<string, number>, top: boolean): void {
  if (node.type === 'Object') {
    const seen = new Map<string, number>();
    for (const member of node.members) {
      const key = member.name.type === 'String' ? member.name.value : member.name.name;
      const line = member.name.loc.start.line;
      if (key.includes('\0')) throw new DocumentError('nul', `a NUL character in a key of ${path || 'the top level'}`, line);
      const first = seen.get(key);
      if (first !== undefined) {
        throw new DocumentError('duplicate-key', `duplicate key ${describeKey(key)}${path ? ` in ${path}` : ''} (lines ${first} and ${line}): JSON keeps only the last, so one would be dropped silently`, line);
      }
      seen.set(key, line);
      if (top) keyLines.set(key, line);
      checkJsonNode(member.value, pathOf(path, key), keyLines, false);
    }
  } else if (node.type === 'Array') {
    node.elements.forEach((element, index) => checkJsonNode(element.value, pathOf(path, index), keyLines, false));
  } else if (node.type === 'String' && node.value.includes('\0')) {
    throw new DocumentError('nul', `a NUL character in the string at ${path || 'the top level'}`, node.loc.start.line);
  }
}

function checkYamlNode(node: unknown, path: string, depth: number, maxDepth: number, lineOf: (offset: number | undefined) => number | undefined): void {
  if (isMap(node) || isSeq(node)) {
    const line = lineOf((node as YamlNode).range?.[0]);
    if (depth > maxDepth) throw new DocumentError('depth', `nested more than ${maxDepth} levels deep`, line);
  }
  if (isMap(node)) {
    const seen = new Map<string, number | undefined>();
    for (const pair of node.items) {
      const keyNode = pair.key;
      const key = isScalar(keyNode) ? String(keyNode.value) : keyNode === null ? '' : JSON.stringify(keyNode);
      const line = lineOf(isScalar(keyNode) ? keyNode.range?.[0] : undefined);
      if (key.includes('\0')) throw new DocumentError('nul', `a NUL character in a key of ${path || 'the top level'}`, line);
      if (seen.has(key)) {
        throw new DocumentError('duplicate-key', `duplicate key ${describeKey(key)}${path ? ` in ${path}` : ''} (lines ${seen.get(key)} and ${line}): only one of them would count`, line);
      }
      seen.set(key, line);
      checkYamlNode(pair.value, pathOf(path, key), depth + 1, maxDepth, lineOf);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => checkYamlNode(item, pathOf(path, index), depth + 1, maxDepth, lineOf));
  } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('\0')) {
    throw new DocumentError('nul', `a NUL character in the string at ${path || 'the top level'}`, lineOf(node.range?.[0]));
  }
}
