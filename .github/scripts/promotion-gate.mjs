#!/usr/bin/env node
// gantry's promotion gate: the `gate` job of .github/workflows/deploy.yml runs this file from the
// gantry checkout at job.workflow_sha (`node .gantry/.github/scripts/promotion-gate.mjs`), so a
// caller in another repository runs exactly the gate of the workflow commit it pinned.
//
// A commit may go to TARGET_ENVIRONMENT only when gantry's deploy workflow has deployed it to
// PROMOTE_FROM successfully, as the GitHub Deployments API records it (GitHub creates a deployment for
// every job that declares `environment:`, with the job's result as its status, and links each status to
// the job's run). Which workflow made a deployment is read from that run (Actions API): gantry's
// rollback workflow runs in the environment too, and GitHub records its deployment under the commit the
// rollback was dispatched from. Unless ALLOW_UNPROMOTED is 'true' and OVERRIDE_REASON says why: then the
// override is recorded as a warning annotation and in the summary.
//
// Input, all through the step's env: (never ${{ }} in a script):
//   TARGET_ENVIRONMENT  environment this run deploys to
//   PROMOTE_FROM        environment that must have deployed SHA first; empty = no promotion required
//   SHA                 full commit SHA being deployed
//   ALLOW_UNPROMOTED    'true' to deploy without that proof (needs OVERRIDE_REASON)
//   OVERRIDE_REASON     why the gate is overridden
//   ACTOR               who asked (github.triggering_actor)
//   REPOSITORY          owner/name whose deployments are read (github.repository)
//   WORKFLOW_REPOSITORY owner/name of gantry (job.workflow_repository): the repository whose
//                       .github/workflows/deploy.yml and rollback.yml a run must reference
//   GH_TOKEN            token with deployments: read and actions: read (or GITHUB_TOKEN)
//   GITHUB_API_URL      REST API base, set by the runner (default https://api.github.com)
//   GITHUB_SERVER_URL   for links in the summary (default https://github.com)
//   GITHUB_OUTPUT, GITHUB_STEP_SUMMARY  the runner's files
// Output: promotion=not-required | proven | overridden. Exit 1 with an ::error:: annotation otherwise.
//
// Node >= 18 (fetch), no dependencies: it runs on the runner image's node before anything is installed.

import { appendFileSync } from 'node:fs';

const ENVIRONMENT_NAME = /^[A-Za-z0-9_-]+$/;
const FULL_SHA = /^[0-9a-f]{40}$/;
const REPOSITORY_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
/** Deployment states after which nothing changes unless somebody deploys again. */
const UNFINISHED = new Set(['queued', 'pending', 'in_progress']);
const MAX_PAGES = 20;

class GateError extends Error {
  constructor(title, message) {
    super(message);
    this.title = title;
  }
}

/** The runner's escaping for workflow commands (what @actions/core does). */
function escapeData(text) {
  return String(text).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text) {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function annotate(kind, title, message) {
  console.log(`::${kind} title=${escapeProperty(title)}::${escapeData(message)}`);
}

function appendTo(variable, text) {
  const file = process.env[variable];
  if (file) appendFileSync(file, text);
  else process.stdout.write(text);
}

function setOutput(name, value) {
  appendTo('GITHUB_OUTPUT', `${name}=${value}\n`);
}

function summary(markdown) {
  appendTo('GITHUB_STEP_SUMMARY', `${markdown}\n`);
}

/** Free text for one Markdown table cell: no HTML, no column breaks, no line breaks. */
function cell(text) {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>');
}

function readInputs(env) {
  const inputs = {
    target: (env.TARGET_ENVIRONMENT ?? '').trim(),
    promoteFrom: (env.PROMOTE_FROM ?? '').trim(),
    sha: (env.SHA ?? '').trim(),
    allowUnpromoted: (env.ALLOW_UNPROMOTED ?? '').trim() === 'true',
    reason: (env.OVERRIDE_REASON ?? '').trim(),
    actor: (env.ACTOR || env.GITHUB_ACTOR || 'unknown').trim(),
    repository: (env.REPOSITORY || env.GITHUB_REPOSITORY || '').trim(),
    gantry: (env.WORKFLOW_REPOSITORY ?? '').trim(),
    token: env.GH_TOKEN || env.GITHUB_TOKEN || '',
    api: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    server: (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, ''),
  };
  if (!ENVIRONMENT_NAME.test(inputs.target)) {
    throw new GateError('Bad input environment', `'${inputs.target}' is not an environment name (letters, digits, - and _).`);
  }
  return inputs;
}

function checkGateInputs(inputs) {
  if (!ENVIRONMENT_NAME.test(inputs.promoteFrom)) {
    throw new GateError('Bad input promote-from', `'${inputs.promoteFrom}' is not an environment name (letters, digits, - and _).`);
  }
  if (inputs.promoteFrom === inputs.target) {
    throw new GateError('Bad input promote-from', `promote-from is ${inputs.target}, the environment being deployed: name the environment that must deploy a commit before ${inputs.target} (e.g. staging).`);
  }
  if (!FULL_SHA.test(inputs.sha)) throw new GateError('Bad commit', `'${inputs.sha}' is not a full 40-character commit SHA.`);
  if (!REPOSITORY_NAME.test(inputs.repository)) throw new GateError('Bad repository', `'${inputs.repository}' is not owner/name.`);
  if (!REPOSITORY_NAME.test(inputs.gantry)) {
    throw new GateError('Bad gantry repository', `WORKFLOW_REPOSITORY '${inputs.gantry}' is not owner/name: the gate step must pass job.workflow_repository, the gantry repository whose deploy workflow a staging deployment must come from.`);
  }
  if (!inputs.token) throw new GateError('No token', 'GH_TOKEN is empty: the gate needs a token with deployments: read and actions: read to ask the Deployments and Actions APIs.');
  if (inputs.allowUnpromoted && inputs.reason === '') {
    throw new GateError('Bad input override-reason', `allow-unpromoted is set, so override-reason must say why ${inputs.sha} skips ${inputs.promoteFrom}.`);
  }
}

/** rel="next" of a Link header, only on the API's own origin (the token is never sent elsewhere). */
function nextPage(link, api) {
  const next = /<([^>]+)>\s*;\s*rel="next"/.exec(link ?? '')?.[1];
  if (!next) return undefined;
  return new URL(next).origin === new URL(api).origin ? next : undefined;
}

const HEADERS = {
  accept: 'application/vnd.github+json',
  'x-github-api-version': '2022-11-28',
  'user-agent': 'gantry-promotion-gate',
};

/** The message of an API error body (JSON `message`, else the start of the text). */
async function errorMessage(response) {
  const body = await response.text();
  try {
    return JSON.parse(body).message ?? body.slice(0, 300);
  } catch {
    return body.slice(0, 300);
  }
}

/** GET url from the Deployments API (kind 'deployments') or the Actions API (kind 'actions'). */
async function get(inputs, url, path, kind) {
  try {
    return await fetch(url, { headers: { ...HEADERS, authorization: `Bearer ${inputs.token}` } });
  } catch (error) {
    const cause = error.cause?.message ?? error.message;
    if (kind === 'actions') throw new GateError('Actions API unreachable', `GET ${path}: ${cause}. Re-run the job.`);
    throw new GateError('Deployments API unreachable', `GET ${path}: ${cause}. Re-run the job.`);
  }
}

/** Every item of a paginated list endpoint of the Deployments API. */
async function listAll(inputs, path) {
  const items = [];
  let url = `${inputs.api}${path}`;
  for (let page = 0; url && page < MAX_PAGES; page += 1) {
    const response = await get(inputs, url, path, 'deployments');
    if (!response.ok) {
      const message = await errorMessage(response);
      const hint = response.status === 403 || response.status === 404
        ? ` The gate job needs deployments: read on ${inputs.repository}: the calling job must grant it (permissions: deployments: read).`
        : ' Re-run the job.';
      throw new GateError('Deployments API error', `GET ${path} answered ${response.status}: ${message}.${hint}`);
    }
    const body = await response.json();
    if (!Array.isArray(body)) throw new GateError('Deployments API error', `GET ${path} did not answer with a list.`);
    items.push(...body);
    url = nextPage(response.headers.get('link'), inputs.api);
  }
  return items;
}

/**
 * The workflow run behind a deployment. Fails closed: a run the token may not read (or that is gone)
 * would leave the gate unable to tell a deploy from a rollback.
 */
async function readRun(inputs, runId, deployment) {
  const path = `/repos/${inputs.repository}/actions/runs/${runId}`;
  const response = await get(inputs, `${inputs.api}${path}`, path, 'actions');
  if (!response.ok) {
    const message = await errorMessage(response);
    const hint = response.status === 403 || response.status === 404
      ? ` The gate reads the workflow run behind ${inputs.promoteFrom} deployment ${deployment.id} to tell gantry's deploy workflow from its rollback workflow, and cannot without it: the gate job needs actions: read on ${inputs.repository}, so the calling job must grant it (permissions: actions: read). A 404 with actions: read granted means the run was deleted: deploy the commit to ${inputs.promoteFrom} again.`
      : ' Re-run the job.';
    throw new GateError('Actions API error', `GET ${path} answered ${response.status}: ${message}.${hint}`);
  }
  const run = await response.json();
  if (run === null || typeof run !== 'object' || Array.isArray(run)) throw new GateError('Actions API error', `GET ${path} did not answer with a workflow run.`);
  return run;
}

/** Newest first: by creation time, then by id (ids grow). */
function newestFirst(a, b) {
  return String(b.created_at ?? '').localeCompare(String(a.created_at ?? '')) || Number(b.id ?? 0) - Number(a.id ?? 0);
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The newest status link of a deployment (log_url, or the older target_url). */
function statusLink(statuses) {
  return statuses.map((status) => status.log_url || status.target_url || '').find(Boolean) ?? '';
}

/** The run id of a link to a run (or a job of it) of REPOSITORY: <server>/<owner>/<repo>/actions/runs/<id>[/job/<id>]. */
function runIdOf(inputs, link) {
  return new RegExp(`/${escapeRegExp(inputs.repository)}/actions/runs/(\\d+)(?:[/?#]|$)`, 'i').exec(link)?.[1];
}

function hasRunLink(inputs, statuses) {
  return runIdOf(inputs, statusLink(statuses)) !== undefined;
}

/**
 * Which gantry workflow made a deployment: 'deploy', 'rollback' or 'other', read from the run its
 * statuses link to. GitHub sets each status's log_url (and target_url) of a job's environment
 * deployment to the job's page, <server>/<owner>/<repo>/actions/runs/<run id>/job/<job id>; the run's
 * referenced_workflows lists the reusable workflows it called as <owner>/<repo>/<path>@<ref>.
 * gantry's are matched by repository (job.workflow_repository) and path, at any ref: the caller's own
 * workflow file names are the adopter's choice, the reusable workflow's are gantry's.
 */
async function originOf(inputs, deployment, statuses, runs) {
  const link = statusLink(statuses);
  const runId = runIdOf(inputs, link);
  if (!runId) return { kind: 'other', link, why: link ? `its status links to ${link}, not to a GitHub Actions run of ${inputs.repository}` : 'its statuses link to no GitHub Actions run' };
  if (!runs.has(runId)) runs.set(runId, await readRun(inputs, runId, deployment));
  const run = runs.get(runId);
  const runLink = run.html_url || link;
  if (run.head_sha !== inputs.sha) {
    return { kind: 'other', link: runLink, why: `its run ${runId} is of commit ${run.head_sha}, not of ${inputs.sha}` };
  }
  const paths = (Array.isArray(run.referenced_workflows) ? run.referenced_workflows : []).map((workflow) => String(workflow?.path ?? '').toLowerCase());
  const calls = (file) => paths.some((path) => path.startsWith(`${inputs.gantry.toLowerCase()}/.github/workflows/${file}@`));
  const deploy = calls('deploy.yml');
  const rollback = calls('rollback.yml');
  if (deploy && !rollback) return { kind: 'deploy', link: runLink, runId };
  if (rollback && !deploy) return { kind: 'rollback', link: runLink, runId };
  if (deploy) return { kind: 'other', link: runLink, why: `its run ${runId} calls both ${inputs.gantry}'s deploy.yml and rollback.yml, so which of them made the deployment cannot be told (call them from separate workflows, as gantry's templates do)` };
  return { kind: 'other', link: runLink, why: `its run ${runId} (${run.path ?? 'unknown workflow'}) does not call ${inputs.gantry}/.github/workflows/deploy.yml` };
}

/**
 * What the Deployments API proves about SHA in PROMOTE_FROM. Deployments of the commit are read newest
 * first; still queued or in progress ones prove nothing either way and are skipped (unless they are a
 * rollback, below). Of the finished ones:
 * - made by gantry's deploy workflow: the newest decides (a re-deploy that failed after an earlier
 *   success is the latest word). Latest status success → proven; inactive after a success → proven
 *   (GitHub marks a successful deployment inactive when a newer deployment to the same environment
 *   succeeds, and only a successful one); failure, error, inactive without a success → refused.
 * - made by gantry's rollback workflow (GitHub records it under the commit the rollback was dispatched
 *   from): never proof. One newer than the newest deploy of the commit means the environment was rolled
 *   back while that branch's head was this commit — normally away from it — so it is refused until it
 *   is deployed there again, whatever the rollback's own state (failed, dry run or still running: the
 *   API does not say what it changed). Rollbacks older than the newest deploy are history and change
 *   nothing; a commit with nothing but rollbacks was never deployed there by gantry.
 * - made by anything else (another workflow, no Actions run): not gantry's evidence; skipped.
 */
async function findEvidence(inputs) {
  const repo = inputs.repository;
  const from = inputs.promoteFrom;
  const query = `sha=${inputs.sha}&environment=${encodeURIComponent(from)}&per_page=100`;
  const deployments = (await listAll(inputs, `/repos/${repo}/deployments?${query}`))
    .filter((deployment) => deployment.sha === undefined || deployment.sha === inputs.sha)
    .sort(newestFirst);
  if (deployments.length === 0) {
    return { proven: false, why: `${inputs.sha} has no successful deployment to ${from} (it was never deployed there)` };
  }
  const runs = new Map();
  let unfinished;
  let rollback;
  let other;
  for (const deployment of deployments) {
    const statuses = (await listAll(inputs, `/repos/${repo}/deployments/${deployment.id}/statuses?per_page=100`)).sort(newestFirst);
    const latest = statuses[0];
    const finished = latest !== undefined && !UNFINISHED.has(latest.state);
    // An unfinished deployment with no run link yet proves nothing and is skipped; one that has a link
    // is read like the others, so a rollback still running counts as a rollback.
    const origin = finished || hasRunLink(inputs, statuses) ? await originOf(inputs, deployment, statuses, runs) : undefined;
    if (origin?.kind === 'rollback') {
      rollback ??= { deployment, origin, state: latest?.state ?? 'no status' };
      continue;
    }
    if (!finished) {
      unfinished ??= { deployment, state: latest?.state ?? 'no status' };
      continue;
    }
    if (origin.kind === 'other') {
      other ??= { deployment, origin };
      continue;
    }
    const succeeded = statuses.some((status) => status.state === 'success');
    if (rollback) {
      return {
        proven: false,
        why: `${inputs.sha} has been rolled back in ${from} since its deploy there: deployment ${rollback.deployment.id} (${rollback.deployment.created_at ?? 'unknown time'}, ${rollback.state}) is from run ${rollback.origin.runId} of gantry's rollback workflow (${rollback.origin.link}), newer than deployment ${deployment.id} by its deploy workflow (${latest.state}), so ${from} no longer vouches for it`,
      };
    }
    if (latest.state === 'success' || (latest.state === 'inactive' && succeeded)) {
      return { proven: true, deployment, state: latest.state, runId: origin.runId, link: origin.link };
    }
    const said = latest.description ? ` ("${latest.description}")` : '';
    return {
      proven: false,
      why: `${inputs.sha} has no successful deployment to ${from}: its latest one (deployment ${deployment.id}, ${deployment.created_at ?? 'unknown time'}) is ${latest.state}${said}${succeeded ? ' after an earlier success (rolled back or failed on a re-deploy)' : ''}`,
    };
  }
  if (unfinished) {
    return {
      proven: false,
      why: `${inputs.sha} has no successful deployment to ${from}: deployment ${unfinished.deployment.id} has not finished (${unfinished.state})`,
    };
  }
  if (rollback) {
    return {
      proven: false,
      why: `${inputs.sha} has no successful deployment to ${from} by gantry's deploy workflow: deployment ${rollback.deployment.id} (${rollback.state}) is from run ${rollback.origin.runId} of gantry's rollback workflow (${rollback.origin.link}), which GitHub records under the commit it was dispatched from, not the one it restored`,
    };
  }
  return {
    proven: false,
    why: `${inputs.sha} has no successful deployment to ${from} by gantry's deploy workflow: deployment ${other.deployment.id} is not gantry's deploy, ${other.origin.why}`,
  };
}

async function gate(inputs) {
  if (inputs.promoteFrom === '') {
    if (inputs.target === 'production') {
      throw new GateError('Promotion not configured', 'promote-from is empty, so nothing would check that this commit passed an earlier environment before production. Set promote-from to the environment that deploys a commit first (promote-from: staging).');
    }
    setOutput('promotion', 'not-required');
    summary(`Promotion gate: not required for ${inputs.target} (no promote-from).`);
    return;
  }
  checkGateInputs(inputs);
  const evidence = await findEvidence(inputs);
  if (evidence.proven) {
    setOutput('promotion', 'proven');
    const superseded = evidence.state === 'inactive' ? ', since superseded by a newer deployment there' : '';
    console.log(`Promotion gate passed: ${inputs.sha} was deployed successfully to ${inputs.promoteFrom} by gantry's deploy workflow (deployment ${evidence.deployment.id}, run ${evidence.runId}${superseded}).`);
    summary(`Promotion gate passed: \`${inputs.sha}\` was deployed successfully to ${inputs.promoteFrom} by gantry's deploy workflow (deployment ${evidence.deployment.id}${superseded}) ([run ${evidence.runId}](${evidence.link})).`);
    if (inputs.allowUnpromoted) console.log('allow-unpromoted was set but not needed: the commit is promoted.');
    return;
  }
  if (inputs.allowUnpromoted) {
    setOutput('promotion', 'overridden');
    annotate('warning', 'Promotion gate overridden', `${inputs.actor} deploys ${inputs.sha} to ${inputs.target} without a successful ${inputs.promoteFrom} deployment. Reason: ${inputs.reason}`);
    summary(
      [
        '### :warning: Promotion gate overridden',
        '',
        `${cell(evidence.why)}.`,
        '',
        '| commit | target | skipped environment | by | reason |',
        '| --- | --- | --- | --- | --- |',
        `| \`${inputs.sha}\` | ${inputs.target} | ${inputs.promoteFrom} | ${cell(inputs.actor)} | ${cell(inputs.reason)} |`,
      ].join('\n'),
    );
    return;
  }
  throw new GateError(
    'Not promoted',
    `${evidence.why}. Deploy it to ${inputs.promoteFrom} first (a fast-forward such as main to develop keeps the SHA, a merge commit does not; or dispatch with the SHA ${inputs.promoteFrom} deployed), or set allow-unpromoted with an override-reason.`,
  );
}

try {
  await gate(readInputs(process.env));
} catch (error) {
  if (error instanceof GateError) {
    annotate('error', error.title, error.message);
  } else {
    annotate('error', 'Promotion gate failed', error?.stack ?? String(error));
  }
  process.exitCode = 1;
}
