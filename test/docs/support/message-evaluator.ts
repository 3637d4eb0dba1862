import ts from 'typescript';
import { MAX_ALTERNATIVES, product, type Message } from './message-text';

/** Anything with parameters and a body: where a wrapper's parameter or a returned message lives. */
export function isFunctionLike(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node)
  );
}

/** The expression inside parentheses, `as`, `!`, `satisfies` and `<T>` casts. */
export function skipOuter(node: ts.Expression): ts.Expression {
  let e = node;
  while (
    ts.isParenthesizedExpression(e) ||
    ts.isAsExpression(e) ||
    ts.isNonNullExpression(e) ||
    ts.isSatisfiesExpression(e) ||
    ts.isTypeAssertionExpression(e)
  )
    e = e.expression;
  return e;
}

/** What a function body returns (not what its nested functions return). */
function returnedExpressions(body: ts.Block): ts.Expression[] {
  const out: ts.Expression[] = [];
  const walk = (node: ts.Node): void => {
    if (isFunctionLike(node)) return;
    if (ts.isReturnStatement(node) && node.expression) out.push(node.expression);
    ts.forEachChild(node, walk);
  };
  ts.forEachChild(body, walk);
  return out;
}

/** A called function's parameters, bound to the arguments of the call being evaluated (and their own bindings). */
type Bindings = Map<ts.ParameterDeclaration, { expr: ts.Expression; bindings: Bindings }>;

/**
 * Every text an expression can have, worked out symbolically: literals, template literals, `+`,
 * `?:`, `??`, consts (also across files), and calls of our own functions (their returned
 * templates, with the arguments bound). Anything else is a hole (`…`).
 */
export class MessageEvaluator {
  constructor(private readonly checker: ts.TypeChecker) {}

  /** Every text the expression can have, on its own (no parameter bound). */
  textsOf(expression: ts.Expression): Message[] {
    return this.evaluate(expression, new Map(), 0, false);
  }

  /** Arguments with `...CONST_ARRAY` spread into their places. */
  argumentsOf(args: readonly ts.Expression[]): ts.Expression[] {
    return args.flatMap((arg) => {
      if (!ts.isSpreadElement(arg)) return [arg];
      const decl = this.declarationOf(arg.expression);
      const init = decl && ts.isVariableDeclaration(decl) && decl.initializer ? skipOuter(decl.initializer) : undefined;
      return init && ts.isArrayLiteralExpression(init) ? [...init.elements] : [arg];
    });
  }

  private symbolOf(node: ts.Node): ts.Symbol | undefined {
    let symbol =
      node.parent && ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node
        ? this.checker.getShorthandAssignmentValueSymbol(node.parent)
        : this.checker.getSymbolAtLocation(ts.isPropertyAccessExpression(node) ? node.name : node);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    return symbol;
  }

  /** What a name refers to, through imports; a function's implementation rather than its overload signatures. */
  declarationOf(node: ts.Node): ts.Declaration | undefined {
    const symbol = this.symbolOf(node);
    return symbol?.declarations?.find((d) => !isFunctionLike(d) || d.body !== undefined) ?? symbol?.valueDeclaration;
  }

  /** The function (with a body, in our sources) that a call calls. */
  functionOf(call: ts.CallExpression): ts.FunctionLikeDeclaration | undefined {
    const decl = this.declarationOf(call.expression);
    if (!decl) return undefined;
    if (isFunctionLike(decl)) return decl.body ? decl : undefined;
    if ((ts.isVariableDeclaration(decl) || ts.isPropertyDeclaration(decl) || ts.isPropertyAssignment(decl)) && decl.initializer) {
      const init = skipOuter(decl.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
    }
    return undefined;
  }

  /** Every text the expression can have. Inside `${…}` only constants and conditionals are followed. */
  private evaluate(node: ts.Expression, bindings: Bindings, depth: number, interpolated: boolean): Message[] {
    const hole: Message[] = [[{ hole: true }]];
    if (depth > 8) return hole;
    const e = skipOuter(node);
    if (ts.isStringLiteralLike(e)) return [[e.text]];
    if (ts.isTemplateExpression(e)) {
      let alternatives: Message[] = [[e.head.text]];
      for (const span of e.templateSpans) {
        let inner = this.evaluate(span.expression, bindings, depth + 1, true);
        // Unknown, optional (one variant is empty) or too many variants: one hole. A value that may be
        // unknown is unknown, and an optional detail is not part of the message's key.
        const unknown = inner.some((m) => m.length === 1 && typeof m[0] === 'object');
        const optional = inner.some((m) => m.every((p) => p === ''));
        if (inner.length === 0 || ((unknown || optional) && inner.length > 1)) inner = hole;
        if (alternatives.length * inner.length > MAX_ALTERNATIVES) inner = hole;
        alternatives = product(product(alternatives, inner), [[span.literal.text]]);
      }
      return alternatives;
    }
    if (ts.isBinaryExpression(e)) {
      const kind = e.operatorToken.kind;
      if (kind === ts.SyntaxKind.PlusToken)
        return product(this.evaluate(e.left, bindings, depth + 1, interpolated), this.evaluate(e.right, bindings, depth + 1, interpolated));
      if (kind === ts.SyntaxKind.QuestionQuestionToken || kind === ts.SyntaxKind.BarBarToken) {
        return [...this.evaluate(e.left, bindings, depth + 1, interpolated), ...this.evaluate(e.right, bindings, depth + 1, interpolated)];
      }
      return hole;
    }
    if (ts.isConditionalExpression(e))
      return [
        ...this.evaluate(e.whenTrue, bindings, depth + 1, interpolated),
        ...this.evaluate(e.whenFalse, bindings, depth + 1, interpolated),
      ];
    if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) return this.evaluateName(e, bindings, depth, interpolated);
    if (interpolated) return hole;
    if (ts.isCallExpression(e)) {
      const callee = e.expression;
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'join')
        return this.evaluate(callee.expression, bindings, depth + 1, false);
      const fn = this.functionOf(e);
      if (!fn?.body) return hole;
      const bound: Bindings = new Map();
      const args = this.argumentsOf(e.arguments);
      fn.parameters.forEach((p, i) => {
        if (args[i]) bound.set(p, { expr: args[i], bindings });
        else if (p.initializer) bound.set(p, { expr: p.initializer, bindings: new Map() });
      });
      const returned = ts.isBlock(fn.body) ? returnedExpressions(fn.body) : [fn.body];
      return returned.flatMap((r) => this.evaluate(r, bound, depth + 1, false));
    }
    if (ts.isArrayLiteralExpression(e))
      return e.elements.flatMap((el) => this.evaluate(ts.isSpreadElement(el) ? el.expression : el, bindings, depth + 1, false));
    if (ts.isObjectLiteralExpression(e)) {
      const p = e.properties.find((q) => q.name && ts.isIdentifier(q.name) && (q.name.text === 'message' || q.name.text === 'reason'));
      if (p && ts.isPropertyAssignment(p)) return this.evaluate(p.initializer, bindings, depth + 1, false);
      if (p && ts.isShorthandPropertyAssignment(p)) return this.evaluate(p.name, bindings, depth + 1, false);
    }
    return hole;
  }

  private evaluateName(
    e: ts.Identifier | ts.PropertyAccessExpression,
    bindings: Bindings,
    depth: number,
    interpolated: boolean,
  ): Message[] {
    const decl = this.declarationOf(e);
    if (decl && ts.isParameter(decl)) {
      const bound = bindings.get(decl);
      if (bound) return this.evaluate(bound.expr, bound.bindings, depth + 1, interpolated);
      return [[{ hole: true, param: decl }]];
    }
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) {
      return this.evaluate(decl.initializer, bindings, depth + 1, interpolated);
    }
    if (decl && ts.isPropertyAssignment(decl)) return this.evaluate(decl.initializer, bindings, depth + 1, interpolated);
    return [[{ hole: true }]];
  }
}
