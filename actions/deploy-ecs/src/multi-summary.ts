/** Outputs, job summary and failure message of a `services` release (pure). */
import { nameOf } from '../../../lib/ecs/rollout-batch';
import { rolloutFailureSections } from '../../../lib/ecs/rollout-report';
import { summarizeStoppedTasks } from '../../../lib/ecs/rollout';
import { ActionFailure, describeError } from '../../../lib/runner/errors';
import { codeBlock, formatDuration, keyValueTable, markdownTable, truncateText } from '../../../lib/util/markdown';
import type { DeployResult } from './deploy';
import type { Inputs } from './inputs';
import type { MultiDeployResult } from './multi';
import { shortTaskDefinition } from './summary';
import { deployServicesOutput } from './multi-register';

const HEADLINE: Record<MultiDeployResult['status'], string> = {
  deployed: '✅ deployed',
  failed: '❌ failed',
  'timed-out': '⏱️ timed out',
  'dry-run': '🔍 dry run (nothing changed)',
  cancelled: '🛑 cancelled before the release was judged',
  registered: '📝 registered (register-only: no service updated)',
};

const SERVICE_STATUS: Record<DeployResult['status'], string> = {
  deployed: '✅ deployed',
  failed: '❌ failed',
  'timed-out': '⏱️ timed out',
  'dry-run': '🔍 dry run',
  'awaiting-action': '⏸️ awaiting action',
  registered: '📝 registered',
  cancelled: '🛑 cancelled',
};

/**
 * `status` (the release's), `services` (one JSON object per service: service, status,
 * task-definition-arn, previous-task-definition-arn, revision, deployment-id, reason) and
 * `rollback-services` (the services this run updated, each with its own previous revision as the
 * target: the `services` input of rollback, as deploy.yml passes it).
 */
export function releaseOutputs(result: MultiDeployResult): Record<string, string> {
  const services = result.services.map(({ entry, result: r }) => ({
    service: entry.service,
    status: r.status,
    'task-definition-arn': r.taskDefinitionArn ?? null,
    'previous-task-definition-arn': r.previousTaskDefinitionArn ?? null,
    revision: r.revision ?? null,
    'deployment-id': r.deploymentId ?? null,
    reason: r.reason ?? null,
  }));
  const rollback = result.services
    .filter((s) => s.touched && s.result.previousTaskDefinitionArn)
    .map((s) => ({ service: s.entry.service, target: s.result.previousTaskDefinitionArn }));
  const outputs: Record<string, string> = {
    status: result.status,
    services: JSON.stringify(services),
    'rollback-services': JSON.stringify(rollback),
  };
  if (result.status === 'registered') outputs['deploy-services'] = deployServicesOutput(result);
  return outputs;
}

export function renderReleaseSummary(inputs: Inputs, result: MultiDeployResult): string {
  const rows = result.services.map(({ entry, result: r }) => [
    nameOf(entry.service),
    `${shortTaskDefinition(r.previousTaskDefinitionArn) ?? '—'} → ${shortTaskDefinition(r.taskDefinitionArn) ?? (r.status === 'dry-run' ? '(not registered)' : '—')}`,
    r.targets.map((t) => t.container).join(', '),
    SERVICE_STATUS[r.status],
    r.deploymentId,
    r.rollout ? `${r.rollout.polls}` : undefined,
    r.reason,
  ]);
  const overview: [string, unknown][] = [
    ['Cluster', result.cluster],
    ['Image', inputs.images.map((i) => i.image).join('\n')],
    ['Git SHA', inputs['git-sha']],
    ['Version', inputs.version],
    ['Environment', inputs.environment],
    ['Status', HEADLINE[result.status]],
    ['Duration', formatDuration(result.durationMs)],
  ];
  if (result.watch) {
    overview.push([
      'Watch',
      `${result.watch.polls} polls, ${result.watch.describeCalls} DescribeServices for ${result.services.length} services (at most ${result.watch.maxCallsPerPoll} per poll)`,
    ]);
  }
  if (result.reason) overview.push(['Reason', result.reason]);
  const parts = [
    `## deploy-ecs: release of ${result.services.length} services ${HEADLINE[result.status]}`,
    keyValueTable(overview),
    markdownTable(['Service', 'Task definition', 'Container', 'Status', 'Deployment', 'Polls', 'Reason'], rows),
  ];
  for (const { entry, result: r } of result.services) {
    if (r.status !== 'deployed' && r.status !== 'dry-run' && r.rollout?.stoppedTasks.length) {
      parts.push(`### ${nameOf(entry.service)}`, ...rolloutFailureSections(r.rollout).map((p) => p.replace(/^### /, '#### ')));
    }
    if (r.diff) {
      parts.push(
        `### ${nameOf(entry.service)}: changes against the live task definition`,
        codeBlock(truncateText(r.diff.join('\n') || '(no changes)', 30_000 / Math.max(1, result.services.length)), 'diff'),
      );
    }
  }
  return `${parts.join('\n\n')}\n`;
}

/** The step's error: which service failed the release (or that the job was cancelled, and which services it had updated), and how each service ended. */
export function releaseFailure(result: MultiDeployResult): ActionFailure {
  const details = result.services.map(({ entry, result: r }) => {
    const stopped = summarizeStoppedTasks(r.rollout?.stoppedTasks ?? []);
    const logs = r.rollout?.stoppedTasks.find((t) => t.logLines?.length)?.logLines?.slice(-3);
    return `${nameOf(entry.service)}: ${r.status} ${shortTaskDefinition(r.taskDefinitionArn) ?? ''}${r.reason ? ` (${r.reason})` : ''}${
      stopped.length ? `; stopped tasks: ${stopped.slice(0, 3).join(' | ')}` : ''
    }${logs?.length ? `; last log lines: ${logs.join(' | ')}` : ''}`;
  });
  if (result.status === 'cancelled') {
    const names = (touched: boolean): string =>
      result.services
        .filter((s) => s.touched === touched)
        .map((s) => nameOf(s.entry.service))
        .join(', ') || 'none';
    return new ActionFailure(
      'GANTRY-DEPLOY-120',
      `Release of ${result.services.length} services in cluster ${result.cluster} was cancelled (${result.reason ?? 'a signal'}) before its verdict: updated, unverified (in rollback-services): ${names(true)}; not updated: ${names(false)}`,
      details,
    );
  }
  const verb = result.status === 'timed-out' ? 'timed out' : 'failed';
  const headline = `Release of ${result.services.length} services in cluster ${result.cluster} ${verb}: ${result.reason ?? 'no reason reported'}`;
  return new ActionFailure('GANTRY-DEPLOY-105', headline, details);
}

export function renderReleaseErrorSummary(inputs: Inputs, err: unknown): string {
  return `## deploy-ecs: release ❌ failed\n\n${keyValueTable([
    ['Cluster', inputs.cluster],
    ['Services', (inputs.services ?? []).map((s) => nameOf(s.service)).join(', ')],
    ['Image', inputs.images.map((i) => i.image).join('\n')],
    ['Error', describeError(err)],
  ])}\n`;
}
