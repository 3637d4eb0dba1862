/**
 * Terraform variable files → one map of variables, as Terraform sees them: files are read in
 * order and a later file replaces a whole top-level value of an earlier one (no deep merge).
 * HCL goes through tree-sitter's HCL grammar (hcl-parser.ts, values and lines); `.json` files
 * through JSON.parse, as Terraform reads `.tfvars.json`: its strings literally (`"${x}"` is text).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DocumentError, parseJsonDocument } from '../../../lib/runner/documents';
import { ActionFailure, type FailureCode } from '../../../lib/runner/errors';
import { parseHclDocument, type HclDocument } from './hcl-parser';
import { HclSyntaxError } from './hcl-syntax-errors';
import { locateJsonError } from './json-errors';
import { jsonTopLevelKeyLines } from './source-lines';

export interface SourceLocation {
  /** Path relative to the workspace, as annotations want it. */
  file: string;
  line?: number;
}

export interface VariableSet {
  values: Map<string, unknown>;
  /** Where each variable's effective (last) definition is. */
  sources: Map<string, SourceLocation>;
  files: string[];
}

export class VarFileError extends ActionFailure {
  constructor(
    code: FailureCode,
    readonly input: string,
    readonly location: SourceLocation,
    readonly problem: string,
  ) {
    super(code, `Input '${input}': ${location.file}${location.line ? `:${location.line}` : ''}: ${problem}`);
    this.name = 'VarFileError';
  }
}

type ParsedFile = HclDocument;

/**
 * HCL parses by file and content: a file listed on both sides (a common.tfvars layered under
 * each environment's own) is parsed once — HCL parsing is most of the action's run time. The
 * promise is kept, so the two sides loading at the same time share one parse too.
 */
const parsedHcl = new Map<string, Promise<HclDocument>>();

function parseHclOnce(file: string, text: string): Promise<HclDocument> {
  const key = `${file}\n${text}`;
  let parsing = parsedHcl.get(key);
  if (!parsing) {
    parsing = parseHclDocument(file, text);
    parsedHcl.set(key, parsing);
  }
  return parsing;
}

/** The parser gives the values and each variable's line; a block is one of its errors. */
async function parseHclFile(input: string, file: string, text: string): Promise<ParsedFile> {
  try {
    return await parseHclOnce(file, text);
  } catch (err) {
    if (err instanceof HclSyntaxError) throw new VarFileError('GANTRY-PARITY-021', input, { file, line: err.line }, err.problem);
    // The syntax tree is folded recursively: thousands of nested brackets exhaust the stack.
    if (err instanceof RangeError && /call stack/.test(err.message)) {
      throw new VarFileError(
        'GANTRY-PARITY-022',
        input,
        { file },
        'nested too deeply to read (thousands of levels of brackets; a var file nests a few).',
      );
    }
    throw new VarFileError('GANTRY-PARITY-023', input, { file }, err instanceof Error ? err.message : String(err));
  }
}

function parseJsonFile(input: string, file: string, text: string): ParsedFile {
  let values: unknown;
  try {
    values = parseJsonDocument(text).value;
  } catch (err) {
    if (err instanceof DocumentError && err.kind !== 'syntax')
      throw new VarFileError('GANTRY-PARITY-024', input, { file, line: err.line }, `${err.problem}.`);
    const at = locateJsonError(text);
    throw new VarFileError(
      'GANTRY-PARITY-025',
      input,
      { file, line: at?.line },
      `invalid JSON${at ? `: ${at.problem} at column ${at.column}` : ''}.`,
    );
  }
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw new VarFileError('GANTRY-PARITY-026', input, { file }, 'expected a JSON object mapping variable names to values.');
  }
  return { values: values as Record<string, unknown>, lines: jsonTopLevelKeyLines(text) };
}

async function readVariableFile(input: string, absolute: string, workspace: string): Promise<ParsedFile & { file: string }> {
  const file = path.relative(workspace, absolute).split(path.sep).join('/');
  const text = (await readFile(absolute, 'utf8')).replace(/^\uFEFF/, '');
  const parsed = /\.json$/i.test(file) ? parseJsonFile(input, file, text) : await parseHclFile(input, file, text);
  return { ...parsed, file };
}

/**
 * Read one side's variable files; `files` are absolute paths inside `workspace`. They are read and
 * parsed concurrently and applied in order; when several
 * are broken, the first listed one is reported.
 */
export async function loadVariableFiles(input: string, files: readonly string[], workspace: string): Promise<VariableSet> {
  const results = await Promise.allSettled(files.map((absolute) => readVariableFile(input, absolute, workspace)));
  const set: VariableSet = { values: new Map(), sources: new Map(), files: [] };
  for (const result of results) {
    if (result.status === 'rejected') throw result.reason;
    const { values, lines, file } = result.value;
    for (const [name, value] of Object.entries(values)) {
      set.values.set(name, value);
      set.sources.set(name, { file, line: lines.get(name) });
    }
    set.files.push(file);
  }
  return set;
}
