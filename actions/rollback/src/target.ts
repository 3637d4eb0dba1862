/**
 * The `target` input's grammar (pure): what the user asked to roll back to, before anything is
 * looked up. Every malformed form is an InputError naming `target`, so a typo fails the step
 * before any AWS call.
 */
import { InputError } from '../../../lib/runner/errors';
import { parseVersion } from '../../../lib/ecs/metadata';

export type RollbackTarget =
  | { kind: 'previous' }
  | { kind: 'sha'; sha: string }
  | { kind: 'version'; version: string }
  | { kind: 'revision'; revision: number }
  | { kind: 'arn'; arn: string; family: string; revision: number };

export const TARGET_FORMS =
  "'previous', 'sha:<git sha of 7 to 40 hex characters>', 'version:<semver>', 'revision:<n>' (n ≥ 1) or a task definition ARN " +
  '(arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>)';

const SHA = /^[0-9a-f]{7,40}$/;
const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;
/** Full ARN only: a bare `family:n` is what `revision:n` is for, and cannot name another family by accident. */
const TASK_DEFINITION_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/([^:/]+):([^:/]+)$/;

export function parseTarget(raw: string, input = 'target'): RollbackTarget {
  const value = raw.trim();
  if (value === '' || value === 'previous') return { kind: 'previous' };
  const colon = value.indexOf(':');
  const form = colon > 0 ? value.slice(0, colon).toLowerCase() : '';
  const rest = colon > 0 ? value.slice(colon + 1).trim() : '';

  switch (form) {
    case 'sha': {
      const sha = rest.toLowerCase();
      if (!SHA.test(sha))
        throw new InputError(
          'GANTRY-ROLLBACK-017',
          input,
          raw,
          `sha:<git sha> with 7 to 40 hexadecimal characters, e.g. sha:1a2b3c4 (got '${rest}')`,
        );
      return { kind: 'sha', sha };
    }
    case 'version': {
      const version = parseVersion(rest);
      if (!version)
        throw new InputError(
          'GANTRY-ROLLBACK-018',
          input,
          raw,
          `version:<semver>, a semantic version such as version:1.4.2 or version:v2.0.0-rc.1 (got '${rest}')`,
        );
      return { kind: 'version', version };
    }
    case 'revision': {
      if (!/^\d+$/.test(rest) || !Number.isSafeInteger(Number(rest)) || Number(rest) < 1) {
        throw new InputError('GANTRY-ROLLBACK-019', input, raw, `revision:<n> with a revision number of at least 1 (got '${rest}')`);
      }
      return { kind: 'revision', revision: Number(rest) };
    }
    case 'arn':
      return parseArn(value, raw, input);
    default:
      throw new InputError('GANTRY-ROLLBACK-020', input, raw, TARGET_FORMS);
  }
}

function parseArn(value: string, raw: string, input: string): RollbackTarget {
  const match = TASK_DEFINITION_ARN.exec(value);
  const expected = 'a full task definition ARN, arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>';
  if (!match) throw new InputError('GANTRY-ROLLBACK-021', input, raw, expected);
  const [, family, revisionText] = match;
  const revision = Number(revisionText);
  if (!FAMILY.test(family) || !/^\d+$/.test(revisionText) || revision < 1 || !Number.isSafeInteger(revision)) {
    throw new InputError(
      'GANTRY-ROLLBACK-022',
      input,
      raw,
      `${expected} with a family of letters, digits, '-' and '_' and a revision of at least 1`,
    );
  }
  return { kind: 'arn', arn: value, family, revision };
}

/** How the target reads in messages: `sha:1a2b3c4`, `revision:7`, … */
export function describeTarget(target: RollbackTarget): string {
  switch (target.kind) {
    case 'previous':
      return 'previous';
    case 'sha':
      return `sha:${target.sha}`;
    case 'version':
      return `version:${target.version}`;
    case 'revision':
      return `revision:${target.revision}`;
    case 'arn':
      return target.arn;
  }
}
