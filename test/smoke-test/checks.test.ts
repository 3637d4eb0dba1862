/**
 * One attempt of each HTTP-based check and of tcp against real servers on 127.0.0.1: passing,
 * and failing with the reason asserted.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/util/clock';
import type { Check } from '../../actions/smoke-test/src/definitions';
import { createExecutor } from '../../actions/smoke-test/src/executor';
import { loadChecks, parseCheckList } from '../../actions/smoke-test/src/load';
import { closedPort, sendJson, sendText, startHttpServer, type TestServer } from './support/servers';

let server: TestServer;
let throttled = 0;
const executor = createExecutor(systemClock);

const routes: Record<string, (res: ServerResponse, body: string, headers: Record<string, unknown>) => void> = {
  '/health': (res) =>
    sendJson(res, 200, { status: 'ok', version: 'abc1234', deps: [{ name: 'db', up: true }] }, { 'cache-control': 'max-age=60' }),
  '/down': (res) => sendText(res, 503, `Service Unavailable\n${'padding '.repeat(100)}`),
  '/html': (res) => sendText(res, 200, '<h1>Welcome to the shop</h1>', { 'content-type': 'text/html' }),
  '/slow': (res) => void setTimeout(() => sendText(res, 200, 'slow'), 300),
  '/echo': (res, body, headers) => sendJson(res, 201, { body, auth: headers.authorization ?? null }),
  '/redirect': (res) => {
    res.writeHead(301, { location: 'https://shop.example.com/' });
    res.end();
  },
  '/redirect-http': (res) => {
    res.writeHead(302, { location: '/elsewhere' });
    res.end();
  },
  '/redirect-creds': (res) => {
    res.writeHead(302, { location: 'https://deploy:pw-LEAK@shop.example.com/' });
    res.end();
  },
  '/redirect-creds-http': (res) => {
    res.writeHead(302, { location: 'http://deploy:pw-LEAK@shop.example.com/' });
    res.end();
  },
  '/redirect-bare': (res) => {
    res.writeHead(308);
    res.end();
  },
  '/hsts': (res) => sendText(res, 200, 'ok', { 'strict-transport-security': 'max-age=63072000; includeSubDomains; preload' }),
  '/hsts-short': (res) => sendText(res, 200, 'ok', { 'strict-transport-security': 'max-age=300' }),
  '/limited': (res) => {
    throttled += 1;
    if (throttled > 5) sendText(res, 429, 'slow down', { 'retry-after': '1' });
    else sendText(res, 200, 'ok');
  },
  '/unlimited': (res) => sendText(res, 200, 'ok'),
  // 33 a's and a '!': a backtracking engine tries 2^33 ways to split them for ^(a+)+$.
  '/aaa': (res) => sendText(res, 200, `${'a'.repeat(33)}!`),
};

beforeAll(async () => {
  server = await startHttpServer((req, res, body) => {
    const route = routes[(req.url ?? '').split('?')[0]];
    if (route) route(res, body, req.headers);
    else sendText(res, 404, 'not found');
  });
});
afterAll(async () => {
  await executor.close();
  await server.close();
});

function check(yaml: string, env: Record<string, string> = {}): Check {
  const list = parseCheckList(yaml, 'checks');
  return loadChecks(list, { baseUrl: new URL(server.url), defaultTimeoutMs: 2000, env, workspace: process.cwd() }, 'checks').checks[0];
}

async function attempt(yaml: string, env: Record<string, string> = {}) {
  return executor.attempt(check(yaml, env));
}

describe('http check', () => {
  it('passes on status, body, JSON paths, headers and latency', async () => {
    const result = await attempt(`
- url: /health
  expect:
    status: 2xx
    body-contains: ['"status":"ok"']
    body-matches: '/"version":\\s*"[0-9a-f]{7}"/'
    json:
      $.status: ok
      $.deps[0].up: true
      $.deps[0]: { name: db, up: true }
    headers: { content-type: application/json, cache-control: '/^max-age=\\d+$/' }
    max-latency-ms: 2000
`);
    expect(result).toMatchObject({ ok: true, detail: expect.stringMatching(/^status 200 in \d+ ms$/) });
  });

  it('fails with every mismatch, the status, latency and a body excerpt of at most 200 characters', async () => {
    const result = await attempt('- { url: /down, expect: { body-contains: healthy } }');
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(
      /^status 503 \(expected 2xx\); body does not contain "healthy" — status 503, \d+ ms, body "Service Unavailable padding padding/,
    );
    const excerpt = /body "(.*)"$/.exec(result.reason ?? '')?.[1] ?? '';
    expect(excerpt.length).toBeLessThanOrEqual(200);
    expect(excerpt.endsWith('…')).toBe(true);
  });

  it('names the JSON path that differs or is missing, and a body that is not JSON', async () => {
    const wrong = await attempt('- { url: /health, expect: { json: { $.version: def5678, "$.deps[3].name": db } } }');
    expect(wrong.reason).toContain(
      '$.version is "abc1234" (expected "def5678"); $.deps[3].name not found: $.deps has 1 element(s), no index 3',
    );
    const html = await attempt('- { url: /html, expect: { json: { $.a: 1 } } }');
    expect(html.reason).toMatch(/^body is not JSON \(content-type text\/html\) — status 200/);
  });

  it('fails on headers, body regex and latency', async () => {
    const headers = await attempt(`- { url: /health, expect: { headers: { x-frame-options: DENY, cache-control: "/no-store/" } } }`);
    expect(headers.reason).toContain(
      'header x-frame-options is missing (expected "DENY"); header cache-control is "max-age=60" (expected matching /no-store/)',
    );
    const regex = await attempt(`- { url: /html, expect: { body-matches: "Goodbye \\\\w+" } }`);
    expect(regex.reason).toMatch(/^body does not match \/Goodbye \\w\+\//);
    const slow = await attempt('- { url: /slow, expect: { max-latency-ms: 50 } }');
    expect(slow.reason).toMatch(/^latency \d+ ms is over 50 ms — status 200/);
  });

  it('answers a catastrophic-backtracking pattern at once (linear-time engine), pass or fail', async () => {
    const fails = await attempt('- { url: /aaa, expect: { body-matches: "^(a+)+$" } }');
    expect(fails.reason).toMatch(/^body does not match \/\^\(a\+\)\+\$\/ — status 200/);
    const passes = await attempt(
      '- { url: /aaa, expect: { body-matches: "/^(A+)+!$/i", headers: { content-type: "/^(text|text)*\\\\/plain/" } } }',
    );
    expect(passes).toMatchObject({ ok: true });
  });

  it('sends the method, body and headers, including a secret from the environment', async () => {
    const result = await attempt(
      `- { url: /echo, method: POST, body: { hello: world }, headers: { Authorization: { env: TOKEN } }, expect: { status: 201, json: { $.body: '{"hello":"world"}', $.auth: Bearer s3cret } } }`,
      { TOKEN: 'Bearer s3cret' },
    );
    expect(result).toMatchObject({ ok: true });
    expect(server.requests.at(-1)).toMatchObject({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'gantry-smoke-test' },
    });
  });

  it('reports the error code of a refused connection and a timeout', async () => {
    const port = await closedPort();
    const refused = await attempt(`- url: http://127.0.0.1:${port}/`);
    expect(refused).toEqual({ ok: false, reason: `connect ECONNREFUSED 127.0.0.1:${port}` });
    const timeout = await attempt('- { url: /slow, timeout-ms: 50 }');
    expect(timeout).toEqual({ ok: false, reason: 'timed out after 50 ms' });
  });
});

describe('https-redirect check', () => {
  it('passes on a redirect to https', async () => {
    expect(await attempt(`- { type: https-redirect, url: ${server.url}/redirect, location: 'https://shop.example.com/' }`)).toMatchObject({
      ok: true,
      detail: '301 → https://shop.example.com/',
    });
  });
  it.each([
    ['/health', /^status 200 is not a redirect \(expected 301, 302, 307 or 308\) — status 200/],
    ['/redirect-http', /^redirects to http:\/\/127\.0\.0\.1:\d+\/elsewhere, not to https:\/\/ — status 302/],
    ['/redirect-bare', /^redirect 308 has no Location header/],
  ])('fails for %s', async (path, reason) => {
    const result = await attempt(`- { type: https-redirect, url: ${server.url}${path} }`);
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(reason);
  });
  it('shows redirect targets without their user information', async () => {
    const passed = await attempt(`- { type: https-redirect, url: ${server.url}/redirect-creds }`);
    expect(passed).toMatchObject({ ok: true, detail: '302 → https://***@shop.example.com/' });
    const failed = await attempt(`- { type: https-redirect, url: ${server.url}/redirect-creds-http }`);
    expect(failed.reason).toMatch(/^redirects to http:\/\/\*\*\*@shop\.example\.com\/, not to https:\/\//);
    expect(JSON.stringify([passed, failed])).not.toContain('pw-LEAK');
  });
  it('fails when the https target is not the expected one', async () => {
    const result = await attempt(`- { type: https-redirect, url: ${server.url}/redirect, location: '/^https:\\/\\/www\\./' }`);
    expect(result.reason).toMatch(/^redirects to https:\/\/shop\.example\.com\/ \(expected matching \/\^https:\\\/\\\/www\\.\/\)/);
  });
});

describe('rate-limit check', () => {
  it('passes once a request is throttled, and stops sending soon after', async () => {
    throttled = 0;
    const before = server.requests.length;
    const result = await attempt('- { type: rate-limit, url: /limited, requests: 100, concurrency: 4 }');
    expect(result).toMatchObject({ ok: true, detail: expect.stringMatching(/^429 at request \d+ of 100 \(200 ×5, 429 ×\d\)$/) });
    // Five allowed, the sixth throttled, at most three more already in flight.
    expect(server.requests.length - before).toBeLessThanOrEqual(9);
  });
  it('fails after exactly `requests` requests when nothing is throttled', async () => {
    const before = server.requests.length;
    const result = await attempt('- { type: rate-limit, url: /unlimited, requests: 30, concurrency: 5 }');
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/^no 429 in 30 requests, 5 at a time — got 200 ×30, \d+ ms$/);
    expect(server.requests.length - before).toBe(30);
  });
});

describe('tcp check', () => {
  it('passes on a listening port and fails on a closed one', async () => {
    expect(await attempt(`- { type: tcp, host: 127.0.0.1, port: ${server.port} }`)).toMatchObject({ ok: true });
    const port = await closedPort();
    expect(await attempt(`- { type: tcp, host: 127.0.0.1, port: ${port} }`)).toEqual({
      ok: false,
      reason: `connect ECONNREFUSED 127.0.0.1:${port}`,
    });
  });
});
