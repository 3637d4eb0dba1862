import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getInputs, usesSecretsManager } from './inputs';

const workspace = mkdtempSync(path.join(os.tmpdir(), 'parity-inputs-'));
for (const name of ['a.tfvars', 'b.tfvars', 'c.tfvars.json', 'staging.env', 'production.env', 'toggles.json'])
  writeFileSync(path.join(workspace, name), '');
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

const env = (inputs: Record<string, string>, extra: Record<string, string> = {}) => ({
  GITHUB_WORKSPACE: workspace,
  ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  ...extra,
});

describe('getInputs', () => {
  it('reads every input, with defaults, resolving files against the workspace in order', () => {
    const inputs = getInputs(env({ 'base-var-files': 'a.tfvars\n# a comment\nc.tfvars.json', 'target-var-files': 'b.tfvars' }));
    expect(inputs).toEqual({
      'base-name': 'staging',
      'target-name': 'production',
      'base-var-files': [path.join(workspace, 'a.tfvars'), path.join(workspace, 'c.tfvars.json')],
      'target-var-files': [path.join(workspace, 'b.tfvars')],
      'base-toggles': undefined,
      'target-toggles': undefined,
      'base-env-file': undefined,
      'target-env-file': undefined,
      'values-must-match': [],
      ignore: [],
      'rollout-toggles': [],
      'fail-on-divergence': true,
      'aws-region': undefined,
      'endpoint-url': undefined,
      workspace,
    });
    expect(usesSecretsManager(inputs)).toBe(false);
  });

  it('reads name lists one per line or comma-separated, without duplicates', () => {
    const inputs = getInputs(
      env({
        'base-env-file': 'staging.env',
        'target-env-file': 'production.env',
        'values-must-match': 'engine_version, db.engine.version\nengine_version',
        ignore: 'legacy\n  tags.cost-center , DEBUG',
        'rollout-toggles': 'new-checkout',
        'fail-on-divergence': 'FALSE',
        'base-name': 'stage eu',
        'target-name': 'prod-eu.1',
      }),
    );
    expect(inputs['values-must-match']).toEqual(['engine_version', 'db.engine.version']);
    expect(inputs.ignore).toEqual(['legacy', 'tags.cost-center', 'DEBUG']);
    expect(inputs['rollout-toggles']).toEqual(['new-checkout']);
    expect(inputs['fail-on-divergence']).toBe(false);
    expect([inputs['base-name'], inputs['target-name']]).toEqual(['stage eu', 'prod-eu.1']);
    expect(inputs['base-env-file']).toBe(path.join(workspace, 'staging.env'));
  });

  it('validates AWS settings only when a manifest is in Secrets Manager', () => {
    const secret = { 'base-toggles': 'secretsmanager:shop/toggles#staging', 'target-toggles': 'toggles.json' };
    expect(() => getInputs(env(secret))).toThrow(/^Input 'aws-region' is missing/);
    const inputs = getInputs(env(secret, { AWS_REGION: 'eu-west-1' }));
    expect(usesSecretsManager(inputs)).toBe(true);
    expect(inputs['base-toggles']).toEqual({
      kind: 'secret',
      secretId: 'shop/toggles',
      jsonKey: 'staging',
      reference: 'secretsmanager:shop/toggles#staging',
    });
    expect(() => getInputs(env({ ...secret, 'aws-region': 'moon-1' }))).toThrow(/^Input 'aws-region' has value 'moon-1'/);
    expect(() =>
      getInputs(env({ 'base-toggles': 'toggles.json', 'target-toggles': 'toggles.json', 'aws-region': 'moon-1' })),
    ).not.toThrow();
  });

  it.each([
    [{}, /^Input 'base-var-files' is missing: expected something to compare/],
    [{ 'target-var-files': 'a.tfvars' }, /^Input 'base-var-files' is missing: expected a value, because target-var-files is set/],
    [{ 'base-toggles': 'toggles.json' }, /^Input 'target-toggles' is missing/],
    [
      { 'base-var-files': 'a.tfvars', 'target-var-files': 'missing.tfvars' },
      /^Input 'target-var-files' has value 'missing.tfvars': expected an existing file/,
    ],
    [
      { 'base-env-file': 'staging.env', 'target-env-file': '/etc/hostname' },
      /^Input 'target-env-file' has value '\/etc\/hostname': expected a path inside the workspace/,
    ],
    [
      { 'base-var-files': 'a.tfvars', 'target-var-files': 'b.tfvars', 'target-name': 'x'.repeat(41) },
      /^Input 'target-name' has value 'x+': expected a short label/,
    ],
    [
      { 'base-var-files': 'a.tfvars', 'target-var-files': 'b.tfvars', 'base-name': 'production' },
      /^Input 'target-name' has value 'production': expected a label different from base-name/,
    ],
    [
      { 'base-var-files': 'a.tfvars', 'target-var-files': 'b.tfvars', 'values-must-match': '.leading' },
      /^Input 'values-must-match' has value '.leading'/,
    ],
    [
      { 'base-var-files': 'a.tfvars', 'target-var-files': 'b.tfvars', 'fail-on-divergence': 'no' },
      /^Input 'fail-on-divergence' has value 'no'/,
    ],
    [
      { 'base-toggles': 'secretsmanager:bad id', 'target-toggles': 'toggles.json' },
      /^Input 'base-toggles' has value 'secretsmanager:bad id': expected secretsmanager:<secret-id>/,
    ],
  ])('rejects %j naming the input', (inputs, message) => {
    expect(() => getInputs(env(inputs as Record<string, string>, { AWS_REGION: 'eu-west-1' }))).toThrow(message);
  });
});
