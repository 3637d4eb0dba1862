#!/usr/bin/env node
// gantry's promotion gate: the `gate` job of .github/workflows/deploy.yml runs this file from the
// gantry checkout at job.workflow_sha (`node .gantry/.github/scripts/promotion-gate.mjs`), so a
// caller in another repository runs exactly the gate of the workflow commit it pinned.
//
// A commit may go to TARGET_ENVIRONMENT only when PROMOTE_FROM has deployed it successfully, as the
// GitHub Deployments API records it (GitHub creates a deployment for every job that declares
// `environment:`, with the job's result as its status). Unless ALLOW_UNPROMOTED is 'true' and
// OVERRIDE_REASON says why: then the override is recorded as a warning annotation and in the summary.
//
// Input, all through the step's env: (never ${{ }} in a script):
//   TARGET_ENVIRONMENT  environment this run deploys to
//   PROMOTE_FROM        environment that must have deployed SHA first; empty = no promotion required
//   SHA                 full commit SHA being deployed
//   ALLOW_UNPROMOTED    'true' to deploy without that proof (needs OVERRIDE_REASON)
//   OVERRIDE_REASON     why the gate is overridden
//   ACTOR               who asked (github.triggering_actor)
//   REPOSITORY          owner/name whose deployments are read (github.repository)
//   GH_TOKEN            token with deployments: read (or GITHUB_TOKEN)
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
  if (!inputs.token) throw new GateError('No token', 'GH_TOKEN is empty: the gate needs a token with deployments: read to ask the Deployments API.');
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

/** Every item of a paginated list endpoint. */
async function listAll(inputs, path) {
  const items = [];
  let url = `${inputs.api}${path}`;
  for (let page = 0; url && page < MAX_PAGES; page += 1) {
    let response;
    try {
      response = await fetch(url, {
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${inputs.token}`,
          'x-github-api-version': '2022-11-28',
          'user-agent': 'gantry-promotion-gate',
        },
      });
    } catch (error) {
      throw new GateError('Deployments API unreachable', `GET ${path}: ${error.cause?.message ?? error.message}. Re-run the job.`);
    }
    if (!response.ok) {
      const body = await response.text();
      let message = body.slice(0, 300);
      try {
        message = JSON.parse(body).message ?? message;
      } catch {
        // not JSON: keep the text
      }
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

/** Newest first: by creation time, then by id (ids grow). */
function newestFirst(a, b) {
  return String(b.created_at ?? '').localeCompare(String(a.created_at ?? '')) || Number(b.id ?? 0) - Number(a.id ?? 0);
}

/**
 * What the Deployments API proves about SHA in PROMOTE_FROM. The newest deployment of the commit that
 * has finished decides (a re-deploy that failed after an earlier success is the latest word):
 * - latest status success → proven;
 * - latest status inactive after a success → proven: GitHub marks a successful deployment inactive
 *   when a newer deployment to the same environment succeeds (and only a successful one);
 * - failure, error, or inactive without a success (a rollback, a failed smoke test) → refused.
 * Deployments still queued or in progress prove nothing either way and are skipped.
 */
async function findEvidence(inputs) {
  const repo = inputs.repository;
  const query = `sha=${inputs.sha}&environment=${encodeURIComponent(inputs.promoteFrom)}&per_page=100`;
  const deployments = (await listAll(inputs, `/repos/${repo}/deployments?${query}`))
    .filter((deployment) => deployment.sha === undefined || deployment.sha === inputs.sha)
    .sort(newestFirst);
  if (deployments.length === 0) {
    return { proven: false, why: `${inputs.sha} has no successful deployment to ${inputs.promoteFrom} (it was never deployed there)` };
  }
  let unfinished;
  for (const deployment of deployments) {
    const statuses = (await listAll(inputs, `/repos/${repo}/deployments/${deployment.id}/statuses?per_page=100`)).sort(newestFirst);
    const latest = statuses[0];
    if (!latest || UNFINISHED.has(latest.state)) {
      unfinished ??= { deployment, state: latest?.state ?? 'no status' };
      continue;
    }
    const succeeded = statuses.some((status) => status.state === 'success');
    if (latest.state === 'success' || (latest.state === 'inactive' && succeeded)) {
      return { proven: true, deployment, state: latest.state, link: latest.log_url || latest.target_url || '' };
    }
    const said = latest.description ? ` ("${latest.description}")` : '';
    return {
      proven: false,
      why: `${inputs.sha} has no successful deployment to ${inputs.promoteFrom}: its latest one (deployment ${deployment.id}, ${deployment.created_at ?? 'unknown time'}) is ${latest.state}${said}${succeeded ? ' after an earlier success (rolled back or failed on a re-deploy)' : ''}`,
    };
  }
  return {
    proven: false,
    why: `${inputs.sha} has no successful deployment to ${inputs.promoteFrom}: deployment ${unfinished.deployment.id} has not finished (${unfinished.state})`,
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
    const link = evidence.link ? ` ([run](${evidence.link}))` : '';
    console.log(`Promotion gate passed: ${inputs.sha} was deployed successfully to ${inputs.promoteFrom} (deployment ${evidence.deployment.id}${superseded}).`);
    summary(`Promotion gate passed: \`${inputs.sha}\` was deployed successfully to ${inputs.promoteFrom} (deployment ${evidence.deployment.id}${superseded})${link}.`);
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
