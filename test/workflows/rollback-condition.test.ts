/**
 * deploy.yml's automatic rollback step, its `if:` read from the YAML and evaluated with GitHub's
 * expression engine: it must run whenever deploy-ecs may have changed the service (it then reports
 * `previous-task-definition-arn`) and the job did not succeed — a failed or timed-out rollout, a
 * failed smoke test, a cancelled job — and never when nothing changed.
 * The fault-injection tests (test/deploy-ecs/faults.e2e.test.ts) evaluate it on real bundle outputs.
 */
import { describe, expect, it } from 'vitest';
import { conditionExpression, deployRollbackRuns, evaluateCondition, workflowStep } from './support/step-condition';

const PREVIOUS = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1';
const touched = (status: string) => ({
  'task-definition-arn': PREVIOUS.replace(/:1$/, ':2'),
  'previous-task-definition-arn': PREVIOUS,
  status,
});

describe("deploy.yml's rollback condition", () => {
  it('is the one in the workflow (not a copy)', () => {
    expect(conditionExpression(workflowStep('.github/workflows/deploy.yml', 'deploy', 'rollback').if)).toMatch(
      /previous-task-definition-arn/,
    );
  });

  it.each<[string, Record<string, string>, Parameters<typeof deployRollbackRuns>[1], boolean]>([
    ['rollout failed', touched('failed'), { exitCode: 1 }, true],
    ['rollout timed out', touched('timed-out'), { exitCode: 1 }, true],
    ['job cancelled mid-wait (outputs from the SIGTERM handler)', touched('cancelled'), { cancelled: true }, true],
    ['deployed, then the smoke test failed', touched('deployed'), { exitCode: 0, laterFailure: true }, true],
    ['deployed and the smoke test passed', touched('deployed'), { exitCode: 0 }, false],
    ['failed before UpdateService (no outputs)', {}, { exitCode: 1 }, false],
    ['cancelled before UpdateService (no outputs)', {}, { cancelled: true }, false],
  ])('%s → rollback runs: %s', (_name, outputs, ending, expected) => {
    expect(deployRollbackRuns(outputs, ending)).toBe(expected);
  });

  it('evaluates with GitHub semantics: an implicit success() and a missing output as empty', () => {
    expect(evaluateCondition("steps.x.outputs.y != ''", { steps: { x: { outputs: { y: 'a' } } } }, 'failure')).toBe(false);
    expect(evaluateCondition("${{ always() && steps.x.outputs.y == '' }}", { steps: { x: {} } }, 'cancelled')).toBe(true);
  });
});
