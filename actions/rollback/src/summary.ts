/** The job summary and the failure message of a rollback (pure). */
import { formatStoppedTask } from '../../../lib/ecs-rollout';
import { ActionFailure } from '../../../lib/errors';
import { codeBlock, formatDuration, keyValueTable, markdownTable } from '../../../lib/markdown';
import { TAG } from '../../../lib/metadata';
import type { RollbackResult, RollbackStatus } from './rollback';
import { shortName, type RevisionRecord } from './revisions';

const HEADLINE: Record<RollbackStatus, string> = {
  'rolled-back': '✅ rolled back',
  started: '▶️ rollback started (not waited for)',
  failed: '❌ rollback failed',
  'timed-out': '⏱️ rollback timed out',
  'dry-run': '🔍 dry run (nothing changed)',
  noop: '⏸️ nothing to do (already on the target)',
};

function deployedAt(rec: RevisionRecord): string | undefined {
  if (rec.tags[TAG.deployedAt]) return rec.tags[TAG.deployedAt];
  return rec.registeredAt ? `${rec.registeredAt.toISOString()} (registered)` : undefined;
}

function releaseRows(result: RollbackResult): unknown[][] {
  const { from, to } = result;
  const fromStatus = from.tags[TAG.status] ?? 'no gantry status';
  return [
    ['Task definition', shortName(from.arn), shortName(to.arn)],
    ['Git SHA', from.tags[TAG.gitSha], to.tags[TAG.gitSha]],
    ['Version', from.tags[TAG.version], to.tags[TAG.version]],
    ['Deployed at', deployedAt(from), deployedAt(to)],
    ['Deployed by', from.tags[TAG.actor], to.tags[TAG.actor]],
    ['Release status', result.fromTagged ? `${fromStatus} → rolled-back` : fromStatus, to.tags[TAG.status] ?? 'no gantry status'],
  ];
}

export function renderSummary(result: RollbackResult): string {
  const rows: [string, unknown][] = [
    ['Cluster', result.cluster],
    ['Service', result.service],
    ['Status', HEADLINE[result.status]],
    ['From → to', `${shortName(result.from.arn)} → ${shortName(result.to.arn)}`],
    ['Reason', result.reason],
    ['Target found by', result.how],
    ['Method', result.method],
    ['Deployment', result.deploymentId],
    ['Duration', formatDuration(result.durationMs)],
  ];
  if (result.rollout) rows.push(['Polls', `${result.rollout.polls} (${result.rollout.describeCalls} DescribeServices)`]);
  if (result.failure) rows.push(['Why', result.failure]);
  const parts = [
    `## rollback: ${HEADLINE[result.status]}`,
    keyValueTable(rows),
    '### From → to',
    markdownTable(['', 'From (rolled back)', 'To (target)'], releaseRows(result)),
  ];
  if (result.warnings.length > 0) parts.push('### Warnings', result.warnings.map((w) => `- ${w}`).join('\n'));
  parts.push(result.status === 'dry-run' ? '### What would change' : '### What was done', result.actions.map((a) => `- ${a}`).join('\n'));
  const stopped = result.rollout?.stoppedTasks ?? [];
  if (result.failure && stopped.length > 0) {
    parts.push('### Stopped tasks', markdownTable(['Task', 'Stop code', 'Reason', 'Containers'], stopped.slice(0, 10).map((t) => [
      t.taskArn.split('/').pop(),
      t.stopCode,
      t.stoppedReason,
      t.containers.map((c) => `${c.name}: exit ${c.exitCode ?? '?'}${c.reason ? ` (${c.reason})` : ''}`).join('\n'),
    ])));
  }
  const events = result.rollout?.lastEvents ?? [];
  if (result.failure && events.length > 0) parts.push('### Last service events', codeBlock(events.join('\n')));
  parts.push('Revisions are never deregistered by gantry: every release above can still be rolled back to.');
  return `${parts.join('\n\n')}\n`;
}

/** Why the rollback failed, in the step's error: the reason, stopped tasks and last events. */
export function failureOf(result: RollbackResult): ActionFailure {
  const verb = result.status === 'timed-out' ? 'timed out' : 'failed';
  const stopped = (result.rollout?.stoppedTasks ?? []).map(formatStoppedTask);
  const events = result.rollout?.lastEvents ?? [];
  const lines = [`Rollback of service ${result.service} from ${shortName(result.from.arn)} to ${shortName(result.to.arn)} ${verb}: ${result.failure ?? 'no reason reported'}`];
  if (stopped.length) lines.push(`Stopped tasks: ${stopped.slice(0, 3).join(' | ')}${stopped.length > 3 ? ` (+${stopped.length - 3} more)` : ''}`);
  if (events.length) lines.push(`Last events: ${events.slice(-5).join(' | ')}`);
  const details = [
    ...(stopped.length ? ['Stopped tasks:', ...stopped.map((s) => `  ${s}`)] : []),
    ...(events.length ? ['Last service events:', ...events.map((e) => `  ${e}`)] : []),
  ];
  return new ActionFailure(lines.join('\n'), details);
}
