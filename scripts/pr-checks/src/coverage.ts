/**
 * Line coverage from the report a test command wrote: an Istanbul json-summary (vitest, jest, c8,
 * nyc), Cobertura XML (coverage.py `coverage xml`, pytest-cov, JaCoCo's converters, gcovr), LCOV
 * (`lcov.info`: c8, nyc, genhtml, cargo-llvm-cov) or a Go cover profile (`go test -coverprofile`).
 */
import { CheckInputError } from './detect';

export type CoverageFormat = 'istanbul' | 'cobertura' | 'lcov' | 'go';
export const COVERAGE_FORMATS: readonly CoverageFormat[] = ['istanbul', 'cobertura', 'lcov', 'go'];

export interface Coverage {
  format: CoverageFormat;
  /** Percent, rounded to two decimals. */
  pct: number;
  covered: number;
  total: number;
}

export function guessFormat(text: string): CoverageFormat | undefined {
  const start = text.trimStart();
  if (start.startsWith('{')) return 'istanbul';
  if (/<coverage[\s>]/.test(start.slice(0, 4096))) return 'cobertura';
  if (/^mode: (set|count|atomic)\s*$/m.test(start.split('\n', 1)[0] ?? '')) return 'go';
  if (/^(TN|SF):/m.test(start)) return 'lcov';
  return undefined;
}

const round = (value: number) => Math.round(value * 100) / 100;
const result = (format: CoverageFormat, covered: number, total: number): Coverage => ({
  format,
  covered,
  total,
  pct: total === 0 ? 100 : round((covered / total) * 100),
});

function bad(file: string, format: string, problem: string): CheckInputError {
  return new CheckInputError('GANTRY-WF-060', 'Bad coverage report', `${file} is not a readable ${format} report: ${problem}.`);
}

function istanbul(text: string, file: string): Coverage {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw bad(file, 'Istanbul json-summary', `not JSON (${(err as Error).message})`);
  }
  const lines = (doc as { total?: { lines?: { pct?: unknown; covered?: unknown; total?: unknown } } }).total?.lines;
  if (typeof lines?.pct !== 'number' && lines?.pct !== 'Unknown') throw bad(file, 'Istanbul json-summary', 'it has no total.lines.pct');
  const covered = typeof lines.covered === 'number' ? lines.covered : 0;
  const total = typeof lines.total === 'number' ? lines.total : 0;
  // Istanbul writes "Unknown" when no line was instrumented.
  return lines.pct === 'Unknown' ? result('istanbul', 0, 0) : { format: 'istanbul', pct: round(lines.pct as number), covered, total };
}

function cobertura(text: string, file: string): Coverage {
  const root = /<coverage\b([^>]*)>/.exec(text)?.[1];
  if (root === undefined) throw bad(file, 'Cobertura XML', 'it has no <coverage> element');
  const attribute = (name: string) => {
    const value = new RegExp(`\\b${name}\\s*=\\s*["']([^"']*)["']`).exec(root)?.[1];
    return value === undefined || value === '' || Number.isNaN(Number(value)) ? undefined : Number(value);
  };
  const covered = attribute('lines-covered');
  const valid = attribute('lines-valid');
  if (covered !== undefined && valid !== undefined) return result('cobertura', covered, valid);
  const rate = attribute('line-rate');
  if (rate === undefined) throw bad(file, 'Cobertura XML', '<coverage> has neither lines-covered/lines-valid nor line-rate');
  return { format: 'cobertura', pct: round(rate * 100), covered: 0, total: 0 };
}

function lcov(text: string, file: string): Coverage {
  let found = 0;
  let hit = 0;
  let records = 0;
  // Per record: LF/LH when present, else the DA lines themselves.
  for (const record of text.split(/^end_of_record\s*$/m)) {
    if (!/^SF:/m.test(record)) continue;
    records += 1;
    const lf = /^LF:(\d+)\s*$/m.exec(record);
    const lh = /^LH:(\d+)\s*$/m.exec(record);
    if (lf && lh) {
      found += Number(lf[1]);
      hit += Number(lh[1]);
    } else {
      for (const da of record.matchAll(/^DA:\d+,(\d+)/gm)) {
        found += 1;
        if (Number(da[1]) > 0) hit += 1;
      }
    }
  }
  if (records === 0) throw bad(file, 'LCOV', 'it has no SF: record');
  return result('lcov', hit, found);
}

function goProfile(text: string, file: string): Coverage {
  const [header, ...lines] = text.split('\n');
  if (!/^mode: (set|count|atomic)\s*$/.test(header ?? ''))
    throw bad(file, 'Go cover profile', "its first line is not 'mode: set|count|atomic'");
  // A block can appear once per test binary that covers it: count each block once, covered if any run hit it.
  const blocks = new Map<string, { statements: number; hit: boolean }>();
  for (const line of lines) {
    const match = /^(.+:\d+\.\d+,\d+\.\d+) (\d+) (\d+)\s*$/.exec(line);
    if (!match) continue;
    const [, block = '', statements = '0', count = '0'] = match;
    const seen = blocks.get(block);
    blocks.set(block, { statements: Number(statements), hit: (seen?.hit ?? false) || Number(count) > 0 });
  }
  let total = 0;
  let covered = 0;
  for (const block of blocks.values()) {
    total += block.statements;
    if (block.hit) covered += block.statements;
  }
  return result('go', covered, total);
}

export function readCoverage(text: string, file: string, requested: string): Coverage {
  let format: CoverageFormat | undefined;
  if (requested === 'auto' || requested === '') {
    format = guessFormat(text);
    if (!format)
      throw new CheckInputError(
        'GANTRY-WF-061',
        'Bad coverage report',
        `${file} is not a coverage report gantry reads (Istanbul json-summary, Cobertura XML, LCOV or a Go cover profile); set coverage-format if it is one.`,
      );
  } else if ((COVERAGE_FORMATS as readonly string[]).includes(requested)) {
    format = requested as CoverageFormat;
  } else {
    throw new CheckInputError(
      'GANTRY-WF-062',
      'Bad input coverage-format',
      `'${requested}' is not one of auto, ${COVERAGE_FORMATS.join(', ')}.`,
    );
  }
  switch (format) {
    case 'istanbul':
      return istanbul(text, file);
    case 'cobertura':
      return cobertura(text, file);
    case 'lcov':
      return lcov(text, file);
    case 'go':
      return goProfile(text, file);
  }
}

/** How to make each ecosystem's usual tools write a report gantry reads (for the "No coverage report" message). */
export const COVERAGE_HINT =
  'Make the test command write one: vitest --coverage.enabled --coverage.reporter=json-summary (or lcov); jest --coverage --coverageReporters=json-summary; ' +
  'pytest --cov --cov-report=xml:coverage.xml (Cobertura); go test -coverprofile=coverage.out ./...; then set coverage-file to its path — or set coverage-threshold to 0';
