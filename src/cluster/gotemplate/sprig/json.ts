// encoding/json as sprig uses it: Marshal (sorted keys, HTML-safe escaping, Go's float format),
// MarshalIndent, and Unmarshal into interface{} (numbers become float64).

import { formatFloat } from '../fmt.js';
import { GoFloat, GoFuncValue, GoInt, GoMap, GoObject, GoSlice, type GoValue, compareGoStrings } from '../value.js';

const HEX = '0123456789abcdef';

function jsonString(s: string, html: boolean): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) {
      if (ch === '"' || ch === '\\') out += '\\' + ch;
      else if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\t') out += '\\t';
      else if (cp < 0x20 || (html && (ch === '<' || ch === '>' || ch === '&'))) out += '\\u00' + HEX[cp >> 4] + HEX[cp & 15];
      else out += ch;
    } else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (cp === 0x2028 || cp === 0x2029) out += '\\u202' + (cp & 15);
    else out += ch;
  }
  return out + '"';
}

function jsonFloat(f: number, bits: 32 | 64): string | undefined {
  if (!Number.isFinite(f)) return undefined;
  const abs = Math.abs(f);
  let fmt = 'f';
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) fmt = 'e';
  let s = formatFloat(f, fmt, -1, bits);
  if (fmt === 'e') s = s.replace(/e([+-])0(\d)$/, 'e$1$2');
  return s;
}

class Unsupported extends Error {}

function encode(v: GoValue, html: boolean, indent: string, prefix: string): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return jsonString(v, html);
  if (typeof v === 'boolean') return String(v);
  if (v instanceof GoInt) return v.v.toString();
  if (v instanceof GoFloat) {
    const s = jsonFloat(v.v, v.kind === 'float32' ? 32 : 64);
    if (s === undefined) throw new Unsupported();
    return s;
  }
  const nl = indent ? '\n' + prefix + indent : '';
  const close = indent ? '\n' + prefix : '';
  const inner = prefix + indent;
  if (v instanceof GoSlice) {
    if (v.items.length === 0) return '[]';
    return '[' + v.items.map((x) => nl + encode(x, html, indent, inner)).join(',') + close + ']';
  }
  if (v instanceof GoMap) {
    if (v.entries.size === 0) return '{}';
    const keys = v.sortedKeys().sort(compareGoStrings);
    const sep = indent ? ': ' : ':';
    return '{' + keys.map((k) => nl + jsonString(k, html) + sep + encode(v.entries.get(k), html, indent, inner)).join(',') + close + '}';
  }
  if (v instanceof GoObject) return v.json ? encode(v.json(), html, indent, prefix) : jsonString(v.str(), html);
  if (v instanceof GoFuncValue) throw new Unsupported();
  return 'null';
}

/** json.Marshal / MarshalIndent(v, "", indent); undefined for unsupported values (NaN, funcs). */
export function toJson(v: GoValue, opts: { html: boolean; indent?: string }): string | undefined {
  try {
    return encode(v, opts.html, opts.indent ?? '', '');
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}

function fromJS(x: unknown): GoValue {
  if (x === null) return null;
  if (typeof x === 'number') return new GoFloat(x);
  if (typeof x === 'string' || typeof x === 'boolean') return x;
  if (Array.isArray(x)) return new GoSlice(x.map(fromJS));
  const m = new Map<string, GoValue>();
  for (const [k, val] of Object.entries(x as object)) m.set(k, fromJS(val));
  return new GoMap(m);
}

/** json.Unmarshal into interface{}, with Go-like error texts for common failures. */
export function fromJson(s: string): { value: GoValue } | { error: string } {
  try {
    return { value: fromJS(JSON.parse(s)) };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const at = /at position (\d+)/.exec(msg);
    if (s.trim() === '' || /end of (JSON|data)/i.test(msg) || (at && Number(at[1]) >= s.length)) {
      return { error: 'unexpected end of JSON input' };
    }
    const m = /Unexpected token '?(.)'?/.exec(msg) ?? /Unexpected (?:non-whitespace )?character.*?'(.)'/.exec(msg);
    if (m) return { error: `invalid character '${m[1]}' looking for beginning of value` };
    return { error: `invalid JSON: ${msg}` };
  }
}
