// sprig's list functions (list.go, numeric.go's until/untilStep/seq). Results are
// `[]interface {}` unless sprig returns a typed slice (`until` → `[]int`, `sortAlpha` → `[]string`).

import { type FuncDef, GoInt, GoMap, GoSlice, type GoValue, compareGoStrings, deepEqual, kindName, typeName } from '../value.js';
import { NIL_DEREF, def, fail, int, list, listItems, strings, strslice, strval, toInt64 } from './util.js';
import { isEmpty } from './defaults.js';

const n = (v: GoValue): number => Number((v as GoInt).v);
const big = (v: GoValue): bigint => (v as GoInt).v;

/** untilStep over Go ints (int64 arithmetic); guarded against runaway sizes. */
export function untilStep(start: bigint, stop: bigint, step: bigint): bigint[] {
  const v: bigint[] = [];
  const limit = 10_000_000;
  const next = (i: bigint): bigint => BigInt.asIntN(64, i + step);
  if (stop < start) {
    if (step >= 0n) return v;
    for (let i = start; i > stop; i = next(i)) if (v.push(i) > limit) fail('until: too many elements');
    return v;
  }
  if (step <= 0n) return v;
  for (let i = start; i < stop; i = next(i)) {
    if (v.push(i) > limit) fail('until: too many elements');
    if (next(i) < i) break; // wrapped around
  }
  return v;
}

const ints = (xs: bigint[]): GoSlice => new GoSlice(xs.map((x) => int(x)), 'int');

function seq(...params: GoValue[]): string {
  const p = params.map((x) => (x as GoInt).v);
  const str = (xs: bigint[]): string => xs.join(' ');
  const plus = (a: bigint, b: bigint): bigint => BigInt.asIntN(64, a + b);
  switch (p.length) {
    case 0:
      return '';
    case 1: {
      const end = p[0]!;
      const inc = end < 1n ? -1n : 1n;
      return str(untilStep(1n, plus(end, inc), inc));
    }
    case 2: {
      const [start, end] = p as [bigint, bigint];
      const step = end < start ? -1n : 1n;
      return str(untilStep(start, plus(end, step), step));
    }
    case 3: {
      const [start, step, end] = p as [bigint, bigint, bigint];
      let inc = 1n;
      if (end < start) {
        inc = -1n;
        if (step > 0n) return '';
      }
      return str(untilStep(start, plus(end, inc), step));
    }
    default:
      return '';
  }
}

/** The panic/error text sprig raises for a non-list argument. */
const cannot = (what: string) => (kind: string) => `Cannot ${what} type ${kind}`;

function push(l: GoValue, v: GoValue): GoSlice {
  return list([...listItems(l, cannot('push on')), v ?? null]);
}
function prepend(l: GoValue, v: GoValue): GoSlice {
  return list([v ?? null, ...listItems(l, cannot('prepend on'))]);
}
function chunk(size: number, l: GoValue): GoSlice {
  const items = listItems(l, cannot('chunk'));
  if (size <= 0) fail('runtime error: makeslice: len out of range');
  const out: GoValue[] = [];
  for (let i = 0; i < items.length; i += size) out.push(list(items.slice(i, i + size)));
  return new GoSlice(out, '[]interface {}');
}
function first(l: GoValue): GoValue {
  const items = listItems(l, cannot('find first on'));
  return items.length ? items[0] : undefined;
}
function last(l: GoValue): GoValue {
  const items = listItems(l, cannot('find last on'));
  return items.length ? items[items.length - 1] : undefined;
}
function rest(l: GoValue): GoSlice {
  return list(listItems(l, cannot('find rest on')).slice(1));
}
function initial(l: GoValue): GoSlice {
  return list(listItems(l, cannot('find initial on')).slice(0, -1));
}
function reverse(l: GoValue): GoSlice {
  return list([...listItems(l, cannot('find reverse on'))].reverse());
}
function compact(l: GoValue): GoSlice {
  return list(listItems(l, cannot('compact on')).filter((x) => !isEmpty(x)));
}
function uniq(l: GoValue): GoSlice {
  const out: GoValue[] = [];
  for (const x of listItems(l, cannot('find uniq on'))) if (!out.some((y) => deepEqual(x, y))) out.push(x);
  return list(out);
}
function without(l: GoValue, ...omit: GoValue[]): GoSlice {
  return list(listItems(l, cannot('find without on')).filter((x) => !omit.some((o) => deepEqual(x, o))));
}
function has(needle: GoValue, haystack: GoValue): boolean {
  if (haystack === null || haystack === undefined) return false;
  return listItems(haystack, cannot('find has on')).some((x) => deepEqual(needle, x));
}
function slice(l: GoValue, ...indices: GoValue[]): GoValue {
  const items = listItems(l, (k) => `list should be type of slice or array but ${k}`);
  if (items.length === 0) return undefined;
  const start = indices.length > 0 ? Number(toInt64(indices[0])) : 0;
  const end = indices.length > 1 ? Number(toInt64(indices[1])) : items.length;
  if (start < 0 || end < start || end > items.length) fail('reflect.Value.Slice: slice index out of bounds');
  return new GoSlice(items.slice(start, end), (l as GoSlice).elem);
}
function concat(...lists: GoValue[]): GoSlice {
  const out: GoValue[] = [];
  for (const l of lists) {
    if (l === null || l === undefined) fail(NIL_DEREF);
    if (!(l instanceof GoSlice)) fail(`Cannot concat type ${kindName(l)} as list`);
    out.push(...(l as GoSlice).items);
  }
  return list(out);
}
function sortAlpha(l: GoValue): GoSlice {
  if (l instanceof GoSlice) return strings([...strslice(l)].sort(compareGoStrings));
  return strings([strval(l)]);
}
function dig(...ps: GoValue[]): GoValue {
  if (ps.length < 3) fail('dig needs at least three arguments');
  const dict = ps[ps.length - 1];
  const dflt = ps[ps.length - 2];
  if (!(dict instanceof GoMap) || dict.elem !== 'interface {}') {
    fail(`interface conversion: interface {} is ${dict === null || dict === undefined ? 'nil' : typeName(dict)}, not map[string]interface {}`);
  }
  const keys = ps.slice(0, -2).map((k) => {
    if (typeof k !== 'string') fail(`interface conversion: interface {} is ${k === null || k === undefined ? 'nil' : typeName(k)}, not string`);
    return k as string;
  });
  let cur: GoValue = dict;
  for (let i = 0; i < keys.length; i++) {
    if (!(cur instanceof GoMap) || cur.elem !== 'interface {}') {
      fail(`interface conversion: interface {} is ${cur === null || cur === undefined ? 'nil' : typeName(cur)}, not map[string]interface {}`);
    }
    const m = cur as GoMap;
    if (!m.entries.has(keys[i]!)) return dflt;
    cur = m.entries.get(keys[i]!);
  }
  return cur;
}

/** must* variants return the error instead of panicking; the message is the same. */
const both = (name: string, d: FuncDef): Record<string, FuncDef> => ({
  [name]: d,
  ['must' + name[0]!.toUpperCase() + name.slice(1)]: d,
});

export const listFuncs: Record<string, FuncDef> = {
  list: def([], (...a) => list(a.map((x) => x ?? null)), 'any'),
  tuple: def([], (...a) => list(a.map((x) => x ?? null)), 'any'),
  until: def(['int'], (c) => ints(untilStep(0n, big(c), big(c) < 0n ? -1n : 1n))),
  untilStep: def(['int', 'int', 'int'], (a, b, c) => ints(untilStep(big(a), big(b), big(c)))),
  seq: def([], seq, 'int'),
  append: def(['any', 'any'], push),
  push: def(['any', 'any'], push),
  mustAppend: def(['any', 'any'], push),
  mustPush: def(['any', 'any'], push),
  ...both('prepend', def(['any', 'any'], prepend)),
  ...both('chunk', def(['int', 'any'], (s, l) => chunk(n(s), l))),
  ...both('first', def(['any'], first)),
  ...both('last', def(['any'], last)),
  ...both('rest', def(['any'], rest)),
  ...both('initial', def(['any'], initial)),
  ...both('reverse', def(['any'], reverse)),
  ...both('compact', def(['any'], compact)),
  ...both('uniq', def(['any'], uniq)),
  ...both('without', def(['any'], without, 'any')),
  ...both('has', def(['any', 'any'], has)),
  ...both('slice', def(['any'], slice, 'any')),
  concat: def([], concat, 'any'),
  sortAlpha: def(['any'], sortAlpha),
  dig: def([], dig, 'any'),
};
