/**
 * A tree-sitter HCL syntax tree → the values Terraform reads from a variables file (which it
 * evaluates with no variables and no functions): literals, collections, object keys, `(1)`, and
 * steps into known collections (`[1, 2][0]`, `{ a = 1 }.a`), checked against `terraform console`.
 * Operators and conditionals are folded in hcl-fold.ts, quoted strings and heredocs read in
 * hcl-templates.ts, which evaluate nested expressions through the `hclEvaluator` below, handed down
 * on the HclSource (hcl-nodes.ts), so the modules form a tree. Anything else
 * (a variable, a function call, a `for`, a template directive) is an `Unevaluated` (values.ts)
 * holding its text as Terraform's JSON syntax writes it, and its type when the syntax fixes it.
 * Only what a variables file needs is walked; the tree is trusted to be free of syntax errors
 * (hcl-syntax-errors.ts runs first), and the type errors Terraform would report on literals are
 * reported here the same way.
 */
import type { Node, TreeCursor } from 'web-tree-sitter';
import { binaryValue, conditionalValue, unaryValue } from './hcl-fold';
import { formatNumber, named, parts, sourceOf, unevaluated, type HclEvaluator, type HclSource } from './hcl-nodes';
import { HclSyntaxError, rangeOf } from './hcl-syntax-errors';
import { templateValue } from './hcl-templates';
import { Unevaluated } from './values';

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
export function termValue(source: HclSource, nodes: readonly Node[]): unknown {
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
  return named(tuple)
    .filter((n) => n.type === 'expression')
    .map((n) => expressionValue(source, n));
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
  if (Array.isArray(collection) && typeof key === 'number' && Number.isInteger(key) && key >= 0 && key < collection.length)
    return collection[key];
  const isMap = collection !== null && typeof collection === 'object' && !Array.isArray(collection) && !(collection instanceof Unevaluated);
  if (isMap && typeof key === 'string' && Object.hasOwn(collection, key)) return (collection as Record<string, unknown>)[key];
  return unevaluated(source, nodes);
}

/** Go's JSON encoder writes map keys sorted; keep that order for whoever iterates the result. */
/** The evaluator handed down to the folding and template code with every HclSource. */
export const hclEvaluator: HclEvaluator = { expression: expressionValue, term: termValue };

export function sortedKeys(object: Record<string, unknown>): Record<string, unknown> {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(object).sort()) sorted[key] = object[key];
  return sorted;
}
