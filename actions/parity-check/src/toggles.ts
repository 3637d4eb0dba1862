/**
 * Feature toggle manifests: a JSON file in the workspace (`<file>[#<a.b>]`, the selector picking the
 * manifest inside it) or a Secrets Manager secret (`secretsmanager:<secret-id>[#<json-key>]`). A
 * manifest maps toggle name → `true`/`false` or `{ enabled, rollout (0-100), owner, ticket,
 * description }`, or is an OpenFeature flagd file (toggle-formats.ts). Secret content is masked before
 * anything is logged (the whole secret, then every string in it of 4 characters or more), and
 * no message ever quotes it: errors describe types, never values.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DocumentError, parseJsonDocument } from '../../../lib/runner/documents';
import { ActionFailure, type FailureCode, InputError, describeError } from '../../../lib/runner/errors';
import { resolveWorkspaceFile } from '../../../lib/runner/inputs';
import type { Logger } from '../../../lib/runner/logger';
import { locateJsonError } from './json-errors';
import { flagdToggles, isFlagd, parseSelector, recognizeForeignFormat, selectPath } from './toggle-formats';
import { jsonTopLevelKeyLines } from './source-lines';
import { maskableStrings } from '../../../lib/util/secrets';

export const SECRET_PREFIX = 'secretsmanager:';

export type ToggleSource =
  | { kind: 'file'; path: string; reference: string; select?: string[] }
  | { kind: 'secret'; secretId: string; jsonKey?: string; reference: string };

export interface ToggleState {
  enabled: boolean;
  /** Percentage of traffic that sees the toggle when enabled. */
  rollout: number;
  owner?: string;
  ticket?: string;
}

export interface ToggleSet {
  toggles: Map<string, ToggleState>;
  /** Workspace-relative file, or the `secretsmanager:` reference. */
  where: string;
  /** Line of each toggle (JSON files only). */
  lines: Map<string, number>;
}

const SECRET_ID = /^[A-Za-z0-9/_+=.@:-]{1,2048}$/;
const REFERENCE_FORMAT = 'secretsmanager:<secret-id>[#<json-key>] (a secret name or ARN, optionally # and a top-level field of the secret)';
const FILE_FORMAT =
  '<file>[#<field>[.<field>…]] (a JSON file in the workspace, optionally # and the path of the manifest inside it, e.g. toggles.json#flagValues)';
const ALLOWED_FIELDS = new Set(['enabled', 'rollout', 'owner', 'ticket', 'description']);

/** Parse the value of a `*-toggles` input: a secret reference or a workspace file. */
export function parseToggleReference(input: string, value: string, workspace: string): ToggleSource {
  if (!value.startsWith(SECRET_PREFIX)) {
    if (/^secrets?[-_ ]?manager:/i.test(value)) throw new InputError('GANTRY-PARITY-008', input, value, REFERENCE_FORMAT);
    // `file#a.b`: the manifest is at a.b inside the file (unless a file is named with the # in it).
    const hash = value.indexOf('#');
    const whole = hash === -1 || existsSync(path.resolve(workspace, value));
    const file = whole ? value : value.slice(0, hash);
    const select = whole ? undefined : parseSelector(value.slice(hash + 1));
    if (!whole && !select) throw new InputError('GANTRY-PARITY-009', input, value, FILE_FORMAT);
    const absolute = resolveWorkspaceFile(input, file, workspace);
    const reference = path.relative(workspace, absolute).split(path.sep).join('/');
    return select
      ? { kind: 'file', path: absolute, reference: `${reference}#${select.join('.')}`, select }
      : { kind: 'file', path: absolute, reference };
  }
  const rest = value.slice(SECRET_PREFIX.length);
  const hash = rest.indexOf('#');
  const secretId = hash === -1 ? rest : rest.slice(0, hash);
  const jsonKey = hash === -1 ? undefined : rest.slice(hash + 1);
  if (!SECRET_ID.test(secretId) || jsonKey === '') throw new InputError('GANTRY-PARITY-008', input, value, REFERENCE_FORMAT);
  return { kind: 'secret', secretId, ...(jsonKey === undefined ? {} : { jsonKey }), reference: value };
}

function describeType(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Validate a manifest's shape; `where` and `input` make every error point at its source. */
export function parseManifest(input: string, where: string, data: unknown): Map<string, ToggleState> {
  const fail = (code: FailureCode, problem: string): never => {
    throw new ActionFailure(code, `Input '${input}': ${where}: ${problem}`);
  };
  if (isFlagd(data)) return flagdToggles(data, (problem) => fail('GANTRY-PARITY-010', problem));
  try {
    return parseGantryManifest(data, (problem) => fail('GANTRY-PARITY-011', problem));
  } catch (err) {
    const foreign = err instanceof ActionFailure ? recognizeForeignFormat(data, where.replace(/#.*$/, '')) : undefined;
    if (!foreign) throw err;
    return fail(
      'GANTRY-PARITY-012',
      `looks like ${foreign.tool} format, not a toggle manifest gantry reads (name → true/false or { "enabled", "rollout" }, or OpenFeature flagd): ${foreign.advice}.`,
    );
  }
}

function parseGantryManifest(data: unknown, fail: (problem: string) => never): Map<string, ToggleState> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    fail(`expected a JSON object mapping toggle names to true/false or { "enabled": …, "rollout": 0-100 }, got ${describeType(data)}.`);
  }
  const toggles = new Map<string, ToggleState>();
  for (const [name, value] of Object.entries(data as Record<string, unknown>)) {
    if (name.trim() === '') fail('a toggle has an empty name.');
    if (typeof value === 'boolean') {
      toggles.set(name, { enabled: value, rollout: value ? 100 : 0 });
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      fail(`toggle '${name}': expected true/false or an object { "enabled": true|false, "rollout": 0-100 }, got ${describeType(value)}.`);
    }
    const fields = value as Record<string, unknown>;
    const unknown = Object.keys(fields).filter((field) => !ALLOWED_FIELDS.has(field));
    if (unknown.length > 0) {
      fail(`toggle '${name}': unknown field ${unknown.map((f) => `'${f}'`).join(', ')} (allowed: ${[...ALLOWED_FIELDS].join(', ')}).`);
    }
    if (typeof fields.enabled !== 'boolean')
      fail(`toggle '${name}': 'enabled' must be true or false, got ${describeType(fields.enabled)}.`);
    const enabled = fields.enabled as boolean;
    const rollout = fields.rollout ?? (enabled ? 100 : 0);
    if (typeof rollout !== 'number' || !Number.isFinite(rollout) || rollout < 0 || rollout > 100) {
      fail(
        `toggle '${name}': 'rollout' must be a number from 0 to 100, got ${typeof rollout === 'number' ? rollout : describeType(rollout)}.`,
      );
    }
    for (const field of ['owner', 'ticket', 'description'] as const) {
      if (fields[field] !== undefined && typeof fields[field] !== 'string') fail(`toggle '${name}': '${field}' must be a string.`);
    }
    toggles.set(name, {
      enabled,
      rollout: rollout as number,
      ...(typeof fields.owner === 'string' ? { owner: fields.owner } : {}),
      ...(typeof fields.ticket === 'string' ? { ticket: fields.ticket } : {}),
    });
  }
  return toggles;
}

/** The share of traffic that sees a toggle: what "ahead" and "behind" compare. */
export function exposure(state: ToggleState): number {
  return state.enabled ? state.rollout : 0;
}

export function describeToggle(state: ToggleState | undefined): string {
  if (!state) return '(missing)';
  if (!state.enabled) return 'off';
  return state.rollout === 100 ? 'on' : `on (${state.rollout}%)`;
}

export interface ToggleDeps {
  /** Needed only for `secretsmanager:` references. */
  secrets?: SecretsManagerClient;
  log: Logger;
}

async function readSecretManifest(input: string, source: Extract<ToggleSource, { kind: 'secret' }>, deps: ToggleDeps): Promise<unknown> {
  if (!deps.secrets) throw new Error(`no Secrets Manager client for ${source.reference}`);
  let secret: string | undefined;
  try {
    const response = await deps.secrets.send(new GetSecretValueCommand({ SecretId: source.secretId }));
    secret = response.SecretString ?? (response.SecretBinary ? Buffer.from(response.SecretBinary).toString('utf8') : undefined);
  } catch (err) {
    throw new ActionFailure('GANTRY-PARITY-013', `Input '${input}': secret '${source.secretId}' could not be read: ${describeError(err)}`);
  }
  if (!secret) throw new ActionFailure('GANTRY-PARITY-014', `Input '${input}': secret '${source.secretId}' has no value.`);
  deps.log.secret(secret);
  // A duplicate key, the depth or a NUL is described by key and line, never by content.
  const notJson = (what: string, err: unknown) =>
    err instanceof DocumentError && err.kind !== 'syntax'
      ? new ActionFailure(
          'GANTRY-PARITY-015',
          `Input '${input}': ${source.reference}: ${what}${err.line === undefined ? '' : `, line ${err.line}`}: ${err.problem}.`,
        )
      : new ActionFailure(
          'GANTRY-PARITY-016',
          `Input '${input}': ${source.reference}: ${what} is not valid JSON (its content is not shown: it is a secret).`,
        );
  let data: unknown;
  try {
    data = parseJsonDocument(secret).value;
  } catch (err) {
    throw notJson('the secret', err);
  }
  for (const secret of maskableStrings(data)) deps.log.secret(secret);
  if (source.jsonKey === undefined) return data;
  if (data === null || typeof data !== 'object' || Array.isArray(data) || !Object.hasOwn(data, source.jsonKey)) {
    throw new ActionFailure(
      'GANTRY-PARITY-017',
      `Input '${input}': ${source.reference}: the secret has no top-level field '${source.jsonKey}'.`,
    );
  }
  const field = (data as Record<string, unknown>)[source.jsonKey];
  if (typeof field !== 'string') return field;
  // A manifest stored as a JSON string inside the secret (masked whole above): its strings too.
  let manifest: unknown;
  try {
    manifest = parseJsonDocument(field).value;
  } catch (err) {
    throw notJson(`field '${source.jsonKey}'`, err);
  }
  for (const secret of maskableStrings(manifest)) deps.log.secret(secret);
  return manifest;
}

export async function loadToggles(input: string, source: ToggleSource, deps: ToggleDeps): Promise<ToggleSet> {
  if (source.kind === 'secret') {
    const data = await readSecretManifest(input, source, deps);
    return { toggles: parseManifest(input, source.reference, data), where: source.reference, lines: new Map() };
  }
  const text = (await readFile(source.path, 'utf8')).replace(/^\uFEFF/, '');
  let data: unknown;
  try {
    data = parseJsonDocument(text).value;
  } catch (err) {
    if (err instanceof DocumentError && err.kind !== 'syntax') {
      throw new ActionFailure(
        'GANTRY-PARITY-018',
        `Input '${input}': ${source.reference}${err.line === undefined ? '' : `:${err.line}`}: ${err.problem}.`,
      );
    }
    const at = locateJsonError(text);
    const where = at
      ? `${source.reference}:${at.line}: invalid JSON: ${at.problem} at column ${at.column}`
      : `${source.reference}: invalid JSON`;
    throw new ActionFailure('GANTRY-PARITY-019', `Input '${input}': ${where}.`);
  }
  if (!source.select)
    return { toggles: parseManifest(input, source.reference, data), where: source.reference, lines: jsonTopLevelKeyLines(text) };
  const selected = selectPath(data, source.select);
  if ('problem' in selected) throw new ActionFailure('GANTRY-PARITY-020', `Input '${input}': ${source.reference}: ${selected.problem}.`);
  return { toggles: parseManifest(input, source.reference, selected.value), where: source.reference, lines: new Map() };
}
