/**
 * The promotion gate of deploy.yml (.github/scripts/promotion-gate.mjs), run as the gate job runs it:
 * the exact `run:` line of the workflow, in a workspace with gantry checked out into .gantry, with the
 * step's own `env:` (its expressions replaced by test values), against a stand-in for the GitHub
 * Deployments API and the Actions runs endpoint on 127.0.0.1 (GITHUB_API_URL, as the runner sets it).
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
/** job.workflow_repository in the test: where gantry's reusable workflows live. */
const GANTRY = 'your-org/gantry';
/** referenced_workflows[].path of a run that called gantry's deploy.yml / rollback.yml (GitHub's form: owner/repo/path@ref). */
const DEPLOY_WORKFLOW = `${GANTRY}/.github/workflows/deploy.yml@refs/tags/v1`;
const ROLLBACK_WORKFLOW = `${GANTRY}/.github/workflows/rollback.yml@v1`;

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

/** What GET /repos/{owner}/{repo}/actions/runs/{run_id} answers (the fields the gate reads). */
interface FakeRun {
  id: number;
  path: string;
  head_sha: string;
  html_url: string;
  referenced_workflows: Array<{ path: string; sha: string; ref?: string }>;
}

/** A stand-in for the two Deployments API endpoints the gate reads (newest first like GitHub) and the runs endpoint. */
class FakeDeploymentsApi {
  deployments: FakeDeployment[] = [];
  /** Workflow runs by id; a run not here answers 404. */
  runs = new Map<number, FakeRun>();
  /** Fails only the Actions runs endpoint. */
  failRunsWith: { status: number; message: string } | undefined;
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
    this.runs = new Map();
    this.requests = [];
    this.pageSize = 100;
    this.failWith = undefined;
    this.failRunsWith = undefined;
  }

  private handle(request: IncomingMessage): { status: number; body: unknown; link?: string } {
    const url = new URL(request.url ?? '/', this.url);
    this.requests.push({ url: `${url.pathname}${url.search}`, authorization: request.headers.authorization });
    if (this.failWith) return { status: this.failWith.status, body: { message: this.failWith.message } };
    const run = /^\/repos\/acme\/shop\/actions\/runs\/(\d+)$/.exec(url.pathname);
    if (run) {
      if (this.failRunsWith) return { status: this.failRunsWith.status, body: { message: this.failRunsWith.message } };
      const found = this.runs.get(Number(run[1]));
      return found ? { status: 200, body: found } : { status: 404, body: { message: 'Not Found' } };
    }
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
    'job.workflow_repository': GANTRY,
    'github.triggering_actor': 'octocat',
    'inputs.environment': inputs.environment,
    'inputs.promote-from': inputs['promote-from'],
    'inputs.allow-unpromoted': String(inputs['allow-unpromoted']),
    'inputs.override-reason': inputs['override-reason'],
    'needs.resolve.outputs.sha': SHA,
  };
}

/** The step's env: with every expression evaluated; an expression the test does not know fails loudly. */
function stepEnvironment(step: Step, inputs: GateInputs, context: Record<string, string> = {}): Record<string, string> {
  const values = { ...contextValues(inputs), ...context };
  return Object.fromEntries(
    Object.entries(step.env).map(([name, value]) => {
      const expression = soleExpression(value);
      if (expression === undefined) return [name, String(value)];
      if (!(expression in values)) throw new Error(`the gate step's env ${name} uses \${{ ${expression} }}, which this test does not provide`);
      return [name, values[expression] ?? ''];
    }),
  );
}

async function runGate(overrides: Partial<GateInputs> = {}, context: Record<string, string> = {}): Promise<Run> {
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
    ...stepEnvironment(gateStep, inputs, context),
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

type RunKind = 'deploy' | 'rollback' | 'both' | 'neither';

/** A workflow run of acme/shop as the runs endpoint answers it: deploy calls gantry's deploy.yml, rollback its rollback.yml. */
function fakeRun(id: number, kind: RunKind, sha = SHA): FakeRun {
  const called = { deploy: [DEPLOY_WORKFLOW], rollback: [ROLLBACK_WORKFLOW], both: [DEPLOY_WORKFLOW, ROLLBACK_WORKFLOW], neither: ['acme/shop/.github/workflows/deploy.yml@refs/heads/develop'] }[kind];
  return {
    id,
    // The caller's own file names are the adopter's choice: a rollback caller named deploy-*.yml must not pass.
    path: kind === 'rollback' ? '.github/workflows/deploy-rollback.yml' : '.github/workflows/deploy-staging.yml',
    head_sha: sha,
    html_url: `https://github.example/acme/shop/actions/runs/${id}`,
    referenced_workflows: called.map((path) => ({ path, sha: 'c'.repeat(40) })),
  };
}

/**
 * A deployment of SHA to staging whose statuses link to run `1000 + id` (GitHub's log_url of an
 * environment job: <server>/<owner>/<repo>/actions/runs/<run id>/job/<job id>), and that run,
 * made by gantry's deploy workflow unless `kind` says otherwise.
 */
function deployment(id: number, states: string[], extra: Partial<FakeDeployment> = {}, description?: string, kind: RunKind = 'deploy'): FakeDeployment {
  const day = String(id).padStart(2, '0');
  const runId = 1000 + id;
  const made: FakeDeployment = {
    id,
    sha: SHA,
    environment: 'staging',
    created_at: `2026-05-${day}T10:00:00Z`,
    statuses: states.map((state, index) => ({
      state,
      created_at: `2026-05-${day}T10:0${index}:00Z`,
      log_url: `https://github.example/acme/shop/actions/runs/${runId}/job/${runId * 10}`,
      ...(description && index === states.length - 1 ? { description } : {}),
    })),
    ...extra,
  };
  api.runs.set(runId, fakeRun(runId, kind, made.sha));
  return made;
}

/** A deployment made by gantry's rollback workflow (recorded under the commit it was dispatched from). */
function rollbackDeployment(id: number, states: string[]): FakeDeployment {
  return deployment(id, states, {}, undefined, 'rollback');
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
    // actions: read for the runs endpoint, on this job only (the other jobs of deploy.yml do not get it).
    expect(gateJob?.permissions).toEqual({ actions: 'read', contents: 'read', deployments: 'read' });
    const others = loadWorkflow(`${WORKFLOW_DIR}/deploy.yml`).jobs.filter((job) => job.id !== 'gate');
    expect(others.filter((job) => job.permissions?.actions !== undefined).map((job) => job.id)).toEqual([]);
  });
});

describe('promotion gate', () => {
  it('passes a commit with a successful staging deployment, asking for exactly that SHA and environment with the token', async () => {
    api.deployments = [deployment(3, ['in_progress', 'success']), deployment(4, ['in_progress', 'success'], { sha: OTHER_SHA })];
    const run = await runGate();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual({ promotion: 'proven' });
    expect(run.summary).toContain(`Promotion gate passed: \`${SHA}\` was deployed successfully to staging by gantry's deploy workflow (deployment 3)`);
    expect(run.summary).toContain('([run 1003](https://github.example/acme/shop/actions/runs/1003))');
    expect(api.requests[0]?.url).toBe(`/repos/acme/shop/deployments?sha=${SHA}&environment=staging&per_page=100`);
    // The run behind the deployment, read through the link on its status.
    expect(api.requests.map((request) => request.url)).toContain('/repos/acme/shop/actions/runs/1003');
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
    expect(api.requests.map((request) => request.url)).toContain('/repos/acme/shop/actions/runs/1014');
  });

  it('follows the Link header through every page of deployments and statuses, and reads each run once', async () => {
    api.pageSize = 2;
    // 15 is the proof, on the second page; its statuses span two pages (the newest, success, on the first).
    api.deployments = [deployment(15, ['queued', 'in_progress', 'success']), deployment(16, ['queued']), deployment(17, ['queued']), deployment(18, ['queued'])];
    // 16 and 17 are attempts of one run (a re-run): its run is read once.
    for (const status of api.deployments[2]?.statuses ?? []) status.log_url = 'https://github.example/acme/shop/actions/runs/1016/job/2';
    const run = await runGate();
    expect(run.code).toBe(0);
    expect(run.summary).toContain('(deployment 15)');
    const urls = api.requests.map((request) => request.url);
    expect(urls.filter((url) => url.startsWith('/repos/acme/shop/deployments?'))).toHaveLength(2);
    expect(urls.filter((url) => url.startsWith('/repos/acme/shop/deployments/15/statuses'))).toHaveLength(2);
    expect(urls.filter((url) => url.includes('/actions/runs/')).sort()).toEqual(['/repos/acme/shop/actions/runs/1015', '/repos/acme/shop/actions/runs/1016', '/repos/acme/shop/actions/runs/1018']);
  });

  it('also follows the Link header past a page of rollback deployments to the deploy before them', async () => {
    api.pageSize = 1;
    api.deployments = [deployment(20, ['success', 'inactive']), rollbackDeployment(21, ['failure'])];
    const run = await runGate();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('has been rolled back in staging since its deploy there: deployment 21');
  });

  it('refuses a commit whose only successful staging deployment was made by the rollback workflow, and says so', async () => {
    // A rollback dispatched from develop: GitHub records a successful staging deployment of develop's head.
    api.deployments = [rollbackDeployment(22, ['in_progress', 'success'])];
    const run = await runGate();
    expect(run.code).toBe(1);
    expect(run.outputs).toEqual({});
    expect(run.stdout).toContain(
      `::error title=Not promoted::${SHA} has no successful deployment to staging by gantry's deploy workflow: deployment 22 (success) is from run 1022 of gantry's rollback workflow (https://github.example/acme/shop/actions/runs/1022), which GitHub records under the commit it was dispatched from, not the one it restored. Deploy it to staging first`,
    );
  });

  it('refuses a commit rolled back in staging after its deploy there (staging no longer vouches for it)', async () => {
    api.deployments = [deployment(23, ['in_progress', 'success', 'inactive']), rollbackDeployment(24, ['in_progress', 'success'])];
    const run = await runGate();
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /::error title=Not promoted::a{40} has been rolled back in staging since its deploy there: deployment 24 \(2026-05-24T10:00:00Z, success\) is from run 1024 of gantry's rollback workflow \(https:\/\/github\.example\/acme\/shop\/actions\/runs\/1024\), newer than deployment 23 by its deploy workflow \(inactive\), so staging no longer vouches for it\. Deploy it to staging first/,
    );
  });

  it('counts a rollback after the deploy whatever its own state: failed, or still running', async () => {
    api.deployments = [deployment(25, ['success']), rollbackDeployment(26, ['failure'])];
    expect((await runGate()).stdout).toContain('deployment 26 (2026-05-26T10:00:00Z, failure) is from run 1026');
    api.reset();
    api.deployments = [deployment(27, ['success']), rollbackDeployment(28, ['queued', 'in_progress'])];
    const running = await runGate();
    expect(running.code).toBe(1);
    expect(running.stdout).toContain('deployment 28 (2026-05-28T10:00:00Z, in_progress) is from run 1028');
  });

  it('ignores a rollback older than a newer successful deploy of the commit (deployed again since)', async () => {
    api.deployments = [deployment(29, ['success', 'inactive']), rollbackDeployment(30, ['success', 'inactive']), deployment(31, ['in_progress', 'success'])];
    const run = await runGate();
    expect(run.code).toBe(0);
    expect(run.outputs.promotion).toBe('proven');
    expect(run.summary).toContain('(deployment 31)');
  });

  it('does not count a success from a workflow that calls neither gantry workflow, or both, or from another commit’s run', async () => {
    // The caller's own deploy.yml (a local reusable workflow) is not gantry's.
    api.deployments = [deployment(32, ['success'], {}, undefined, 'neither')];
    let run = await runGate();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`deployment 32 is not gantry's deploy, its run 1032 (.github/workflows/deploy-staging.yml) does not call ${GANTRY}/.github/workflows/deploy.yml`);
    api.reset();
    api.deployments = [deployment(33, ['success'], {}, undefined, 'both')];
    run = await runGate();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`its run 1033 calls both ${GANTRY}'s deploy.yml and rollback.yml`);
    api.reset();
    api.deployments = [deployment(34, ['success'])];
    api.runs.set(1034, fakeRun(1034, 'deploy', OTHER_SHA));
    run = await runGate();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`its run 1034 is of commit ${OTHER_SHA}, not of ${SHA}`);
  });

  it('does not count a success whose status links to no Actions run of the repository', async () => {
    api.deployments = [deployment(35, ['success'])];
    for (const status of api.deployments[0]?.statuses ?? []) status.log_url = 'https://ci.example/builds/35';
    const run = await runGate();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('deployment 35 is not gantry\'s deploy, its status links to https://ci.example/builds/35, not to a GitHub Actions run of acme/shop');
  });

  it('matches gantry’s workflows by repository and path, at any ref, case-insensitively', async () => {
    api.deployments = [deployment(36, ['success'])];
    api.runs.set(1036, { ...fakeRun(1036, 'deploy'), referenced_workflows: [{ path: 'Your-Org/Gantry/.github/workflows/deploy.yml@0123456789abcdef0123456789abcdef01234567', sha: '0123456789abcdef0123456789abcdef01234567' }] });
    expect((await runGate()).code).toBe(0);
    api.reset();
    api.deployments = [deployment(37, ['success'])];
    api.runs.set(1037, { ...fakeRun(1037, 'deploy'), referenced_workflows: [{ path: 'someone-else/gantry/.github/workflows/deploy.yml@v1', sha: 'c'.repeat(40) }] });
    expect((await runGate()).stdout).toContain(`does not call ${GANTRY}/.github/workflows/deploy.yml`);
  });

  it('fails closed, naming actions: read, when the runs endpoint refuses', async () => {
    api.deployments = [deployment(38, ['success'])];
    api.failRunsWith = { status: 403, message: 'Resource not accessible by integration' };
    const run = await runGate({ 'allow-unpromoted': true, 'override-reason': 'the override does not hide a broken gate' });
    expect(run.code).toBe(1);
    expect(run.outputs).toEqual({});
    expect(run.stdout).toContain(
      "::error title=Actions API error::GET /repos/acme/shop/actions/runs/1038 answered 403: Resource not accessible by integration. The gate reads the workflow run behind staging deployment 38 to tell gantry's deploy workflow from its rollback workflow, and cannot without it: the gate job needs actions: read on acme/shop, so the calling job must grant it (permissions: actions: read).",
    );
  });

  it('fails closed when the run is gone (404)', async () => {
    api.deployments = [deployment(39, ['success'])];
    api.runs.delete(1039);
    const run = await runGate();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error title=Actions API error::GET /repos/acme/shop/actions/runs/1039 answered 404: Not Found.');
    expect(run.stdout).toContain('A 404 with actions: read granted means the run was deleted: deploy the commit to staging again.');
  });

  it('refuses to run without gantry’s repository (job.workflow_repository), before asking the API', async () => {
    const run = await runGate({}, { 'job.workflow_repository': '' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("::error title=Bad gantry repository::WORKFLOW_REPOSITORY '' is not owner/name");
    expect(api.requests).toEqual([]);
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
