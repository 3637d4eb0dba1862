import { describe, expect, it } from 'vitest';
import { runnerView, serviceChanges, type ServiceSnapshot } from './demo-support';

describe('runnerView: the log as GitHub shows it (demo --verbose)', () => {
  it('drops ::add-mask:: lines and masks their values everywhere else, longest first', () => {
    const log = [
      '::add-mask::s3cr3t-token',
      '::add-mask::postgres://app:pw-1234@db/app',
      '::add-mask::pw-1234',
      'connecting to postgres://app:pw-1234@db/app',
      'header s3cr3t-token sent',
      'done',
    ].join('\n');
    const shown = runnerView(log);
    expect(shown).toBe(['connecting to ***', 'header *** sent', 'done'].join('\n'));
    expect(shown).not.toContain('add-mask');
  });

  it('decodes the runner escaping of a multi-line mask', () => {
    expect(runnerView('::add-mask::a%0Ab\nx a\nb y')).toBe('x *** y');
  });
});

describe('serviceChanges: is the service the one it was (the demo after a failed migration)', () => {
  const before: ServiceSnapshot = {
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/shop:2',
    tags: { 'gantry:version': '1.0.0', 'gantry:status': 'deployed' },
    deployments: ['ecs-svc/1 PRIMARY arn:aws:ecs:us-east-1:123456789012:task-definition/shop:2'],
  };

  it('nothing when revision, tags and deployments are the same', () => {
    expect(serviceChanges(before, structuredClone(before))).toEqual([]);
  });

  it('names every difference: another revision, a changed, added or removed tag, a new deployment', () => {
    const after: ServiceSnapshot = {
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/shop:3',
      tags: { 'gantry:status': 'rolled-back', 'gantry:rollback-reason': 'x' },
      deployments: [...before.deployments, 'ecs-svc/2 PRIMARY arn:aws:ecs:us-east-1:123456789012:task-definition/shop:3'],
    };
    expect(serviceChanges(before, after)).toEqual([
      'it runs shop:3 instead of shop:2',
      'tag gantry:rollback-reason is x instead of (none)',
      'tag gantry:status is rolled-back instead of deployed',
      'tag gantry:version is (gone) instead of 1.0.0',
      'its deployments changed (ecs-svc/2 PRIMARY arn:aws:ecs:us-east-1:123456789012:task-definition/shop:3)',
    ]);
  });
});
