import { describe, expect, it } from 'vitest';
import { changeCount, classifyActions, describeCounts, parseOutputs, parseTerraformJson, secretStrings, summarizePlan } from './plan-json';

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
      resource_changes: [
        ...plan.resource_changes.slice(0, 2),
        { ...change('terraform_data.z', ['delete', 'create']), action_reason: 'replace_because_tainted' },
      ],
    });
    expect(summary.resources).toEqual([
      { address: 'terraform_data.z', action: 'replace', reason: 'replace_because_tainted' },
      { address: 'terraform_data.b', action: 'update', reason: undefined },
      { address: 'terraform_data.a', action: 'create', reason: undefined },
    ]);
    expect(summarizePlan(plan).resources.map((r) => r.action)).toEqual([
      'delete',
      'replace',
      'replace',
      'update',
      'create',
      'import',
      'read',
    ]);
  });

  it('lists changed outputs with their sensitivity', () => {
    expect(summarizePlan(plan).outputs).toEqual([
      { name: 'password', action: 'create', sensitive: true },
      { name: 'url', action: 'update', sensitive: false },
    ]);
  });

  it('an empty plan has nothing to do', () => {
    expect(summarizePlan({ format_version: '1.2' })).toEqual({
      counts: { add: 0, change: 0, destroy: 0, replace: 0, read: 0 },
      resources: [],
      outputs: [],
    });
  });

  it.each([[null], [[]], ['text'], [{ resource_changes: 'x' }], [{ resource_changes: [{ address: 'a' }] }]])('rejects %j', (bad) => {
    expect(() => summarizePlan(bad)).toThrow(/terraform show -json/);
  });
});

describe('malformed Terraform JSON is described by position and length, never quoted', () => {
  it('names the resource change by its index (and address when it has one)', () => {
    const secret = { after: { password: 'hunter2-LEAK' } };
    expect(() => summarizePlan({ resource_changes: ['hunter2-LEAK'] })).toThrow(
      /^terraform show -json: resource_changes\[0\] is not an object$/,
    );
    expect(() => summarizePlan({ resource_changes: [{ address: 'a', change: { actions: [] } }, { change: secret }] })).toThrow(
      /^terraform show -json: resource_changes\[1\] has no address$/,
    );
    expect(() => summarizePlan({ resource_changes: [{ address: 'aws_db.main', values: secret }] })).toThrow(
      /^terraform show -json: resource_changes\[0\] \(aws_db\.main\) has no change object$/,
    );
  });

  it('says how long the text was and where parsing stopped', () => {
    // JSON.parse's own message would quote the text around the bad token: `..."assword": hunter2-LE"...`.
    expect(() => parseTerraformJson('{"password": hunter2-LEAK}', 'terraform show -json')).toThrow(
      /^terraform show -json printed 26 characters that are not valid JSON \(the output is not shown: it holds variable values\)$/,
    );
    expect(() => parseTerraformJson('{"password": "hunter2-LEAK"} x', 'terraform show -json')).toThrow(
      /^terraform show -json printed 30 characters that are not valid JSON \(parsing stopped at character 30; the output/,
    );
    expect(() => parseTerraformJson('{"password": "hunter2-LEAK"', 'terraform output -json')).toThrow(
      /\(it ends before the JSON is complete; the output/,
    );
    expect(() => parseTerraformJson('  ', 'terraform output -json')).toThrow(/^terraform output -json printed nothing$/);
    expect(parseTerraformJson('{"a":1}', 'x')).toEqual({ a: 1 });
  });
});

describe('outputs', () => {
  it('parses terraform output -json, sorted by name', () => {
    expect(
      parseOutputs({
        url: { sensitive: false, type: 'string', value: 'https://x' },
        key: { sensitive: true, type: 'string', value: 'k3y-value' },
      }),
    ).toEqual([
      { name: 'key', sensitive: true, type: 'string', value: 'k3y-value' },
      { name: 'url', sensitive: false, type: 'string', value: 'https://x' },
    ]);
  });

  it('masks a sensitive map as a whole and each of its values, but not trivial ones', () => {
    const secrets = secretStrings({ user: 'admin', password: 'pa55word!', port: 5432, enabled: true, tags: ['x'] });
    expect(secrets).toEqual(
      expect.arrayContaining([
        'admin',
        'pa55word!',
        '5432',
        JSON.stringify({ user: 'admin', password: 'pa55word!', port: 5432, enabled: true, tags: ['x'] }),
      ]),
    );
    expect(secrets).not.toContain('true');
    expect(secrets).not.toContain('x');
    expect(secretStrings('plain-secret')).toEqual(['plain-secret']);
  });
});
