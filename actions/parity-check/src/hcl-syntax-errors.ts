/**
 * Syntax errors in a tree-sitter HCL tree, reported as hcl2json (the Go HCL parser) reported
 * them — `parse config: [file:3,7-4,1: Summary; Detail]` — so var-files.ts keeps reading the
 * file and line from the message. tree-sitter recovers from errors rather than explaining them,
 * so the first ERROR / MISSING node is matched to the Go parser's diagnostic for the usual mistakes.
 */
import type { Node, Point } from 'web-tree-sitter';

export interface SourceRange {
  start: Point;
  end: Point;
}

export const rangeOf = (node: Node): SourceRange => ({ start: node.startPosition, end: node.endPosition });

/** Go HCL's range format: `line,column-column` on one line, `line,column-line,column` across lines (1-based). */
function formatRange({ start, end }: SourceRange): string {
  const from = `${start.row + 1},${start.column + 1}`;
  return end.row === start.row ? `${from}-${end.column + 1}` : `${from}-${end.row + 1},${end.column + 1}`;
}

export class HclSyntaxError extends Error {
  /** 1-based line where the problem starts, for the annotation. */
  readonly line: number;
  /** `Summary; Detail`, without the position. */
  readonly problem: string;

  constructor(filename: string, range: SourceRange, summary: string, detail: string) {
    super(`parse config: [${filename}:${formatRange(range)}: ${summary}; ${detail}]`);
    this.name = 'HclSyntaxError';
    this.line = range.start.row + 1;
    this.problem = `${summary}; ${detail}`;
  }
}

const INVALID_EXPRESSION = ['Invalid expression', 'Expected the start of an expression, but found an invalid expression token.'] as const;
const MISSING_AT_END = ['Missing expression', 'Expected the start of an expression, but found the end of the file.'] as const;

/** The point at `index`, plus its end: the newline token (to the next line) or one character. */
export function tokenAt(text: string, index: number): SourceRange {
  const before = text.slice(0, index);
  const row = (before.match(/\n/g) ?? []).length;
  const column = index - (before.lastIndexOf('\n') + 1);
  const end = text[index] === '\n' ? { row: row + 1, column: 0 } : { row, column: column + Math.min(1, text.length - index) };
  return { start: { row, column }, end };
}

/** tree-sitter places a missing token after the whitespace; Go reports the token after the previous one (often the newline). */
function tokenAfterPrevious(text: string, index: number): number {
  let at = index;
  while (at > 0 && /\s/.test(text[at - 1])) at -= 1;
  while (text[at] === ' ' || text[at] === '\t') at += 1;
  return at;
}

function firstProblem(node: Node): Node | undefined {
  if (node.isError || node.isMissing) return node;
  for (let i = 0; i < node.childCount; i += 1) {
    const child = node.child(i);
    if (child && (child.hasError || child.isMissing)) return firstProblem(child);
  }
  return undefined;
}

/** A quoted name at the start of a line followed by `=`: HCL wants an identifier there. */
function quotedArgumentName(node: Node, text: string): Node | undefined {
  if (node.type === 'string_lit' && node.startPosition.column === 0 && /^[ \t]*=/.test(text.slice(node.endIndex))) return node;
  for (const child of node.children) {
    const found = child && quotedArgumentName(child, text);
    if (found) return found;
  }
  return undefined;
}

export function findSyntaxError(root: Node, filename: string, text: string): HclSyntaxError | undefined {
  if (!root.hasError) return undefined;
  const problem = firstProblem(root);
  if (!problem) return new HclSyntaxError(filename, rangeOf(root), 'Invalid syntax', 'This file is not valid HCL.');
  const quoted = quotedArgumentName(root, text);
  if (quoted && quoted.startIndex <= (problem.nextSibling?.endIndex ?? text.length)) {
    const { start } = rangeOf(quoted);
    return new HclSyntaxError(
      filename,
      { start, end: { row: start.row, column: start.column + 1 } },
      'Invalid argument name',
      'Argument names must not be quoted.',
    );
  }
  if (problem.isMissing) {
    if (problem.type === 'quoted_template_end')
      return new HclSyntaxError(filename, rangeOf(problem), 'Unterminated template string', 'No closing marker was found for the string.');
    return new HclSyntaxError(filename, tokenAt(text, tokenAfterPrevious(text, problem.startIndex)), ...INVALID_EXPRESSION);
  }
  // `name =` with nothing after it on the line: tree-sitter swallows the next line as the value.
  // The `=` is the sibling before the ERROR node, or its first child.
  const previous = problem.previousSibling;
  const equals = previous?.type === '=' ? previous : problem.firstChild?.type === '=' ? problem.firstChild : undefined;
  if (equals && /^[ \t]*(?:(?:#|\/\/).*)?\r?\n/.test(text.slice(equals.endIndex))) {
    return new HclSyntaxError(filename, tokenAt(text, tokenAfterPrevious(text, equals.endIndex)), ...INVALID_EXPRESSION);
  }
  if (previous && previous.endPosition.row === problem.startPosition.row && (previous.type === 'body' || previous.type === 'attribute')) {
    return new HclSyntaxError(
      filename,
      rangeOf(problem),
      'Missing newline after argument',
      'An argument definition must end with a newline.',
    );
  }
  if (problem.endIndex >= text.trimEnd().length && /[{[(]/.test(text.slice(problem.startIndex, problem.endIndex))) {
    return new HclSyntaxError(filename, tokenAt(text, text.length), ...MISSING_AT_END);
  }
  return new HclSyntaxError(
    filename,
    rangeOf(problem),
    'Argument or block definition required',
    'An argument or block definition is required here.',
  );
}
