/** The job summary and the failure message of a deployment (pure). */
import { formatStoppedTask, summarizeStoppedTasks } from '../../../lib/ecs-rollout';
import { ActionFailure, describeError } from '../../../lib/errors';
import { codeBlock, formatDuration, keyValueTable, markdownTable, truncateText } from '../../../lib/markdown';
import type { DeployResult } from './deploy';
import type { Inputs } from './inputs';

const HEADLINE: Record<DeployResult['status'], string> = {
  deployed: '✅ deployed',
  failed: '❌ failed',
  'timed-out': '⏱️ timed out',
  'dry-run': '🔍 dry run (nothing changed)',
};

/** `arn:aws:ecs:…:task-definition/web:12` → `web:12`. */
export function shortTaskDefinition(arn: string | undefined): string | undefined {
  return arn?.split('/').pop();
}

export function renderSummary(inputs: Inputs, result: DeployResult): string {
  const revision = `${shortTaskDefinition(result.previousTaskDefinitionArn) ?? '—'} → ${shortTaskDefinition(result.taskDefinitionArn) ?? (result.status === 'dry-run' ? '(not registered)' : '—')}`;
  const images = result.targets.map((t) => `${t.container}: ${t.image}`).join('\n');
  const rows: [string, unknown][] = [
    ['Cluster', result.cluster],
    ['Service', result.service],
    ['Task definition', revision],
    ['Image(s)', images || (inputs['task-definition-arn'] ? 'promoted revision, unchanged' : undefined)],
    ['Git SHA', inputs['task-definition-arn'] ? undefined : inputs['git-sha']],
    ['Version', inputs.version],
    ['Environment', inputs.environment],
    ['Status', HEADLINE[result.status]],
    ['Deployment', result.deploymentId],
    ['Duration', formatDuration(result.durationMs)],
  ];
  if (result.rollout) rows.push(['Polls', `${result.rollout.polls} (${result.rollout.describeCalls} DescribeServices)`]);
  if (result.reason) rows.push(['Reason', result.reason]);
  const parts = [`## deploy-ecs: ${HEADLINE[result.status]}`, keyValueTable(rows)];
  const stopped = result.rollout?.stoppedTasks ?? [];
  if (result.status !== 'deployed' && stopped.length > 0) {
    parts.push('### Stopped tasks', markdownTable(['Task', 'Stop code', 'Reason', 'Containers'], stopped.slice(0, 10).map((t) => [
      t.taskArn.split('/').pop(),
      t.stopCode,
      t.stoppedReason,
      t.containers.map((c) => `${c.name}: exit ${c.exitCode ?? '?'}${c.reason ? ` (${c.reason})` : ''}`).join('\n'),
    ])));
  }
  const events = result.rollout?.lastEvents ?? [];
  if (result.status !== 'deployed' && events.length > 0) parts.push('### Last service events', codeBlock(events.join('\n')));
  if (result.diff) parts.push('### Changes against the live task definition', codeBlock(truncateText(result.diff.join('\n') || '(no changes)', 30_000), 'diff'));
  return `${parts.join('\n\n')}\n`;
}

/** Why the deployment failed, in the step's error: the reason, stopped tasks and last events. */
export function failureOf(result: DeployResult): ActionFailure {
  const verb = result.status === 'timed-out' ? 'timed out' : 'failed';
  const tasks = result.rollout?.stoppedTasks ?? [];
  const events = result.rollout?.lastEvents ?? [];
  const lines = [`Deployment of ${shortTaskDefinition(result.taskDefinitionArn) ?? 'the release'} to service ${result.service} ${verb}: ${result.reason ?? 'no reason reported'}`];
  if (tasks.length) lines.push(`Stopped tasks: ${summarizeStoppedTasks(tasks).slice(0, 3).join(' | ')}`);
  if (events.length) lines.push(`Last events: ${events.slice(-3).join(' | ')}`);
  const details = [
    ...(tasks.length ? ['Stopped tasks:', ...tasks.map((t) => `  ${formatStoppedTask(t)}`)] : []),
    ...(events.length ? ['Last service events:', ...events.map((e) => `  ${e}`)] : []),
  ];
  return new ActionFailure(lines.join('\n'), details);
}

/** The summary of a deployment that stopped with an error before it had a result. */
export function renderErrorSummary(inputs: Inputs, err: unknown): string {
  return `## deploy-ecs: ❌ failed\n\n${keyValueTable([
    ['Cluster', inputs.cluster],
    ['Service', inputs.service],
    ['Image(s)', inputs.images.map((i) => (i.container ? `${i.container}: ${i.image}` : i.image)).join('\n') || inputs['task-definition-arn']],
    ['Error', describeError(err)],
  ])}\n`;
}
