/**
 * Regular expressions from the check list run on RE2 (re2js), whose matching time is linear in
 * the input by construction: `^(a+)+$` against a 1 MB body costs milliseconds, where the
 * backtracking `RegExp` would run for hours and ignore every timeout (it blocks the event loop).
 * RE2 has no backreferences and no lookaround; a pattern using them is refused when the checks
 * are loaded, naming the feature, rather than translated into something that matches otherwise.
 */
import { RE2JS } from 're2js';

/** What a compiled pattern offers the checks: a test and its `/source/flags` form for messages. */
export class LinearRegex {
  private constructor(
    readonly source: string,
    readonly flags: string,
    private readonly compiled: RE2JS,
  ) {}

  /**
   * `source` in JavaScript syntax, `flags` from `/…/flags`: i, m, s as in JavaScript; u, v, d, g
   * and y change nothing for a yes/no test (RE2 always reads Unicode). Throws `RegexError`.
   */
  static compile(source: string, flags = ''): LinearRegex {
    const unknownFlag = [...flags].find((flag) => !'dgimsuvy'.includes(flag));
    if (unknownFlag) throw new RegexError(source, flags, `unknown flag '${unknownFlag}'`);
    const unsupported = unsupportedFeature(source);
    if (unsupported) {
      throw new RegexError(
        source,
        flags,
        `uses ${unsupported}, which the linear-time engine (RE2) does not support; rewrite the pattern without it`,
      );
    }
    let mask = 0;
    if (flags.includes('i')) mask |= RE2JS.CASE_INSENSITIVE;
    if (flags.includes('m')) mask |= RE2JS.MULTILINE;
    if (flags.includes('s')) mask |= RE2JS.DOTALL;
    try {
      return new LinearRegex(source, flags, RE2JS.compile(RE2JS.translateRegExp(source), mask));
    } catch (err) {
      // re2js says "error parsing regexp: <problem>: `<fragment>`"; the fragment is the caller's to show.
      const text = err instanceof Error ? err.message : String(err);
      const match = /^error parsing regexp: (.*?)(?:: `(.*)`)?$/s.exec(text);
      throw new RegexError(source, flags, match ? match[1] : text, match?.[2]);
    }
  }

  test(value: string): boolean {
    return this.compiled.test(value);
  }

  toString(): string {
    return `/${this.source}/${this.flags}`;
  }
}

/** A pattern the engine cannot take; `reason` never includes the pattern, `fragment` is the part at fault. */
export class RegexError extends Error {
  constructor(
    readonly source: string,
    readonly flags: string,
    readonly reason: string,
    readonly fragment?: string,
  ) {
    super(`invalid regular expression /${source}/${flags}: ${reason}${fragment ? ` at \`${fragment}\`` : ''}`);
    this.name = 'RegexError';
  }
}

/**
 * The first JavaScript-only feature the pattern uses, described for a person, or undefined.
 * Walks the pattern once, skipping escaped characters and character classes, so `\\1`, `[(?=]`
 * and `\(?=` are not mistaken for features.
 */
export function unsupportedFeature(source: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === '\\') {
      const next = source[i + 1] ?? '';
      if (!inClass && /[1-9]/.test(next)) return `a backreference (\\${next})`;
      if (!inClass && next === 'k' && source[i + 2] === '<') return 'a named backreference (\\k<…>)';
      i++;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      continue;
    }
    if (char === '[') {
      inClass = true;
      continue;
    }
    if (char === '(' && source[i + 1] === '?') {
      const rest = source.slice(i + 2, i + 4);
      if (rest.startsWith('=')) return 'a lookahead (?=…)';
      if (rest.startsWith('!')) return 'a negative lookahead (?!…)';
      if (rest === '<=') return 'a lookbehind (?<=…)';
      if (rest === '<!') return 'a negative lookbehind (?<!…)';
    }
  }
  return undefined;
}
