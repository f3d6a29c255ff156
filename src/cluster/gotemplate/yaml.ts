// YAML values as nvkind sees them: gopkg.in/yaml.v2 unmarshalled into interface{}, then map keys
// turned into strings. yaml.v2 is YAML 1.1: `yes`/`no`/`on`/`off`/`y`/`n` are booleans (also as
// keys: `n: 1` has the key "false"), `0777` is octal, `1.0` stays a float, `1e3` is a float,
// integers beyond int64 become uint64 or float64, timestamps stay strings.

import { Alias, type Document, isAlias, isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { formatValue } from './fmt.js';
import { parseGoFloat, parseGoInt, parseGoUint } from './strconv.js';
import { GoFloat, GoInt, GoMap, GoSlice, type GoValue, toGo } from './value.js';

const BOOL_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const BOOL_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

function intValue(v: bigint): GoInt {
  return new GoInt(v, 'int'); // Go's int is 64-bit on the platforms nvkind runs on
}

/** yaml.v2's resolve() for a plain (unquoted, untagged) scalar. */
export function resolvePlainScalar(s: string): GoValue {
  if (BOOL_TRUE.has(s)) return true;
  if (BOOL_FALSE.has(s)) return false;
  if (NULLS.has(s)) return null;
  if (['.nan', '.NaN', '.NAN'].includes(s)) return new GoFloat(NaN);
  if (['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].includes(s)) return new GoFloat(Infinity);
  if (['-.inf', '-.Inf', '-.INF'].includes(s)) return new GoFloat(-Infinity);
  const c = s[0]!;
  if (c === '.') {
    const f = parseGoFloat(s);
    return f === undefined ? s : new GoFloat(f);
  }
  if (c === '+' || c === '-' || (c >= '0' && c <= '9')) {
    const plain = s.replace(/_/g, '');
    const i = parseGoInt(plain);
    if (i !== undefined) return intValue(i);
    const u = parseGoUint(plain);
    if (u !== undefined) return new GoInt(u, 'uint64');
    if (YAML_FLOAT.test(plain)) {
      const f = parseGoFloat(plain);
      if (f !== undefined) return new GoFloat(f);
    }
    if (plain.startsWith('0b')) {
      const b = parseGoInt(plain);
      if (b !== undefined) return intValue(b);
    } else if (plain.startsWith('-0b')) {
      const b = parseGoInt('-' + plain.slice(1));
      if (b !== undefined) return intValue(b);
    }
  }
  return s;
}

/** Explicitly tagged scalars (`!!str 1`, `!!float 1`...). */
function resolveTagged(tag: string, text: string, quoted: boolean): GoValue {
  const short = tag.replace(/^tag:yaml\.org,2002:/, '!!');
  switch (short) {
    case '!!str':
      return text;
    case '!!binary':
      return Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
    case '!!float': {
      const v = quoted ? text : resolvePlainScalar(text);
      if (v instanceof GoInt) return new GoFloat(Number(v.v));
      if (v instanceof GoFloat) return v;
      throw new Error(`yaml: cannot decode !!str \`${text}\` as a !!float`);
    }
    case '!!int':
    case '!!bool':
    case '!!null': {
      const v = resolvePlainScalar(text);
      const ok = short === '!!int' ? v instanceof GoInt : short === '!!bool' ? typeof v === 'boolean' : v === null;
      if (!ok) throw new Error(`yaml: cannot decode \`${text}\` as a ${short}`);
      return v;
    }
  }
  return text; // unknown tags keep the scalar text, as yaml.v2 does
}

/** nvkind stringifies map keys with Go's %v. */
function keyString(k: GoValue): string {
  if (typeof k === 'string') return k;
  if (k === null || k === undefined) return '<nil>';
  return formatValue(k);
}

function convert(node: unknown, doc: Document): GoValue {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return convert((node as Alias).resolve(doc), doc);
  if (isScalar(node)) {
    const sc = node;
    const quoted = sc.type !== undefined && sc.type !== 'PLAIN';
    const text = sc.source ?? (typeof sc.value === 'string' ? sc.value : String(sc.value ?? ''));
    if (sc.tag) return resolveTagged(sc.tag, typeof sc.value === 'string' ? sc.value : text, quoted);
    if (quoted) return typeof sc.value === 'string' ? sc.value : text;
    return resolvePlainScalar(text);
  }
  if (isSeq(node)) return new GoSlice(node.items.map((i) => convert(i, doc)));
  if (isMap(node)) {
    const out = new GoMap();
    for (const pair of node.items) {
      const keyNode = pair.key as YamlNode | null;
      const isMerge = isScalar(keyNode) && (keyNode.value === '<<' || typeof keyNode.value === 'symbol') && keyNode.type === 'PLAIN';
      if (isMerge) {
        // `<<: *anchor` or `<<: [*a, *b]`: the merged maps' keys are set in order, as yaml.v2 does.
        const v = convert(pair.value, doc);
        const maps = v instanceof GoSlice ? v.items : [v];
        for (const m of maps) if (m instanceof GoMap) for (const [k, x] of m.entries) out.entries.set(k, x);
        continue;
      }
      out.entries.set(keyString(convert(keyNode, doc)), convert(pair.value, doc));
    }
    return out;
  }
  return null;
}

/** Converts a parsed `yaml` Document (any version/schema) into values as yaml.v2 + nvkind see them. */
export function valuesFromYamlDocument(doc: Document): GoValue {
  if (doc.errors.length > 0) throw doc.errors[0];
  const v = convert(doc.contents, doc);
  return v === null ? undefined : v;
}

/** Parses a values file (YAML text) the way nvkind does. An empty document gives no data. */
export function parseValuesYaml(source: string): GoValue {
  const doc = parseDocument(source, { version: '1.1', uniqueKeys: false, merge: true, keepSourceTokens: false });
  return valuesFromYamlDocument(doc);
}

/**
 * Converts already-parsed plain JS values (e.g. `yaml.parse()` output). Integral numbers become
 * ints; a float written `1.0` cannot be told apart any more — prefer valuesFromYamlDocument.
 */
export function valuesFromJS(value: unknown): GoValue {
  return toGo(value);
}
