/**
 * Every input of smoke-test, parsed and validated — including the whole check list — before
 * any request is made.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../../lib/runner/errors';
import { InputReader, workspaceDir, type Env } from '../../../lib/runner/inputs';
import { redactUrlText, VERSION_KINDS, type Check, type VersionKind } from './definitions';
import { loadChecks, parseCheckList, versionCheck } from './load';

export interface Inputs {
  'base-url'?: URL;
  checks: Check[];
  'expect-version'?: string;
  'version-path': string;
  'version-field': string;
  'timeout-seconds': number;
  'interval-seconds': number;
  'request-timeout-ms': number;
  concurrency: number;
  /** Values to mask before anything is logged. */
  secrets: string[];
}

export function getInputs(env: Env = process.env): Inputs {
  const reader = new InputReader(env);
  const workspace = workspaceDir(env);
  const secrets: string[] = [];

  const baseUrl = parseBaseUrl(reader.optional('base-url'), secrets);
  const timeoutSeconds = reader.seconds('timeout-seconds', { default: 120, min: 1, max: 3600 });
  const intervalSeconds = reader.seconds('interval-seconds', { default: 5, min: 1, max: 600 });
  if (intervalSeconds > timeoutSeconds) {
    throw new InputError('GANTRY-SMOKE-001', 'interval-seconds', String(intervalSeconds), `at most timeout-seconds (${timeoutSeconds})`);
  }
  const requestTimeoutMs = reader.integer('request-timeout-ms', { default: 5000, min: 1, max: 600_000 });
  const concurrency = reader.integer('concurrency', { default: 8, min: 1, max: 256 });
  const expectVersion = reader.optional('expect-version');
  const versionPath = reader.optional('version-path') ?? '/health';
  const versionField = reader.optional('version-field') ?? 'version';
  const versionKind = parseVersionKind(reader.optional('expect-version-kind') ?? 'auto', expectVersion);

  const inline = reader.optional('checks');
  const file = reader.optional('checks-file');
  if (inline && file)
    throw new InputError('GANTRY-SMOKE-002', 'checks-file', file, 'to be empty when the checks input is given (use one of them)');
  if (!inline && !file && !expectVersion) {
    throw new InputError('GANTRY-SMOKE-003', 'checks', undefined, 'a YAML or JSON list of checks (or set checks-file, or expect-version)');
  }

  const context = { baseUrl, defaultTimeoutMs: requestTimeoutMs, env: checkEnvironment(reader, env, secrets), workspace };
  let checks: Check[] = [];
  if (inline) {
    const loaded = loadChecks(parseCheckList(inline, 'checks'), context, 'checks');
    checks = loaded.checks;
    secrets.push(...loaded.secrets);
  } else if (file) {
    const absolute = reader.file('checks-file', { required: true, workspace });
    const text = readChecksFile(absolute, file);
    const source = path.relative(workspace, absolute);
    const loaded = loadChecks(parseCheckList(text, 'checks-file', source), context, 'checks-file', source);
    checks = loaded.checks;
    secrets.push(...loaded.secrets);
  }

  if (expectVersion) {
    checks.push(
      versionCheck({
        expected: expectVersion,
        path: versionPath,
        field: versionField,
        kind: versionKind,
        baseUrl,
        timeoutMs: requestTimeoutMs,
        index: checks.length === 0 ? 0 : Math.max(...checks.map((c) => c.index)) + 1,
        takenNames: new Set(checks.map((c) => c.name)),
      }),
    );
  }

  return {
    'base-url': baseUrl,
    checks,
    'expect-version': expectVersion,
    'version-path': versionPath,
    'version-field': versionField,
    'timeout-seconds': timeoutSeconds,
    'interval-seconds': intervalSeconds,
    'request-timeout-ms': requestTimeoutMs,
    concurrency,
    secrets: [...new Set(secrets.filter((s) => s !== ''))],
  };
}

function parseVersionKind(value: string, expectVersion: string | undefined): VersionKind {
  if (!(VERSION_KINDS as readonly string[]).includes(value))
    throw new InputError('GANTRY-SMOKE-004', 'expect-version-kind', value, `one of ${VERSION_KINDS.join(', ')}`);
  const kind = value as VersionKind;
  if (kind === 'git-sha' && expectVersion !== undefined && !/^[0-9a-f]{7,40}$/i.test(expectVersion)) {
    throw new InputError(
      'GANTRY-SMOKE-005',
      'expect-version',
      expectVersion,
      'a git SHA of 7 to 40 hex characters, because expect-version-kind is git-sha',
    );
  }
  return kind;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The environment the checks read (`url-env`, headers `{ env: NAME }`): the step's own, plus `env`
 * and `secret-env` (multi-line NAME=VALUE), so a reusable workflow can hand its caller's values and
 * secrets to the checks. Every secret-env value is masked; neither input's values are ever shown.
 */
function checkEnvironment(reader: InputReader, env: Env, secrets: string[]): Env {
  const plain = reader.keyValues('env', ENV_NAME);
  const secret = reader.keyValues('secret-env', ENV_NAME);
  for (const name of secret.keys()) {
    if (plain.has(name))
      throw new InputError('GANTRY-SMOKE-006', 'secret-env', `${name}=…`, `names not also given in env ('${name}' is in both)`);
  }
  secrets.push(...secret.values());
  return { ...env, ...Object.fromEntries(plain), ...Object.fromEntries(secret) };
}

function parseBaseUrl(value: string | undefined, secrets: string[]): URL | undefined {
  if (value === undefined) return undefined;
  const expected = 'an absolute http(s) URL such as https://staging.example.com';
  // The value is echoed with its user information (user:password@) replaced by ***.
  if (!URL.canParse(value)) throw new InputError('GANTRY-SMOKE-007', 'base-url', redactUrlText(value), expected);
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InputError('GANTRY-SMOKE-007', 'base-url', redactUrlText(value), expected);
  if (url.password) secrets.push(decodeURIComponent(url.password));
  return url;
}

function readChecksFile(absolute: string, value: string): string {
  try {
    return readFileSync(absolute, 'utf8');
  } catch (err) {
    throw new InputError(
      'GANTRY-SMOKE-008',
      'checks-file',
      value,
      `a readable file (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
}
