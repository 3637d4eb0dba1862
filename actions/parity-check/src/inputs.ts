/**
 * Every input of parity-check, parsed and validated before any file is parsed or any secret is
 * read. Sides come in pairs: giving one side of a pair without the other is an error.
 */
import { awsClientConfig } from '../../../lib/aws/config';
import { InputError } from '../../../lib/runner/errors';
import { InputReader, resolveWorkspaceFile, workspaceDir, type Env } from '../../../lib/runner/inputs';
import { parseToggleReference, type ToggleSource } from './toggles';

export interface Inputs {
  'base-name': string;
  'target-name': string;
  /** Absolute paths, in override order. */
  'base-var-files': string[];
  'target-var-files': string[];
  'base-toggles'?: ToggleSource;
  'target-toggles'?: ToggleSource;
  'base-env-file'?: string;
  'target-env-file'?: string;
  'values-must-match': string[];
  ignore: string[];
  'rollout-toggles': string[];
  'fail-on-divergence': boolean;
  'aws-region'?: string;
  'endpoint-url'?: string;
  /** GITHUB_WORKSPACE: files resolve against it and findings name files relative to it. */
  workspace: string;
}

const LABEL = /^[\p{L}\p{N}][\p{L}\p{N} _.-]{0,39}$/u;
const DOT_PATH = /^[^.\s,]+(?:\.[^.\s,]+)*$/;

/** Names one per line or comma-separated (`ignore: a, b`), `#` lines skipped. */
function names(reader: InputReader, name: string, pattern: RegExp, expected: string): string[] {
  const result: string[] = [];
  for (const line of reader.list(name)) {
    for (const item of line
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)) {
      if (!pattern.test(item)) throw new InputError('GANTRY-PARITY-002', name, item, expected);
      if (!result.includes(item)) result.push(item);
    }
  }
  return result;
}

function label(reader: InputReader, name: string, fallback: string): string {
  const value = reader.optional(name) ?? fallback;
  if (!LABEL.test(value))
    throw new InputError('GANTRY-PARITY-003', name, value, 'a short label (letters, digits, spaces, _ . -; at most 40 characters)');
  return value;
}

/** Both inputs of a pair, or neither. */
function requirePair(reader: InputReader, base: string, target: string): void {
  if (reader.has(base) && !reader.has(target))
    throw new InputError('GANTRY-PARITY-004', target, undefined, `a value, because ${base} is set (both sides are needed to compare)`);
  if (reader.has(target) && !reader.has(base))
    throw new InputError('GANTRY-PARITY-004', base, undefined, `a value, because ${target} is set (both sides are needed to compare)`);
}

export function getInputs(env: Env = process.env): Inputs {
  const reader = new InputReader(env);
  const workspace = workspaceDir(env);
  const baseName = label(reader, 'base-name', 'staging');
  const targetName = label(reader, 'target-name', 'production');
  if (baseName === targetName)
    throw new InputError('GANTRY-PARITY-005', 'target-name', targetName, `a label different from base-name '${baseName}'`);

  requirePair(reader, 'base-var-files', 'target-var-files');
  requirePair(reader, 'base-toggles', 'target-toggles');
  requirePair(reader, 'base-env-file', 'target-env-file');
  if (!['base-var-files', 'base-toggles', 'base-env-file'].some((name) => reader.has(name))) {
    throw new InputError(
      'GANTRY-PARITY-006',
      'base-var-files',
      undefined,
      'something to compare: base-var-files/target-var-files, base-toggles/target-toggles or base-env-file/target-env-file',
    );
  }

  const files = (name: string): string[] => reader.list(name).map((value) => resolveWorkspaceFile(name, value, workspace));
  const toggles = (name: string): ToggleSource | undefined => {
    const value = reader.optional(name);
    return value === undefined ? undefined : parseToggleReference(name, value, workspace);
  };
  const inputs: Inputs = {
    'base-name': baseName,
    'target-name': targetName,
    'base-var-files': files('base-var-files'),
    'target-var-files': files('target-var-files'),
    'base-toggles': toggles('base-toggles'),
    'target-toggles': toggles('target-toggles'),
    'base-env-file': reader.file('base-env-file', { workspace }),
    'target-env-file': reader.file('target-env-file', { workspace }),
    'values-must-match': names(
      reader,
      'values-must-match',
      DOT_PATH,
      'variable names or dot paths (e.g. engine_version, db.engine_version)',
    ),
    ignore: names(reader, 'ignore', /^\S+$/, 'variable, toggle or env names without spaces'),
    'rollout-toggles': names(reader, 'rollout-toggles', /^\S+$/, 'toggle names without spaces'),
    'fail-on-divergence': reader.boolean('fail-on-divergence', true),
    'aws-region': reader.optional('aws-region'),
    'endpoint-url': reader.optional('endpoint-url'),
    workspace,
  };
  // Region and endpoint matter only when a manifest lives in Secrets Manager; check them now,
  // before anything is read.
  if (usesSecretsManager(inputs)) awsClientConfig({ region: inputs['aws-region'], endpointUrl: inputs['endpoint-url'] }, env);
  return inputs;
}

export function usesSecretsManager(inputs: Pick<Inputs, 'base-toggles' | 'target-toggles'>): boolean {
  return inputs['base-toggles']?.kind === 'secret' || inputs['target-toggles']?.kind === 'secret';
}
