import { describe, expect, it } from 'vitest';
import { CALL_ID_MAX, artifactSafe, callId, callNames, lockName } from './services';

describe('the names of a call with a services list', () => {
  it('call-id: cluster and services by name, sorted, once each, joined with a character no ECS name has', () => {
    expect(callId('shop', ['worker', 'api'])).toBe('shop.api.worker');
    expect(
      callId('arn:aws:ecs:us-east-1:123456789012:cluster/shop', ['arn:aws:ecs:us-east-1:123456789012:service/shop/api', 'worker']),
    ).toBe('shop.api.worker');
    // [a-b] and [a, b] are two lists, two ids.
    expect(callId('shop', ['a-b'])).not.toBe(callId('shop', ['a', 'b']));
  });

  it('call-id: bounded, its end a hash of the whole, so two long lists with one beginning differ', () => {
    const many = Array.from({ length: 40 }, (_, i) => `svc-${i}`);
    const id = callId('shop', many);
    expect(id).toHaveLength(CALL_ID_MAX);
    expect(id).toMatch(/-[0-9a-f]{12}$/);
    expect(callId('shop', [...many, 'svc-x'])).not.toBe(id);
    expect(callId('shop', [...many].reverse())).toBe(id);
  });

  it('lock: one per cluster, never a single service group', () => {
    expect(lockName('shop')).toBe('services@shop');
    expect(lockName('arn:aws:ecs:eu-west-1:123456789012:cluster/shop')).toBe('services@shop');
    expect(artifactSafe('a/b:c d')).toBe('a-b-c-d');
  });

  it('migration-service: by name or ARN, default the first entry', () => {
    expect(callNames('shop', ['api', 'worker'])).toMatchObject({ migrationService: 'api', migrationIndex: 0 });
    expect(callNames('shop', ['api', 'worker'], 'arn:aws:ecs:us-east-1:123456789012:service/shop/worker')).toMatchObject({
      migrationService: 'worker',
      migrationIndex: 1,
    });
  });

  it("migration-task-definition: the migration entry's own file, empty when it has none", () => {
    const files = ['api.json', undefined];
    expect(callNames('shop', ['api', 'worker'], undefined, files).migrationTaskDefinition).toBe('api.json');
    expect(callNames('shop', ['api', 'worker'], 'worker', files).migrationTaskDefinition).toBe('');
    expect(callNames('shop', ['api', 'worker'], 'worker', ['api.json', 'deploy/worker.json']).migrationTaskDefinition).toBe(
      'deploy/worker.json',
    );
    expect(callNames('shop', ['api', 'worker']).migrationTaskDefinition).toBe('');
  });
});
