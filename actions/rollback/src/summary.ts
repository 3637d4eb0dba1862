/** The job summary and the failure message of a rollback (pure). */
import { rolloutFailure, rolloutFailureSections } from '../../../lib/ecs/rollout-report';
import type { ActionFailure } from '../../../lib/runner/errors';
import { formatDuration, keyValueTable, markdownTable } from '../../../lib/util/markdown';
import { TAG } from '../../../lib/ecs/metadata';
import { describeFailure } from '../../../lib/runner/errors';
import type { Inputs } from './inputs';
import type { RollbackResult, RollbackStatus } from './rollback';
import { shortName, type RevisionRecord } from './revisions';

const HEADLINE: Record<RollbackStatus, string> = {
  'rolled-back': '✅ rolled back',
  started: '▶️ rollback started (not waited for)',
  failed: '❌ rollback failed',
  'timed-out': '⏱️ rollback timed out',
  'dry-run': '🔍 dry run (nothing changed)',
  noop: '⏸️ nothing to do (already on the target)',
  cancelled: '🛑 cancelled before the rollout was judged',
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
  if (result.failure) parts.push(...rolloutFailureSections(result.rollout));
  parts.push('Revisions are never deregistered by gantry: every release above can still be rolled back to.');
  return `${parts.join('\n\n')}\n`;
}

/** Why the rollback failed, in the step's error: the reason, stopped tasks and last events. */
export function failureOf(result: RollbackResult): ActionFailure {
  const verb = result.status === 'timed-out' ? 'timed out' : 'failed';
  const headline = `Rollback of service ${result.service} from ${shortName(result.from.arn)} to ${shortName(result.to.arn)} ${verb}: ${result.failure ?? 'no reason reported'}`;
  return rolloutFailure(result.status === 'timed-out' ? 'GANTRY-ROLLBACK-016' : 'GANTRY-ROLLBACK-015', headline, result.rollout);
}

/** The summary when the rollback stopped before it had a result (target not found, unknown service, …). */
export function renderErrorSummary(inputs: Inputs, err: unknown): string {
  return `## rollback: ❌ failed\n\n${keyValueTable([
    ['Cluster', inputs.cluster],
    ['Service', inputs.service],
    ['Target', inputs['target-input']],
    ['Reason', inputs.reason],
    ['Error', describeFailure(err)],
  ])}\n`;
}
