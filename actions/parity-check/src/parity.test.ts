import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../lib/runner/logger';
import type { Inputs } from './inputs';
import { checkParity } from './parity';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const config = (name: string) => path.join(repoRoot, 'examples/config', name);

const inputs = (overrides: Partial<Inputs> = {}): Inputs => ({
  'base-name': 'staging',
  'target-name': 'production',
  'base-var-files': [config('staging.tfvars')],
  'target-var-files': [config('production.tfvars')],
  'base-toggles': { kind: 'file', path: config('staging.toggles.json'), reference: 'examples/config/staging.toggles.json' },
  'target-toggles': { kind: 'file', path: config('production.toggles.json'), reference: 'examples/config/production.toggles.json' },
  'base-env-file': config('staging.env'),
  'target-env-file': config('production.env'),
  'values-must-match': ['postgres_version'],
  ignore: [],
  'rollout-toggles': [],
  'fail-on-divergence': true,
  workspace: repoRoot,
  ...overrides,
});

describe('checkParity', () => {
  it('loads both sides, says what it read, and finds the examples in parity', async () => {
    const log = memoryLogger();
    const result = await checkParity(inputs(), { log, now: () => 0 });
    expect(result).toEqual({ findings: [], notes: [], compared: { variables: 11, toggles: 5, envNames: 7 } });
    expect(log.lines).toEqual([
      '▶ Reading configuration',
      'staging: 11 variables from examples/config/staging.tfvars',
      'staging: 7 env names from examples/config/staging.env',
      'production: 11 variables from examples/config/production.tfvars',
      'production: 7 env names from examples/config/production.env',
      'staging: 5 toggles from examples/config/staging.toggles.json',
      'production: 5 toggles from examples/config/production.toggles.json',
      'Compared staging and production in 0 ms: 0 findings.',
    ]);
  });

  it('says "1 finding", not "1 findings"', async () => {
    const log = memoryLogger();
    const result = await checkParity(
      inputs({
        'base-var-files': [],
        'target-var-files': [],
        'base-toggles': undefined,
        'target-toggles': undefined,
        'target-env-file': config('drift/production.env'),
        ignore: ['SENTRY_DSN'],
      }),
      { log, now: () => 0 },
    );
    expect(result.findings).toHaveLength(1);
    expect(log.lines.at(-1)).toBe('Compared staging and production in 0 ms: 1 finding.');
  });

  it('compares only the pairs given and logs notes as warnings', async () => {
    const log = memoryLogger();
    const result = await checkParity(
      inputs({
        'base-toggles': undefined,
        'target-toggles': undefined,
        'base-env-file': undefined,
        'target-env-file': undefined,
        'values-must-match': ['typo'],
      }),
      { log },
    );
    expect(result.compared).toEqual({ variables: 11, toggles: 0, envNames: 0 });
    expect(log.warnings).toEqual(["values-must-match: 'typo' is set in neither staging nor production."]);
  });

  it('reads local files before any secret: a broken file fails without asking Secrets Manager', async () => {
    const secrets = { send: () => Promise.reject(new Error('Secrets Manager must not be called')) };
    const broken = inputs({
      'base-toggles': { kind: 'secret', secretId: 's', reference: 'secretsmanager:s' },
      'target-env-file': config('drift/production.tfvars'),
    });
    await expect(checkParity(broken, { log: memoryLogger(), secrets: secrets as never })).rejects.toThrow(
      /^Input 'target-env-file': examples\/config\/drift\/production\.tfvars:16: expected NAME=value/,
    );
  });
});
