import { describe, expect, it } from 'vitest';
import { changeCount, classifyActions, describeCounts, parseOutputs, secretStrings, summarizePlan } from './plan-json';

const change = (address: string, actions: string[], extra: Record<string, unknown> = {}) => ({
  address,
  mode: actions[0] === 'read' ? 'data' : 'managed',
  change: { actions, ...extra },
});

describe('classifyActions', () => {
  it.each([
    [['create'], 'create'],
    [['update'], 'update'],
    [['delete'], 'delete'],
    [['delete', 'create'], 'replace'],
    [['create', 'delete'], 'replace'],
    [['read'], 'read'],
    [['no-op'], 'no-op'],
    [['forget'], 'forget'],
    [['create', 'forget'], 'update'],
    [['delete', 'forget'], 'replace'],
  ])('%j → %s', (actions, expected) => {
    expect(classifyActions(actions)).toBe(expected);
  });

  it('a no-op that imports is an import', () => {
    expect(classifyActions(['no-op'], true)).toBe('import');
  });
});

describe('summarizePlan', () => {
  const plan = {
    format_version: '1.2',
    resource_changes: [
      change('terraform_data.a', ['create']),
      change('terraform_data.b', ['update']),
      change('terraform_data.c', ['delete', 'create'], {}),
      change('terraform_data.d', ['delete']),
      change('data.terraform_remote_state.e', ['read']),
      change('terraform_data.f', ['no-op']),
      change('terraform_data.g', ['no-op'], { importing: { id: 'abc' } }),
      change('terraform_data.h', ['create', 'delete']),
    ],
    output_changes: {
      url: { actions: ['update'], before_sensitive: false, after_sensitive: false },
      password: { actions: ['create'], before_sensitive: false, after_sensitive: true },
      same: { actions: ['no-op'] },
    },
  };

  it('counts each action once (replacements only in replace)', () => {
    const summary = summarizePlan(plan);
    expect(summary.counts).toEqual({ add: 1, change: 1, destroy: 1, replace: 2, read: 1 });
    expect(changeCount(summary.counts)).toBe(5);
    expect(describeCounts(summary.counts)).toBe('1 to add, 1 to change, 1 to destroy, 2 to replace, 1 to read');
  });

  it('lists resources with something to do, destroys first, and keeps the reason', () => {
    const summary = summarizePlan({
      ...plan,
      resource_changes: [...plan.resource_changes.slice(0, 2), { ...change('terraform_data.z', ['delete', 'create']), action_reason: 'replace_because_tainted' }],
    });
    expect(summary.resources).toEqual([
      { address: 'terraform_data.z', action: 'replace', reason: 'replace_because_tainted' },
      { address: 'terraform_data.b', action: 'update', reason: undefined },
      { address: 'terraform_data.a', action: 'create', reason: undefined },
    ]);
    expect(summarizePlan(plan).resources.map((r) => r.action)).toEqual(['delete', 'replace', 'replace', 'update', 'create', 'import', 'read']);
  });

  it('lists changed outputs with their sensitivity', () => {
    expect(summarizePlan(plan).outputs).toEqual([
      { name: 'password', action: 'create', sensitive: true },
      { name: 'url', action: 'update', sensitive: false },
    ]);
  });

  it('an empty plan has nothing to do', () => {
    expect(summarizePlan({ format_version: '1.2' })).toEqual({ counts: { add: 0, change: 0, destroy: 0, replace: 0, read: 0 }, resources: [], outputs: [] });
  });

  it.each([[null], [[]], ['text'], [{ resource_changes: 'x' }], [{ resource_changes: [{ address: 'a' }] }]])('rejects %j', (bad) => {
    expect(() => summarizePlan(bad)).toThrow(/terraform show -json/);
  });
});

describe('outputs', () => {
  it('parses terraform output -json, sorted by name', () => {
    expect(parseOutputs({ url: { sensitive: false, type: 'string', value: 'https://x' }, key: { sensitive: true, type: 'string', value: 'k3y-value' } })).toEqual([
      { name: 'key', sensitive: true, type: 'string', value: 'k3y-value' },
      { name: 'url', sensitive: false, type: 'string', value: 'https://x' },
    ]);
  });

  it('masks a sensitive map as a whole and each of its values, but not trivial ones', () => {
    const secrets = secretStrings({ user: 'admin', password: 'pa55word!', port: 5432, enabled: true, tags: ['x'] });
    expect(secrets).toEqual(expect.arrayContaining(['admin', 'pa55word!', '5432', JSON.stringify({ user: 'admin', password: 'pa55word!', port: 5432, enabled: true, tags: ['x'] })]));
    expect(secrets).not.toContain('true');
    expect(secrets).not.toContain('x');
    expect(secretStrings('plain-secret')).toEqual(['plain-secret']);
  });
});
