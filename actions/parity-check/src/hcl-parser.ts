/**
 * HCL variables files through tree-sitter's HCL grammar (WASM, in process): `parseHcl(filename,
 * text)` → the file as JSON, the shapes hcl2json (the Go HCL parser, used before) gave: attributes
 * become plain values, expressions that are not literals stay as `"${…}"`, blocks become
 * `{ name: [ { … } ] }` (var-files.ts rejects them), and syntax errors read
 * `parse config: [file:3,7-4,1: Summary; Detail]`.
 *
 * Why tree-sitter: the Go parser compiled to WASM needed ≈ 1 s for two 10,000-variable files
 * (its first parse runs on unoptimised code), the whole budget; tree-sitter starts in ≈ 20 ms and
 * parses such a file in ≈ 150 ms.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TreeSitter from 'web-tree-sitter';
import type { Node, Parser } from 'web-tree-sitter';
// @ts-expect-error -- the CommonJS build has no declarations of its own; typed as the package below.
import * as treeSitterCommonJs from '../../../node_modules/web-tree-sitter/tree-sitter.cjs';
import { expressionValue, sortedKeys, templateText, type HclSource } from './hcl-values';
import { findSyntaxError, HclSyntaxError, rangeOf } from './hcl-syntax-errors';

/**
 * ncc's asset relocator recognises `readFileSync(path.join(__dirname, '<literal>'))`: it copies the
 * file into dist/ and rewrites the expression to the copy. So `__dirname` is spelled out here (an
 * ESM module has none of its own) and the paths are literals from this file to the packages. The
 * bytes are handed to tree-sitter, which then never looks for files itself.
 */
const __dirname = path.dirname(fileURLToPath(import.meta.url));

/**
 * The CommonJS build of web-tree-sitter, by path (the package exports it only to `require`): its
 * ES module build loads Node's `module` through a dynamic import that ncc's bundle cannot satisfy
 * (`createRequire is not a function`), and it would also copy a mangled second runtime WASM.
 */
const { Language, Parser: ParserClass } = treeSitterCommonJs as typeof TreeSitter;

function readRuntimeWasm(): Buffer {
  return readFileSync(path.join(__dirname, '../../../node_modules/web-tree-sitter/tree-sitter.wasm'));
}

function readGrammarWasm(): Buffer {
  return readFileSync(path.join(__dirname, '../../../node_modules/@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-hcl.wasm'));
}

async function start(): Promise<Parser> {
  // The CommonJS runtime reads `__dirname` while starting (to find files it is handed as bytes
  // here anyway); an ES module bundle has none, so one is lent for the start and taken back.
  const globals = globalThis as { __dirname?: string };
  const lent = globals.__dirname === undefined;
  if (lent) globals.__dirname = __dirname;
  try {
    await ParserClass.init({ wasmBinary: readRuntimeWasm() } as unknown as Parameters<typeof ParserClass.init>[0]);
  } finally {
    if (lent) delete globals.__dirname;
  }
  const language = await Language.load(new Uint8Array(readGrammarWasm()));
  const parser = new ParserClass();
  parser.setLanguage(language);
  return parser;
}

let parser: Promise<Parser> | undefined;

// Written without `??=`: ncc's asset relocator cannot parse logical assignment and would then
// silently skip this file, leaving the WASM out of dist/.
function started(): Promise<Parser> {
  if (!parser) parser = start();
  return parser;
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

/** A block as hcl2json wrote it: labels nest objects, the body is the one element of a list. */
function blockValue(source: HclSource, block: Node): [string, unknown] {
  const [name, ...rest] = block.namedChildren.filter((n): n is Node => n !== null);
  const labels = rest.filter((n) => n.type === 'string_lit' || n.type === 'identifier').map((n) => (n.type === 'identifier' ? n.text : templateText(source, n)));
  const body = rest.find((n) => n.type === 'body');
  let value: unknown = [body ? bodyValues(source, body) : {}];
  for (const label of labels.reverse()) value = { [label]: value };
  return [source.text.slice(name.startIndex, name.endIndex), value];
}

function bodyValues(source: HclSource, body: Node): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const defined = new Map<string, Node>();
  for (const item of body.namedChildren) {
    if (item?.type === 'block') {
      const [name, value] = blockValue(source, item);
      values[name] = value;
      continue;
    }
    if (item?.type !== 'attribute') continue;
    const [nameNode, expression] = item.namedChildren;
    if (!nameNode || !expression) continue;
    const name = source.text.slice(nameNode.startIndex, nameNode.endIndex);
    const earlier = defined.get(name);
    if (earlier) {
      const at = rangeOf(earlier);
      throw new HclSyntaxError(
        source.filename,
        rangeOf(nameNode),
        'Attribute redefined',
        `The argument "${name}" was already set at ${source.filename}:${at.start.row + 1},${at.start.column + 1}-${at.end.column + 1}. Each argument may be set only once.`,
      );
    }
    defined.set(name, nameNode);
    values[name] = expressionValue(source, expression);
  }
  return sortedKeys(values);
}

/** Parse HCL text; rejects with Go-HCL-style diagnostics (`parse config: [file:3,7-4,1: Summary; Detail]`). */
export async function parseHcl(filename: string, contents: string): Promise<Record<string, unknown>> {
  const instance = await started();
  const tree = instance.parse(maskExponents(contents));
  if (!tree) throw new Error(`the HCL parser returned no tree for ${filename}`);
  try {
    const error = findSyntaxError(tree.rootNode, filename, contents);
    if (error) throw error;
    const body = tree.rootNode.namedChildren.find((n) => n?.type === 'body');
    return body ? bodyValues({ filename, text: contents }, body) : {};
  } finally {
    tree.delete();
  }
}
