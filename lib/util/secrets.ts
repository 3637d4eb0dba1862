/**
 * What to mask of a secret read as JSON (a Secrets Manager secret, a sensitive Terraform output):
 * every string at any depth and, with `numbers`, every number as printed, so that one field
 * printed on its own is masked too — keys are not (they are names, shown in reports).
 */

/** Shorter values are not masked on their own: masking `on`, `dev` or `1` would blank out every log line and protect nothing. */
export const MIN_MASKED_LENGTH = 4;

export function maskableStrings(value: unknown, options: { numbers?: boolean } = {}): string[] {
  const found = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') found.add(v);
    else if (options.numbers && typeof v === 'number') found.add(String(v));
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(value);
  return [...found].filter((s) => s.length >= MIN_MASKED_LENGTH);
}

/**
 * `text` with every one of `secrets` replaced by `***`, longest first (so a secret containing
 * another is replaced whole). For what the runner does not mask: the job summary.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret !== '') result = result.split(secret).join('***');
  }
  return result;
}

/**
 * A function that redacts each of `secrets` (at least MIN_MASKED_LENGTH long) and the password of
 * any `scheme://user:password@host` URL (`scheme://:password@host` too: an empty user name, as Redis URLs have): for text gantry shows from elsewhere (a task's log lines),
 * which the runner masks in the log but which would reach the job summary as it is.
 */
export function redactor(secrets: Iterable<string> = []): (text: string) => string {
  const values = [...new Set(secrets)].filter((s) => s.length >= MIN_MASKED_LENGTH);
  return (text) => redact(text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, '$1***@'), values);
}

/** Environment variable names whose plain values are treated as secrets when gantry shows a task's logs. */
export const SECRET_LIKE_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;
