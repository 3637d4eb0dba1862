import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../lib/runner/logger';
import { TerraformCli, displayCommand, findTerraform, relevantErrorLines } from './terraform-cli';

describe('relevantErrorLines', () => {
  it('keeps every Error diagnostic with its explanation, and drops warnings', () => {
    const stderr = [
      '',
      'Warning: Deprecated attribute',
      '',
      'Something is deprecated.',
      '',
      'Error: Reference to undeclared resource',
      '',
      '  on main.tf line 8, in output "bad":',
      '   8: output "bad" { value = terraform_data.nope.id }',
      '',
      'A managed resource "terraform_data" "nope" has not been declared.',
      '',
      'Error: Saved plan is stale',
      '',
    ].join('\n');
    expect(relevantErrorLines(stderr)).toEqual([
      'Error: Reference to undeclared resource',
      '',
      '  on main.tf line 8, in output "bad":',
      '   8: output "bad" { value = terraform_data.nope.id }',
      '',
      'A managed resource "terraform_data" "nope" has not been declared.',
      '',
      'Error: Saved plan is stale',
    ]);
  });

  it('strips the box drawing of coloured output', () => {
    expect(
      relevantErrorLines('╷\n│ Error: Failed to read variables file\n│ \n│ Given variables file x.tfvars does not exist.\n╵\n'),
    ).toEqual(['Error: Failed to read variables file', '', 'Given variables file x.tfvars does not exist.']);
  });

  it('falls back to the last lines of stderr, then stdout — never nothing', () => {
    expect(relevantErrorLines('panic: runtime error\ngoroutine 1 [running]:\n')).toEqual([
      'panic: runtime error',
      'goroutine 1 [running]:',
    ]);
    expect(relevantErrorLines('', 'only stdout\n')).toEqual(['only stdout']);
    const many = Array.from({ length: 100 }, (_, i) => (i === 0 ? 'Error: big' : `line ${i}`)).join('\n');
    const lines = relevantErrorLines(many, '', 10);
    expect(lines).toHaveLength(11);
    expect(lines[10]).toBe('… 90 more lines');
  });
});

describe('displayCommand', () => {
  it('hides backend configuration values and quotes what needs it', () => {
    expect(
      displayCommand([
        'init',
        '-backend-config=access_key=AKIA123',
        '-backend-config=backend/staging.hcl',
        '-var-file=/tmp/my vars.tfvars',
      ]),
    ).toBe("terraform init -backend-config=access_key=*** -backend-config=backend/staging.hcl '-var-file=/tmp/my vars.tfvars'");
  });
});

describe('findTerraform', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));
  const executable = (file: string) => {
    writeFileSync(file, '#!/bin/sh\n');
    chmodSync(file, 0o755);
  };

  it('finds terraform on PATH, skipping directories without it and non-executable files', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gantry-find-'));
    const [a, b, c] = ['a', 'b', 'c'].map((n) => path.join(dir as string, n));
    for (const d of [a, b, c]) mkdirSync(d);
    writeFileSync(path.join(b, 'terraform'), 'not executable');
    executable(path.join(c, 'terraform'));
    expect(findTerraform({ PATH: [a, b, c].join(path.delimiter) })).toBe(path.join(c, 'terraform'));
  });

  it("uses terraform-bin directly when PATH finds setup-terraform's wrapper", () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gantry-find-'));
    executable(path.join(dir, 'terraform'));
    executable(path.join(dir, 'terraform-bin'));
    const log = memoryLogger();
    expect(findTerraform({ PATH: dir }, log)).toBe(path.join(dir, 'terraform-bin'));
    expect(log.text()).toContain("setup-terraform's wrapper");
  });

  it('explains how to install terraform when it is missing', () => {
    expect(() => findTerraform({ PATH: '/nonexistent' })).toThrow(
      /terraform was not found on PATH[\s\S]*hashicorp\/setup-terraform@v3[\s\S]*terraform_wrapper: false/,
    );
  });
});

describe('TerraformCli', () => {
  it("runs terraform in automation mode, without the action's inputs or the runner's tokens in its environment", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gantry-env-'));
    try {
      const fake = path.join(dir, 'terraform');
      writeFileSync(fake, '#!/bin/sh\nenv\n');
      chmodSync(fake, 0o755);
      const log = memoryLogger();
      const cli = new TerraformCli({
        binary: fake,
        cwd: dir,
        env: {
          PATH: '/usr/bin:/bin',
          'INPUT_GITHUB-TOKEN': 'ghs_secret',
          ACTIONS_RUNTIME_TOKEN: 'runtime_secret',
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc_secret',
          ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc.example/?sig=url_secret',
          GITHUB_TOKEN: 'ghs_other',
          AWS_REGION: 'eu-west-1',
        },
        log,
      });
      const { stdout } = await cli.run(['version']);
      expect(stdout).toContain('TF_IN_AUTOMATION=1');
      expect(stdout).toContain('TF_INPUT=0');
      expect(stdout).toContain('CHECKPOINT_DISABLE=1');
      expect(stdout).toContain('AWS_REGION=eu-west-1');
      for (const secret of ['ghs_secret', 'runtime_secret', 'oidc_secret', 'url_secret', 'ghs_other']) expect(stdout).not.toContain(secret);
      expect(log.lines[0]).toBe('$ terraform version');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
