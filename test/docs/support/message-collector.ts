import path from 'node:path';
import ts from 'typescript';
import { MessageEvaluator, isFunctionLike, skipOuter } from './message-evaluator';
import {
  FAILED_RESULT,
  FAILED_RESULT_TEXT,
  MESSAGE_ARGUMENT,
  MESSAGE_LISTS,
  MESSAGE_OBJECT_MARKERS,
  PRINTING_CALLS,
} from './message-sites';
import { keyOf, letters, normalise, normaliseText, product, render, type Message } from './message-text';

/** One message a person can see, found at a site. */
export interface FoundMessage {
  file: string;
  line: number;
  /** What made it a message: `new <Class>`, `super <Class>`, `call <name>`, `argument of <fn>`, `push <list>`, … */
  source: string;
  /** The message with every hole shown as `…`. */
  shown: string;
  /** Its key: the first words of its own text (holes as wildcards), as a pattern and as text. */
  key: RegExp;
  keyText: string;
}

/** A message site with no text of its own: runbook.test.ts's RELAYS says where its text comes from. */
export interface OpaqueSite {
  file: string;
  line: number;
  expression: string;
}

/** Letters a message needs of its own to be searchable; fewer, and it is a wrapper or opaque. */
const MIN_LETTERS = 5;

/** The function a node is in (where a wrapper's parameter would be declared). */
function innermostFunction(node: ts.Node): ts.FunctionLikeDeclaration | undefined {
  for (let n = node.parent; n; n = n.parent) if (isFunctionLike(n)) return n;
  return undefined;
}

/**
 * Collects the message sites (message-sites.ts) of a set of files and evaluates each one's text
 * (message-evaluator.ts).
 *
 * When a message is a wrapper around a parameter of its own function (`fail(message)` builds
 * `Input 'target' ('…'): ${message}`), the arguments of every call of that function are messages
 * too. A message with no text of its own that is not such a wrapper is "opaque".
 */
export class MessageCollector {
  readonly found: FoundMessage[] = [];
  readonly opaque: OpaqueSite[] = [];
  readonly unknownErrorClasses: string[] = [];
  private readonly evaluator: MessageEvaluator;
  private readonly callsTo = new Map<ts.Node, ts.CallExpression[]>();
  private readonly visited = new Set<ts.Node>();
  private readonly propagated = new Set<ts.ParameterDeclaration>();

  constructor(
    private readonly root: string,
    files: readonly string[],
  ) {
    // noLib + noResolve: only our sources are parsed (no AWS SDK typings), which is all the symbol
    // look-ups here need; type errors are tsc's business, not this test's.
    const program = ts.createProgram(files, {
      noLib: true,
      noResolve: true,
      allowJs: true,
      types: [],
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
    });
    this.evaluator = new MessageEvaluator(program.getTypeChecker());
    const sources = files.map((file) => program.getSourceFile(file)).filter((s): s is ts.SourceFile => s !== undefined);
    for (const source of sources) this.indexCalls(source);
    for (const source of sources) this.visit(source);
  }

  private indexCalls(node: ts.Node): void {
    if (ts.isCallExpression(node)) {
      const fn = this.evaluator.functionOf(node);
      if (fn) this.callsTo.set(fn, [...(this.callsTo.get(fn) ?? []), node]);
    }
    ts.forEachChild(node, (child) => this.indexCalls(child));
  }

  private visit(node: ts.Node): void {
    if (ts.isNewExpression(node)) this.newExpression(node);
    else if (ts.isCallExpression(node)) this.callExpression(node);
    else if (ts.isObjectLiteralExpression(node)) this.objectLiteral(node);
    else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      // `this.message = …` in an error class's constructor
      const left = node.left;
      if (ts.isPropertyAccessExpression(left) && left.expression.kind === ts.SyntaxKind.ThisKeyword && left.name.text === 'message')
        this.site([node.right], 'this.message');
    }
    ts.forEachChild(node, (child) => this.visit(child));
  }

  private newExpression(node: ts.NewExpression): void {
    const entry = this.messageArgument(node.expression);
    if (typeof entry === 'number' || Array.isArray(entry))
      this.site(this.pick(node.arguments ?? [], entry), `new ${node.expression.getText()}`);
  }

  /** The message arguments of a call, or nothing when one of them is not passed. */
  private pick(args: readonly ts.Expression[], indexes: number | number[]): ts.Expression[] {
    const expanded = this.evaluator.argumentsOf(args);
    const picked = [indexes].flat().map((i) => expanded[i]);
    return picked.every((a) => a !== undefined) ? picked : [];
  }

  private callExpression(node: ts.CallExpression): void {
    const callee = node.expression;
    if (callee.kind === ts.SyntaxKind.SuperKeyword) {
      const cls = ts.findAncestor(node, ts.isClassLike);
      const base = cls?.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
      const entry = base ? this.messageArgument(base) : undefined;
      if (cls?.name && MESSAGE_ARGUMENT[cls.name.text] === 'internal') return;
      if (typeof entry === 'number' || Array.isArray(entry)) this.site(this.pick(node.arguments, entry), `super ${cls?.name?.text ?? ''}`);
      return;
    }
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
    if (!name) return;
    const decl = this.evaluator.declarationOf(callee);
    const printing =
      (decl && PRINTING_CALLS[`${path.relative(this.root, decl.getSourceFile().fileName)}#${name}`]) ??
      (Object.hasOwn(PRINTING_CALLS, name) ? PRINTING_CALLS[name] : undefined);
    if (printing) this.site(this.pick(node.arguments, printing), `call ${name}`);
    if (name === 'push' && ts.isPropertyAccessExpression(callee)) {
      const list = callee.expression;
      const listName = ts.isPropertyAccessExpression(list) ? list.name.text : ts.isIdentifier(list) ? list.text : undefined;
      if (listName && MESSAGE_LISTS.has(listName))
        for (const arg of node.arguments) if (!ts.isSpreadElement(arg)) this.site([arg], `push ${listName}`);
    }
  }

  private objectLiteral(node: ts.ObjectLiteralExpression): void {
    const props = new Map<string, ts.ObjectLiteralElementLike>();
    for (const p of node.properties) if (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) props.set(p.name.text, p);
    const literal = (name: string): string | undefined => {
      const p = props.get(name);
      if (!p || !ts.isPropertyAssignment(p)) return undefined;
      const value = skipOuter(p.initializer);
      if (value.kind === ts.SyntaxKind.FalseKeyword) return 'false';
      return ts.isStringLiteralLike(value) ? value.text : undefined;
    };
    const valueOf = (p: ts.ObjectLiteralElementLike | undefined): ts.Expression | undefined =>
      p && ts.isPropertyAssignment(p) ? p.initializer : p && ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
    const failed = Object.entries(FAILED_RESULT).some(([name, values]) => values.includes(literal(name) ?? ''));
    const text = FAILED_RESULT_TEXT.find((name) => props.has(name));
    if (failed && text) this.site([valueOf(props.get(text))], `failed result ${text}`);
    if (props.has('message') && MESSAGE_OBJECT_MARKERS.some((m) => props.has(m)))
      this.site([valueOf(props.get('message'))], 'message object');
  }

  private messageArgument(expression: ts.Expression): (typeof MESSAGE_ARGUMENT)[string] | undefined {
    const name = ts.isIdentifier(expression) ? expression.text : undefined;
    if (name && Object.hasOwn(MESSAGE_ARGUMENT, name)) return MESSAGE_ARGUMENT[name];
    const decl = this.evaluator.declarationOf(expression);
    if (!decl || !ts.isClassDeclaration(decl)) return undefined;
    const base = decl.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    const inherited = base ? this.messageArgument(base) : undefined;
    if (inherited === undefined) return undefined; // not an error class
    if (decl.members.some(ts.isConstructorDeclaration)) {
      this.unknownErrorClasses.push(`${decl.name?.text ?? '(anonymous)'} (${path.relative(this.root, decl.getSourceFile().fileName)})`);
      return undefined;
    }
    return inherited;
  }

  /** Record one message site (its parts joined by ': '): its messages, a wrapper's callers, or an opaque site. */
  private site(parts: readonly (ts.Expression | undefined)[], kind: string): void {
    const exprs = parts.filter((p): p is ts.Expression => p !== undefined);
    if (exprs.length === 0 || exprs.length !== parts.length || exprs.some((e) => this.visited.has(e))) return;
    for (const e of exprs) this.visited.add(e);
    const first = exprs[0];
    const source = first.getSourceFile();
    const file = path.relative(this.root, source.fileName);
    const line = source.getLineAndCharacterOfPosition(first.getStart()).line + 1;
    const fn = innermostFunction(first);
    let messages: Message[] = [[]];
    exprs.forEach((e, i) => (messages = product(product(messages, i === 0 ? [[]] : [[': ']]), this.evaluator.textsOf(e))));
    messages = messages.map(normalise);
    let opaque = messages.length === 0;
    for (const message of messages) {
      const last = message.at(-1);
      // A wrapper: the message is a parameter of its own function, alone or after `<prefix>: `.
      const before = message.at(-2);
      const wrapped =
        typeof last === 'object' &&
        last.param &&
        last.param.parent === fn &&
        (before === undefined || (typeof before === 'string' && before.endsWith(': ')))
          ? last.param
          : undefined;
      if (wrapped) this.propagate(wrapped);
      const own = message.reduce((n, p) => n + (typeof p === 'string' ? letters(p) : 0), 0);
      if (own >= MIN_LETTERS) {
        const key = keyOf(message);
        if (!this.found.some((f) => f.file === file && f.keyText === key.text))
          this.found.push({ file, line, source: kind, shown: render(message), key: key.pattern, keyText: key.text });
      } else if (!wrapped) opaque = true;
    }
    if (opaque) this.opaque.push({ file, line, expression: exprs.map((e) => normaliseText(e.getText())).join(', ') });
  }

  /** The parameter is a message: so is its default, and its argument in every call. */
  private propagate(param: ts.ParameterDeclaration): void {
    if (this.propagated.has(param)) return;
    this.propagated.add(param);
    const fn = param.parent as ts.FunctionLikeDeclaration;
    const index = fn.parameters.indexOf(param);
    const name =
      fn.name && ts.isIdentifier(fn.name)
        ? fn.name.text
        : ts.isVariableDeclaration(fn.parent) || ts.isPropertyAssignment(fn.parent)
          ? fn.parent.name.getText()
          : '(function)';
    if (param.initializer) this.site([param.initializer], `default of ${name}`);
    for (const call of this.callsTo.get(fn) ?? []) this.site(this.pick(call.arguments, index), `argument of ${name}`);
  }
}
