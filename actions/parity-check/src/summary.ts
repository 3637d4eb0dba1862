/** What people see: the job summary, annotations on the offending lines, the failure message. */
import { ActionFailure } from '../../../lib/runner/errors';
import type { Logger } from '../../../lib/runner/logger';
import { markdownTable } from '../../../lib/util/markdown';
import type { Comparison, Finding, SideNames } from './compare';

/** A summary is capped at 1 MiB by GitHub: beyond this many rows the report output has the rest. */
export const MAX_SUMMARY_ROWS = 500;
/** A step output may hold at most 1 MB; keep the report well under it. */
export const MAX_REPORT_CHARS = 900_000;

/**
 * The `report` output: the findings as JSON, cut to whole findings that fit in `maxChars`.
 * `included` < findings.length tells the caller to say so (the `findings` output keeps the count).
 */
export function reportOutput(findings: readonly Finding[], maxChars = MAX_REPORT_CHARS): { json: string; included: number } {
  const json = JSON.stringify(findings);
  if (json.length <= maxChars) return { json, included: findings.length };
  const parts: string[] = [];
  let length = 2;
  for (const finding of findings) {
    const part = JSON.stringify(finding);
    if (length + part.length + 1 > maxChars) break;
    parts.push(part);
    length += part.length + 1;
  }
  return { json: `[${parts.join(',')}]`, included: parts.length };
}

export function where(finding: Pick<Finding, 'file' | 'line'>): string {
  if (!finding.file) return '';
  return finding.line ? `${finding.file}:${finding.line}` : finding.file;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function describeCompared(compared: Comparison['compared']): string {
  const parts: string[] = [];
  if (compared.variables) parts.push(plural(compared.variables, 'variable'));
  if (compared.toggles) parts.push(plural(compared.toggles, 'toggle'));
  if (compared.envNames) parts.push(plural(compared.envNames, 'env name'));
  return parts.length ? parts.join(', ') : 'nothing (every name is ignored or both sides are empty)';
}

function describeFindings(findings: readonly Finding[]): string {
  const byKind = (kind: Finding['kind'], one: string) => {
    const count = findings.filter((f) => f.kind === kind).length;
    return count ? [plural(count, one)] : [];
  };
  return [...byKind('variable', 'variable'), ...byKind('toggle', 'toggle'), ...byKind('env', 'env name')].join(', ');
}

/** `annotated`: how many findings have an annotation (annotate, below); the table says when not all do. */
export function renderSummary(result: Comparison, names: SideNames, annotated = result.findings.length): string {
  const title = `### Parity check: ${names.base} → ${names.target}`;
  const notes = result.notes.map((note) => `> [!NOTE]\n> ${note}`);
  if (result.findings.length === 0) {
    return `${[title, `✅ **${names.base}** and **${names.target}** are in parity: compared ${describeCompared(result.compared)}.`, ...notes].join('\n\n')}\n`;
  }
  const rows = result.findings.slice(0, MAX_SUMMARY_ROWS).map((f) => [f.rule, f.kind, `\`${f.key}\``, f.base, f.target, where(f)]);
  const cut = result.findings.length - rows.length;
  const parts = [
    title,
    `❌ **${plural(result.findings.length, 'finding')}** (${describeFindings(result.findings)}); compared ${describeCompared(result.compared)}.`,
    markdownTable(['Rule', 'Kind', 'Key', names.base, names.target, 'Where'], rows),
    ...(cut > 0 ? [`… and ${cut} more findings in the \`report\` output.`] : []),
    ...(annotated < result.findings.length
      ? [
          `Only the first ${plural(annotated, 'finding')} ${annotated === 1 ? 'is' : 'are'} annotated on ${annotated === 1 ? 'its line' : 'their lines'} (GitHub shows at most ${MAX_STEP_ANNOTATIONS} annotations of a kind per step).`,
        ]
      : []),
    ...notes,
  ];
  return `${parts.join('\n\n')}\n`;
}

/**
 * GitHub shows at most 10 error and 10 warning annotations per step (and 50 per job); beyond
 * that the rest are dropped, the step's own failure message first, since it comes last.
 */
export const MAX_STEP_ANNOTATIONS = 10;

/**
 * How many findings get an annotation of their own: what is left of the step's 10 annotations
 * of that level once `reserved` others (the failure message, notes, warnings) are counted.
 */
export function annotationBudget(reserved: number): number {
  return Math.max(0, MAX_STEP_ANNOTATIONS - reserved);
}

/**
 * One annotation per finding, on its line when it has one, so it shows on the pull request
 * diff. Errors when the step will fail, warnings when fail-on-divergence is off. At most
 * `budget` of them (annotationBudget), so the failure message that follows still shows; the
 * log says how many were left out (the job summary and the report output list them all).
 */
export function annotate(findings: readonly Finding[], log: Logger, asErrors: boolean, budget = annotationBudget(1)): void {
  const annotated = findings.slice(0, budget);
  if (annotated.length < findings.length) {
    log.info(
      `Annotating the first ${annotated.length} of ${findings.length} findings (GitHub shows at most ${MAX_STEP_ANNOTATIONS} ${asErrors ? 'error' : 'warning'} annotations per step); ` +
        `${findings.length - annotated.length} are not annotated: the job summary and the report output list them all.`,
    );
  }
  for (const finding of annotated) {
    const annotation =
      finding.file && !finding.file.startsWith('secretsmanager:')
        ? { file: finding.file, ...(finding.line ? { line: finding.line } : {}), title: `parity-check: ${finding.rule}` }
        : { title: `parity-check: ${finding.rule}` };
    if (asErrors) log.error(finding.message, annotation);
    else log.warning(finding.message, annotation);
  }
}

export function describeDivergence(findings: readonly Finding[], names: SideNames): string {
  return `${names.base} and ${names.target} diverge: ${plural(findings.length, 'finding')} (${describeFindings(findings)})`;
}

export function failureOf(findings: readonly Finding[], names: SideNames): ActionFailure {
  return new ActionFailure(
    'GANTRY-PARITY-007',
    `${describeDivergence(findings, names)}. See the job summary; set fail-on-divergence: false to report without failing.`,
  );
}
