/**
 * Typed readers over the runner's input contract: the runner passes `with:` values as
 * environment variables `INPUT_<NAME>` (upper case, spaces to `_`, hyphens kept).
 * Reading from a plain env object keeps the logic free of `@actions/core` and lets tests
 * set inputs the way the runner does. Every reader throws one `InputError` naming the input.
 */
import { existsSync, lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from './errors';

export type Env = Record<string, string | undefined>;

export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export interface IntegerOptions {
  default?: number;
  min?: number;
  max?: number;
}

export class InputReader {
  constructor(private readonly env: Env = process.env) {}

  /** The trimmed raw value, '' when absent (the runner's convention). A NUL character is refused (never shown). */
  raw(name: string): string {
    const value = (this.env[inputEnvName(name)] ?? '').trim();
    if (value.includes('\0')) throw new NulCharacterError(name, value);
    return value;
  }

  has(name: string): boolean {
    return this.raw(name) !== '';
  }

  optional(name: string): string | undefined {
    const value = this.raw(name);
    return value === '' ? undefined : value;
  }

  required(name: string, expected = 'a non-empty value'): string {
    const value = this.raw(name);
    if (value === '') throw new InputError('GANTRY-INPUT-001', name, undefined, expected);
    return value;
  }

  /** Only `true` or `false` (any case); anything else is an error, never silently false. */
  boolean(name: string, defaultValue: boolean): boolean {
    const value = this.raw(name);
    if (value === '') return defaultValue;
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw new InputError('GANTRY-INPUT-002', name, value, "'true' or 'false'");
  }

  integer(name: string, options: IntegerOptions = {}): number {
    const value = this.raw(name);
    if (value === '') {
      if (options.default === undefined) throw new InputError('GANTRY-INPUT-003', name, undefined, describeRange('an integer', options));
      return options.default;
    }
    if (!/^[+-]?\d+$/.test(value)) throw new InputError('GANTRY-INPUT-003', name, value, describeRange('an integer', options));
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || outOfRange(parsed, options)) {
      throw new InputError('GANTRY-INPUT-003', name, value, describeRange('an integer', options));
    }
    return parsed;
  }

  /** A duration in whole seconds: `90`, `90s`, `15m` or `1h`. */
  seconds(name: string, options: IntegerOptions = {}): number {
    const value = this.raw(name);
    const expected = describeRange('a number of seconds (e.g. 90, 90s, 15m)', options);
    if (value === '') {
      if (options.default === undefined) throw new InputError('GANTRY-INPUT-004', name, undefined, expected);
      return options.default;
    }
    const match = /^(\d+)\s*(s|m|h)?$/i.exec(value);
    if (!match) throw new InputError('GANTRY-INPUT-004', name, value, expected);
    const unit = (match[2] ?? 's').toLowerCase();
    const seconds = Number(match[1]) * (unit === 'h' ? 3600 : unit === 'm' ? 60 : 1);
    if (outOfRange(seconds, options)) throw new InputError('GANTRY-INPUT-004', name, value, expected);
    return seconds;
  }

  /** One value per line; blank lines and lines starting with `#` are skipped. */
  list(name: string): string[] {
    return splitLines(this.raw(name));
  }

  /**
   * Multi-line `KEY=VALUE`. Values may contain `=`; keys must be unique. Errors show the line's
   * number and its key (or its length), never a value: these lists often carry credentials.
   */
  keyValues(name: string, keyPattern = /^[A-Za-z_][A-Za-z0-9_.-]*$/): Map<string, string> {
    const result = new Map<string, string>();
    this.list(name).forEach((line, index) => {
      const eq = line.indexOf('=');
      const key = eq > 0 ? line.slice(0, eq).trim() : '';
      if (eq <= 0 || !keyPattern.test(key)) {
        throw new InputError(
          'GANTRY-INPUT-005',
          name,
          `line ${index + 1}${lineStart(line).startsWith('(') ? ' ' : ': '}${lineStart(line)}`,
          `lines of the form KEY=VALUE with KEY matching ${keyPattern}`,
        );
      }
      if (result.has(key))
        throw new InputError('GANTRY-INPUT-006', name, `line ${index + 1}: ${key}=…`, `each key at most once ('${key}' is repeated)`);
      result.set(key, line.slice(eq + 1).trim());
    });
    return result;
  }

  /** An ECS cluster or service: a name (1–255 letters, digits, '-' and '_') or an ARN, checked before any AWS call. */
  ecsNameOrArn(name: string, what: 'cluster' | 'service'): string {
    const value = this.required(name, `an ECS ${what} name or ARN`);
    if (!ECS_NAME.test(value) && !ECS_ARN.test(value)) {
      throw new InputError('GANTRY-INPUT-007', name, value, `an ECS ${what} name (1 to 255 letters, digits, '-' and '_') or ARN`);
    }
    return value;
  }

  choice<T extends string>(name: string, choices: readonly T[], defaultValue?: T): T {
    const value = this.raw(name);
    const expected = `one of ${choices.map((c) => `'${c}'`).join(', ')}`;
    if (value === '') {
      if (defaultValue === undefined) throw new InputError('GANTRY-INPUT-008', name, undefined, expected);
      return defaultValue;
    }
    const found = choices.find((c) => c === value);
    if (!found) throw new InputError('GANTRY-INPUT-008', name, value, expected);
    return found;
  }

  /**
   * A path to an existing file inside the workspace (`GITHUB_WORKSPACE`, else the cwd).
   * Relative paths resolve against the workspace. Returns the absolute path.
   */
  file(name: string, options: { required: true; workspace?: string }): string;
  file(name: string, options?: { required?: boolean; workspace?: string }): string | undefined;
  file(name: string, options: { required?: boolean; workspace?: string } = {}): string | undefined {
    const value = this.raw(name);
    if (value === '') {
      if (options.required) throw new InputError('GANTRY-INPUT-009', name, undefined, 'a path to a file in the workspace');
      return undefined;
    }
    return resolveWorkspaceFile(name, value, options.workspace ?? workspaceDir(this.env));
  }
}

export function workspaceDir(env: Env = process.env): string {
  return path.resolve(env.GITHUB_WORKSPACE || process.cwd());
}

/** `..config/x` is inside; `../x` and `/elsewhere` are not. */
function isInside(dir: string, candidate: string): boolean {
  const relative = path.relative(dir, candidate);
  return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

export function resolveWorkspaceFile(name: string, value: string, workspace: string, kind: 'file' | 'directory' = 'file'): string {
  const absolute = path.resolve(workspace, value);
  if (!isInside(workspace, absolute)) throw new InputError('GANTRY-INPUT-010', name, value, `a path inside the workspace ${workspace}`);
  if (!existsSync(absolute)) throw new InputError('GANTRY-INPUT-011', name, value, `an existing ${kind} (not found at ${absolute})`);
  // A symbolic link inside the workspace may point anywhere: judge where it leads.
  if (!isInside(realpathSync(workspace), realpathSync(absolute))) {
    throw new InputError(
      'GANTRY-INPUT-012',
      name,
      value,
      `a path inside the workspace ${workspace} (it is a link to ${realpathSync(absolute)})`,
    );
  }
  const stat = statSync(absolute);
  if (kind === 'file' ? !stat.isFile() : !stat.isDirectory()) {
    throw new InputError('GANTRY-INPUT-013', name, value, `a ${kind}, but ${absolute} is not one`);
  }
  return absolute;
}

/**
 * A path the action will write (terraform's plan-file): inside the workspace like every path
 * input, judged by where it really leads — the nearest existing directory above it, and the file
 * itself when it exists (a link planted in the workspace could point anywhere). It need not exist.
 */
export function resolveWorkspaceOutputPath(name: string, value: string, workspace: string): string {
  const absolute = path.resolve(workspace, value);
  if (!isInside(workspace, absolute)) throw new InputError('GANTRY-INPUT-010', name, value, `a path inside the workspace ${workspace}`);
  let existing = absolute;
  while (!lexists(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  // A dangling link (it points at nothing yet) would still be written through: judge its target.
  const real = existsSync(existing) ? realpathSync(existing) : path.resolve(path.dirname(existing), readlinkSync(existing));
  if (!isInside(realpathSync(workspace), real)) {
    throw new InputError(
      'GANTRY-INPUT-014',
      name,
      value,
      `a path inside the workspace ${workspace} (${existing === absolute ? 'it is' : `its directory ${existing} is`} a link to ${real})`,
    );
  }
  return absolute;
}

function lexists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** A NUL cannot come from the runner's environment, but can from a file or an escape: never pass one on. */
export class NulCharacterError extends InputError {
  constructor(input: string, value: string) {
    super('GANTRY-INPUT-015', input, undefined, 'text without NUL characters');
    this.message = `Input '${input}' has a NUL character at position ${value.indexOf('\0') + 1} (the value is not shown): expected text without NUL characters.`;
  }
}

/**
 * How a malformed line is shown: its key when it starts with a name followed by `=` or `:`
 * (`DATABASE_URL: postgres://…` → `DATABASE_URL…`), else only its length — a line without a
 * separator may be a pasted credential, and no part of it is echoed.
 */
function lineStart(line: string): string {
  const key = /^([A-Za-z_][A-Za-z0-9_.-]{0,63})\s*[=:]/.exec(line)?.[1];
  return key === undefined ? `(${line.length} characters, not shown: it may hold a secret)` : `${key}…`;
}

const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ECS_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:[a-z-]+\/[A-Za-z0-9_/-]{1,512}$/;

export function splitLines(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function outOfRange(value: number, { min, max }: IntegerOptions): boolean {
  return (min !== undefined && value < min) || (max !== undefined && value > max);
}

function describeRange(what: string, { min, max }: IntegerOptions): string {
  if (min !== undefined && max !== undefined) return `${what} from ${min} to ${max}`;
  if (min !== undefined) return `${what} of at least ${min}`;
  if (max !== undefined) return `${what} of at most ${max}`;
  return what;
}

/** An ECS name (cluster, service) or ARN, as `InputReader.ecsNameOrArn` accepts it (for values inside documents). */
export function isEcsNameOrArn(value: string): boolean {
  return ECS_NAME.test(value) || ECS_ARN.test(value);
}
