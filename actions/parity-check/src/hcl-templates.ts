/**
 * Quoted strings and heredocs → their real text (`"a$${b}"` is `a${b}`): escapes, interpolated
 * known values, strip markers, `<<-` indentation; `"${x}"` alone is the value of x. A template
 * holding anything not known is an Unevaluated string in Terraform's JSON syntax, and `%{if}` /
 * `%{for}` directives are never evaluated, only rebuilt as that syntax writes them. Interpolated
 * expressions are read by hcl-values.ts.
 */
import type { Node } from 'web-tree-sitter';
import { HclSyntaxError, rangeOf, tokenAt } from './hcl-syntax-errors';
import { formatNumber, named, parts, sourceOf, type HclSource } from './hcl-nodes';
import { Unevaluated } from './values';

/** Literal `${` and `%{` would read as template syntax in Terraform's JSON form (an Unevaluated's text). */
const escapeTemplateSyntax = (text: string): string => text.replace(/([$%])\{/g, '$1$1{');

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

/** A quoted string's literal part: backslash escapes, and `$${` / `%%{` for a literal `${` / `%{`. */
function decodeQuoted(raw: string): string {
  return raw.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)|([$%])\2\{/g, (match: string, escape?: string, marker?: string) => {
    if (marker) return `${marker}{`;
    if (escape && escape.length > 1) return String.fromCodePoint(parseInt(escape.slice(1), 16));
    return ESCAPES[escape ?? ''] ?? match;
  });
}

/** Heredocs take no backslash escapes, only the doubled template markers. */
const decodeHeredoc = (raw: string): string => raw.replace(/([$%])\1\{/g, '$1{');

/** A template's content: literal text (from the source, gaps included) or an interpolation / directive node. */
type Piece = string | Node;

/** A template's content once read: known text, or the Terraform JSON syntax of what is not known. */
type Part = { text: string } | { code: string };

const INLINE_SYNTAX = new Set(['template_interpolation', 'template_directive']);

/**
 * The pieces of a template between `from` and `to`: tree-sitter leaves whitespace between tokens
 * out of its literal nodes, so the literal text is taken as the gaps between the syntax nodes.
 */
function piecesBetween(source: HclSource, container: Node, from: number, to: number, isSyntax: (node: Node) => boolean): Piece[] {
  const pieces: Piece[] = [];
  let cursor = from;
  for (const child of container.children) {
    if (!child || child.startIndex < from || child.endIndex > to || !isSyntax(child)) continue;
    if (child.startIndex > cursor) pieces.push(source.text.slice(cursor, child.startIndex));
    pieces.push(child);
    cursor = child.endIndex;
  }
  if (to > cursor) pieces.push(source.text.slice(cursor, to));
  return pieces;
}

const partsText = (parts: readonly Part[]): string =>
  parts.map((part) => ('text' in part ? escapeTemplateSyntax(part.text) : part.code)).join('');

/** Known text when every part is known; otherwise an Unevaluated string. */
function partsValue(parts: readonly Part[]): string | Unevaluated {
  if (parts.every((part) => 'text' in part)) return parts.map((part) => (part as { text: string }).text).join('');
  return new Unevaluated(partsText(parts), 'string');
}

/** quoted_template / string_lit / heredoc_template → its string, or an Unevaluated one; `"${x}"` alone is the value of x. */
export function templateValue(source: HclSource, template: Node): unknown {
  if (template.type === 'heredoc_template') return partsValue(heredocParts(source, template));
  const open = template.firstChild;
  const close = template.lastChild;
  if (!open || !close) return '';
  const pieces = piecesBetween(source, template, open.endIndex, close.startIndex, (n) => INLINE_SYNTAX.has(n.type));
  rejectMultiLine(source, template, pieces);
  if (pieces.length === 1 && typeof pieces[0] !== 'string' && pieces[0].type === 'template_interpolation') {
    const inner = named(pieces[0]).find((n) => n.type === 'expression');
    if (inner) return source.evaluate.expression(source, inner);
  }
  return partsValue(templateParts(source, pieces, decodeQuoted));
}

/** tree-sitter accepts a line break in a quoted string; HCL does not. */
function rejectMultiLine(source: HclSource, template: Node, pieces: Piece[]): void {
  if (!pieces.some((piece) => typeof piece === 'string' && piece.includes('\n'))) return;
  throw new HclSyntaxError(
    source.filename,
    tokenAt(source.text, source.text.indexOf('\n', template.startIndex)),
    'Invalid multi-line string',
    'Quoted strings may not be split over multiple lines. To produce a multi-line string, either use the \\n escape to represent a newline character or use the "heredoc" multi-line template syntax.',
  );
}

function hasStripMarker(node: Node, at: 'start' | 'end'): boolean {
  const text = node.text;
  return at === 'start' ? text[2] === '~' : text[text.length - 2] === '~';
}

/** The parts of a template: strip markers (`${~ x ~}`) trim the literal text beside them, never an interpolated value. */
function templateParts(source: HclSource, pieces: readonly Piece[], decode: (raw: string) => string): Part[] {
  return pieces.map((piece, i): Part => {
    if (typeof piece !== 'string') {
      return piece.type === 'template_interpolation' ? interpolationPart(source, piece) : { code: directiveText(source, piece, decode) };
    }
    const [before, after] = [pieces[i - 1], pieces[i + 1]];
    let text = decode(piece);
    if (before !== undefined && typeof before !== 'string' && hasStripMarker(before, 'end')) text = text.trimStart();
    if (after !== undefined && typeof after !== 'string' && hasStripMarker(after, 'start')) text = text.trimEnd();
    return { text };
  });
}

function interpolationPart(source: HclSource, interpolation: Node): Part {
  const expression = named(interpolation).find((n) => n.type === 'expression');
  return expression ? expressionPart(source, expression) : { text: '' };
}

/** An interpolated expression: a known value becomes text; an unknown conditional becomes `%{if}` (as hcl2json wrote it). */
function expressionPart(source: HclSource, expression: Node): Part {
  const value = source.evaluate.expression(source, expression);
  if (value instanceof Unevaluated) {
    const terms = parts(expression);
    if (terms.length === 1 && terms[0].type === 'conditional') {
      const [condition, whenTrue, whenFalse] = named(terms[0]).filter((n) => n.type === 'expression');
      const branch = (node: Node) => partsText([expressionPart(source, node)]);
      return { code: `%{if ${sourceOf(source, condition)}}${branch(whenTrue)}%{else}${branch(whenFalse)}%{endif}` };
    }
    return { code: value.text };
  }
  if (value === null) {
    throw new HclSyntaxError(
      source.filename,
      rangeOf(expression),
      'Invalid template interpolation value',
      'The expression result is null. Cannot include a null value in a string template.',
    );
  }
  if (typeof value === 'object') {
    throw new HclSyntaxError(
      source.filename,
      rangeOf(expression),
      'Invalid template interpolation value',
      'Cannot include the given value in a string template: string required.',
    );
  }
  return { text: typeof value === 'number' ? formatNumber(value) : String(value) };
}

const DIRECTIVE_KEYWORDS: Record<string, string> = {
  template_if_intro: 'if',
  template_else_intro: '%{else}',
  template_if_end: '%{endif}',
  template_for_start: 'for',
  template_for_end: '%{endfor}',
};

/** `%{if}` / `%{for}` directives, never evaluated here: rebuilt as Terraform's JSON syntax writes them (strip markers applied). */
function directiveText(source: HclSource, directive: Node, decode: (raw: string) => string): string {
  const inner = directive.firstNamedChild;
  if (!inner) return sourceOf(source, directive);
  const pieces = piecesBetween(
    source,
    inner,
    inner.startIndex,
    inner.endIndex,
    (n) => INLINE_SYNTAX.has(n.type) || n.type in DIRECTIVE_KEYWORDS,
  );
  if (decode === decodeQuoted) rejectMultiLine(source, directive, pieces);
  const text: string[] = [];
  let body: Piece[] = [];
  let stripStart = false;
  // A `~` inside a keyword (`%{if a ~}`, `%{~ endif}`) strips the whitespace of the body next to it.
  const flushBody = (stripEnd = false) => {
    const bodyText = partsText(templateParts(source, body, decode));
    text.push(stripEnd ? (stripStart ? bodyText.trim() : bodyText.trimEnd()) : stripStart ? bodyText.trimStart() : bodyText);
    body = [];
  };
  for (const piece of pieces) {
    const keyword = typeof piece === 'string' ? undefined : DIRECTIVE_KEYWORDS[piece.type];
    if (keyword === undefined || typeof piece === 'string') {
      body.push(piece);
      continue;
    }
    flushBody(hasStripMarker(piece, 'start'));
    stripStart = hasStripMarker(piece, 'end');
    const head = named(piece).filter((n) => n.type === 'expression' || n.type === 'identifier');
    if (keyword === 'if') text.push(`%{if ${sourceOf(source, head[0])}}`);
    else if (keyword === 'for') {
      const names = head.filter((n) => n.type === 'identifier').map((n) => sourceOf(source, n));
      const collection = head.find((n) => n.type === 'expression');
      text.push(`%{for ${names.join(', ')} in ${collection ? sourceOf(source, collection) : ''}}`);
    } else text.push(keyword);
  }
  flushBody();
  return text.join('');
}

/** A whole line of only whitespace (not the whitespace before a `${` on the line). */
const isBlankLine = (text: string): boolean => text.endsWith('\n') && text.trim() === '';

/**
 * HCL opens a heredoc only with `<<ID` or `<<-ID` directly followed by the line break; tree-sitter
 * also takes `<< ID` and `<<ID # comment` (and would hide the comment). Go HCL reads neither as a
 * heredoc and reports an invalid expression there.
 */
function rejectLooseOpener(source: HclSource, heredoc: Node, opening: Node): void {
  const start = heredoc.firstChild;
  if (start && start.endIndex === opening.startIndex && /^\r?\n/.test(source.text.slice(opening.endIndex, opening.endIndex + 2))) return;
  const at = start ?? heredoc;
  throw new HclSyntaxError(
    source.filename,
    { start: at.startPosition, end: { row: at.startPosition.row, column: at.startPosition.column + 1 } },
    'Invalid expression',
    'Expected the start of an expression, but found an invalid expression token.',
  );
}

/**
 * A heredoc's lines: from after the opening marker's newline to the start of the closing marker's
 * line. `<<EOT` keeps them as written; `<<-EOT` removes the smallest indentation of the lines that
 * start with text, as HCL does: a line of only whitespace does not count (and keeps what it has if
 * shorter), a line starting with `${` counts as unindented.
 */
function heredocParts(source: HclSource, heredoc: Node): Part[] {
  const markers = heredoc.children.filter((n): n is Node => n?.type === 'heredoc_identifier');
  if (markers.length < 2) return [];
  const [opening, closing] = [markers[0], markers[markers.length - 1]];
  rejectLooseOpener(source, heredoc, opening);
  const bodyStart = source.text.indexOf('\n', opening.endIndex) + 1;
  const bodyEnd = source.text.lastIndexOf('\n', closing.startIndex - 1) + 1;
  const pieces = bodyEnd > bodyStart ? piecesBetween(source, heredoc, bodyStart, bodyEnd, (n) => INLINE_SYNTAX.has(n.type)) : [];
  const flush = heredoc.firstChild !== null && sourceOf(source, heredoc.firstChild) === '<<-';
  if (!flush) return templateParts(source, pieces, decodeHeredoc);
  const lines: { text: string; atLineStart: boolean }[][] = [];
  let atLineStart = true;
  let indent = Infinity;
  for (const piece of pieces) {
    if (typeof piece !== 'string') {
      if (atLineStart) indent = 0;
      atLineStart = false;
      lines.push([]);
      continue;
    }
    const chunks = piece.split(/(?<=\n)/).map((text, i) => ({ text, atLineStart: i > 0 || atLineStart }));
    for (const chunk of chunks) {
      if (chunk.atLineStart && !isBlankLine(chunk.text)) indent = Math.min(indent, /^[ \t]*/.exec(chunk.text)![0].length);
    }
    lines.push(chunks);
    atLineStart = piece.endsWith('\n');
  }
  if (!Number.isFinite(indent)) indent = 0;
  const stripped = pieces.map((piece, index) =>
    typeof piece !== 'string'
      ? piece
      : lines[index]
          .map(({ text, atLineStart: start }) =>
            start && !isBlankLine(text) && /^[ \t]*$/.test(text.slice(0, indent)) ? text.slice(indent) : text,
          )
          .join(''),
  );
  return templateParts(source, stripped, decodeHeredoc);
}
