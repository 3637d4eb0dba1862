/**
 * The leaf of the HCL evaluator: the source a value is read from (with the evaluator handed down),
 * node helpers, and numbers as Terraform writes them. Imports nothing of the evaluator itself.
 */
import type { Node } from 'web-tree-sitter';
import { Unevaluated } from './values';

/** The original text and file name; node text is always sliced from `text` (see maskExponents). */
export interface HclSource {
  filename: string;
  text: string;
  /**
   * The expression evaluator (hcl-values.ts), handed down with the source so that the folding
   * (hcl-fold.ts) and template (hcl-templates.ts) code evaluate nested expressions without
   * importing the evaluator back: the modules form a tree, not a circle.
   */
  evaluate: HclEvaluator;
}

export interface HclEvaluator {
  expression(source: HclSource, expression: Node): unknown;
  /** An expression term can be several sibling nodes (`(` expression `)`, a term and its `[0]`). */
  term(source: HclSource, nodes: readonly Node[]): unknown;
}

export const sourceOf = (source: HclSource, node: Node): string => source.text.slice(node.startIndex, node.endIndex);

export const named = (node: Node): Node[] =>
  node.namedChildren.filter((child): child is Node => child !== null && child.type !== 'comment');

/** A node's children without comments, which tree-sitter places anywhere between tokens (a block comment before a value, say). */
export function parts(node: Node): Node[] {
  if (node.childCount === 1) {
    const only = node.firstChild;
    return only && only.type !== 'comment' ? [only] : [];
  }
  return node.children.filter((child): child is Node => child !== null && child.type !== 'comment');
}

/** The text of sibling nodes, from the first's start to the last's end. */
const spanOf = (source: HclSource, nodes: readonly Node[]): string =>
  source.text.slice(nodes[0].startIndex, nodes[nodes.length - 1].endIndex);

export const unevaluated = (source: HclSource, nodes: readonly Node[], type?: Unevaluated['type']): Unevaluated =>
  new Unevaluated(`\${${spanOf(source, nodes)}}`, type);

/** A finite number as an exact decimal `mantissa × 10^exponent` (from its shortest round-trip text). */
export function decimal(value: number): [bigint, number] {
  const [mantissa, exponent = '0'] = String(value).split('e');
  const [whole, fraction = ''] = mantissa.split('.');
  return [BigInt(whole + fraction), Number(exponent) - fraction.length];
}

/** A number as Terraform writes it in a string: never in exponent form (`1e21` is 1000000000000000000000). */
export function formatNumber(value: number): string {
  const text = String(value);
  if (!text.includes('e')) return text;
  const [mantissa, exponent] = decimal(value);
  const digits = (mantissa < 0n ? -mantissa : mantissa).toString();
  const sign = mantissa < 0n ? '-' : '';
  if (exponent >= 0) return `${sign}${digits}${'0'.repeat(exponent)}`;
  const padded = digits.padStart(-exponent + 1, '0');
  return `${sign}${padded.slice(0, exponent)}.${padded.slice(exponent)}`;
}
