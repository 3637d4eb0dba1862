import { describe, expect, it } from 'vitest';
import { memoryLogger, type Annotation } from '../../../lib/runner/logger';
import type { Comparison, Finding } from './compare';
import {
  annotate,
  annotationBudget,
  describeCompared,
  failureOf,
  MAX_STEP_ANNOTATIONS,
  MAX_SUMMARY_ROWS,
  renderSummary,
  reportOutput,
} from './summary';

const names = { base: 'staging', target: 'production' };
const finding = (overrides: Partial<Finding> = {}): Finding => ({
  kind: 'variable',
  key: 'cpu',
  base: '256',
  target: '"256"',
  rule: 'type-mismatch',
  file: 'prod.tfvars',
  line: 3,
  message: "'cpu' is a number in staging but a string in production.",
  ...overrides,
});
const comparison = (findings: Finding[], notes: string[] = []): Comparison => ({
  findings,
  notes,
  compared: { variables: 40, toggles: 1, envNames: 0 },
});

describe('renderSummary', () => {
  it('says in one line that the environments are in parity and what was compared', () => {
    expect(renderSummary(comparison([]), names)).toBe(
      '### Parity check: staging → production\n\n✅ **staging** and **production** are in parity: compared 40 variables, 1 toggle.\n',
    );
  });

  it('lists findings in a table, escaping cells, with notes after it', () => {
    const summary = renderSummary(
      comparison(
        [
          finding(),
          finding({
            kind: 'toggle',
            key: 'a|b',
            rule: 'target-ahead',
            base: 'off',
            target: 'on',
            file: 'secretsmanager:x',
            line: undefined,
          }),
        ],
        ['a note'],
      ),
      names,
    );
    expect(summary).toContain('❌ **2 findings** (1 variable, 1 toggle); compared 40 variables, 1 toggle.');
    expect(summary).toContain('| type-mismatch | variable | `cpu` | 256 | "256" | prod.tfvars:3 |');
    expect(summary).toContain('| target-ahead | toggle | `a\\|b` | off | on | secretsmanager:x |');
    expect(summary).toContain('> [!NOTE]\n> a note');
  });

  it('lists every finding, also those left without an annotation, and says how many are annotated', () => {
    const many = Array.from({ length: 30 }, (_, i) => finding({ key: `v${i}` }));
    const summary = renderSummary(comparison(many), names, 9);
    expect(many.every((f) => summary.includes(`| \`${f.key}\` |`))).toBe(true);
    expect(summary).toContain(
      'Only the first 9 findings are annotated on their lines (GitHub shows at most 10 annotations of a kind per step).',
    );
    expect(renderSummary(comparison(many), names)).not.toContain('annotated');
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
    const log = {
      ...memoryLogger(),
      error: (message: string, annotation?: Annotation) => void calls.push({ level: 'error', message, annotation }),
      warning: (message: string, annotation?: Annotation) => void calls.push({ level: 'warning', message, annotation }),
    };
    annotate(findings, log, asErrors);
    return calls;
  }

  it('puts each finding on its file and line, as errors or warnings', () => {
    expect(recorded(true, [finding()])).toEqual([
      {
        level: 'error',
        message: "'cpu' is a number in staging but a string in production.",
        annotation: { file: 'prod.tfvars', line: 3, title: 'parity-check: type-mismatch' },
      },
    ]);
    expect(recorded(false, [finding({ line: undefined })])[0]).toMatchObject({
      level: 'warning',
      annotation: { file: 'prod.tfvars', title: 'parity-check: type-mismatch' },
    });
  });

  it("leaves one of the step's 10 error annotations to the failure message, and logs how many findings are not annotated", () => {
    const log = memoryLogger();
    annotate(
      Array.from({ length: 30 }, (_, i) => finding({ key: `v${i}` })),
      log,
      true,
    );
    expect(MAX_STEP_ANNOTATIONS).toBe(10);
    expect(log.errors).toHaveLength(9);
    expect(log.lines[0]).toBe(
      'Annotating the first 9 of 30 findings (GitHub shows at most 10 error annotations per step); 21 are not annotated: the job summary and the report output list them all.',
    );
    // The failure message the step ends with is then the 10th error annotation, which GitHub still shows.
    log.error(failureOf([finding()], names).message);
    expect(log.errors).toHaveLength(MAX_STEP_ANNOTATIONS);
  });

  it('annotates every finding when they fit, and as many as the budget for other annotations leaves', () => {
    const log = memoryLogger();
    annotate(
      Array.from({ length: 9 }, (_, i) => finding({ key: `v${i}` })),
      log,
      true,
    );
    expect(log.errors).toHaveLength(9);
    expect(log.lines.filter((line) => line.startsWith('Annotating'))).toEqual([]);
    expect(annotationBudget(3)).toBe(7);
    expect(annotationBudget(12)).toBe(0);
    const warnings = memoryLogger();
    annotate(
      Array.from({ length: 9 }, (_, i) => finding({ key: `v${i}` })),
      warnings,
      false,
      annotationBudget(3),
    );
    expect(warnings.warnings).toHaveLength(7);
    expect(warnings.lines[0]).toMatch(
      /^Annotating the first 7 of 9 findings \(GitHub shows at most 10 warning annotations per step\); 2 are not annotated/,
    );
  });

  it('gives a secret reference no file (it is not one)', () => {
    expect(recorded(true, [finding({ file: 'secretsmanager:shop/toggles', line: undefined })])[0].annotation).toEqual({
      title: 'parity-check: type-mismatch',
    });
  });
});

describe('messages', () => {
  it('describes what was compared and the failure', () => {
    expect(describeCompared({ variables: 1, toggles: 0, envNames: 2 })).toBe('1 variable, 2 env names');
    expect(describeCompared({ variables: 0, toggles: 0, envNames: 0 })).toBe('nothing (every name is ignored or both sides are empty)');
    expect(failureOf([finding(), finding({ kind: 'env' })], names).message).toBe(
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
