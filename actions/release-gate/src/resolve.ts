/**
 * The commit and version of a run, validated before anything is written to GITHUB_OUTPUT (a version
 * with a newline would inject outputs), and for an environment that is promoted into, proof that the
 * commit is in the reviewed history of the production branch (compare API): a dispatch with `ref` set to
 * any commit of the repository (a pull request's head, a branch nobody reviewed) is refused before any
 * job with production credentials starts.
 */
import { execFileSync } from 'node:child_process';
import { ActionFailure } from '../../../lib/runner/errors';
import type { Logger } from '../../../lib/runner/logger';
import { normalizeVersion, parseVersion } from '../../../lib/ecs/metadata';
import type { GitHubApi } from './github-api';
import { isProductionName, type ResolveInputs } from './inputs';

const FULL_SHA = /^[0-9a-f]{40}$/;

export interface ResolveOutcome {
  sha: string;
  version: string;
  summary: string;
}

/** HEAD of the checkout in `cwd`: the commit `ref` resolved to. */
export function checkedOutSha(cwd: string): string {
  let out: string;
  try {
    out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    throw new ActionFailure(
      'GANTRY-GATE-031',
      `Cannot read the checked-out commit in ${cwd} (git rev-parse HEAD): ${(err as Error).message.split('\n')[0]}. The resolve job checks the application out first.`,
    );
  }
  if (!FULL_SHA.test(out))
    throw new ActionFailure('GANTRY-GATE-032', `git rev-parse HEAD in ${cwd} answered '${out}', not a full commit SHA.`);
  return out;
}

interface Comparison {
  status?: string;
}

/** Whether `sha` is `branch` or one of its ancestors (GET /compare/{branch}...{sha}: behind or identical). */
export async function requireReachable(api: GitHubApi, repository: string, branch: string, sha: string): Promise<void> {
  const path = `/repos/${repository}/compare/${encodeURIComponent(branch)}...${sha}`;
  const comparison = await api.get<Comparison>(
    path,
    'repository',
    `The job needs contents: read on ${repository}; a 404 with it granted means the branch ${branch} (production-branch) does not exist or ${sha} is not a commit of ${repository} (a fork's commit).`,
  );
  if (comparison.status === 'behind' || comparison.status === 'identical') return;
  throw new ActionFailure(
    'GANTRY-GATE-033',
    `Commit not on ${branch}: ${sha} is not reachable from ${branch} (the compare API says ${comparison.status ?? 'nothing'}), so its code has not been merged through ${branch}'s review. Deploy a commit of ${branch}'s history: merge the change into ${branch} first, or dispatch from ${branch} without ref.`,
  );
}

export async function resolveCommit(inputs: ResolveInputs, api: GitHubApi | undefined, sha: string, log: Logger): Promise<ResolveOutcome> {
  let version = '';
  if (inputs.version !== undefined) version = normalizeVersion(inputs.version);
  else if (inputs.ref !== undefined && /^v?\d/.test(inputs.ref)) version = parseVersion(inputs.ref) ?? '';
  const promoted = inputs.promoteFrom !== undefined || isProductionName(inputs.environment);
  if (promoted) {
    if (!api) throw new ActionFailure('GANTRY-GATE-034', 'No GitHub API client for the reachability check.');
    await requireReachable(api, inputs.repository, inputs.productionBranch, sha);
    log.info(`${sha} is in the history of ${inputs.productionBranch}.`);
  }
  log.info(`Deploying ${sha}${version ? ` (version ${version})` : ''} to ${inputs.environment}.`);
  // GitHub records the deploy job's deployment under the run's commit (github.sha), whatever `ref`
  // checked out; see docs/infra/workflows.md, "Which commit a deployment is recorded under".
  if (sha !== inputs.runSha) {
    const note = `GitHub records this run's ${inputs.environment} deployment under ${inputs.runSha} (the commit the run started from), not under ${sha} (the commit deployed); the run summary and the task definition's gantry:git-sha tag name ${sha}.`;
    if (inputs.promoteFrom === undefined) {
      log.warning(
        `${note} A promotion gate that trusts ${inputs.environment} would count ${inputs.runSha} as deployed here: deploy ${inputs.environment} from a push (no ref) to keep its deployments evidence.`,
        { title: 'Deployment recorded under another commit' },
      );
    } else {
      log.info(`Deployment recorded under another commit: ${note}`);
    }
  }
  const reach = promoted ? `; reachable from \`${inputs.productionBranch}\`` : '';
  return { sha, version, summary: `Resolved \`${sha}\`${version ? ` (version ${version})` : ''} for ${inputs.environment}${reach}.` };
}
