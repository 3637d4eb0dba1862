/**
 * Every input of rollback, parsed and validated in one place before any AWS call: a bad input
 * fails with a message naming it and leaves the service untouched.
 */
import { InputError } from '../../../lib/errors';
import { InputReader, type Env } from '../../../lib/inputs';
import { parseTarget, type RollbackTarget } from './target';

export interface Inputs {
  cluster: string;
  service: string;
  target: RollbackTarget;
  /** The raw `target` text, for messages. */
  'target-input': string;
  reason?: string;
  wait: boolean;
  'timeout-seconds': number;
  'poll-interval-seconds': number;
  'dry-run': boolean;
  'aws-region'?: string;
  'endpoint-url'?: string;
}

/** ECS names: cluster and service names are 1–255 letters, digits, '-' and '_'; ARNs are accepted as they are. */
const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ECS_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:[a-z-]+\/[A-Za-z0-9_/-]{1,512}$/;
/** Long enough for a sentence or two; the tag keeps the first 256 characters. */
const MAX_REASON = 1024;

export function getInputs(env: Env = process.env): Inputs {
  const read = new InputReader(env);
  const cluster = nameOrArn(read, 'cluster', 'cluster');
  const service = nameOrArn(read, 'service', 'service');
  const targetInput = read.raw('target') || 'previous';
  const target = parseTarget(targetInput);
  const reason = read.optional('reason');
  if (reason !== undefined && reason.length > MAX_REASON) {
    throw new InputError('reason', reason, `at most ${MAX_REASON} characters (it has ${reason.length})`);
  }
  const timeoutSeconds = read.seconds('timeout-seconds', { default: 900, min: 1, max: 6 * 3600 });
  const pollIntervalSeconds = read.seconds('poll-interval-seconds', { default: 10, min: 1, max: 300 });
  if (pollIntervalSeconds > timeoutSeconds) {
    throw new InputError('poll-interval-seconds', String(pollIntervalSeconds), `at most timeout-seconds (${timeoutSeconds})`);
  }
  return {
    cluster,
    service,
    target,
    'target-input': targetInput,
    reason,
    wait: read.boolean('wait', true),
    'timeout-seconds': timeoutSeconds,
    'poll-interval-seconds': pollIntervalSeconds,
    'dry-run': read.boolean('dry-run', false),
    'aws-region': read.optional('aws-region'),
    'endpoint-url': read.optional('endpoint-url'),
  };
}

function nameOrArn(read: InputReader, input: string, what: string): string {
  const value = read.required(input, `an ECS ${what} name or ARN`);
  if (!ECS_NAME.test(value) && !ECS_ARN.test(value)) {
    throw new InputError(input, value, `an ECS ${what} name (1 to 255 letters, digits, '-' and '_') or ARN`);
  }
  return value;
}
