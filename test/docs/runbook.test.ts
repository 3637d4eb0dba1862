/**
 * The on-call docs stay usable: the runbook lists every failure message gantry prints (collected
 * from the action sources and the workflows when the test runs, so a new message fails the test
 * until it has a runbook entry), and no relative link in docs/infra points at a file or heading
 * that does not exist.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const docsDir = path.join(root, 'docs', 'infra');
const actionNames = readdirSync(path.join(root, 'actions')).filter((name) => existsSync(path.join(root, 'actions', name, 'action.yml'))).sort();
const docFiles = readdirSync(docsDir).filter((name) => name.endsWith('.md')).sort();

/** Markdown without fenced code blocks, where `[x](y)` and `# x` are not links or headings. */
function withoutCodeBlocks(markdown: string): string {
  return markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to '-', duplicates numbered. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  for (const match of withoutCodeBlocks(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const text = match[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text.toLowerCase().replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '').replace(/ /g, '-');
    const seen = counts.get(slug) ?? 0;
    counts.set(slug, seen + 1);
    anchors.add(seen === 0 ? slug : `${slug}-${seen}`);
  }
  return anchors;
}

interface Link {
  file: string;
  target: string;
}

function relativeLinks(file: string): Link[] {
  const text = withoutCodeBlocks(readFileSync(path.join(docsDir, file), 'utf8')).replace(/`[^`\n]*`/g, '');
  const links: Link[] = [];
  for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1].replace(/^<|>$/g, '');
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
    links.push({ file, target });
  }
  return links;
}

// ---------------------------------------------------------------------------------------------
// Failure messages, collected from the sources at test time with the TypeScript compiler API
// (actions/*/src, lib/ and .github/scripts/), plus the workflows' `::error title=…::` lines.
//
// A message is what reaches the person on call: the text given to an error constructor (the
// argument named in MESSAGE_ARGUMENT), to a printing call (PRINTING_CALLS: `log.warning`,
// `log.error`, `setFailed`, the promotion gate's `annotate`), a failed result's `reason`/`why`, a
// problem `{ field, message }`, a parity finding's `message`, or an entry pushed onto a `problems` /
// `warnings` / `notes` list. Its text is evaluated symbolically: literals, template literals, `+`,
// `?:`, `??`, consts (also across files), and calls of our own functions (their returned
// templates, with the arguments bound). Anything else is a hole (`…`).
//
// When a message is a wrapper around a parameter of its own function (`fail(message)` builds
// `Input 'target' ('…'): ${message}`), the arguments of every call of that function are messages
// too. A message with no text of its own that is not such a wrapper is "opaque": it must be in
// RELAYS, which says where its text comes from (and so where it is collected).
//
// Each message's key is its first words (KEY_LETTERS letters, from the first word with a letter or
// digit), holes as wildcards; the key must occur in runbook.md from "## Failure messages" on,
// ignoring case, backticks and table-cell escapes. So the runbook quotes each message up to its
// first words at least, with <placeholders> (or …) where the message has values.
// ---------------------------------------------------------------------------------------------

type Hole = { hole: true; param?: ts.ParameterDeclaration };
type Part = string | Hole;
type Message = Part[];
type Bindings = Map<ts.ParameterDeclaration, { expr: ts.Expression; bindings: Bindings }>;

interface FoundMessage {
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

interface OpaqueSite {
  file: string;
  line: number;
  expression: string;
}

/** Letters a message needs of its own to be searchable; fewer, and it is a wrapper or opaque. */
const MIN_LETTERS = 5;
/** A key takes words of the message until it has this many letters (the runbook may shorten the rest with "…"). */
const KEY_LETTERS = 24;
const MAX_ALTERNATIVES = 16;
const HOLE_PATTERN = '.{0,200}?';

/**
 * Which constructor argument of an error class is the text a person reads. A class that extends
 * one of these without its own constructor inherits the entry; any other error class makes the
 * test fail until it is listed here.
 */
const MESSAGE_ARGUMENT: Record<string, number | number[] | 'constructor' | 'internal'> = {
  Error: 0,
  RangeError: 0,
  TypeError: 0,
  ActionFailure: 0,
  /** (input, value, expected): printed `Input '<input>' has value '<value>': expected <expected>.` */
  InputError: 2,
  /** (input, { file, line }, problem) */
  VarFileError: 2,
  /** (line, problem) */
  DotenvSyntaxError: 1,
  /** (path, position, problem) */
  JsonPathError: 2,
  /** (filename, range, summary, detail): the summary is Terraform's (Go HCL's) diagnostic title. */
  HclSyntaxError: 2,
  /** (input, problems[]) — each problem is a `{ field, message }`. */
  CheckDefinitionError: 1,
  /** Its message is built by its constructor (collected there) from Terraform's own output. */
  TerraformCommandError: 'constructor',
  /** A reason for InputError('task-definition', …): the text is the `expected` part. */
  TemplateError: 0,
  /** json-errors.ts: control flow inside locateJsonError, always caught there; never printed. */
  Stop: 'internal',
  /** .github/scripts/promotion-gate.mjs: (title, message), printed as the annotation `<title>: <message>`. */
  GateError: [0, 1],
};

/**
 * Calls that print their arguments (several: joined as `<title>: <message>`). A plain name is any
 * function or method of that name; `file#name` is that file's function only.
 */
const PRINTING_CALLS: Record<string, number[]> = {
  warning: [0],
  error: [0],
  setFailed: [0],
  '.github/scripts/promotion-gate.mjs#annotate': [1, 2],
};
/** Lists whose entries are printed (check problems, resolution warnings, parity notes). */
const MESSAGE_LISTS = new Set(['problems', 'warnings', 'notes']);
/** Objects that carry a printed `message`: check-definition problems (`field`), parity findings (`rule`). */
const MESSAGE_OBJECT_MARKERS = ['field', 'rule'];
/** A failed result (`{ ok: false, reason }`, `{ state: 'failed', reason }`, `{ proven: false, why }`, …): its text is printed. */
const FAILED_RESULT: Record<string, string[]> = { ok: ['false'], proven: ['false'], state: ['failed'], status: ['failed', 'timed-out'] };
const FAILED_RESULT_TEXT = ['reason', 'why'];

function isFunctionLike(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isConstructorDeclaration(node) || ts.isGetAccessorDeclaration(node);
}

function innermostFunction(node: ts.Node): ts.FunctionLikeDeclaration | undefined {
  for (let n = node.parent; n; n = n.parent) if (isFunctionLike(n)) return n;
  return undefined;
}

function skipOuter(node: ts.Expression): ts.Expression {
  let e = node;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
  return e;
}

function product(left: Message[], right: Message[]): Message[] {
  if (left.length * right.length > MAX_ALTERNATIVES) return [[{ hole: true }]];
  return left.flatMap((l) => right.map((r) => [...l, ...r]));
}

function letters(text: string): number {
  return (text.match(/\p{L}/gu) ?? []).length;
}

/** Adjacent text merged, whitespace collapsed, adjacent holes merged (keeping a parameter). */
function normalise(message: Message): Message {
  const out: Message = [];
  for (const part of message) {
    const last = out.at(-1);
    if (typeof part === 'string') {
      if (part === '') continue;
      if (typeof last === 'string') out[out.length - 1] = last + part;
      else out.push(part);
    } else if (typeof last === 'object') {
      out[out.length - 1] = part.param ? part : last;
    } else out.push(part);
  }
  return out.map((p) => (typeof p === 'string' ? normaliseText(p) : p));
}

/** How messages and the runbook are compared: no backticks, no table-cell escapes, single spaces. */
function normaliseText(text: string): string {
  return text.replace(/`/g, '').replace(/\\\|/g, '|').replace(/\s+/g, ' ');
}

function render(message: Message): string {
  return message.map((p) => (typeof p === 'string' ? p : '…')).join('').trim();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The first words of the message's own text, from the first word with a letter or digit on. */
function keyOf(message: Message): { pattern: RegExp; text: string } {
  const source: string[] = [];
  const shown: string[] = [];
  let count = 0;
  let pendingHole = false;
  for (const part of message) {
    if (count >= KEY_LETTERS) break;
    if (typeof part !== 'string') {
      pendingHole = source.length > 0;
      continue;
    }
    for (const token of part.split(/(?<=\s)/)) {
      if (count >= KEY_LETTERS) break;
      if (source.length === 0 && !/[\p{L}\p{N}]/u.test(token)) continue;
      if (pendingHole) {
        source.push(HOLE_PATTERN);
        shown.push('…');
        pendingHole = false;
      }
      source.push(escapeRegExp(token));
      shown.push(token);
      count += letters(token);
    }
  }
  const text = shown.join('').trim();
  return { pattern: new RegExp(source.join('').trim(), 'iu'), text };
}

class MessageCollector {
  readonly found: FoundMessage[] = [];
  readonly opaque: OpaqueSite[] = [];
  readonly unknownErrorClasses: string[] = [];
  private readonly checker: ts.TypeChecker;
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
    this.checker = program.getTypeChecker();
    const sources = files.map((file) => program.getSourceFile(file)).filter((s): s is ts.SourceFile => s !== undefined);
    for (const source of sources) this.indexCalls(source);
    for (const source of sources) this.visit(source);
  }

  private indexCalls(node: ts.Node): void {
    if (ts.isCallExpression(node)) {
      const fn = this.functionOf(node);
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
      if (ts.isPropertyAccessExpression(left) && left.expression.kind === ts.SyntaxKind.ThisKeyword && left.name.text === 'message') this.site([node.right], 'this.message');
    }
    ts.forEachChild(node, (child) => this.visit(child));
  }

  private newExpression(node: ts.NewExpression): void {
    const entry = this.messageArgument(node.expression);
    if (typeof entry === 'number' || Array.isArray(entry)) this.site(this.pick(node.arguments ?? [], entry), `new ${node.expression.getText()}`);
  }

  /** The message arguments of a call, or nothing when one of them is not passed. */
  private pick(args: readonly ts.Expression[], indexes: number | number[]): ts.Expression[] {
    const expanded = this.argumentsOf(args);
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
    const decl = this.declarationOf(callee);
    const printing = (decl && PRINTING_CALLS[`${path.relative(this.root, decl.getSourceFile().fileName)}#${name}`]) ?? (Object.hasOwn(PRINTING_CALLS, name) ? PRINTING_CALLS[name] : undefined);
    if (printing) this.site(this.pick(node.arguments, printing), `call ${name}`);
    if (name === 'push' && ts.isPropertyAccessExpression(callee)) {
      const list = callee.expression;
      const listName = ts.isPropertyAccessExpression(list) ? list.name.text : ts.isIdentifier(list) ? list.text : undefined;
      if (listName && MESSAGE_LISTS.has(listName)) for (const arg of node.arguments) if (!ts.isSpreadElement(arg)) this.site([arg], `push ${listName}`);
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
    if (props.has('message') && MESSAGE_OBJECT_MARKERS.some((m) => props.has(m))) this.site([valueOf(props.get('message'))], 'message object');
  }

  /** Arguments with `...CONST_ARRAY` spread into their places. */
  private argumentsOf(args: readonly ts.Expression[]): ts.Expression[] {
    return args.flatMap((arg) => {
      if (!ts.isSpreadElement(arg)) return [arg];
      const decl = this.declarationOf(arg.expression);
      const init = decl && ts.isVariableDeclaration(decl) && decl.initializer ? skipOuter(decl.initializer) : undefined;
      return init && ts.isArrayLiteralExpression(init) ? [...init.elements] : [arg];
    });
  }

  private messageArgument(expression: ts.Expression): (typeof MESSAGE_ARGUMENT)[string] | undefined {
    const name = ts.isIdentifier(expression) ? expression.text : undefined;
    if (name && Object.hasOwn(MESSAGE_ARGUMENT, name)) return MESSAGE_ARGUMENT[name];
    const decl = this.declarationOf(expression);
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

  private symbolOf(node: ts.Node): ts.Symbol | undefined {
    let symbol =
      node.parent && ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node
        ? this.checker.getShorthandAssignmentValueSymbol(node.parent)
        : this.checker.getSymbolAtLocation(ts.isPropertyAccessExpression(node) ? node.name : node);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    return symbol;
  }

  private declarationOf(node: ts.Node): ts.Declaration | undefined {
    const symbol = this.symbolOf(node);
    return symbol?.declarations?.find((d) => !isFunctionLike(d) || d.body !== undefined) ?? symbol?.valueDeclaration;
  }

  /** The function (with a body, in our sources) that a call calls. */
  private functionOf(call: ts.CallExpression): ts.FunctionLikeDeclaration | undefined {
    const decl = this.declarationOf(call.expression);
    if (!decl) return undefined;
    if (isFunctionLike(decl)) return decl.body ? decl : undefined;
    if ((ts.isVariableDeclaration(decl) || ts.isPropertyDeclaration(decl) || ts.isPropertyAssignment(decl)) && decl.initializer) {
      const init = skipOuter(decl.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
    }
    return undefined;
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
    exprs.forEach((e, i) => (messages = product(product(messages, i === 0 ? [[]] : [[': ']]), this.evaluate(e, new Map(), 0, false))));
    messages = messages.map(normalise);
    let opaque = messages.length === 0;
    for (const message of messages) {
      const last = message.at(-1);
      // A wrapper: the message is a parameter of its own function, alone or after `<prefix>: `.
      const before = message.at(-2);
      const wrapped =
        typeof last === 'object' && last.param && last.param.parent === fn && (before === undefined || (typeof before === 'string' && before.endsWith(': ')))
          ? last.param
          : undefined;
      if (wrapped) this.propagate(wrapped);
      const own = message.reduce((n, p) => n + (typeof p === 'string' ? letters(p) : 0), 0);
      if (own >= MIN_LETTERS) {
        const key = keyOf(message);
        if (!this.found.some((f) => f.file === file && f.keyText === key.text)) this.found.push({ file, line, source: kind, shown: render(message), key: key.pattern, keyText: key.text });
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
    const name = fn.name && ts.isIdentifier(fn.name) ? fn.name.text : ts.isVariableDeclaration(fn.parent) || ts.isPropertyAssignment(fn.parent) ? fn.parent.name.getText() : '(function)';
    if (param.initializer) this.site([param.initializer], `default of ${name}`);
    for (const call of this.callsTo.get(fn) ?? []) this.site(this.pick(call.arguments, index), `argument of ${name}`);
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
      if (kind === ts.SyntaxKind.PlusToken) return product(this.evaluate(e.left, bindings, depth + 1, interpolated), this.evaluate(e.right, bindings, depth + 1, interpolated));
      if (kind === ts.SyntaxKind.QuestionQuestionToken || kind === ts.SyntaxKind.BarBarToken) {
        return [...this.evaluate(e.left, bindings, depth + 1, interpolated), ...this.evaluate(e.right, bindings, depth + 1, interpolated)];
      }
      return hole;
    }
    if (ts.isConditionalExpression(e)) return [...this.evaluate(e.whenTrue, bindings, depth + 1, interpolated), ...this.evaluate(e.whenFalse, bindings, depth + 1, interpolated)];
    if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) return this.evaluateName(e, bindings, depth, interpolated);
    if (interpolated) return hole;
    if (ts.isCallExpression(e)) {
      const callee = e.expression;
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'join') return this.evaluate(callee.expression, bindings, depth + 1, false);
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
    if (ts.isArrayLiteralExpression(e)) return e.elements.flatMap((el) => this.evaluate(ts.isSpreadElement(el) ? el.expression : el, bindings, depth + 1, false));
    if (ts.isObjectLiteralExpression(e)) {
      const p = e.properties.find((q) => q.name && ts.isIdentifier(q.name) && (q.name.text === 'message' || q.name.text === 'reason'));
      if (p && ts.isPropertyAssignment(p)) return this.evaluate(p.initializer, bindings, depth + 1, false);
      if (p && ts.isShorthandPropertyAssignment(p)) return this.evaluate(p.name, bindings, depth + 1, false);
    }
    return hole;
  }

  private evaluateName(e: ts.Identifier | ts.PropertyAccessExpression, bindings: Bindings, depth: number, interpolated: boolean): Message[] {
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

/** The code gantry runs: every action's src/, lib/ and the workflows' scripts, without tests. */
function actionSources(): string[] {
  const dirs = [...actionNames.map((name) => path.join(root, 'actions', name, 'src')), path.join(root, 'lib'), path.join(root, '.github', 'scripts')];
  return dirs.filter((dir) => existsSync(dir)).flatMap((dir) =>
    (readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => /\.(ts|mts|js|mjs)$/.test(f) && !/\.test\.[mc]?[jt]s$/.test(f) && !f.endsWith('.d.ts'))
      .map((f) => path.join(dir, f))
      .sort(),
  );
}

/** `::error title=<t>::<message>` (and warning/notice) lines of the workflows; shell and JS interpolations are holes. */
function workflowMessages(): FoundMessage[] {
  const found: FoundMessage[] = [];
  for (const dir of ['.github/workflows', 'workflow-templates']) {
    if (!existsSync(path.join(root, dir))) continue;
    for (const name of readdirSync(path.join(root, dir)).filter((n) => /\.ya?ml$/.test(n)).sort()) {
      const file = `${dir}/${name}`;
      readFileSync(path.join(root, file), 'utf8').split('\n').forEach((text, index) => {
        const match = /::(?:error|warning|notice)\b[^:]*?title=([^:,]+)[^:]*::(.*)$/.exec(text);
        if (!match) return;
        const closing = Math.max(match[2].lastIndexOf('"'), match[2].lastIndexOf('`'));
        const body = closing >= 0 ? match[2].slice(0, closing) : match[2];
        const message: Message = [`${match[1]}: `];
        for (const piece of body.split(/(\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*)/)) message.push(piece.startsWith('$') ? { hole: true } : piece);
        const normal = normalise(message);
        const key = keyOf(normal);
        if (!found.some((f) => f.file === file && f.keyText === key.text)) found.push({ file, line: index + 1, source: 'workflow annotation', shown: render(normal), key: key.pattern, keyText: key.text });
      });
    }
  }
  return found;
}

/**
 * Messages that need no runbook entry, each with the reason. Matched by file and the start of the
 * message as the failure list shows it (holes as …). An entry that matches nothing fails the test.
 */
const NO_RUNBOOK_ENTRY: { file: string; message: string; reason: string }[] = [
  {
    file: 'lib/runner-protocol.ts',
    message: 'Unexpected input: name or value contains the delimiter',
    reason: 'the delimiter is a fresh random UUID per entry: a value cannot contain it by accident',
  },
  { file: 'lib/poll.ts', message: 'poll interval must be positive', reason: 'a programming guard: every poll interval comes from an input validated to be at least 1 s' },
  { file: 'actions/smoke-test/src/run.ts', message: 'concurrency must be at least', reason: "a programming guard: the concurrency input is validated to 1–256 (its InputError is in the runbook)" },
  {
    file: 'actions/parity-check/src/toggles.ts',
    message: 'no Secrets Manager client for',
    reason: 'a programming guard: main.ts creates the client whenever a secretsmanager: manifest is configured',
  },
  {
    file: 'actions/parity-check/src/hcl-parser.ts',
    message: 'the HCL parser returned no tree',
    reason: 'a programming guard: tree-sitter returns no tree only when a parse is cancelled or timed out, and gantry sets neither',
  },
  {
    file: 'actions/parity-check/src/hcl-syntax-errors.ts',
    message: 'parse config: [',
    reason: "an intermediate form: hclDiagnostics() rewrites it into the documented `Input '<files-input>': <file>:<line>: <diagnostic>` before it is printed",
  },
  {
    file: 'actions/smoke-test/src/load.ts',
    message: 'valid checks',
    reason: "CheckDefinitionError's constructor replaces this placeholder message with the documented `Input 'checks-file' … has <n> problems: …`",
  },
];

/**
 * Message sites with no text of their own: the text is made elsewhere and collected there. Each
 * entry says where (file and the expression as written). An entry that matches nothing fails the test.
 */
const RELAYS: { file: string; expression: string; from: string }[] = [
  { file: 'lib/github.ts', expression: 'describeError(err)', from: "run(): whatever an action threw — each message is collected where it is thrown; AWS errors are the runbook's AWS errors table" },
  { file: 'actions/deploy-ecs/src/inputs.ts', expression: 'err.message', from: "a TemplateError's text, collected at each `new TemplateError(…)` in template.ts" },
  { file: 'actions/parity-check/src/parity.ts', expression: 'note', from: "the notes pushed in compare.ts (the `notes.push(…)` rule)" },
  { file: 'actions/parity-check/src/report.ts', expression: 'finding.message', from: "a parity finding's `message`, collected from the finding objects in compare.ts" },
  { file: 'actions/parity-check/src/var-files.ts', expression: 'problem', from: "hclDiagnostics(): the summary and detail of an HclSyntaxError, collected at each `new HclSyntaxError(…)`" },
  { file: 'actions/rollback/src/resolve.ts', expression: 'warning', from: 'the warnings the Resolver pushes (the `warnings.push(…)` rule)' },
  { file: 'actions/smoke-test/src/check-reader.ts', expression: '(err as Error).message', from: 'an error thrown while reading a check field (JsonPathError, invalid regular expression), collected where thrown' },
  { file: 'actions/smoke-test/src/normalize.ts', expression: '(err as Error).message', from: 'a JsonPathError or regular-expression error, collected where thrown' },
  {
    file: 'actions/smoke-test/src/normalize.ts',
    expression: "{ field: ${reader.field('expect.json')}${fieldSuffix(jsonPath)}, message: (err as Error).message }",
    from: 'a JsonPathError problem, collected at each `new JsonPathError(…)`',
  },
  { file: 'actions/smoke-test/src/http-checks.ts', expression: 'describeRequestError(err, request.timeoutMs)', from: "Node's own network error (`<code>: <message>`); the runbook lists the codes (ECONNREFUSED, ENOTFOUND, UND_ERR_…)" },
  { file: 'actions/smoke-test/src/net-checks.ts', expression: 'describeRequestError(err, check.timeoutMs)', from: "Node's own network or TLS error, as above" },
  { file: 'actions/smoke-test/src/net-checks.ts', expression: "problems.join('; ')", from: 'the problems pushed just above (the `problems.push(…)` rule)' },
  { file: 'actions/smoke-test/src/load.ts', expression: 'problems', from: 'the `{ field, message }` problems built in load.ts, normalize.ts, check-reader.ts and schema.ts' },
  { file: 'actions/smoke-test/src/run.ts', expression: 'lastReason', from: "the last attempt's reason: a check's `{ ok: false, reason }`, collected in http-checks.ts and net-checks.ts" },
  { file: 'actions/smoke-test/src/run.ts', expression: 'describeError(err)', from: 'an unexpected exception inside a check, printed as `<Name>: <message>`' },
  { file: 'actions/smoke-test/src/schema.ts', expression: 'problem', from: 'the `{ field, message }` objects mapped from ajv errors just below' },
  { file: 'actions/smoke-test/src/schema.ts', expression: "${error.message ?? 'is out of range'}${got}", from: "ajv's own wording for a range keyword (`must be >= 1`), documented as `must be …`" },
  { file: 'actions/smoke-test/src/schema.ts', expression: "params.limit === 1 ? 'must not be empty' : ${error.message}${got}", from: "ajv's own wording for a length keyword, documented as `must be …`" },
  { file: 'actions/smoke-test/src/schema.ts', expression: "${error.message ?? 'is invalid'}${got}", from: "ajv's own wording for any other keyword, documented as `must be …`" },
  { file: '.github/scripts/promotion-gate.mjs', expression: 'error.title, error.message', from: "a GateError's title and message, collected at each `new GateError(…)`" },
];

let collected: { messages: FoundMessage[]; opaque: OpaqueSite[]; unknownErrorClasses: string[] } | undefined;
function failureMessages(): NonNullable<typeof collected> {
  if (!collected) {
    const collector = new MessageCollector(root, actionSources());
    collected = { messages: [...collector.found, ...workflowMessages()], opaque: collector.opaque, unknownErrorClasses: collector.unknownErrorClasses };
  }
  return collected;
}

/** The runbook's failure-message part, normalised the way messages are. */
function runbookFailureSection(): string {
  const runbook = readFileSync(path.join(docsDir, 'runbook.md'), 'utf8');
  const start = runbook.indexOf('\n## Failure messages');
  return normaliseText(runbook.slice(start));
}

function allowed(message: FoundMessage): boolean {
  return NO_RUNBOOK_ENTRY.some((entry) => entry.file === message.file && message.shown.startsWith(entry.message));
}

describe('docs/infra', () => {
  it('has the documents the on-call engineer is pointed to', () => {
    for (const name of ['architecture.md', 'environments.md', 'runbook.md', 'rollback.md', 'disaster-recovery.md', 'actions.md']) {
      expect(docFiles, `docs/infra/${name} is missing`).toContain(name);
    }
  });

  it('runbook.md has a failure-message section for every action', () => {
    const runbook = readFileSync(path.join(docsDir, 'runbook.md'), 'utf8');
    const anchors = headingAnchors(runbook);
    expect(anchors.has('failure-messages'), 'runbook.md needs a "## Failure messages" section').toBe(true);
    const missing = actionNames.filter((name) => !new RegExp(`^### ${name}$`, 'm').test(runbook));
    expect(missing, `runbook.md has no "### <action>" section for: ${missing.join(', ')}`).toEqual([]);
  });

  it('every relative link points to an existing file, and every #anchor to a heading', () => {
    const broken: string[] = [];
    const links = docFiles.flatMap(relativeLinks);
    expect(links.length).toBeGreaterThan(10);
    for (const { file, target } of links) {
      const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
      const resolved = pathPart === '' ? path.join(docsDir, file) : path.resolve(docsDir, decodeURIComponent(pathPart));
      if (!existsSync(resolved)) {
        broken.push(`${file}: ${target} (no such file ${path.relative(root, resolved)})`);
        continue;
      }
      if (anchor && resolved.endsWith('.md') && statSync(resolved).isFile()) {
        if (!headingAnchors(readFileSync(resolved, 'utf8')).has(anchor)) broken.push(`${file}: ${target} (no heading with anchor #${anchor})`);
      }
    }
    expect(broken, `broken links:\n${broken.join('\n')}`).toEqual([]);
  });

  it('computes anchors the way GitHub does', () => {
    const anchors = headingAnchors('# Rolling back by hand, without GitHub\n## `deploy-ecs`: watching\n## Dup\n## Dup\n```\n# not a heading\n```\n');
    expect([...anchors]).toEqual(['rolling-back-by-hand-without-github', 'deploy-ecs-watching', 'dup', 'dup-1']);
  });
});

describe('runbook.md lists every failure message gantry prints', () => {
  it('has an entry for each message of the actions and the workflows', () => {
    const section = runbookFailureSection();
    const missing = failureMessages()
      .messages.filter((m) => !allowed(m) && !m.key.test(section))
      .map((m) => `${m.file}:${m.line}  ${m.shown}\n    (searched for: ${m.keyText})`);
    expect(
      missing,
      `runbook.md (from "## Failure messages" on) has no entry for ${missing.length} message(s). Add a row under the action's section ` +
        `quoting the message (placeholders as <name> or …) with what it means and what to do — or, if nobody can ever see it, ` +
        `an entry with the reason in NO_RUNBOOK_ENTRY:\n${missing.join('\n')}`,
    ).toEqual([]);
  });

  it('collects messages from every kind of source', () => {
    const { messages } = failureMessages();
    expect(messages.length).toBeGreaterThan(150);
    const sources = new Set(messages.map((m) => m.source));
    const subclass = [...sources].some((k) => k.startsWith('new ') && !['new Error', 'new RangeError', 'new TypeError', 'new ActionFailure', 'new InputError'].includes(k));
    expect(subclass, 'an ActionFailure/InputError subclass').toBe(true);
    for (const kind of ['new ActionFailure', 'new InputError', 'super InputError', 'call warning', 'call annotate', 'push warnings', 'push notes', 'push problems', 'failed result reason', 'failed result why', 'message object', 'workflow annotation']) {
      expect(sources, `no message found from ${kind}`).toContain(kind);
    }
    expect([...sources].some((k) => k.startsWith('argument of ')), "a wrapper's callers (fail(message) and the like)").toBe(true);
  });

  it('knows where the text comes from for every message site without text of its own', () => {
    const { opaque } = failureMessages();
    const unknown = opaque.filter((o) => !RELAYS.some((r) => r.file === o.file && r.expression === o.expression));
    expect(
      unknown.map((o) => `${o.file}:${o.line}  ${o.expression}`),
      'these print a message built elsewhere: make sure its text is collected where it is built, then add a RELAYS entry saying where',
    ).toEqual([]);
  });

  it('has no stale allow-list or relay entries', () => {
    const { messages, opaque } = failureMessages();
    const staleAllowed = NO_RUNBOOK_ENTRY.filter((entry) => !messages.some((m) => m.file === entry.file && m.shown.startsWith(entry.message)));
    const staleRelays = RELAYS.filter((r) => !opaque.some((o) => o.file === r.file && o.expression === r.expression));
    expect(staleAllowed.map((e) => `${e.file}: ${e.message}`), 'NO_RUNBOOK_ENTRY entries that match no message any more').toEqual([]);
    expect(staleRelays.map((r) => `${r.file}: ${r.expression}`), 'RELAYS entries that match no message site any more').toEqual([]);
  });

  it('knows which constructor argument is the message for every error class', () => {
    expect(failureMessages().unknownErrorClasses, 'add these classes to MESSAGE_ARGUMENT').toEqual([]);
  });
});

describe('the failure-message collector', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gantry-runbook-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('follows constants, conditionals, wrappers, helper functions and object shapes; reports opaque sites', () => {
    const file = path.join(dir, 'sample.ts');
    writeFileSync(
      file,
      [
        'class ActionFailure extends Error {}',
        'class InputError extends Error { constructor(input: string, value: string, expected: string) { super(`Input ${input} ${value}: expected ${expected}.`); } }',
        'class WidgetError extends ActionFailure { constructor(what: string) { super(what); } }',
        "const PREFIX = 'Widget';",
        "const TAG = { status: 'gantry:status' } as const;",
        "function fail(message: string): ActionFailure { return new ActionFailure(`Input 'x': ${message}`); }",
        'function range(what: string, min?: number): string { return min === undefined ? what : `${what} of at least ${min}`; }',
        'export function f(log: { warning(m: string): void }, on: boolean, err: Error) {',
        "  log.warning(`${PREFIX} ${on ? 'is on' : 'is off'} for ${TAG.status}; see ${err.message ?? 'nothing'}`);",
        '  log.warning(String(err));',
        "  if (!on) throw new WidgetError('w');",
        "  const problems: { field: string; message: string }[] = [{ field: 'a', message: 'is required' }];",
        "  if (on) throw new InputError('n', 'v', range('an integer', 3));",
        "  throw fail('the frobnicator is broken');",
        '}',
      ].join('\n'),
    );
    const collector = new MessageCollector(dir, [file]);
    expect(collector.found.map((m) => m.shown).sort()).toEqual(
      [
        "Input 'x': …",
        'Input … …: expected ….',
        'Widget is off for gantry:status; see …',
        'Widget is on for gantry:status; see …',
        'an integer',
        'an integer of at least …',
        'is required',
        'the frobnicator is broken',
      ].sort(),
    );
    expect(collector.opaque.map((o) => o.expression)).toEqual(['String(err)']);
    expect(collector.unknownErrorClasses).toEqual(['WidgetError (sample.ts)']);
  });

  it('keys a message by its first words, holes as wildcards', () => {
    const key = keyOf(normalise([{ hole: true }, ' is ', { hole: true }, '; ECS may refuse to start new tasks from it.']));
    expect(key.text).toBe('is …; ECS may refuse to start new');
    expect(key.pattern.test('warning <arn> is INACTIVE; ECS may refuse to start new tasks from it.')).toBe(true);
    expect(key.pattern.test('ECS may refuse to start new tasks')).toBe(false);
  });
});
