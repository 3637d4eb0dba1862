/**
 * HCL variables files through tree-sitter's HCL grammar (WASM, in process):
 * `parseHclDocument(filename, text)` → the top-level attributes' values (hcl-values.ts) and
 * lines. A block is an error, as in Terraform, and syntax errors read, as Go HCL writes them,
 * `parse config: [file:3,7-4,1: Summary; Detail]`.
 *
 * Why tree-sitter: the Go parser compiled to WASM (hcl2json, used before) needed ≈ 1 s for two
 * 10,000-variable files (its first parse runs on unoptimised code), the whole budget;
 * tree-sitter starts in ≈ 20 ms and parses such a file in ≈ 150 ms.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node, Parser } from 'web-tree-sitter';
import { Language, Parser as ParserClass } from './tree-sitter.cjs';
import type { HclSource } from './hcl-nodes';
import { expressionValue, hclEvaluator, literalAtCursor, NOT_LITERAL, sortedKeys } from './hcl-values';
import { findSyntaxError, HclSyntaxError, rangeOf, type SourceRange } from './hcl-syntax-errors';

/**
 * A WASM file of a package, by the package's name. The bundle has a copy beside dist/index.js
 * (scripts/build.mjs copies its `ASSETS` there, under the file's own name); from source, where
 * there is no copy, the package is resolved in node_modules as Node resolves it. The bytes are
 * handed to tree-sitter, which then never looks for files itself.
 */
function readPackageWasm(specifier: string): Buffer {
  const beside = fileURLToPath(new URL(specifier.slice(specifier.lastIndexOf('/') + 1), import.meta.url));
  return readFileSync(existsSync(beside) ? beside : fileURLToPath(import.meta.resolve(specifier)));
}

async function start(): Promise<Parser> {
  // The CommonJS runtime reads `__dirname` while starting (to find files it is handed as bytes
  // here anyway); an ES module bundle has none, so one is lent for the start and taken back.
  const globals = globalThis as { __dirname?: string };
  const lent = globals.__dirname === undefined;
  // (Not `new URL('.', import.meta.url)`: webpack would bundle that as an asset, src/index.ts.)
  if (lent) globals.__dirname = path.dirname(fileURLToPath(import.meta.url));
  try {
    await ParserClass.init({ wasmBinary: readPackageWasm('web-tree-sitter/tree-sitter.wasm') } as unknown as Parameters<
      typeof ParserClass.init
    >[0]);
  } finally {
    if (lent) delete globals.__dirname;
  }
  const language = await Language.load(new Uint8Array(readPackageWasm('@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-hcl.wasm')));
  const parser = new ParserClass();
  parser.setLanguage(language);
  return parser;
}

let parser: Promise<Parser> | undefined;

function started(): Promise<Parser> {
  return (parser ??= start());
}

/** Start the parser now (≈ 20 ms: instantiate the runtime and the grammar) so the first parse does not pay for it. */
export function startHclParser(): Promise<void> {
  return started().then(() => undefined);
}

/**
 * The grammar only knows exponents after a fraction (`1.5e3`); HCL also allows `1e3`. Such numbers
 * are turned into digits of the same length for the parser only (`1e3` → `100`), so every position
 * stays the same, and their values are read from the original text.
 */
const EXPONENT_WITHOUT_FRACTION = /(?<![\p{L}\p{N}_.])[0-9]+[eE][-+]?[0-9]+/gu;

function maskExponents(text: string): string {
  return text.replace(EXPONENT_WITHOUT_FRACTION, (number) => number.replace(/[eE+-]/g, '0'));
}

/** A variables file: its values, and the 1-based line of each top-level attribute. */
export interface HclDocument {
  values: Record<string, unknown>;
  lines: Map<string, number>;
}

/**
 * The top level of a variables file: attributes only. Like Go HCL's `JustAttributes` (what
 * Terraform reads a .tfvars file with), a block is an error at its type name, reported after any
 * redefined attribute (the parser finds those first).
 *
 * Walked with a tree cursor, which reads types and positions without making a JS object of each
 * node (each one is a call into WASM): most values are literals, read on the cursor too.
 */
function bodyValues(source: HclSource, body: Node): HclDocument {
  const values: Record<string, unknown> = {};
  const defined = new Map<string, SourceRange>();
  let firstBlock: Node | undefined;
  const cursor = body.walk();
  try {
    for (let more = cursor.gotoFirstChild(); more; more = cursor.gotoNextSibling()) {
      const type = cursor.nodeType;
      if (type === 'block') {
        firstBlock ??= cursor.currentNode;
        continue;
      }
      if (type !== 'attribute') continue;
      // `name = value`, with comments anywhere between.
      let name: string | undefined;
      let at: SourceRange | undefined;
      let value: unknown;
      let found = false;
      for (let child = cursor.gotoFirstChild(); child; child = cursor.gotoNextSibling()) {
        const childType = cursor.nodeType;
        if (childType === 'identifier' && name === undefined) {
          name = source.text.slice(cursor.startIndex, cursor.endIndex);
          at = { start: cursor.startPosition, end: cursor.endPosition };
        } else if (childType === 'expression') {
          value = literalAtCursor(source, cursor);
          if (value === NOT_LITERAL) value = expressionValue(source, cursor.currentNode);
          found = true;
        }
      }
      cursor.gotoParent();
      if (name === undefined || !at || !found) continue;
      const earlier = defined.get(name);
      if (earlier) {
        throw new HclSyntaxError(
          source.filename,
          at,
          'Attribute redefined',
          `The argument "${name}" was already set at ${source.filename}:${earlier.start.row + 1},${earlier.start.column + 1}-${earlier.end.column + 1}. Each argument may be set only once.`,
        );
      }
      defined.set(name, at);
      values[name] = value;
    }
  } finally {
    cursor.delete();
  }
  if (firstBlock) {
    const type = firstBlock.children.find((child): child is Node => child?.type === 'identifier') ?? firstBlock;
    throw new HclSyntaxError(
      source.filename,
      rangeOf(type),
      `Unexpected "${source.text.slice(type.startIndex, type.endIndex)}" block`,
      'Blocks are not allowed here.',
    );
  }
  const lines = new Map<string, number>();
  for (const [name, range] of defined) lines.set(name, range.start.row + 1);
  return { values: sortedKeys(values), lines };
}

/**
 * Parse a variables file; rejects with Go-HCL-style diagnostics (`parse config: [file:3,7-4,1: Summary; Detail]`).
 * The grammar also reads a file that is one `{ … }` object (for JSON-like .tfvars); HCL does not.
 */
export async function parseHclDocument(filename: string, contents: string): Promise<HclDocument> {
  const instance = await started();
  const tree = instance.parse(maskExponents(contents));
  if (!tree) throw new Error(`the HCL parser returned no tree for ${filename}`);
  try {
    const error = findSyntaxError(tree.rootNode, filename, contents);
    if (error) throw error;
    const top = tree.rootNode.namedChildren.find((n): n is Node => n !== null && n.type !== 'comment');
    if (top?.type === 'object') {
      const { start } = rangeOf(top);
      throw new HclSyntaxError(
        filename,
        { start, end: { row: start.row, column: start.column + 1 } },
        'Argument or block definition required',
        'An argument or block definition is required here.',
      );
    }
    return top?.type === 'body' ? bodyValues({ filename, text: contents, evaluate: hclEvaluator }, top) : { values: {}, lines: new Map() };
  } finally {
    tree.delete();
  }
}

/** The values of a variables file (parseHclDocument without the lines). */
export async function parseHcl(filename: string, contents: string): Promise<Record<string, unknown>> {
  return (await parseHclDocument(filename, contents)).values;
}
