/**
 * The failure codes gantry prints (`GANTRY-<AREA>-<NNN>`, lib/runner/errors.ts), found by a plain
 * scan of the sources, and the codes the runbook documents (its `<a id="gantry-…">` anchors).
 * No TypeScript compiler: a code is a string literal written where the error is thrown.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const CODE = /GANTRY-[A-Z]+-[0-9]{3}/g;

/** One place a code is written, with the wording of the failure it is given to. */
export interface CodeSite {
  code: string;
  file: string;
  line: number;
  /** The literal text of the rest of the call (holes as …): what tells two failures apart. */
  wording: string;
}

/** The files gantry runs: every action's src/, lib/, the pull-request checks' script (tests left out) and the workflows. */
export function sourceFiles(root: string): string[] {
  const tree = (dir: string, pattern: RegExp): string[] =>
    existsSync(path.join(root, dir))
      ? (readdirSync(path.join(root, dir), { recursive: true }) as string[])
          .filter((f) => pattern.test(f) && !/\.test\.[mc]?[jt]s$/.test(f) && !f.endsWith('.d.ts'))
          .map((f) => path.join(dir, f).split(path.sep).join('/'))
          .sort()
      : [];
  const actions = readdirSync(path.join(root, 'actions'))
    .filter((name) => existsSync(path.join(root, 'actions', name, 'action.yml')))
    .sort();
  return [
    ...actions.flatMap((name) => tree(`actions/${name}/src`, /\.(ts|mts|js|mjs)$/)),
    ...tree('lib', /\.(ts|mts|js|mjs)$/),
    ...tree('scripts/pr-checks/src', /\.(ts|mts|js|mjs)$/),
    ...tree('.github/workflows', /\.ya?ml$/),
    ...tree('workflow-templates', /\.ya?ml$/),
  ];
}

/**
 * The string and template literals of the expression list that follows `start` (the rest of a
 * call's arguments, up to the bracket that closes it or a `;`), joined; `${…}` and every
 * non-literal are holes. Enough to tell `new X('C', 'a', 'one text')` from `new X('C', 'a', 'another')`.
 */
export function wordingAfter(text: string, start: number): string {
  const pieces: string[] = [];
  let depth = 0;
  let i = start;
  const readQuoted = (quote: string): string => {
    let out = '';
    for (i += 1; i < text.length && text[i] !== quote; i += 1) {
      if (text[i] === '\\') i += 1;
      out += text[i] ?? '';
    }
    i += 1;
    return out;
  };
  /** From just after `${` to just after its `}`, skipping nested literals. */
  const skipExpression = (): void => {
    let braces = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === "'" || c === '"') readQuoted(c);
      else if (c === '`') readTemplate();
      else if (c === '{') {
        braces += 1;
        i += 1;
      } else if (c === '}') {
        i += 1;
        if (braces === 0) return;
        braces -= 1;
      } else i += 1;
    }
  };
  const readTemplate = (): string => {
    let out = '';
    for (i += 1; i < text.length && text[i] !== '`';) {
      if (text[i] === '\\') {
        out += text[i + 1] ?? '';
        i += 2;
      } else if (text.startsWith('${', i)) {
        i += 2;
        skipExpression();
        out += '…';
      } else out += text[i++];
    }
    i += 1;
    return out;
  };
  while (i < text.length && i < start + 4000) {
    const c = text[i];
    if (c === "'" || c === '"') pieces.push(readQuoted(c));
    else if (c === '`') pieces.push(readTemplate());
    else if (text.startsWith('//', i)) i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
    else if ('([{'.includes(c)) {
      depth += 1;
      i += 1;
    } else if (')]}'.includes(c)) {
      if (depth === 0) break;
      depth -= 1;
      i += 1;
    } else if (c === ';' && depth === 0) break;
    else i += 1;
  }
  return pieces.filter((p) => p !== '').join(' … ');
}

/** Every code in one file: in a TS/JS source the literal `'GANTRY-…'`, in a workflow the text after `GANTRY-…: `. */
export function codeSites(file: string, text: string): CodeSite[] {
  const sites: CodeSite[] = [];
  const workflow = /\.ya?ml$/.test(file);
  for (const match of text.matchAll(CODE)) {
    const at = match.index;
    const line = text.slice(0, at).split('\n').length;
    const end = at + match[0].length;
    let wording: string;
    if (workflow) {
      const rest = text.slice(end, text.indexOf('\n', end) === -1 ? text.length : text.indexOf('\n', end));
      wording = rest
        .replace(/^:\s*/, '')
        .replace(/["'`]\s*$/, '')
        .replace(/\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*/g, '…')
        .trim();
    } else {
      if (!/['"`]/.test(text[at - 1] ?? '') || text[end] !== text[at - 1]) continue; // a code inside other text is not a throw site
      wording = wordingAfter(text, end + 1);
    }
    sites.push({ code: match[0], file, line, wording });
  }
  return sites;
}

export function collectCodeSites(root: string): CodeSite[] {
  return sourceFiles(root).flatMap((file) => codeSites(file, readFileSync(path.join(root, file), 'utf8')));
}

/** Codes given to more than one failure: the same code at sites whose wording differs. */
export function codesWithTwoMeanings(sites: readonly CodeSite[]): Map<string, CodeSite[]> {
  const byCode = new Map<string, CodeSite[]>();
  for (const site of sites) byCode.set(site.code, [...(byCode.get(site.code) ?? []), site]);
  return new Map([...byCode].filter(([, list]) => new Set(list.map((s) => s.wording)).size > 1));
}

/** The codes a document gives an anchor (`<a id="gantry-deploy-007"></a>`), each with the lines it is anchored on. */
export function anchoredCodes(markdown: string): Map<string, number[]> {
  const anchors = new Map<string, number[]>();
  markdown.split('\n').forEach((text, index) => {
    for (const match of text.matchAll(/<a id="(gantry-[a-z]+-[0-9]{3})"><\/a>/g)) {
      const code = match[1].toUpperCase();
      anchors.set(code, [...(anchors.get(code) ?? []), index + 1]);
    }
  });
  return anchors;
}

/** Every code a document names, anchored or not. */
export function mentionedCodes(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(CODE)].map((m) => m[0]));
}

/** The areas lib/runner/errors.ts allows (its FailureArea union). */
export function failureAreas(root: string): string[] {
  const errors = readFileSync(path.join(root, 'lib', 'runner', 'errors.ts'), 'utf8');
  const union = /export type FailureArea =([^;]+);/.exec(errors)?.[1] ?? '';
  return [...union.matchAll(/'([A-Z]+)'/g)].map((m) => m[1]);
}

/** One warning gantry prints (`….warning(…)`), with the literal pieces an on-call engineer would search the runbook for. */
export interface WarningSite {
  file: string;
  line: number;
  /** The literal text of the call, split at its holes, each piece trimmed of punctuation; only pieces of MIN_WARNING_PIECE or more. */
  pieces: string[];
}

/** Shorter pieces (`Watching it.`) say nothing a search could find. */
export const MIN_WARNING_PIECE = 12;

const searchable = (text: string): string => text.replace(/`/g, '').replace(/\s+/g, ' ');

/** Every `.warning(` call of a TS/JS source whose wording has a searchable piece (a warning of a variable — a line passed on — has none). */
export function warningSites(file: string, text: string): WarningSite[] {
  const sites: WarningSite[] = [];
  for (const match of text.matchAll(/\.warning\(/g)) {
    const pieces = wordingAfter(text, match.index + match[0].length)
      .split('…')
      .map((p) =>
        searchable(p)
          .trim()
          .replace(/^[.,:;()\s]+|[.,:;()\s]+$/g, ''),
      )
      .filter((p) => p.length >= MIN_WARNING_PIECE);
    if (pieces.length) sites.push({ file, line: text.slice(0, match.index).split('\n').length, pieces });
  }
  return sites;
}

export function collectWarningSites(root: string): WarningSite[] {
  return sourceFiles(root)
    .filter((file) => !/\.ya?ml$/.test(file))
    .flatMap((file) => warningSites(file, readFileSync(path.join(root, file), 'utf8')));
}

/** The warnings no piece of which the document holds (backticks and line breaks ignored). */
export function undocumentedWarnings(sites: readonly WarningSite[], markdown: string): WarningSite[] {
  const doc = searchable(markdown);
  return sites.filter((site) => !site.pieces.some((piece) => doc.includes(piece)));
}
