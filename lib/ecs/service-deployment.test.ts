import { describe, expect, it } from 'vitest';
import type { ServiceDeployment } from '@aws-sdk/client-ecs';
import { awaitingHook, evaluateServiceDeployment, newServiceDeploymentArn, trafficText } from './service-deployment';
import { chooseStrategy, pauseHookStages } from './strategy';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/shop/web/abc';
const sd = (overrides: Partial<ServiceDeployment>): ServiceDeployment => ({
  serviceDeploymentArn: ARN,
  status: 'IN_PROGRESS',
  ...overrides,
});
const hook = { hookId: 'h1', targetType: 'PAUSE' as const, status: 'AWAITING_ACTION' as const };

describe('evaluateServiceDeployment (pure)', () => {
  it('decides on SUCCESSFUL, ROLLBACK_*, STOPPED, alarms and the circuit breaker', () => {
    expect(evaluateServiceDeployment(sd({ status: 'SUCCESSFUL' }), []).state).toBe('completed');
    expect(evaluateServiceDeployment(sd({ status: 'ROLLBACK_REQUESTED', lifecycleStage: 'BAKE_TIME' }), [])).toMatchObject({
      state: 'failed',
      rolledBack: true,
    });
    expect(evaluateServiceDeployment(sd({ status: 'ROLLBACK_FAILED' }), [])).toMatchObject({ state: 'failed', rolledBack: false });
    expect(evaluateServiceDeployment(sd({ status: 'STOPPED', statusReason: 'stopped by user' }), [])).toMatchObject({
      state: 'failed',
      reason: `service deployment ${ARN} is STOPPED (stopped by user).`,
    });
    expect(
      evaluateServiceDeployment(
        sd({ alarms: { status: 'TRIGGERED', triggeredAlarmNames: ['a', 'b'] }, lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' }),
        [],
      ),
    ).toMatchObject({
      state: 'failed',
      alarms: ['a', 'b'],
      reason: `CloudWatch alarm a, b TRIGGERED during service deployment ${ARN} at PRODUCTION_TRAFFIC_SHIFT.`,
    });
    expect(
      evaluateServiceDeployment(
        sd({ deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 4, threshold: 3 }, lifecycleStage: 'SCALE_UP' }),
        [],
      ).reason,
    ).toBe('the deployment circuit breaker TRIGGERED at SCALE_UP: 4 failed tasks (threshold 3).');
    expect(evaluateServiceDeployment(sd({ lifecycleStage: 'SCALE_UP' }), []).state).toBe('in-progress');
  });

  it('a PAUSE hook: a gate at the gate stages, CONTINUE elsewhere, ignored once answered or when not PAUSE', () => {
    const paused = sd({ lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT', lifecycleHookDetails: [hook] });
    expect(evaluateServiceDeployment(paused, ['POST_TEST_TRAFFIC_SHIFT'])).toMatchObject({
      state: 'gate',
      hook: { hookId: 'h1', stage: 'POST_TEST_TRAFFIC_SHIFT', serviceDeploymentArn: ARN },
    });
    expect(evaluateServiceDeployment(paused, ['POST_PRODUCTION_TRAFFIC_SHIFT']).state).toBe('continue');
    expect(evaluateServiceDeployment(paused, ['POST_TEST_TRAFFIC_SHIFT'], new Set(['h1'])).state).toBe('in-progress');
    expect(awaitingHook(sd({ lifecycleHookDetails: [{ ...hook, targetType: 'AWS_LAMBDA' }] }))).toBeUndefined();
  });

  it('traffic text, the new service deployment, the strategy and its PAUSE stages', () => {
    expect(
      trafficText(
        sd({
          targetServiceRevision: {
            runningTaskCount: 2,
            requestedTaskCount: 2,
            requestedProductionTrafficWeight: 10,
            requestedTestTrafficWeight: 100,
          },
        }),
      ),
    ).toBe('2/2 tasks · traffic to the new revision: production 10%, test 100%');
    expect(newServiceDeploymentArn({ currentServiceDeployment: ARN }, ARN)).toBeUndefined();
    expect(newServiceDeploymentArn({ currentServiceDeployment: ARN }, 'old')).toBe(ARN);
    expect(chooseStrategy({ serviceName: 'web' })).toBe('ROLLING');
    expect(chooseStrategy({ serviceName: 'web', deploymentConfiguration: { strategy: 'CANARY' } })).toBe('CANARY');
    expect(
      pauseHookStages({
        deploymentConfiguration: {
          lifecycleHooks: [
            { targetType: 'PAUSE', lifecycleStages: ['POST_PRODUCTION_TRAFFIC_SHIFT', 'POST_TEST_TRAFFIC_SHIFT'] },
            { targetType: 'AWS_LAMBDA', lifecycleStages: ['PRE_SCALE_UP'] },
          ],
        },
      }),
    ).toEqual(['POST_TEST_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT']);
  });
});
