import { describe, expect, it } from 'vitest';
import { compareEnvNames, compareToggles, compareVariables, type RuleOptions } from './compare';
import type { ToggleSet, ToggleState } from './toggles';
import { Unevaluated } from './values';
import type { VariableSet } from './var-files';

const names = { base: 'staging', target: 'production' };
const none: RuleOptions = { valuesMustMatch: [], ignore: [], rolloutToggles: [] };

/** Variables with line = position + 1 in the object, in file `<side>.tfvars`. */
function vars(side: string, values: Record<string, unknown>): VariableSet {
  const entries = Object.entries(values);
  return {
    values: new Map(entries),
    sources: new Map(entries.map(([name], i) => [name, { file: `${side}.tfvars`, line: i + 1 }])),
    files: [`${side}.tfvars`],
  };
}

const variables = (base: Record<string, unknown>, target: Record<string, unknown>, options: Partial<RuleOptions> = {}) =>
  compareVariables(vars('staging', base), vars('production', target), names, { ...none, ...options });

const rules = (result: { findings: { rule: string; key: string }[] }) => result.findings.map((f) => `${f.rule} ${f.key}`);

describe('variables', () => {
  it('finds nothing when names, nested keys and types match (values may differ)', () => {
    const result = variables(
      {
        cpu: 256,
        name: 'shop-stg',
        tags: { team: 'a', n: { x: 1 } },
        subnets: ['a'],
        on: true,
        nothing: null,
        expr: new Unevaluated('${var.x}'),
      },
      { cpu: 1024, name: 'shop', tags: { team: 'b', n: { x: 2 } }, subnets: ['a', 'b', 'c'], on: false, nothing: 'set', expr: 3 },
    );
    expect(result.findings).toEqual([]);
    expect(result.compared.variables).toBe(7);
  });

  it('checks the type of an Unevaluated when the syntax fixes it, and reads a JSON "${x}" as the string it is', () => {
    const result = variables(
      {
        sum: new Unevaluated('${var.a + 1}', 'number'),
        label: new Unevaluated('a-${var.x}', 'string'),
        tags: new Unevaluated('${{ (var.k) = 1 }}', 'object'),
        literal: '${x}',
      },
      { sum: '5', label: 'a-b', tags: { team: 'x' }, literal: 3 },
    );
    expect(rules(result)).toEqual(['type-mismatch literal', 'type-mismatch sum']);
    expect(result.findings[1].message).toBe("'sum' is a number in staging but a string in production.");
  });

  it('reports a name missing on either side, at the line of the side that has it', () => {
    const result = variables({ cpu: 256, only_staging: 1 }, { cpu: 256, only_prod: 'x' });
    expect(result.findings).toEqual([
      {
        kind: 'variable',
        key: 'only_prod',
        base: '(missing)',
        target: '"x"',
        rule: 'missing-in-base',
        file: 'production.tfvars',
        line: 2,
        message: "Variable 'only_prod' is set in production but missing in staging.",
      },
      {
        kind: 'variable',
        key: 'only_staging',
        base: '1',
        target: '(missing)',
        rule: 'missing-in-target',
        file: 'staging.tfvars',
        line: 2,
        message: "Variable 'only_staging' is set in staging but missing in production.",
      },
    ]);
  });

  it('reports a nested key missing in objects at any depth, at the target line', () => {
    const result = variables({ tags: { team: 'a', deep: { x: 1, y: 2 } } }, { tags: { deep: { x: 1, z: 3 }, owner: 'b' } });
    expect(rules(result)).toEqual([
      'missing-in-target tags.team',
      'missing-in-target tags.deep.y',
      'missing-in-base tags.deep.z',
      'missing-in-base tags.owner',
    ]);
    expect(result.findings[0]).toMatchObject({
      file: 'production.tfvars',
      line: 1,
      message: "Key 'tags.team' is set in staging but missing in production.",
    });
  });

  it('reports a type mismatch: number vs string, list vs object, bool vs string, nested', () => {
    const result = variables(
      { count: 3, subnets: ['a'], flag: true, tags: { n: 1 } },
      { count: '3', subnets: { a: 1 }, flag: 'true', tags: { n: 'one' } },
    );
    expect(rules(result)).toEqual(['type-mismatch count', 'type-mismatch flag', 'type-mismatch subnets', 'type-mismatch tags.n']);
    expect(result.findings[0]).toMatchObject({
      base: '3',
      target: '"3"',
      file: 'production.tfvars',
      line: 1,
      message: "'count' is a number in staging but a string in production.",
    });
  });

  it('does not look inside lists (their length legitimately differs)', () => {
    expect(variables({ rules: [{ port: 1 }] }, { rules: [{ port: 1, extra: 2 }, { other: 1 }] }).findings).toEqual([]);
  });

  it('values-must-match: equal values pass, different values fail, dot paths reach into objects and lists', () => {
    const base = { engine_version: '15.4', db: { engine: { version: '15' } }, zones: ['a', 'b'], port: 80 };
    const same = variables(base, structuredClone(base), { valuesMustMatch: ['engine_version', 'db.engine.version', 'zones.1'] });
    expect(same.findings).toEqual([]);
    const different = variables(
      base,
      { ...base, engine_version: '16.1', db: { engine: { version: '16' } }, zones: ['a', 'c'] },
      {
        valuesMustMatch: ['engine_version', 'db.engine.version', 'zones.1', 'port'],
      },
    );
    expect(rules(different)).toEqual([
      'values-must-match engine_version',
      'values-must-match db.engine.version',
      'values-must-match zones.1',
    ]);
    expect(different.findings[1]).toMatchObject({ base: '"15"', target: '"16"', file: 'production.tfvars', line: 2 });
    expect(different.findings[0].message).toBe(
      `'engine_version' must be the same in staging and production (values-must-match): "15.4" ≠ "16.1".`,
    );
  });

  it('values-must-match is not repeated for a path already reported as a type mismatch', () => {
    expect(rules(variables({ port: 8080, n: { v: 1 } }, { port: '8080', n: { v: '1' } }, { valuesMustMatch: ['port', 'n.v'] }))).toEqual([
      'type-mismatch n.v',
      'type-mismatch port',
    ]);
  });

  it('values-must-match compares objects structurally, whatever the key order', () => {
    expect(variables({ m: { a: 1, b: [1, { c: 2 }] } }, { m: { b: [1, { c: 2 }], a: 1 } }, { valuesMustMatch: ['m'] }).findings).toEqual(
      [],
    );
    expect(rules(variables({ m: { a: 1 } }, { m: { a: 2 } }, { valuesMustMatch: ['m'] }))).toEqual(['values-must-match m']);
  });

  it('values-must-match finds map keys that contain dots', () => {
    const result = variables(
      { dns: { 'example.com': '1.1.1.1' } },
      { dns: { 'example.com': '2.2.2.2' } },
      { valuesMustMatch: ['dns.example.com'] },
    );
    expect(rules(result)).toEqual(['values-must-match dns.example.com']);
  });

  it('values-must-match: a path set on one side only is the missing-name finding only; set nowhere is a note', () => {
    const result = variables({ a: 1, engine_version: '15' }, { a: 1 }, { valuesMustMatch: ['engine_version', 'typo_version'] });
    expect(rules(result)).toEqual(['missing-in-target engine_version']);
    expect(result.notes).toEqual(["values-must-match: 'typo_version' is set in neither staging nor production."]);
  });

  it('ignore skips a variable, or a nested path and everything below it', () => {
    const base = { legacy: 1, tags: { team: 'a', cost: { center: 1 } }, keep: 1 };
    const target = { tags: { cost: 'x' }, keep: 'one' };
    expect(rules(variables(base, target))).toEqual([
      'type-mismatch keep',
      'missing-in-target legacy',
      'missing-in-target tags.team',
      'type-mismatch tags.cost',
    ]);
    const ignored = variables(base, target, { ignore: ['legacy', 'tags.team', 'tags.cost'] });
    expect(rules(ignored)).toEqual(['type-mismatch keep']);
    expect(ignored.compared.variables).toBe(2);
    expect(rules(variables(base, target, { ignore: ['tags', 'keep', 'legacy'] }))).toEqual([]);
  });

  it('ignore also silences values-must-match for that path', () => {
    expect(variables({ v: 1 }, { v: 2 }, { valuesMustMatch: ['v'], ignore: ['v'] }).findings).toEqual([]);
  });
});

function toggles(side: string, states: Record<string, ToggleState | boolean>): ToggleSet {
  const entries = Object.entries(states).map(([name, s]): [string, ToggleState] => [
    name,
    typeof s === 'boolean' ? { enabled: s, rollout: s ? 100 : 0 } : s,
  ]);
  return { toggles: new Map(entries), where: `${side}.json`, lines: new Map(entries.map(([name], i) => [name, i + 2])) };
}

const compareT = (
  base: Record<string, ToggleState | boolean>,
  target: Record<string, ToggleState | boolean>,
  options: Partial<RuleOptions> = {},
) => compareToggles(toggles('staging', base), toggles('production', target), names, { ...none, ...options });

describe('toggles', () => {
  it('finds nothing when states are equal', () => {
    const result = compareT(
      { a: true, b: false, c: { enabled: true, rollout: 30 } },
      { a: true, b: false, c: { enabled: true, rollout: 30 } },
    );
    expect(result.findings).toEqual([]);
    expect(result.compared.toggles).toBe(3);
  });

  it('reports names missing on either side', () => {
    expect(rules(compareT({ a: true, only_base: false }, { a: true, only_target: true }))).toEqual([
      'missing-in-target only_base',
      'missing-in-base only_target',
    ]);
  });

  it('target ahead of base is always a finding, even for rollout-toggles: on vs off, or a higher rollout', () => {
    const base = { on_in_prod: false, higher: { enabled: true, rollout: 10 }, disabled_base: { enabled: false, rollout: 100 } };
    const target = { on_in_prod: true, higher: { enabled: true, rollout: 50 }, disabled_base: { enabled: true, rollout: 5 } };
    const result = compareT(base, target, { rolloutToggles: ['on_in_prod', 'higher', 'disabled_base'] });
    expect(rules(result)).toEqual(['target-ahead on_in_prod', 'target-ahead higher', 'target-ahead disabled_base']);
    expect(result.findings[1]).toEqual({
      kind: 'toggle',
      key: 'higher',
      base: 'on (10%)',
      target: 'on (50%)',
      rule: 'target-ahead',
      file: 'production.json',
      line: 3,
      message: "Toggle 'higher' is on (50%) in production but on (10%) in staging: production must never be ahead of staging.",
    });
  });

  it('base ahead of target is a finding unless the toggle is in rollout-toggles', () => {
    const base = { new_checkout: true, search: { enabled: true, rollout: 80 } };
    const target = { new_checkout: false, search: { enabled: true, rollout: 20 } };
    expect(rules(compareT(base, target))).toEqual(['base-ahead new_checkout', 'base-ahead search']);
    expect(compareT(base, target).findings[0].message).toBe(
      "Toggle 'new_checkout' is on in staging but off in production; list it in rollout-toggles if it is being rolled out.",
    );
    expect(rules(compareT(base, target, { rolloutToggles: ['new_checkout', 'search'] }))).toEqual([]);
  });

  it('disabled with a rollout percentage equals off', () => {
    expect(compareT({ a: { enabled: false, rollout: 50 } }, { a: false }).findings).toEqual([]);
  });

  it('ignore skips toggles; a rollout toggle named in neither manifest is a note', () => {
    const result = compareT({ a: true, b: true }, { b: false }, { ignore: ['a', 'b'], rolloutToggles: ['typo'] });
    expect(result.findings).toEqual([]);
    expect(result.notes).toEqual(["rollout-toggles: 'typo' is a toggle in neither manifest."]);
  });
});

describe('env names', () => {
  const env = (file: string, ...list: string[]) => ({ file, names: new Map(list.map((n, i) => [n, i + 1])) });

  it('compares names only and never shows values', () => {
    const result = compareEnvNames(env('staging.env', 'A', 'B', 'DEBUG'), env('production.env', 'A', 'C'), names, {
      ...none,
      ignore: ['DEBUG'],
    });
    expect(result.findings).toEqual([
      {
        kind: 'env',
        key: 'B',
        base: 'set',
        target: '(missing)',
        rule: 'missing-in-target',
        file: 'staging.env',
        line: 2,
        message: "Env variable 'B' is set in staging but missing in production.",
      },
      {
        kind: 'env',
        key: 'C',
        base: '(missing)',
        target: 'set',
        rule: 'missing-in-base',
        file: 'production.env',
        line: 2,
        message: "Env variable 'C' is set in production but missing in staging.",
      },
    ]);
    expect(result.compared.envNames).toBe(3);
  });
});
