/**
 * deploy.yml's automatic rollback step, its `if:` read from the YAML and evaluated with GitHub's
 * expression engine: it must run whenever deploy-ecs may have changed the service (it then reports
 * `previous-task-definition-arn`) and the job did not succeed — a failed or timed-out rollout, a
 * failed smoke test, a cancelled job — and never when nothing changed.
 * The fault-injection tests (test/deploy-ecs/faults.e2e.test.ts) evaluate it on real bundle outputs.
 */
import { describe, expect, it } from 'vitest';
import { conditionExpression, deployListRollbackRuns, deployRollbackRuns, evaluateCondition, workflowStep } from './support/step-condition';

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

  // A list (deploy-ecs `services`): rollback-services names every service the run updated, each with its own
  // previous revision; '[]' when none was updated. The single-service step never runs for a list (deploy-ecs
  // writes no previous-task-definition-arn then), and the list's step never runs for one service.
  const list = (status: string, updated: number) => ({
    status,
    services: JSON.stringify([
      { service: 'api', status },
      { service: 'worker', status },
    ]),
    'rollback-services': JSON.stringify(
      [
        { service: 'api', target: PREVIOUS.replace('web', 'api') },
        { service: 'worker', target: PREVIOUS.replace('web', 'worker') },
      ].slice(0, updated),
    ),
  });
  it.each<[string, Record<string, string>, Parameters<typeof deployRollbackRuns>[1], boolean]>([
    ['list: one of two failed', list('failed', 2), { exitCode: 1 }, true],
    ['list: timed out', list('timed-out', 2), { exitCode: 1 }, true],
    ['list: cancelled mid-wait', list('cancelled', 2), { cancelled: true }, true],
    ['list: deployed, then the smoke test failed', list('deployed', 2), { exitCode: 0, laterFailure: true }, true],
    ['list: the first UpdateService refused after it went out (only api updated)', list('failed', 1), { exitCode: 1 }, true],
    ['list: deployed and the smoke test passed', list('deployed', 2), { exitCode: 0 }, false],
    ['list: failed before any UpdateService (rollback-services [])', list('failed', 0), { exitCode: 1 }, false],
    ['list: failed before any output', {}, { exitCode: 1 }, false],
  ])('%s → the list rollback runs: %s', (_name, outputs, ending, expected) => {
    expect(deployListRollbackRuns(outputs, ending)).toBe(expected);
    expect(deployRollbackRuns(outputs, ending)).toBe(false);
  });

  it("the list's rollback step takes deploy-ecs's rollback-services as its services input", () => {
    const step = workflowStep('.github/workflows/deploy.yml', 'deploy', 'rollback-services');
    expect(step.with.services).toBe('${{ steps.deploy.outputs.rollback-services }}');
    expect(step.with.service).toBeUndefined();
    expect(deployListRollbackRuns(touched('failed'), { exitCode: 1 })).toBe(false);
  });

  it('evaluates with GitHub semantics: an implicit success() and a missing output as empty', () => {
    expect(evaluateCondition("steps.x.outputs.y != ''", { steps: { x: { outputs: { y: 'a' } } } }, 'failure')).toBe(false);
    expect(evaluateCondition("${{ always() && steps.x.outputs.y == '' }}", { steps: { x: {} } }, 'cancelled')).toBe(true);
  });
});
