/**
 * From one schema-valid raw check to a typed `Check`: defaults filled in, regexes compiled,
 * JSON paths parsed, and the type-specific rules (https only for hsts, http only for
 * https-redirect, url or host for tls, a postgres URL in the named variable).
 */
import { isIP } from 'node:net';
import { CheckReader, type RawCheck } from './check-reader';
import type { Check, HttpExpectation } from './definitions';
import { parseJsonPath } from './json-path';
import { compileRegex } from './matchers';
import { fieldSuffix } from './schema';

export { CheckReader, type NormalizeContext } from './check-reader';

function httpExpectation(reader: CheckReader): HttpExpectation {
  const raw = (reader.raw.expect ?? {}) as RawCheck;
  const contains = raw['body-contains'];
  const expectation: HttpExpectation = {
    status: reader.status('status', [{ min: 200, max: 299, label: '2xx' }]),
    bodyContains: contains === undefined ? [] : Array.isArray(contains) ? (contains as string[]) : [contains as string],
    json: [],
    headers: [],
    maxLatencyMs: raw['max-latency-ms'] as number | undefined,
  };
  if (typeof raw['body-matches'] === 'string') {
    const source = raw['body-matches'];
    const literal = /^\/(.*)\/([a-z]*)$/s.exec(source);
    try {
      expectation.bodyMatches = literal ? compileRegex(literal[1], literal[2]) : compileRegex(source);
    } catch (err) {
      reader.problem('expect.body-matches', (err as Error).message);
    }
  }
  for (const [jsonPath, expected] of Object.entries((raw.json ?? {}) as RawCheck)) {
    try {
      expectation.json.push({ path: jsonPath, segments: parseJsonPath(jsonPath), expected });
    } catch (err) {
      reader.problems.push({ field: `${reader.field('expect.json')}${fieldSuffix(jsonPath)}`, message: (err as Error).message });
    }
  }
  for (const [header, value] of Object.entries((raw.headers ?? {}) as Record<string, string>)) {
    const matcher = reader.matcher(`expect.headers.${header}`, value);
    if (matcher) expectation.headers.push({ name: header.toLowerCase(), matcher });
  }
  return expectation;
}

/** The type-specific part of a check; `undefined` when a problem was recorded. */
export function normalizeCheck(reader: CheckReader, type: Check['type'], name: string): Check | undefined {
  const common = {
    index: reader.index,
    name,
    timeoutMs: reader.timeoutMs(),
    maxAttempts: reader.raw['max-attempts'] as number | undefined,
  };
  const before = reader.problems.length;
  let check: Check | undefined;
  switch (type) {
    case 'http': {
      const url = reader.url('url', ['http:', 'https:']);
      const headers = reader.headers();
      const body = reader.body(headers);
      const expect = httpExpectation(reader);
      if (url) check = { ...common, type, url, method: reader.method(), headers, body, expect, trust: reader.trust() };
      break;
    }
    case 'https-redirect': {
      const url = reader.url('url', ['http:'], 'http:');
      const location = typeof reader.raw.location === 'string' ? reader.matcher('location', reader.raw.location) : undefined;
      if (url) check = { ...common, type, url, headers: reader.headers(), location };
      break;
    }
    case 'hsts': {
      // Browsers ignore Strict-Transport-Security received over plain http (RFC 6797 §8.1).
      const url = reader.url('url', ['https:']);
      if (url) {
        check = {
          ...common,
          type,
          url,
          headers: reader.headers(),
          minMaxAge: reader.number('min-max-age', 31_536_000),
          includeSubdomains: reader.raw['include-subdomains'] === true,
          preload: reader.raw.preload === true,
          trust: reader.trust(),
        };
      }
      break;
    }
    case 'tls':
      check = tlsCheck(reader, common);
      break;
    case 'rate-limit': {
      // A burst of requests: never at anything but the service under test (base-url's origin).
      const resolved = reader.url('url', ['http:', 'https:']);
      const url = resolved && reader.onBaseOrigin('url', resolved, 'a rate-limit check') ? resolved : undefined;
      const headers = reader.headers();
      const body = reader.body(headers);
      if (url) {
        check = {
          ...common,
          type,
          url,
          method: reader.method(),
          headers,
          body,
          requests: reader.number('requests', 50),
          concurrency: reader.number('concurrency', 10),
          expectStatus: reader.status('expect-status', [{ min: 429, max: 429, label: '429' }]),
          trust: reader.trust(),
          // Every attempt is a burst: do not repeat it until the deadline by default.
          maxAttempts: common.maxAttempts ?? 3,
        };
      }
      break;
    }
    case 'tcp':
      check = { ...common, type, host: String(reader.raw.host), port: reader.raw.port as number };
      break;
    case 'postgres':
      check = postgresCheck(reader, common);
      break;
  }
  return reader.problems.length > before ? undefined : check;
}

type Common = { index: number; name: string; timeoutMs: number; maxAttempts?: number };

function tlsCheck(reader: CheckReader, common: Common): Check | undefined {
  let host: string | undefined;
  let port = reader.raw.port as number | undefined;
  if (reader.raw.url !== undefined) {
    if (reader.raw.host !== undefined) reader.problem('host', 'give either url or host, not both');
    const url = reader.url('url', ['https:']);
    if (!url) return undefined;
    host = url.hostname.replace(/^\[|\]$/g, '');
    port ??= url.port ? Number(url.port) : 443;
  } else if (typeof reader.raw.host === 'string') {
    host = reader.raw.host;
  } else {
    reader.problem('host', 'is required (or give an https url)');
    return undefined;
  }
  const servername = typeof reader.raw.servername === 'string' ? reader.raw.servername : host;
  const trust = reader.trust();
  if (isIP(servername) === 0 && !/^[A-Za-z0-9.-]+$/.test(servername)) reader.problem('servername', `'${servername}' is not a host name`);
  return { ...common, type: 'tls', host, port: port ?? 443, servername, minDaysValid: reader.number('min-days-valid', 14), trust };
}

function postgresCheck(reader: CheckReader, common: Common): Check | undefined {
  const variable = String(reader.raw['url-env']);
  const value = reader.envValue(variable);
  if (!value) {
    reader.problem('url-env', `environment variable ${variable} is not set (pass the connection URL to the step with env:, from a secret)`);
    return undefined;
  }
  reader.secrets.push(value);
  let url: URL | undefined;
  if (URL.canParse(value)) url = new URL(value);
  if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')) {
    // Never echo the value: it is a connection string and may hold a password.
    reader.problem('url-env', `environment variable ${variable} does not hold a postgres:// or postgresql:// URL`);
    return undefined;
  }
  if (url.password) reader.secrets.push(decodeURIComponent(url.password));
  return { ...common, type: 'postgres', urlEnv: variable, connectionString: value };
}
