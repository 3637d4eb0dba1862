/**
 * What GitHub proves about a commit in the promote-from environment. GitHub creates a deployment for
 * every job that declares `environment:`, with the job's result as its status and the job's page as each
 * status's log_url; but anyone with write access can also create one through the REST API, with any
 * status and any link. So a deployment counts only when every link of the chain holds:
 *
 *   deployment  created by github-actions[bot]                         (Deployments API: creator)
 *   → status    log_url = <server>/<repo>/actions/runs/<run>/job/<job>
 *   → run       of this commit, calling gantry's deploy.yml (not rollback.yml), triggered by `push`
 *               on promote-from-branch, concluded `success`             (Actions API: the run)
 *   → job       of that run, gantry's deploy job for promote-from, concluded `success` (Actions API: the job)
 *   → record    the job's `gantry release` annotation: the image digest it deployed (Checks API)
 *
 * A deployment that breaks the chain is not evidence and is skipped, and the refusal says which link
 * broke. Of the genuine ones, newest first, the newest finished deploy decides, and a rollback newer
 * than it refuses (see findEvidence).
 */
import type { GitHubApi } from './github-api';

export const ACTIONS_BOT = 'github-actions[bot]';
export const RELEASE_ANNOTATION = 'gantry release';
const UNFINISHED = new Set(['queued', 'pending', 'in_progress']);

export interface Deployment {
  id: number;
  sha?: string;
  created_at?: string;
  creator?: { login?: string } | null;
}

export interface DeploymentStatus {
  state: string;
  created_at?: string;
  description?: string;
  log_url?: string;
  target_url?: string;
}

export interface WorkflowRun {
  id?: number;
  head_sha?: string;
  head_branch?: string | null;
  event?: string;
  status?: string;
  conclusion?: string | null;
  html_url?: string;
  path?: string;
  referenced_workflows?: Array<{ path?: string }> | null;
}

export interface WorkflowJob {
  id?: number;
  run_id?: number;
  name?: string;
  status?: string;
  conclusion?: string | null;
}

export interface CheckAnnotation {
  title?: string | null;
  message?: string | null;
}

export interface EvidenceRequest {
  repository: string;
  gantry: string;
  sha: string;
  promoteFrom: string;
  promoteFromBranch: string;
}

export type Evidence =
  | { proven: true; deploymentId: number; state: string; runId: string; link: string; image: string; digest: string }
  | { proven: false; why: string };

/** The job name of gantry's deploy job (deploy.yml `name: Deploy to ${{ inputs.environment }}`), alone or under the caller's job. */
export function isDeployJobName(name: string | undefined, environment: string): boolean {
  const wanted = `Deploy to ${environment}`;
  return name === wanted || (name ?? '').endsWith(` / ${wanted}`);
}

/** The image a `gantry release` annotation records, when it is for this commit. */
export function releaseRecord(annotations: readonly CheckAnnotation[], sha: string): { image: string; digest: string } | undefined {
  for (const annotation of annotations) {
    if (annotation.title !== RELEASE_ANNOTATION) continue;
    const message = annotation.message ?? '';
    const image = /(?:^|\s)image=(\S+@(sha256:[0-9a-f]{64}))(?:\s|$)/.exec(message);
    const recordedSha = /(?:^|\s)sha=([0-9a-f]{40})(?:\s|$)/.exec(message)?.[1];
    if (image && recordedSha === sha) return { image: image[1], digest: image[2] };
  }
  return undefined;
}

function newestFirst<T extends { created_at?: string; id?: number }>(a: T, b: T): number {
  return String(b.created_at ?? '').localeCompare(String(a.created_at ?? '')) || Number(b.id ?? 0) - Number(a.id ?? 0);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function statusLink(statuses: readonly DeploymentStatus[]): string {
  return statuses.map((status) => status.log_url || status.target_url || '').find(Boolean) ?? '';
}

type Origin =
  | { kind: 'deploy'; runId: string; jobId: string | undefined; run: WorkflowRun; link: string }
  | { kind: 'rollback'; runId: string; link: string }
  | { kind: 'other'; why: string };

export class EvidenceReader {
  private readonly runs = new Map<string, WorkflowRun>();

  constructor(
    private readonly api: GitHubApi,
    private readonly request: EvidenceRequest,
  ) {}

  private linkOf(link: string): { runId: string; jobId: string | undefined } | undefined {
    const match = new RegExp(`/${escapeRegExp(this.request.repository)}/actions/runs/(\\d+)(?:/job/(\\d+))?(?:[/?#]|$)`, 'i').exec(link);
    return match ? { runId: match[1], jobId: match[2] } : undefined;
  }

  private async run(runId: string, deployment: Deployment): Promise<WorkflowRun> {
    let run = this.runs.get(runId);
    if (!run) {
      const { repository, promoteFrom } = this.request;
      run = await this.api.get<WorkflowRun>(
        `/repos/${repository}/actions/runs/${runId}`,
        'actions',
        `The gate reads the workflow run behind ${promoteFrom} deployment ${deployment.id} to tell gantry's deploy workflow from its rollback workflow, and cannot without it: the gate job needs actions: read on ${repository}, so the calling job must grant it (permissions: actions: read). A 404 with actions: read granted means the run was deleted: deploy the commit to ${promoteFrom} again.`,
      );
      this.runs.set(runId, run);
    }
    return run;
  }

  /** Which workflow made a deployment, from its creator and the run its statuses link to. */
  private async originOf(deployment: Deployment, statuses: readonly DeploymentStatus[]): Promise<Origin> {
    const { repository, gantry, sha, promoteFromBranch } = this.request;
    const creator = deployment.creator?.login;
    if (creator !== ACTIONS_BOT) {
      return {
        kind: 'other',
        why: `it was created by ${creator ?? 'an unknown user'}, not by GitHub Actions (${ACTIONS_BOT}): anyone with write access can create a deployment through the API`,
      };
    }
    const link = statusLink(statuses);
    const target = this.linkOf(link);
    if (!target)
      return {
        kind: 'other',
        why: link
          ? `its status links to ${link}, not to a GitHub Actions run of ${repository}`
          : 'its statuses link to no GitHub Actions run',
      };
    const run = await this.run(target.runId, deployment);
    const runLink = run.html_url || link;
    if (run.head_sha !== sha) return { kind: 'other', why: `its run ${target.runId} is of commit ${run.head_sha}, not of ${sha}` };
    const paths = (Array.isArray(run.referenced_workflows) ? run.referenced_workflows : []).map((workflow) =>
      String(workflow?.path ?? '').toLowerCase(),
    );
    const calls = (file: string) => paths.some((path) => path.startsWith(`${gantry.toLowerCase()}/.github/workflows/${file}@`));
    const deploy = calls('deploy.yml');
    const rollback = calls('rollback.yml');
    if (rollback && !deploy) return { kind: 'rollback', runId: target.runId, link: runLink };
    if (deploy && rollback) {
      return {
        kind: 'other',
        why: `its run ${target.runId} calls both ${gantry}'s deploy.yml and rollback.yml, so which of them made the deployment cannot be told (call them from separate workflows, as gantry's templates do)`,
      };
    }
    if (!deploy)
      return {
        kind: 'other',
        why: `its run ${target.runId} (${run.path ?? 'unknown workflow'}) does not call ${gantry}/.github/workflows/deploy.yml`,
      };
    if (run.event !== 'push')
      return {
        kind: 'other',
        why: `its run ${target.runId} was triggered by ${run.event ?? 'an unknown event'}, not by a push to ${promoteFromBranch}`,
      };
    if (run.head_branch !== promoteFromBranch)
      return {
        kind: 'other',
        why: `its run ${target.runId} ran on ${run.head_branch ?? 'no branch'}, not on ${promoteFromBranch} (promote-from-branch)`,
      };
    return { kind: 'deploy', runId: target.runId, jobId: target.jobId, run, link: runLink };
  }

  /** A successful deploy deployment's remaining links: the run's conclusion, the deploy job, the release record. */
  private async proof(origin: Extract<Origin, { kind: 'deploy' }>): Promise<{ image: string; digest: string } | { why: string }> {
    const { repository, promoteFrom, sha } = this.request;
    const { run, runId, jobId } = origin;
    if (run.status !== 'completed' || run.conclusion !== 'success') {
      return {
        why: `its run ${runId} ${run.status === 'completed' ? `concluded ${run.conclusion ?? 'without a conclusion'}` : `has not completed (${run.status ?? 'unknown status'})`}, not success`,
      };
    }
    if (jobId === undefined) return { why: `its status links to run ${runId} but to no job of it, so the deploy job cannot be checked` };
    const job = await this.api.get<WorkflowJob>(`/repos/${repository}/actions/jobs/${jobId}`, 'actions');
    if (String(job.run_id) !== runId) return { why: `its job ${jobId} belongs to run ${job.run_id}, not to run ${runId}` };
    if (!isDeployJobName(job.name, promoteFrom))
      return { why: `its job ${jobId} is "${job.name ?? ''}", not gantry's deploy job (Deploy to ${promoteFrom})` };
    if (job.conclusion !== 'success')
      return { why: `its deploy job ${jobId} concluded ${job.conclusion ?? 'without a conclusion'}, not success` };
    const annotations = await this.api.list<CheckAnnotation>(`/repos/${repository}/check-runs/${jobId}/annotations?per_page=100`, 'checks');
    const record = releaseRecord(annotations, sha);
    if (!record) {
      return {
        why: `its deploy job ${jobId} left no "${RELEASE_ANNOTATION}" record of the image digest it deployed (a gantry version before digest promotion): deploy the commit to ${promoteFrom} again`,
      };
    }
    return record;
  }

  /**
   * Newest deployment first; unfinished ones prove nothing and are skipped (unless they are a rollback).
   * Of the genuine, finished ones:
   * - the newest gantry deploy decides: success (or inactive after a success: GitHub marks a successful
   *   deployment inactive when a newer one to the environment succeeds) passes when its run, job and release
   *   record hold; failure or error refuses;
   * - a rollback (GitHub records it under the commit it was dispatched from) is never proof, and one newer
   *   than the newest deploy refuses the commit, whatever its own state;
   * - anything else is not evidence and is skipped; the refusal names why the newest such one did not count.
   */
  async find(): Promise<Evidence> {
    const { repository, sha, promoteFrom } = this.request;
    const query = `sha=${sha}&environment=${encodeURIComponent(promoteFrom)}&per_page=100`;
    const deployments = (await this.api.list<Deployment>(`/repos/${repository}/deployments?${query}`, 'deployments'))
      .filter((deployment) => deployment.sha === undefined || deployment.sha === sha)
      .sort(newestFirst);
    if (deployments.length === 0)
      return { proven: false, why: `${sha} has no successful deployment to ${promoteFrom} (it was never deployed there)` };
    let unfinished: { deployment: Deployment; state: string } | undefined;
    let rollback: { deployment: Deployment; runId: string; link: string; state: string } | undefined;
    let other: { deployment: Deployment; why: string } | undefined;
    for (const deployment of deployments) {
      const statuses = (
        await this.api.list<DeploymentStatus>(`/repos/${repository}/deployments/${deployment.id}/statuses?per_page=100`, 'deployments')
      ).sort(newestFirst);
      const latest = statuses[0];
      const finished = latest !== undefined && !UNFINISHED.has(latest.state);
      const linked = this.linkOf(statusLink(statuses)) !== undefined;
      const origin = finished || linked ? await this.originOf(deployment, statuses) : undefined;
      if (origin?.kind === 'rollback') {
        rollback ??= { deployment, runId: origin.runId, link: origin.link, state: latest?.state ?? 'no status' };
        continue;
      }
      if (!finished || origin === undefined) {
        unfinished ??= { deployment, state: latest?.state ?? 'no status' };
        continue;
      }
      if (origin.kind === 'other') {
        other ??= { deployment, why: origin.why };
        continue;
      }
      const succeeded = statuses.some((status) => status.state === 'success');
      if (latest.state === 'success' || (latest.state === 'inactive' && succeeded)) {
        const proof = await this.proof(origin);
        if ('why' in proof) {
          other ??= { deployment, why: proof.why };
          continue;
        }
        if (rollback) {
          return {
            proven: false,
            why: `${sha} has been rolled back in ${promoteFrom} since its deploy there: deployment ${rollback.deployment.id} (${rollback.deployment.created_at ?? 'unknown time'}, ${rollback.state}) is from run ${rollback.runId} of gantry's rollback workflow (${rollback.link}), newer than deployment ${deployment.id} by its deploy workflow (${latest.state}), so ${promoteFrom} no longer vouches for it`,
          };
        }
        return { proven: true, deploymentId: deployment.id, state: latest.state, runId: origin.runId, link: origin.link, ...proof };
      }
      const said = latest.description ? ` ("${latest.description}")` : '';
      return {
        proven: false,
        why: `${sha} has no successful deployment to ${promoteFrom}: its latest one (deployment ${deployment.id}, ${deployment.created_at ?? 'unknown time'}) is ${latest.state}${said}${succeeded ? ' after an earlier success (rolled back or failed on a re-deploy)' : ''}`,
      };
    }
    if (unfinished)
      return {
        proven: false,
        why: `${sha} has no successful deployment to ${promoteFrom}: deployment ${unfinished.deployment.id} has not finished (${unfinished.state})`,
      };
    if (rollback) {
      return {
        proven: false,
        why: `${sha} has no successful deployment to ${promoteFrom} by gantry's deploy workflow: deployment ${rollback.deployment.id} (${rollback.state}) is from run ${rollback.runId} of gantry's rollback workflow (${rollback.link}), which GitHub records under the commit it was dispatched from, not the one it restored`,
      };
    }
    const skipped = other as { deployment: Deployment; why: string };
    return {
      proven: false,
      why: `${sha} has no successful deployment to ${promoteFrom} by gantry's deploy workflow: deployment ${skipped.deployment.id} does not count, ${skipped.why}`,
    };
  }
}
