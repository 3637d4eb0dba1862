/**
 * Known secret shapes, replaced before a plan comment is posted. GitHub masks registered secrets in
 * logs, never in what is posted through the API: a plan that prints a token (an output, a resource
 * attribute, an error) would publish it on the pull request. This is the second line of defence — the
 * first is that the plan job holds no token at all (docs/infra/workflows.md, "Chain of custody"); a
 * value encoded some other way (base64 of a whole environment block) is not recognised here.
 */
const SHAPES: ReadonlyArray<readonly [string, RegExp]> = [
  ['GitHub token', /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,255}\b/g],
  ['GitHub token', /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g],
  ['AWS access key id', /\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}\b/g],
  ['AWS session token', /\b(?:IQoJb3JpZ2lu|FwoGZXIvYXdz)[A-Za-z0-9+/=]{20,}/g],
  ['AWS secret access key', /((?:aws_secret_access_key|AWS_SECRET_ACCESS_KEY|SecretAccessKey)["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{40}\b/g],
  ['JSON web token', /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g],
];

export interface Scrubbed {
  text: string;
  /** How many values of each kind were replaced. */
  found: Record<string, number>;
}

export function scrubSecrets(text: string): Scrubbed {
  const found: Record<string, number> = {};
  let out = text;
  for (const [kind, pattern] of SHAPES) {
    out = out.replace(pattern, (_match: string, prefix?: unknown) => {
      found[kind] = (found[kind] ?? 0) + 1;
      return `${typeof prefix === 'string' ? prefix : ''}[redacted ${kind}]`;
    });
  }
  return { text: out, found };
}
