/**
 * A tree-sitter HCL syntax tree → the values hcl2json (the Go HCL parser's JSON converter, used
 * before) gave, so the rest of the action sees the same shapes: literals become JSON values,
 * anything that needs evaluating stays as `"${<source>}"`, templates keep their interpolations
 * and directives as text, and literal `${`/`%{` in strings come out escaped as `$${`/`%%{`
 * (Terraform's JSON syntax). Only what a variables file needs is walked; the tree is trusted to
 * be free of syntax errors (hcl-syntax-errors.ts runs first).
 */
import type { Node } from 'web-tree-sitter';
import { HclSyntaxError, rangeOf, tokenAt } from './hcl-syntax-errors';

/** The original text and file name; node text is always sliced from `text` (see maskExponents). */
export interface HclSource {
  filename: string;
  text: string;
}

const sourceOf = (source: HclSource, node: Node): string => source.text.slice(node.startIndex, node.endIndex);

const named = (node: Node): Node[] => node.namedChildren.filter((child): child is Node => child !== null && child.type !== 'comment');

/** A node's children without comments, which tree-sitter places anywhere between tokens (a block comment before a value, say). */
export function parts(node: Node): Node[] {
  if (node.childCount === 1) {
    const only = node.firstChild;
    return only && only.type !== 'comment' ? [only] : [];
  }
  return node.children.filter((child): child is Node => child !== null && child.type !== 'comment');
}

const wrap = (source: HclSource, node: Node): string => `\${${sourceOf(source, node)}}`;

/** Literal `${` and `%{` would read as template syntax in Terraform's JSON form. */
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

function numberValue(source: HclSource, node: Node): number {
  const text = sourceOf(source, node);
  if (!/^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/.test(text)) {
    throw new HclSyntaxError(source.filename, rangeOf(node), 'Invalid number literal', `"${text}" is not a decimal number.`);
  }
  return Number(text);
}

function literalValue(source: HclSource, literal: Node): unknown {
  const node = literal.firstNamedChild ?? literal;
  switch (node.type) {
    case 'numeric_lit':
      return numberValue(source, node);
    case 'bool_lit':
      return sourceOf(source, node) === 'true';
    case 'null_lit':
      return null;
    default: {
      // Most strings are plain text: no escapes, no template markers, nothing to walk.
      const raw = source.text.slice(node.startIndex + 1, node.endIndex - 1);
      return /[\\$%\n]/.test(raw) || source.text[node.endIndex - 1] !== '"' ? templateText(source, node) : raw;
    }
  }
}

/** The one meaningful child of an `expression`, or undefined when it is a compound (a.b, x[0], (…)). */
function soleTerm(expression: Node): Node | undefined {
  const terms = parts(expression);
  return terms.length === 1 ? terms[0] : undefined;
}

export function expressionValue(source: HclSource, expression: Node): unknown {
  const term = soleTerm(expression);
  if (!term) return wrap(source, expression);
  switch (term.type) {
    case 'literal_value':
      return literalValue(source, term);
    case 'collection_value':
      return collectionValue(source, term.firstNamedChild ?? term);
    case 'template_expr':
    {
      const template = term.firstNamedChild ?? term;
      const wrapped = wrappedValue(source, template);
      return wrapped ? wrapped.value : templateText(source, template);
    }
    case 'operation':
      return unaryLiteral(source, term) ?? wrap(source, expression);
    default:
      return wrap(source, expression);
  }
}

/** `"${x}"` alone is the value of x itself (a number stays a number), as in HCL. */
function wrappedValue(source: HclSource, template: Node): { value: unknown } | undefined {
  if (template.type !== 'quoted_template' || template.namedChildCount !== 3) return undefined;
  const interpolation = template.namedChild(1);
  if (interpolation?.type !== 'template_interpolation') return undefined;
  const inner = named(interpolation).find((n) => n.type === 'expression');
  return inner ? { value: expressionValue(source, inner) } : undefined;
}

/** hcl2json folds `-1` and `!true` (an operator on a literal); anything else stays an expression. */
function unaryLiteral(source: HclSource, operation: Node): number | boolean | undefined {
  const unary = operation.firstNamedChild;
  const operands = unary?.type === 'unary_operation' ? named(unary) : [];
  const literal = operands.length === 1 ? operands[0] : undefined;
  const operand = literal?.type === 'literal_value' ? literal.firstNamedChild : undefined;
  if (!unary || !operand) return undefined;
  const operator = sourceOf(source, unary).trimStart()[0];
  if (operator === '-' && operand.type === 'numeric_lit') return -numberValue(source, operand);
  if (operator === '!' && operand.type === 'bool_lit') return sourceOf(source, operand) !== 'true';
  if (operand.type === 'string_lit') return undefined;
  const required = operator === '-' ? 'number' : 'bool';
  throw new HclSyntaxError(source.filename, rangeOf(operand), 'Invalid operand', `Unsuitable value for unary operand: ${required} required.`);
}

function collectionValue(source: HclSource, collection: Node): unknown {
  if (collection.type === 'tuple') return named(collection).filter((n) => n.type === 'expression').map((n) => expressionValue(source, n));
  const object: Record<string, unknown> = {};
  for (const element of named(collection)) {
    if (element.type !== 'object_elem') continue;
    const key = element.childForFieldName('key');
    const value = element.childForFieldName('val');
    if (key && value) object[objectKey(source, key)] = expressionValue(source, value);
  }
  return sortedKeys(object);
}

/** `name`, `"quoted"` and `"${tmpl}"` keys are text; any other key expression stays `${…}`. */
function objectKey(source: HclSource, key: Node): string {
  const term = soleTerm(key);
  if (term?.type === 'variable_expr' && term.childCount === 1) return sourceOf(source, term);
  if (term?.type === 'literal_value' || term?.type === 'template_expr') return String(expressionValue(source, key));
  return wrap(source, key);
}

/** Go's JSON encoder writes map keys sorted; keep that order for whoever iterates the result. */
export function sortedKeys(object: Record<string, unknown>): Record<string, unknown> {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(object).sort()) sorted[key] = object[key];
  return sorted;
}

/** A template's content: literal text (from the source, gaps included) or an interpolation / directive node. */
type Piece = string | Node;

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

/** quoted_template / string_lit / heredoc_template → the string hcl2json gives. */
export function templateText(source: HclSource, template: Node): string {
  if (template.type === 'heredoc_template') return heredocText(source, template);
  const open = template.firstChild;
  const close = template.lastChild;
  if (!open || !close) return '';
  const pieces = piecesBetween(source, template, open.endIndex, close.startIndex, (n) => INLINE_SYNTAX.has(n.type));
  rejectMultiLine(source, template, pieces);
  return piecesText(source, pieces, decodeQuoted);
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

function piecesText(source: HclSource, pieces: Piece[], decode: (raw: string) => string): string {
  const out: string[] = [];
  let stripNext = false;
  for (const piece of pieces) {
    if (typeof piece === 'string') {
      const text = escapeTemplateSyntax(decode(piece));
      out.push(stripNext ? text.trimStart() : text);
      stripNext = false;
      continue;
    }
    if (hasStripMarker(piece, 'start') && out.length > 0) out[out.length - 1] = out[out.length - 1].trimEnd();
    out.push(piece.type === 'template_interpolation' ? interpolationText(source, piece) : directiveText(source, piece, decode));
    stripNext = hasStripMarker(piece, 'end');
  }
  return out.join('');
}

function interpolationText(source: HclSource, interpolation: Node): string {
  const expression = named(interpolation).find((n) => n.type === 'expression');
  return expression ? stringPart(source, expression) : '';
}

/** An interpolated expression: literals and nested templates become text, conditionals `%{if}`. */
function stringPart(source: HclSource, expression: Node): string {
  const term = soleTerm(expression);
  if (term?.type === 'literal_value' || term?.type === 'template_expr') {
    const value = expressionValue(source, expression);
    if (value === null) throw new HclSyntaxError(source.filename, rangeOf(expression), 'Invalid template interpolation value', 'The expression result is null.');
    return String(value);
  }
  if (term?.type === 'conditional') {
    const [condition, whenTrue, whenFalse] = named(term).filter((n) => n.type === 'expression');
    return `%{if ${sourceOf(source, condition)}}${stringPart(source, whenTrue)}%{else}${stringPart(source, whenFalse)}%{endif}`;
  }
  return wrap(source, expression);
}

const DIRECTIVE_KEYWORDS: Record<string, string> = {
  template_if_intro: 'if', template_else_intro: '%{else}', template_if_end: '%{endif}', template_for_start: 'for', template_for_end: '%{endfor}',
};

/** `%{if}` / `%{for}` directives, rebuilt as hcl2json writes them (strip markers dropped). */
function directiveText(source: HclSource, directive: Node, decode: (raw: string) => string): string {
  const inner = directive.firstNamedChild;
  if (!inner) return sourceOf(source, directive);
  const pieces = piecesBetween(source, inner, inner.startIndex, inner.endIndex, (n) => INLINE_SYNTAX.has(n.type) || n.type in DIRECTIVE_KEYWORDS);
  if (decode === decodeQuoted) rejectMultiLine(source, directive, pieces);
  const text: string[] = [];
  let body: Piece[] = [];
  let stripStart = false;
  // A `~` inside a keyword (`%{if a ~}`, `%{~ endif}`) strips the whitespace of the body next to it.
  const flushBody = (stripEnd = false) => {
    const bodyText = piecesText(source, body, decode);
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

/**
 * A heredoc's lines: from after the opening marker's newline to the start of the closing marker's
 * line. `<<EOT` keeps them as written; `<<-EOT` removes the smallest indentation of the lines that
 * start with text, as HCL does: a line of only whitespace does not count (and keeps what it has if
 * shorter), a line starting with `${` counts as unindented.
 */
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

function heredocText(source: HclSource, heredoc: Node): string {
  const markers = heredoc.children.filter((n): n is Node => n?.type === 'heredoc_identifier');
  if (markers.length < 2) return '';
  const [opening, closing] = [markers[0], markers[markers.length - 1]];
  rejectLooseOpener(source, heredoc, opening);
  const bodyStart = source.text.indexOf('\n', opening.endIndex) + 1;
  const bodyEnd = source.text.lastIndexOf('\n', closing.startIndex - 1) + 1;
  const pieces = bodyEnd > bodyStart ? piecesBetween(source, heredoc, bodyStart, bodyEnd, (n) => INLINE_SYNTAX.has(n.type)) : [];
  const flush = heredoc.firstChild !== null && sourceOf(source, heredoc.firstChild) === '<<-';
  if (!flush) return piecesText(source, pieces, decodeHeredoc);
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
      : lines[index].map(({ text, atLineStart: start }) => (start && !isBlankLine(text) && /^[ \t]*$/.test(text.slice(0, indent)) ? text.slice(indent) : text)).join(''),
  );
  return piecesText(source, stripped, decodeHeredoc);
}
