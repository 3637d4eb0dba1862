/**
 * One attempt of each HTTP-based check. Each returns every mismatch it found, plus the
 * status, latency and a body excerpt, so one log line explains a failed attempt.
 */
import {
  redactUrl,
  redactUrlsIn,
  type AttemptResult,
  type HstsCheck,
  type HttpCheck,
  type RateLimitCheck,
  type RedirectCheck,
} from './definitions';
import type { HttpClient, HttpResponse } from './http-client';
import { describeRequestError } from './http-client';
import { describeJsonType, jsonEqual, lookupJsonPath } from './json-path';
import { bodyExcerpt, describeStatusRules, describeTextMatcher, matchesStatus, matchesText, versionMatches } from './matchers';

function failed(problems: string[], response: HttpResponse): AttemptResult {
  const excerpt = bodyExcerpt(response.body);
  const context = `status ${response.status}, ${response.latencyMs} ms${excerpt ? `, body "${excerpt}"` : ''}`;
  return { ok: false, reason: `${problems.join('; ')} — ${context}`, latencyMs: response.latencyMs };
}

async function send(client: HttpClient, request: Parameters<HttpClient['send']>[0]): Promise<HttpResponse | AttemptResult> {
  try {
    return await client.send(request);
  } catch (err) {
    return { ok: false, reason: describeRequestError(err, request.timeoutMs) };
  }
}

function isResponse(value: HttpResponse | AttemptResult): value is HttpResponse {
  return 'status' in value;
}

export async function httpAttempt(client: HttpClient, check: HttpCheck): Promise<AttemptResult> {
  const response = await send(client, check);
  if (!isResponse(response)) return response;
  const { expect } = check;
  const problems: string[] = [];
  if (!matchesStatus(expect.status, response.status))
    problems.push(`status ${response.status} (expected ${describeStatusRules(expect.status)})`);
  for (const text of expect.bodyContains) {
    if (!response.body.includes(text)) problems.push(`body does not contain ${JSON.stringify(text)}`);
  }
  if (expect.bodyMatches && !expect.bodyMatches.test(response.body)) problems.push(`body does not match ${String(expect.bodyMatches)}`);
  for (const { name, matcher } of expect.headers) {
    const value = response.headers[name];
    if (value === undefined) problems.push(`header ${name} is missing (expected ${describeTextMatcher(matcher)})`);
    else if (!matchesText(matcher, value))
      problems.push(`header ${name} is ${JSON.stringify(value)} (expected ${describeTextMatcher(matcher)})`);
  }
  if (expect.json.length) problems.push(...jsonProblems(check, response, !matchesStatus(expect.status, response.status)));
  if (expect.maxLatencyMs !== undefined && response.latencyMs > expect.maxLatencyMs) {
    problems.push(`latency ${response.latencyMs} ms is over ${expect.maxLatencyMs} ms`);
  }
  if (problems.length) return failed(problems, response);
  return { ok: true, detail: `status ${response.status} in ${response.latencyMs} ms`, latencyMs: response.latencyMs };
}

function jsonProblems(check: HttpCheck, response: HttpResponse, statusFailed: boolean): string[] {
  let document: unknown;
  try {
    document = JSON.parse(response.body);
  } catch {
    // An error page that is not JSON says nothing the wrong status has not said already.
    return statusFailed ? [] : [`body is not JSON (content-type ${response.headers['content-type'] ?? 'not set'})`];
  }
  const problems: string[] = [];
  for (const expectation of check.expect.json) {
    const found = lookupJsonPath(document, expectation.segments);
    if (!found.found) {
      problems.push(`${expectation.path} not found: ${found.problem}`);
      continue;
    }
    const matches = expectation.versionMatch
      ? versionMatches(String(expectation.expected), found.value, expectation.versionKind)
      : jsonEqual(found.value, expectation.expected);
    if (!matches) {
      const actual = found.value !== null && typeof found.value === 'object' ? describeJsonType(found.value) : JSON.stringify(found.value);
      const what = expectation.versionMatch ? 'the service reports version' : `${expectation.path} is`;
      problems.push(`${what} ${actual} (expected ${JSON.stringify(expectation.expected)})`);
    }
  }
  return problems;
}

const REDIRECTS = [301, 302, 307, 308];

export async function redirectAttempt(client: HttpClient, check: RedirectCheck): Promise<AttemptResult> {
  const response = await send(client, { ...check, method: 'GET', trust: { insecure: false } });
  if (!isResponse(response)) return response;
  if (!REDIRECTS.includes(response.status))
    return failed([`status ${response.status} is not a redirect (expected 301, 302, 307 or 308)`], response);
  const location = response.headers.location;
  if (!location) return failed([`redirect ${response.status} has no Location header`], response);
  const target = URL.canParse(location, check.url.href) ? new URL(location, check.url) : undefined;
  if (!target) return failed([`Location ${JSON.stringify(redactUrlsIn(location))} is not a URL`], response);
  if (target.protocol !== 'https:') return failed([`redirects to ${redactUrl(target)}, not to https://`], response);
  if (check.location && !matchesText(check.location, target.href) && !matchesText(check.location, location)) {
    return failed([`redirects to ${redactUrl(target)} (expected ${describeTextMatcher(check.location)})`], response);
  }
  return { ok: true, detail: `${response.status} → ${redactUrl(target)}`, latencyMs: response.latencyMs };
}

export interface HstsPolicy {
  maxAge?: number;
  includeSubdomains: boolean;
  preload: boolean;
}

/** Parse `max-age=31536000; includeSubDomains; preload` (directive names are case-insensitive, RFC 6797 §6.1). */
export function parseHsts(value: string): HstsPolicy {
  const policy: HstsPolicy = { includeSubdomains: false, preload: false };
  for (const directive of value.split(';')) {
    const [rawName, ...rest] = directive.split('=');
    const name = rawName.trim().toLowerCase();
    const argument = rest
      .join('=')
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (name === 'max-age' && /^\d+$/.test(argument)) policy.maxAge = Number(argument);
    else if (name === 'includesubdomains') policy.includeSubdomains = true;
    else if (name === 'preload') policy.preload = true;
  }
  return policy;
}

export async function hstsAttempt(client: HttpClient, check: HstsCheck): Promise<AttemptResult> {
  const response = await send(client, { ...check, method: 'GET' });
  if (!isResponse(response)) return response;
  const header = response.headers['strict-transport-security'];
  if (!header) return failed(['no Strict-Transport-Security header'], response);
  const policy = parseHsts(header);
  const problems: string[] = [];
  if (policy.maxAge === undefined) problems.push(`Strict-Transport-Security ${JSON.stringify(header)} has no valid max-age`);
  else if (policy.maxAge < check.minMaxAge) problems.push(`HSTS max-age ${policy.maxAge} is below ${check.minMaxAge}`);
  if (check.includeSubdomains && !policy.includeSubdomains) problems.push(`HSTS ${JSON.stringify(header)} lacks includeSubDomains`);
  if (check.preload && !policy.preload) problems.push(`HSTS ${JSON.stringify(header)} lacks preload`);
  if (problems.length) return failed(problems, response);
  return { ok: true, detail: header, latencyMs: response.latencyMs };
}

/**
 * Send up to `requests` requests, `concurrency` at a time, and stop as soon as one is
 * throttled: the point is proving the limit exists, not hammering the service.
 */
export async function rateLimitAttempt(client: HttpClient, check: RateLimitCheck, now: () => number): Promise<AttemptResult> {
  const started = now();
  const seen = new Map<string, number>();
  let sent = 0;
  let throttledAt: number | undefined;
  const worker = async (): Promise<void> => {
    while (throttledAt === undefined && sent < check.requests) {
      sent += 1;
      const number = sent;
      const response = await send(client, { ...check, maxBodyBytes: 4096 });
      const key = isResponse(response) ? String(response.status) : (response.reason ?? 'error');
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (isResponse(response) && matchesStatus(check.expectStatus, response.status)) throttledAt ??= number;
    }
  };
  await Promise.all(Array.from({ length: Math.min(check.concurrency, check.requests) }, worker));
  const latencyMs = now() - started;
  const tally = [...seen.entries()].map(([key, count]) => `${key} ×${count}`).join(', ');
  if (throttledAt !== undefined) {
    return {
      ok: true,
      detail: `${describeStatusRules(check.expectStatus)} at request ${throttledAt} of ${check.requests} (${tally})`,
      latencyMs,
    };
  }
  return {
    ok: false,
    reason: `no ${describeStatusRules(check.expectStatus)} in ${sent} requests, ${check.concurrency} at a time — got ${tally}, ${latencyMs} ms`,
    latencyMs,
  };
}
