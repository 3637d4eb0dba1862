/**
 * A failure names its code where a person sees it: through an action's built bundle (smoke-test,
 * which needs no AWS), the step's `::error::` annotation starts with the code, and the code is the
 * anchor of its runbook entry.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchoredCodes } from '../docs/support/failure-codes';
import { repoRoot, runAction, splitFailureCode } from '../support/harness';

const runbook = readFileSync(path.join(repoRoot, 'docs', 'infra', 'runbook.md'), 'utf8');

describe('failure codes through a built bundle (smoke-test)', () => {
  it('an input error: the annotation and the ::error:: line start with the code, which the runbook anchors', async () => {
    const result = await runAction('smoke-test', { 'base-url': 'https://staging.example.com' });
    expect(result.exitCode).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toBe(
      "GANTRY-SMOKE-003: Input 'checks' is missing: expected a YAML or JSON list of checks (or set checks-file, or expect-version).",
    );
    expect(result.stdout).toMatch(/^::error::GANTRY-SMOKE-003: Input 'checks' is missing/m);
    expect(anchoredCodes(runbook).has('GANTRY-SMOKE-003')).toBe(true);
  });

  it("an error of a shared input reader carries the reader's code (GANTRY-INPUT-…), not the action's", async () => {
    const result = await runAction('smoke-test', {
      'expect-version': 'abc1234',
      'base-url': 'https://x.example',
      'timeout-seconds': 'soon',
    });
    expect(result.exitCode).toBe(1);
    const { code, text } = splitFailureCode(result.annotations.find((a) => a.level === 'error')?.message ?? '');
    expect(code).toBe('GANTRY-INPUT-004');
    expect(text).toMatch(/^Input 'timeout-seconds' has value 'soon': expected a number of seconds/);
    expect(anchoredCodes(runbook).has(code ?? '')).toBe(true);
    // Printed without a stack trace, as before the codes.
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
