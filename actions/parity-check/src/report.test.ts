import { describe, expect, it } from 'vitest';
import { memoryLogger, type Annotation } from '../../../lib/logger';
import type { Comparison, Finding } from './compare';
import { annotate, describeCompared, divergenceFailure, MAX_ANNOTATIONS, MAX_SUMMARY_ROWS, renderSummary, reportOutput } from './report';

const names = { base: 'staging', target: 'production' };
const finding = (overrides: Partial<Finding> = {}): Finding => ({
  kind: 'variable', key: 'cpu', base: '256', target: '"256"', rule: 'type-mismatch', file: 'prod.tfvars', line: 3,
  message: "'cpu' is a number in staging but a string in production.", ...overrides,
});
const comparison = (findings: Finding[], notes: string[] = []): Comparison => ({ findings, notes, compared: { variables: 40, toggles: 1, envNames: 0 } });

describe('renderSummary', () => {
  it('says in one line that the environments are in parity and what was compared', () => {
    expect(renderSummary(comparison([]), names)).toBe(
      '### Parity check: staging → production\n\n✅ **staging** and **production** are in parity: compared 40 variables, 1 toggle.\n',
    );
  });

  it('lists findings in a table, escaping cells, with notes after it', () => {
    const summary = renderSummary(comparison([finding(), finding({ kind: 'toggle', key: 'a|b', rule: 'target-ahead', base: 'off', target: 'on', file: 'secretsmanager:x', line: undefined })], ['a note']), names);
    expect(summary).toContain('❌ **2 findings** (1 variable, 1 toggle); compared 40 variables, 1 toggle.');
    expect(summary).toContain('| type-mismatch | variable | `cpu` | 256 | "256" | prod.tfvars:3 |');
    expect(summary).toContain('| target-ahead | toggle | `a\\|b` | off | on | secretsmanager:x |');
    expect(summary).toContain('> [!NOTE]\n> a note');
  });

  it('caps the table and points at the report output for the rest', () => {
    const many = Array.from({ length: MAX_SUMMARY_ROWS + 7 }, (_, i) => finding({ key: `v${i}` }));
    const summary = renderSummary(comparison(many), names);
    expect(summary.split('\n').filter((line) => line.startsWith('| type-mismatch'))).toHaveLength(MAX_SUMMARY_ROWS);
    expect(summary).toContain('… and 7 more findings in the `report` output.');
  });
});

describe('annotate', () => {
  function recorded(asErrors: boolean, findings: Finding[]) {
    const calls: { level: string; message: string; annotation?: Annotation }[] = [];
    const log = { ...memoryLogger(), error: (message: string, annotation?: Annotation) => void calls.push({ level: 'error', message, annotation }), warning: (message: string, annotation?: Annotation) => void calls.push({ level: 'warning', message, annotation }) };
    annotate(findings, log, asErrors);
    return calls;
  }

  it('puts each finding on its file and line, as errors or warnings', () => {
    expect(recorded(true, [finding()])).toEqual([
      { level: 'error', message: "'cpu' is a number in staging but a string in production.", annotation: { file: 'prod.tfvars', line: 3, title: 'parity-check: type-mismatch' } },
    ]);
    expect(recorded(false, [finding({ line: undefined })])[0]).toMatchObject({ level: 'warning', annotation: { file: 'prod.tfvars', title: 'parity-check: type-mismatch' } });
  });

  it('annotates at most MAX_ANNOTATIONS findings and says so', () => {
    const log = memoryLogger();
    annotate(Array.from({ length: MAX_ANNOTATIONS + 3 }, (_, i) => finding({ key: `v${i}` })), log, true);
    expect(log.errors).toHaveLength(MAX_ANNOTATIONS);
    expect(log.lines[0]).toBe(`Annotating the first ${MAX_ANNOTATIONS} of ${MAX_ANNOTATIONS + 3} findings; the job summary and the report output have them all.`);
  });

  it('gives a secret reference no file (it is not one)', () => {
    expect(recorded(true, [finding({ file: 'secretsmanager:shop/toggles', line: undefined })])[0].annotation).toEqual({ title: 'parity-check: type-mismatch' });
  });
});

describe('messages', () => {
  it('describes what was compared and the failure', () => {
    expect(describeCompared({ variables: 1, toggles: 0, envNames: 2 })).toBe('1 variable, 2 env names');
    expect(describeCompared({ variables: 0, toggles: 0, envNames: 0 })).toBe('nothing (every name is ignored or both sides are empty)');
    expect(divergenceFailure([finding(), finding({ kind: 'env' })], names).message).toBe(
      'staging and production diverge: 2 findings (1 variable, 1 env name). See the job summary; set fail-on-divergence: false to report without failing.',
    );
  });
});

describe('reportOutput', () => {
  it('is the findings as JSON, cut to whole findings when too long', () => {
    const findings = Array.from({ length: 10 }, (_, i) => finding({ key: `v${i}` }));
    expect(reportOutput(findings)).toEqual({ json: JSON.stringify(findings), included: 10 });
    const size = JSON.stringify(findings[0]).length;
    const cut = reportOutput(findings, 3 * (size + 1) + 2);
    expect(cut.included).toBe(3);
    expect(JSON.parse(cut.json)).toEqual(findings.slice(0, 3));
    expect(reportOutput(findings, 10)).toEqual({ json: '[]', included: 0 });
  });
});
