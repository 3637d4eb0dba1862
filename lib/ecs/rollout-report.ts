/**
 * How deploy-ecs and rollback explain a rollout that did not complete: the same stopped-task
 * table and service events in the job summary, the same shape of step error (pure).
 */
import { formatStoppedTask, summarizeStoppedTasks, type RolloutOutcome } from './rollout';
import { ActionFailure, type FailureCode } from '../runner/errors';
import { codeBlock, markdownTable, truncateText } from '../util/markdown';

/** Summary sections: stopped tasks (at most 10) and the last service events. */
export function rolloutFailureSections(rollout: Pick<RolloutOutcome, 'stoppedTasks' | 'lastEvents'> | undefined): string[] {
  const parts: string[] = [];
  const stopped = rollout?.stoppedTasks ?? [];
  if (stopped.length > 0) {
    const rows = stopped
      .slice(0, 10)
      .map((t) => [
        t.taskArn.split('/').pop(),
        t.stopCode,
        t.stoppedReason,
        t.containers.map((c) => `${c.name}: exit ${c.exitCode ?? '?'}${c.reason ? ` (${c.reason})` : ''}`).join('\n'),
      ]);
    parts.push('### Stopped tasks', markdownTable(['Task', 'Stop code', 'Reason', 'Containers'], rows));
    for (const t of stopped.slice(0, 10).filter((task) => task.logLines?.length)) {
      parts.push(
        `#### Last log lines of task ${t.taskArn.split('/').pop()}`,
        codeBlock(truncateText((t.logLines ?? []).join('\n'), 10_000)),
      );
    }
  }
  const events = rollout?.lastEvents ?? [];
  if (events.length > 0) parts.push('### Last service events', codeBlock(events.join('\n')));
  return parts;
}

/** The step's error: the headline with the reason, then why tasks stopped and what ECS said. */
export function rolloutFailure(
  code: FailureCode,
  headline: string,
  rollout: Pick<RolloutOutcome, 'stoppedTasks' | 'lastEvents'> | undefined,
): ActionFailure {
  const tasks = rollout?.stoppedTasks ?? [];
  const events = rollout?.lastEvents ?? [];
  const lines = [headline];
  const summaries = summarizeStoppedTasks(tasks);
  if (summaries.length)
    lines.push(`Stopped tasks: ${summaries.slice(0, 3).join(' | ')}${summaries.length > 3 ? ` (+${summaries.length - 3} more)` : ''}`);
  if (events.length) lines.push(`Last events: ${events.slice(-3).join(' | ')}`);
  const withLogs = tasks.find((t) => t.logLines?.length);
  if (withLogs)
    lines.push(`Last log lines of task ${withLogs.taskArn.split('/').pop()}: ${(withLogs.logLines ?? []).slice(-3).join(' | ')}`);
  const details = [
    ...(tasks.length
      ? ['Stopped tasks:', ...tasks.flatMap((t) => [`  ${formatStoppedTask(t)}`, ...(t.logLines ?? []).map((l) => `    ${l}`)])]
      : []),
    ...(events.length ? ['Last service events:', ...events.map((e) => `  ${e}`)] : []),
  ];
  return new ActionFailure(code, lines.join('\n'), details);
}
