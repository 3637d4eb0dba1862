/**
 * Line numbers of top-level keys, so a finding can be annotated on the exact line of a
 * variables file. The HCL parser gives values (as hcl2json did) but no positions, so this is a small
 * character scanner that only needs to know where it is NOT at the top level: inside strings
 * (with `${…}` interpolations that may hold strings and braces), heredocs, comments of the three
 * kinds, and brackets. It runs after the parser accepted the file, so it never judges syntax.
 */

export interface HclTopLevel {
  /** `name = …` at the top level → 1-based line of its first definition. */
  attributes: Map<string, number>;
  /** `name {` / `name "label" {` at the top level: blocks, which variables files may not hold. */
  blocks: Map<string, number>;
}

const ATTRIBUTE_START = /^([\p{ID_Start}_][\p{ID_Continue}-]*)[ \t]*=(?!=)/u;
const BLOCK_START = /^([\p{ID_Start}_][\p{ID_Continue}-]*)[ \t]*(?:\{|"|[\p{ID_Start}_])/u;

/** A code context: the file's top level, or the inside of a `${…}` / `%{…}` interpolation. */
interface CodeMode {
  kind: 'code';
  depth: number;
}
interface StringMode {
  kind: 'string';
}
type Mode = CodeMode | StringMode;

export function hclTopLevelLines(text: string): HclTopLevel {
  const attributes = new Map<string, number>();
  const blocks = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  const top: CodeMode = { kind: 'code', depth: 0 };
  const stack: Mode[] = [top];
  let inBlockComment = false;
  let heredoc: { marker: string } | undefined;

  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index];
    if (heredoc) {
      if (line.trim() === heredoc.marker) heredoc = undefined;
      continue;
    }
    const atTopLevel = !inBlockComment && stack.length === 1 && top.depth === 0;
    if (atTopLevel) {
      const rest = line.trimStart();
      const attribute = ATTRIBUTE_START.exec(rest);
      if (attribute && !attributes.has(attribute[1])) attributes.set(attribute[1], index + 1);
      const block = attribute ? null : BLOCK_START.exec(rest);
      if (block && !blocks.has(block[1])) blocks.set(block[1], index + 1);
    }
    let pendingHeredoc: string | undefined;
    for (let i = 0; i < line.length; i += 1) {
      const char = line[i];
      const next = line[i + 1];
      if (inBlockComment) {
        if (char === '*' && next === '/') {
          inBlockComment = false;
          i += 1;
        }
        continue;
      }
      const mode = stack[stack.length - 1];
      if (mode.kind === 'string') {
        if (char === '\\') i += 1;
        else if ((char === '$' || char === '%') && next === char && line[i + 2] === '{') i += 2;
        else if ((char === '$' || char === '%') && next === '{') {
          stack.push({ kind: 'code', depth: 0 });
          i += 1;
        } else if (char === '"') stack.pop();
        continue;
      }
      if (char === '#' || (char === '/' && next === '/')) break;
      if (char === '/' && next === '*') {
        inBlockComment = true;
        i += 1;
      } else if (char === '"') stack.push({ kind: 'string' });
      else if (char === '<' && next === '<') {
        const match = /^<<-?([\p{ID_Start}_][\p{ID_Continue}-]*)[ \t]*$/u.exec(line.slice(i));
        if (match) {
          pendingHeredoc = match[1];
          break;
        }
        i += 1;
      } else if (char === '{' || char === '[' || char === '(') mode.depth += 1;
      else if (char === '}' || char === ']' || char === ')') {
        // The `}` that closes an interpolation returns to the string it interrupted.
        if (mode.depth === 0 && mode !== top) stack.pop();
        else mode.depth = Math.max(0, mode.depth - 1);
      }
    }
    if (pendingHeredoc) heredoc = { marker: pendingHeredoc };
  }
  return { attributes, blocks };
}

/**
 * Top-level keys of a JSON object document (`.tfvars.json`, a toggles manifest) → 1-based line
 * of the key. Only strings at depth 1 that are followed by `:` count.
 */
export function jsonTopLevelKeyLines(text: string): Map<string, number> {
  const keys = new Map<string, number>();
  let depth = 0;
  let line = 1;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '\n') line += 1;
    else if (char === '{' || char === '[') depth += 1;
    else if (char === '}' || char === ']') depth -= 1;
    else if (char === '"') {
      const start = i;
      const startLine = line;
      for (i += 1; i < text.length && text[i] !== '"'; i += 1) {
        if (text[i] === '\\') i += 1;
      }
      if (depth !== 1) continue;
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j])) j += 1;
      if (text[j] !== ':') continue;
      const key = JSON.parse(text.slice(start, i + 1)) as string;
      if (!keys.has(key)) keys.set(key, startLine);
    }
  }
  return keys;
}
