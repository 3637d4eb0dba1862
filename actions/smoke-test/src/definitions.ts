/** The checks after loading: every value validated, every regex compiled, every path parsed. */
import type { PathSegment } from './json-path';
import type { LinearRegex } from './linear-regex';
import type { StatusRule, TextMatcher } from './matchers';

export const CHECK_TYPES = ['http', 'https-redirect', 'hsts', 'tls', 'rate-limit', 'tcp', 'postgres'] as const;
export type CheckType = (typeof CHECK_TYPES)[number];

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** How to trust a server's certificate: extra CA certificates (PEM), or not at all. */
export interface TrustOptions {
  ca?: string;
  insecure: boolean;
}

interface CheckCommon {
  /** Position in the list the user wrote (the version check comes last). */
  index: number;
  name: string;
  /** Timeout of one attempt (one request, connection or query). */
  timeoutMs: number;
  /** Attempts before giving up even if the deadline is far; undefined = until the deadline. */
  maxAttempts?: number;
}

export interface JsonExpectation {
  path: string;
  segments: PathSegment[];
  expected: unknown;
  /** The expect-version check: a short SHA matches the full one, `v1.2.3` matches `1.2.3`. */
  versionMatch?: boolean;
  /** How the expected version is compared (expect-version-kind); default auto. */
  versionKind?: VersionKind;
}

/**
 * `auto`: a value that looks like a git SHA (hex with a letter, or 40 hex) matches its abbreviations,
 * `v1.2.3` matches `1.2.3`; `git-sha`: the value is a (possibly all-digit) SHA, full or abbreviated;
 * `exact`: the strings must be equal.
 */
export type VersionKind = 'auto' | 'git-sha' | 'exact';
export const VERSION_KINDS: readonly VersionKind[] = ['auto', 'git-sha', 'exact'];

export interface HeaderExpectation {
  name: string;
  matcher: TextMatcher;
}

export interface HttpExpectation {
  status: StatusRule[];
  bodyContains: string[];
  bodyMatches?: LinearRegex;
  json: JsonExpectation[];
  headers: HeaderExpectation[];
  maxLatencyMs?: number;
}

export interface HttpCheck extends CheckCommon {
  type: 'http';
  url: URL;
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string;
  expect: HttpExpectation;
  trust: TrustOptions;
}

export interface RedirectCheck extends CheckCommon {
  type: 'https-redirect';
  url: URL;
  headers: Record<string, string>;
  /** Where the redirect must point, beyond being https (exact URL or /regex/). */
  location?: TextMatcher;
}

export interface HstsCheck extends CheckCommon {
  type: 'hsts';
  url: URL;
  headers: Record<string, string>;
  minMaxAge: number;
  includeSubdomains: boolean;
  preload: boolean;
  trust: TrustOptions;
}

export interface TlsCheck extends CheckCommon {
  type: 'tls';
  host: string;
  port: number;
  /** SNI and the name the certificate must be valid for (default: host). */
  servername: string;
  minDaysValid: number;
  trust: TrustOptions;
}

export interface RateLimitCheck extends CheckCommon {
  type: 'rate-limit';
  url: URL;
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string;
  requests: number;
  concurrency: number;
  expectStatus: StatusRule[];
  trust: TrustOptions;
}

export interface TcpCheck extends CheckCommon {
  type: 'tcp';
  host: string;
  port: number;
}

export interface PostgresCheck extends CheckCommon {
  type: 'postgres';
  /** Name of the environment variable that held the URL (for the report; the URL is secret). */
  urlEnv: string;
  connectionString: string;
}

export type Check = HttpCheck | RedirectCheck | HstsCheck | TlsCheck | RateLimitCheck | TcpCheck | PostgresCheck;

export interface AttemptResult {
  ok: boolean;
  /** Why it failed: every mismatch, then status, latency, body excerpt or error code. */
  reason?: string;
  /** What it saw when it passed (for the log and the summary). */
  detail?: string;
  latencyMs?: number;
}

/** What the report and the log show as the check's target; never a secret. */
export function checkTarget(check: Check): string {
  switch (check.type) {
    case 'tls':
      return `${check.servername}:${check.port}`;
    case 'tcp':
      return `${check.host}:${check.port}`;
    case 'postgres':
      return `$${check.urlEnv}`;
    default:
      return `${'method' in check ? `${check.method} ` : ''}${redactUrl(check.url)}`;
  }
}

export function redactUrl(url: URL): string {
  if (!url.username && !url.password) return url.href;
  const copy = new URL(url.href);
  copy.username = copy.username ? '***' : '';
  copy.password = '';
  return copy.href;
}

// `scheme://` (or `//`), then the user information up to the last `@` before the path.
const USERINFO = /((?:\b[A-Za-z][A-Za-z0-9+.-]*:)?\/\/)[^\s/?#]*@/g;

/** Free text (an error, a failure reason) with the user information of every URL in it replaced by `***`. */
export function redactUrlsIn(text: string): string {
  return text.replace(USERINFO, '$1***@');
}

/** A URL as the user wrote it (valid or not), for an error message: its user information replaced by `***`. */
export function redactUrlText(value: string): string {
  let text = redactUrlsIn(value);
  if (URL.canParse(text)) {
    const url = new URL(text);
    if (url.username || url.password) return redactUrl(url);
  }
  // `user:password@host` without a scheme: everything before the last `@` of the authority.
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\/|^\/\//.test(text)) text = text.replace(/^[^\s/?#]*@/, '***@');
  return text;
}
