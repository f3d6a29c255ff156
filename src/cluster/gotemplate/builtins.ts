// Go text/template's predefined functions. `and`/`or` are evaluated lazily by the executor (Go
// 1.18+ short-circuits); their entries here only carry the signature.

import { sprint, sprintf, sprintln, formatValue, isPrintRune } from './fmt.js';
import {
  type FuncDef, GoCallError, GoFloat, GoFuncValue, GoInt, GoMap, GoObject, GoSlice, type GoValue, Iface, type XValue,
  byteLength, compareGoStrings, isTrue, slotValue, typeName, unwrap, utf8Bytes,
} from './value.js';

const fail = (msg: string): never => {
  throw new GoCallError(msg);
};

/** reflect's indirect(): through interface slots, reporting a nil one. */
function indirect(x: XValue): { v: GoValue; isNil: boolean } {
  if (x instanceof Iface) return x.v === null ? { v: null, isNil: true } : { v: x.v, isNil: false };
  return { v: x, isNil: false };
}

export const truth = (x: XValue): boolean => isTrue(unwrap(x));

function length(item: XValue): XValue {
  const { v, isNil } = indirect(item);
  if (isNil) fail('len of nil pointer');
  if (v === undefined || v === null) fail('reflect: call of reflect.Value.Type on zero Value');
  if (typeof v === 'string') return new GoInt(byteLength(v));
  if (v instanceof GoSlice) return new GoInt(v.items.length);
  if (v instanceof GoMap) return new GoInt(v.entries.size);
  return fail(`len of type ${typeName(v)}`);
}

function indexArg(index: GoValue, cap: number): number {
  if (index instanceof GoInt) {
    const x = index.v;
    if (x < 0n || x > BigInt(cap)) fail(`index out of range: ${x}`);
    return Number(x);
  }
  if (index === undefined || index === null) fail('cannot index slice/array with nil');
  return fail(`cannot index slice/array with type ${typeName(index)}`);
}

function index(item0: XValue, ...indexes: XValue[]): XValue {
  let item: XValue = unwrap(item0);
  if (item === undefined) fail('index of untyped nil');
  for (const ix of indexes) {
    const index = unwrap(ix);
    const { v, isNil } = indirect(item);
    if (isNil) fail('index of nil pointer');
    if (typeof v === 'string') {
      const bytes = utf8Bytes(v);
      const x = indexArg(index, bytes.length);
      if (x >= bytes.length) fail('reflect: string index out of range');
      item = new GoInt(bytes[x]!, 'uint8');
    } else if (v instanceof GoSlice) {
      const x = indexArg(index, v.items.length);
      if (x >= v.items.length) fail('reflect: slice index out of range');
      item = slotValue(v.items[x], v.elem);
    } else if (v instanceof GoMap) {
      if (index === undefined || index === null) return fail('value is nil; should be of type string');
      if (typeof index !== 'string') return fail(`value has type ${typeName(index)}; should be string`);
      item = v.entries.has(index) ? slotValue(v.entries.get(index), v.elem) : zeroOf(v.elem);
    } else {
      fail(`can't index item of type ${typeName(v)}`);
    }
  }
  return item;
}

/** reflect.Zero of an element type, as `index` returns for a missing map key. */
export function zeroOf(elem: string): XValue {
  switch (elem) {
    case 'interface {}':
      return new Iface(null);
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'float64':
      return new GoFloat(0);
  }
  if (/^u?int(8|16|32|64)?$/.test(elem)) return new GoInt(0, elem as GoInt['kind']);
  if (elem.startsWith('[]')) return new GoSlice([], elem.slice(2));
  if (elem.startsWith('map[string]')) return new GoMap(new Map(), elem.slice('map[string]'.length));
  return undefined;
}

function slice(item0: XValue, ...indexes: XValue[]): XValue {
  const item = unwrap(item0);
  if (item === undefined) fail('slice of untyped nil');
  if (indexes.length > 3) fail(`too many slice indexes: ${indexes.length}`);
  let len: number;
  if (typeof item === 'string') {
    if (indexes.length === 3) fail('cannot 3-index slice a string');
    len = byteLength(item);
  } else if (item instanceof GoSlice) len = item.items.length;
  else return fail(`can't slice item of type ${typeName(item)}`);
  const idx = [0, len, len];
  indexes.forEach((x, i) => {
    idx[i] = indexArg(unwrap(x), len);
  });
  if (idx[0]! > idx[1]!) fail(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1]! > idx[2]!) fail(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (typeof item === 'string') return new TextDecoder().decode(utf8Bytes(item).slice(idx[0], idx[1]));
  return new GoSlice(item.items.slice(idx[0], idx[1]), item.elem);
}

// ---- comparison -------------------------------------------------------------------------------

type BasicKind = 'bool' | 'int' | 'uint' | 'float' | 'string' | 'invalid';

function basicKind(v: GoValue): BasicKind {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  if (v instanceof GoInt) return v.unsigned ? 'uint' : 'int';
  if (v instanceof GoFloat) return 'float';
  return 'invalid';
}

const errBadComparisonType = 'invalid type for comparison';
const errBadComparison = 'incompatible types for comparison';

/** reflect Kind names, for deciding comparability of non-basic values. */
function reflectKind(v: GoValue): string {
  if (v === undefined || v === null) return 'invalid';
  if (v instanceof GoSlice) return 'slice';
  if (v instanceof GoMap) return 'map';
  if (v instanceof GoFuncValue) return 'func';
  if (v instanceof GoObject) return v.kind;
  return basicKind(v);
}

function eq(a1: XValue, ...rest: XValue[]): XValue {
  const arg1 = unwrap(a1);
  if (rest.length === 0) fail('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const a of rest) {
    const arg = unwrap(a);
    const k2 = basicKind(arg);
    let t = false;
    if (k1 !== k2) {
      if (k1 === 'int' && k2 === 'uint') t = (arg1 as GoInt).v >= 0n && (arg1 as GoInt).v === (arg as GoInt).v;
      else if (k1 === 'uint' && k2 === 'int') t = (arg as GoInt).v >= 0n && (arg1 as GoInt).v === (arg as GoInt).v;
      else if (arg1 !== undefined && arg !== undefined) fail(errBadComparison);
    } else {
      switch (k1) {
        case 'bool':
        case 'string':
          t = arg1 === arg;
          break;
        case 'int':
        case 'uint':
          t = (arg1 as GoInt).v === (arg as GoInt).v;
          break;
        case 'float':
          t = (arg1 as GoFloat).v === (arg as GoFloat).v;
          break;
        default: {
          const ka = reflectKind(arg1);
          const kb = reflectKind(arg);
          if (ka !== kb && ka !== 'invalid' && kb !== 'invalid') {
            fail(`non-comparable types ${sprintf('%s', [arg1])}: ${typeName(arg1)}, ${typeName(arg)}: ${formatValue(arg)}`);
          }
          const nil1 = arg1 === undefined || arg1 === null;
          const nil2 = arg === undefined || arg === null;
          if (nil1 || nil2) t = nil1 === nil2;
          else if (kb === 'slice' || kb === 'map' || kb === 'func') {
            fail(`non-comparable type ${sprintf('%s', [arg])}: ${typeName(arg)}`);
          } else t = arg1 === arg;
        }
      }
    }
    if (t) return true;
  }
  return false;
}

function lt(a1: XValue, a2: XValue): boolean {
  const arg1 = unwrap(a1);
  const arg2 = unwrap(a2);
  const k1 = basicKind(arg1);
  if (k1 === 'invalid') fail(errBadComparisonType);
  const k2 = basicKind(arg2);
  if (k2 === 'invalid') fail(errBadComparisonType);
  if (k1 !== k2) {
    if (k1 === 'int' && k2 === 'uint') return (arg1 as GoInt).v < 0n || (arg1 as GoInt).v < (arg2 as GoInt).v;
    if (k1 === 'uint' && k2 === 'int') return (arg2 as GoInt).v >= 0n && (arg1 as GoInt).v < (arg2 as GoInt).v;
    return fail(errBadComparison);
  }
  switch (k1) {
    case 'bool':
      return fail(errBadComparisonType);
    case 'float':
      return (arg1 as GoFloat).v < (arg2 as GoFloat).v;
    case 'string':
      return compareGoStrings(arg1 as string, arg2 as string) < 0;
    default:
      return (arg1 as GoInt).v < (arg2 as GoInt).v;
  }
}

const le = (a: XValue, b: XValue): boolean => lt(a, b) || (eq(a, b) as boolean);

// ---- escaping ---------------------------------------------------------------------------------

/** text/template's evalArgs: a single string as is, else fmt.Sprint of the arguments. */
function evalArgs(args: XValue[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  // printableValue turns a nil argument into the string "<no value>" before fmt sees it.
  return sprint(args.map((a) => unwrap(a) ?? '<no value>'));
}

export function htmlEscape(s: string): string {
  return s.replace(/["'&<>\0]/g, (c) => ({ '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;', '\0': '\uFFFD' })[c]!);
}

export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '\\': out += '\\\\'; continue;
      case "'": out += "\\'"; continue;
      case '"': out += '\\"'; continue;
      case '<': out += '\\u003C'; continue;
      case '>': out += '\\u003E'; continue;
      case '&': out += '\\u0026'; continue;
      case '=': out += '\\u003D'; continue;
    }
    if (cp < 0x20) out += '\\u00' + cp.toString(16).toUpperCase().padStart(2, '0');
    else if (cp < 0x80 || isPrintRune(cp)) out += ch;
    else out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of utf8Bytes(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

// ---- call -------------------------------------------------------------------------------------

function call(fn0: XValue, ...args: XValue[]): XValue {
  const fn = unwrap(fn0);
  if (fn === undefined) fail('call of nil');
  if (!(fn instanceof GoFuncValue)) return fail(`non-function of type ${typeName(fn)}`);
  const def = fn.def;
  const numIn = def.params.length;
  if (def.variadic) {
    if (args.length < numIn) fail(`wrong number of args: got ${args.length} want at least ${numIn}`);
  } else if (args.length !== numIn) fail(`wrong number of args: got ${args.length} want ${numIn}`);
  return def.fn(...args.map(unwrap));
}

// -------------------------------------------------------------------------------------------------

export const builtinFuncs: Record<string, FuncDef> = {
  and: { params: ['value'], variadic: 'value', fn: () => undefined },
  or: { params: ['value'], variadic: 'value', fn: () => undefined },
  not: { params: ['value'], fn: (a) => !truth(a) },
  len: { params: ['value'], fn: length },
  index: { params: ['value'], variadic: 'value', fn: index },
  slice: { params: ['value'], variadic: 'value', fn: slice },
  eq: { params: ['value'], variadic: 'value', fn: eq },
  ne: { params: ['value', 'value'], fn: (a, b) => !eq(a, b) },
  lt: { params: ['value', 'value'], fn: lt },
  le: { params: ['value', 'value'], fn: le },
  gt: { params: ['value', 'value'], fn: (a, b) => !le(a, b) },
  ge: { params: ['value', 'value'], fn: (a, b) => !lt(a, b) },
  print: { params: [], variadic: 'any', fn: (...a) => sprint(a.map(unwrap)) },
  printf: { params: ['string'], variadic: 'any', fn: (f, ...a) => sprintf(f as string, a.map(unwrap)) },
  println: { params: [], variadic: 'any', fn: (...a) => sprintln(a.map(unwrap)) },
  html: { params: [], variadic: 'any', fn: (...a) => htmlEscape(evalArgs(a)) },
  js: { params: [], variadic: 'any', fn: (...a) => jsEscape(evalArgs(a)) },
  urlquery: { params: [], variadic: 'any', fn: (...a) => queryEscape(evalArgs(a)) },
  call: { params: ['value'], variadic: 'value', fn: call },
};
