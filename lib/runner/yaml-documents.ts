/**
 * YAML documents (smoke-test's check lists) with the limits of documents.ts: size, depth,
 * duplicate keys with both lines (the `yaml` package's uniqueKeys names only the second), NUL.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { checkSize, DEFAULT_MAX_DEPTH, describeKey, DocumentError, pathOf, type DocumentLimits } from './documents';

/** YAML aliases expanded at most this many times (the `yaml` package's default, said explicitly: no billion laughs). */
const MAX_ALIAS_COUNT = 100;

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
    const message = error.message
      .split('\n')[0]
      .replace(/ at line \d+, column \d+:?$/, '')
      .replace(/:$/, '');
    throw new DocumentError('syntax', message, lineOf(error.pos[0]), columnOf(error.pos[0]));
  }
  checkYamlNode(document.contents, '', 1, maxDepth, lineOf);
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/Maximum call stack size exceeded/.test(message))
      throw new DocumentError('depth', `nested more than ${maxDepth} levels deep (through aliases)`);
    throw new DocumentError('syntax', message);
  }
  return { value };
}

function checkYamlNode(
  node: unknown,
  path: string,
  depth: number,
  maxDepth: number,
  lineOf: (offset: number | undefined) => number | undefined,
): void {
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
        throw new DocumentError(
          'duplicate-key',
          `duplicate key ${describeKey(key)}${path ? ` in ${path}` : ''} (lines ${seen.get(key)} and ${line}): only one of them would count`,
          line,
        );
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
