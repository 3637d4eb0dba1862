/** Outputs, job summary and failure message of a rollback of several services (pure). */
import { nameOf } from '../../../lib/ecs/rollout-batch';
import { ActionFailure, describeError } from '../../../lib/runner/errors';
import { formatDuration, keyValueTable, markdownTable } from '../../../lib/util/markdown';
import type { Inputs } from './inputs';
import type { MultiRollbackResult } from './multi';
import { shortName } from './revisions';

/** `status` (all of them), `services`: one JSON object per service (service, status, task-definition-arn, from-task-definition-arn, deployment-id, failure). */
export function rollbackOutputs(result: MultiRollbackResult): Record<string, string> {
  const services = result.services.map(({ entry, result: r }) => ({
    service: entry.service,
    status: r.status,
    'task-definition-arn': (r.status === 'dry-run' ? r.to.arn : r.liveArn) ?? null,
    'from-task-definition-arn': r.from.arn,
    'deployment-id': r.deploymentId ?? null,
    failure: r.failure ?? null,
  }));
  return { status: result.status, services: JSON.stringify(services) };
}

export function renderRollbackSummary(result: MultiRollbackResult): string {
  const rows = result.services.map(({ entry, result: r }) => [
    nameOf(entry.service),
    entry['target-input'],
    `${shortName(r.from.arn)} → ${shortName(r.to.arn)}`,
    r.status,
    r.liveArn ? shortName(r.liveArn) : undefined,
    r.failure,
  ]);
  const overview: [string, unknown][] = [
    ['Cluster', result.cluster],
    ['Status', result.status],
    ['Duration', formatDuration(result.durationMs)],
  ];
  if (result.watch)
    overview.push([
      'Watch',
      `${result.watch.polls} polls, ${result.watch.describeCalls} DescribeServices for ${result.services.length} services (at most ${result.watch.maxCallsPerPoll} per poll)`,
    ]);
  return `${[
    `## rollback: ${result.services.length} services, ${result.status}`,
    keyValueTable(overview),
    markdownTable(['Service', 'Target', 'Revision', 'Status', 'Runs now', 'Failure'], rows),
  ].join('\n\n')}\n`;
}

export function rollbackFailure(result: MultiRollbackResult): ActionFailure {
  const failed = result.services.filter((s) => s.result.status === 'failed' || s.result.status === 'timed-out');
  return new ActionFailure(
    'GANTRY-ROLLBACK-101',
    `Rollback of ${failed.length} of ${result.services.length} services in cluster ${result.cluster} did not finish: ${failed
      .map((s) => `${nameOf(s.entry.service)} ${s.result.status} (${s.result.failure ?? 'no reason reported'})`)
      .join('; ')}`,
    result.services.map(({ entry, result: r }) => `${nameOf(entry.service)}: ${r.status}, runs ${shortName(r.liveArn) ?? 'unknown'}`),
  );
}

/** The error of a cancelled rollback of a list: which services were switched (what each runs) and which were not. */
export function cancelledRollbackFailure(result: MultiRollbackResult, signal: string): ActionFailure {
  const group = (prefix: string): string =>
    result.services
      .filter((s) => s.result.status === 'cancelled' && s.result.failure?.startsWith(prefix))
      .map((s) => `${nameOf(s.entry.service)} (runs ${shortName(s.result.liveArn)})`)
      .join(', ') || 'none';
  const unknown = result.services.filter((s) => s.result.status === 'cancelled' && !/^(not )?switched:/.test(s.result.failure ?? ''));
  return new ActionFailure(
    'GANTRY-ROLLBACK-120',
    `Rollback of ${result.services.length} services in cluster ${result.cluster} was cancelled (${signal}) before its verdict: switched: ${group('switched:')}; not switched: ${group('not switched:')}${
      unknown.length ? `; unknown: ${unknown.map((s) => nameOf(s.entry.service)).join(', ')}` : ''
    }`,
    result.services.map(({ entry, result: r }) => `${nameOf(entry.service)}: ${r.status}, ${r.failure ?? `runs ${shortName(r.liveArn)}`}`),
  );
}

export function renderRollbackErrorSummary(inputs: Inputs, err: unknown): string {
  return `## rollback: ❌ failed\n\n${keyValueTable([
    ['Cluster', inputs.cluster],
    ['Services', (inputs.services ?? []).map((s) => nameOf(s.service)).join(', ')],
    ['Error', describeError(err)],
  ])}\n`;
}
