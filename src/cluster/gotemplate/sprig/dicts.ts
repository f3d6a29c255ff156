// sprig's dict functions (dict.go). Maps are map[string]interface {} and, as in Go, references:
// set/unset/merge mutate their first argument. `keys`/`values` return key order (Go's is random).

import { type FuncDef, GoFloat, GoInt, GoMap, GoSlice, type GoValue, NIL_MAP } from '../value.js';
import { asMap, def, fail, list, strings, strval } from './util.js';
import { isEmpty } from './defaults.js';

function dict(...v: GoValue[]): GoMap {
  const m = new GoMap();
  for (let i = 0; i < v.length; i += 2) {
    const key = strval(v[i]);
    m.entries.set(key, i + 1 >= v.length ? '' : v[i + 1] ?? null);
  }
  return m;
}

/** mergo.Merge / MergeWithOverwrite of src into dst for map[string]interface {} values. */
export function mergeInto(dst: GoMap, src: GoMap, overwrite: boolean): void {
  for (const [key, se] of src.entries) {
    const hasDst = dst.entries.has(key);
    const de = dst.entries.get(key);
    if (se === null || se === undefined) {
      if (overwrite) dst.entries.set(key, null);
      continue;
    }
    if (se instanceof GoMap && de instanceof GoMap) mergeInto(de, se, overwrite);
    if (se instanceof GoSlice && overwrite) dst.entries.set(key, se);
    const srcIsContainer = se instanceof GoMap || se instanceof GoSlice;
    if (hasDst && !isEmpty(de) && srcIsContainer) continue;
    if (overwrite || !hasDst || isEmpty(de)) dst.entries.set(key, se);
  }
}

function merge(overwrite: boolean) {
  return (dst: GoValue, ...srcs: GoValue[]): GoValue => {
    // mergo replaces a nil destination map with a new one.
    const d = dst === NIL_MAP || !(dst instanceof GoMap) ? new GoMap() : dst;
    for (const s of srcs) mergeInto(d, asMap(s), overwrite);
    return d;
  };
}

export const dictFuncs: Record<string, FuncDef> = {
  dict: def([], dict, 'any'),
  get: def(['map', 'string'], (d, k) => (asMap(d).entries.has(k as string) ? asMap(d).entries.get(k as string) ?? null : '')),
  set: def(['map', 'string', 'any'], (d, k, v) => {
    if (d === NIL_MAP) fail('assignment to entry in nil map');
    asMap(d).entries.set(k as string, v ?? null);
    return d;
  }),
  unset: def(['map', 'string'], (d, k) => {
    asMap(d).entries.delete(k as string);
    return d;
  }),
  hasKey: def(['map', 'string'], (d, k) => asMap(d).entries.has(k as string)),
  pluck: def(['string'], (k, ...ds) => list(ds.filter((d) => asMap(d).entries.has(k as string)).map((d) => asMap(d).entries.get(k as string) ?? null)), 'map'),
  keys: def([], (...ds) => strings(ds.flatMap((d) => asMap(d).sortedKeys())), 'map'),
  pick: def(['map'], (d, ...ks) => {
    const out = new GoMap();
    for (const k of ks as string[]) if (asMap(d).entries.has(k)) out.entries.set(k, asMap(d).entries.get(k) ?? null);
    return out;
  }, 'string'),
  omit: def(['map'], (d, ...ks) => {
    const out = new GoMap();
    for (const [k, v] of asMap(d).entries) if (!(ks as string[]).includes(k)) out.entries.set(k, v);
    return out;
  }, 'string'),
  merge: def(['map'], merge(false), 'map'),
  mustMerge: def(['map'], merge(false), 'map'),
  mergeOverwrite: def(['map'], merge(true), 'map'),
  mustMergeOverwrite: def(['map'], merge(true), 'map'),
  values: def(['map'], (d) => list(asMap(d).sortedKeys().map((k) => asMap(d).entries.get(k) ?? null))),
};
