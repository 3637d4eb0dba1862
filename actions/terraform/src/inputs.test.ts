import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../lib/runner/errors';
import { backendRedactions, backendSecrets, getInputs } from './inputs';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'gantry-tf-inputs-'));
  mkdirSync(path.join(root, 'infra', 'envs'), { recursive: true });
  writeFileSync(path.join(root, 'infra', 'envs', 'staging.tfvars'), 'size = "small"\n');
  writeFileSync(path.join(root, 'shared.tfvars'), '');
  writeFileSync(path.join(root, 'infra', 'backend.hcl'), 'path = "x"\n');
  writeFileSync(path.join(root, 'approved.tfplan'), 'plan');
  writeFileSync(path.join(root, 'event.json'), JSON.stringify({ action: 'synchronize', number: 42, pull_request: { number: 42 } }));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const env = (inputs: Record<string, string>, extra: Record<string, string> = {}) => ({
  GITHUB_WORKSPACE: root,
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_EVENT_NAME: 'push',
  ...extra,
  ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
});

describe('getInputs', () => {
  it('resolves paths: var files against the workspace or the working directory, backend config values and files', () => {
    const { inputs, context } = getInputs(
      env({
        command: 'plan',
        'working-directory': 'infra',
        'var-files': 'shared.tfvars\nenvs/staging.tfvars\n# a comment',
        'backend-config': 'path = state/custom.tfstate\nbackend.hcl\nkey=a=b',
        workspace: 'staging',
        'lock-timeout-seconds': '2m',
      }),
    );
    expect(inputs['working-directory']).toBe(path.join(root, 'infra'));
    expect(inputs['var-files']).toEqual([path.join(root, 'shared.tfvars'), path.join(root, 'infra', 'envs', 'staging.tfvars')]);
    expect(inputs['backend-config']).toEqual([
      { kind: 'value', key: 'path', value: 'state/custom.tfstate' },
      { kind: 'file', path: path.join(root, 'infra', 'backend.hcl') },
      { kind: 'value', key: 'key', value: 'a=b' },
    ]);
    expect(inputs['lock-timeout-seconds']).toBe(120);
    expect(inputs['plan-file']).toBe(path.join(root, 'infra', 'tfplan'));
    expect(inputs['comment-on-pull-request']).toBe(false);
    expect(context.displayDirectory).toBe('infra');
  });

  it('apply takes an existing plan file and a normalised expected hash', () => {
    const hash = 'AB'.repeat(32);
    const { inputs } = getInputs(
      env({ command: 'apply', 'working-directory': 'infra', 'plan-file': 'approved.tfplan', 'expected-plan-hash': `sha256:${hash}` }),
    );
    expect(inputs['plan-file']).toBe(path.join(root, 'approved.tfplan'));
    expect(inputs['expected-plan-hash']).toBe(hash.toLowerCase());
  });

  it('comments by default on pull_request events, reading the number from the event payload', () => {
    const extra = {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: path.join(root, 'event.json'),
      GITHUB_API_URL: 'http://127.0.0.1:1/',
    };
    const { inputs, context } = getInputs(env({ command: 'plan', 'working-directory': 'infra', 'github-token': 't' }, extra));
    expect(inputs['comment-on-pull-request']).toBe(true);
    expect(context.pullRequest).toEqual({ owner: 'acme', repo: 'shop', number: 42 });
    expect(context.apiUrl).toBe('http://127.0.0.1:1');

    const off = getInputs(env({ command: 'plan', 'working-directory': 'infra', 'comment-on-pull-request': 'false' }, extra));
    expect(off.inputs['comment-on-pull-request']).toBe(false);
    const check = getInputs(env({ command: 'check', 'working-directory': 'infra', 'comment-on-pull-request': 'true' }, extra));
    expect(check.inputs['comment-on-pull-request']).toBe(false);
    expect(check.context.commentSkippedBecause).toMatch(/only plan/);
    const push = getInputs(env({ command: 'plan', 'working-directory': 'infra', 'comment-on-pull-request': 'true' }));
    expect(push.context.commentSkippedBecause).toMatch(/'push', not pull_request/);
  });

  it.each([
    [{ command: 'destroy' }, 'command', /one of 'plan', 'apply', 'check', 'comment'/],
    [{ command: 'plan' }, 'working-directory', /directory of the Terraform configuration/],
    [{ command: 'plan', 'working-directory': 'nope' }, 'working-directory', /existing directory/],
    [{ command: 'plan', 'working-directory': '../..' }, 'working-directory', /inside the workspace/],
    [{ command: 'plan', 'working-directory': 'infra', 'var-files': 'missing.tfvars' }, 'var-files', /existing file \(looked in/],
    [
      { command: 'plan', 'working-directory': 'infra', 'backend-config': 'missing.hcl' },
      'backend-config',
      /^Input 'backend-config' has value 'line 1 \(11 characters, not shown: .*\)': expected KEY=VALUE, or the path of an existing backend configuration file \(looked in /,
    ],
    [{ command: 'plan', 'working-directory': 'infra', workspace: 'bad/name' }, 'workspace', /workspace name/],
    [{ command: 'plan', 'working-directory': 'infra', 'lock-timeout-seconds': 'soon' }, 'lock-timeout-seconds', /seconds/],
    [{ command: 'plan', 'working-directory': 'infra', 'plan-file': 'infra' }, 'plan-file', /is a directory/],
    [
      { command: 'plan', 'working-directory': 'infra', 'plan-file': '../../x' },
      'plan-file',
      /^Input 'plan-file' has value '\.\.\/\.\.\/x': expected a path inside the workspace /,
    ],
    [
      { command: 'apply', 'working-directory': 'infra', 'plan-file': '../../x' },
      'plan-file',
      /^Input 'plan-file' has value '\.\.\/\.\.\/x': expected a path inside the workspace /,
    ],
    [
      { command: 'plan', 'working-directory': 'infra', 'plan-file': '/tmp/elsewhere.tfplan' },
      'plan-file',
      /expected a path inside the workspace /,
    ],
    [
      { command: 'plan', 'working-directory': 'infra', 'plan-file': 'out/plans/tfplan' },
      'plan-file',
      /expected a path inside the workspace .* \(its directory .*out is a link to /,
    ],
    [{ command: 'apply', 'working-directory': 'infra' }, 'plan-file', /saved plan to apply/],
    [{ command: 'apply', 'working-directory': 'infra', 'plan-file': 'gone.tfplan' }, 'plan-file', /existing file/],
    [{ command: 'check', 'working-directory': 'infra', 'plan-file': 'x' }, 'plan-file', /drift check keeps no plan/],
    [
      { command: 'apply', 'working-directory': 'infra', 'plan-file': 'approved.tfplan', 'expected-plan-hash': 'abc' },
      'expected-plan-hash',
      /64 hexadecimal/,
    ],
    [
      { command: 'plan', 'working-directory': 'infra', 'expected-plan-hash': 'ab'.repeat(32) },
      'expected-plan-hash',
      /unless command is 'apply'/,
    ],
    [{ command: 'plan', 'working-directory': 'infra', 'comment-on-pull-request': 'yes' }, 'comment-on-pull-request', /'true' or 'false'/],
  ])('%j → error naming %s', (inputs, name, expected) => {
    symlinkSync(os.tmpdir(), path.join(root, 'out'));
    let error: unknown;
    try {
      getInputs(env(inputs as Record<string, string>));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe(name);
    expect((error as InputError).message).toMatch(expected);
  });

  it.each([
    ['a colon instead of =', 'bucket=tf-state\naccess_key: AKIAIOSFODNN7LEAK', 2, 29, /existing backend configuration file \(looked in/],
    ['a link leading out of the workspace', 'AKIAIOSFODNN7LEAK.hcl', 1, 21, /backend configuration file inside the workspace/],
  ])('never echoes a malformed backend-config line (%s): its position and length instead', (_label, lines, line, length, expected) => {
    symlinkSync(os.tmpdir(), path.join(root, 'infra', 'AKIAIOSFODNN7LEAK.hcl'));
    let error: unknown;
    try {
      getInputs(env({ command: 'plan', 'working-directory': 'infra', 'backend-config': lines }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    const message = (error as InputError).message;
    expect(message).toContain(
      `Input 'backend-config' has value 'line ${line} (${length} characters, not shown: backend settings are often credentials)'`,
    );
    expect(message).toMatch(expected);
    expect(message).not.toContain('AKIA');
  });

  it('lists the backend-config values to mask, leaving out booleans, numbers and tiny values', () => {
    const { inputs } = getInputs(
      env({
        command: 'plan',
        'working-directory': 'infra',
        'backend-config':
          'access_key=AKIAIOSFODNN7LEAK\nsecret_key = s3cr3t/value=\nencrypt=true\nmax_retries=5\nkey=ab\nbackend.hcl\nregion=eu-west-1',
      }),
    );
    expect(backendSecrets(inputs['backend-config'])).toEqual(['AKIAIOSFODNN7LEAK', 's3cr3t/value=', 'eu-west-1']);
  });

  it('redacts each backend-config value and its long path parts, which Terraform errors quote', () => {
    const { inputs } = getInputs(
      env({
        command: 'plan',
        'working-directory': 'infra',
        'backend-config': 'path=/proc/S3CRET-BUCKET-KEY/state.tfstate\naccess_key=AKIAIOSFODNN7LEAK\nencrypt=true',
      }),
    );
    expect(backendRedactions(inputs['backend-config'])).toEqual([
      '/proc/S3CRET-BUCKET-KEY/state.tfstate',
      'AKIAIOSFODNN7LEAK',
      'S3CRET-BUCKET-KEY',
      'state.tfstate',
    ]);
  });

  it('needs a token when it is going to comment', () => {
    const extra = { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: path.join(root, 'event.json') };
    expect(() => getInputs(env({ command: 'plan', 'working-directory': 'infra' }, extra))).toThrow(/Input 'github-token' is missing/);
  });
});
