/**
 * Bad inputs, through the bundle as the runner runs it: every one exits 1 with a message that
 * names the input (and the file and line where there is one), and sets no output and no summary.
 * The unknown secret is asked of a real moto_server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitFailureCode, runAction } from '../support/harness';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { awsTestEnv, secretsClientFor, startMoto, type MotoServer } from '../support/moto';

const workspace = mkdtempSync(path.join(os.tmpdir(), 'parity-bad-inputs-'));
let moto: MotoServer;

const FILES: Record<string, string> = {
  'staging.tfvars': 'name = "shop"\ncount = 1\n',
  'production.tfvars': 'name = "shop"\ncount = 3\n',
  'broken.tfvars': 'name = "shop"\ncount =\ntags = { a = 1 }\n',
  'block.tfvars': 'name = "shop"\n\nsettings {\n  a = 1\n}\n',
  'broken.tfvars.json': '{\n  "name": "shop",\n  "count": 3,\n}\n',
  'staging.json': '{ "a": true }',
  'rollout.json': '{\n  "a": true,\n  "b": { "enabled": true, "rollout": 150 }\n}\n',
  'unknown-field.json': '{ "a": { "enabled": true, "percent": 5 } }',
  'list.json': '[true]',
  'launchdarkly.json':
    '{ "flags": { "a": { "key": "a", "on": true, "variations": [true, false] } }, "flagValues": { "a": true }, "segments": {} }',
  'not-json.json': '{ "a": tru }',
  'staging.env': 'A=1\n',
  'broken.env': 'A=1\nexport\n',
  'nul.env': 'A=1\nTOKEN=s3cr\0et\n',
  'dup-toggle.json': '{\n  "a": true,\n  "b": false,\n  "a": false\n}\n',
  'deep-toggle.json': `{ "a": ${'['.repeat(100_000)}${']'.repeat(100_000)} }`,
  'nul-toggle.json': '{ "a\\u0000b": true }',
  'dup.tfvars.json': '{\n  "name": "shop",\n  "count": 1,\n  "count": 3\n}\n',
  'deep.tfvars.json': `{ "x": ${'{"a": '.repeat(50_000)}1${'}'.repeat(50_000)} }`,
  'deep.tfvars': `x = ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`,
};

beforeAll(async () => {
  for (const [name, text] of Object.entries(FILES)) writeFileSync(path.join(workspace, name), text);
  moto = await startMoto();
  await secretsClientFor(moto.url).send(new CreateSecretCommand({ Name: 'shop/dup-toggles', SecretString: '{"a": true,\n"a": false}' }));
});
afterAll(async () => {
  await moto?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

const VARS = { 'base-var-files': 'staging.tfvars', 'target-var-files': 'production.tfvars' };
const TOGGLES = { 'base-toggles': 'staging.json' };

const CASES: [string, Record<string, string>, string | RegExp][] = [
  [
    'nothing to compare',
    {},
    "Input 'base-var-files' is missing: expected something to compare: base-var-files/target-var-files, base-toggles/target-toggles or base-env-file/target-env-file.",
  ],
  [
    'only the base var files',
    { 'base-var-files': 'staging.tfvars' },
    "Input 'target-var-files' is missing: expected a value, because base-var-files is set (both sides are needed to compare).",
  ],
  [
    'only the target toggles',
    { ...VARS, 'target-toggles': 'staging.json' },
    "Input 'base-toggles' is missing: expected a value, because target-toggles is set (both sides are needed to compare).",
  ],
  ['only the base env file', { ...VARS, 'base-env-file': 'staging.env' }, /^Input 'target-env-file' is missing/],
  [
    'a missing var file',
    { ...VARS, 'target-var-files': 'production.tfvars\nnope.tfvars' },
    /^Input 'target-var-files' has value 'nope.tfvars': expected an existing file \(not found at /,
  ],
  [
    'a var file outside the workspace',
    { ...VARS, 'base-var-files': '../../etc/passwd' },
    /^Input 'base-var-files' has value '..\/..\/etc\/passwd': expected a path inside the workspace/,
  ],
  [
    'unparsable HCL (the line of the error)',
    { ...VARS, 'target-var-files': 'broken.tfvars' },
    "Input 'target-var-files': broken.tfvars:2: Invalid expression; Expected the start of an expression, but found an invalid expression token.",
  ],
  [
    'a block in a var file',
    { ...VARS, 'base-var-files': 'block.tfvars' },
    'Input \'base-var-files\': block.tfvars:3: Unexpected "settings" block; Blocks are not allowed here.',
  ],
  [
    'broken .tfvars.json',
    { ...VARS, 'target-var-files': 'broken.tfvars.json' },
    `Input 'target-var-files': broken.tfvars.json:4: invalid JSON: unexpected "}" at column 1.`,
  ],
  [
    'a rollout above 100',
    { ...TOGGLES, 'target-toggles': 'rollout.json' },
    "Input 'target-toggles': rollout.json: toggle 'b': 'rollout' must be a number from 0 to 100, got 150.",
  ],
  [
    'an unknown toggle field',
    { ...TOGGLES, 'target-toggles': 'unknown-field.json' },
    /^Input 'target-toggles': unknown-field.json: toggle 'a': unknown field 'percent'/,
  ],
  [
    'a manifest that is a list',
    { ...TOGGLES, 'target-toggles': 'list.json' },
    /^Input 'target-toggles': list.json: expected a JSON object mapping toggle names .* got a list\.$/,
  ],
  [
    'a manifest in LaunchDarkly’s format',
    { ...TOGGLES, 'target-toggles': 'launchdarkly.json' },
    'Input \'target-toggles\': launchdarkly.json: looks like LaunchDarkly\'s (flag data file: flags, flagValues, segments) format, not a toggle manifest gantry reads (name → true/false or { "enabled", "rollout" }, or OpenFeature flagd): select the flag values with `launchdarkly.json#flagValues`.',
  ],
  [
    'a #selector that finds nothing',
    { ...TOGGLES, 'target-toggles': 'launchdarkly.json#flagValue' },
    "Input 'target-toggles': launchdarkly.json#flagValue: the top level has no field 'flagValue' (it has 'flags', 'flagValues', 'segments').",
  ],
  [
    'a malformed #selector',
    { ...TOGGLES, 'target-toggles': 'staging.json#a..b' },
    "Input 'target-toggles' has value 'staging.json#a..b': expected <file>[#<field>[.<field>…]] (a JSON file in the workspace, optionally # and the path of the manifest inside it, e.g. toggles.json#flagValues).",
  ],
  [
    'a manifest that is not JSON',
    { ...TOGGLES, 'target-toggles': 'not-json.json' },
    `Input 'target-toggles': not-json.json:1: invalid JSON: unexpected " " at column 11.`,
  ],
  [
    'a missing manifest file',
    { ...TOGGLES, 'target-toggles': 'prod.json' },
    /^Input 'target-toggles' has value 'prod.json': expected an existing file/,
  ],
  [
    'an empty secretsmanager: reference',
    { ...TOGGLES, 'target-toggles': 'secretsmanager:' },
    "Input 'target-toggles' has value 'secretsmanager:': expected secretsmanager:<secret-id>[#<json-key>] (a secret name or ARN, optionally # and a top-level field of the secret).",
  ],
  [
    'a secretsmanager: reference with an empty #key',
    { ...TOGGLES, 'target-toggles': 'secretsmanager:shop/toggles#' },
    /^Input 'target-toggles' has value 'secretsmanager:shop\/toggles#': expected secretsmanager:<secret-id>/,
  ],
  [
    'a misspelt secretsmanager: prefix',
    { 'base-toggles': 'secretmanager:shop/toggles', 'target-toggles': 'staging.json' },
    /^Input 'base-toggles' has value 'secretmanager:shop\/toggles': expected secretsmanager:<secret-id>/,
  ],
  [
    'an unknown secret',
    { ...TOGGLES, 'target-toggles': 'secretsmanager:shop/nope' },
    /^Input 'target-toggles': secret 'shop\/nope' could not be read: ResourceNotFoundException: /,
  ],
  [
    'a broken env file (the line, not its content)',
    { 'base-env-file': 'staging.env', 'target-env-file': 'broken.env' },
    'Input \'target-env-file\': broken.env:2: expected NAME=value (optionally prefixed by "export"); the line is not shown, it may hold a secret.',
  ],
  [
    'a toggle given twice (both lines)',
    { ...TOGGLES, 'target-toggles': 'dup-toggle.json' },
    'Input \'target-toggles\': dup-toggle.json:4: duplicate key "a" (lines 2 and 4): JSON keeps only the last, so one would be dropped silently.',
  ],
  [
    'a manifest nested 100,000 deep',
    { ...TOGGLES, 'target-toggles': 'deep-toggle.json' },
    "Input 'target-toggles': deep-toggle.json:1: nested more than 64 levels deep.",
  ],
  [
    'a toggle name with a NUL',
    { ...TOGGLES, 'target-toggles': 'nul-toggle.json' },
    "Input 'target-toggles': nul-toggle.json:1: a NUL character in a key of the top level.",
  ],
  [
    'a secret manifest with a key twice (key and line, no content)',
    { ...TOGGLES, 'target-toggles': 'secretsmanager:shop/dup-toggles' },
    'Input \'target-toggles\': secretsmanager:shop/dup-toggles: the secret, line 2: duplicate key "a" (lines 1 and 2): JSON keeps only the last, so one would be dropped silently.',
  ],
  [
    'a variable given twice in .tfvars.json',
    { ...VARS, 'target-var-files': 'dup.tfvars.json' },
    'Input \'target-var-files\': dup.tfvars.json:4: duplicate key "count" (lines 3 and 4): JSON keeps only the last, so one would be dropped silently.',
  ],
  [
    'a .tfvars.json nested 50,000 deep',
    { ...VARS, 'target-var-files': 'deep.tfvars.json' },
    "Input 'target-var-files': deep.tfvars.json:1: nested more than 64 levels deep.",
  ],
  [
    'a .tfvars nested 100,000 deep',
    { ...VARS, 'base-var-files': 'deep.tfvars' },
    "Input 'base-var-files': deep.tfvars: nested too deeply to read (thousands of levels of brackets; a var file nests a few).",
  ],
  [
    'a NUL in an env file (the line, not its content)',
    { 'base-env-file': 'staging.env', 'target-env-file': 'nul.env' },
    "Input 'target-env-file': nul.env:2: a NUL character (is it a binary file?); the line is not shown, it may hold a secret.",
  ],
  [
    'a toggles file outside the workspace',
    { ...TOGGLES, 'target-toggles': '../../etc/passwd' },
    /^Input 'target-toggles' has value '..\/..\/etc\/passwd': expected a path inside the workspace/,
  ],
  [
    'an env file outside the workspace',
    { 'base-env-file': '/etc/hostname', 'target-env-file': 'staging.env' },
    /^Input 'base-env-file' has value '\/etc\/hostname': expected a path inside the workspace/,
  ],
  [
    'fail-on-divergence not a boolean',
    { ...VARS, 'fail-on-divergence': 'yes' },
    "Input 'fail-on-divergence' has value 'yes': expected 'true' or 'false'.",
  ],
  [
    'the same label twice',
    { ...VARS, 'base-name': 'prod', 'target-name': 'prod' },
    "Input 'target-name' has value 'prod': expected a label different from base-name 'prod'.",
  ],
  [
    'a malformed values-must-match path',
    { ...VARS, 'values-must-match': 'engine..version' },
    /^Input 'values-must-match' has value 'engine..version': expected variable names or dot paths/,
  ],
];

/** The failure code each case fails with (docs/infra/runbook.md#<code in lower case> explains it). */
const CODES: Record<string, string> = {
  'nothing to compare': 'GANTRY-PARITY-006',
  'only the base var files': 'GANTRY-PARITY-004',
  'only the target toggles': 'GANTRY-PARITY-004',
  'only the base env file': 'GANTRY-PARITY-004',
  'a missing var file': 'GANTRY-INPUT-011',
  'a var file outside the workspace': 'GANTRY-INPUT-010',
  'unparsable HCL (the line of the error)': 'GANTRY-PARITY-021',
  'a block in a var file': 'GANTRY-PARITY-021',
  'broken .tfvars.json': 'GANTRY-PARITY-025',
  'a rollout above 100': 'GANTRY-PARITY-011',
  'an unknown toggle field': 'GANTRY-PARITY-011',
  'a manifest that is a list': 'GANTRY-PARITY-011',
  'a manifest in LaunchDarkly\u2019s format': 'GANTRY-PARITY-012',
  'a #selector that finds nothing': 'GANTRY-PARITY-020',
  'a malformed #selector': 'GANTRY-PARITY-009',
  'a manifest that is not JSON': 'GANTRY-PARITY-019',
  'a missing manifest file': 'GANTRY-INPUT-011',
  'an empty secretsmanager: reference': 'GANTRY-PARITY-008',
  'a secretsmanager: reference with an empty #key': 'GANTRY-PARITY-008',
  'a misspelt secretsmanager: prefix': 'GANTRY-PARITY-008',
  'an unknown secret': 'GANTRY-PARITY-013',
  'a broken env file (the line, not its content)': 'GANTRY-PARITY-001',
  'a toggle given twice (both lines)': 'GANTRY-PARITY-018',
  'a manifest nested 100,000 deep': 'GANTRY-PARITY-018',
  'a toggle name with a NUL': 'GANTRY-PARITY-018',
  'a secret manifest with a key twice (key and line, no content)': 'GANTRY-PARITY-015',
  'a variable given twice in .tfvars.json': 'GANTRY-PARITY-024',
  'a .tfvars.json nested 50,000 deep': 'GANTRY-PARITY-024',
  'a .tfvars nested 100,000 deep': 'GANTRY-PARITY-022',
  'a NUL in an env file (the line, not its content)': 'GANTRY-PARITY-001',
  'a toggles file outside the workspace': 'GANTRY-INPUT-010',
  'an env file outside the workspace': 'GANTRY-INPUT-010',
  'fail-on-divergence not a boolean': 'GANTRY-INPUT-002',
  'the same label twice': 'GANTRY-PARITY-005',
  'a malformed values-must-match path': 'GANTRY-PARITY-002',
};

describe('parity-check bad inputs (bundle)', () => {
  it.each(CASES)('%s: exit 1, the input named, no output', async (_name, inputs, message) => {
    const result = await runAction('parity-check', inputs, { workspace, env: awsTestEnv(moto.url) });
    expect(result.exitCode).toBe(1);
    const failure = result.annotations.filter((a) => a.level === 'error');
    expect(failure).toHaveLength(1);
    const { code, text } = splitFailureCode(failure[0].message);
    expect(code).toBe(CODES[_name]);
    if (typeof message === 'string') expect(text).toBe(message);
    else expect(text).toMatch(message);
    expect(result.outputs).toEqual({});
    expect(result.summary).toBe('');
    // No stack trace (the SDK may warn on stderr about this machine's Node 20; the runner has 24).
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('asks for a region only when a manifest is in Secrets Manager, before reading anything', async () => {
    const env = { ...awsTestEnv(moto.url), AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined };
    const secret = await runAction('parity-check', { ...TOGGLES, 'target-toggles': 'secretsmanager:shop/toggles' }, { workspace, env });
    expect(secret.exitCode).toBe(1);
    expect(secret.annotations[0].message).toMatch(/^GANTRY-AWS-007: Input 'aws-region' is missing: expected an AWS region/);
    expect(secret.stdout).not.toContain('Reading configuration');
    const files = await runAction('parity-check', VARS, { workspace, env });
    expect(files.exitCode).toBe(0);
  });

  it('rejects a bad endpoint-url when it will be used', async () => {
    const result = await runAction(
      'parity-check',
      { ...TOGGLES, 'target-toggles': 'secretsmanager:shop/toggles', 'endpoint-url': 'ftp://x' },
      { workspace, env: awsTestEnv(moto.url) },
    );
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0].message).toBe(
      "GANTRY-AWS-009: Input 'endpoint-url' has value 'ftp://x': expected an http(s) URL such as http://127.0.0.1:5000.",
    );
  });
});
