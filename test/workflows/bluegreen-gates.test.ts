/**
 * deploy.yml's blue/green gate steps, their `if:` read from the YAML and evaluated with GitHub's
 * expression engine against the outputs deploy-ecs writes (action.yml: status, gate-listener,
 * hook-id, service-deployment-arn): which steps run after a gated or an ungated deploy, and
 * which after a failure.
 */
import { describe, expect, it } from 'vitest';
import { evaluateCondition, workflowStep, type JobStatus, type StepContext } from './support/step-condition';

const SD = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/shop/web/abc';
const GATE_STEPS = ['smoke-test-listener', 'gate-test', 'gate-production', 'gate-rollback'] as const;

function running(steps: StepContext['steps'], status: JobStatus = 'success'): string[] {
  return GATE_STEPS.filter((id) => evaluateCondition(workflowStep('.github/workflows/deploy.yml', 'deploy', id).if, { steps }, status));
}

const awaiting = (listener: 'test' | 'production') => ({
  outputs: { status: 'awaiting-action', 'gate-listener': listener, 'hook-id': 'h1', 'service-deployment-arn': SD },
});

describe("deploy.yml's blue/green gates", () => {
  it('a rolling deploy runs none of them, even when it fails', () => {
    expect(running({ deploy: { outputs: { status: 'deployed' } } })).toEqual([]);
    expect(running({ deploy: { outputs: { status: 'failed' } } }, 'failure')).toEqual([]);
  });

  it('paused at the test gate: smoke-test on the test listener, then CONTINUE', () => {
    expect(running({ deploy: awaiting('test') })).toEqual(['smoke-test-listener', 'gate-test']);
    // gate-test then stops at the production gate: its CONTINUE step runs after the production smoke test.
    expect(running({ deploy: awaiting('test'), 'gate-test': { outputs: { status: 'awaiting-action' } } })).toContain('gate-production');
    expect(running({ deploy: awaiting('test'), 'gate-test': { outputs: { status: 'deployed' } } })).not.toContain('gate-production');
  });

  it('paused at the production gate only: the production smoke test, then CONTINUE', () => {
    expect(running({ deploy: awaiting('production') })).toEqual(['gate-production']);
  });

  it('a failed smoke test (or a cancelled job) at a gate: only ROLLBACK at the gate runs', () => {
    expect(running({ deploy: awaiting('test') }, 'failure')).toEqual(['gate-rollback']);
    expect(running({ deploy: awaiting('production') }, 'cancelled')).toEqual(['gate-rollback']);
  });

  it('the gate steps answer the deployment the deploy step stopped', () => {
    for (const id of ['gate-test', 'gate-production', 'gate-rollback']) {
      const step = workflowStep('.github/workflows/deploy.yml', 'deploy', id);
      expect(step.with['service-deployment-arn']).toBe('${{ steps.deploy.outputs.service-deployment-arn }}');
    }
    expect(workflowStep('.github/workflows/deploy.yml', 'deploy', 'gate-rollback').with['gate-action']).toBe('rollback');
    expect(workflowStep('.github/workflows/deploy.yml', 'deploy', 'smoke-test-listener').with['base-url']).toBe('${{ inputs.test-url }}');
  });
});
