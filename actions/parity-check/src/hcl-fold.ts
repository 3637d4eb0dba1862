/**
 * The constant expressions Terraform folds in a variables file (`-1`, `1 + 2 * 3`, `!true`,
 * `2 > 1 && true`, `"a" == "a"`, `true ? 1 : 2`), with HCL's conversions, exact decimal arithmetic
 * and error messages, checked against `terraform console`. An operation on something not known is
 * an Unevaluated of the type the operator gives. Operands are read by hcl-values.ts.
 */
import type { Node } from 'web-tree-sitter';
import { HclSyntaxError, rangeOf, type SourceRange } from './hcl-syntax-errors';
import { decimal, formatNumber, named, parts, unevaluated, type HclSource } from './hcl-nodes';
import { deepEqual, typeOf, Unevaluated } from './values';

const spanRange = (nodes: readonly Node[]): SourceRange => ({ start: nodes[0].startPosition, end: nodes[nodes.length - 1].endPosition });

/** Anything unevaluated inside a value (a list or object may hold some). */
function containsUnevaluated(value: unknown): boolean {
  if (value instanceof Unevaluated) return true;
  if (Array.isArray(value)) return value.some(containsUnevaluated);
  return value !== null && typeof value === 'object' && Object.values(value).some(containsUnevaluated);
}

/** A string Terraform converts to a number (`"2" * "3"` is 6); others stay unevaluated rather than guessed. */
const NUMBER_STRING = /^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;

const operationFailed = (source: HclSource, nodes: readonly Node[]): HclSyntaxError =>
  new HclSyntaxError(source.filename, spanRange(nodes), 'Operation failed', 'Error during operation: argument must not be null.');

/** An operand as a number, as HCL converts it; undefined when not known (a string that may or may not be a number). */
function toNumber(
  source: HclSource,
  value: unknown,
  operand: readonly Node[],
  operation: readonly Node[],
  which: string,
): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return NUMBER_STRING.test(value) ? Number(value) : undefined;
  if (value === null) throw operationFailed(source, operation);
  throw new HclSyntaxError(source.filename, spanRange(operand), 'Invalid operand', `Unsuitable value for ${which}: number required.`);
}

/** An operand as a bool: true, false, or the strings "true" and "false"; undefined when not known. */
function toBool(
  source: HclSource,
  value: unknown,
  operand: readonly Node[],
  operation: readonly Node[],
  which: string,
): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value === 'true' ? true : value === 'false' ? false : undefined;
  if (value === null) throw operationFailed(source, operation);
  throw new HclSyntaxError(source.filename, spanRange(operand), 'Invalid operand', `Unsuitable value for ${which}: bool required.`);
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

export function unaryValue(source: HclSource, operation: Node): unknown {
  const [operator, ...operand] = parts(operation);
  const value = source.evaluate.term(source, operand);
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

export function binaryValue(source: HclSource, operation: Node): unknown {
  const nodes = parts(operation);
  const at = nodes.findIndex((n) => ARITHMETIC.has(n.type) || ORDERING.has(n.type) || EQUALITY.has(n.type) || LOGICAL.has(n.type));
  if (at < 0) return unevaluated(source, [operation]);
  const operator = nodes[at].type;
  const [leftNodes, rightNodes] = [nodes.slice(0, at), nodes.slice(at + 1)];
  const [left, right] = [source.evaluate.term(source, leftNodes), source.evaluate.term(source, rightNodes)];
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
  if (a === undefined || b === undefined || ((operator === '/' || operator === '%') && b === 0))
    return unevaluated(source, [operation], type);
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
export function conditionalValue(source: HclSource, conditional: Node): unknown {
  const [conditionNode, whenTrue, whenFalse] = named(conditional).filter((n) => n.type === 'expression');
  const condition = source.evaluate.expression(source, conditionNode);
  let chosen: boolean | undefined;
  if (typeof condition === 'boolean') chosen = condition;
  else if (condition === 'true' || condition === 'false') chosen = condition === 'true';
  else if (
    typeof condition === 'number' ||
    Array.isArray(condition) ||
    (typeof condition === 'object' && condition !== null && !(condition instanceof Unevaluated))
  ) {
    throw new HclSyntaxError(
      source.filename,
      rangeOf(conditionNode),
      'Incorrect condition type',
      'The condition expression must be of type bool.',
    );
  }
  const [a, b] = [source.evaluate.expression(source, whenTrue), source.evaluate.expression(source, whenFalse)];
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
