/** The job summary and the failure message of a deployment (pure). */
import { rolloutFailure, rolloutFailureSections } from '../../../lib/ecs/rollout-report';
import { type ActionFailure, describeFailure } from '../../../lib/runner/errors';
import { codeBlock, formatDuration, keyValueTable, truncateText } from '../../../lib/util/markdown';
import type { DeployResult } from './deploy';
import type { Inputs } from './inputs';

const HEADLINE: Record<DeployResult['status'], string> = {
  deployed: '✅ deployed',
  failed: '❌ failed',
  'timed-out': '⏱️ timed out',
  'dry-run': '🔍 dry run (nothing changed)',
  'awaiting-action': '⏸️ paused at a gate (awaiting action)',
  registered: '📝 registered (service not updated)',
  cancelled: '🛑 cancelled before the rollout was judged',
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
  const native = result.rollout?.native;
  if (result.strategy && result.strategy !== 'ROLLING')
    rows.push(['Strategy', result.strategy], ['Service deployment', result.serviceDeploymentArn]);
  if (result.rollout) {
    rows.push([
      'Polls',
      `${result.rollout.polls} (${result.rollout.describeCalls} DescribeServices${native ? `, ${native.describeDeploymentCalls} DescribeServiceDeployments` : ''})`,
    ]);
  }
  if (native?.stages.length)
    rows.push(['Lifecycle stages', native.stages.map((s) => `${s.stage} (${formatDuration(s.elapsedMs)})`).join(' → ')]);
  if (native?.triggeredAlarms.length) rows.push(['Triggered alarms', native.triggeredAlarms.join(', ')]);
  if (result.status === 'awaiting-action') {
    const { gate } = result;
    rows.push([
      'Gate',
      `${gate.stage}: hook ${gate.hookId}${gate.expiresAt ? `, expires ${gate.expiresAt.toISOString()} (then ${gate.timeoutAction ?? 'ROLLBACK'})` : ''}`,
    ]);
  }
  if (result.reason) rows.push(['Reason', result.reason]);
  const parts = [`## deploy-ecs: ${HEADLINE[result.status]}`, keyValueTable(rows)];
  if (result.status !== 'deployed' && result.status !== 'awaiting-action') parts.push(...rolloutFailureSections(result.rollout));
  if (result.diff)
    parts.push(
      '### Changes against the live task definition',
      codeBlock(truncateText(result.diff.join('\n') || '(no changes)', 30_000), 'diff'),
    );
  return `${parts.join('\n\n')}\n`;
}

/** A failed, timed-out and cancelled rollout each have their code; the reason says why. */
const ROLLOUT_FAILURE = { failed: 'GANTRY-DEPLOY-034', 'timed-out': 'GANTRY-DEPLOY-035', cancelled: 'GANTRY-DEPLOY-036' } as const;

/** Why the deployment failed, in the step's error: the reason, stopped tasks and last events. */
export function failureOf(result: DeployResult): ActionFailure {
  const verb = result.status === 'timed-out' ? 'timed out' : result.status === 'cancelled' ? 'was cancelled' : 'failed';
  const target = shortTaskDefinition(result.taskDefinitionArn) ?? 'the release';
  return rolloutFailure(
    ROLLOUT_FAILURE[result.status === 'timed-out' ? 'timed-out' : result.status === 'cancelled' ? 'cancelled' : 'failed'],
    `Deployment of ${target} to service ${result.service} ${verb}: ${result.reason ?? 'no reason reported'}`,
    result.rollout,
  );
}

/** The summary of a deployment that stopped with an error before it had a result. */
export function renderErrorSummary(inputs: Inputs, err: unknown): string {
  return `## deploy-ecs: ❌ failed\n\n${keyValueTable([
    ['Cluster', inputs.cluster],
    ['Service', inputs.service],
    [
      'Image(s)',
      inputs.images.map((i) => (i.container ? `${i.container}: ${i.image}` : i.image)).join('\n') || inputs['task-definition-arn'],
    ],
    ['Error', describeFailure(err)],
  ])}\n`;
}
