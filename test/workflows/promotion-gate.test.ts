/**
 * The promotion gate of deploy.yml (.github/scripts/promotion-gate.mjs), run as the gate job runs it:
 * the exact `run:` line of the workflow, in a workspace with gantry checked out into .gantry, with the
 * step's own `env:` (its expressions replaced by test values), against a stand-in for the GitHub
 * Deployments API on 127.0.0.1 (GITHUB_API_URL, as the runner sets it).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { soleExpression } from './support/expressions';
import { isWorkflowCommitGuard } from './support/policy';
import { loadWorkflow, REPO_ROOT, WORKFLOW_DIR } from './support/repo-files';
import { usesAction, type Step } from './support/workflow-model';

const SHA = 'a'.repeat(40);
const OTHER_SHA = 'b'.repeat(40);

interface FakeStatus {
  state: string;
  created_at: string;
  description?: string;
  log_url?: string;
}

interface FakeDeployment {
  id: number;
  sha: string;
  environment: string;
  created_at: string;
  /** Oldest first, as they were created. */
  statuses: FakeStatus[];
}

/** A stand-in for the two Deployments API endpoints the gate reads, newest first like GitHub. */
class FakeDeploymentsApi {
  deployments: FakeDeployment[] = [];
  requests: Array<{ url: string; authorization: string | undefined }> = [];
  /** Items per page (GitHub's per_page, capped); smaller to exercise the Link header. */
  pageSize = 100;
  failWith: { status: number; message: string } | undefined;
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const reply = this.handle(request);
      response.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.link ? { link: reply.link } : {}) });
      response.end(JSON.stringify(reply.body));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  reset(): void {
    this.deployments = [];
    this.requests = [];
    this.pageSize = 100;
    this.failWith = undefined;
  }

  private handle(request: IncomingMessage): { status: number; body: unknown; link?: string } {
    const url = new URL(request.url ?? '/', this.url);
    this.requests.push({ url: `${url.pathname}${url.search}`, authorization: request.headers.authorization });
    if (this.failWith) return { status: this.failWith.status, body: { message: this.failWith.message } };
    const list = /^\/repos\/acme\/shop\/deployments$/.test(url.pathname);
    const statuses = /^\/repos\/acme\/shop\/deployments\/(\d+)\/statuses$/.exec(url.pathname);
    let items: unknown[];
    if (list) {
      const sha = url.searchParams.get('sha');
      const environment = url.searchParams.get('environment');
      items = this.deployments
        .filter((d) => (!sha || d.sha === sha) && (!environment || d.environment === environment))
        .sort((a, b) => b.id - a.id)
        .map(({ id, sha: deploymentSha, environment: env, created_at }) => ({ id, sha: deploymentSha, environment: env, created_at }));
    } else if (statuses) {
      const deployment = this.deployments.find((d) => d.id === Number(statuses[1]));
      if (!deployment) return { status: 404, body: { message: 'Not Found' } };
      items = deployment.statuses.map((status, index) => ({ id: deployment.id * 100 + index, ...status })).reverse();
    } else {
      return { status: 404, body: { message: 'Not Found' } };
    }
    const page = Number(url.searchParams.get('page') ?? '1');
    const size = Math.min(this.pageSize, Number(url.searchParams.get('per_page') ?? '30'));
    const body = items.slice((page - 1) * size, page * size);
    if (page * size >= items.length) return { status: 200, body };
    const next = new URL(url.href);
    next.searchParams.set('page', String(page + 1));
    return { status: 200, body, link: `<${next.href}>; rel="next"` };
  }
}

/** The gate job of deploy.yml and its steps, as the workflow declares them. */
const gateJob = loadWorkflow(`${WORKFLOW_DIR}/deploy.yml`).jobs.find((job) => job.id === 'gate');
const gateStep = gateJob?.steps.find((step) => step.id === 'promotion');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

interface GateInputs {
  environment: string;
  'promote-from': string;
  'allow-unpromoted': boolean;
  'override-reason': string;
}

const api = new FakeDeploymentsApi();
let workspace = '';

beforeAll(async () => {
  await api.start();
  // A job workspace: the application at the root, gantry (this repository) in .gantry.
  workspace = mkdtempSync(path.join(tmpdir(), 'gantry-gate-'));
  symlinkSync(REPO_ROOT, path.join(workspace, '.gantry'), 'dir');
});

afterAll(async () => {
  await api.stop();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

afterEach(() => api.reset());

/** The value of each `${{ … }}` the gate step's env uses, in a test run. */
function contextValues(inputs: GateInputs): Record<string, string> {
  return {
    'github.token': 'test-token',
    'github.repository': 'acme/shop',
    'github.triggering_actor': 'octocat',
    'inputs.environment': inputs.environment,
    'inputs.promote-from': inputs['promote-from'],
    'inputs.allow-unpromoted': String(inputs['allow-unpromoted']),
    'inputs.override-reason': inputs['override-reason'],
    'needs.resolve.outputs.sha': SHA,
  };
}

/** The step's env: with every expression evaluated; an expression the test does not know fails loudly. */
function stepEnvironment(step: Step, inputs: GateInputs): Record<string, string> {
  const values = contextValues(inputs);
  return Object.fromEntries(
    Object.entries(step.env).map(([name, value]) => {
      const expression = soleExpression(value);
      if (expression === undefined) return [name, String(value)];
      if (!(expression in values)) throw new Error(`the gate step's env ${name} uses \${{ ${expression} }}, which this test does not provide`);
      return [name, values[expression] ?? ''];
    }),
  );
}

async function runGate(overrides: Partial<GateInputs> = {}): Promise<Run> {
  if (!gateStep?.run) throw new Error('deploy.yml has no gate step with id promotion');
  const inputs: GateInputs = { environment: 'production', 'promote-from': 'staging', 'allow-unpromoted': false, 'override-reason': '', ...overrides };
  const dir = mkdtempSync(path.join(tmpdir(), 'gantry-gate-files-'));
  const outputFile = path.join(dir, 'output');
  const summaryFile = path.join(dir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  // Only what the runner gives every step, plus the step's env (nothing leaks in from this machine).
  const env = {
    PATH: process.env.PATH ?? '',
    GITHUB_API_URL: api.url,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...stepEnvironment(gateStep, inputs),
  };
  // The runner writes the script to a file and runs `bash --noprofile --norc -eo pipefail <file>`.
  const script = path.join(dir, 'step.sh');
  writeFileSync(script, gateStep.run);
  try {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd: workspace, env, timeout: 20_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      });
    });
    const outputs = Object.fromEntries(
      readFileSync(outputFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    return { code, stdout, stderr, outputs, summary: readFileSync(summaryFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function deployment(id: number, states: string[], extra: Partial<FakeDeployment> = {}, description?: string): FakeDeployment {
  const day = String(id).padStart(2, '0');
  return {
    id,
    sha: SHA,
    environment: 'staging',
    created_at: `2026-05-${day}T10:00:00Z`,
    statuses: states.map((state, index) => ({
      state,
      created_at: `2026-05-${day}T10:0${index}:00Z`,
      log_url: `https://github.example/acme/shop/actions/runs/${id}/job/1`,
      ...(description && index === states.length - 1 ? { description } : {}),
    })),
    ...extra,
  };
}

describe('deploy.yml runs the gate from the gantry checkout', () => {
  it('checks gantry out (after the job.workflow_* guard) before the gate step, and runs the script from .gantry', () => {
    expect(gateJob, 'deploy.yml has a gate job').toBeDefined();
    const steps = gateJob?.steps ?? [];
    const guard = steps.findIndex(isWorkflowCommitGuard);
    const checkout = steps.findIndex((step) => usesAction(step, 'actions/checkout') && step.with.path === '.gantry');
    const gate = steps.findIndex((step) => step.id === 'promotion');
    expect(guard).toBeGreaterThanOrEqual(0);
    expect(checkout).toBeGreaterThan(guard);
    expect(gate).toBeGreaterThan(checkout);
    expect(steps[checkout]?.with).toMatchObject({ repository: '${{ job.workflow_repository }}', ref: '${{ job.workflow_sha }}', 'persist-credentials': false });
    expect(gateStep?.run?.trim()).toBe('node .gantry/.github/scripts/promotion-gate.mjs');
    expect(gateJob?.permissions).toEqual({ contents: 'read', deployments: 'read' });
  });
});

describe('promotion gate', () => {
  it('passes a commit with a successful staging deployment, asking for exactly that SHA and environment with the token', async () => {
    api.deployments = [deployment(3, ['in_progress', 'success']), deployment(4, ['in_progress', 'success'], { sha: OTHER_SHA })];
    const run = await runGate();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual({ promotion: 'proven' });
    expect(run.summary).toContain(`Promotion gate passed: \`${SHA}\` was deployed successfully to staging (deployment 3)`);
    expect(run.summary).toContain('(https://github.example/acme/shop/actions/runs/3/job/1)');
    expect(api.requests[0]?.url).toBe(`/repos/acme/shop/deployments?sha=${SHA}&environment=staging&per_page=100`);
    expect(api.requests.every((request) => request.authorization === 'Bearer test-token')).toBe(true);
  });

  it('passes a successful deployment GitHub later marked inactive (a newer staging deploy succeeded)', async () => {
    api.deployments = [deployment(5, ['in_progress', 'success', 'inactive'])];
    const run = await runGate();
    expect(run.code).toBe(0);
    expect(run.outputs.promotion).toBe('proven');
    expect(run.summary).toContain('since superseded by a newer deployment there');
  });

  it('refuses a commit staging never deployed, with a clear message', async () => {
    api.deployments = [deployment(6, ['success'], { sha: OTHER_SHA }), deployment(7, ['success'], { environment: 'qa' })];
    const run = await runGate();
    expect(run.code).toBe(1);
    expect(run.outputs).toEqual({});
    expect(run.stdout).toContain(`::error title=Not promoted::${SHA} has no successful deployment to staging (it was never deployed there). Deploy it to staging first`);
    expect(run.stdout).toContain('or set allow-unpromoted with an override-reason.');
  });

  it('refuses a commit whose staging deployment failed (the deploy rolled back)', async () => {
    api.deployments = [deployment(8, ['in_progress', 'failure'], {}, 'smoke test failed')];
    const run = await runGate();
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error title=Not promoted::a{40} has no successful deployment to staging: its latest one \(deployment 8, [^)]+\) is failure \("smoke test failed"\)/);
  });

  it('refuses a commit whose latest staging deployment failed even though an earlier one succeeded', async () => {
    api.deployments = [deployment(9, ['in_progress', 'success']), deployment(10, ['in_progress', 'failure'])];
    const run = await runGate();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('its latest one (deployment 10');
  });

  it('refuses a deployment whose latest status is not success after a success (marked error after a rollback)', async () => {
    api.deployments = [deployment(11, ['in_progress', 'success', 'error'], {}, 'rolled back')];
    const run = await runGate();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('is error ("rolled back") after an earlier success (rolled back or failed on a re-deploy)');
  });

  it('does not count a staging deployment that is still running', async () => {
    api.deployments = [deployment(12, ['queued', 'in_progress'])];
    const run = await runGate();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('deployment 12 has not finished (in_progress)');
  });

  it('skips a running re-deploy and decides on the finished one before it', async () => {
    api.deployments = [deployment(13, ['in_progress', 'success']), deployment(14, ['in_progress'])];
    const run = await runGate();
    expect(run.code).toBe(0);
    expect(run.summary).toContain('(deployment 13)');
  });

  it('follows the Link header through every page of deployments', async () => {
    api.pageSize = 2;
    api.deployments = [deployment(15, ['in_progress', 'success']), deployment(16, ['queued']), deployment(17, ['queued']), deployment(18, ['queued'])];
    const run = await runGate();
    expect(run.code).toBe(0);
    expect(run.summary).toContain('(deployment 15)');
    expect(api.requests.filter((request) => request.url.startsWith('/repos/acme/shop/deployments?'))).toHaveLength(2);
  });

  it('refuses an override without a reason, before asking the API', async () => {
    const run = await runGate({ 'allow-unpromoted': true, 'override-reason': '  \n ' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`::error title=Bad input override-reason::allow-unpromoted is set, so override-reason must say why ${SHA} skips staging.`);
    expect(api.requests).toEqual([]);
  });

  it('lets an override with a reason through, and records it as a warning and in the summary', async () => {
    const reason = 'INC-42: staging is down | hotfix\nfor checkout <b>';
    const run = await runGate({ 'allow-unpromoted': true, 'override-reason': reason });
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual({ promotion: 'overridden' });
    expect(run.stdout).toContain(
      `::warning title=Promotion gate overridden::octocat deploys ${SHA} to production without a successful staging deployment. Reason: INC-42: staging is down | hotfix%0Afor checkout <b>`,
    );
    expect(run.summary).toContain('### :warning: Promotion gate overridden');
    expect(run.summary).toContain('| commit | target | skipped environment | by | reason |');
    expect(run.summary).toContain(`| \`${SHA}\` | production | staging | octocat | INC-42: staging is down \\| hotfix<br>for checkout &lt;b&gt; |`);
  });

  it('does not need the override when the commit is promoted', async () => {
    api.deployments = [deployment(19, ['success'])];
    const run = await runGate({ 'allow-unpromoted': true, 'override-reason': 'just in case' });
    expect(run.code).toBe(0);
    expect(run.outputs.promotion).toBe('proven');
    expect(run.stdout).not.toContain('::warning');
  });

  it('runs for any environment with promote-from, not only one named production', async () => {
    const run = await runGate({ environment: 'prod-eu' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error title=Not promoted::');
  });

  it('is not required without promote-from, and asks nothing', async () => {
    const run = await runGate({ environment: 'staging', 'promote-from': '' });
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual({ promotion: 'not-required' });
    expect(run.summary).toContain('not required for staging');
    expect(api.requests).toEqual([]);
  });

  it('refuses production without promote-from', async () => {
    const run = await runGate({ environment: 'production', 'promote-from': '' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error title=Promotion not configured::promote-from is empty');
  });

  it('refuses bad environment names and promoting from the environment itself', async () => {
    expect((await runGate({ environment: 'prod;rm' })).stdout).toContain('::error title=Bad input environment::');
    expect((await runGate({ 'promote-from': 'staging eu' })).stdout).toContain('::error title=Bad input promote-from::');
    expect((await runGate({ environment: 'staging', 'promote-from': 'staging' })).stdout).toContain('::error title=Bad input promote-from::promote-from is staging, the environment being deployed');
  });

  it('fails with the missing permission named when the API refuses', async () => {
    api.failWith = { status: 403, message: 'Resource not accessible by integration' };
    const run = await runGate();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error title=Deployments API error::GET /repos/acme/shop/deployments?');
    expect(run.stdout).toContain('answered 403: Resource not accessible by integration. The gate job needs deployments: read on acme/shop');
  });
});
