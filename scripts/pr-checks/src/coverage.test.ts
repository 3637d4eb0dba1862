import { describe, expect, it } from 'vitest';
import { guessFormat, readCoverage } from './coverage';

const ISTANBUL = JSON.stringify({ total: { lines: { total: 200, covered: 151, skipped: 0, pct: 75.5 } } });
const COBERTURA =
  '<?xml version="1.0" ?>\n<!DOCTYPE coverage SYSTEM "x">\n<coverage version="7.6.1" timestamp="1" lines-valid="120" lines-covered="90" line-rate="0.75" branches-covered="0" branches-valid="0" branch-rate="0" complexity="0">\n<packages/></coverage>\n';
const COBERTURA_RATE_ONLY = "<coverage line-rate='0.8312' branch-rate='0'><packages/></coverage>";
const LCOV = [
  'TN:',
  'SF:src/a.ts',
  'DA:1,1',
  'DA:2,0',
  'LF:2',
  'LH:1',
  'end_of_record',
  'SF:src/b.ts',
  'DA:1,3',
  'DA:2,1',
  'DA:3,0',
  'end_of_record',
  '',
].join('\n');
const GO = [
  'mode: set',
  'example.com/m/a.go:3.14,5.2 2 1',
  'example.com/m/a.go:7.10,9.2 3 0',
  'example.com/m/a.go:7.10,9.2 3 1',
  'example.com/m/b.go:1.1,2.2 5 0',
  '',
].join('\n');

describe('readCoverage', () => {
  it.each([
    ['istanbul', ISTANBUL, { format: 'istanbul', pct: 75.5, covered: 151, total: 200 }],
    ['cobertura', COBERTURA, { format: 'cobertura', pct: 75, covered: 90, total: 120 }],
    ['cobertura, line-rate only', COBERTURA_RATE_ONLY, { format: 'cobertura', pct: 83.12 }],
    ['lcov (LF/LH, or DA lines)', LCOV, { format: 'lcov', covered: 3, total: 5, pct: 60 }],
    // Each block counted once, covered when any profile line hit it: (2 + 3) of 10 statements.
    ['go cover profile', GO, { format: 'go', covered: 5, total: 10, pct: 50 }],
  ])('%s (auto-detected)', (_name, text, expected) => {
    expect(readCoverage(text, 'report', 'auto')).toMatchObject(expected);
  });

  it('an explicit format is used as given; an Istanbul report with nothing instrumented is 100 %', () => {
    expect(readCoverage(LCOV, 'lcov.info', 'lcov').pct).toBe(60);
    expect(readCoverage(JSON.stringify({ total: { lines: { total: 0, covered: 0, pct: 'Unknown' } } }), 's.json', 'istanbul').pct).toBe(
      100,
    );
    expect(guessFormat('hello')).toBeUndefined();
  });

  it.each([
    ['{"total":{}}', 'auto', 'Bad coverage report: s is not a readable Istanbul json-summary report: it has no total.lines.pct.'],
    ['{nope', 'istanbul', /^Bad coverage report: s is not a readable Istanbul json-summary report: not JSON/],
    [
      '<coverage branch-rate="1"></coverage>',
      'auto',
      'Bad coverage report: s is not a readable Cobertura XML report: <coverage> has neither lines-covered/lines-valid nor line-rate.',
    ],
    ['<report/>', 'cobertura', 'Bad coverage report: s is not a readable Cobertura XML report: it has no <coverage> element.'],
    ['DA:1,1', 'lcov', 'Bad coverage report: s is not a readable LCOV report: it has no SF: record.'],
    ['hello', 'go', "Bad coverage report: s is not a readable Go cover profile report: its first line is not 'mode: set|count|atomic'."],
    [
      'hello',
      'auto',
      'Bad coverage report: s is not a coverage report gantry reads (Istanbul json-summary, Cobertura XML, LCOV or a Go cover profile); set coverage-format if it is one.',
    ],
    [ISTANBUL, 'jacoco', "Bad input coverage-format: 'jacoco' is not one of auto, istanbul, cobertura, lcov, go."],
  ])('%s as %s → %s', (text, format, message) => {
    let caught = '';
    try {
      readCoverage(text, 's', format);
    } catch (err) {
      caught = `${(err as { title: string }).title}: ${(err as Error).message}`;
    }
    if (typeof message === 'string') expect(caught).toBe(message);
    else expect(caught).toMatch(message);
  });
});
