/** CommentApi over GitHub's REST issue-comments endpoints, through @actions/github's Octokit. */
import { getOctokit } from '@actions/github';
import type { PullRequest } from './inputs';
import type { CommentApi } from './pr-comment';

/**
 * Octokit sets no timeout: a GitHub API that never answers would hold the step until the job's
 * timeout. The comment is best effort (a failure is a warning), so all its calls share one budget.
 */
export const COMMENT_BUDGET_MS = 60_000;

export function githubCommentApi(token: string, apiUrl: string, pullRequest: PullRequest, budgetMs = COMMENT_BUDGET_MS): CommentApi {
  const octokit = getOctokit(token, { baseUrl: apiUrl, request: { signal: AbortSignal.timeout(budgetMs) } });
  const target = { owner: pullRequest.owner, repo: pullRequest.repo };
  return {
    async list() {
      const comments = await octokit.paginate(octokit.rest.issues.listComments, {
        ...target,
        issue_number: pullRequest.number,
        per_page: 100,
      });
      return comments.map((c) => ({ id: c.id, body: c.body ?? '' }));
    },
    async create(body) {
      const { data } = await octokit.rest.issues.createComment({ ...target, issue_number: pullRequest.number, body });
      return { id: data.id, body: data.body ?? '' };
    },
    async update(id, body) {
      const { data } = await octokit.rest.issues.updateComment({ ...target, comment_id: id, body });
      return { id: data.id, body: data.body ?? '' };
    },
  };
}
