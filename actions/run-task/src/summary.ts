/** The job summary and the failure message of a one-off task (pure). */
import { ActionFailure, describeFailure } from '../../../lib/runner/errors';
import { codeBlock, formatDuration, keyValueTable, markdownTable, truncateText } from '../../../lib/util/markdown';
import { formatLogLine, taskIdOf } from '../../../lib/ecs/task-logs';
import type { CheckResult } from './check';
import type { Inputs } from './inputs';
import { RUN_TOKEN_TAG, shortArn, type RunTaskResult } from './run';

const HEADLINE: Record<RunTaskResult['status'], string> = {
  succeeded: '✅ succeeded',
  failed: '❌ failed',
  'timed-out': '⏱️ timed out',
  unknown: '❓ unknown',
};

const STOPPED_BY_GANTRY = {
  true: 'gantry (StopTask at the deadline)',
  false: 'not stopped: StopTask failed and the task still runs — stop it by hand',
  unknown: 'unknown: StopTask failed and the task could not be read back — check it and stop it by hand',
} as const;

/** The last `n` log lines as one text block (or a note that there are none). */
function logBlock(result: RunTaskResult, n: number): string {
  const lines = result.logLines.slice(-n).map(formatLogLine);
  return lines.length ? truncateText(lines.join('\n'), 30_000) : '(no log lines)';
}

export function renderSummary(inputs: Inputs, result: RunTaskResult): string {
  const rows: [string, unknown][] = [
    ['Cluster', result.cluster],
    ['Task definition', shortArn(result.taskDefinitionArn)],
    ['Container', result.container],
    ['Command', result.command ? JSON.stringify(result.command) : '(its own command)'],
    ['Task', result.taskArn ? taskIdOf(result.taskArn) : `none known (started by ${result.startedBy})`],
    ['Status', HEADLINE[result.status]],
    ['Exit code', result.exitCode],
    ['Stop code', result.stopCode],
    ['Duration', formatDuration(result.durationMs)],
    ['Polls', `${result.polls} (${result.describeCalls} DescribeTasks)`],
  ];
  if (result.runTaskNote) rows.push(['RunTask', result.runTaskNote]);
  if (result.status !== 'succeeded') rows.push(['Reason', result.reason]);
  if (result.stoppedByGantry) rows.push(['Stopped by', STOPPED_BY_GANTRY[result.stoppedByGantry]]);
  const parts = [`## run-task: ${HEADLINE[result.status]}`, keyValueTable(rows)];
  if (result.status !== 'succeeded' && result.containers.length > 0) {
    parts.push(
      '### Containers',
      markdownTable(
        ['Container', 'Essential', 'Exit code', 'Reason'],
        result.containers.map((c) => [c.name, c.essential ? 'yes' : 'no', c.exitCode, c.reason]),
      ),
    );
  }
  const n = inputs['log-lines'];
  if (n > 0) {
    const title = `Last ${Math.min(n, result.logLines.length) || n} log lines`;
    if (result.status === 'succeeded')
      parts.push(`<details><summary>${title}</summary>\n\n${codeBlock(logBlock(result, n))}\n\n</details>`);
    else parts.push(`### ${title}`, codeBlock(logBlock(result, n)));
  }
  if (result.logNotes.length > 0) parts.push(`Logs: ${result.logNotes.join('; ')}.`);
  return `${parts.join('\n\n')}\n`;
}

/** The step's error: what failed, then the container's last words (the log lines, in the details too). */
export function failureOf(inputs: Inputs, result: RunTaskResult): ActionFailure {
  if (result.status === 'unknown') {
    // Never "not started": the task may run, and only ECS can say.
    const list = `aws ecs list-tasks --cluster ${result.cluster} --started-by ${result.startedBy}`;
    return new ActionFailure(
      'GANTRY-RUNTASK-029',
      `RunTask of ${shortArn(result.taskDefinitionArn)} in cluster ${result.cluster}: outcome UNKNOWN — ${result.reason}. ECS may still have started it: ${list} (then describe-tasks --include TAGS for ${RUN_TOKEN_TAG}=${result.runToken}), and stop it before re-running.`,
    );
  }
  const verb = result.status === 'timed-out' ? 'timed out' : 'failed';
  const headline = `Task ${taskIdOf(result.taskArn)} from ${shortArn(result.taskDefinitionArn)} ${verb}: ${result.reason}`;
  const last = result.logLines.slice(-Math.min(inputs['log-lines'], 3)).map(formatLogLine);
  const lines = [headline, ...(last.length ? [`Last log lines: ${last.join(' | ')}`] : [])];
  const details =
    inputs['log-lines'] > 0 && result.logLines.length > 0
      ? [
          `Last ${Math.min(inputs['log-lines'], result.logLines.length)} log lines of task ${taskIdOf(result.taskArn)}:`,
          ...result.logLines.slice(-inputs['log-lines']).map((l) => `  ${formatLogLine(l)}`),
        ]
      : [];
  return new ActionFailure('GANTRY-RUNTASK-027', lines.join('\n'), details);
}

/** check-only: what was checked and resolved; nothing was started. */
export function renderCheckSummary(result: CheckResult): string {
  return `## run-task: ✅ inputs checked (nothing run)\n\n${keyValueTable([
    ['Cluster', result.cluster],
    ['Checked against', result.template],
    ['Container', result.container],
    ['Command', JSON.stringify(result.command)],
    ['Placement', result.placement.replace(/^ on /, '')],
    ['Timeout', formatDuration(result.timeoutSeconds * 1000)],
  ])}\n\nRead-only calls only: no task was run, no revision registered, nothing tagged.\n`;
}

/** The summary of a run (or a check) that stopped with an error before it had a result. */
export function renderErrorSummary(inputs: Inputs, err: unknown): string {
  const checked = inputs['check-only']
    ? (inputs['task-definition']?.source ?? `service ${inputs.service}'s current task definition`)
    : undefined;
  return `## run-task: ❌ ${inputs['check-only'] ? 'check failed (nothing run)' : 'failed'}\n\n${keyValueTable([
    ['Cluster', inputs.cluster],
    inputs['check-only'] ? ['Checked against', checked] : ['Task definition', inputs['task-definition-arn']],
    ['Container', inputs.container],
    ['Command', inputs.command ? JSON.stringify(inputs.command) : undefined],
    ['Error', describeFailure(err)],
  ])}\n`;
}
