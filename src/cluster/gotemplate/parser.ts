// Parser from tokens to the tree, following the grammar and error messages of Go's
// text/template/parse (plus Go 1.23's `{{else with}}`). Unknown functions and undefined
// variables are parse-time errors, as in Go.

import type {
  ArgNode, BranchNode, CommandNode, ElseNode, EndNode, ListNode, Node, NumberNode, PipeNode, TemplateNode, VariableNode,
} from './ast.js';
import { isEmptyTree, nodeString } from './ast.js';
import { TemplateError, positionOf } from './errors.js';
import { quoteGo } from './fmt.js';
import { lex, tokenString, type Token, type TokenType } from './lexer.js';
import { parseGoFloat, parseGoInt, parseGoUint, unquote, unquoteRune } from './strconv.js';

/** All templates of one source: the main one under its file name plus every define/block. */
export type TreeSet = Map<string, ListNode>;

interface ParseOptions {
  name: string;
  hasFunction: (name: string) => boolean;
}

/** Position in the token array; `hi` is the farthest token read, whose line Go reports. */
interface Cursor {
  i: number;
  hi: number;
}

export function parse(source: string, opts: ParseOptions): TreeSet {
  const tokens = lex(source, { breakOK: !opts.hasFunction('break'), continueOK: !opts.hasFunction('continue') });
  const treeSet: TreeSet = new Map();
  const p = new Parser(source, tokens, opts, treeSet);
  p.parseTop();
  return treeSet;
}

class Parser {
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private actionLine = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
    private readonly opts: ParseOptions,
    private readonly treeSet: TreeSet,
    /** Shared by the sub-parsers of define/block bodies, which read the same token stream. */
    private readonly cur: Cursor = { i: 0, hi: 0 },
  ) {}

  // ---- token stream -------------------------------------------------------------------------

  private next(): Token {
    const t = this.tokens[Math.min(this.cur.i, this.tokens.length - 1)]!;
    this.cur.hi = Math.max(this.cur.hi, Math.min(this.cur.i, this.tokens.length - 1));
    this.cur.i++;
    return t;
  }
  private backup(): void {
    this.cur.i--;
  }
  private peek(): Token {
    const t = this.next();
    this.backup();
    return t;
  }
  private nextNonSpace(): Token {
    let t: Token;
    do t = this.next();
    while (t.type === 'space');
    return t;
  }
  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  // ---- errors -------------------------------------------------------------------------------

  /** Go's errorf: `template: NAME:LINE: msg`, with the column of `at` when one is meaningful. */
  private errorf(msg: string, at?: Token | { pos: number }): never {
    const cur = this.tokens[this.cur.hi]!;
    const line = cur.line;
    let column = 1;
    let where = `${this.opts.name}:${line}`;
    const anchor = at ?? cur;
    const isEof = 'type' in anchor && anchor.type === 'eof';
    if (!isEof) {
      const p = positionOf(this.source, anchor.pos);
      column = p.column;
      if (p.line === line) where += `:${column}`;
    } else {
      column = positionOf(this.source, anchor.pos).column;
    }
    throw new TemplateError(`template: ${where}: ${msg}`, this.opts.name, line, column, 'syntax');
  }

  private unexpected(t: Token, context: string): never {
    if (t.type === 'error') {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== t.line) {
        extra = ` in action started at ${this.opts.name}:${this.actionLine}`;
        if (t.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      // Errors at end of input (unclosed action...) have no meaningful column.
      this.errorf(`${t.val}${extra}`, t.pos >= this.source.length ? { ...t, type: 'eof' } : t);
    }
    this.errorf(`unexpected ${tokenString(t)} in ${context}`, t);
  }

  private expect(type: TokenType, context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  // ---- structure ----------------------------------------------------------------------------

  parseTop(): void {
    const root: ListNode = { type: 'list', pos: this.peek().pos, nodes: [] };
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const mark = this.cur.i;
        this.next();
        if (this.nextNonSpace().type === 'define') {
          this.sub().parseDefinition();
          continue;
        }
        this.cur.i = mark;
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected ${nodeString(n)}`, n);
      root.nodes.push(n);
    }
    this.add(this.opts.name, root);
  }

  /** A fresh parser state (variables, range depth) on the same token stream, as Go uses for define and block bodies. */
  private sub(): Parser {
    return new Parser(this.source, this.tokens, this.opts, this.treeSet, this.cur);
  }

  private add(name: string, list: ListNode, at?: Token): void {
    const old = this.treeSet.get(name);
    if (!old || isEmptyTree(old)) {
      this.treeSet.set(name, list);
      return;
    }
    if (!isEmptyTree(list)) this.errorf(`template: multiple definition of template ${quoteGo(name)}`, at);
  }

  parseDefinition(): void {
    const context = 'define clause';
    const nameTok = this.nextNonSpace();
    if (nameTok.type !== 'string' && nameTok.type !== 'rawString') this.unexpected(nameTok, context);
    const name = unquote(nameTok.val);
    if (name === undefined) this.errorf('invalid syntax', nameTok);
    this.expect('rightDelim', context);
    const { list, next } = this.itemList();
    if (next.type !== 'end') this.errorf(`unexpected ${nodeString(next)} in ${context}`, next);
    this.add(name, list, nameTok);
  }

  private itemList(): { list: ListNode; next: EndNode | ElseNode } {
    const list: ListNode = { type: 'list', pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return { list, next: n };
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF', this.tokens[this.cur.hi]);
  }

  private textOrAction(): Node {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'text':
        return { type: 'text', pos: t.pos, text: t.val };
      case 'leftDelim':
        this.actionLine = t.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      case 'comment':
        return { type: 'comment', pos: t.pos, text: t.val };
      default:
        this.unexpected(t, 'input');
    }
  }

  private action(): Node {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'block':
        return this.blockControl();
      case 'break':
      case 'continue':
        return this.breakControl(t);
      case 'else':
        return { ...this.elseControl(), pos: t.pos };
      case 'end':
        // Go positions End at the closing delimiter; the keyword makes a better error column.
        this.expect('rightDelim', 'end');
        return { type: 'end', pos: t.pos };
      case 'if':
        return this.control('if');
      case 'range':
        return this.control('range');
      case 'template':
        return this.templateControl();
      case 'with':
        return this.control('with');
    }
    this.backup();
    const tok = this.peek();
    return { type: 'action', pos: tok.pos, line: tok.line, pipe: this.pipeline('command', 'rightDelim') };
  }

  private breakControl(t: Token): Node {
    const word = t.type as 'break' | 'continue';
    const n = this.nextNonSpace();
    if (n.type !== 'rightDelim') this.unexpected(n, `{{${word}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${word}}} outside {{range}}`, t);
    return { type: word, pos: t.pos, line: t.line };
  }

  private elseControl(): ElseNode {
    const peek = this.peekNonSpace();
    // "{{else if ...}}" / "{{else with ...}}" parse as "{{else}}{{if ...}}".
    if (peek.type === 'if' || peek.type === 'with') return { type: 'else', pos: peek.pos, line: peek.line };
    const t = this.expect('rightDelim', 'else');
    return { type: 'else', pos: t.pos, line: t.line };
  }

  private control(context: 'if' | 'range' | 'with'): BranchNode {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(context, 'rightDelim');
      if (context === 'range') this.rangeDepth++;
      let { list, next } = this.itemList();
      if (context === 'range') this.rangeDepth--;
      let elseList: ListNode | undefined;
      if (next.type === 'else') {
        const chained = this.peek().type;
        if ((context === 'if' && chained === 'if') || (context === 'with' && chained === 'with')) {
          this.next();
          elseList = { type: 'list', pos: next.pos, nodes: [this.control(context)] };
        } else {
          ({ list: elseList, next } = this.itemList());
          if (next.type !== 'end') this.errorf(`expected end; found ${nodeString(next)}`, next);
        }
      }
      return { type: context, pos: pipe.pos, line: pipe.line, pipe, list, elseList };
    } finally {
      this.vars.length = mark;
    }
  }

  private blockControl(): Node {
    const context = 'block clause';
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    const pipe = this.pipeline(context, 'rightDelim');
    const body = this.sub();
    const { list, next } = body.itemList();
    if (next.type !== 'end') this.errorf(`unexpected ${nodeString(next)} in ${context}`, next);
    body.add(name, list, t);
    const node: TemplateNode = { type: 'template', pos: t.pos, line: t.line, name, pipe };
    return node;
  }

  private templateControl(): Node {
    const context = 'template clause';
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { type: 'template', pos: t.pos, line: t.line, name, pipe };
  }

  private templateName(t: Token, context: string): string {
    if (t.type !== 'string' && t.type !== 'rawString') this.unexpected(t, context);
    const s = unquote(t.val);
    if (s === undefined) this.errorf('invalid syntax', t);
    return s;
  }

  // ---- pipelines ----------------------------------------------------------------------------

  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = { type: 'pipe', pos: first.pos, line: first.line, isAssign: false, decl: [], cmds: [] };
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      const mark = this.cur.i;
      this.nextNonSpace();
      const after = this.peekNonSpace();
      if (after.type === 'assign' || after.type === 'declare') {
        pipe.isAssign = after.type === 'assign';
        this.nextNonSpace();
        pipe.decl.push(this.variable(v.pos, v.val));
        this.vars.push(v.val);
      } else if (after.type === 'char' && after.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(this.variable(v.pos, v.val));
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const t = this.peekNonSpace().type;
          if (t === 'variable' || t === 'rightDelim' || t === 'rightParen') continue;
          this.errorf('range can only initialize variables', this.peekNonSpace());
        }
        this.errorf(`too many declarations in ${context}`, v);
      } else {
        this.cur.i = mark;
      }
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        this.checkPipeline(pipe, context, t);
        return pipe;
      }
      switch (t.type) {
        case 'bool': case 'charConstant': case 'complex': case 'dot': case 'field': case 'identifier':
        case 'number': case 'nil': case 'rawString': case 'string': case 'variable': case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string, at: Token): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`, at);
    pipe.cmds.slice(1).forEach((c, i) => {
      const k = c.args[0]!.type;
      if (k === 'bool' || k === 'dot' || k === 'nil' || k === 'number' || k === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 2}`, c.args[0]);
      }
    });
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const t = this.next();
      if (t.type === 'space') continue;
      if (t.type === 'rightDelim' || t.type === 'rightParen') this.backup();
      else if (t.type !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command', cmd);
    return cmd;
  }

  private operand(): ArgNode | undefined {
    const node = this.term();
    if (!node) return undefined;
    if (this.peek().type !== 'field') return node;
    const pos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().type === 'field') fields.push(this.next().val.slice(1));
    switch (node.type) {
      case 'field':
        return { type: 'field', pos, ident: [...node.ident, ...fields] };
      case 'variable':
        return { type: 'variable', pos, ident: [...node.ident, ...fields] };
      case 'bool': case 'string': case 'number': case 'nil': case 'dot':
        this.errorf(`unexpected . after term ${quoteGo(nodeString(node))}`, { pos });
      default:
        return { type: 'chain', pos, node, field: fields };
    }
  }

  private term(): ArgNode | undefined {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'identifier':
        if (!this.opts.hasFunction(t.val)) this.errorf(`function ${quoteGo(t.val)} not defined`, t);
        return { type: 'identifier', pos: t.pos, ident: t.val };
      case 'dot':
        return { type: 'dot', pos: t.pos };
      case 'nil':
        return { type: 'nil', pos: t.pos };
      case 'variable':
        return this.useVar(t);
      case 'field':
        return { type: 'field', pos: t.pos, ident: t.val.slice(1).split('.') };
      case 'bool':
        return { type: 'bool', pos: t.pos, value: t.val === 'true' };
      case 'charConstant':
      case 'complex':
      case 'number':
        return this.number(t);
      case 'leftParen':
        return this.pipeline('parenthesized pipeline', 'rightParen');
      case 'string':
      case 'rawString': {
        const s = unquote(t.val);
        if (s === undefined) this.errorf('invalid syntax', t);
        return { type: 'string', pos: t.pos, quoted: t.val, text: s };
      }
    }
    this.backup();
    return undefined;
  }

  private variable(pos: number, name: string): VariableNode {
    return { type: 'variable', pos, ident: name.split('.') };
  }

  private useVar(t: Token): VariableNode {
    const v = this.variable(t.pos, t.val);
    if (!this.vars.includes(v.ident[0]!)) this.errorf(`undefined variable ${quoteGo(v.ident[0]!)}`, t);
    return v;
  }

  /** Go's newNumber: classifies a literal as int, uint and/or float. */
  private number(t: Token): NumberNode {
    const n: NumberNode = {
      type: 'number', pos: t.pos, text: t.val, isInt: false, isUint: false, isFloat: false, isComplex: false,
      int64: 0n, uint64: 0n, float64: 0,
    };
    const text = t.val;
    if (t.type === 'charConstant') {
      const r = unquoteRune(text);
      if ('error' in r) this.errorf(r.error, t);
      n.isInt = n.isUint = n.isFloat = true;
      n.int64 = n.uint64 = BigInt(r.value);
      n.float64 = r.value;
      return n;
    }
    if (t.type === 'complex' || text.endsWith('i')) {
      // Complex numbers have no use in config templates; Go accepts them, kindling does not.
      this.errorf(`complex numbers are not supported: ${quoteGo(text)}`, t);
    }
    const u = parseGoUint(text);
    if (u !== undefined) {
      n.isUint = true;
      n.uint64 = u;
    }
    const i = parseGoInt(text);
    if (i !== undefined) {
      n.isInt = true;
      n.int64 = i;
      if (i === 0n) {
        n.isUint = true;
        n.uint64 = 0n;
      }
    }
    if (n.isInt) {
      n.isFloat = true;
      n.float64 = Number(n.int64);
    } else if (n.isUint) {
      n.isFloat = true;
      n.float64 = Number(n.uint64);
    } else {
      const f = parseGoFloat(text);
      if (f !== undefined) {
        if (!/[.eEpP]/.test(text)) this.errorf(`integer overflow: ${quoteGo(text)}`, t);
        n.isFloat = true;
        n.float64 = f;
        if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
          n.isInt = true;
          n.int64 = BigInt(f);
        }
        if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) {
          n.isUint = true;
          n.uint64 = BigInt(f);
        }
      }
    }
    if (!n.isInt && !n.isUint && !n.isFloat) this.errorf(`illegal number syntax: ${quoteGo(text)}`, t);
    return n;
  }
}
