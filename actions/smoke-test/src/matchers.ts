/** Small pure matchers the checks share: status lists and classes, exact-or-regex text, versions. */
import { LinearRegex } from './linear-regex';

/** An inclusive status range: `200` is 200–200, `2xx` is 200–299. */
export interface StatusRule {
  min: number;
  max: number;
  label: string;
}

/** `200`, `'204'` or `'2xx'`; returns undefined when the value is none of them. */
export function parseStatusRule(value: unknown): StatusRule | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599) {
    return { min: value, max: value, label: String(value) };
  }
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (/^[1-5]xx$/.test(text)) {
    const base = Number(text[0]) * 100;
    return { min: base, max: base + 99, label: text };
  }
  if (/^[1-5]\d\d$/.test(text)) return parseStatusRule(Number(text));
  return undefined;
}

export function matchesStatus(rules: readonly StatusRule[], status: number): boolean {
  return rules.some((r) => status >= r.min && status <= r.max);
}

export function describeStatusRules(rules: readonly StatusRule[]): string {
  return rules.map((r) => r.label).join(' or ');
}

export type TextMatcher = { kind: 'exact'; value: string } | { kind: 'regex'; regex: LinearRegex };

/**
 * `/pattern/flags` is a regular expression, anything else an exact value. Throws a `RegexError`
 * for a bad or unsupported pattern, so the check is rejected when loaded.
 */
export function parseTextMatcher(value: string): TextMatcher {
  const literal = /^\/(.*)\/([dgimsuvy]*)$/s.exec(value);
  if (!literal) return { kind: 'exact', value };
  return { kind: 'regex', regex: compileRegex(literal[1], literal[2]) };
}

/** Every pattern a check list gives runs in linear time (see linear-regex.ts). */
export function compileRegex(source: string, flags = ''): LinearRegex {
  return LinearRegex.compile(source, flags);
}

export function matchesText(matcher: TextMatcher, value: string): boolean {
  return matcher.kind === 'exact' ? matcher.value === value : matcher.regex.test(value);
}

export function describeTextMatcher(matcher: TextMatcher): string {
  return matcher.kind === 'exact' ? JSON.stringify(matcher.value) : `matching ${String(matcher.regex)}`;
}

const HEX = /^[0-9a-f]{7,40}$/i;

/**
 * A git SHA, full or abbreviated: 7–40 hex characters with at least one letter a–f, or all 40.
 * `1234567` or `20240101` is a build number or date, and must match exactly.
 */
export function looksLikeGitSha(value: string): boolean {
  return HEX.test(value) && (value.length === 40 || /[a-f]/i.test(value));
}

/**
 * Does the version a service reports match the one just deployed? Equal strings match; so do
 * a full and an abbreviated git SHA (services often report the 7-character form) when the
 * expected value is a SHA, and `v1.2.3` with `1.2.3`.
 */
export function versionMatches(expected: string, reported: unknown, kind: 'auto' | 'git-sha' | 'exact' = 'auto'): boolean {
  if (typeof reported !== 'string' && typeof reported !== 'number') return false;
  const a = expected.trim();
  const b = String(reported).trim();
  if (a === b) return true;
  if (kind === 'exact') return false;
  // With git-sha the caller says the value is a SHA: an all-digit abbreviation such as 1234567
  // (about 4 % of 7-character SHAs) then matches its full form too. A number in JSON loses
  // leading zeros, so only strings count there.
  if (kind === 'git-sha')
    return (
      HEX.test(a) &&
      typeof reported === 'string' &&
      HEX.test(b) &&
      (a.toLowerCase().startsWith(b.toLowerCase()) || b.toLowerCase().startsWith(a.toLowerCase()))
    );
  if (looksLikeGitSha(a) && HEX.test(b)) {
    const [x, y] = [a.toLowerCase(), b.toLowerCase()];
    return x.startsWith(y) || y.startsWith(x);
  }
  return a.replace(/^v(?=\d)/, '') === b.replace(/^v(?=\d)/, '');
}

/** One line of a response body for a log line: whitespace collapsed, at most `max` characters. */
export function bodyExcerpt(body: string, max = 200): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
