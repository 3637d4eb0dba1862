/**
 * The bundle (actions/smoke-test/dist/index.js) run as the runner runs it, against real
 * servers on 127.0.0.1: a full passing run, the version check old vs new, every kind of bad
 * check definition (exit 1, index and field named, nothing requested), Node 24, and https
 * trusted through NODE_EXTRA_CA_CERTS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { node24Binary, runAction } from '../support/harness';
import { daysFromNow, makeCertificate } from './support/certs';
import { closedPort, sendJson, sendText, startHttpServer, startHttpsServer, type TestServer } from './support/servers';

const NEW_SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'; // the harness's GITHUB_SHA
let reportedVersion = NEW_SHA.slice(0, 7);
let server: TestServer;
const workspace = mkdtempSync(path.join(os.tmpdir(), 'smoke-e2e-'));

beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    switch (req.url) {
      case '/health':
        return sendJson(res, 200, { status: 'ok', version: reportedVersion });
      case '/login':
        return sendText(res, 429, 'too many');
      case '/':
        res.writeHead(301, { location: 'https://shop.example.com/' });
        res.end();
        return;
      default:
        return sendText(res, 200, '<title>Shop</title>', { 'content-type': 'text/html' });
    }
  });
});
afterAll(async () => {
  await server.close();
  rmSync(workspace, { recursive: true, force: true });
});
beforeEach(() => {
  server.requests.length = 0;
});

const CHECKS = () => `
checks:
  - name: health
    url: /health
    expect: { json: { $.status: ok } }
  - name: home
    url: /shop
    headers: { Authorization: { value: Bearer tok-SECRET-42, secret: true } }
    expect: { status: 200, body-contains: <title>Shop</title>, headers: { content-type: /^text\\/html/ } }
  - { name: redirect, type: https-redirect, url: '${server.url}/' }
  - { name: throttle, type: rate-limit, url: /login, requests: 5 }
  - { name: port, type: tcp, host: 127.0.0.1, port: ${server.port} }
`;

describe('smoke-test end to end', () => {
  it('passes every check, writes outputs, a summary table and masks secret headers', async () => {
    writeFileSync(path.join(workspace, 'smoke.yml'), CHECKS());
    const result = await runAction(
      'smoke-test',
      { 'base-url': server.url, 'checks-file': 'smoke.yml', 'expect-version': NEW_SHA, 'timeout-seconds': 5, 'interval-seconds': 1 },
      { workspace },
    );
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ passed: '6', failed: '0' });
    const report = JSON.parse(result.outputs.report) as { name: string; status: string; attempts: number }[];
    expect(report.map((r) => [r.name, r.status, r.attempts])).toEqual([
      ['health', 'passed', 1],
      ['home', 'passed', 1],
      ['redirect', 'passed', 1],
      ['throttle', 'passed', 1],
      ['port', 'passed', 1],
      ['version', 'passed', 1],
    ]);
    expect(result.stdout).toContain('::add-mask::Bearer tok-SECRET-42');
    expect(result.stdout).toContain('::group::Running 6 smoke check(s), 8 at a time, until 5s');
    expect(result.stdout).toContain('All 6 smoke check(s) passed.');
    expect(result.summary).toContain('## Smoke test: ✅ all 6 checks passed');
    expect(result.summary).toMatch(
      /\| version \| http \| GET http:\/\/127\.0\.0\.1:\d+\/health \| ✅ passed \| 1 \| \d+ ms \| status 200 in \d+ ms \|/,
    );
    expect(result.summary).toContain(`| **Expected version** | ${NEW_SHA} |`);
    expect(server.requests.find((r) => r.path === '/shop')?.headers.authorization).toBe('Bearer tok-SECRET-42');
  });

  it('fails while the service reports the old SHA and passes once it reports the new one', async () => {
    reportedVersion = '0ld5ha0';
    const inputs = { 'base-url': server.url, 'expect-version': NEW_SHA, 'timeout-seconds': 1, 'interval-seconds': 1 };
    const old = await runAction('smoke-test', inputs);
    expect(old.exitCode).toBe(1);
    expect(old.stdout).toContain(`✗ version — attempt 1: the service reports version "0ld5ha0" (expected "${NEW_SHA}")`);
    expect(old.annotations).toEqual([{ level: 'error', message: 'GANTRY-SMOKE-017: 1 of 1 smoke checks failed: version', properties: {} }]);
    expect(old.outputs).toMatchObject({ passed: '0', failed: '1' });
    expect(JSON.parse(old.outputs.report)[0].reason).toContain('the service reports version "0ld5ha0"');
    expect(old.summary).toContain('❌ failed');

    reportedVersion = NEW_SHA;
    const fresh = await runAction('smoke-test', inputs);
    expect(fresh.exitCode).toBe(0);
    expect(fresh.outputs).toMatchObject({ passed: '1', failed: '0' });
  });

  it.each([
    [
      'unknown type',
      { checks: '- url: /health\n- { type: htp, url: /x }' },
      "Input 'checks' has 1 problem: checks[1].type: must be one of",
    ],
    [
      'bad regex',
      { checks: '- { url: /health, expect: { body-matches: "a(b" } }' },
      'checks[0].expect.body-matches: invalid regular expression /a(b/',
    ],
    [
      'regex with a lookahead',
      { checks: '- { url: /health, expect: { body-matches: "^(?=.*ok)" } }' },
      'checks[0].expect.body-matches: invalid regular expression /^(?=.*ok)/: uses a lookahead (?=…), which the linear-time engine (RE2) does not support',
    ],
    [
      'regex with a backreference',
      { checks: '- { url: /health, expect: { headers: { etag: "/(a)\\\\1/" } } }' },
      'checks[0].expect.headers.etag: invalid regular expression (7 characters): uses a backreference (\\1)',
    ],
    [
      'ca-file outside the workspace',
      { checks: '- { url: /health, ca-file: ../../etc/passwd }' },
      "checks[0].ca-file: '../../etc/passwd' is not a path inside the workspace",
    ],
    [
      'a key twice in a check',
      { checks: '- url: /health\n  expect: { status: 200 }\n  expect: { status: 500 }' },
      'checks: duplicate key "expect" in [0] (lines 2 and 3): only one of them would count',
    ],
    [
      'a checks file nested 100,000 deep',
      { 'checks-file': 'deep.yml' },
      "Input 'checks-file' (deep.yml) has 1 problem: checks: nested more than 64 levels deep at line 1",
    ],
    [
      'bad JSON path',
      { checks: '- { url: /health, expect: { json: { "$.a..b": 1 } } }' },
      'checks[0].expect.json["$.a..b"]: invalid JSON path',
    ],
    ['missing url', { checks: '- url: /health\n- { name: nowhere }' }, 'checks[1].url: is required'],
    ['negative timeout', { checks: '- { url: /health, timeout-ms: -1 }' }, 'checks[0].timeout-ms: must be >= 1 (got -1)'],
    ['unreadable file', { 'checks-file': 'missing.yml' }, "Input 'checks-file' has value 'missing.yml': expected an existing file"],
    [
      'file with a bad check',
      { 'checks-file': 'bad.yml' },
      "Input 'checks-file' (bad.yml) has 1 problem: checks[0].expect.status: must be an HTTP status",
    ],
    [
      'bad concurrency',
      { checks: '- url: /health', concurrency: 'many' },
      "Input 'concurrency' has value 'many': expected an integer from 1 to 256.",
    ],
  ])('%s: exits 1 naming the check and field, and requests nothing', async (_label, inputs, message) => {
    writeFileSync(path.join(workspace, 'bad.yml'), '- { url: /health, expect: { status: ok } }\n');
    writeFileSync(path.join(workspace, 'deep.yml'), `- ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    const result = await runAction('smoke-test', { 'base-url': server.url, 'expect-version': NEW_SHA, ...inputs }, { workspace });
    expect(result.exitCode).toBe(1);
    expect(result.annotations).toHaveLength(1);
    expect(result.annotations[0].message).toContain(message);
    expect(result.stdout).not.toMatch(/\n\s+at .*:\d+:\d+/);
    expect(result.outputs).toEqual({});
    expect(server.requests).toHaveLength(0);
  });

  it('never prints the credentials of a URL: log lines, annotations, summary and report show ***', async () => {
    const port = await closedPort();
    const withCredentials = server.url.replace('http://', 'http://deploy:pw-LEAK@');
    const checks = `- url: /health\n- url: 'http://probe:pw-LEAK@127.0.0.1:${port}/'`;
    const result = await runAction('smoke-test', { 'base-url': withCredentials, checks, 'timeout-seconds': 1, 'interval-seconds': 1 });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('::add-mask::pw-LEAK');
    expect(result.stdout).toContain(`✗ GET http://***@127.0.0.1:${port}/ — attempt 1: `);
    expect(result.summary).toContain(`| **Base URL** | ${server.url.replace('http://', 'http://***@')}/ |`);
    const visible = result.stdout.replace(/^::add-mask::.*$/gm, '');
    for (const text of [visible, result.stderr, result.summary, JSON.stringify(result.outputs), JSON.stringify(result.annotations)]) {
      expect(text).not.toContain('pw-LEAK');
    }
  });

  it('runs under Node 24', async () => {
    const node = await node24Binary();
    const result = await runAction('smoke-test', { 'base-url': server.url, checks: '- url: /health', 'expect-version': NEW_SHA }, { node });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ passed: '2', failed: '0' });
  });

  it('trusts a private CA through NODE_EXTRA_CA_CERTS for http, hsts and tls checks', async () => {
    const cert = makeCertificate(workspace, { notBefore: daysFromNow(-1), notAfter: daysFromNow(60) });
    const https = await startHttpsServer(
      (_req, res) => sendJson(res, 200, { version: NEW_SHA }, { 'strict-transport-security': 'max-age=31536000; includeSubDomains' }),
      cert,
    );
    try {
      const checks = `- { type: hsts, url: /, include-subdomains: true }\n- { type: tls, url: ${https.url}, min-days-valid: 30 }`;
      const inputs = { 'base-url': https.url, checks, 'expect-version': NEW_SHA, 'timeout-seconds': 1, 'interval-seconds': 1 };
      const trusted = await runAction('smoke-test', inputs, { env: { NODE_EXTRA_CA_CERTS: cert.certPath } });
      expect(trusted.exitCode).toBe(0);
      expect(trusted.outputs).toMatchObject({ passed: '3', failed: '0' });

      const untrusted = await runAction('smoke-test', inputs);
      expect(untrusted.exitCode).toBe(1);
      expect(untrusted.outputs).toMatchObject({ passed: '0', failed: '3' });
      expect(untrusted.stdout).toMatch(
        /is not trusted \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN); set ca-file for a private CA\)/,
      );
    } finally {
      await https.close();
    }
  });
});
