/**
 * Renders the markdown of a job summary readably in a terminal: tables become aligned
 * columns, headings and bold text are highlighted (ANSI colours only when asked),
 * HTML details/summary tags are unwrapped. Used by the demo to show each step's summary.
 */

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
export const colours: Style = {
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  green: wrap(32, 39),
  red: wrap(31, 39),
  yellow: wrap(33, 39),
  cyan: wrap(36, 39),
};
const identity = (text: string) => text;
export const plain: Style = { bold: identity, dim: identity, green: identity, red: identity, yellow: identity, cyan: identity };

export function useColour(stream: { isTTY?: boolean }, env: Record<string, string | undefined> = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
export const visibleLength = (text: string): number => [...text.replace(ANSI, '')].length;

function inline(text: string, style: Style): string {
  return text
    .replace(/<br\s*\/?>/g, ' / ')
    .replace(/<\/?(details|summary|sub|sup|p)>/g, '')
    .replace(/\*\*([^*]+)\*\*/g, (_, t: string) => style.bold(t))
    .replace(/`([^`]+)`/g, (_, t: string) => style.cyan(t))
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 <$2>')
    .replace(/:white_check_mark:|✅/g, style.green('✔'))
    .replace(/:x:|❌/g, style.red('✘'))
    .replace(/\\\|/g, '|');
}

function splitRow(line: string): string[] {
  const cells: string[] = [];
  let current = '';
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < body.length; i += 1) {
    if (body[i] === '\\' && body[i + 1] === '|') {
      current += '\\|';
      i += 1;
    } else if (body[i] === '|') {
      cells.push(current.trim());
      current = '';
    } else current += body[i];
  }
  cells.push(current.trim());
  return cells;
}

function renderTable(lines: string[], style: Style, indent: string): string[] {
  const rows = lines.filter((l) => !/^\s*\|?\s*:?-{3,}/.test(l)).map((l) => splitRow(l).map((c) => inline(c, style)));
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return rows.map((row, r) => {
    const text = row.map((cell, i) => cell + ' '.repeat(widths[i] - visibleLength(cell))).join('  ');
    return indent + (r === 0 && rows.length > 1 && row.some((c) => c !== '') ? style.bold(text) : text).trimEnd();
  });
}

export interface RenderOptions {
  /** Show only the title of a <details> block (what GitHub shows until it is opened). */
  collapseDetails?: boolean;
}

export function renderMarkdown(markdown: string, style: Style = plain, indent = '  ', options: RenderOptions = {}): string {
  const out: string[] = [];
  const lines = markdown.split(/\r?\n/);
  let inCode = false;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    if (options.collapseDetails && line.includes('<details>')) {
      const title = /<summary>(.*?)<\/summary>/.exec(line)?.[1] ?? /<summary>(.*?)<\/summary>/.exec(lines[i + 1] ?? '')?.[1] ?? 'details';
      let depth = 0;
      for (; i < lines.length; i += 1) {
        depth += (lines[i].match(/<details>/g) ?? []).length - (lines[i].match(/<\/details>/g) ?? []).length;
        if (depth <= 0) break;
      }
      out.push(indent + style.dim(`▸ ${inline(title, plain)} (collapsed)`));
      continue;
    }
    if (/^\s*(```|~~~)/.test(line)) {
      inCode = !inCode;
      continue;
    }
    if (inCode) {
      out.push(indent + style.dim(line));
      continue;
    }
    if (line.trim().startsWith('|')) {
      const table: string[] = [];
      while (i < lines.length && lines[i].trim().startsWith('|')) table.push(lines[i++]);
      i -= 1;
      out.push(...renderTable(table, style, indent));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      out.push(indent + style.bold(style.cyan(inline(heading[2], plain))));
      continue;
    }
    const text = inline(line, style);
    if (text.trim() === '' && out.at(-1)?.trim() === '') continue;
    out.push(text.trim() === '' ? '' : indent + text);
  }
  return out.join('\n').replace(/^\n+|\n+$/g, '');
}
