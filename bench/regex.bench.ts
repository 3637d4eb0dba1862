/**
 * smoke-test's body-matches and header patterns run on RE2 (re2js): linear in the body's length
 * whatever the pattern. The worst backtracking patterns against a 1 MB body that almost matches
 * (a million a's and a '!'): budget under 100 ms each, compile and first test together (a
 * check's first attempt), the fastest of 7: the cost of the algorithm, without the other work
 * of a shared machine (which only ever adds). Linearity: the same at 256 KB and 1 MB, ratio near 4.
 * The native RegExp needs seconds for `^(a+)+$` on 26 characters; printed for contrast.
 */
import { LinearRegex } from '../actions/smoke-test/src/linear-regex';
import type { BenchFigure } from './types';

const PATTERNS = ['^(a+)+$', '(a|aa)*b', '(.*a){20}', '^(a|a)*$', '(x+x+)+y', '^(\\w+\\s?)*$', '(a*)*b'];
const BUDGET_MS = 100;
/**
 * Linear time makes 4× the input cost about 4× the time, quadratic 16×, backtracking far more;
 * 8 leaves room for garbage collection and a shared machine's noise and still tells them apart.
 */
const MAX_RATIO = 8;

function timeOf(pattern: string, body: string, runs = 7): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    LinearRegex.compile(pattern, 's').test(body);
    times.push(performance.now() - started);
  }
  return Math.min(...times);
}

export default async function bench(): Promise<BenchFigure[]> {
  const big = `${'a'.repeat(1 << 20)}!`;
  const quarter = `${'a'.repeat(1 << 18)}!`;
  const figures: BenchFigure[] = [];
  let worst = { pattern: '', ms: 0, ratio: 0 };
  for (const pattern of PATTERNS) {
    const ms = timeOf(pattern, big);
    const ratio = ms / Math.max(timeOf(pattern, quarter), 0.01);
    figures.push({
      name: `regex /${pattern}/ against a 1 MB body`,
      value: ms,
      unit: 'ms',
      budget: `< ${BUDGET_MS} ms`,
      ok: ms < BUDGET_MS,
    });
    if (ms > worst.ms) worst = { pattern, ms, ratio };
  }
  figures.push({
    name: `worst pattern (/${worst.pattern}/): time at 1 MB ÷ time at 256 KB`,
    value: worst.ratio,
    unit: '×',
    budget: `≤ ${MAX_RATIO} (linear: 4, quadratic: 16)`,
    ok: worst.ratio <= MAX_RATIO,
  });
  const nativeBody = `${'a'.repeat(24)}!`;
  const started = performance.now();
  /^(a+)+$/.test(nativeBody);
  figures.push({ name: 'for contrast: native RegExp /^(a+)+$/ against 25 bytes', value: performance.now() - started, unit: 'ms' });
  return figures;
}
