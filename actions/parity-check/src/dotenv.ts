/**
 * Variable NAMES of a dotenv file (`.env.example` style). Values are skipped as soon as they are
 * read past — never stored, never quoted in an error — because a real .env may hold secrets.
 * Accepts `KEY=VALUE`, `export KEY=VALUE`, `#` comments, empty values, and single-, double- or
 * back-quoted values that may span lines (as the dotenv package allows).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ActionFailure } from '../../../lib/runner/errors';

export interface EnvNameSet {
  /** Name → 1-based line of its first definition. */
  names: Map<string, number>;
  file: string;
}

const ASSIGNMENT = /^(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*(.*)$/;

export class DotenvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
    this.name = 'DotenvSyntaxError';
  }
}

/** Index just past the closing `quote` in `text` from `start`, or -1; only `"` values have escapes. */
function closingQuote(text: string, start: number, quote: string): number {
  for (let i = start; i < text.length; i += 1) {
    if (quote === '"' && text[i] === '\\') i += 1;
    else if (text[i] === quote) return i + 1;
  }
  return -1;
}

export function parseDotenvNames(text: string): Map<string, number> {
  const names = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index].trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.includes('\0'))
      throw new DotenvSyntaxError(index + 1, 'a NUL character (is it a binary file?); the line is not shown, it may hold a secret.');
    const match = ASSIGNMENT.exec(line);
    if (!match)
      throw new DotenvSyntaxError(
        index + 1,
        'expected NAME=value (optionally prefixed by "export"); the line is not shown, it may hold a secret.',
      );
    const [, name, value] = match;
    if (!names.has(name)) names.set(name, index + 1);
    const quote = value[0];
    if (quote !== '"' && quote !== "'" && quote !== '`') continue;
    // A quoted value may continue over the next lines: skip them, they are not assignments.
    let rest = value.slice(1);
    let endLine = index;
    let end = closingQuote(rest, 0, quote);
    while (end === -1 && endLine + 1 < lines.length) {
      endLine += 1;
      rest = `${rest}\n${lines[endLine]}`;
      end = closingQuote(rest, 0, quote);
    }
    if (end === -1) throw new DotenvSyntaxError(index + 1, `the ${quote}-quoted value of ${name} is never closed.`);
    index = endLine;
  }
  return names;
}

export async function loadEnvNames(input: string, absolute: string, workspace: string): Promise<EnvNameSet> {
  const file = path.relative(workspace, absolute).split(path.sep).join('/');
  const text = await readFile(absolute, 'utf8');
  try {
    return { names: parseDotenvNames(text), file };
  } catch (err) {
    if (err instanceof DotenvSyntaxError)
      throw new ActionFailure('GANTRY-PARITY-001', `Input '${input}': ${file}:${err.line}: ${err.problem}`);
    throw err;
  }
}
