/**
 * Every input of rollback, parsed and validated in one place before any AWS call: a bad input
 * fails with a message naming it and leaves the service untouched.
 */
import { checkArnScope, checkServiceInCluster, readAccountId } from '../../../lib/aws/arns';
import { awsClientConfig } from '../../../lib/aws/config';
import { InputError } from '../../../lib/runner/errors';
import { InputReader, type Env } from '../../../lib/runner/inputs';
import { entryLabel, parseServiceList } from '../../../lib/ecs/service-list';
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
  /** Last log lines per stopped task shown with a failure (lib/ecs/task-logs.ts). */
  'log-lines'?: number;
  'aws-region'?: string;
  'endpoint-url'?: string;
  /** The `services` list (multi.ts): each service rolled back to its own target. */
  services?: ServiceRollback[];
}

export interface ServiceRollback {
  index: number;
  service: string;
  target: RollbackTarget;
  'target-input': string;
}

/** The single-service inputs of one entry of the list. */
export function inputsFor(inputs: Inputs, entry: ServiceRollback): Inputs {
  return { ...inputs, service: entry.service, target: entry.target, 'target-input': entry['target-input'], services: undefined };
}

/** Long enough for a sentence or two; the tag keeps the first 256 characters. */
const MAX_REASON = 1024;

export function getInputs(env: Env = process.env): Inputs {
  const read = new InputReader(env);
  const cluster = read.ecsNameOrArn('cluster', 'cluster');
  const list = read.has('services') ? read.raw('services') : undefined;
  if (list !== undefined && read.has('service')) {
    throw new InputError(
      'GANTRY-ROLLBACK-100',
      'service',
      read.raw('service'),
      "nothing when 'services' is given (name each service, and its own target, in the list)",
    );
  }
  const service = list === undefined ? read.ecsNameOrArn('service', 'service') : '';
  const targetInput = read.raw('target') || 'previous';
  const target = parseTarget(targetInput);
  const services =
    list === undefined
      ? undefined
      : parseServiceList(list, cluster, ['target']).map((entry): ServiceRollback => {
          const raw = entry.fields.target ?? targetInput;
          let parsed: RollbackTarget;
          try {
            parsed = parseTarget(raw);
          } catch (err) {
            if (err instanceof InputError) throw new InputError(err.code, 'services', `${entryLabel(entry)} target=${raw}`, err.expected);
            throw err;
          }
          return { index: entry.index, service: entry.service, target: parsed, 'target-input': raw };
        });
  const reason = read.optional('reason');
  if (reason !== undefined && reason.length > MAX_REASON) {
    throw new InputError('GANTRY-ROLLBACK-001', 'reason', reason, `at most ${MAX_REASON} characters (it has ${reason.length})`);
  }
  const timeoutSeconds = read.seconds('timeout-seconds', { default: 900, min: 1, max: 6 * 3600 });
  const pollIntervalSeconds = read.seconds('poll-interval-seconds', { default: 10, min: 1, max: 300 });
  if (pollIntervalSeconds > timeoutSeconds) {
    throw new InputError(
      'GANTRY-ROLLBACK-002',
      'poll-interval-seconds',
      String(pollIntervalSeconds),
      `at most timeout-seconds (${timeoutSeconds})`,
    );
  }
  if (!services) checkServiceInCluster(cluster, service);
  const account = readAccountId('aws-account-id', read.optional('aws-account-id'));
  const arns = [
    { input: 'cluster', value: cluster },
    ...(services
      ? services.flatMap((s) => [
          { input: 'services', value: s.service },
          { input: 'services', value: s.target.kind === 'arn' ? s.target.arn : undefined },
        ])
      : [{ input: 'service', value: service }]),
    { input: 'target', value: target.kind === 'arn' ? target.arn : undefined },
  ];
  // ARNs of another region or account are refused before any AWS call (lib/aws/arns.ts says why).
  if (account || arns.some((a) => a.value?.startsWith('arn:'))) {
    const { region } = awsClientConfig({ region: read.optional('aws-region'), endpointUrl: read.optional('endpoint-url') }, env);
    checkArnScope(arns, { region, account });
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
    'log-lines': read.integer('log-lines', { default: 20, min: 0, max: 1000 }),
    'aws-region': read.optional('aws-region'),
    'endpoint-url': read.optional('endpoint-url'),
    services,
  };
}
