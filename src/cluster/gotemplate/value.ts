// The engine's model of Go values.
//
// Go templates observe types that JavaScript erases: `div 7 2` is an int64 `3`, `until` returns
// `[]int`, yaml.v2 keeps `1` an int and `1.0` a float64, `kindOf` prints reflect kind names.
// Every value the executor handles is therefore one of:
//
//   undefined        Go's invalid reflect.Value: a missing map key, a nil interface after a
//                    pipeline step. Prints `<no value>` from an action.
//   null             a nil interface{} still sitting in a container slot (a YAML `~`, a nil list
//                    element). Prints `<nil>` through fmt; a pipeline step turns it into undefined.
//   string, boolean  Go string and bool.
//   GoInt, GoFloat   numbers tagged with their Go type (int, int64, uint8, float64 ...).
//   GoSlice, GoMap   containers tagged with their element type; map keys are always strings here,
//                    which is all YAML values (keys stringified like nvkind does) and sprig produce.
//   GoFuncValue      a function stored in data (for the `call` builtin).
//   GoObject         an opaque Go object with methods (e.g. sprig's *semver.Version).

export type IntKind = 'int' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'uintptr';
export type FloatKind = 'float64' | 'float32';

export class GoInt {
  readonly v: bigint;
  constructor(v: bigint | number, readonly kind: IntKind = 'int') {
    this.v = typeof v === 'bigint' ? wrapInt(v, kind) : wrapInt(BigInt(Math.trunc(v)), kind);
  }
  toNumber(): number {
    return Number(this.v);
  }
  get unsigned(): boolean {
    return this.kind.startsWith('u');
  }
}

export class GoFloat {
  constructor(readonly v: number, readonly kind: FloatKind = 'float64') {}
}

export class GoSlice {
  /** `elem` is the Go element type, e.g. `interface {}`, `int`, `string`, `[]interface {}`. */
  constructor(readonly items: GoValue[], readonly elem: string = 'interface {}') {}
  get length(): number {
    return this.items.length;
  }
}

export class GoMap {
  /** Go maps are unordered; anything that iterates sorts keys (as fmt and range do). */
  constructor(readonly entries: Map<string, GoValue> = new Map(), readonly elem: string = 'interface {}') {}
  get size(): number {
    return this.entries.size;
  }
  sortedKeys(): string[] {
    return [...this.entries.keys()].sort(compareGoStrings);
  }
}

/** A nil map[string]interface {} (a missing value passed where a map is expected): reads see it empty, writes panic. */
export const NIL_MAP: GoMap = new GoMap();

/** A Go function value: parameters as declared, result as returned. */
export class GoFuncValue {
  constructor(readonly def: FuncDef, readonly typeName: string = 'func(...interface {}) interface {}') {}
}

/** An opaque Go pointer/struct with methods, e.g. `*semver.Version`. */
export class GoObject {
  constructor(
    readonly typeName: string,
    readonly methods: Record<string, FuncDef>,
    /** fmt's %v of the object (Go calls String() on a fmt.Stringer). */
    readonly str: () => string,
    readonly json?: () => GoValue,
    readonly kind: 'ptr' | 'struct' = 'ptr',
  ) {}
}

export type GoValue = undefined | null | string | boolean | GoInt | GoFloat | GoSlice | GoMap | GoFuncValue | GoObject;

// ---------------------------------------------------------------------------------------------
// Function signatures. Go's executor converts each argument to the declared parameter type and
// rejects what does not fit ("wrong type for value; expected string; got int"), so every function
// carries a small signature.

/**
 * `any` = interface{}; `value` = reflect.Value (the builtins: they see missing vs nil);
 * `map` = map[string]interface {}; numbers and strings as in Go.
 */
export type ParamType = 'any' | 'value' | 'string' | 'bool' | 'int' | 'int64' | 'float64' | 'map';

export interface FuncDef {
  params: ParamType[];
  /** Type of each element of a trailing `...T` parameter. */
  variadic?: ParamType;
  /** Receives converted arguments; only `value` parameters can receive an Iface. */
  fn(...args: XValue[]): XValue;
}

/** Thrown by a function body; the executor reports it as `error calling NAME: MESSAGE`. */
export class GoCallError extends Error {}

// ---------------------------------------------------------------------------------------------
// Constructors and conversions.

const INT_BITS: Record<IntKind, number> = {
  int: 64, int8: 8, int16: 16, int32: 32, int64: 64,
  uint: 64, uint8: 8, uint16: 16, uint32: 32, uint64: 64, uintptr: 64,
};

/** Go integer arithmetic wraps around; keep values inside their type's range. */
export function wrapInt(v: bigint, kind: IntKind): bigint {
  const bits = INT_BITS[kind];
  return kind.startsWith('u') ? BigInt.asUintN(bits, v) : BigInt.asIntN(bits, v);
}

export const goInt = (v: number | bigint, kind: IntKind = 'int'): GoInt => new GoInt(v, kind);
export const goInt64 = (v: number | bigint): GoInt => new GoInt(v, 'int64');
export const goFloat = (v: number): GoFloat => new GoFloat(v);
export const goList = (items: GoValue[], elem = 'interface {}'): GoSlice => new GoSlice(items, elem);
export function goMap(obj: Record<string, GoValue> | Map<string, GoValue> = {}, elem = 'interface {}'): GoMap {
  return new GoMap(obj instanceof Map ? new Map(obj) : new Map(Object.entries(obj)), elem);
}

/**
 * Converts a plain JavaScript value (JSON-like data, a function's result) into the model:
 * integral numbers become Go `int`, other numbers `float64`, bigints `int64`, arrays
 * `[]interface {}`, plain objects and Maps `map[string]interface {}`, functions `func`.
 * Values already in the model pass through.
 */
export function toGo(x: unknown): GoValue {
  if (x === undefined) return undefined;
  if (x === null) return null;
  switch (typeof x) {
    case 'string':
    case 'boolean':
      return x;
    case 'number':
      return Number.isInteger(x) ? new GoInt(x) : new GoFloat(x);
    case 'bigint':
      return new GoInt(x, 'int64');
    case 'function':
      return new GoFuncValue(jsFunc(x as (...a: GoValue[]) => unknown));
  }
  if (isGoValue(x)) return x;
  if (Array.isArray(x)) return new GoSlice(x.map((e) => toGoElem(e)));
  if (x instanceof Map) {
    const m = new Map<string, GoValue>();
    for (const [k, v] of x) m.set(String(k), toGoElem(v));
    return new GoMap(m);
  }
  if (x instanceof Date) return x.toISOString();
  const m = new Map<string, GoValue>();
  for (const [k, v] of Object.entries(x as object)) m.set(k, toGoElem(v));
  return new GoMap(m);
}

/** Inside a container an absent value is a nil interface, not an invalid value. */
function toGoElem(x: unknown): GoValue {
  const v = toGo(x);
  return v === undefined ? null : v;
}

/** Wraps a plain JS function (all parameters interface{}) as a FuncDef. */
export function jsFunc(f: (...a: GoValue[]) => unknown): FuncDef {
  return { params: [], variadic: 'any', fn: (...a) => toGo(f(...(a as GoValue[]))) };
}

export function isGoValue(x: unknown): x is GoValue {
  return (
    x === undefined || x === null || typeof x === 'string' || typeof x === 'boolean' ||
    x instanceof GoInt || x instanceof GoFloat || x instanceof GoSlice || x instanceof GoMap ||
    x instanceof GoFuncValue || x instanceof GoObject
  );
}

/** Converts a model value back to plain JavaScript (ints as numbers, or bigints beyond 2^53). */
export function toJS(v: GoValue): unknown {
  if (v === undefined || v === null) return null;
  if (v instanceof GoInt) {
    const n = Number(v.v);
    return Number.isSafeInteger(n) ? n : v.v;
  }
  if (v instanceof GoFloat) return v.v;
  if (v instanceof GoSlice) return v.items.map(toJS);
  if (v instanceof GoMap) {
    const o: Record<string, unknown> = {};
    for (const k of v.sortedKeys()) o[k] = toJS(v.entries.get(k));
    return o;
  }
  if (v instanceof GoObject) return v.str();
  if (v instanceof GoFuncValue) return v.def.fn;
  return v;
}

// ---------------------------------------------------------------------------------------------
// Reflection: type names (%T, sprig typeOf) and kind names (sprig kindOf).

export function typeName(v: GoValue): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof GoInt || v instanceof GoFloat) return v.kind;
  if (v instanceof GoSlice) return `[]${v.elem}`;
  if (v instanceof GoMap) return `map[string]${v.elem}`;
  return v.typeName;
}

export function kindName(v: GoValue): string {
  if (v === undefined || v === null) return 'invalid';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof GoInt || v instanceof GoFloat) return v.kind;
  if (v instanceof GoSlice) return 'slice';
  if (v instanceof GoMap) return 'map';
  if (v instanceof GoFuncValue) return 'func';
  return v.kind;
}

/** Go's text/template truth: false, 0, "", nil and empty containers are false. */
export function isTrue(v: GoValue): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'boolean') return v;
  if (v instanceof GoInt) return v.v !== 0n;
  if (v instanceof GoFloat) return v.v !== 0;
  if (v instanceof GoSlice) return v.items.length > 0;
  if (v instanceof GoMap) return v.entries.size > 0;
  return true;
}

/** Go compares strings bytewise; UTF-8 byte order is code point order (not UTF-16 order). */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

const utf8Encoder = new TextEncoder();
/** len() of a Go string counts UTF-8 bytes. */
export function byteLength(s: string): number {
  return utf8Encoder.encode(s).length;
}
export function utf8Bytes(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}
export function fromUtf8(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

/** reflect.DeepEqual over the model (used by sprig's has, uniq, without). */
export function deepEqual(a: GoValue, b: GoValue): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (typeName(a) !== typeName(b)) return false;
  if (a instanceof GoInt && b instanceof GoInt) return a.v === b.v;
  if (a instanceof GoFloat && b instanceof GoFloat) return a.v === b.v;
  if (a instanceof GoSlice && b instanceof GoSlice) {
    return a.items.length === b.items.length && a.items.every((x, i) => deepEqual(x, b.items[i]));
  }
  if (a instanceof GoMap && b instanceof GoMap) {
    if (a.entries.size !== b.entries.size) return false;
    for (const [k, v] of a.entries) {
      if (!b.entries.has(k) || !deepEqual(v, b.entries.get(k))) return false;
    }
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Executor-internal: a value read from an `interface {}` container slot (a map value, a list
// element, a range element) before a pipeline step unwraps it. Go keeps such values typed
// `interface {}`, which shows in behavior: `.a.b` on a nil slot is an error ("nil pointer
// evaluating interface {}.b") while on a missing key it is `<no value>`, and the builtins (len,
// index, eq) see nil slots differently from missing values. Functions never receive an Iface.

export class Iface {
  constructor(readonly v: GoValue) {}
}

/** A value as the executor holds it. */
export type XValue = GoValue | Iface;

/** reflect's indirectInterface: the dynamic value of a slot (nil slot → invalid). */
export function unwrap(x: XValue): GoValue {
  if (x instanceof Iface) return x.v === null ? undefined : x.v;
  return x;
}

/** Reads element `v` of a container whose element type is `elem`. */
export function slotValue(v: GoValue, elem: string): XValue {
  return elem === 'interface {}' ? new Iface(v === undefined ? null : v) : v;
}
