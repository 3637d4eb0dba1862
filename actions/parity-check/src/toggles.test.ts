import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../lib/runner/logger';
import { describeToggle, exposure, loadToggles, parseManifest, parseToggleReference } from './toggles';

const workspace = mkdtempSync(path.join(os.tmpdir(), 'parity-toggles-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe('parseToggleReference', () => {
  it('reads secret ids and ARNs with an optional #json-key', () => {
    expect(parseToggleReference('base-toggles', 'secretsmanager:shop/toggles', workspace)).toEqual({
      kind: 'secret',
      secretId: 'shop/toggles',
      reference: 'secretsmanager:shop/toggles',
    });
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/toggles-AbCdEf';
    expect(parseToggleReference('base-toggles', `secretsmanager:${arn}#staging`, workspace)).toMatchObject({
      secretId: arn,
      jsonKey: 'staging',
    });
  });

  it('resolves a file in the workspace', () => {
    writeFileSync(path.join(workspace, 'toggles.json'), '{}');
    expect(parseToggleReference('base-toggles', 'toggles.json', workspace)).toEqual({
      kind: 'file',
      path: path.join(workspace, 'toggles.json'),
      reference: 'toggles.json',
    });
  });

  it.each([
    'secretsmanager:',
    'secretsmanager:#key',
    'secretsmanager:id#',
    'secretsmanager:has space',
    'secretmanager:id',
    'SecretsManager:id',
  ])('rejects the malformed reference %j, naming the input', (value) => {
    expect(() => parseToggleReference('target-toggles', value, workspace)).toThrow(
      /^Input 'target-toggles' has value .*: expected secretsmanager:<secret-id>/,
    );
  });

  it('rejects a missing file, naming the input', () => {
    expect(() => parseToggleReference('base-toggles', 'nope.json', workspace)).toThrow(
      /^Input 'base-toggles' has value 'nope.json': expected an existing file/,
    );
  });
});

describe('parseManifest', () => {
  it('accepts booleans and objects; rollout defaults to 100 when enabled, 0 when not', () => {
    const manifest = parseManifest('base-toggles', 'x.json', {
      simple: true,
      off: false,
      partial: { enabled: true, rollout: 25, owner: 'team-a', ticket: 'SHOP-1', description: 'new checkout' },
      full: { enabled: true },
      disabled: { enabled: false, rollout: 50 },
    });
    expect(Object.fromEntries(manifest)).toEqual({
      simple: { enabled: true, rollout: 100 },
      off: { enabled: false, rollout: 0 },
      partial: { enabled: true, rollout: 25, owner: 'team-a', ticket: 'SHOP-1' },
      full: { enabled: true, rollout: 100 },
      disabled: { enabled: false, rollout: 50 },
    });
    expect([...manifest.values()].map(exposure)).toEqual([100, 0, 25, 100, 0]);
    expect([...manifest.values()].map(describeToggle)).toEqual(['on', 'off', 'on (25%)', 'on', 'off']);
  });

  it.each([
    [[], /x\.json: expected a JSON object mapping toggle names .* got a list/],
    [null, /got null/],
    [{ a: 'yes' }, /toggle 'a': expected true\/false or an object .* got a string/],
    [{ a: { rollout: 10 } }, /toggle 'a': 'enabled' must be true or false, got nothing/],
    [{ a: { enabled: 'true' } }, /toggle 'a': 'enabled' must be true or false, got a string/],
    [{ a: { enabled: true, rollout: 101 } }, /toggle 'a': 'rollout' must be a number from 0 to 100, got 101/],
    [{ a: { enabled: true, rollout: '50' } }, /'rollout' must be a number from 0 to 100, got a string/],
    [{ a: { enabled: true, rolout: 5 } }, /toggle 'a': unknown field 'rolout' \(allowed: enabled, rollout, owner, ticket, description\)/],
    [{ a: { enabled: true, owner: 7 } }, /toggle 'a': 'owner' must be a string/],
    [{ ' ': true }, /a toggle has an empty name/],
  ])('rejects %j with a message naming the input and the toggle', (data, message) => {
    expect(() => parseManifest('target-toggles', 'x.json', data)).toThrow(message);
    expect(() => parseManifest('target-toggles', 'x.json', data)).toThrow(/^Input 'target-toggles': x\.json: /);
  });
});

describe('loadToggles', () => {
  const secrets = mockClient(SecretsManagerClient);
  beforeEach(() => secrets.reset());

  it('reads a JSON file with the line of each toggle', async () => {
    const file = path.join(workspace, 'staging.toggles.json');
    writeFileSync(file, '{\n  "a": true,\n  "b": { "enabled": false }\n}\n');
    const set = await loadToggles('base-toggles', { kind: 'file', path: file, reference: 'staging.toggles.json' }, { log: memoryLogger() });
    expect(set.where).toBe('staging.toggles.json');
    expect(Object.fromEntries(set.lines)).toEqual({ a: 2, b: 3 });
    expect(set.toggles.get('b')).toEqual({ enabled: false, rollout: 0 });
  });

  it('reports a file that is not JSON with its line', async () => {
    const file = path.join(workspace, 'broken.json');
    writeFileSync(file, '{\n  "a": true,\n}\n');
    await expect(
      loadToggles('base-toggles', { kind: 'file', path: file, reference: 'broken.json' }, { log: memoryLogger() }),
    ).rejects.toThrow(`Input 'base-toggles': broken.json:3: invalid JSON: unexpected "}" at column 1.`);
  });

  it('masks the secret before logging anything, then selects #key (an object or a JSON string)', async () => {
    const secret = JSON.stringify({ staging: { a: true }, production: JSON.stringify({ a: false }), api_key: 'k-123' });
    secrets.on(GetSecretValueCommand, { SecretId: 'shop/toggles' }).resolves({ SecretString: secret });
    const log = memoryLogger();
    const client = new SecretsManagerClient({ region: 'us-east-1' });
    const staging = await loadToggles(
      'base-toggles',
      { kind: 'secret', secretId: 'shop/toggles', jsonKey: 'staging', reference: 'secretsmanager:shop/toggles#staging' },
      { secrets: client, log },
    );
    const production = await loadToggles(
      'target-toggles',
      { kind: 'secret', secretId: 'shop/toggles', jsonKey: 'production', reference: 'secretsmanager:shop/toggles#production' },
      { secrets: client, log },
    );
    expect(staging.toggles.get('a')).toEqual({ enabled: true, rollout: 100 });
    expect(production.toggles.get('a')).toEqual({ enabled: false, rollout: 0 });
    // Every string of the secret is masked on its own too: the API key beside the manifests as well.
    const perRead = [secret, JSON.stringify({ a: false }), 'k-123'];
    expect(log.secrets).toEqual([...perRead, ...perRead]);
    expect(log.text()).not.toContain('k-123');
  });

  it('masks every string of a secret at any depth, also inside a manifest stored as a JSON string, but not short ones or keys', async () => {
    const manifest = { search: { enabled: true, owner: 'team-search', ticket: 'SHOP-1' }, tiny: { enabled: false, owner: 'ab' } };
    const secret = JSON.stringify({
      toggles: JSON.stringify(manifest),
      db: { hosts: ['db-1.internal', { password: 'hunter22' }] },
      n: 12345,
    });
    secrets.on(GetSecretValueCommand).resolves({ SecretString: secret });
    const log = memoryLogger();
    await loadToggles(
      'base-toggles',
      { kind: 'secret', secretId: 's', jsonKey: 'toggles', reference: 'secretsmanager:s#toggles' },
      { secrets: new SecretsManagerClient({ region: 'us-east-1' }), log },
    );
    expect(log.secrets).toEqual([secret, JSON.stringify(manifest), 'db-1.internal', 'hunter22', 'team-search', 'SHOP-1']);
    // All of it before anything was said.
    expect(log.lines).toEqual([]);
  });

  it.each([
    [
      { SecretString: 'not json k-123' },
      undefined,
      /secretsmanager:s: the secret is not valid JSON \(its content is not shown: it is a secret\)/,
    ],
    [{ SecretString: '{"x": {}}' }, 'missing', /the secret has no top-level field 'missing'/],
    [{ SecretString: '{"x": "k-123 not json"}' }, 'x', /field 'x' is not valid JSON/],
    [{ SecretString: '{"x": ["k-123"]}' }, 'x', /expected a JSON object mapping toggle names/],
    [{}, undefined, /secret 's' has no value/],
  ])('explains a bad secret %j without showing its content', async (response, jsonKey, message) => {
    secrets.on(GetSecretValueCommand).resolves(response);
    const error = await loadToggles(
      'target-toggles',
      { kind: 'secret', secretId: 's', ...(jsonKey ? { jsonKey } : {}), reference: `secretsmanager:s${jsonKey ? `#${jsonKey}` : ''}` },
      { secrets: new SecretsManagerClient({ region: 'us-east-1' }), log: memoryLogger() },
    ).catch((err: Error) => err);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/^Input 'target-toggles': /);
    expect((error as Error).message).not.toContain('k-123');
  });

  it('names the input when the secret cannot be read', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }));
    await expect(
      loadToggles(
        'base-toggles',
        { kind: 'secret', secretId: 'nope', reference: 'secretsmanager:nope' },
        { secrets: new SecretsManagerClient({ region: 'us-east-1' }), log: memoryLogger() },
      ),
    ).rejects.toThrow(
      "Input 'base-toggles': secret 'nope' could not be read: ResourceNotFoundException: Secrets Manager can't find the specified secret.",
    );
  });
});
