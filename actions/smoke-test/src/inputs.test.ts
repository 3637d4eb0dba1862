import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HstsCheck, HttpCheck, PostgresCheck, RateLimitCheck, RedirectCheck, TlsCheck } from './definitions';
import { getInputs } from './inputs';
import { CheckDefinitionError } from './load';

const workspace = mkdtempSync(path.join(os.tmpdir(), 'smoke-inputs-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

function inputs(values: Record<string, string>, extraEnv: Record<string, string> = {}) {
  const env: Record<string, string> = { GITHUB_WORKSPACE: workspace, ...extraEnv };
  for (const [k, v] of Object.entries(values)) env[`INPUT_${k.toUpperCase()}`] = v;
  return getInputs(env);
}

function problemsOf(checks: string, extra: Record<string, string> = {}, env: Record<string, string> = {}): string[] {
  try {
    inputs({ 'base-url': 'https://shop.example.com', checks, ...extra }, env);
  } catch (err) {
    if (err instanceof CheckDefinitionError) return err.problems.map((p) => `${p.field}: ${p.message}`);
    throw err;
  }
  throw new Error('expected a CheckDefinitionError');
}

describe('getInputs: the check list', () => {
  it('reads a YAML list with defaults filled in', () => {
    const result = inputs({
      'base-url': 'https://shop.example.com/',
      checks: `
- url: /health
- name: home
  url: https://shop.example.com/
  method: POST
  body: { ping: true }
  headers: { X-Trace: 1 }
  expect: { status: [200, 3xx], body-contains: Welcome, json: { "$.a[0].b": 1 }, headers: { cache-control: "/max-age=\\\\d+/" } }
- { type: https-redirect, url: / }
- { type: hsts, url: /, include-subdomains: true }
- { type: tls, url: https://shop.example.com:8443 }
- { type: rate-limit, url: /login, requests: 20 }
- { type: tcp, host: db.internal, port: 5432 }
`,
    });
    const [health, home, redirect, hsts, tls, rate, tcp] = result.checks;
    expect(health).toMatchObject({ name: 'GET https://shop.example.com/health', type: 'http', method: 'GET', timeoutMs: 5000 });
    expect((health as HttpCheck).expect.status).toEqual([{ min: 200, max: 299, label: '2xx' }]);
    const homeCheck = home as HttpCheck;
    expect(homeCheck.body).toBe('{"ping":true}');
    expect(homeCheck.headers).toEqual({ 'x-trace': '1', 'content-type': 'application/json' });
    expect(homeCheck.expect.status.map((s) => s.label)).toEqual(['200', '3xx']);
    expect(homeCheck.expect.bodyContains).toEqual(['Welcome']);
    expect(homeCheck.expect.json[0]).toMatchObject({ path: '$.a[0].b', expected: 1 });
    expect(homeCheck.expect.headers[0].matcher).toMatchObject({ kind: 'regex', regex: { source: 'max-age=\\d+', flags: '' } });
    // A relative redirect URL takes the base URL's host over plain http.
    expect((redirect as RedirectCheck).url.href).toBe('http://shop.example.com/');
    expect(redirect.name).toBe('https-redirect http://shop.example.com/');
    expect(hsts as HstsCheck).toMatchObject({ minMaxAge: 31_536_000, includeSubdomains: true, preload: false });
    expect(tls as TlsCheck).toMatchObject({ host: 'shop.example.com', port: 8443, servername: 'shop.example.com', minDaysValid: 14 });
    expect(rate as RateLimitCheck).toMatchObject({
      requests: 20,
      concurrency: 10,
      maxAttempts: 3,
      expectStatus: [{ min: 429, max: 429, label: '429' }],
    });
    expect(tcp).toMatchObject({ host: 'db.internal', port: 5432, name: 'tcp db.internal:5432' });
    expect(result).toMatchObject({
      'timeout-seconds': 120,
      'interval-seconds': 5,
      'request-timeout-ms': 5000,
      concurrency: 8,
      secrets: [],
    });
  });

  it('accepts JSON and an object with a checks list from a file', () => {
    writeFileSync(
      path.join(workspace, 'smoke.json'),
      JSON.stringify({ checks: [{ name: 'api', url: 'http://127.0.0.1:1/x', 'timeout-ms': 250 }] }),
    );
    const result = inputs({ 'checks-file': 'smoke.json' });
    expect(result.checks).toHaveLength(1);
    expect(result.checks[0]).toMatchObject({ name: 'api', timeoutMs: 250 });
  });

  it('collects secrets: secret header values, headers from env, connection strings and their passwords', () => {
    const result = inputs(
      {
        checks: `
- url: http://127.0.0.1:1/
  headers:
    Authorization: { value: Bearer abc123, secret: true }
    X-Api-Key: { env: API_KEY }
    X-Plain: visible
- { type: postgres, url-env: DATABASE_URL }
`,
      },
      { API_KEY: 'k-999', DATABASE_URL: 'postgres://app:p%40ss@db:5432/app' },
    );
    expect(result.secrets).toEqual(['Bearer abc123', 'k-999', 'postgres://app:p%40ss@db:5432/app', 'p@ss']);
    expect((result.checks[0] as HttpCheck).headers).toEqual({ authorization: 'Bearer abc123', 'x-api-key': 'k-999', 'x-plain': 'visible' });
    expect(result.checks[1] as PostgresCheck).toMatchObject({ urlEnv: 'DATABASE_URL', name: 'postgres $DATABASE_URL' });
  });

  it('adds the version check for expect-version, with a field or a JSON path', () => {
    const plain = inputs({ 'base-url': 'http://127.0.0.1:9', 'expect-version': 'abc1234' });
    expect(plain.checks).toHaveLength(1);
    expect(plain.checks[0]).toMatchObject({ name: 'version', url: new URL('http://127.0.0.1:9/health') });
    expect((plain.checks[0] as HttpCheck).expect.json[0]).toMatchObject({ path: '$.version', expected: 'abc1234', versionMatch: true });
    const nested = inputs({
      'base-url': 'http://127.0.0.1:9',
      checks: '- { name: version, url: / }',
      'expect-version': 'abc1234',
      'version-path': '/meta',
      'version-field': '$.build.sha',
    });
    expect(nested.checks[1]).toMatchObject({ name: 'expect-version', index: 1, url: new URL('http://127.0.0.1:9/meta') });
    expect((nested.checks[1] as HttpCheck).expect.json[0].path).toBe('$.build.sha');
  });
});

describe('getInputs: bad check definitions name the check index and field', () => {
  it.each([
    [
      'unknown type',
      '- { type: htp, url: / }',
      ['checks[0].type: must be one of http, https-redirect, hsts, tls, rate-limit, tcp, postgres (got "htp")'],
    ],
    [
      'bad regex',
      '- { url: /, expect: { body-matches: "(unclosed" } }',
      ['checks[0].expect.body-matches: invalid regular expression /(unclosed/: missing closing ) at `(unclosed`'],
    ],
    [
      'bad header regex',
      '- { url: /, expect: { headers: { etag: "/[leak/" } } }',
      ['checks[0].expect.headers.etag: invalid regular expression (7 characters): missing closing ]'],
    ],
    [
      'backreference',
      '- { url: /, expect: { body-matches: "(a)\\\\1" } }',
      [
        'checks[0].expect.body-matches: invalid regular expression /(a)\\1/: uses a backreference (\\1), which the linear-time engine (RE2) does not support; rewrite the pattern without it',
      ],
    ],
    [
      'named backreference',
      '- { url: /, expect: { body-matches: "(?<x>a)\\\\k<x>" } }',
      [/^checks\[0\]\.expect\.body-matches: invalid regular expression .*: uses a named backreference \(\\k<…>\)/],
    ],
    [
      'lookahead',
      '- { url: /, expect: { body-matches: "/^(?=.*ok)/i" } }',
      [
        /^checks\[0\]\.expect\.body-matches: invalid regular expression \/\^\(\?=\.\*ok\)\/i: uses a lookahead \(\?=…\), which the linear-time engine/,
      ],
    ],
    [
      'negative lookbehind in a header',
      '- { url: /, expect: { headers: { etag: "/(?<!W)x/" } } }',
      [
        'checks[0].expect.headers.etag: invalid regular expression (9 characters): uses a negative lookbehind (?<!…), which the linear-time engine (RE2) does not support; rewrite the pattern without it',
      ],
    ],
    [
      'unknown regex flag',
      '- { url: /, expect: { body-matches: "/x/q" } }',
      ["checks[0].expect.body-matches: invalid regular expression /x/q: unknown flag 'q'"],
    ],
    [
      'possessive quantifier',
      '- { url: /, expect: { body-matches: "a++" } }',
      ['checks[0].expect.body-matches: invalid regular expression /a++/: invalid nested repetition operator at `++`'],
    ],
    [
      'bad JSON path',
      '- url: /\n- { url: /, expect: { json: { "$.a[*]": 1 } } }',
      [/^checks\[1\]\.expect\.json\["\$\.a\[\*\]"\]: invalid JSON path '\$\.a\[\*\]' at position 5: wildcards/],
    ],
    ['missing url', '- { name: home }', ['checks[0].url: is required']],
    ['negative timeout', '- { url: /, timeout-ms: -5 }', ['checks[0].timeout-ms: must be >= 1 (got -5)']],
    [
      'status out of range',
      '- { url: /, expect: { status: [200, 20x] } }',
      [`checks[0].expect.status: must be an HTTP status (100–599), a class such as '2xx', or a list of them (got [200,"20x"])`],
    ],
    [
      'misspelt field',
      '- { url: /, expect: { stauts: 200 } }',
      [/^checks\[0\]\.expect\.stauts: is not a known field \(allowed: status, body-contains/],
    ],
    [
      'wrong type of value',
      '- { url: /, method: 5 }',
      [/^checks\[0\]\.method: must be a string \(got 5\)/, /^checks\[0\]\.method: must be one of GET/],
    ],
    ['not an object', '- /health', ['checks[0]: must be an object describing one check (got "/health")']],
    ['hsts over http', '- { type: hsts, url: "http://x.example" }', ["checks[0].url: 'http://x.example' must be an https:// URL"]],
    [
      'redirect from https',
      '- { type: https-redirect, url: "https://x.example" }',
      ["checks[0].url: 'https://x.example' must be an http:// URL"],
    ],
    ['tls without host', '- { type: tls }', ['checks[0].host: is required (or give an https url)']],
    ['tcp port range', '- { type: tcp, host: x, port: 70000 }', ['checks[0].port: must be <= 65535 (got 70000)']],
    [
      'header from unset env',
      '- { url: /, headers: { Authorization: { env: NOPE_TOKEN } } }',
      ['checks[0].headers.Authorization.env: environment variable NOPE_TOKEN is not set (pass it to the step with env:)'],
    ],
    [
      'postgres from unset env',
      '- { type: postgres, url-env: NOPE_DB }',
      [/^checks\[0\]\.url-env: environment variable NOPE_DB is not set/],
    ],
    [
      'missing ca-file',
      '- { url: /, ca-file: missing-ca.pem }',
      [/^checks\[0\]\.ca-file: 'missing-ca\.pem' is not an existing file \(not found at .*missing-ca\.pem\)$/],
    ],
    [
      'ca-file outside the workspace',
      '- { url: /, ca-file: ../../etc/passwd }',
      [/^checks\[0\]\.ca-file: '\.\.\/\.\.\/etc\/passwd' is not a path inside the workspace /],
    ],
    [
      'ca-file by absolute path elsewhere',
      '- { url: /, ca-file: /etc/passwd }',
      [/^checks\[0\]\.ca-file: '\/etc\/passwd' is not a path inside the workspace /],
    ],
    ['check name with a NUL', '- { name: "a\\0b", url: / }', ['checks: a NUL character in the string at [0].name at line 1']],
    [
      'duplicate key in a check',
      '- url: /\n  name: a\n  url: /x',
      ['checks: duplicate key "url" in [0] (lines 1 and 3): only one of them would count'],
    ],
    ['checks nested 100,000 deep', `- ${'['.repeat(100_000)}${']'.repeat(100_000)}`, ['checks: nested more than 64 levels deep at line 1']],
    ['duplicate names', '- { name: a, url: / }\n- { name: a, url: /x }', ["checks[1].name: 'a' is already the name of checks[0]"]],
  ])('%s', (_label, checks, expected) => {
    const problems = problemsOf(checks);
    expect(problems).toHaveLength(expected.length);
    expected.forEach((e, i) => (typeof e === 'string' ? expect(problems[i]).toBe(e) : expect(problems[i]).toMatch(e)));
  });

  it('reports every problem at once, in one message naming the input', () => {
    let error: unknown;
    try {
      inputs({ checks: '- { type: nope }\n- { url: "relative/path" }\n- { type: tcp, host: h }' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CheckDefinitionError);
    expect((error as Error).message).toBe(
      'Input \'checks\' has 3 problems: checks[0].type: must be one of http, https-redirect, hsts, tls, rate-limit, tcp, postgres (got "nope"); ' +
        "checks[1].url: 'relative/path' is relative and the base-url input is not set (give an absolute URL or set base-url); checks[2].port: is required.",
    );
  });

  it.each([
    [
      'wrong scheme',
      '- { url: "ftp://deploy:pw-LEAK@files.example/x" }',
      {},
      "checks[0].url: 'ftp://***@files.example/x' must be an http:// or https:// URL",
    ],
    [
      'hsts over http',
      '- { type: hsts, url: "http://deploy:pw-LEAK@x.example/" }',
      {},
      "checks[0].url: 'http://***@x.example/' must be an https:// URL",
    ],
    [
      'relative without base-url',
      '- { url: "//deploy:pw-LEAK@x.example/health" }',
      { 'base-url': '' },
      "checks[0].url: '//***@x.example/health' is relative and the base-url input is not set (give an absolute URL or set base-url)",
    ],
    [
      'password with an @',
      '- { url: "ftp://deploy:p@ss-LEAK@x.example/" }',
      {},
      "checks[0].url: 'ftp://***@x.example/' must be an http:// or https:// URL",
    ],
  ])('never echoes the credentials of a URL: %s', (_label, checks, extra, expected) => {
    const problems = problemsOf(checks, extra);
    expect(problems).toEqual([expected]);
    expect(problems.join()).not.toMatch(/pw-LEAK|ss-LEAK/);
  });

  it("aims rate-limit checks only at the service under test: base-url's origin", () => {
    const ok = inputs({
      'base-url': 'https://shop.example.com/app/',
      checks: '- { type: rate-limit, url: login }\n- { type: rate-limit, url: "https://shop.example.com:443/x" }',
    });
    expect(ok.checks.map((c) => (c as RateLimitCheck).url.href)).toEqual([
      'https://shop.example.com/app/login',
      'https://shop.example.com/x',
    ]);
    expect(problemsOf('- { url: / }\n- { type: rate-limit, url: "https://api.example.com/login" }')).toEqual([
      "checks[1].url: 'https://api.example.com/login' is not on base-url's origin https://shop.example.com (a rate-limit check may only be aimed at the service under test)",
    ]);
    expect(problemsOf('- { type: rate-limit, url: "http://shop.example.com/login" }')[0]).toMatch(
      /^checks\[0\]\.url: 'http:\/\/shop\.example\.com\/login' is not on base-url's origin/,
    );
    expect(problemsOf('- { type: rate-limit, url: "https://shop.example.com:8443/login" }')[0]).toMatch(
      /is not on base-url's origin https:\/\/shop\.example\.com \(/,
    );
    expect(problemsOf('- { type: rate-limit, url: "https://shop.example.com/login" }', { 'base-url': '' })).toEqual([
      "checks[0].url: a rate-limit check needs the base-url input: it may only be aimed at the service under test, on base-url's origin",
    ]);
  });

  it('rejects a postgres variable that is not a postgres URL without echoing it', () => {
    const problems = problemsOf('- { type: postgres, url-env: DB }', {}, { DB: 'mysql://u:hunter2@h/d' });
    expect(problems).toEqual(['checks[0].url-env: environment variable DB does not hold a postgres:// or postgresql:// URL']);
    expect(problems.join()).not.toContain('hunter2');
  });

  it('rejects text that is not YAML, and YAML that is not a list', () => {
    expect(() => inputs({ checks: '- [unclosed' })).toThrow(/^Input 'checks' has 1 problem: checks: is not valid YAML or JSON: /);
    expect(() => inputs({ checks: 'url: /health' })).toThrow(
      'checks: must be a list of checks, or an object with a `checks` list (got an object with field url)',
    );
  });

  // These errors are thrown by getInputs, before main() masks anything: a value echoed here is in the log.
  it.each([
    [
      'secret marked "yes"',
      '- { url: /, headers: { Authorization: { value: "Bearer tok-LEAK", secret: "yes" } } }',
      /^checks\[0\]\.headers\.Authorization: must be a string, .* \(got an object with fields value, secret\)$/,
    ],
    [
      'secret with an unknown field',
      '- { url: /, headers: { Authorization: { value: "Bearer tok-LEAK", secret: true, note: x } } }',
      /^checks\[0\]\.headers\.Authorization: must be .* \(got an object with fields value, secret, note\)$/,
    ],
    [
      'secret value of the wrong type',
      '- { url: /, headers: { Authorization: { value: ["Bearer tok-LEAK"], secret: true } } }',
      /^checks\[0\]\.headers\.Authorization: must be .* \(got an object with fields value, secret\)$/,
    ],
    [
      'headers as text',
      '- { url: /, headers: "Authorization: Bearer tok-LEAK" }',
      /^checks\[0\]\.headers: must be an object \(got a string of 30 characters\)$/,
    ],
    [
      'header value as a list',
      '- { type: rate-limit, url: /, headers: { X-Api-Key: [tok-LEAK] } }',
      /^checks\[0\]\.headers\.X-Api-Key: must be .* \(got a list of 1 item\)$/,
    ],
    [
      'expected header as a list',
      '- { url: /, expect: { headers: { x-token: [tok-LEAK] } } }',
      /^checks\[0\]\.expect\.headers\.x-token: must be a string \(got a list of 1 item\)$/,
    ],
  ])('never echoes a header value or anything marked secret: %s', (_label, checks, expected) => {
    const problems = problemsOf(checks);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
    expect(problems[0]).not.toContain('tok-LEAK');
  });

  it('describes a single check given instead of a list by its shape, not its header values', () => {
    expect(() => inputs({ checks: '{ url: /, headers: { Authorization: "Bearer tok-LEAK" } }' })).toThrow(
      'checks: must be a list of checks, or an object with a `checks` list (got an object with fields url, headers)',
    );
  });
});

describe('getInputs: other inputs', () => {
  it.each([
    [{}, "Input 'checks' is missing: expected a YAML or JSON list of checks (or set checks-file, or expect-version)."],
    [
      { checks: '- url: http://h/', 'checks-file': 'x.yml' },
      "Input 'checks-file' has value 'x.yml': expected to be empty when the checks input is given (use one of them).",
    ],
    [{ 'checks-file': 'nope.yml' }, /^Input 'checks-file' has value 'nope.yml': expected an existing file/],
    [{ 'checks-file': '.' }, /^Input 'checks-file' has value '.': expected a file, but .* is not one/],
    [{ 'checks-file': '../outside.yml' }, /^Input 'checks-file' has value '..\/outside.yml': expected a path inside the workspace/],
    [
      { 'expect-version': 'abc' },
      "Input 'base-url' is missing: expected a base URL, because expect-version checks the relative version-path '/health'.",
    ],
    [
      { 'base-url': 'ftp://x', 'expect-version': 'abc' },
      "Input 'base-url' has value 'ftp://x': expected an absolute http(s) URL such as https://staging.example.com.",
    ],
    [
      { 'base-url': 'ftp://deploy:pw-LEAK@x/', 'expect-version': 'abc' },
      "Input 'base-url' has value 'ftp://***@x/': expected an absolute http(s) URL",
    ],
    [{ 'base-url': 'deploy:pw-LEAK@x', 'expect-version': 'abc' }, /^Input 'base-url' has value '(?!.*pw-LEAK)/],
    [
      { 'base-url': 'http://x', 'expect-version': 'abc', 'version-path': 'ftp://deploy:pw-LEAK@x/v' },
      "Input 'version-path' has value 'ftp://***@x/v': expected a path or an http(s) URL.",
    ],
    [
      { 'base-url': 'http://x', 'expect-version': 'abc', 'version-field': 'a..b' },
      /^Input 'version-field' has value 'a..b': expected a field name or JSON path/,
    ],
    [
      { 'expect-version': 'abc', 'base-url': 'http://x', 'timeout-seconds': '10', 'interval-seconds': '20' },
      "Input 'interval-seconds' has value '20': expected at most timeout-seconds (10).",
    ],
    [
      { 'expect-version': 'abc', 'base-url': 'http://x', 'request-timeout-ms': '-1' },
      /^Input 'request-timeout-ms' has value '-1': expected an integer from 1 to 600000/,
    ],
    [{ 'expect-version': 'abc', 'base-url': 'http://x', concurrency: '0' }, /^Input 'concurrency' has value '0'/],
    [
      { 'expect-version': 'abc', 'base-url': 'http://x', env: 'not a pair' },
      "Input 'env' has value 'line 1 (10 characters, not shown: it may hold a secret)': expected lines of the form KEY=VALUE with KEY matching /^[A-Za-z_][A-Za-z0-9_]*$/.",
    ],
    [
      { 'expect-version': 'abc', 'base-url': 'http://x', env: 'A=1\nA=2' },
      "Input 'env' has value 'line 2: A=…': expected each key at most once ('A' is repeated).",
    ],
    [
      { 'expect-version': 'abc', 'base-url': 'http://x', 'secret-env': 'DB-URL=postgres://u:pw-LEAK@h/db' },
      /^Input 'secret-env' has value 'line 1: (?!.*pw-LEAK).*': expected lines of the form KEY=VALUE/,
    ],
    [
      { 'expect-version': 'abc', 'base-url': 'http://x', env: 'TOKEN=a', 'secret-env': 'TOKEN=b' },
      "Input 'secret-env' has value 'TOKEN=…': expected names not also given in env ('TOKEN' is in both).",
    ],
    [
      { 'expect-version': 'abc', 'base-url': 'http://x', 'expect-version-kind': 'sha' },
      "Input 'expect-version-kind' has value 'sha': expected one of auto, git-sha, exact.",
    ],
    [
      { 'expect-version': 'v1.2.3', 'base-url': 'http://x', 'expect-version-kind': 'git-sha' },
      "Input 'expect-version' has value 'v1.2.3': expected a git SHA of 7 to 40 hex characters, because expect-version-kind is git-sha.",
    ],
  ])('%j', (values, message) => {
    expect(() => inputs(values as Record<string, string>)).toThrow(message);
  });

  it('env and secret-env reach the checks; secret-env values are masked', () => {
    const checks =
      '- { url: /, headers: { Authorization: { env: API_TOKEN }, X-Region: { env: REGION } } }\n- { type: postgres, url-env: DATABASE_URL }';
    const result = inputs({
      'base-url': 'https://shop.example.com',
      checks,
      env: 'REGION=eu-west-1',
      'secret-env': 'API_TOKEN=Bearer t-1\nDATABASE_URL=postgres://app:pw@db:5432/app',
    });
    expect((result.checks[0] as HttpCheck).headers).toEqual({ authorization: 'Bearer t-1', 'x-region': 'eu-west-1' });
    expect(result.checks[1] as PostgresCheck).toMatchObject({ urlEnv: 'DATABASE_URL', connectionString: 'postgres://app:pw@db:5432/app' });
    expect(result.secrets).toEqual(expect.arrayContaining(['Bearer t-1', 'postgres://app:pw@db:5432/app', 'pw']));
  });

  it('expect-version-kind reaches the version check', () => {
    const result = inputs({ 'base-url': 'http://x', 'expect-version': '1234567', 'expect-version-kind': 'git-sha' });
    expect((result.checks[0] as HttpCheck).expect.json[0]).toMatchObject({
      expected: '1234567',
      versionMatch: true,
      versionKind: 'git-sha',
    });
  });

  it('reads durations with units', () => {
    const result = inputs({ 'expect-version': 'abc', 'base-url': 'http://x', 'timeout-seconds': '3m', 'interval-seconds': '10s' });
    expect(result).toMatchObject({ 'timeout-seconds': 180, 'interval-seconds': 10 });
  });
});
