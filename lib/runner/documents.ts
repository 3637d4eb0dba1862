/**
 * JSON and YAML documents a user gives (task definitions, toggle manifests, var files, check
 * lists), parsed with the limits a hand-written file never reaches: a size, a nesting depth
 * (checked before any recursive parser runs, so no `Maximum call stack size exceeded`), no
 * duplicate keys (JSON.parse and YAML loaders keep the last one silently: `"family"` twice
 * switches the family) and no NUL characters. Every problem is a `DocumentError` with the line,
 * which the caller turns into an error naming its input. Messages name keys and positions,
 * never values: these files may hold secrets. YAML is in yaml-documents.ts, so that a bundle
 * reading only JSON does not load the YAML parser at start-up.
 */
import { parse as parseMomoa, type AnyNode } from '@humanwhocodes/momoa';

export interface DocumentLimits {
  /** Largest text accepted, in bytes (UTF-8). */
  maxBytes?: number;
  /** Deepest nesting of objects and arrays; the top-level object or array is depth 1. */
  maxDepth?: number;
}

export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 64;

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
  const scan = scanJson(text, limits.maxDepth ?? DEFAULT_MAX_DEPTH);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw jsonSyntaxError(text);
  }
  if (!scan.needsTree) return { value, keyLines: scan.keyLines };
  const keyLines = new Map<string, number>();
  const body = parseMomoa(text, { mode: 'json' }).body;
  checkJsonNode(body, '', keyLines, true);
  return { value, keyLines };
}

/** Shared with yaml-documents.ts. */
export function checkSize(text: string, limits: DocumentLimits): void {
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

interface ScanResult {
  /** A raw key repeated, a key with an escape or a `\u0000`: momoa's tree must decide. */
  needsTree: boolean;
  /** Line of each top-level key (exact when needsTree is false). */
  keyLines: Map<string, number>;
}

interface Frame {
  object: boolean;
  expectKey: boolean;
  keys?: Set<string>;
}

/**
 * One pass over the text, strings skipped: the first bracket deeper than `maxDepth`, the first
 * raw control character inside a string (JSON.parse rejects it without a position), and whether
 * any object could hold a duplicate key or a string a NUL. Most documents have neither, and then
 * building momoa's tree (about twenty times JSON.parse's time and memory) is skipped.
 */
function scanJson(text: string, maxDepth: number): ScanResult {
  const frames: Frame[] = [];
  const keyLines = new Map<string, number>();
  let needsTree = false;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x0a) {
      line += 1;
      lineStart = i + 1;
    } else if (code === 0x7b || code === 0x5b) {
      if (frames.length >= maxDepth) throw new DocumentError('depth', `nested more than ${maxDepth} levels deep`, line, i - lineStart + 1);
      frames.push(code === 0x7b ? { object: true, expectKey: true, keys: new Set() } : { object: false, expectKey: false });
    } else if (code === 0x7d || code === 0x5d) {
      frames.pop();
    } else if (code === 0x2c) {
      const top = frames[frames.length - 1];
      if (top?.object) top.expectKey = true;
    } else if (code === 0x3a) {
      const top = frames[frames.length - 1];
      if (top) top.expectKey = false;
    } else if (code === 0x22) {
      const start = i + 1;
      let escaped = false;
      for (i += 1; i < text.length && text.charCodeAt(i) !== 0x22; i += 1) {
        const inner = text.charCodeAt(i);
        if (inner === 0x5c) {
          escaped = true;
          i += 1;
        } else if (inner < 0x20) {
          const what = inner === 0 ? 'a NUL character' : inner === 0x0a ? 'a line break' : 'a control character';
          throw new DocumentError(
            inner === 0 ? 'nul' : 'syntax',
            `invalid JSON: ${what} inside a string (escape it)`,
            line,
            i - lineStart + 1,
          );
        }
      }
      const top = frames[frames.length - 1];
      if (top?.object && top.expectKey && top.keys) {
        const raw = text.slice(start, i);
        if (escaped || top.keys.has(raw)) needsTree = true;
        top.keys.add(raw);
        if (frames.length === 1 && !keyLines.has(raw)) keyLines.set(raw, line);
      } else if (escaped && !needsTree && text.slice(start, i).includes('\\u0000')) {
        needsTree = true;
      }
    }
  }
  return { needsTree, keyLines };
}

const TOKEN_NAMES: Record<string, string> = {
  LBrace: "'{'",
  RBrace: "'}'",
  LBracket: "'['",
  RBracket: "']'",
  Colon: "':'",
  Comma: "','",
  String: 'a string',
  Number: 'a number',
  Boolean: 'true/false',
  Null: 'null',
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

export function pathOf(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? (parent ? `${parent}.${key}` : key) : `${parent}[${JSON.stringify(key)}]`;
}

export function describeKey(key: string): string {
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
        throw new DocumentError(
          'duplicate-key',
          `duplicate key ${describeKey(key)}${path ? ` in ${path}` : ''} (lines ${first} and ${line}): JSON keeps only the last, so one would be dropped silently`,
          line,
        );
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
