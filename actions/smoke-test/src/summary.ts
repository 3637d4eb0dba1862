/** The outcome of a run as outputs, a job summary and, when a check failed, the step's failure. */
import { ActionFailure } from '../../../lib/runner/errors';
import { formatDuration, keyValueTable, markdownTable, truncateText } from '../../../lib/util/markdown';
import { checkTarget, redactUrl } from './definitions';
import type { CheckOutcome } from './run';

export interface ReportEntry {
  name: string;
  type: string;
  target: string;
  status: 'passed' | 'failed';
  attempts: number;
  latencyMs: number | null;
  reason: string | null;
}

export function reportEntries(outcomes: readonly CheckOutcome[]): ReportEntry[] {
  return outcomes.map((o) => ({
    name: o.check.name,
    type: o.check.type,
    target: checkTarget(o.check),
    status: o.status,
    attempts: o.attempts,
    latencyMs: o.latencyMs ?? null,
    reason: o.status === 'failed' ? (o.reason ?? null) : null,
  }));
}

export interface SmokeOutputs {
  passed: number;
  failed: number;
  report: string;
}

export function smokeOutputs(outcomes: readonly CheckOutcome[]): SmokeOutputs {
  const failed = outcomes.filter((o) => o.status === 'failed').length;
  return { passed: outcomes.length - failed, failed, report: JSON.stringify(reportEntries(outcomes)) };
}

export interface SummaryContext {
  baseUrl?: URL;
  expectVersion?: string;
  timeoutSeconds: number;
  elapsedMs: number;
}

export function renderSummary(outcomes: readonly CheckOutcome[], context: SummaryContext): string {
  const { passed, failed } = smokeOutputs(outcomes);
  const verdict = failed === 0 ? `✅ all ${passed} checks passed` : `❌ ${failed} of ${outcomes.length} checks failed`;
  const header = keyValueTable([
    ['Base URL', context.baseUrl && redactUrl(context.baseUrl)],
    ['Expected version', context.expectVersion],
    ['Deadline', formatDuration(context.timeoutSeconds * 1000)],
    ['Took', formatDuration(context.elapsedMs)],
  ]);
  const rows = outcomes.map((o) => [
    o.check.name,
    o.check.type,
    checkTarget(o.check),
    o.status === 'passed' ? '✅ passed' : '❌ failed',
    o.attempts,
    o.latencyMs === undefined ? undefined : `${o.latencyMs} ms`,
    truncateText((o.status === 'failed' ? o.reason : o.detail) ?? '', 300),
  ]);
  const table = markdownTable(['Check', 'Type', 'Target', 'Result', 'Attempts', 'Latency', 'Details'], rows);
  return `## Smoke test: ${verdict}\n\n${header}\n\n${table}\n`;
}

/** The step fails when any check is still failing at the deadline; the details name each one. */
export function failureOf(outcomes: readonly CheckOutcome[]): ActionFailure | undefined {
  const failing = outcomes.filter((o) => o.status === 'failed');
  if (failing.length === 0) return undefined;
  return new ActionFailure(
    'GANTRY-SMOKE-017',
    `${failing.length} of ${outcomes.length} smoke checks failed: ${failing.map((o) => o.check.name).join(', ')}`,
    failing.map((o) => {
      const target = checkTarget(o.check);
      const where = target === o.check.name ? '' : `${target}, `;
      return `✗ ${o.check.name} (${where}${o.attempts} attempt(s)): ${o.reason ?? 'failed'}`;
    }),
  );
}
