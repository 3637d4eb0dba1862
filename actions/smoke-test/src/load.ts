/**
 * Loading the check list: YAML or JSON text → schema validation per check → typed checks.
 * Every problem in the list is reported at once, each with the check's index and field,
 * and nothing is requested until the whole list is valid.
 */
import { DocumentError } from '../../../lib/runner/documents';
import { parseYamlDocument } from '../../../lib/runner/yaml-documents';
import { type FailureCode, InputError } from '../../../lib/runner/errors';
import { CHECK_TYPES, checkTarget, redactUrlText, type Check, type CheckType, type HttpCheck, type VersionKind } from './definitions';
import { parseJsonPath } from './json-path';
import { CheckReader, normalizeCheck, type NormalizeContext } from './normalize';
import { describeShape, formatValue, schemaProblems, type DefinitionProblem } from './schema';

/** A check list with problems: still an input error (exit 1, no stack), listing every problem. */
export class CheckDefinitionError extends InputError {
  readonly problems: readonly DefinitionProblem[];
  constructor(code: FailureCode, input: string, problems: readonly DefinitionProblem[], source?: string) {
    super(code, input, source, 'valid checks');
    const where = source ? `Input '${input}' (${source})` : `Input '${input}'`;
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    this.message = `${where} has ${count}: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}.`;
    this.problems = problems;
  }
}

export interface LoadedChecks {
  checks: Check[];
  /** Values to mask before anything is logged (secret headers, connection strings). */
  secrets: string[];
}

/** A thousand checks fit in a tenth of this. */
const CHECKS_MAX_BYTES = 1024 * 1024;

/** Parse the text and find the list: a bare list, or an object with a `checks` list. */
export function parseCheckList(text: string, input: string, source?: string): unknown[] {
  let document: unknown;
  try {
    document = parseYamlDocument(text, { maxBytes: CHECKS_MAX_BYTES }).value;
  } catch (err) {
    if (!(err instanceof DocumentError)) throw err;
    // A duplicate key's problem names both its lines already.
    const at =
      err.line === undefined || err.kind === 'duplicate-key'
        ? ''
        : ` at line ${err.line}${err.column === undefined ? '' : `, column ${err.column}`}`;
    if (err.kind === 'syntax')
      throw new CheckDefinitionError(
        'GANTRY-SMOKE-009',
        input,
        [{ field: 'checks', message: `is not valid YAML or JSON: ${err.problem}${at}` }],
        source,
      );
    throw new CheckDefinitionError('GANTRY-SMOKE-010', input, [{ field: 'checks', message: `${err.problem}${at}` }], source);
  }
  if (Array.isArray(document)) return document;
  if (document && typeof document === 'object' && Array.isArray((document as { checks?: unknown }).checks)) {
    const extra = Object.keys(document).filter((k) => k !== 'checks');
    if (extra.length) {
      throw new CheckDefinitionError(
        'GANTRY-SMOKE-011',
        input,
        [{ field: extra[0], message: 'is not a known field (the file holds a `checks` list)' }],
        source,
      );
    }
    return (document as { checks: unknown[] }).checks;
  }
  throw new CheckDefinitionError(
    'GANTRY-SMOKE-012',
    input,
    [{ field: 'checks', message: `must be a list of checks, or an object with a \`checks\` list (got ${scalarOrShape(document)})` }],
    source,
  );
}

/** A scalar as written; a list or object by its shape only, since it may hold header values. */
function scalarOrShape(value: unknown): string {
  return value !== null && typeof value === 'object' ? describeShape(value) : formatValue(value);
}

export function loadChecks(list: readonly unknown[], context: NormalizeContext, input: string, source?: string): LoadedChecks {
  const problems: DefinitionProblem[] = [];
  const secrets: string[] = [];
  const checks: Check[] = [];
  const explicitNames = new Map<string, number>();
  list.forEach((raw, index) => {
    const prefix = `checks[${index}]`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push({ field: prefix, message: `must be an object describing one check (got ${scalarOrShape(raw)})` });
      return;
    }
    const record = raw as Record<string, unknown>;
    const type = record.type ?? 'http';
    if (!CHECK_TYPES.includes(type as CheckType)) {
      problems.push({ field: `${prefix}.type`, message: `must be one of ${CHECK_TYPES.join(', ')} (got ${formatValue(type)})` });
      return;
    }
    const found = schemaProblems(type as CheckType, record, prefix);
    if (found.length) {
      problems.push(...found);
      return;
    }
    if (typeof record.name === 'string') {
      const earlier = explicitNames.get(record.name);
      if (earlier !== undefined)
        problems.push({ field: `${prefix}.name`, message: `'${record.name}' is already the name of checks[${earlier}]` });
      else explicitNames.set(record.name, index);
    }
    const reader = new CheckReader(index, record, context);
    const check = normalizeCheck(reader, type as CheckType, typeof record.name === 'string' ? record.name : '');
    problems.push(...reader.problems);
    secrets.push(...reader.secrets);
    if (check) checks.push(check);
  });
  if (problems.length) throw new CheckDefinitionError('GANTRY-SMOKE-013', input, problems, source);
  nameUnnamed(checks, new Set(explicitNames.keys()));
  return { checks, secrets };
}

/** Unnamed checks are called after their type and target; a repeat gets its index appended. */
function nameUnnamed(checks: Check[], taken: Set<string>): void {
  for (const check of checks) {
    if (check.name) continue;
    let name = check.type === 'http' ? checkTarget(check) : `${check.type} ${checkTarget(check)}`;
    if (taken.has(name)) name = `${name} #${check.index}`;
    taken.add(name);
    check.name = name;
  }
}

export interface VersionCheckOptions {
  expected: string;
  path: string;
  field: string;
  kind?: VersionKind;
  baseUrl?: URL;
  timeoutMs: number;
  index: number;
  takenNames: ReadonlySet<string>;
}

/**
 * The `expect-version` shorthand: GET <version-path> answers 2xx with JSON whose <version-field>
 * matches the release just deployed. Problems are input errors of version-path/version-field.
 */
export function versionCheck(options: VersionCheckOptions): HttpCheck {
  let url: URL;
  if (URL.canParse(options.path)) url = new URL(options.path);
  else if (options.baseUrl) url = new URL(options.path, options.baseUrl);
  else
    throw new InputError(
      'GANTRY-SMOKE-014',
      'base-url',
      undefined,
      `a base URL, because expect-version checks the relative version-path '${redactUrlText(options.path)}'`,
    );
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InputError('GANTRY-SMOKE-015', 'version-path', redactUrlText(options.path), 'a path or an http(s) URL');
  const jsonPath = options.field.startsWith('$') ? options.field : `$.${options.field}`;
  let segments;
  try {
    segments = parseJsonPath(jsonPath);
  } catch (err) {
    throw new InputError(
      'GANTRY-SMOKE-016',
      'version-field',
      options.field,
      `a field name or JSON path such as version or $.build.sha (${(err as Error).message})`,
    );
  }
  const name = options.takenNames.has('version') ? 'expect-version' : 'version';
  return {
    index: options.index,
    name,
    type: 'http',
    timeoutMs: options.timeoutMs,
    url,
    method: 'GET',
    headers: { accept: 'application/json' },
    expect: {
      status: [{ min: 200, max: 299, label: '2xx' }],
      bodyContains: [],
      json: [{ path: jsonPath, segments, expected: options.expected, versionMatch: true, versionKind: options.kind ?? 'auto' }],
      headers: [],
    },
    trust: { insecure: false },
  };
}
