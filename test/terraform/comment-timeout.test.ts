/** The PR comment's GitHub API calls are bounded: a GitHub that never answers cannot hold the step. */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { githubCommentApi } from '../../actions/terraform/src/github-comments';

let server: http.Server;
let url: string;
const sockets = new Set<Socket>();
beforeAll(async () => {
  server = http.createServer(() => undefined); // never answers
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

it('a GitHub API that never answers fails the comment within its budget', async () => {
  const api = githubCommentApi('ghs_test', url, { owner: 'acme', repo: 'shop', number: 7 }, 300);
  const started = Date.now();
  await expect(api.list()).rejects.toThrow();
  expect(Date.now() - started).toBeLessThan(3_000);
});
