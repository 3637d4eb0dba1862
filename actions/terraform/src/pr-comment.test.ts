import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../lib/runner/logger';
import { findMarkedComment, upsertComment, type CommentApi, type IssueComment } from './pr-comment';

const marker = '<!-- gantry:terraform dir=infra workspace=default -->';
const BOT = 'github-actions[bot]';

function memoryApi(initial: IssueComment[] = [], identity = BOT): CommentApi & { comments: IssueComment[]; calls: string[] } {
  const comments = initial.map((c) => ({ ...c }));
  const calls: string[] = [];
  let next = 100;
  return {
    comments,
    calls,
    identity: async () => identity,
    list: async () => (calls.push('list'), comments.map((c) => ({ ...c }))),
    create: async (body) => {
      calls.push('create');
      const c = { id: next++, body, author: identity };
      comments.push(c);
      return c;
    },
    update: async (id, body) => {
      calls.push(`update ${id}`);
      const c = comments.find((x) => x.id === id);
      if (!c) throw new Error('404');
      if (c.author !== identity) throw Object.assign(new Error('Forbidden'), { status: 403 });
      c.body = body;
      return c;
    },
  };
}

describe('upsertComment', () => {
  it('creates the comment the first time and updates it in place afterwards', async () => {
    const api = memoryApi([{ id: 1, body: 'LGTM', author: 'alice' }]);
    const log = memoryLogger();
    expect(await upsertComment(api, marker, `${marker}\nfirst`, log)).toEqual({ action: 'created', id: 100 });
    expect(await upsertComment(api, marker, `${marker}\nsecond`, log)).toEqual({ action: 'updated', id: 100 });
    expect(api.comments).toEqual([
      { id: 1, body: 'LGTM', author: 'alice' },
      { id: 100, body: `${marker}\nsecond`, author: BOT },
    ]);
  });

  it('keeps comments of other directories and workspaces apart', async () => {
    const other = '<!-- gantry:terraform dir=infra workspace=production -->';
    const api = memoryApi([{ id: 5, body: `${other}\nprod plan`, author: BOT }]);
    await upsertComment(api, marker, `${marker}\nstaging plan`, memoryLogger());
    expect(api.calls).toEqual(['list', 'create']);
    expect(api.comments[0].body).toBe(`${other}\nprod plan`);
  });

  it('never takes a comment by someone else for its own, even one that carries the marker (a spoofed "No changes")', async () => {
    const spoofed = { id: 7, body: `${marker}\nNo changes. Your infrastructure matches the configuration.`, author: 'mallory' };
    const api = memoryApi([spoofed]);
    const log = memoryLogger();
    expect(await upsertComment(api, marker, `${marker}\n1 to destroy`, log)).toEqual({ action: 'created', id: 100 });
    expect(api.calls).toEqual(['list', 'create']);
    expect(api.comments[0]).toEqual(spoofed);
    expect(log.warnings).toEqual([]);
    expect(findMarkedComment(api.comments, marker, BOT)?.id).toBe(100);
  });

  it('only a marker on the first line counts (a quoted marker is not gantry’s comment)', () => {
    const quoted = { id: 2, body: `> ${marker}\nwhy is this here?`, author: BOT };
    const later = { id: 3, body: `see:\n${marker}`, author: BOT };
    expect(findMarkedComment([quoted, later], marker, BOT)).toBeUndefined();
    expect(
      findMarkedComment(
        [
          { id: 4, body: `${marker}\r\nold`, author: BOT },
          { id: 9, body: `${marker}\nnew`, author: BOT },
        ],
        marker,
        BOT,
      )?.id,
    ).toBe(9);
  });

  it('a failing API is a warning that says what the token needs, not a failed plan', async () => {
    const api = memoryApi();
    api.list = async () => {
      throw Object.assign(new Error('Resource not accessible by integration'), { name: 'HttpError' });
    };
    const log = memoryLogger();
    expect(await upsertComment(api, marker, 'body', log)).toEqual({ action: 'failed', id: undefined });
    expect(log.warnings[0]).toMatch(/Could not comment.*Resource not accessible by integration.*pull-requests: write/);
  });
});
