/**
 * Toggle manifests as teams have them (shapes taken from public repositories' files): OpenFeature
 * flagd read natively, a #selector into a wrapper, and other tools' formats named with the fix.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadToggles, parseManifest, parseToggleReference } from './toggles';

const workspace = mkdtempSync(path.join(os.tmpdir(), 'toggle-formats-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));
const log = {
  info: () => {},
  warning: () => {},
  error: () => {},
  debug: () => {},
  secret: () => {},
  group: <T>(_n: string, fn: () => Promise<T>) => fn(),
};

const FLAGD = {
  $schema: 'https://flagd.dev/schema/v0/flags.json',
  flags: {
    'new-checkout': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
    'dark-mode': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' },
    'legacy-cart': { state: 'DISABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
    'fast-search': {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: {
        if: [
          { in: ['@example.com', { var: 'email' }] },
          'on',
          {
            fractional: [
              ['on', 25],
              ['off', 75],
            ],
          },
        ],
      },
    },
    'header-color': { state: 'ENABLED', variants: { red: '#f00', blue: '#00f' }, defaultVariant: 'red' },
  },
  $evaluators: { emailWithFaas: { in: ['@faas.com', { var: ['email'] }] } },
};

const toggles = (data: unknown, where = 'toggles.json') =>
  Object.fromEntries(
    [...parseManifest('base-toggles', where, data)].map(([name, state]) => [name, `${state.enabled ? 'on' : 'off'} ${state.rollout}`]),
  );
const problem = (data: unknown, where = 'toggles.json') => {
  try {
    parseManifest('base-toggles', where, data);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a failure');
};

describe('OpenFeature flagd, natively', () => {
  it('ENABLED with a true default is on; DISABLED or a false default is off; fractional gives the rollout', () => {
    expect(toggles(FLAGD)).toEqual({
      'new-checkout': 'on 100',
      'dark-mode': 'off 0',
      'legacy-cart': 'off 0',
      'fast-search': 'on 25',
      'header-color': 'on 100',
    });
  });

  it('without $schema, when every flag has state and variants', () => {
    const { $schema: _schema, $evaluators: _evaluators, ...bare } = FLAGD;
    expect(toggles(bare)['new-checkout']).toBe('on 100');
  });

  it.each([
    [
      { state: 'ON', variants: { on: true }, defaultVariant: 'on' },
      'flag \'x\': \'state\' must be "ENABLED" or "DISABLED" (OpenFeature flagd).',
    ],
    [
      { state: 'ENABLED', variants: {}, defaultVariant: 'on' },
      "flag 'x': 'variants' must be an object of variant name → value (OpenFeature flagd).",
    ],
    [
      { state: 'ENABLED', variants: { on: true }, defaultVariant: 'yes' },
      "flag 'x': 'defaultVariant' must name one of its variants (OpenFeature flagd).",
    ],
  ])('a broken flag: %j', (flag, message) => {
    expect(problem({ $schema: 'https://flagd.dev/schema/v0/flags.json', flags: { x: flag } })).toBe(
      `Input 'base-toggles': toggles.json: ${message}`,
    );
  });
});

describe('other tools’ formats: named, with how to select or convert', () => {
  it.each([
    [
      'LaunchDarkly flag data',
      { flags: { a: { key: 'a', on: true } }, flagValues: { a: true }, segments: {} },
      "LaunchDarkly's (flag data file: flags, flagValues, segments)",
      'select the flag values with `toggles.json#flagValues`',
    ],
    [
      'PostHog',
      { flags: [{ key: 'beta', active: true, rollout_percentage: 30, filters: {} }] },
      "PostHog's (flags with rollout_percentage)",
      "convert it to gantry's manifest, e.g. `jq '.flags | map(",
    ],
    [
      'Unleash',
      { version: 1, features: [{ name: 'beta', enabled: true, strategies: [{ name: 'default' }] }] },
      "Unleash's (features with strategies)",
      "`jq '.features | map({key: .name",
    ],
    [
      'Flipt',
      { namespace: 'default', flags: [{ key: 'beta', type: 'BOOLEAN_FLAG_TYPE', enabled: true }] },
      "Flipt's (flags with key, type, enabled)",
      "`jq '.flags | map({key: .key",
    ],
    [
      'a list of flags',
      [
        { name: 'beta', enabled: true },
        { name: 'gamma', enabled: false },
      ],
      'a list of flags',
      "`jq 'map({key: (.key // .name)",
    ],
    [
      'a wrapper object',
      { version: 3, features: { beta: true, gamma: { enabled: false } } },
      "a wrapper object (the toggles are under 'features')",
      'select them with `toggles.json#features`',
    ],
  ])('%s', (_name, data, tool, advice) => {
    const message = problem(data);
    expect(message).toContain(`Input 'base-toggles': toggles.json: looks like ${tool} format, not a toggle manifest gantry reads`);
    expect(message).toContain(advice);
  });

  it('a gantry manifest with a real mistake keeps its own message', () => {
    expect(problem({ a: { enabled: true, rollout: 150 } })).toBe(
      "Input 'base-toggles': toggles.json: toggle 'a': 'rollout' must be a number from 0 to 100, got 150.",
    );
    expect(problem([true])).toMatch(/expected a JSON object mapping toggle names .* got a list\.$/);
  });
});

describe('#selector on a file manifest', () => {
  it('selects a nested manifest (LaunchDarkly flagValues, environments.staging)', async () => {
    writeFileSync(path.join(workspace, 'ld.json'), JSON.stringify({ flags: {}, flagValues: { beta: true, gamma: false }, segments: {} }));
    writeFileSync(
      path.join(workspace, 'all.json'),
      JSON.stringify({ environments: { staging: { beta: { enabled: true, rollout: 10 } } } }),
    );
    const ld = parseToggleReference('base-toggles', 'ld.json#flagValues', workspace);
    expect(ld).toMatchObject({ kind: 'file', reference: 'ld.json#flagValues', select: ['flagValues'] });
    expect([...(await loadToggles('base-toggles', ld, { log })).toggles.keys()]).toEqual(['beta', 'gamma']);
    const nested = await loadToggles('base-toggles', parseToggleReference('base-toggles', 'all.json#environments.staging', workspace), {
      log,
    });
    expect(nested.toggles.get('beta')).toEqual({ enabled: true, rollout: 10 });
    await expect(
      loadToggles('base-toggles', parseToggleReference('base-toggles', 'all.json#environments.prod', workspace), { log }),
    ).rejects.toThrow("Input 'base-toggles': all.json#environments.prod: 'environments' has no field 'prod' (it has 'staging').");
  });

  it('a file whose name has a # is read whole; a bad selector names the input', () => {
    writeFileSync(path.join(workspace, 'odd#name.json'), '{}');
    expect(parseToggleReference('base-toggles', 'odd#name.json', workspace)).toMatchObject({ kind: 'file', reference: 'odd#name.json' });
    expect(() => parseToggleReference('base-toggles', 'ld.json#', workspace)).toThrow(
      /^Input 'base-toggles' has value 'ld.json#': expected <file>\[#<field>/,
    );
  });
});
