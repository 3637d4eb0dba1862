/**
 * The plan as markdown, for the job summary (at most 1 MiB per step) and the pull-request
 * comment (at most 65,536 characters). Oversized plans are shortened here, on purpose and
 * with a note, instead of letting GitHub reject the comment (dflook #133, #197). Pure.
 */
import { codeBlock, details, markdownTable } from '../../../lib/util/markdown';
import { changeCount, describeCounts, type OutputValue, type PlanSummary, type ResourceAction } from './plan-json';

/** GitHub rejects comment bodies over 65,536 characters; a margin keeps us clear of it. */
export const COMMENT_LIMIT_CHARS = 65_000;
/** The job summary of one step may hold 1 MiB (1,048,576 bytes). */
export const SUMMARY_LIMIT_BYTES = 1_000_000;

export interface PlanReport {
  heading: string;
  directory: string;
  workspace: string;
  summary: PlanSummary;
  /** Terraform said there is something to apply (detailed exit code 2). */
  changes: boolean;
  planText: string;
  /** Overrides the usual "Plan: …" line (drift check, apply). */
  verdict?: string;
  planHash?: string;
  gitSha?: string;
  runUrl?: string;
  /** After apply: the configuration's outputs (sensitive ones are never shown). */
  outputs?: readonly OutputValue[];
}

export type Measure = (text: string) => number;
export const measureChars: Measure = (text) => text.length;
export const measureBytes: Measure = (text) => Buffer.byteLength(text, 'utf8');

const ACTION_LABEL: Record<ResourceAction, string> = {
  delete: '🔴 **delete**',
  replace: '🟠 **replace**',
  forget: '⚪ forget',
  update: '🟡 update',
  create: '🟢 create',
  import: '🔵 import',
  read: '🔵 read',
  'no-op': 'no-op',
};

/** The hidden first line that identifies gantry's comment for one directory and workspace. */
export function commentMarker(directory: string, workspace: string): string {
  // Encoded so no directory name can close the HTML comment early or fake another marker.
  const safe = (value: string) => encodeURIComponent(value).replace(/%2F/g, '/');
  return `<!-- gantry:terraform dir=${safe(directory)} workspace=${safe(workspace)} -->`;
}

export function renderSummary(report: PlanReport): string {
  return renderReport(report, {
    limit: SUMMARY_LIMIT_BYTES,
    measure: measureBytes,
    shortenedNote:
      '> [!NOTE]\n> The plan is longer than a job summary can hold (1 MiB), so it is shortened here. ' +
      'The complete plan is in the `plan-file` and `json-plan-file` outputs (upload them as an artifact).',
  });
}

export function commentMarkdown(report: PlanReport, marker: string): string {
  const where = report.runUrl ? `[job summary](${report.runUrl})` : 'job summary';
  return renderReport(report, {
    marker,
    limit: COMMENT_LIMIT_CHARS,
    measure: measureChars,
    shortenedNote: `> [!NOTE]\n> This plan is too long for a pull-request comment (GitHub allows 65,536 characters), so it is shortened here. The full plan is in the ${where}.`,
  });
}

interface RenderOptions {
  marker?: string;
  limit: number;
  measure: Measure;
  shortenedNote: string;
}

export function renderReport(report: PlanReport, options: RenderOptions): string {
  const rows = report.summary.resources.map((r) => [ACTION_LABEL[r.action], `\`${r.address}\``, r.reason?.replace(/_/g, ' ')]);
  const full = assemble(report, options.marker, rows, report.planText, undefined);
  if (options.measure(full) <= options.limit) return full;

  // Shortened: the header always stays, the table gets up to 40% of what is left, the plan text the rest.
  const base = options.measure(assemble(report, options.marker, [], undefined, options.shortenedNote));
  const tableBudget = Math.max(0, Math.floor((options.limit - base) * 0.4));
  const keptRows: unknown[][] = [];
  let used = 0;
  for (const row of rows) {
    const cost =
      options.measure(markdownTable(['Action', 'Resource', 'Reason'], [row])) -
      options.measure(markdownTable(['Action', 'Resource', 'Reason'], []));
    if (used + cost > tableBudget) break;
    keptRows.push(row);
    used += cost;
  }
  if (keptRows.length < rows.length) keptRows.push(['…', `${rows.length - keptRows.length} more resources not shown`, '']);
  const withoutPlan = options.measure(assemble(report, options.marker, keptRows, '', options.shortenedNote));
  const planBudget = options.limit - withoutPlan - 200;
  const planText = planBudget > 500 ? truncateToFit(report.planText, planBudget, options.measure) : undefined;
  const shortened = assemble(report, options.marker, keptRows, planText, options.shortenedNote);
  // Only a pathological heading could still be too long; a hard cut then is better than a rejected comment.
  return options.measure(shortened) <= options.limit ? shortened : truncateToFit(shortened, options.limit, options.measure);
}

function assemble(
  report: PlanReport,
  marker: string | undefined,
  rows: unknown[][],
  planText: string | undefined,
  note: string | undefined,
): string {
  const parts: string[] = [];
  if (marker) parts.push(marker);
  const where = [`\`${report.directory}\``, report.workspace === 'default' ? undefined : `workspace \`${report.workspace}\``]
    .filter(Boolean)
    .join(' · ');
  parts.push(`### ${report.heading} · ${where}`);
  parts.push(report.verdict ?? planVerdict(report));
  const destroyed = report.summary.counts.destroy + report.summary.counts.replace;
  if (destroyed > 0) {
    const what = [
      report.summary.counts.destroy > 0 ? `destroys ${plural(report.summary.counts.destroy, 'resource')}` : undefined,
      report.summary.counts.replace > 0
        ? `replaces ${plural(report.summary.counts.replace, 'resource')} (destroy and re-create)`
        : undefined,
    ].filter(Boolean);
    parts.push(`> [!WARNING]\n> This plan ${what.join(' and ')}. Review the highlighted rows before approving.`);
  }
  const meta = [
    report.gitSha ? `commit \`${report.gitSha.slice(0, 12)}\`` : undefined,
    report.planHash ? `plan sha256 \`${report.planHash.slice(0, 16)}…\`` : undefined,
    report.runUrl ? `[workflow run](${report.runUrl})` : undefined,
  ].filter(Boolean);
  if (meta.length > 0) parts.push(meta.join(' · '));
  if (note) parts.push(note);
  if (rows.length > 0) parts.push(markdownTable(['Action', 'Resource', 'Reason'], rows));
  if (report.summary.outputs.length > 0) {
    const list = report.summary.outputs.map((o) => `\`${o.name}\` (${o.action}${o.sensitive ? ', sensitive' : ''})`);
    parts.push(`**Output changes:** ${list.join(', ')}`);
  }
  if (report.outputs && report.outputs.length > 0) parts.push(outputsTable(report.outputs));
  if (planText !== undefined && planText.trim() !== '') parts.push(details('Show the plan', codeBlock(planText)));
  return `${parts.join('\n\n')}\n`;
}

function planVerdict(report: PlanReport): string {
  const counts = report.summary.counts;
  if (changeCount(counts) > 0) return `**Plan:** ${describeCounts(counts)}.`;
  if (report.changes && report.summary.outputs.length > 0) return '**Plan:** only output values change.';
  if (report.changes) return `**Plan:** ${describeCounts(counts)}.`;
  return '**No changes.** The infrastructure matches the configuration.';
}

function outputsTable(outputs: readonly OutputValue[]): string {
  const rows = outputs.map((o) => {
    if (o.sensitive) return [`\`${o.name}\``, '*(sensitive)*'];
    const text = typeof o.value === 'string' ? o.value : JSON.stringify(o.value);
    const shown = text.length > 300 ? `${text.slice(0, 300)}…` : text;
    return [`\`${o.name}\``, `\`${shown.replace(/`/g, "'").replace(/\r?\n/g, ' ')}\``];
  });
  return markdownTable(['Output', 'Value'], rows);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Cut `text` so that it (with a one-line note) measures at most `max`, on a line boundary when possible. */
export function truncateToFit(text: string, max: number, measure: Measure): string {
  if (measure(text) <= max) return text;
  const note = (omitted: number) => `\n… ${omitted} more characters not shown`;
  const room = Math.max(0, max - measure(note(text.length)));
  let cut = Math.min(text.length, room);
  while (cut > 0 && measure(text.slice(0, cut)) > room) cut = Math.floor(cut * 0.95);
  const newline = text.lastIndexOf('\n', cut);
  if (newline > cut * 0.8) cut = newline;
  // Never split a surrogate pair.
  if (cut > 0 && /[\uD800-\uDBFF]/.test(text[cut - 1])) cut -= 1;
  return `${text.slice(0, cut)}${note(text.length - cut)}`;
}

/** The summary of a failed run: the command and the lines that explain it. */
export function renderErrorSummary(heading: string, directory: string, message: string, detailLines: readonly string[]): string {
  const body = detailLines.length > 0 ? `\n\n${codeBlock(truncateToFit(detailLines.join('\n'), 200_000, measureBytes))}` : '';
  return `### ❌ ${heading} failed · \`${directory}\`\n\n${message}${body}\n`;
}
