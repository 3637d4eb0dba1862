/**
 * A tree-sitter HCL syntax tree → the values Terraform reads from a variables file (which it
 * evaluates with no variables and no functions): literals, collections, templates and the
 * constant expressions Terraform folds (`(1)`, `-1`, `1 + 2 * 3`, `!true`, `2 > 1 && true`,
 * `"a" == "a"`, `true ? 1 : 2`, `[1, 2][0]`, `{ a = 1 }.a`), checked against `terraform console`.
 * Strings are their real text (`"a$${b}"` is `a${b}`). Anything else (a variable, a function
 * call, a `for`, a template directive) is an `Unevaluated` (values.ts) holding its text as
 * Terraform's JSON syntax writes it, and its type when the syntax fixes it. Only what a variables
 * file needs is walked; the tree is trusted to be free of syntax errors (hcl-syntax-errors.ts runs
 * first), and the type errors Terraform would report on literals are reported here the same way.
 */
import type { Node, TreeCursor } from 'web-tree-sitter';
import { HclSyntaxError, rangeOf, tokenAt, type SourceRange } from './hcl-syntax-errors';
import { deepEqual, typeOf, Unevaluated } from './values';

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

/** An expression term can be several sibling nodes (`(` expression `)`, a term and its `[0]`). */
const spanOf = (source: HclSource, nodes: readonly Node[]): string => source.text.slice(nodes[0].startIndex, nodes[nodes.length - 1].endIndex);

const spanRange = (nodes: readonly Node[]): SourceRange => ({ start: nodes[0].startPosition, end: nodes[nodes.length - 1].endPosition });

const unevaluated = (source: HclSource, nodes: readonly Node[], type?: Unevaluated['type']): Unevaluated => new Unevaluated(`\${${spanOf(source, nodes)}}`, type);

/** Anything unevaluated inside a value (a list or object may hold some). */
function containsUnevaluated(value: unknown): boolean {
  if (value instanceof Unevaluated) return true;
  if (Array.isArray(value)) return value.some(containsUnevaluated);
  return value !== null && typeof value === 'object' && Object.values(value).some(containsUnevaluated);
}

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

const DECIMAL = /^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/;

function numberValue(source: HclSource, node: Node): number {
  const text = sourceOf(source, node);
  if (!DECIMAL.test(text)) {
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
      return /[\\$%\n]/.test(raw) || source.text[node.endIndex - 1] !== '"' ? templateValue(source, node) : raw;
    }
  }
}

export const NOT_LITERAL = Symbol('not a plain literal');

/**
 * The common case, read on a cursor at an `expression` without making node objects: a number,
 * bool, null or plain string literal, alone. NOT_LITERAL for anything else (the cursor is left
 * where it was), which expressionValue then reads.
 */
export function literalAtCursor(source: HclSource, cursor: TreeCursor): unknown {
  if (!cursor.gotoFirstChild()) return NOT_LITERAL;
  let value: unknown = NOT_LITERAL;
  // A literal_value with no sibling (no comment, no `[0]` after it), and its one token.
  if (cursor.nodeType === 'literal_value' && !cursor.gotoNextSibling() && cursor.gotoFirstChild()) {
    const [start, end] = [cursor.startIndex, cursor.endIndex];
    const type: string = cursor.nodeType;
    if (type === 'bool_lit') value = source.text.slice(start, end) === 'true';
    else if (type === 'null_lit') value = null;
    else if (type === 'numeric_lit') {
      const text = source.text.slice(start, end);
      if (DECIMAL.test(text)) value = Number(text);
    } else if (type === 'string_lit' && end - start >= 2 && source.text[end - 1] === '"') {
      const raw = source.text.slice(start + 1, end - 1);
      if (!/[\\$%\n]/.test(raw)) value = raw;
    }
    cursor.gotoParent();
  }
  cursor.gotoParent();
  return value;
}

export function expressionValue(source: HclSource, expression: Node): unknown {
  return termValue(source, parts(expression));
}

/** The value of one expression term, given as its sibling nodes. */
function termValue(source: HclSource, nodes: readonly Node[]): unknown {
  if (nodes.length === 0) return null;
  const last = nodes[nodes.length - 1];
  if (nodes.length === 1) {
    switch (last.type) {
      case 'literal_value':
        return literalValue(source, last);
      case 'collection_value': {
        const collection = named(last)[0];
        return collection.type === 'tuple' ? tupleValue(source, collection) : objectValue(source, collection, nodes);
      }
      case 'template_expr':
        return templateValue(source, named(last)[0]);
      case 'operation': {
        const operation = named(last)[0];
        return operation.type === 'unary_operation' ? unaryValue(source, operation) : binaryValue(source, operation);
      }
      case 'conditional':
        return conditionalValue(source, last);
      case 'expression':
        return expressionValue(source, last);
      default:
        return unevaluated(source, nodes);
    }
  }
  if (nodes.length === 3 && nodes[0].type === '(' && last.type === ')') {
    const inner = expressionValue(source, nodes[1]);
    return inner instanceof Unevaluated ? unevaluated(source, nodes, inner.type) : inner;
  }
  if (last.type === 'index' || last.type === 'get_attr') return traverse(source, nodes, termValue(source, nodes.slice(0, -1)), last);
  return unevaluated(source, nodes);
}

function tupleValue(source: HclSource, tuple: Node): unknown[] {
  return named(tuple).filter((n) => n.type === 'expression').map((n) => expressionValue(source, n));
}

/** An object; one whose keys are not all known is an Unevaluated object (its keys cannot be compared). */
function objectValue(source: HclSource, object: Node, nodes: readonly Node[]): unknown {
  const values: Record<string, unknown> = {};
  for (const element of named(object)) {
    if (element.type !== 'object_elem') continue;
    const keyNode = element.childForFieldName('key');
    const valueNode = element.childForFieldName('val');
    if (!keyNode || !valueNode) continue;
    const key = objectKey(source, keyNode);
    if (key === undefined) return unevaluated(source, nodes, 'object');
    values[key] = expressionValue(source, valueNode);
  }
  return sortedKeys(values);
}

/** `name`, `"quoted"`, `"${tmpl}"` and `(1)` keys are text; undefined when the key is not known. */
function objectKey(source: HclSource, key: Node): string | undefined {
  const terms = parts(key);
  if (terms.length === 1 && terms[0].type === 'variable_expr' && parts(terms[0]).length === 1) return sourceOf(source, terms[0]);
  const value = expressionValue(source, key);
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

/** `[1, 2][0]`, `{ a = 1 }.a`, `{ a = 1 }["a"]`: a step into a known collection; anything else stays unevaluated. */
function traverse(source: HclSource, nodes: readonly Node[], collection: unknown, step: Node): unknown {
  let key: unknown;
  if (step.type === 'get_attr') key = sourceOf(source, named(step)[0]);
  else {
    const index = named(step)[0];
    if (index.type === 'legacy_index') key = Number(sourceOf(source, index).slice(1));
    else {
      const inner = named(index).find((n) => n.type === 'expression');
      key = inner ? expressionValue(source, inner) : undefined;
    }
  }
  if (Array.isArray(collection) && typeof key === 'number' && Number.isInteger(key) && key >= 0 && key < collection.length) return collection[key];
  const isMap = collection !== null && typeof collection === 'object' && !Array.isArray(collection) && !(collection instanceof Unevaluated);
  if (isMap && typeof key === 'string' && Object.hasOwn(collection, key)) return (collection as Record<string, unknown>)[key];
  return unevaluated(source, nodes);
}

/** Go's JSON encoder writes map keys sorted; keep that order for whoever iterates the result. */
export function sortedKeys(object: Record<string, unknown>): Record<string, unknown> {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(object).sort()) sorted[key] = object[key];
  return sorted;
}

/* ---------- operators, as HCL applies them to known values ---------- */

/** A string Terraform converts to a number (`"2" * "3"` is 6); others stay unevaluated rather than guessed. */
const NUMBER_STRING = /^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;

const operationFailed = (source: HclSource, nodes: readonly Node[]): HclSyntaxError =>
  new HclSyntaxError(source.filename, spanRange(nodes), 'Operation failed', 'Error during operation: argument must not be null.');

/** An operand as a number, as HCL converts it; undefined when not known (a string that may or may not be a number). */
function toNumber(source: HclSource, value: unknown, operand: readonly Node[], operation: readonly Node[], which: string): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return NUMBER_STRING.test(value) ? Number(value) : undefined;
  if (value === null) throw operationFailed(source, operation);
  throw new HclSyntaxError(source.filename, spanRange(operand), 'Invalid operand', `Unsuitable value for ${which}: number required.`);
}

/** An operand as a bool: true, false, or the strings "true" and "false"; undefined when not known. */
function toBool(source: HclSource, value: unknown, operand: readonly Node[], operation: readonly Node[], which: string): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value === 'true' ? true : value === 'false' ? false : undefined;
  if (value === null) throw operationFailed(source, operation);
  throw new HclSyntaxError(source.filename, spanRange(operand), 'Invalid operand', `Unsuitable value for ${which}: bool required.`);
}

/** A finite number as an exact decimal `mantissa × 10^exponent` (from its shortest round-trip text). */
function decimal(value: number): [bigint, number] {
  const [mantissa, exponent = '0'] = String(value).split('e');
  const [whole, fraction = ''] = mantissa.split('.');
  return [BigInt(whole + fraction), Number(exponent) - fraction.length];
}

/**
 * `+ - * %` in exact decimal arithmetic, as HCL's arbitrary-precision numbers give them
 * (`0.1 + 0.2` is 0.3, `0.3 % 0.1` is 0), then back to the nearest double.
 */
function exactly(operator: string, left: number, right: number): number {
  const [a, ea] = decimal(left);
  const [b, eb] = decimal(right);
  if (operator === '*') return Number(`${a * b}e${ea + eb}`);
  const exponent = Math.min(ea, eb);
  const x = a * 10n ** BigInt(ea - exponent);
  const y = b * 10n ** BigInt(eb - exponent);
  const result = operator === '+' ? x + y : operator === '-' ? x - y : x % y;
  return Number(`${result}e${exponent}`);
}

/** A number as Terraform writes it in a string: never in exponent form (`1e21` is 1000000000000000000000). */
function formatNumber(value: number): string {
  const text = String(value);
  if (!text.includes('e')) return text;
  const [mantissa, exponent] = decimal(value);
  const digits = (mantissa < 0n ? -mantissa : mantissa).toString();
  const sign = mantissa < 0n ? '-' : '';
  if (exponent >= 0) return `${sign}${digits}${'0'.repeat(exponent)}`;
  const padded = digits.padStart(-exponent + 1, '0');
  return `${sign}${padded.slice(0, exponent)}.${padded.slice(exponent)}`;
}

function unaryValue(source: HclSource, operation: Node): unknown {
  const [operator, ...operand] = parts(operation);
  const value = termValue(source, operand);
  const negate = operator.type === '-';
  if (containsUnevaluated(value)) return unevaluated(source, [operation], negate ? 'number' : 'bool');
  if (negate) {
    const number = toNumber(source, value, operand, [operation], 'unary operand');
    return number === undefined ? unevaluated(source, [operation], 'number') : number === 0 ? 0 : -number;
  }
  const bool = toBool(source, value, operand, [operation], 'unary operand');
  return bool === undefined ? unevaluated(source, [operation], 'bool') : !bool;
}

const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);
const ORDERING = new Set(['<', '>', '<=', '>=']);
const EQUALITY = new Set(['==', '!=']);
const LOGICAL = new Set(['&&', '||']);

function binaryValue(source: HclSource, operation: Node): unknown {
  const nodes = parts(operation);
  const at = nodes.findIndex((n) => ARITHMETIC.has(n.type) || ORDERING.has(n.type) || EQUALITY.has(n.type) || LOGICAL.has(n.type));
  if (at < 0) return unevaluated(source, [operation]);
  const operator = nodes[at].type;
  const [leftNodes, rightNodes] = [nodes.slice(0, at), nodes.slice(at + 1)];
  const [left, right] = [termValue(source, leftNodes), termValue(source, rightNodes)];
  const type = ARITHMETIC.has(operator) ? 'number' : 'bool';
  if (containsUnevaluated(left) || containsUnevaluated(right)) return unevaluated(source, [operation], type);
  if (EQUALITY.has(operator)) return deepEqual(left, right) === (operator === '==');
  if (LOGICAL.has(operator)) {
    const a = toBool(source, left, leftNodes, [operation], 'left operand');
    const b = toBool(source, right, rightNodes, [operation], 'right operand');
    if (a === undefined || b === undefined) return unevaluated(source, [operation], type);
    return operator === '&&' ? a && b : a || b;
  }
  const a = toNumber(source, left, leftNodes, [operation], 'left operand');
  const b = toNumber(source, right, rightNodes, [operation], 'right operand');
  // Division by zero gives Terraform infinity (no JSON value), and % by zero the left operand: left as they are.
  if (a === undefined || b === undefined || ((operator === '/' || operator === '%') && b === 0)) return unevaluated(source, [operation], type);
  switch (operator) {
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '>=':
      return a >= b;
    case '/':
      return a / b;
    default:
      return exactly(operator, a, b);
  }
}

const PRIMITIVE = new Set(['string', 'number', 'bool']);

/**
 * `c ? a : b` with a known condition. Both results must unify to one type, as in HCL: the same
 * primitive type, null with anything, or a string with a number or bool (converted to a string:
 * `true ? 1 : "x"` is "1"). Collections of different element types stay unevaluated.
 */
function conditionalValue(source: HclSource, conditional: Node): unknown {
  const [conditionNode, whenTrue, whenFalse] = named(conditional).filter((n) => n.type === 'expression');
  const condition = expressionValue(source, conditionNode);
  let chosen: boolean | undefined;
  if (typeof condition === 'boolean') chosen = condition;
  else if (condition === 'true' || condition === 'false') chosen = condition === 'true';
  else if (typeof condition === 'number' || Array.isArray(condition) || (typeof condition === 'object' && condition !== null && !(condition instanceof Unevaluated))) {
    throw new HclSyntaxError(source.filename, rangeOf(conditionNode), 'Incorrect condition type', 'The condition expression must be of type bool.');
  }
  const [a, b] = [expressionValue(source, whenTrue), expressionValue(source, whenFalse)];
  if (chosen === undefined || containsUnevaluated(a) || containsUnevaluated(b)) return unevaluated(source, [conditional]);
  const [result, other] = chosen ? [a, b] : [b, a];
  if (result === null || other === null) return result;
  const [resultType, otherType] = [typeOf(result), typeOf(other)];
  if (resultType === otherType && PRIMITIVE.has(resultType)) return result;
  if (PRIMITIVE.has(resultType) && PRIMITIVE.has(otherType) && (resultType === 'string' || otherType === 'string')) {
    return typeof result === 'number' ? formatNumber(result) : String(result);
  }
  if (resultType === otherType && deepEqual(result, other)) return result;
  return unevaluated(source, [conditional]);
}

/* ---------- templates ---------- */

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

const partsText = (parts: readonly Part[]): string => parts.map((part) => ('text' in part ? escapeTemplateSyntax(part.text) : part.code)).join('');

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
    if (inner) return expressionValue(source, inner);
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
  const value = expressionValue(source, expression);
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
    throw new HclSyntaxError(source.filename, rangeOf(expression), 'Invalid template interpolation value', 'The expression result is null. Cannot include a null value in a string template.');
  }
  if (typeof value === 'object') {
    throw new HclSyntaxError(source.filename, rangeOf(expression), 'Invalid template interpolation value', 'Cannot include the given value in a string template: string required.');
  }
  return { text: typeof value === 'number' ? formatNumber(value) : String(value) };
}

const DIRECTIVE_KEYWORDS: Record<string, string> = {
  template_if_intro: 'if', template_else_intro: '%{else}', template_if_end: '%{endif}', template_for_start: 'for', template_for_end: '%{endfor}',
};

/** `%{if}` / `%{for}` directives, never evaluated here: rebuilt as Terraform's JSON syntax writes them (strip markers applied). */
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
      : lines[index].map(({ text, atLineStart: start }) => (start && !isBlankLine(text) && /^[ \t]*$/.test(text.slice(0, indent)) ? text.slice(indent) : text)).join(''),
  );
  return templateParts(source, stripped, decodeHeredoc);
}
