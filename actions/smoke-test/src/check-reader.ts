/**
 * Reads one schema-valid raw check field by field, doing the validation a schema cannot do:
 * URLs resolved against base-url and their schemes checked, header values taken from the
 * environment, CA files read. Problems are collected, not thrown, so one run reports every
 * mistake in the file; values that must be masked are collected too.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../../../lib/runner/errors';
import { resolveWorkspaceFile, type Env } from '../../../lib/runner/inputs';
import { redactUrl, redactUrlText, type HttpMethod, type TrustOptions } from './definitions';
import { RegexError } from './linear-regex';
import { parseStatusRule, parseTextMatcher, type StatusRule, type TextMatcher } from './matchers';
import { fieldSuffix, type DefinitionProblem } from './schema';

export interface NormalizeContext {
  baseUrl?: URL;
  defaultTimeoutMs: number;
  env: Env;
  workspace: string;
}

export type RawCheck = Record<string, unknown>;

/** Collects problems for one check and the secrets its values carry. */
export class CheckReader {
  readonly problems: DefinitionProblem[] = [];
  readonly secrets: string[] = [];
  constructor(
    readonly index: number,
    readonly raw: RawCheck,
    private readonly context: NormalizeContext,
  ) {}

  field(name: string): string {
    return `checks[${this.index}]${name.split('.').map(fieldSuffix).join('')}`;
  }

  problem(name: string, message: string): void {
    this.problems.push({ field: this.field(name), message });
  }

  /** An absolute URL, or one relative to base-url; `protocols` are the schemes this check accepts. */
  url(name: string, protocols: readonly string[], relativeProtocol?: string): URL | undefined {
    const value = String(this.raw[name]);
    // Errors show the URL with its user information (a password, a token) replaced by ***.
    const shown = redactUrlText(value);
    let resolved: URL | undefined;
    if (URL.canParse(value)) resolved = new URL(value);
    else if (this.context.baseUrl) {
      if (!URL.canParse(value, this.context.baseUrl.href)) return this.fail(name, `'${shown}' is not a valid URL`);
      resolved = new URL(value, this.context.baseUrl);
      if (relativeProtocol) resolved.protocol = relativeProtocol;
    } else {
      return this.fail(name, `'${shown}' is relative and the base-url input is not set (give an absolute URL or set base-url)`);
    }
    if (!protocols.includes(resolved.protocol)) {
      return this.fail(name, `'${shown}' must be an ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL`);
    }
    if (resolved.password) this.secrets.push(decodeURIComponent(resolved.password));
    return resolved;
  }

  /**
   * Is `url` on base-url's origin (scheme, host and port)? For checks that must only ever be
   * aimed at the service under test; without base-url there is no such service to compare with.
   */
  onBaseOrigin(name: string, url: URL, what: string): boolean {
    const base = this.context.baseUrl;
    if (!base) {
      this.problem(name, `${what} needs the base-url input: it may only be aimed at the service under test, on base-url's origin`);
      return false;
    }
    if (url.origin !== base.origin) {
      this.problem(
        name,
        `'${redactUrl(url)}' is not on base-url's origin ${base.origin} (${what} may only be aimed at the service under test)`,
      );
      return false;
    }
    return true;
  }

  headers(name = 'headers'): Record<string, string> {
    const result: Record<string, string> = {};
    const raw = (this.raw[name] ?? {}) as Record<string, unknown>;
    for (const [header, spec] of Object.entries(raw)) {
      const field = `${name}.${header}`;
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header)) {
        this.problem(field, 'is not a valid HTTP header name');
        continue;
      }
      let value: string | undefined;
      if (typeof spec === 'string' || typeof spec === 'number') value = String(spec);
      else if (spec && typeof spec === 'object' && 'env' in spec) {
        const variable = String((spec as { env: unknown }).env);
        value = this.envValue(variable);
        if (value === undefined) {
          this.problem(`${field}.env`, `environment variable ${variable} is not set (pass it to the step with env:)`);
          continue;
        }
        // A value taken from the environment is treated as a secret: that is why it is not inline.
        this.secrets.push(value);
      } else if (spec && typeof spec === 'object') {
        const { value: inline, secret } = spec as { value: string; secret?: boolean };
        value = inline;
        if (secret) this.secrets.push(value);
      }
      if (value === undefined) continue;
      if (/[\r\n\0]/.test(value)) {
        this.problem(field, 'must not contain line breaks');
        continue;
      }
      result[header.toLowerCase()] = value;
    }
    return result;
  }

  method(): HttpMethod {
    return (this.raw.method as HttpMethod | undefined) ?? 'GET';
  }

  body(headers: Record<string, string>): string | undefined {
    const body = this.raw.body;
    if (body === undefined) return undefined;
    if (typeof body === 'string') return body;
    headers['content-type'] ??= 'application/json';
    return JSON.stringify(body);
  }

  status(name: string, fallback: StatusRule[]): StatusRule[] {
    const raw = this.raw[name] ?? (this.raw.expect as RawCheck | undefined)?.[name];
    if (raw === undefined) return fallback;
    const list = Array.isArray(raw) ? raw : [raw];
    // The schema has already checked every item.
    return list.map((item) => parseStatusRule(item)).filter((r): r is StatusRule => r !== undefined);
  }

  trust(): TrustOptions {
    const insecure = this.raw.insecure === true;
    const file = this.raw['ca-file'];
    if (typeof file !== 'string') return { insecure };
    if (insecure) this.problem('insecure', 'cannot be combined with ca-file (ca-file trusts a CA, insecure trusts anything)');
    let absolute: string;
    let ca: string;
    try {
      // Confined to the workspace like every path input: a check list must not read ../../etc/….
      absolute = resolveWorkspaceFile('ca-file', file, this.context.workspace);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      this.problem('ca-file', `'${file}' is not ${err.expected}`);
      return { insecure };
    }
    try {
      ca = readFileSync(absolute, 'utf8');
    } catch (err) {
      this.problem('ca-file', `cannot read ${absolute}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      return { insecure };
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) this.problem('ca-file', `${absolute} holds no PEM certificate`);
    return { ca, insecure };
  }

  matcher(name: string, value: string): TextMatcher | undefined {
    try {
      return parseTextMatcher(value);
    } catch (err) {
      // A header pattern is described by its length only, like every header value (see schema.ts).
      if (name.split('.').includes('headers')) {
        const reason = err instanceof RegexError ? err.reason : '';
        return this.fail(name, `invalid regular expression (${value.length} characters)${reason ? `: ${reason}` : ''}`);
      }
      return this.fail(name, (err as Error).message);
    }
  }

  envValue(variable: string): string | undefined {
    return this.context.env[variable] || undefined;
  }

  timeoutMs(): number {
    return (this.raw['timeout-ms'] as number | undefined) ?? this.context.defaultTimeoutMs;
  }

  number(name: string, fallback: number): number {
    return (this.raw[name] as number | undefined) ?? fallback;
  }

  private fail(name: string, message: string): undefined {
    this.problem(name, message);
    return undefined;
  }
}
