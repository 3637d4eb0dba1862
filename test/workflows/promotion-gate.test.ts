/**
 * The promotion gate and the resolve step of deploy.yml, run as their jobs run them: the `with:` of the
 * workflow's step (expressions replaced by test values), the bundled release-gate action through the
 * runner harness, against a stand-in GitHub REST API on 127.0.0.1 (GITHUB_API_URL, as the runner sets it).
 * Every way the staging evidence can be forged or wrong is refused, with the reason; a genuine staging
 * deploy is proven and hands on the digest it ran.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ActionResult } from '../support/harness';
import { FakeGitHubApi, type FakeDeployment, type FakeRun } from './support/github-api';
import { isWorkflowCommitGuard } from './support/policy';
import { loadWorkflow, WORKFLOW_DIR } from './support/repo-files';
import { runWorkflowStep } from './support/run-step';
import { usesAction } from './support/workflow-model';

const SHA = 'a'.repeat(40);
const OTHER_SHA = 'b'.repeat(40);
const DIGEST = `sha256:${'d'.repeat(64)}`;
const STAGING_IMAGE = `111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop@${DIGEST}`;
/** job.workflow_repository in the test: where gantry's reusable workflows live. */
const GANTRY = 'your-org/gantry';
const DEPLOY_WORKFLOW = `${GANTRY}/.github/workflows/deploy.yml@refs/tags/v1`;
const ROLLBACK_WORKFLOW = `${GANTRY}/.github/workflows/rollback.yml@v1`;

const deployYml = loadWorkflow(`${WORKFLOW_DIR}/deploy.yml`);
const gateJob = deployYml.jobs.find((job) => job.id === 'gate');
const gateStep = gateJob?.steps.find((step) => step.id === 'promotion');
const resolveJob = deployYml.jobs.find((job) => job.id === 'resolve');
const resolveStep = resolveJob?.steps.find((step) => step.id === 'commit');

interface GateInputs {
  environment: string;
  'promote-from': string;
  'promote-from-branch': string;
  'allow-unpromoted': boolean;
  'override-reason': string;
}

const api = new FakeGitHubApi();

beforeAll(async () => {
  await api.start();
});
afterAll(async () => {
  await api.stop();
});
afterEach(() => api.reset());

function runnerEnv(): Record<string, string> {
  return {
    GITHUB_API_URL: api.url,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_TRIGGERING_ACTOR: 'octocat',
  };
}

async function runGate(overrides: Partial<GateInputs> = {}, context: Record<string, string> = {}): Promise<ActionResult> {
  if (!gateStep) throw new Error('deploy.yml has no gate step with id promotion');
  const inputs: GateInputs = {
    environment: 'production',
    'promote-from': 'staging',
    'promote-from-branch': 'develop',
    'allow-unpromoted': false,
    'override-reason': '',
    ...overrides,
  };
  const values: Record<string, string> = {
    'github.token': 'test-token',
    'job.workflow_repository': GANTRY,
    'needs.resolve.outputs.sha': SHA,
    'inputs.environment': inputs.environment,
    'inputs.promote-from': inputs['promote-from'],
    'inputs.promote-from-branch': inputs['promote-from-branch'],
    'inputs.allow-unpromoted': String(inputs['allow-unpromoted']),
    'inputs.override-reason': inputs['override-reason'],
    ...context,
  };
  return runWorkflowStep(gateStep, values, { env: runnerEnv() });
}

const errorsOf = (run: ActionResult) =>
  run.annotations
    .filter((a) => a.level === 'error')
    .map((a) => a.message)
    .join('\n');

type RunKind = 'deploy' | 'rollback' | 'both' | 'neither';

function fakeRun(id: number, kind: RunKind, sha = SHA, extra: Partial<FakeRun> = {}): FakeRun {
  const called = {
    deploy: [DEPLOY_WORKFLOW],
    rollback: [ROLLBACK_WORKFLOW],
    both: [DEPLOY_WORKFLOW, ROLLBACK_WORKFLOW],
    neither: ['acme/shop/.github/workflows/deploy.yml@refs/heads/develop'],
  }[kind];
  return {
    id,
    path: kind === 'rollback' ? '.github/workflows/deploy-rollback.yml' : '.github/workflows/deploy-staging.yml',
    head_sha: sha,
    head_branch: 'develop',
    event: kind === 'rollback' ? 'workflow_dispatch' : 'push',
    status: 'completed',
    conclusion: 'success',
    html_url: `https://github.example/acme/shop/actions/runs/${id}`,
    referenced_workflows: called.map((path) => ({ path, sha: 'c'.repeat(40) })),
    ...extra,
  };
}

/**
 * A deployment of SHA to staging created by GitHub Actions, whose statuses link to job `runId * 10` of
 * run `1000 + id`; that run (gantry's deploy workflow on a push to develop unless `kind` says otherwise),
 * its deploy job and the job's release record.
 */
function deployment(
  id: number,
  states: string[],
  extra: Partial<FakeDeployment> = {},
  description?: string,
  kind: RunKind = 'deploy',
): FakeDeployment {
  const day = String(id).padStart(2, '0');
  const runId = 1000 + id;
  const jobId = runId * 10;
  const made: FakeDeployment = {
    id,
    sha: SHA,
    environment: 'staging',
    created_at: `2026-05-${day}T10:00:00Z`,
    creator: { login: 'github-actions[bot]', type: 'Bot' },
    statuses: states.map((state, index) => ({
      state,
      created_at: `2026-05-${day}T10:0${index}:00Z`,
      log_url: `https://github.example/acme/shop/actions/runs/${runId}/job/${jobId}`,
      ...(description && index === states.length - 1 ? { description } : {}),
    })),
    ...extra,
  };
  const failed = states.includes('failure') || states.includes('error');
  api.runs.set(runId, fakeRun(runId, kind, made.sha, failed ? { conclusion: 'failure' } : {}));
  api.jobs.set(jobId, {
    id: jobId,
    run_id: runId,
    name: kind === 'rollback' ? 'rollback / Roll back staging' : 'deploy / Deploy to staging',
    status: 'completed',
    conclusion: failed ? 'failure' : 'success',
  });
  api.annotations.set(jobId, [
    { title: 'Deployment recorded under another commit', message: 'unrelated notice', annotation_level: 'notice' },
    {
      title: 'gantry release',
      message: `image=${STAGING_IMAGE} sha=${made.sha} task-definition=arn:aws:ecs:eu-west-1:111111111111:task-definition/shop:7`,
      annotation_level: 'notice',
    },
  ]);
  return made;
}

function rollbackDeployment(id: number, states: string[]): FakeDeployment {
  return deployment(id, states, {}, undefined, 'rollback');
}

describe('deploy.yml runs the gate and the resolve step from the gantry checkout', () => {
  it('checks gantry out (after the job.workflow_* guard) before the gate step, and uses the release-gate action from .gantry', () => {
    for (const [job, step] of [
      [gateJob, gateStep],
      [resolveJob, resolveStep],
    ] as const) {
      const steps = job?.steps ?? [];
      const guard = steps.findIndex(isWorkflowCommitGuard);
      const checkout = steps.findIndex((s) => usesAction(s, 'actions/checkout') && s.with.path === '.gantry');
      const at = steps.findIndex((s) => s === step);
      expect(guard).toBeGreaterThanOrEqual(0);
      expect(checkout).toBeGreaterThan(guard);
      expect(at).toBeGreaterThan(checkout);
      expect(steps[checkout]?.with).toMatchObject({
        repository: '${{ job.workflow_repository }}',
        ref: '${{ job.workflow_sha }}',
        'persist-credentials': false,
      });
      expect(step?.uses).toBe('./.gantry/actions/release-gate');
    }
    expect(gateJob?.permissions).toEqual({ actions: 'read', checks: 'read', contents: 'read', deployments: 'read' });
    const others = deployYml.jobs.filter((job) => job.id !== 'gate');
    expect(
      others.filter((job) => job.permissions?.actions !== undefined || job.permissions?.checks !== undefined).map((job) => job.id),
    ).toEqual([]);
  });
});

describe('promotion gate: a genuine staging deploy', () => {
  it('is proven, asking for exactly that SHA and environment with the token, and hands on the digest staging ran', async () => {
    api.deployments = [deployment(3, ['in_progress', 'success']), deployment(4, ['in_progress', 'success'], { sha: OTHER_SHA })];
    const run = await runGate();
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({
      promotion: 'proven',
      'image-digest': DIGEST,
      'evidence-url': 'https://github.example/acme/shop/actions/runs/1003',
    });
    expect(run.summary).toContain(
      `Promotion gate passed: \`${SHA}\` was deployed successfully to staging by gantry's deploy workflow (deployment 3)`,
    );
    expect(run.summary).toContain(`([run 1003](https://github.example/acme/shop/actions/runs/1003)), image \`${STAGING_IMAGE}\``);
    const urls = api.requests.map((request) => request.url);
    expect(urls[0]).toBe(`/repos/acme/shop/deployments?sha=${SHA}&environment=staging&per_page=100`);
    expect(urls).toContain('/repos/acme/shop/actions/runs/1003');
    expect(urls).toContain('/repos/acme/shop/actions/jobs/10030');
    expect(urls).toContain('/repos/acme/shop/check-runs/10030/annotations?per_page=100');
    expect(api.requests.every((request) => request.authorization === 'Bearer test-token')).toBe(true);
  });

  it('passes a successful deployment GitHub later marked inactive (a newer staging deploy succeeded)', async () => {
    api.deployments = [deployment(5, ['in_progress', 'success', 'inactive'])];
    const run = await runGate();
    expect(run.exitCode).toBe(0);
    expect(run.outputs.promotion).toBe('proven');
    expect(run.summary).toContain('since superseded by a newer deployment there');
  });

  it('skips a forged success and decides on the genuine deploy before it', async () => {
    const forged = deployment(41, ['success'], { creator: { login: 'mallory', type: 'User' } });
    api.deployments = [deployment(40, ['success']), forged];
    const run = await runGate();
    expect(run.exitCode).toBe(0);
    expect(run.summary).toContain('(deployment 40)');
  });
});

describe('promotion gate: forged or wrong staging evidence is refused, with the link of the chain that broke', () => {
  const refusal = (id: number, why: string) =>
    `Not promoted: ${SHA} has no successful deployment to staging by gantry's deploy workflow: deployment ${id} does not count, ${why}`;

  it('a deployment created through the API by another user', async () => {
    api.deployments = [deployment(50, ['success'], { creator: { login: 'mallory', type: 'User' } })];
    const run = await runGate();
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toEqual({});
    expect(errorsOf(run)).toContain(
      refusal(
        50,
        'it was created by mallory, not by GitHub Actions (github-actions[bot]): anyone with write access can create a deployment through the API',
      ),
    );
  });

  it('a success status linking to a failed run', async () => {
    api.deployments = [deployment(51, ['success'])];
    api.runs.set(1051, fakeRun(1051, 'deploy', SHA, { conclusion: 'failure' }));
    const run = await runGate();
    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toContain(refusal(51, 'its run 1051 concluded failure, not success'));
  });

  it('a run on another branch (a feature branch calling gantry’s deploy.yml)', async () => {
    api.deployments = [deployment(52, ['success'])];
    api.runs.set(1052, fakeRun(1052, 'deploy', SHA, { head_branch: 'feature/x' }));
    const run = await runGate();
    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toContain(refusal(52, 'its run 1052 ran on feature/x, not on develop (promote-from-branch)'));
  });

  it('a run triggered by another event (a dispatch with ref)', async () => {
    api.deployments = [deployment(53, ['success'])];
    api.runs.set(1053, fakeRun(1053, 'deploy', SHA, { event: 'workflow_dispatch' }));
    const run = await runGate();
    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toContain(refusal(53, 'its run 1053 was triggered by workflow_dispatch, not by a push to develop'));
  });

  it('a status linking to another job than the deploy job (the plan job also runs in the environment)', async () => {
    api.deployments = [deployment(54, ['success'])];
    api.jobs.set(10540, { id: 10540, run_id: 1054, name: 'deploy / Terraform plan', status: 'completed', conclusion: 'success' });
    const run = await runGate();
    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toContain(
      refusal(54, 'its job 10540 is "deploy / Terraform plan", not gantry\'s deploy job (Deploy to staging)'),
    );
  });

  it('a job of another run, or a deploy job that failed', async () => {
    api.deployments = [deployment(55, ['success'])];
    api.jobs.set(10550, { id: 10550, run_id: 999, name: 'deploy / Deploy to staging', status: 'completed', conclusion: 'success' });
    expect(errorsOf(await runGate())).toContain(refusal(55, 'its job 10550 belongs to run 999, not to run 1055'));
    api.reset();
    api.deployments = [deployment(56, ['success'])];
    api.jobs.set(10560, { id: 10560, run_id: 1056, name: 'deploy / Deploy to staging', status: 'completed', conclusion: 'failure' });
    expect(errorsOf(await runGate())).toContain(refusal(56, 'its deploy job 10560 concluded failure, not success'));
  });

  it('a deploy job that left no release record (no digest to promote), or one for another commit', async () => {
    api.deployments = [deployment(57, ['success'])];
    api.annotations.set(10570, []);
    expect(errorsOf(await runGate())).toContain(
      refusal(57, 'its deploy job 10570 left no "gantry release" record of the image digest it deployed'),
    );
    api.reset();
    api.deployments = [deployment(58, ['success'])];
    api.annotations.set(10580, [
      { title: 'gantry release', message: `image=${STAGING_IMAGE} sha=${OTHER_SHA}`, annotation_level: 'notice' },
    ]);
    expect((await runGate()).exitCode).toBe(1);
  });

  it('a rollback run: never proof, and one newer than the deploy refuses the commit', async () => {
    api.deployments = [rollbackDeployment(22, ['in_progress', 'success'])];
    let run = await runGate();
    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toContain(
      `Not promoted: ${SHA} has no successful deployment to staging by gantry's deploy workflow: deployment 22 (success) is from run 1022 of gantry's rollback workflow (https://github.example/acme/shop/actions/runs/1022), which GitHub records under the commit it was dispatched from, not the one it restored. Deploy it to staging first`,
    );
    api.reset();
    api.deployments = [deployment(23, ['in_progress', 'success', 'inactive']), rollbackDeployment(24, ['in_progress', 'success'])];
    run = await runGate();
    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toMatch(
      /Not promoted: a{40} has been rolled back in staging since its deploy there: deployment 24 \(2026-05-24T10:00:00Z, success\) is from run 1024 of gantry's rollback workflow .* newer than deployment 23 by its deploy workflow \(inactive\), so staging no longer vouches for it/,
    );
  });

  it('counts a rollback after the deploy whatever its own state: failed, or still running; ignores an older one', async () => {
    api.deployments = [deployment(25, ['success']), rollbackDeployment(26, ['failure'])];
    expect(errorsOf(await runGate())).toContain('deployment 26 (2026-05-26T10:00:00Z, failure) is from run 1026');
    api.reset();
    api.deployments = [deployment(27, ['success']), rollbackDeployment(28, ['queued', 'in_progress'])];
    expect(errorsOf(await runGate())).toContain('deployment 28 (2026-05-28T10:00:00Z, in_progress) is from run 1028');
    api.reset();
    api.deployments = [
      deployment(29, ['success', 'inactive']),
      rollbackDeployment(30, ['success', 'inactive']),
      deployment(31, ['in_progress', 'success']),
    ];
    const run = await runGate();
    expect(run.exitCode).toBe(0);
    expect(run.summary).toContain('(deployment 31)');
  });

  it('a workflow that calls neither gantry workflow, or both, or a run of another commit, or no Actions run at all', async () => {
    api.deployments = [deployment(32, ['success'], {}, undefined, 'neither')];
    expect(errorsOf(await runGate())).toContain(
      refusal(32, `its run 1032 (.github/workflows/deploy-staging.yml) does not call ${GANTRY}/.github/workflows/deploy.yml`),
    );
    api.reset();
    api.deployments = [deployment(33, ['success'], {}, undefined, 'both')];
    expect(errorsOf(await runGate())).toContain(`its run 1033 calls both ${GANTRY}'s deploy.yml and rollback.yml`);
    api.reset();
    api.deployments = [deployment(34, ['success'])];
    api.runs.set(1034, fakeRun(1034, 'deploy', OTHER_SHA));
    expect(errorsOf(await runGate())).toContain(`its run 1034 is of commit ${OTHER_SHA}, not of ${SHA}`);
    api.reset();
    api.deployments = [deployment(35, ['success'])];
    for (const status of api.deployments[0]?.statuses ?? []) status.log_url = 'https://ci.example/builds/35';
    expect(errorsOf(await runGate())).toContain(
      refusal(35, 'its status links to https://ci.example/builds/35, not to a GitHub Actions run of acme/shop'),
    );
  });

  it('matches gantry’s workflows by repository and path, at any ref, case-insensitively', async () => {
    api.deployments = [deployment(36, ['success'])];
    api.runs.set(1036, {
      ...fakeRun(1036, 'deploy'),
      referenced_workflows: [
        {
          path: 'Your-Org/Gantry/.github/workflows/deploy.yml@0123456789abcdef0123456789abcdef01234567',
          sha: '0123456789abcdef0123456789abcdef01234567',
        },
      ],
    });
    expect((await runGate()).exitCode).toBe(0);
    api.reset();
    api.deployments = [deployment(37, ['success'])];
    api.runs.set(1037, {
      ...fakeRun(1037, 'deploy'),
      referenced_workflows: [{ path: 'someone-else/gantry/.github/workflows/deploy.yml@v1', sha: 'c'.repeat(40) }],
    });
    expect(errorsOf(await runGate())).toContain(`does not call ${GANTRY}/.github/workflows/deploy.yml`);
  });

  it('a commit staging never deployed, one whose latest deploy failed, one still deploying', async () => {
    api.deployments = [deployment(6, ['success'], { sha: OTHER_SHA }), deployment(7, ['success'], { environment: 'qa' })];
    expect(errorsOf(await runGate())).toContain(
      `Not promoted: ${SHA} has no successful deployment to staging (it was never deployed there). Deploy it to staging first from a push to develop`,
    );
    api.reset();
    api.deployments = [deployment(9, ['in_progress', 'success']), deployment(10, ['in_progress', 'failure'], {}, 'smoke test failed')];
    expect(errorsOf(await runGate())).toMatch(/its latest one \(deployment 10, [^)]+\) is failure \("smoke test failed"\)/);
    api.reset();
    api.deployments = [deployment(12, ['queued', 'in_progress'])];
    expect(errorsOf(await runGate())).toContain('deployment 12 has not finished (in_progress)');
  });

  it('follows the Link header through every page of deployments and statuses, and reads each run once', async () => {
    api.pageSize = 2;
    api.deployments = [
      deployment(15, ['queued', 'in_progress', 'success']),
      deployment(16, ['queued']),
      deployment(17, ['queued']),
      deployment(18, ['queued']),
    ];
    for (const status of api.deployments[2]?.statuses ?? []) status.log_url = 'https://github.example/acme/shop/actions/runs/1016/job/2';
    const run = await runGate();
    expect(run.exitCode).toBe(0);
    expect(run.summary).toContain('(deployment 15)');
    const urls = api.requests.map((request) => request.url);
    expect(urls.filter((url) => url.startsWith('/repos/acme/shop/deployments?'))).toHaveLength(2);
    expect(urls.filter((url) => url.startsWith('/repos/acme/shop/deployments/15/statuses'))).toHaveLength(2);
    expect(urls.filter((url) => url.includes('/actions/runs/')).sort()).toEqual([
      '/repos/acme/shop/actions/runs/1015',
      '/repos/acme/shop/actions/runs/1016',
      '/repos/acme/shop/actions/runs/1018',
    ]);
  });

  it('fails closed, naming actions: read, when the runs endpoint refuses — also with the override', async () => {
    api.deployments = [deployment(38, ['success'])];
    api.failRunsWith = { status: 403, message: 'Resource not accessible by integration' };
    const run = await runGate({ 'allow-unpromoted': true, 'override-reason': 'INC-77: the override does not hide a broken gate' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toEqual({});
    expect(errorsOf(run)).toContain(
      'Actions API error: GET /repos/acme/shop/actions/runs/1038 answered 403: Resource not accessible by integration. The gate reads the workflow run behind staging deployment 38',
    );
  });

  it('names deployments: read when the Deployments API refuses', async () => {
    api.failWith = { status: 403, message: 'Resource not accessible by integration' };
    const run = await runGate();
    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toContain(
      'answered 403: Resource not accessible by integration. The job needs deployments: read on acme/shop: the calling job must grant it (permissions: deployments: read).',
    );
  });
});

describe('promotion gate: the override', () => {
  it.each([
    ['blank', '  \n '],
    ['too short', 'INC-1 hotfix'],
    ['no ticket, issue or link', 'staging is down and we need this fix out now'],
  ])('refuses an override reason that is %s, before asking the API', async (_name, reason) => {
    const run = await runGate({ 'allow-unpromoted': true, 'override-reason': reason });
    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toContain("Input 'override-reason'");
    expect(errorsOf(run)).toContain('expected a reason of at least 20 characters that names the ticket, incident or change behind it');
    expect(api.requests).toEqual([]);
  });

  it('lets an override with a real reason through, and records it as a warning and in the summary', async () => {
    const reason = 'INC-42: staging is down | hotfix\nfor checkout <b>';
    const run = await runGate({ 'allow-unpromoted': true, 'override-reason': reason });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({ promotion: 'overridden', 'image-digest': '', 'evidence-url': '' });
    const warning = run.annotations.find((a) => a.level === 'warning');
    expect(warning?.properties.title).toBe('Promotion gate overridden');
    expect(warning?.message).toBe(
      `octocat deploys ${SHA} to production without a successful staging deployment. Reason: INC-42: staging is down | hotfix\nfor checkout <b>`,
    );
    expect(run.summary).toContain('| commit | target | skipped environment | by | reason |');
    expect(run.summary).toContain(
      `| \`${SHA}\` | production | staging | octocat | INC-42: staging is down \\| hotfix<br>for checkout &lt;b&gt; |`,
    );
  });

  it('does not need the override when the commit is promoted', async () => {
    api.deployments = [deployment(19, ['success'])];
    const run = await runGate({ 'allow-unpromoted': true, 'override-reason': 'https://tickets.example/1 just in case' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.promotion).toBe('proven');
    expect(run.annotations.filter((a) => a.level === 'warning')).toEqual([]);
  });
});

describe('promotion gate: which environments need it', () => {
  it.each(['production', 'Production', 'prod', 'production-eu', 'eu-prod'])('refuses %s without promote-from', async (environment) => {
    const run = await runGate({ environment, 'promote-from': '' });
    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toContain('Promotion not configured: promote-from is empty');
    expect(api.requests).toEqual([]);
  });

  it('is not required for staging without promote-from, and asks nothing', async () => {
    const run = await runGate({ environment: 'staging', 'promote-from': '' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.promotion).toBe('not-required');
    expect(api.requests).toEqual([]);
  });

  it('refuses bad environment names, promoting from the environment itself, and a missing gantry repository', async () => {
    expect(errorsOf(await runGate({ environment: 'prod;rm' }))).toContain("Input 'environment' has value 'prod;rm'");
    expect(errorsOf(await runGate({ 'promote-from': 'staging eu' }))).toContain("Input 'promote-from' has value 'staging eu'");
    expect(errorsOf(await runGate({ environment: 'staging', 'promote-from': 'staging' }))).toContain(
      "Input 'promote-from' has value 'staging'",
    );
    expect(errorsOf(await runGate({}, { 'job.workflow_repository': '' }))).toContain("Input 'gantry-repository' is missing");
    expect(api.requests).toEqual([]);
  });
});

describe('resolve: the commit, the version and the reachability of a promoted commit', () => {
  let repo = '';
  let head = '';
  beforeAll(() => {
    repo = mkdtempSync(path.join(tmpdir(), 'gantry-resolve-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
    git('init', '-q');
    writeFileSync(path.join(repo, 'README'), 'app\n');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'app');
    head = git('rev-parse', 'HEAD');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  async function runResolve(values: Record<string, string>): Promise<ActionResult> {
    if (!resolveStep) throw new Error('deploy.yml has no resolve step with id commit');
    const all = {
      'github.token': 'test-token',
      'inputs.environment': 'production',
      'inputs.ref': '',
      'inputs.version': '',
      'inputs.promote-from': 'staging',
      'inputs.production-branch': 'main',
      ...values,
    };
    return runWorkflowStep(resolveStep, all, { workspace: repo, env: { ...runnerEnv(), GITHUB_SHA: 'f'.repeat(40) } });
  }

  it('refuses a dispatched ref that is not in the production branch’s history, naming both', async () => {
    api.comparisons.set(`main...${head}`, 'diverged');
    const run = await runResolve({ 'inputs.ref': head });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toEqual({});
    expect(errorsOf(run)).toContain(`Commit not on main: ${head} is not reachable from main (the compare API says diverged)`);
    expect(api.requests.map((r) => r.url)).toEqual([`/repos/acme/shop/compare/main...${head}`]);
  });

  it('refuses a commit the compare API does not know (a fork’s commit, a missing branch)', async () => {
    const run = await runResolve({ 'inputs.ref': head, 'inputs.production-branch': 'release' });
    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toContain(
      `a 404 with it granted means the branch release (production-branch) does not exist or ${head} is not a commit of acme/shop`,
    );
  });

  it('passes a commit of the production branch and writes sha and version', async () => {
    api.comparisons.set(`main...${head}`, 'behind');
    const run = await runResolve({ 'inputs.ref': 'v1.4.0' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({ sha: head, version: '1.4.0' });
  });

  it('refuses a version that is not one semantic version (a newline would inject outputs), before anything is written', async () => {
    const run = await runResolve({
      'inputs.version': `1.2.3\nsha=${'0'.repeat(40)}`,
      'inputs.promote-from': '',
      'inputs.environment': 'staging',
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toEqual({});
    expect(errorsOf(run)).toContain("Input 'version' has value '1.2.3");
  });

  it('does not ask the API for staging (nothing is promoted into it)', async () => {
    const run = await runResolve({ 'inputs.environment': 'staging', 'inputs.promote-from': '' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.sha).toBe(head);
    expect(api.requests).toEqual([]);
  });
});
