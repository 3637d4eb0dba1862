/**
 * One plan comment per working directory and workspace, updated in place: the comment is
 * found by its author (the token's identity) and the hidden marker on its first line, so re-running a
 * plan never adds another and nobody else's comment is taken for it.
 */
import { describeError } from '../../../lib/runner/errors';
import type { Logger } from '../../../lib/runner/logger';

export interface IssueComment {
  id: number;
  body: string;
  /** Login of the comment's author. */
  author: string;
}

/** The calls gantry needs from GitHub's issue-comments API (adapter: github-comments.ts). */
export interface CommentApi {
  /** Login of the token's own identity: the author gantry's comments have (github-actions[bot] for GITHUB_TOKEN). */
  identity(): Promise<string>;
  list(): Promise<IssueComment[]>;
  create(body: string): Promise<IssueComment>;
  update(id: number, body: string): Promise<IssueComment>;
}

export interface CommentOutcome {
  action: 'created' | 'updated' | 'failed';
  id: number | undefined;
}

/**
 * gantry's own comment: written by the token's identity and carrying `marker` on its first line (the
 * newest if a race left two). The marker alone proves nothing: anyone can post a comment that starts
 * with it ("No changes"), and that comment must never be taken for the plan.
 */
export function findMarkedComment(comments: readonly IssueComment[], marker: string, author: string): IssueComment | undefined {
  const marked = comments.filter((c) => c.author === author && c.body.split(/\r?\n/, 1)[0].trim() === marker);
  return marked[marked.length - 1];
}

/**
 * Creates or updates the comment. A failure to comment (e.g. the read-only token of a pull
 * request from a fork) is a warning, not a failed plan: the plan is in the job summary.
 */
export async function upsertComment(api: CommentApi, marker: string, body: string, log: Logger): Promise<CommentOutcome> {
  try {
    const author = await api.identity();
    const existing = findMarkedComment(await api.list(), marker, author);
    if (existing) {
      await api.update(existing.id, body);
      log.info(`Updated the plan comment ${existing.id} on the pull request.`);
      return { action: 'updated', id: existing.id };
    }
    const created = await api.create(body);
    log.info(`Commented the plan on the pull request (comment ${created.id}).`);
    return { action: 'created', id: created.id };
  } catch (err) {
    log.warning(
      `Could not comment the plan on the pull request: ${describeError(err)}. ` +
        'The token needs `pull-requests: write` (pull requests from forks only get a read-only token). The plan is in the job summary.',
    );
    return { action: 'failed', id: undefined };
  }
}
