/**
 * Toggle manifests read from Secrets Manager, served by a real moto_server on 127.0.0.1: in
 * process through the real SDK, then the bundle end to end. The secret holds other values
 * (an API key) besides the manifests; none of it may reach stdout, the summary or the outputs
 * except through the runner's `::add-mask::` command, which comes before anything else.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../lib/runner/logger';
import { loadToggles } from '../../actions/parity-check/src/toggles';
import { runAction, type ActionResult } from '../support/harness';
import { awsTestEnv, secretsClientFor, startMoto, type MotoServer } from '../support/moto';

const API_KEY = 'sk-live-7f3a9c1e55d04b2a';
const STAGING = {
  'new-checkout': { enabled: true, rollout: 100, owner: 'team-checkout' },
  'dark-mode': true,
  search: { enabled: true, rollout: 40 },
};
const PRODUCTION = {
  'new-checkout': { enabled: true, rollout: 100, owner: 'team-checkout' },
  'dark-mode': true,
  search: { enabled: true, rollout: 60 },
};
/** One secret for both environments (production's manifest stored as a JSON string), plus a credential. */
const SHARED_SECRET = JSON.stringify({ staging: STAGING, production: JSON.stringify(PRODUCTION), api_key: API_KEY });
const STAGING_SECRET = JSON.stringify(STAGING);

let moto: MotoServer;

beforeAll(async () => {
  moto = await startMoto();
  const secrets = secretsClientFor(moto.url);
  await secrets.send(new CreateSecretCommand({ Name: 'shop/toggles', SecretString: SHARED_SECRET }));
  await secrets.send(new CreateSecretCommand({ Name: 'shop/staging/toggles', SecretString: STAGING_SECRET }));
});
afterAll(async () => {
  await moto?.stop();
});

/** Stdout without the runner's own `::add-mask::` commands (the runner consumes them). */
function visibleOutput(result: ActionResult): string {
  const stdout = result.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
  return [stdout, result.stderr, result.summary, ...Object.values(result.outputs)].join('\n');
}

describe('toggles from Secrets Manager (moto)', () => {
  it('reads a whole secret and a #key field through the real SDK, masking first', async () => {
    const log = memoryLogger();
    const secrets = secretsClientFor(moto.url);
    const whole = await loadToggles(
      'base-toggles',
      { kind: 'secret', secretId: 'shop/staging/toggles', reference: 'secretsmanager:shop/staging/toggles' },
      { secrets, log },
    );
    const field = await loadToggles(
      'target-toggles',
      { kind: 'secret', secretId: 'shop/toggles', jsonKey: 'production', reference: 'secretsmanager:shop/toggles#production' },
      { secrets, log },
    );
    expect(Object.fromEntries(whole.toggles)).toEqual({
      'new-checkout': { enabled: true, rollout: 100, owner: 'team-checkout' },
      'dark-mode': { enabled: true, rollout: 100 },
      search: { enabled: true, rollout: 40 },
    });
    expect(field.toggles.get('search')).toEqual({ enabled: true, rollout: 60 });
    // Each secret whole, then every string in it (the owners, production's manifest, the API key).
    expect(log.secrets).toEqual([
      STAGING_SECRET,
      'team-checkout',
      SHARED_SECRET,
      'team-checkout',
      JSON.stringify(PRODUCTION),
      API_KEY,
      'team-checkout',
    ]);
  });

  it('end to end: #key selection finds production ahead, and no secret content reaches the log', async () => {
    const result = await runAction(
      'parity-check',
      { 'base-toggles': 'secretsmanager:shop/toggles#staging', 'target-toggles': 'secretsmanager:shop/toggles#production' },
      { env: awsTestEnv(moto.url) },
    );
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.outputs.report)).toEqual([
      {
        kind: 'toggle',
        key: 'search',
        base: 'on (40%)',
        target: 'on (60%)',
        rule: 'target-ahead',
        file: 'secretsmanager:shop/toggles#production',
        message: "Toggle 'search' is on (60%) in production but on (40%) in staging: production must never be ahead of staging.",
      },
    ]);
    // A secret reference is not a file: the annotation has no file or line.
    expect(result.annotations.find((a) => a.properties.title === 'parity-check: target-ahead')?.properties).toEqual({
      title: 'parity-check: target-ahead',
    });
    expect(result.summary).toContain('| target-ahead | toggle | `search` | on (40%) | on (60%) | secretsmanager:shop/toggles#production |');

    const lines = result.stdout.split('\n');
    const firstMask = lines.findIndex((line) => line === `::add-mask::${SHARED_SECRET}`);
    expect(firstMask).toBeGreaterThanOrEqual(0);
    expect(lines.findIndex((line) => line.includes('toggles from'))).toBeGreaterThan(firstMask);
    expect(lines).toContain(`::add-mask::${JSON.stringify(PRODUCTION)}`);
    // The API key beside the manifests is masked on its own, before anything else is printed:
    // should anything ever print it (an SDK debug line, an error), the runner shows ***.
    const apiKeyMask = lines.indexOf(`::add-mask::${API_KEY}`);
    expect(apiKeyMask).toBeGreaterThan(firstMask);
    expect(lines.slice(0, apiKeyMask).every((line) => line.startsWith('::add-mask::') || !line.includes('toggles'))).toBe(true);
    expect(apiKeyMask).toBeLessThan(lines.findIndex((line) => line.includes('toggles from')));
    const visible = visibleOutput(result);
    expect(visible).not.toContain(API_KEY);
    expect(visible).not.toContain(SHARED_SECRET);
    expect(visible).not.toContain(JSON.stringify(PRODUCTION));
  });

  it('end to end: a whole-secret manifest against a file is in parity when rollout-toggles lets staging lead', async () => {
    const workspace = mkdtempSync(path.join(os.tmpdir(), 'parity-secrets-'));
    try {
      writeFileSync(
        path.join(workspace, 'production.json'),
        JSON.stringify({ ...STAGING, search: { enabled: true, rollout: 20 } }, null, 2),
      );
      const inputs = {
        'base-toggles': 'secretsmanager:shop/staging/toggles',
        'target-toggles': 'production.json',
        'aws-region': 'us-east-1',
      };
      const env = { ...awsTestEnv(moto.url), AWS_REGION: undefined };
      const ahead = await runAction('parity-check', inputs, { env, workspace });
      expect(ahead.exitCode).toBe(1);
      expect(JSON.parse(ahead.outputs.report)).toMatchObject([
        { rule: 'base-ahead', key: 'search', base: 'on (40%)', target: 'on (20%)', file: 'production.json', line: 8 },
      ]);
      const rollout = await runAction('parity-check', { ...inputs, 'rollout-toggles': 'search' }, { env, workspace });
      expect(rollout.exitCode).toBe(0);
      expect(rollout.summary).toContain('are in parity: compared 3 toggles.');
      expect(visibleOutput(rollout)).not.toContain(STAGING_SECRET);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
