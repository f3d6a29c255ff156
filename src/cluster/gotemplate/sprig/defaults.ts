// sprig's defaults.go and reflect.go: default/empty/coalesce/ternary, JSON, deepCopy and the
// reflection helpers (typeOf prints Go's %T, kindOf reflect's Kind names).

import { type FuncDef, GoFloat, GoFuncValue, GoInt, GoMap, GoSlice, type GoValue, deepEqual, kindName, typeName } from '../value.js';
import { fromJson, toJson } from './json.js';
import { def, fail } from './util.js';

/** copystructure panics like this on a nil interface. */
const ZERO_VALUE_TYPE = 'reflect: call of reflect.Value.Type on zero Value';

/** sprig's empty() and mergo's isEmptyValue: zero values and empty containers are empty; structs never are. */
export function isEmpty(v: GoValue): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'string') return v.length === 0;
  if (typeof v === 'boolean') return !v;
  if (v instanceof GoInt) return v.v === 0n;
  if (v instanceof GoFloat) return v.v === 0;
  if (v instanceof GoSlice) return v.items.length === 0;
  if (v instanceof GoMap) return v.entries.size === 0;
  return false;
}

export function deepCopy(v: GoValue): GoValue {
  if (v instanceof GoSlice) return new GoSlice(v.items.map(deepCopy), v.elem);
  if (v instanceof GoMap) return new GoMap(new Map([...v.entries].map(([k, x]) => [k, deepCopy(x)])), v.elem);
  return v;
}

/** os.ExpandEnv: $VAR and ${VAR}. */
function expandEnv(s: string): string {
  return s.replace(/\$(\{([^}]*)\}|([A-Za-z0-9_]+)|([*#$@!?\-0-9]))/g, (_m, _a, braced, plain, special) => {
    const name = braced ?? plain ?? special;
    return process.env[name] ?? '';
  });
}

export const defaultFuncs: Record<string, FuncDef> = {
  default: def(['any'], (d, ...given) => (given.length === 0 || isEmpty(given[0]) ? d : given[0]), 'any'),
  empty: def(['any'], (v) => isEmpty(v)),
  coalesce: def([], (...vs) => vs.find((v) => !isEmpty(v)) ?? null, 'any'),
  all: def([], (...vs) => vs.every((v) => !isEmpty(v)), 'any'),
  any: def([], (...vs) => vs.some((v) => !isEmpty(v)), 'any'),
  fromJson: def(['string'], (s) => {
    const r = fromJson(s as string);
    return 'error' in r ? null : r.value;
  }),
  mustFromJson: def(['string'], (s) => {
    const r = fromJson(s as string);
    return 'error' in r ? fail(r.error) : r.value;
  }),
  toJson: def(['any'], (v) => toJson(v, { html: true }) ?? ''),
  mustToJson: def(['any'], (v) => toJson(v, { html: true }) ?? fail(`json: unsupported value: ${String(v)}`)),
  toPrettyJson: def(['any'], (v) => toJson(v, { html: true, indent: '  ' }) ?? ''),
  mustToPrettyJson: def(['any'], (v) => toJson(v, { html: true, indent: '  ' }) ?? fail(`json: unsupported value`)),
  toRawJson: def(['any'], (v) => toJson(v, { html: false }) ?? fail('json: unsupported value')),
  mustToRawJson: def(['any'], (v) => toJson(v, { html: false }) ?? fail('json: unsupported value')),
  ternary: def(['any', 'any', 'bool'], (vt, vf, c) => (c ? vt : vf)),
  deepCopy: def(['any'], (v) => (v === null || v === undefined ? fail(ZERO_VALUE_TYPE) : deepCopy(v))),
  mustDeepCopy: def(['any'], (v) => (v === null || v === undefined ? fail(ZERO_VALUE_TYPE) : deepCopy(v))),
  typeOf: def(['any'], (v) => typeName(v)),
  typeIs: def(['string', 'any'], (t, v) => t === typeName(v)),
  typeIsLike: def(['string', 'any'], (t, v) => t === typeName(v) || '*' + (t as string) === typeName(v)),
  kindOf: def(['any'], (v) => (v instanceof GoFuncValue ? 'func' : kindName(v))),
  kindIs: def(['string', 'any'], (t, v) => t === kindName(v)),
  deepEqual: def(['any', 'any'], (a, b) => deepEqual(a, b)),
  env: def(['string'], (k) => process.env[k as string] ?? ''),
  expandenv: def(['string'], (s) => expandEnv(s as string)),
};
