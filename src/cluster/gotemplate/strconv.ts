// Go's strconv parsing rules (ParseInt/ParseUint with base 0, ParseFloat, Unquote), shared by the
// template parser (number and string literals), sprig's casts and the YAML value conversion.

/** Go's underscoreOK: `_` only between digits or after a base prefix. */
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && /[bBoOxX]/.test(s[1]!)) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

/** Unsigned magnitude of a base-0 Go integer literal (no sign); undefined when malformed. */
function parseMagnitude(s: string): bigint | undefined {
  let base = 10;
  let digits = s;
  if (/^0[xX]/.test(s)) {
    base = 16;
    digits = s.slice(2);
  } else if (/^0[oO]/.test(s)) {
    base = 8;
    digits = s.slice(2);
  } else if (/^0[bB]/.test(s)) {
    base = 2;
    digits = s.slice(2);
  } else if (s.length > 1 && s[0] === '0') {
    base = 8;
    digits = s.slice(1);
  }
  if (s.includes('_') && !underscoreOK(s)) return undefined;
  digits = digits.replace(/_/g, '');
  if (digits === '') return undefined;
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base]!;
  if (!valid.test(digits)) return undefined;
  const prefix = { 2: '0b', 8: '0o', 10: '', 16: '0x' }[base]!;
  return BigInt(prefix + digits);
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** strconv.ParseInt(s, 0, 64). */
export function parseGoInt(s: string): bigint | undefined {
  let neg = false;
  let t = s;
  if (t[0] === '+' || t[0] === '-') {
    neg = t[0] === '-';
    t = t.slice(1);
  }
  const m = parseMagnitude(t);
  if (m === undefined) return undefined;
  const v = neg ? -m : m;
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

/** strconv.ParseUint(s, 0, 64): no sign allowed. */
export function parseGoUint(s: string): bigint | undefined {
  const m = parseMagnitude(s);
  return m === undefined || m > UINT64_MAX ? undefined : m;
}

/** strconv.ParseFloat(s, 64); undefined on syntax error or overflow to ±Inf. */
export function parseGoFloat(s: string): number | undefined {
  let t = s;
  let sign = 1;
  if (t[0] === '+' || t[0] === '-') {
    if (t[0] === '-') sign = -1;
    t = t.slice(1);
  }
  const lower = t.toLowerCase();
  if (lower === 'inf' || lower === 'infinity') return sign * Infinity;
  if (lower === 'nan') return NaN;
  if (t.includes('_') && !underscoreOK(t)) return undefined;
  const u = t.replace(/_/g, '');
  let v: number;
  if (/^0[xX]/.test(u)) {
    const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/.exec(u);
    if (!m || (m[1] === '' && (m[2] ?? '') === '') || m[3] === undefined) return undefined;
    const mant = parseInt((m[1] || '0') + (m[2] ?? ''), 16);
    v = mant * 2 ** (Number(m[3]) - 4 * (m[2] ?? '').length);
  } else {
    if (!/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(u)) return undefined;
    v = Number(u);
  }
  if (!Number.isFinite(v)) return undefined;
  return sign * v;
}

// ---------------------------------------------------------------------------------------------
// Unquoting. Go strings are bytes; escapes such as \xff are collected as bytes and decoded as
// UTF-8 at the end (invalid sequences become U+FFFD, the closest a JS string gets).

const SIMPLE: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };

/** strconv.UnquoteChar over the body; returns the bytes and the rest, or undefined. */
function unquoteChar(s: string, quote: string): { bytes: number[]; tail: string } | undefined {
  const c = s[0];
  if (c === undefined) return undefined;
  if (c === quote && (quote === "'" || quote === '"')) return undefined;
  if (c !== '\\') {
    const cp = s.codePointAt(0)!;
    const ch = String.fromCodePoint(cp);
    return { bytes: [...new TextEncoder().encode(ch)], tail: s.slice(ch.length) };
  }
  const e = s[1];
  if (e === undefined) return undefined;
  if (e in SIMPLE) return { bytes: [SIMPLE[e]!], tail: s.slice(2) };
  if (e === "'" || e === '"') {
    if (e !== quote) return undefined;
    return { bytes: [e.charCodeAt(0)], tail: s.slice(2) };
  }
  const hexLen = { x: 2, u: 4, U: 8 }[e as 'x' | 'u' | 'U'];
  if (hexLen !== undefined) {
    const h = s.slice(2, 2 + hexLen);
    if (h.length !== hexLen || !/^[0-9a-fA-F]+$/.test(h)) return undefined;
    const v = parseInt(h, 16);
    if (e === 'x') return { bytes: [v], tail: s.slice(2 + hexLen) };
    if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return undefined;
    return { bytes: [...new TextEncoder().encode(String.fromCodePoint(v))], tail: s.slice(2 + hexLen) };
  }
  if (e >= '0' && e <= '7') {
    const o = s.slice(1, 4);
    if (!/^[0-7]{3}$/.test(o)) return undefined;
    const v = parseInt(o, 8);
    if (v > 255) return undefined;
    return { bytes: [v], tail: s.slice(4) };
  }
  return undefined;
}

/** strconv.Unquote for "...", `...` and '...' literals; undefined = "invalid syntax". */
export function unquote(q: string): string | undefined {
  if (q.length < 2) return undefined;
  const quote = q[0]!;
  if (quote !== q[q.length - 1]) return undefined;
  const body = q.slice(1, -1);
  if (quote === '`') {
    if (body.includes('`')) return undefined;
    return body.replace(/\r/g, '');
  }
  if (quote !== '"' && quote !== "'") return undefined;
  if (body.includes('\n')) return undefined;
  const bytes: number[] = [];
  let rest = body;
  let count = 0;
  while (rest.length > 0) {
    const r = unquoteChar(rest, quote);
    if (!r) return undefined;
    bytes.push(...r.bytes);
    rest = r.tail;
    count++;
  }
  if (quote === "'" && count !== 1) return undefined;
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

/** The rune value of a Go character literal such as 'a' or '\n'. */
export function unquoteRune(q: string): { value: number } | { error: string } {
  const body = q.slice(1);
  const r = unquoteChar(body, "'");
  if (!r) return { error: 'invalid syntax' };
  if (r.tail !== "'") return { error: `malformed character constant: ${q}` };
  const s = new TextDecoder().decode(Uint8Array.from(r.bytes));
  // A \x escape is a byte value, not UTF-8.
  if (body.startsWith('\\x') || /^\\[0-7]/.test(body)) return { value: r.bytes[0]! };
  return { value: s.codePointAt(0)! };
}
