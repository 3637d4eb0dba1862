/** Markdown helpers for job summaries and comments (pure; no toolkit). */

export function escapeCell(value: unknown): string {
  const text = value === undefined || value === null || value === '' ? '—' : String(value);
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

export function markdownTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  // An empty header cell stays empty (a key/value table has no column titles).
  const head = `| ${headers.map((h) => (h === '' ? ' ' : escapeCell(h))).join(' | ')} |`;
  const rule = `| ${headers.map(() => '---').join(' | ')} |`;
  const body = rows.map((row) => `| ${headers.map((_, i) => escapeCell(row[i])).join(' | ')} |`);
  return [head, rule, ...body].join('\n');
}

/** A two-column key/value table, the usual shape of a summary's header. */
export function keyValueTable(entries: readonly (readonly [string, unknown])[]): string {
  return markdownTable(
    ['', ''],
    entries.map(([k, v]) => [`**${k}**`, v]),
  );
}

export function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

export function codeBlock(text: string, lang = ''): string {
  const fence = text.includes('```') ? '````' : '```';
  return `${fence}${lang}\n${text}\n${fence}`;
}

/** Truncate to at most `max` characters (UTF-16 units) on a line boundary, with a note. */
export function truncateText(text: string, max: number, note = (omitted: number) => `… ${omitted} more characters omitted`): string {
  if (text.length <= max) return text;
  const reserve = 80;
  let cut = text.lastIndexOf('\n', Math.max(0, max - reserve));
  if (cut <= 0) cut = Math.max(0, max - reserve);
  return `${text.slice(0, cut)}\n${note(text.length - cut)}`;
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
}
