// Helpers shared by the sprig function groups: sprig's strval/strslice and spf13/cast's
// conversions (which sprig's arithmetic runs every argument through).

import { formatValue } from '../fmt.js';
import { parseGoFloat, parseGoInt } from '../strconv.js';
import {
  type FuncDef, GoCallError, GoFloat, GoInt, GoMap, GoObject, GoSlice, type GoValue, type ParamType, kindName, typeName,
} from '../value.js';

export const fail = (msg: string): never => {
  throw new GoCallError(msg);
};

/** A Go nil-pointer dereference, which sprig's reflect.TypeOf(nil).Kind() calls produce. */
export const NIL_DEREF = 'runtime error: invalid memory address or nil pointer dereference';

/** Shorthand for a function definition. Sprig functions never see interface slots (Iface). */
export function def(params: ParamType[], fn: (...args: GoValue[]) => GoValue, variadic?: ParamType): FuncDef {
  const f = fn as FuncDef['fn'];
  return variadic ? { params, variadic, fn: f } : { params, fn: f };
}

/** sprig's strval: strings as is, Stringers via String(), everything else with %v. */
export function strval(v: GoValue): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '<nil>';
  if (v instanceof GoSlice && v.elem === 'uint8') return new TextDecoder().decode(Uint8Array.from(v.items.map((b) => Number((b as GoInt).v))));
  if (v instanceof GoObject) return v.str();
  return formatValue(v);
}

/** sprig's strslice: a list's non-nil elements as strings; a scalar as a one-element list. */
export function strslice(v: GoValue): string[] {
  if (v instanceof GoSlice) {
    if (v.elem === 'string') return v.items as string[];
    return v.items.filter((x) => x !== null && x !== undefined).map(strval);
  }
  if (v === undefined || v === null) return [];
  return [strval(v)];
}

/** Go's int64(f) for a float (truncation; out-of-range values give the x86 sentinel). */
export function floatToInt64(f: number): bigint {
  if (!Number.isFinite(f) || Math.abs(f) >= 2 ** 63) return -(1n << 63n);
  return BigInt(Math.trunc(f));
}

/** cast's trimZeroDecimal: "1.00" → "1". */
function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === '.') {
      if (foundZero) return s.slice(0, i - 1);
    } else if (c === '0') foundZero = true;
    else return s;
  }
  return s;
}

/** cast.ToInt64: numbers truncate, numeric strings parse (base prefixes allowed), bools are 0/1, the rest 0. */
export function toInt64(v: GoValue): bigint {
  if (v instanceof GoInt) return BigInt.asIntN(64, v.v);
  if (v instanceof GoFloat) return floatToInt64(v.v);
  if (typeof v === 'string') return parseGoInt(trimZeroDecimal(v)) ?? 0n;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  return 0n;
}

/** cast.ToFloat64. */
export function toFloat64(v: GoValue): number {
  if (v instanceof GoInt) return Number(v.v);
  if (v instanceof GoFloat) return v.v;
  if (typeof v === 'string') {
    // strconv.ParseFloat rejects what Go's syntax rejects; hex floats and underscores are fine.
    return parseGoFloat(v) ?? 0;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  return 0;
}

export const int = (n: number | bigint): GoInt => new GoInt(n);
export const int64 = (n: number | bigint): GoInt => new GoInt(n, 'int64');
export const float = (n: number): GoFloat => new GoFloat(n);
export const list = (items: GoValue[]): GoSlice => new GoSlice(items);
export const strings = (items: string[]): GoSlice => new GoSlice(items, 'string');

/** A GoValue's items when it is a slice; otherwise the panic sprig's list functions raise. */
export function listItems(v: GoValue, what: (kind: string) => string): GoValue[] {
  if (v === undefined || v === null) fail(NIL_DEREF);
  if (v instanceof GoSlice) return v.items.map((x) => (x === undefined ? null : x));
  return fail(what(kindName(v) === 'ptr' ? 'ptr' : kindName(v)));
}

/** The map argument of dict functions (already converted by the executor). */
export function asMap(v: GoValue): GoMap {
  return v instanceof GoMap ? v : new GoMap();
}

export { typeName, kindName };
