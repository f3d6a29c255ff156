// The executor: walks the tree over the value model with Go's semantics — missing keys are
// invalid values (`<no value>`), pipelines unwrap interface slots, arguments are converted to each
// function's parameter types, and errors name the node being evaluated exactly where Go's
// `state.at(node)` would.

import { type ActionNode, type AnyNode, type ArgNode, type BranchNode, type ChainNode, type CommandNode, type FieldNode,
  type IdentifierNode, type Node, type NumberNode, type PipeNode, type TemplateNode, type VariableNode,
  nodeString } from './ast.js';
import { truth } from './builtins.js';
import { TemplateError, positionOf } from './errors.js';
import { formatValue, quoteGo } from './fmt.js';
import type { TreeSet } from './parser.js';
import {
  type FuncDef, GoCallError, GoFloat, GoFuncValue, GoInt, GoMap, GoObject, GoSlice, type GoValue, Iface, type ParamType,
  type XValue, NIL_MAP, isTrue, slotValue, typeName, unwrap,
} from './value.js';

/** Go's cap is 100000; JavaScript's stack is far smaller. */
export const MAX_EXEC_DEPTH = 1000;

const MISSING = Symbol('missing');
type Final = XValue | typeof MISSING;

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

/** Go type names of parameter types, for error messages. */
const PARAM_TYPE_NAME: Record<ParamType, string> = {
  any: 'interface {}', value: 'reflect.Value', string: 'string', bool: 'bool', int: 'int', int64: 'int64',
  float64: 'float64', map: 'map[string]interface {}',
};

export interface ExecEnv {
  source: string;
  fileName: string;
  trees: TreeSet;
  funcs: ReadonlyMap<string, FuncDef>;
  builtins: Readonly<Record<string, FuncDef>>;
}

interface Variable {
  name: string;
  value: XValue;
}

export function execute(env: ExecEnv, name: string, data: GoValue): string {
  const root = env.trees.get(name);
  const st = new State(env, name);
  if (!root) return st.errorf(`${quoteGo(name)} is an incomplete or empty template`);
  // reflect.ValueOf(nil) is invalid: a nil root behaves like no data at all.
  const dot = data === null ? undefined : data;
  st.vars = [{ name: '$', value: dot }];
  try {
    st.walk(dot, root);
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      st.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    }
    throw e;
  }
  return st.out.join('');
}

class State {
  out: string[] = [];
  node: AnyNode | undefined;
  vars: Variable[] = [];
  depth = 0;

  constructor(
    private readonly env: ExecEnv,
    private tmplName: string,
  ) {}

  // ---- errors -------------------------------------------------------------------------------

  at(node: AnyNode): void {
    this.node = node;
  }

  errorf(msg: string): never {
    const name = this.tmplName;
    if (!this.node) throw new TemplateError(`template: ${name}: ${msg}`, this.env.fileName, 1, 1, 'exec');
    const p = positionOf(this.env.source, this.node.pos);
    const location = `${this.env.fileName}:${p.line}:${p.byteColumn}`;
    throw new TemplateError(
      `template: ${location}: executing ${quoteGo(name)} at <${nodeString(this.node)}>: ${msg}`,
      this.env.fileName, p.line, p.column, 'exec',
    );
  }

  // ---- variables ----------------------------------------------------------------------------

  private push(name: string, value: XValue): void {
    this.vars.push({ name, value });
  }
  private pop(mark: number): void {
    this.vars.length = mark;
  }
  private setVar(name: string, value: XValue): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }
  private setTopVar(n: number, value: XValue): void {
    this.vars[this.vars.length - n]!.value = value;
  }
  private varValue(name: string): XValue {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    return this.errorf(`undefined variable: ${name}`);
  }

  // ---- walking ------------------------------------------------------------------------------

  walk(dot: XValue, node: Node): void {
    this.at(node);
    switch (node.type) {
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
      case 'comment':
        return;
      case 'if':
      case 'with':
        return this.walkIfOrWith(node, dot);
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'range':
        return this.walkRange(dot, node);
      case 'template':
        return this.walkTemplate(dot, node);
      case 'text':
        this.out.push(node.text);
        return;
      default:
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  private walkIfOrWith(node: BranchNode, dot: XValue): void {
    const mark = this.vars.length;
    try {
      const val = this.evalPipeline(dot, node.pipe);
      if (isTrue(unwrap(val))) this.walk(node.type === 'with' ? val : dot, node.list);
      else if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.pop(mark);
    }
  }

  private walkRange(dot: XValue, r: BranchNode): void {
    this.at(r);
    const mark = this.vars.length;
    try {
      const val = unwrap(this.evalPipeline(dot, r.pipe));
      const iterMark = this.vars.length;
      const decls = r.pipe.decl.length;
      const oneIteration = (index: XValue, elem: XValue): void => {
        if (decls > 0) this.setTopVar(1, elem);
        if (decls > 1) this.setTopVar(2, index);
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (e !== CONTINUE) throw e;
        } finally {
          this.pop(iterMark);
        }
      };
      let ran = false;
      if (val instanceof GoSlice) {
        val.items.forEach((item, i) => {
          ran = true;
          oneIteration(new GoInt(i), slotValue(item, val.elem));
        });
      } else if (val instanceof GoMap) {
        for (const k of val.sortedKeys()) {
          ran = true;
          oneIteration(k, slotValue(val.entries.get(k), val.elem));
        }
      } else if (val instanceof GoInt) {
        // Go 1.22+: range over an integer n yields 0..n-1 of n's type.
        if (decls > 1) this.errorf(`can't use ${formatValue(val)} to iterate over more than one variable`);
        for (let i = 0n; i < val.v; i++) {
          ran = true;
          oneIteration(undefined, new GoInt(i, val.kind));
        }
      } else if (val !== undefined) {
        this.errorf(`range can't iterate over ${formatValue(val)}`);
      }
      if (!ran && r.elseList) this.walk(dot, r.elseList);
    } catch (e) {
      if (e !== BREAK) throw e;
    } finally {
      this.pop(mark);
    }
  }

  private walkTemplate(dot: XValue, t: TemplateNode): void {
    this.at(t);
    const tmpl = this.env.trees.get(t.name);
    if (!tmpl) this.errorf(`template ${quoteGo(t.name)} not defined`);
    if (this.depth >= MAX_EXEC_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    const newDot = this.evalPipeline(dot, t.pipe);
    const saved = { vars: this.vars, name: this.tmplName };
    this.depth++;
    this.tmplName = t.name;
    this.vars = [{ name: '$', value: newDot }];
    try {
      this.walk(newDot, tmpl);
    } finally {
      this.depth--;
      this.tmplName = saved.name;
      this.vars = saved.vars;
    }
  }

  private printValue(node: ActionNode, v: XValue): void {
    this.at(node);
    const val = unwrap(v);
    if (val === undefined) {
      this.out.push('<no value>');
      return;
    }
    if (val instanceof GoFuncValue) this.errorf(`can't print ${nodeString(node)} of type ${typeName(val)}`);
    this.out.push(formatValue(val));
  }

  // ---- evaluation ---------------------------------------------------------------------------

  evalPipeline(dot: XValue, pipe: PipeNode | undefined): XValue {
    if (!pipe) return undefined;
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      // A step's result is the next step's final argument; interface values are unwrapped.
      value = unwrap(this.evalCommand(dot, cmd, value));
      if (value === null) value = undefined;
    }
    const result = value === MISSING ? undefined : value;
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0]!, result);
      else this.push(v.ident[0]!, result);
    }
    return result;
  }

  private notAFunction(args: ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args[0]!)}`);
  }

  private evalCommand(dot: XValue, cmd: CommandNode, final: Final): XValue {
    const first = cmd.args[0]!;
    switch (first.type) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return this.errorf('nil is not a command');
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
    }
  }

  private idealConstant(n: NumberNode): XValue {
    this.at(n);
    const hexInt = /^0[xX]/.test(n.text) && !/[pP]/.test(n.text);
    if (n.isFloat && !hexInt && !n.text.startsWith("'") && /[.eEpP]/.test(n.text)) return new GoFloat(n.float64);
    if (n.isInt) return new GoInt(n.int64);
    if (n.isUint) this.errorf(`${n.text} overflows int`);
    return undefined;
  }

  private evalFieldNode(dot: XValue, field: FieldNode, args: ArgNode[] | undefined, final: Final): XValue {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(dot: XValue, chain: ChainNode, args: ArgNode[] | undefined, final: Final): XValue {
    this.at(chain);
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, undefined, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: XValue, v: VariableNode, args: ArgNode[] | undefined, final: Final): XValue {
    this.at(v);
    const value = this.varValue(v.ident[0]!);
    if (v.ident.length === 1) {
      this.notAFunction(args ?? [v], final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  private evalFieldChain(dot: XValue, receiver: XValue, node: AnyNode, ident: string[], args: ArgNode[] | undefined, final: Final): XValue {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(dot, ident[i]!, node, undefined, MISSING, receiver);
    return this.evalField(dot, ident[n - 1]!, node, args, final, receiver);
  }

  private evalFunction(dot: XValue, node: IdentifierNode, cmd: AnyNode, args: ArgNode[] | undefined, final: Final): XValue {
    this.at(node);
    const name = node.ident;
    const fn = this.env.funcs.get(name);
    if (fn) return this.evalCall(dot, fn, false, cmd, name, args, final);
    const builtin = Object.hasOwn(this.env.builtins, name) ? this.env.builtins[name] : undefined;
    if (!builtin) this.errorf(`${quoteGo(name)} is not a defined function`);
    return this.evalCall(dot, builtin, true, cmd, name, args, final);
  }

  private evalField(dot: XValue, fieldName: string, node: AnyNode, args: ArgNode[] | undefined, final: Final, receiver0: XValue): XValue {
    if (receiver0 === undefined) return undefined; // missingkey=default: <no value>
    const typ = receiver0 instanceof Iface ? 'interface {}' : typeName(receiver0);
    let receiver: GoValue;
    if (receiver0 instanceof Iface) {
      if (receiver0.v === null) this.errorf(`nil pointer evaluating ${typ}.${fieldName}`);
      receiver = receiver0.v;
    } else receiver = receiver0;
    if (receiver instanceof GoObject && Object.hasOwn(receiver.methods, fieldName)) {
      return this.evalCall(dot, receiver.methods[fieldName]!, false, node, fieldName, args, final);
    }
    const hasArgs = (args?.length ?? 0) > 1 || final !== MISSING;
    if (receiver instanceof GoMap) {
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      if (!receiver.entries.has(fieldName)) return undefined;
      return slotValue(receiver.entries.get(fieldName), receiver.elem);
    }
    return this.errorf(`can't evaluate field ${fieldName} in type ${typ}`);
  }

  private evalCall(dot: XValue, fn: FuncDef, isBuiltin: boolean, node: AnyNode, name: string, argNodes: ArgNode[] | undefined, final: Final): XValue {
    const args = argNodes ? argNodes.slice(1) : [];
    const numIn = args.length + (final !== MISSING ? 1 : 0);
    let numFixed = args.length;
    if (fn.variadic) {
      numFixed = fn.params.length;
      if (numIn < numFixed) this.errorf(`wrong number of args for ${name}: want at least ${numFixed} got ${args.length}`);
    } else if (numIn !== fn.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${fn.params.length} got ${numIn}`);
    }

    if (isBuiltin && (name === 'and' || name === 'or')) {
      // Short-circuit: stop at the first false (and) / true (or) argument and return it.
      let v: XValue;
      for (const a of args) {
        v = this.evalArg(dot, 'value', a);
        if (truth(v) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = this.validateType(final, 'value');
      return v;
    }

    const argv: XValue[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) argv.push(this.evalArg(dot, fn.params[i]!, args[i]!));
    if (fn.variadic) for (; i < args.length; i++) argv.push(this.evalArg(dot, fn.variadic, args[i]!));
    if (final !== MISSING) {
      let t: ParamType;
      if (fn.variadic) t = numIn - 1 < numFixed ? fn.params[numIn - 1]! : fn.variadic;
      else t = fn.params[fn.params.length - 1]!;
      argv.push(this.validateType(final, t));
    }
    try {
      return fn.fn(...argv);
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      this.at(node);
      // Go recovers panics in called functions and reports them the same way as errors.
      const msg = e instanceof Error ? e.message : String(e);
      if (!(e instanceof GoCallError) && e instanceof RangeError && /call stack/i.test(msg)) throw e;
      return this.errorf(`error calling ${name}: ${msg}`);
    }
  }

  /** Converts an evaluated value to a parameter type (Go's validateType). */
  private validateType(value: XValue, typ: ParamType | undefined): XValue {
    if (value === undefined) {
      switch (typ) {
        case undefined:
        case 'value':
          return undefined;
        case 'any':
          return null;
        case 'map':
          return NIL_MAP;
        default:
          return this.errorf(`invalid value; expected ${PARAM_TYPE_NAME[typ]}`);
      }
    }
    if (typ === undefined || typ === 'value') return value;
    if (typ === 'any') return value instanceof Iface ? value.v : value;
    let v: GoValue;
    if (value instanceof Iface) {
      if (value.v === null) this.errorf(`wrong type for value; expected ${PARAM_TYPE_NAME[typ]}; got interface {}`);
      v = value.v;
    } else v = value;
    const converted = convertTo(v, typ);
    if (converted === NO) return this.errorf(`wrong type for value; expected ${PARAM_TYPE_NAME[typ]}; got ${typeName(v)}`);
    return converted;
  }

  private evalArg(dot: XValue, typ: ParamType | undefined, n: ArgNode): XValue {
    this.at(n);
    switch (n.type) {
      case 'dot':
        return this.validateType(dot, typ);
      case 'nil':
        if (typ === 'any') return null;
        if (typ === 'value') return undefined;
        if (typ === 'map') return NIL_MAP;
        return this.errorf(`cannot assign nil to ${typ ? PARAM_TYPE_NAME[typ] : 'nil'}`);
      case 'field':
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), typ);
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, n, undefined, MISSING), typ);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), typ);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, n, n, undefined, MISSING), typ);
      case 'chain':
        return this.validateType(this.evalChainNode(dot, n, undefined, MISSING), typ);
    }
    // Literals: converted to the parameter type like Go's untyped constants.
    switch (typ) {
      case 'bool':
        if (n.type === 'bool') return n.value;
        return this.errorf(`expected bool; found ${nodeString(n)}`);
      case 'float64':
        if (n.type === 'number' && n.isFloat) return new GoFloat(n.float64);
        return this.errorf(`expected float; found ${nodeString(n)}`);
      case 'int':
      case 'int64':
        if (n.type === 'number' && n.isInt) return new GoInt(n.int64, typ);
        return this.errorf(`expected integer; found ${nodeString(n)}`);
      case 'string':
        if (n.type === 'string') return n.text;
        return this.errorf(`expected string; found ${nodeString(n)}`);
      case 'any':
      case 'value':
        return this.evalEmptyInterface(n);
    }
    return this.errorf(`can't handle ${nodeString(n)} for arg of type ${typ ? PARAM_TYPE_NAME[typ] : '<nil>'}`);
  }

  private evalEmptyInterface(n: ArgNode): XValue {
    this.at(n);
    switch (n.type) {
      case 'bool':
        return n.value;
      case 'number':
        return this.idealConstant(n);
      case 'string':
        return n.text;
    }
    return this.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`);
  }
}

const NO = Symbol('no');

/**
 * Assignability to a typed parameter. Go rejects int64 where int is expected (e.g. `until (add 1
 * 2)`); kindling converts between int and int64, as the spec allows. Other kinds must match.
 */
function convertTo(v: GoValue, typ: ParamType): GoValue | typeof NO {
  switch (typ) {
    case 'string':
      return typeof v === 'string' ? v : NO;
    case 'bool':
      return typeof v === 'boolean' ? v : NO;
    case 'int':
    case 'int64':
      if (!(v instanceof GoInt) || (v.kind !== 'int' && v.kind !== 'int64')) return NO;
      return v.kind === typ ? v : new GoInt(v.v, typ);
    case 'float64':
      return v instanceof GoFloat && v.kind === 'float64' ? v : NO;
    case 'map':
      return v instanceof GoMap && v.elem === 'interface {}' ? v : NO;
    default:
      return v;
  }
}

