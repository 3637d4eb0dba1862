/**
 * A pull request's Terraform reads the environment of every process it can see at plan time
 * (fileset over /proc for every `<pid>/environ`, then filebase64: built-in functions only) and puts it into the plan,
 * hence into the comment. This runs the plan step of pr-checks.yml exactly as the runner would — its
 * `run:` script through `bash --noprofile --norc -eo pipefail`, its `env:`, and the environment the runner
 * gives a step of that job (id-token: write: ACTIONS_ID_TOKEN_REQUEST_*; the AWS session
 * configure-aws-credentials exported) plus the tokens an action step would have — with the real terraform
 * binary and gantry's bundled terraform action, and proves the plan found no token: only the read-only
 * AWS session, which the plan needs.
 *
 * The attack is kept to the plan's own process tree (Terraform and the process that started it, read
 * from /proc/self/stat): the test must not read other processes of this machine.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { soleExpression } from './support/expressions';
import { loadWorkflow, REPO_ROOT, WORKFLOW_DIR } from './support/repo-files';
import type { Step } from './support/workflow-model';

const prChecks = loadWorkflow(`${WORKFLOW_DIR}/pr-checks.yml`);
const planJob = prChecks.jobs.find((job) => job.id === 'terraform');
const planStep = planJob?.steps.find((step) => step.id === 'plan');
const validateStep = planJob?.steps.find((step) => step.name === 'terraform validate');

const ATTACK = `
locals {
  # terraform's own pid and its parent's (the process that started it), from /proc/self/stat
  stat = split(" ", file("/proc/self/stat"))
  tree = [local.stat[0], local.stat[3]]
  seen = [for f in fileset("/proc", "*/environ") : f if contains(local.tree, dirname(f))]
}

resource "terraform_data" "environ" {
  input = { for f in local.seen : f => try(filebase64("/proc/\${f}"), "") }
}

output "environ" {
  value = terraform_data.environ.input
}
`;

const secret = (prefix: string) => `${prefix}${randomBytes(24).toString('hex')}`;
/** What a step of the plan job (or an action step in it) holds that must not reach the plan. */
const TOKENS = {
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: secret('eyJoidc.'),
  ACTIONS_ID_TOKEN_REQUEST_URL: `https://pipelines.example/idtoken?sig=${secret('')}`,
  ACTIONS_RUNTIME_TOKEN: secret('eyJruntime.'),
  GITHUB_TOKEN: secret('ghs_'),
  'INPUT_GITHUB-TOKEN': secret('ghs_'),
};
/** The read-only session configure-aws-credentials exported: the plan needs it. */
const AWS_SESSION = {
  AWS_ACCESS_KEY_ID: 'ASIATESTTESTTESTTEST',
  AWS_SECRET_ACCESS_KEY: secret('sk'),
  AWS_SESSION_TOKEN: secret('IQoJsession'),
};

let workspace = '';
let runnerTemp = '';

beforeAll(() => {
  workspace = mkdtempSync(path.join(tmpdir(), 'gantry-pr-plan-ws-'));
  runnerTemp = mkdtempSync(path.join(tmpdir(), 'gantry-pr-plan-tmp-'));
  mkdirSync(path.join(workspace, 'infra'));
  writeFileSync(path.join(workspace, 'infra', 'main.tf'), ATTACK);
  symlinkSync(REPO_ROOT, path.join(workspace, '.gantry'), 'dir');
});

afterAll(() => {
  for (const dir of [workspace, runnerTemp]) if (dir) rmSync(dir, { recursive: true, force: true });
});

function stepEnv(step: Step, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(step.env).map(([name, value]) => {
      const expression = soleExpression(value);
      if (expression === undefined) return [name, String(value)];
      if (!(expression in values))
        throw new Error(`the plan step's env ${name} uses \${{ ${expression} }}, which this test does not provide`);
      return [name, values[expression] ?? ''];
    }),
  );
}

function decodeEnviron(base64: string): Record<string, string> {
  const text = Buffer.from(base64, 'base64').toString('utf8');
  return Object.fromEntries(
    text
      .split('\0')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}

describe('the pull-request plan step', () => {
  it('holds no write scope besides id-token, and the comment is another job’s', () => {
    expect(planJob?.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(planStep?.uses).toBeUndefined();
    const comment = prChecks.jobs.find((job) => job.id === 'terraform-comment');
    expect(comment?.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    // No application checkout in the comment job: the only checkout is gantry's own.
    expect(comment?.steps.filter((step) => step.uses?.startsWith('actions/checkout@')).map((step) => step.with.repository)).toEqual([
      '${{ job.workflow_repository }}',
    ]);
  });

  it('gives Terraform an environment without any token: a plan reading /proc/*/environ finds only the read-only AWS session', async () => {
    if (!planStep?.run) throw new Error('pr-checks.yml has no terraform plan step with id plan');
    const files = {
      GITHUB_OUTPUT: path.join(runnerTemp, 'output'),
      GITHUB_STEP_SUMMARY: path.join(runnerTemp, 'summary'),
      GITHUB_ENV: path.join(runnerTemp, 'env'),
    };
    for (const file of Object.values(files)) writeFileSync(file, '');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      RUNNER_OS: 'Linux',
      RUNNER_TEMP: runnerTemp,
      GITHUB_WORKSPACE: workspace,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: 'https://api.github.com',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_RUN_ID: '4242',
      GITHUB_SHA: 'a'.repeat(40),
      GITHUB_EVENT_NAME: 'pull_request',
      AWS_REGION: 'eu-west-1',
      ...files,
      ...TOKENS,
      ...AWS_SESSION,
      ...stepEnv(planStep, {
        'inputs.terraform-directory': 'infra',
        'inputs.terraform-var-files': '',
        'inputs.terraform-backend-config': '',
        'inputs.terraform-workspace': '',
      }),
    };
    const script = path.join(runnerTemp, 'step.sh');
    writeFileSync(script, planStep.run);
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'bash',
        ['--noprofile', '--norc', '-eo', 'pipefail', script],
        { cwd: workspace, env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
        (error, out, err) => {
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout: out, stderr: err });
        },
      );
    });
    expect(code, `${stdout}\n${stderr}`).toBe(0);

    const out = path.join(workspace, 'gantry-pr-plan');
    const plan = JSON.parse(readFileSync(path.join(out, 'tfplan.json'), 'utf8')) as {
      planned_values?: { outputs?: { environ?: { value?: Record<string, string> } } };
    };
    const environs = Object.entries(plan.planned_values?.outputs?.environ?.value ?? {}).map(
      ([file, base64]) => [file, decodeEnviron(base64)] as const,
    );
    // The attack worked: it read Terraform's own environment and its parent's (gantry's action).
    expect(environs.map(([file]) => file).length).toBeGreaterThanOrEqual(2);
    const parent = environs.find(([, vars]) => vars['INPUT_COMMAND'] === 'plan')?.[1];
    expect(parent, 'the environment of the action that started terraform').toBeDefined();
    expect(parent?.AWS_SESSION_TOKEN).toBe(AWS_SESSION.AWS_SESSION_TOKEN);
    // …and found no token in any of them, nor does the comment the other job posts.
    const everything = `${JSON.stringify(environs)}\n${readFileSync(path.join(out, 'comment.md'), 'utf8')}\n${stdout}`;
    for (const [name, value] of Object.entries(TOKENS)) expect(everything, `${name} reached the plan`).not.toContain(value);
    for (const [, vars] of environs) {
      expect(
        Object.keys(vars)
          .filter((key) => /TOKEN|SECRET|KEY/.test(key))
          .sort(),
      ).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']);
    }
    expect(existsSync(path.join(out, 'comment.md'))).toBe(true);
  });

  it('runs init and validate (which start the pull request’s providers) from an emptied environment too', async () => {
    if (!validateStep?.run) throw new Error('pr-checks.yml has no terraform validate step');
    // A stand-in terraform on PATH that does what a provider could: dump its own environment and its parent's.
    const bin = mkdtempSync(path.join(tmpdir(), 'gantry-pr-validate-'));
    try {
      const dump = path.join(bin, 'environ.txt');
      writeFileSync(path.join(bin, 'terraform'), `#!/bin/sh\ncat /proc/self/environ /proc/$PPID/environ >> '${dump}'\n`);
      chmodSync(path.join(bin, 'terraform'), 0o755);
      const script = path.join(bin, 'step.sh');
      writeFileSync(script, validateStep.run);
      const env = {
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        HOME: process.env.HOME ?? '',
        GITHUB_WORKSPACE: workspace,
        ...TOKENS,
        ...stepEnv(validateStep, { 'inputs.terraform-directory': 'infra' }),
      };
      const code = await new Promise<number>((resolve) => {
        execFile('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd: workspace, env, timeout: 30_000 }, (error) =>
          resolve(error ? 1 : 0),
        );
      });
      expect(code).toBe(0);
      const seen = readFileSync(dump, 'utf8');
      expect(seen).toContain('TF_DIR=infra');
      for (const [name, value] of Object.entries(TOKENS)) expect(seen, `${name} reached terraform validate`).not.toContain(value);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
