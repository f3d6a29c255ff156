// Go's fmt package (Sprint, Sprintln, Sprintf) and strconv number/quote formatting, over the
// value model. Output must match Go byte for byte: `{{ . }}` of a list is `[a b]`, floats print
// in Go's shortest %g form, bad verbs print `%!d(string=x)`.

import { GoFloat, GoFuncValue, GoInt, GoMap, GoObject, GoSlice, type GoValue, typeName, utf8Bytes } from './value.js';

// ---------------------------------------------------------------------------------------------
// strconv.Quote

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrintRune(cp: number): boolean {
  if (cp === 0x20) return true;
  if (cp < 0x20 || cp === 0x7f) return false;
  return PRINTABLE.test(String.fromCodePoint(cp));
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** strconv.Quote (or QuoteToASCII when asciiOnly). */
export function quoteGo(s: string, asciiOnly = false, quote = '"'): string {
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') {
      out += '\\' + ch;
      continue;
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
      out += '\\ufffd'; // a lone surrogate stands for invalid UTF-8
      continue;
    }
    if (asciiOnly ? cp < 0x80 && isPrintRune(cp) : isPrintRune(cp)) {
      out += ch;
      continue;
    }
    switch (ch) {
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2);
    else if (cp < 0x10000) out += '\\u' + hex(cp, 4);
    else out += '\\U' + hex(cp, 8);
  }
  return out + quote;
}

/** strconv.QuoteRune, used by %q on integers. */
export function quoteRune(cp: number): string {
  if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  if (cp === 0x27) return "'\\''";
  if (cp === 0x22) return `'"'`;
  return quoteGo(String.fromCodePoint(cp), false, "'");
}

// ---------------------------------------------------------------------------------------------
// Floats. Go rounds the exact binary value half-to-even; JavaScript's toFixed does not, so digits
// are computed from the exact decimal expansion.

interface Digits {
  d: string; // significant digits, no leading zeros ('' for zero)
  dp: number; // decimal point position: value = 0.d × 10^dp
}

function exactDigits(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const expField = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (expField === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = expField - 1075;
  }
  let d: string;
  let dp: number;
  if (e >= 0) {
    d = (mant << BigInt(e)).toString();
    dp = d.length;
  } else {
    d = (mant * 5n ** BigInt(-e)).toString();
    dp = d.length + e;
  }
  return { d: d.replace(/0+$/, ''), dp };
}

/** The shortest digits that round-trip (what Go uses for %v and precision -1). */
function shortestDigits(x: number, bits: 32 | 64): Digits {
  if (x === 0) return { d: '', dp: 0 };
  let s: string;
  if (bits === 32) s = shortest32(x);
  else s = x.toExponential();
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s)!;
  const d = (m[1]! + (m[2] ?? '')).replace(/0+$/, '');
  return { d, dp: Number(m[3]) + 1 };
}

function shortest32(x: number): string {
  const f = Math.fround(x);
  for (let p = 1; p <= 9; p++) {
    const s = f.toExponential(p - 1);
    if (Math.fround(Number(s)) === f) return s;
  }
  return f.toExponential(8);
}

/** Rounds to n significant digits, half to even on exact ties. */
function roundDigits(dig: Digits, n: number): Digits {
  const { d, dp } = dig;
  if (n < 0) return { d: '', dp };
  if (d.length <= n) return dig;
  const next = d.charCodeAt(n) - 48;
  let up: boolean;
  if (next > 5) up = true;
  else if (next < 5) up = false;
  else if (/[1-9]/.test(d.slice(n + 1))) up = true;
  else up = n > 0 && (d.charCodeAt(n - 1) - 48) % 2 === 1;
  let head = d.slice(0, n);
  if (!up) return { d: head.replace(/0+$/, ''), dp };
  // propagate the carry
  let i = head.length - 1;
  while (i >= 0 && head[i] === '9') i--;
  if (i < 0) return { d: '1', dp: dp + 1 };
  head = head.slice(0, i) + String.fromCharCode(head.charCodeAt(i) + 1);
  return { d: head.replace(/0+$/, ''), dp };
}

function digitAt(dig: Digits, i: number): string {
  return i >= 0 && i < dig.d.length ? dig.d[i]! : '0';
}

function fmtE(dig: Digits, prec: number, e: 'e' | 'E'): string {
  let s = dig.d.length === 0 ? '0' : dig.d[0]!;
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) s += digitAt(dig, i);
  }
  const exp = dig.d.length === 0 ? 0 : dig.dp - 1;
  const abs = Math.abs(exp);
  return s + e + (exp < 0 ? '-' : '+') + (abs < 10 ? '0' : '') + abs;
}

function fmtF(dig: Digits, prec: number): string {
  let s = '';
  if (dig.dp > 0) {
    for (let i = 0; i < dig.dp; i++) s += digitAt(dig, i);
  } else s = '0';
  if (prec > 0) {
    s += '.';
    for (let i = 0; i < prec; i++) s += digitAt(dig, dig.dp + i);
  }
  return s;
}

/**
 * strconv.FormatFloat(x, fmt, prec, bits) for fmt in e E f g G; prec -1 = shortest.
 * Returns the unsigned text and the sign separately so callers can pad like fmt does.
 */
export function formatFloat(x: number, fmt: string, prec: number, bits: 32 | 64 = 64): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  const shortest = prec < 0;
  let dig: Digits;
  if (shortest) {
    dig = shortestDigits(abs, bits);
    if (fmt === 'e' || fmt === 'E') prec = Math.max(dig.d.length - 1, 0);
    else if (fmt === 'f') prec = Math.max(dig.d.length - dig.dp, 0);
    else prec = dig.d.length;
  } else {
    const exact = exactDigits(bits === 32 ? Math.fround(abs) : abs);
    if (fmt === 'e' || fmt === 'E') dig = roundDigits(exact, prec + 1);
    else if (fmt === 'f') dig = roundDigits(exact, exact.dp + prec);
    else {
      if (prec === 0) prec = 1;
      dig = roundDigits(exact, prec);
    }
  }
  let body: string;
  if (fmt === 'e' || fmt === 'E') body = fmtE(dig, prec, fmt);
  else if (fmt === 'f') body = fmtF(dig, prec);
  else {
    let eprec = prec;
    if (eprec > dig.d.length && dig.d.length >= dig.dp) eprec = dig.d.length;
    if (shortest) eprec = 6;
    const exp = dig.dp - 1;
    if (dig.d.length !== 0 && (exp < -4 || exp >= eprec)) {
      let p = prec;
      if (p > dig.d.length) p = dig.d.length;
      body = fmtE(dig, p - 1, fmt === 'G' ? 'E' : 'e');
    } else {
      let p = prec;
      if (p > dig.dp) p = dig.d.length;
      body = fmtF(dig, Math.max(p - dig.dp, 0));
    }
  }
  return (neg ? '-' : '') + body;
}

/** strconv's 'x' format (shortest): -0x1.8p+01. */
function hexFloat(x: number, verb: string, f: Flags): string {
  let s: string;
  if (Number.isNaN(x)) s = 'NaN';
  else if (!Number.isFinite(x)) s = x > 0 ? '+Inf' : '-Inf';
  else {
    const neg = x < 0 || Object.is(x, -0);
    let a = Math.abs(x);
    let exp = 0;
    if (a !== 0) {
      exp = Math.floor(Math.log2(a));
      while (a / 2 ** exp >= 2) exp++;
      while (a / 2 ** exp < 1) exp--;
    }
    const mant = a === 0 ? 0n : BigInt(Math.round((a / 2 ** exp - 1) * 2 ** 52));
    let frac = mant.toString(16).padStart(13, '0').replace(/0+$/, '');
    if (f.prec !== undefined) frac = frac.slice(0, f.prec).padEnd(f.prec, '0');
    s = (neg ? '-' : f.plus ? '+' : '') + '0x' + (a === 0 ? '0' : '1') + (frac ? '.' + frac : '') + 'p' + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
  }
  return verb === 'X' ? s.toUpperCase() : s;
}

/** The %v text of a float (strconv 'g', shortest). */
export function formatFloatV(f: GoFloat): string {
  return formatFloat(f.v, 'g', -1, f.kind === 'float32' ? 32 : 64);
}

// ---------------------------------------------------------------------------------------------
// Printing values.

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  wid?: number;
  prec?: number;
}

const noFlags = (): Flags => ({ plus: false, minus: false, sharp: false, space: false, zero: false });

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function pad(s: string, f: Flags, zeroOk = true): string {
  if (f.wid === undefined) return s;
  const n = f.wid - runeCount(s);
  if (n <= 0) return s;
  if (f.minus) return s + ' '.repeat(n);
  return (f.zero && zeroOk ? '0' : ' ').repeat(n) + s;
}

function fmtInteger(v: bigint, unsigned: boolean, base: number, verb: string, f: Flags): string {
  const neg = !unsigned && v < 0n;
  let digits = (neg ? -v : v).toString(base);
  if (verb === 'X') digits = digits.toUpperCase();
  let zeroPadded = false;
  if (f.prec !== undefined) {
    if (f.prec === 0 && v === 0n) digits = '';
    digits = digits.padStart(f.prec, '0');
  } else if (f.zero && f.wid !== undefined && !f.minus) {
    zeroPadded = true;
  }
  let prefix = '';
  if (f.sharp) {
    if (base === 16) prefix = verb === 'X' ? '0X' : '0x';
    else if (base === 8 && !digits.startsWith('0')) prefix = '0';
    else if (base === 2) prefix = '0b';
  }
  if (verb === 'O') prefix = '0o';
  const sign = neg ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  if (zeroPadded) {
    const n = f.wid! - sign.length - prefix.length;
    digits = digits.padStart(n, '0');
    return sign + prefix + digits;
  }
  return pad(sign + prefix + digits, f, false);
}

function fmtFloatVerb(x: number, bits: 32 | 64, verb: string, f: Flags): string {
  let fmt = verb;
  let prec = f.prec ?? -1;
  switch (verb) {
    case 'v':
      fmt = 'g';
      break;
    case 'F':
      fmt = 'f';
      if (f.prec === undefined) prec = 6;
      break;
    case 'e':
    case 'E':
    case 'f':
      if (f.prec === undefined) prec = 6;
      break;
  }
  let s = formatFloat(x, fmt, prec, bits);
  if (f.sharp && verb !== 'v' && !/[eE]/.test(s) && !s.includes('.') && Number.isFinite(x)) s += '.';
  let sign = '';
  if (s.startsWith('-')) {
    sign = '-';
    s = s.slice(1);
  } else if (s.startsWith('+')) {
    s = s.slice(1);
    sign = '+';
  } else if (f.plus) sign = '+';
  else if (f.space) sign = ' ';
  if (!Number.isFinite(x)) {
    if (sign === '' && f.plus) sign = '+';
    if (s === 'Inf' && sign === '') sign = '+';
    return pad(sign + s, { ...f, zero: false });
  }
  if (f.zero && f.wid !== undefined && !f.minus) {
    return sign + s.padStart(f.wid - sign.length, '0');
  }
  return pad(sign + s, f);
}

function badVerb(v: GoValue, verb: string): string {
  if (v === undefined || v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${printArg(v, 'v', noFlags(), 1)})`;
}

function fmtString(s: string, verb: string, f: Flags): string | undefined {
  switch (verb) {
    case 'v':
    case 's': {
      if (verb === 'v' && f.sharp) return quoteGo(s);
      let t = s;
      if (f.prec !== undefined) t = [...s].slice(0, f.prec).join('');
      return pad(t, f);
    }
    case 'q': {
      let t = s;
      if (f.prec !== undefined) t = [...s].slice(0, f.prec).join('');
      if (f.sharp && !t.includes('`') && [...t].every((c) => c === '\t' || isPrintRune(c.codePointAt(0)!))) {
        return pad('`' + t + '`', f);
      }
      return pad(quoteGo(t, f.plus), f);
    }
    case 'x':
    case 'X': {
      let bytes = [...utf8Bytes(s)];
      if (f.prec !== undefined) bytes = bytes.slice(0, f.prec);
      const parts = bytes.map((b) => {
        let h = hex(b, 2);
        if (verb === 'X') h = h.toUpperCase();
        return h;
      });
      const pre = f.sharp ? (verb === 'X' ? '0X' : '0x') : '';
      const out = f.space ? parts.map((p) => pre + p).join(' ') : pre + parts.join('');
      return pad(out, f);
    }
  }
  return undefined;
}

function printArg(v: GoValue, verb: string, f: Flags, depth: number): string {
  if (verb === 'T') return pad(typeName(v), f);
  if (v === undefined || v === null) {
    // A nil element inside a container prints <nil> whatever the verb; a nil argument is a bad verb.
    if (depth > 0) return pad(f.sharp && verb === 'v' ? 'interface {}(nil)' : '<nil>', f);
    if (verb === 'v') return pad('<nil>', f);
    return badVerb(v, verb);
  }
  if (typeof v === 'string') return fmtString(v, verb, f) ?? badVerb(v, verb);
  if (typeof v === 'boolean') {
    if (verb === 'v' || verb === 't') return pad(String(v), f);
    return badVerb(v, verb);
  }
  if (v instanceof GoInt) {
    switch (verb) {
      case 'v':
        if (f.sharp && v.unsigned) return fmtInteger(v.v, true, 16, 'x', { ...f, sharp: true });
        return fmtInteger(v.v, v.unsigned, 10, 'd', f);
      case 'd':
        return fmtInteger(v.v, v.unsigned, 10, 'd', f);
      case 'b':
        return fmtInteger(v.v, v.unsigned, 2, 'b', f);
      case 'o':
      case 'O':
        return fmtInteger(v.v, v.unsigned, 8, verb, f);
      case 'x':
      case 'X':
        return fmtInteger(v.v, v.unsigned, 16, verb, f);
      case 'c':
        return pad(String.fromCodePoint(validRune(v.v)), f);
      case 'q':
        return pad(quoteRune(validRune(v.v)), f);
      case 'U': {
        const s = 'U+' + hex(validRune(v.v), 4).toUpperCase();
        return pad(f.sharp ? `${s} '${String.fromCodePoint(validRune(v.v))}'` : s, f);
      }
    }
    return badVerb(v, verb);
  }
  if (v instanceof GoFloat) {
    if ('veEfFgG'.includes(verb)) return fmtFloatVerb(v.v, v.kind === 'float32' ? 32 : 64, verb, f);
    if (verb === 'x' || verb === 'X') return pad(hexFloat(v.v, verb, f), f);
    return badVerb(v, verb);
  }
  if (v instanceof GoSlice) {
    if (f.sharp && verb === 'v') {
      return `${typeName(v)}{${v.items.map((x) => printArg(x, 'v', f, depth + 1)).join(', ')}}`;
    }
    if (v.elem === 'uint8' && (verb === 's' || verb === 'q' || verb === 'x' || verb === 'X')) {
      const s = new TextDecoder().decode(Uint8Array.from(v.items.map((b) => Number((b as GoInt).v))));
      return fmtString(s, verb, f)!;
    }
    return '[' + v.items.map((x) => printArg(x, verb, f, depth + 1)).join(' ') + ']';
  }
  if (v instanceof GoMap) {
    const keys = v.sortedKeys();
    if (f.sharp && verb === 'v') {
      return `${typeName(v)}{${keys.map((k) => `${quoteGo(k)}:${printArg(v.entries.get(k), 'v', f, depth + 1)}`).join(', ')}}`;
    }
    return 'map[' + keys.map((k) => `${printArg(k, verb, f, depth + 1)}:${printArg(v.entries.get(k), verb, f, depth + 1)}`).join(' ') + ']';
  }
  if (v instanceof GoObject) {
    // A fmt.Stringer: Go calls String() for any verb that prints strings.
    return fmtString(v.str(), verb === 'v' && f.sharp ? 's' : verb, f) ?? badVerb(v, verb);
  }
  if (v instanceof GoFuncValue) {
    return verb === 'v' || verb === 'p' ? pad('0xc000010000', f) : badVerb(v, verb);
  }
  return '';
}

function validRune(v: bigint): number {
  if (v < 0n || v > 0x10ffffn) return 0xfffd;
  const n = Number(v);
  return n >= 0xd800 && n <= 0xdfff ? 0xfffd : n;
}

/** fmt.Sprint of one value with %v: what an action prints for a non-missing value. */
export function formatValue(v: GoValue): string {
  return printArg(v, 'v', noFlags(), 0);
}

const isStringArg = (v: GoValue): boolean => typeof v === 'string';

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: GoValue[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && !isStringArg(a) && !isStringArg(args[i - 1])) out += ' ';
    out += printArg(a, 'v', noFlags(), 0);
  });
  return out;
}

/** fmt.Sprintln: always spaces, then a newline. */
export function sprintln(args: GoValue[]): string {
  return args.map((a) => printArg(a, 'v', noFlags(), 0)).join(' ') + '\n';
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: GoValue[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  let i = 0;
  const end = format.length;

  // [n] argument index: returns the new argNum (0-based) or undefined when malformed.
  const argIndex = (): { ok: boolean; found: boolean } => {
    if (i >= end || format[i] !== '[') return { ok: true, found: false };
    reordered = true;
    const close = format.indexOf(']', i + 1);
    if (close < 0) {
      i = end;
      return { ok: false, found: true };
    }
    const txt = format.slice(i + 1, close);
    i = close + 1;
    if (!/^\d+$/.test(txt)) return { ok: false, found: true };
    const n = Number(txt) - 1;
    if (n < 0 || n > args.length) return { ok: false, found: true };
    argNum = n;
    return { ok: true, found: true };
  };

  const intArg = (): number | undefined => {
    const a = args[argNum];
    argNum++;
    if (a instanceof GoInt) {
      const n = Number(a.v);
      if (Math.abs(n) > 1e6) return undefined;
      return n;
    }
    return undefined;
  };

  while (i < end) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const f = noFlags();
    flags: while (i < end) {
      switch (format[i]) {
        case '#': f.sharp = true; break;
        case '0': f.zero = !f.minus; break;
        case '+': f.plus = true; break;
        case '-': f.minus = true; f.zero = false; break;
        case ' ': f.space = true; break;
        default: break flags;
      }
      i++;
    }
    let good = true;
    let idx = argIndex();
    good &&= idx.ok;
    let afterIndex = idx.found;
    // width
    if (i < end && format[i] === '*') {
      i++;
      const w = argNum < args.length ? intArg() : (argNum++, undefined);
      if (w === undefined) out += '%!(BADWIDTH)';
      else {
        f.wid = w;
        if (w < 0) {
          f.minus = true;
          f.zero = false;
          f.wid = -w;
        }
      }
      afterIndex = false;
    } else {
      const m = /^\d+/.exec(format.slice(i));
      if (m) {
        f.wid = Number(m[0]);
        i += m[0].length;
        if (afterIndex) good = false;
      }
    }
    // precision
    if (i < end && format[i] === '.') {
      i++;
      if (afterIndex) good = false;
      idx = argIndex();
      good &&= idx.ok;
      afterIndex = idx.found;
      if (i < end && format[i] === '*') {
        i++;
        const p = argNum < args.length ? intArg() : (argNum++, undefined);
        if (p === undefined) out += '%!(BADPREC)';
        else if (p >= 0) f.prec = p;
        afterIndex = false;
      } else {
        const m = /^\d+/.exec(format.slice(i));
        f.prec = m ? Number(m[0]) : 0;
        if (m) i += m[0].length;
      }
    }
    if (!afterIndex) {
      idx = argIndex();
      good &&= idx.ok;
      afterIndex = idx.found;
    }
    if (i >= end) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (!good) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argNum]!;
    argNum++;
    if (verb === 'v' && f.plus) f.plus = false; // %+v only differs for structs
    out += printArg(arg, verb, f, 0);
  }
  if (!reordered && argNum < args.length) {
    out += '%!(EXTRA ' + args.slice(argNum).map((a) => (a === undefined || a === null ? '<nil>' : `${typeName(a)}=${printArg(a, 'v', noFlags(), 0)}`)).join(', ') + ')';
  }
  return out;
}
