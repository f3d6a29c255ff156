// sprig's string functions (strings.go, goutils, xstrings). Go strings are bytes: functions that
// slice or scan bytes (substr, trunc, nospace, initials, abbrev, wrap) do so on UTF-8 here too.

import { quoteGo, sprintf } from '../fmt.js';
import { type FuncDef, GoInt, GoMap, type GoValue, fromUtf8, utf8Bytes } from '../value.js';
import { def, fail, int, strings, strslice, strval } from './util.js';

// ---- unicode helpers (Go's unicode package on code points) ------------------------------------

const IS_SPACE = /^[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]$/u;
export const isSpaceRune = (cp: number): boolean => IS_SPACE.test(String.fromCodePoint(cp));
const isUpper = (c: string): boolean => /^\p{Lu}$/u.test(c);
const isLower = (c: string): boolean => /^\p{Ll}$/u.test(c);
const isTitleCase = (c: string): boolean => /^\p{Lt}$/u.test(c);
const isLetter = (c: string): boolean => /^\p{L}$/u.test(c);
const isDigit = (c: string): boolean => /^\p{Nd}$/u.test(c);
const isNumber = (c: string): boolean => /^\p{N}$/u.test(c);
const isPunct = (c: string): boolean => /^\p{P}$/u.test(c);

/** unicode.ToUpper: simple (one rune to one rune) case mapping. */
export function toUpperRune(c: string): string {
  const u = c.toUpperCase();
  return [...u].length === 1 ? u : c;
}
export function toLowerRune(c: string): string {
  if (c === '\u0130') return 'i';
  const l = c.toLowerCase();
  return [...l].length === 1 ? l : c;
}
/** unicode.ToTitle: the title-case form (differs from upper case only for a few digraphs). */
export function toTitleRune(c: string): string {
  const special: Record<string, string> = { 'ǆ': 'ǅ', 'Ǆ': 'ǅ', 'ǅ': 'ǅ', 'ǉ': 'ǈ', 'Ǉ': 'ǈ', 'ǈ': 'ǈ', 'ǌ': 'ǋ', 'Ǌ': 'ǋ', 'ǋ': 'ǋ', 'ǳ': 'ǲ', 'Ǳ': 'ǲ', 'ǲ': 'ǲ' };
  return special[c] ?? toUpperRune(c);
}
const mapRunes = (s: string, f: (c: string) => string): string => [...s].map(f).join('');

export const goUpper = (s: string): string => mapRunes(s, toUpperRune);
export const goLower = (s: string): string => mapRunes(s, toLowerRune);

/** strings.TrimSpace. */
export function trimSpace(s: string): string {
  const cps = [...s];
  let a = 0;
  let b = cps.length;
  while (a < b && isSpaceRune(cps[a]!.codePointAt(0)!)) a++;
  while (b > a && isSpaceRune(cps[b - 1]!.codePointAt(0)!)) b--;
  return cps.slice(a, b).join('');
}

/** strings.Trim with a cutset. */
function trimCutset(s: string, cutset: string): string {
  const set = new Set([...cutset]);
  const cps = [...s];
  let a = 0;
  let b = cps.length;
  while (a < b && set.has(cps[a]!)) a++;
  while (b > a && set.has(cps[b - 1]!)) b--;
  return cps.slice(a, b).join('');
}

/** strings.Title's word separator rule. */
function isSeparator(c: string): boolean {
  const cp = c.codePointAt(0)!;
  if (cp <= 0x7f) return !/[0-9a-zA-Z_]/.test(c);
  if (isLetter(c) || isDigit(c)) return false;
  return isSpaceRune(cp);
}

export function title(s: string): string {
  let prev = ' ';
  return mapRunes(s, (c) => {
    const out = isSeparator(prev) ? toTitleRune(c) : c;
    prev = c;
    return out;
  });
}

/** Go's s[a:b] on a byte string, with Go's panic text for bad bounds. */
function sliceBytes(s: string, a: number, b?: number): string {
  const bytes = utf8Bytes(s);
  const end = b ?? bytes.length;
  if (b !== undefined && b > bytes.length) fail(`runtime error: slice bounds out of range [:${b}] with length ${bytes.length}`);
  if (a > end) fail(b === undefined ? `runtime error: slice bounds out of range [${a}:${end}]` : `runtime error: slice bounds out of range [${a}:${b}]`);
  if (a < 0) fail(`runtime error: slice bounds out of range [${a}:]`);
  return fromUtf8(bytes.slice(a, end));
}

function substr(start: number, end: number, s: string): string {
  const len = utf8Bytes(s).length;
  if (start < 0) return sliceBytes(s, 0, end);
  if (end < 0 || end > len) return sliceBytes(s, start);
  return sliceBytes(s, start, end);
}

function trunc(c: number, s: string): string {
  const len = utf8Bytes(s).length;
  if (c < 0 && len + c > 0) return sliceBytes(s, len + c);
  if (c >= 0 && len > c) return sliceBytes(s, 0, c);
  return s;
}

/** goutils operates on single bytes for these, mapping each kept byte to the rune of that value. */
function bytesAsRunes(bytes: Iterable<number>): string {
  let out = '';
  for (const b of bytes) out += String.fromCodePoint(b);
  return out;
}

function deleteWhiteSpace(s: string): string {
  const bytes = utf8Bytes(s);
  const kept = [...bytes].filter((b) => !isSpaceRune(b));
  return kept.length === bytes.length ? s : bytesAsRunes(kept);
}

function initials(s: string): string {
  let out: number[] = [];
  let gap = true;
  for (const b of utf8Bytes(s)) {
    if (isSpaceRune(b)) gap = true;
    else if (gap) {
      out.push(b);
      gap = false;
    }
  }
  return bytesAsRunes(out);
}

function abbreviateFull(s: string, offset: number, maxWidth: number): string {
  const bytes = utf8Bytes(s);
  const len = bytes.length;
  const sub = (a: number, b: number): string => fromUtf8(bytes.slice(a, b));
  if (s === '') return '';
  if (maxWidth < 4) return '';
  if (len <= maxWidth) return s;
  if (offset > len) offset = len;
  if (len - offset < maxWidth - 3) offset = len - (maxWidth - 3);
  if (offset <= 4) return sub(0, maxWidth - 3) + '...';
  if (maxWidth < 7) return '';
  if (offset + maxWidth - 3 < len) return '...' + abbreviateFull(sub(offset, len), 0, maxWidth - 3);
  return '...' + sub(len - (maxWidth - 3), len);
}

function abbrev(width: number, s: string): string {
  return width < 4 ? s : abbreviateFull(s, 0, width);
}

function abbrevboth(left: number, right: number, s: string): string {
  if (right < 4 || (left > 0 && right < 7)) return s;
  return abbreviateFull(s, left, right);
}

function uncapitalize(s: string): string {
  let next = true;
  return mapRunes(s, (c) => {
    if (isSpaceRune(c.codePointAt(0)!)) {
      next = true;
      return c;
    }
    if (next) {
      next = false;
      return toLowerRune(c);
    }
    return c;
  });
}

function swapCase(s: string): string {
  let ws = true;
  return mapRunes(s, (c) => {
    if (isUpper(c) || isTitleCase(c)) {
      ws = false;
      return toLowerRune(c);
    }
    if (isLower(c)) {
      if (ws) {
        ws = false;
        return toTitleRune(c);
      }
      return toUpperRune(c);
    }
    ws = isSpaceRune(c.codePointAt(0)!);
    return c;
  });
}

/** goutils.WrapCustom (byte offsets, like the original). */
export function wrapCustom(str: string, wrapLength: number, newLine: string, wrapLongWords: boolean): string {
  if (str === '') return '';
  if (newLine === '') newLine = '\n';
  if (wrapLength < 1) wrapLength = 1;
  const b = utf8Bytes(str);
  const len = b.length;
  const sub = (x: number, y: number): string => fromUtf8(b.slice(x, y));
  const lastSpace = (x: number, y: number): number => {
    for (let i = Math.min(y, len) - 1; i >= x; i--) if (b[i] === 0x20) return i - x;
    return -1;
  };
  let offset = 0;
  let out = '';
  while (len - offset > wrapLength) {
    if (b[offset] === 0x20) {
      offset++;
      continue;
    }
    const end = wrapLength + offset + 1;
    const spaceAt = lastSpace(offset, end) + offset;
    if (spaceAt >= offset) {
      out += sub(offset, spaceAt) + newLine;
      offset = spaceAt + 1;
    } else if (wrapLongWords) {
      out += sub(offset, wrapLength + offset) + newLine;
      offset += wrapLength;
    } else {
      const e = wrapLength + offset;
      let index = -1;
      for (let i = e; i < len; i++) {
        if (b[i] === 0x20) {
          index = i - e;
          break;
        }
      }
      if (index === -1) {
        out += sub(offset, len);
        offset = len;
      } else {
        out += sub(offset, index + e) + newLine;
        offset = index + e + 1;
      }
    }
  }
  return out + sub(offset, len);
}

// ---- xstrings case conversion -----------------------------------------------------------------

const isConnector = (c: string): boolean => c === '-' || c === '_' || isSpaceRune(c.codePointAt(0)!);
/** xstrings' isAlphabet: letters, minus CJK ideographs. */
function isAlphabet(c: string): boolean {
  if (!isLetter(c)) return false;
  return !/^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]$/u.test(c);
}

export function camelcase(str: string): string {
  const rs = [...str];
  if (rs.length === 0) return '';
  let out = '';
  let i = 0;
  let r0 = '';
  while (i < rs.length) {
    r0 = rs[i++]!;
    if (!isConnector(r0)) {
      r0 = toUpperRune(r0);
      break;
    }
    out += r0;
  }
  if (i >= rs.length) {
    // Only connectors, or a single leading word character: xstrings writes the last rune again.
    return out + r0;
  }
  while (i < rs.length) {
    const r1 = r0;
    r0 = rs[i++]!;
    if (isConnector(r0) && isConnector(r1)) {
      out += r1;
      continue;
    }
    if (isConnector(r1)) r0 = toUpperRune(r0);
    else {
      r0 = toLowerRune(r0);
      out += r1;
    }
  }
  return out + r0;
}

type WordType = 'invalid' | 'number' | 'upper' | 'alphabet' | 'connector' | 'punct' | 'other';

function nextWord(rs: string[], start: number): { wt: WordType; word: string; next: number } {
  if (start >= rs.length) return { wt: 'invalid', word: '', next: start };
  let i = start;
  const r = rs[i++]!;
  let wt: WordType;
  if (isConnector(r)) {
    wt = 'connector';
    while (i < rs.length && isConnector(rs[i]!)) i++;
  } else if (isPunct(r)) {
    wt = 'punct';
    while (i < rs.length && isPunct(rs[i]!)) i++;
  } else if (isUpper(r)) {
    wt = 'upper';
    if (i < rs.length) {
      if (isUpper(rs[i]!)) {
        while (i < rs.length && isUpper(rs[i]!)) i++;
        // "HTTPServer": the last upper letter starts the next word.
        if (i < rs.length && isAlphabet(rs[i]!)) i--;
      } else if (isAlphabet(rs[i]!)) {
        while (i < rs.length && isAlphabet(rs[i]!) && !isUpper(rs[i]!)) i++;
      }
    }
  } else if (isAlphabet(r)) {
    wt = 'alphabet';
    while (i < rs.length && isAlphabet(rs[i]!) && !isUpper(rs[i]!)) i++;
  } else if (isNumber(r)) {
    wt = 'number';
    while (i < rs.length && isNumber(rs[i]!)) i++;
  } else {
    wt = 'other';
    while (i < rs.length && !(isConnector(rs[i]!) || isAlphabet(rs[i]!) || isNumber(rs[i]!) || isPunct(rs[i]!))) i++;
  }
  return { wt, word: rs.slice(start, i).join(''), next: i };
}

function lowerWord(wt: WordType, word: string, connector: string): string {
  if (wt !== 'upper' && wt !== 'connector') return word;
  return mapRunes(word, (c) => (isConnector(c) ? connector : isUpper(c) ? toLowerRune(c) : c));
}

function camelCaseToLowerCase(str: string, connector: string): string {
  const rs = [...str];
  if (rs.length === 0) return '';
  let out = '';
  let { wt, word, next }: { wt: WordType; word: string; next: number } = nextWord(rs, 0);
  while (next < rs.length) {
    if (wt !== 'connector') out += lowerWord(wt, word, connector);
    const prev = wt;
    const last = word;
    ({ wt, word, next } = nextWord(rs, next));
    switch (prev) {
      case 'number':
        while (wt === 'alphabet' || wt === 'number') {
          out += lowerWord(wt, word, connector);
          ({ wt, word, next } = nextWord(rs, next));
        }
        if (wt !== 'invalid' && wt !== 'punct' && wt !== 'connector') out += connector;
        break;
      case 'connector':
        out += lowerWord(prev, last, connector);
        break;
      case 'punct':
        break;
      default: {
        if (wt !== 'number') {
          if (wt !== 'connector' && wt !== 'punct') out += connector;
          break;
        }
        if (next >= rs.length) break;
        const lastNum = word;
        ({ wt, word, next } = nextWord(rs, next));
        if (wt !== 'alphabet') {
          out += lowerWord('number', lastNum, connector);
          if (wt !== 'connector' && wt !== 'punct') out += connector;
          break;
        }
        out += connector + lowerWord('number', lastNum, connector);
        while (wt === 'alphabet' || wt === 'number') {
          out += lowerWord(wt, word, connector);
          ({ wt, word, next } = nextWord(rs, next));
        }
        if (wt !== 'invalid' && wt !== 'connector' && wt !== 'punct') out += connector;
      }
    }
  }
  return out + lowerWord(wt, word, connector);
}

// ---- the functions ------------------------------------------------------------------------------

const n = (v: GoValue): number => Number((v as GoInt).v);
const s = (v: GoValue): string => v as string;

function quote(...args: GoValue[]): string {
  return args.filter((a) => a !== null && a !== undefined).map((a) => quoteGo(strval(a))).join(' ');
}

function squote(...args: GoValue[]): string {
  return args.filter((a) => a !== null && a !== undefined).map((a) => sprintf("'%v'", [a])).join(' ');
}

function cat(...args: GoValue[]): string {
  const vs = args.filter((a) => a !== null && a !== undefined);
  return sprintf('%v '.repeat(vs.length).trim(), vs);
}

function indent(spaces: number, v: string): string {
  const pad = ' '.repeat(Math.max(0, spaces));
  return pad + v.split('\n').join('\n' + pad);
}

function repeat(count: number, str: string): string {
  if (count < 0) fail('strings: negative Repeat count');
  return str.repeat(count);
}

/** strings.Split (sep "" splits into UTF-8 sequences). */
export function goSplit(str: string, sep: string, n = -1): string[] {
  if (n === 0) return [];
  if (sep === '') {
    const rs = [...str];
    if (n < 0 || n >= rs.length) return rs;
    return [...rs.slice(0, n - 1), rs.slice(n - 1).join('')];
  }
  const parts = str.split(sep);
  if (n < 0 || parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

function splitMap(parts: string[]): GoMap {
  const m = new Map<string, GoValue>();
  parts.forEach((p, i) => m.set(`_${i}`, p));
  return new GoMap(m, 'string');
}

/** strconv.Atoi: decimal only, optional sign; errors give 0 in sprig's wrapper. */
function atoi(a: string): GoInt {
  if (!/^[+-]?\d+$/.test(a)) return int(0);
  const v = BigInt(a);
  return v >= -(1n << 63n) && v < 1n << 63n ? int(v) : int(0);
}

/** strings.Replace(src, old, new, -1); an empty old inserts at every rune boundary. */
function replaceAll(src: string, old: string, nw: string): string {
  if (old === '') return nw + [...src].join(nw) + (src === '' ? '' : nw);
  return src.split(old).join(nw);
}

function plural(one: string, many: string, count: number): string {
  return count === 1 ? one : many;
}

function randomFrom(alphabet: string, count: number): string {
  if (count < 0) fail(`Requested random string length ${count} is less than 0.`);
  const bytes = new Uint32Array(count);
  globalThis.crypto.getRandomValues(bytes);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}
const ALPHA = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const NUM = '0123456789';
const ASCII = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join('');

function shuffle(str: string): string {
  const rs = [...str];
  for (let i = rs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [rs[i], rs[j]] = [rs[j]!, rs[i]!];
  }
  return rs.join('');
}

export const stringFuncs: Record<string, FuncDef> = {
  abbrev: def(['int', 'string'], (w, v) => abbrev(n(w), s(v))),
  abbrevboth: def(['int', 'int', 'string'], (l, r, v) => abbrevboth(n(l), n(r), s(v))),
  trunc: def(['int', 'string'], (c, v) => trunc(n(c), s(v))),
  trim: def(['string'], (v) => trimSpace(s(v))),
  upper: def(['string'], (v) => goUpper(s(v))),
  lower: def(['string'], (v) => goLower(s(v))),
  title: def(['string'], (v) => title(s(v))),
  untitle: def(['string'], (v) => uncapitalize(s(v))),
  substr: def(['int', 'int', 'string'], (a, b, v) => substr(n(a), n(b), s(v))),
  repeat: def(['int', 'string'], (c, v) => repeat(n(c), s(v))),
  trimall: def(['string', 'string'], (a, b) => trimCutset(s(b), s(a))),
  trimAll: def(['string', 'string'], (a, b) => trimCutset(s(b), s(a))),
  trimSuffix: def(['string', 'string'], (a, b) => (s(b).endsWith(s(a)) ? s(b).slice(0, s(b).length - s(a).length) : s(b))),
  trimPrefix: def(['string', 'string'], (a, b) => (s(b).startsWith(s(a)) ? s(b).slice(s(a).length) : s(b))),
  nospace: def(['string'], (v) => deleteWhiteSpace(s(v))),
  initials: def(['string'], (v) => initials(s(v))),
  randAlphaNum: def(['int'], (c) => randomFrom(ALPHA + NUM, n(c))),
  randAlpha: def(['int'], (c) => randomFrom(ALPHA, n(c))),
  randAscii: def(['int'], (c) => randomFrom(ASCII, n(c))),
  randNumeric: def(['int'], (c) => randomFrom(NUM, n(c))),
  swapcase: def(['string'], (v) => swapCase(s(v))),
  shuffle: def(['string'], (v) => shuffle(s(v))),
  snakecase: def(['string'], (v) => camelCaseToLowerCase(s(v), '_')),
  camelcase: def(['string'], (v) => camelcase(s(v))),
  kebabcase: def(['string'], (v) => camelCaseToLowerCase(s(v), '-')),
  wrap: def(['int', 'string'], (l, v) => wrapCustom(s(v), n(l), '', false)),
  wrapWith: def(['int', 'string', 'string'], (l, sep, v) => wrapCustom(s(v), n(l), s(sep), true)),
  contains: def(['string', 'string'], (sub, v) => s(v).includes(s(sub))),
  hasPrefix: def(['string', 'string'], (sub, v) => s(v).startsWith(s(sub))),
  hasSuffix: def(['string', 'string'], (sub, v) => s(v).endsWith(s(sub))),
  quote: def([], quote, 'any'),
  squote: def([], squote, 'any'),
  cat: def([], cat, 'any'),
  indent: def(['int', 'string'], (sp, v) => indent(n(sp), s(v))),
  nindent: def(['int', 'string'], (sp, v) => '\n' + indent(n(sp), s(v))),
  replace: def(['string', 'string', 'string'], (o, nw, src) => replaceAll(s(src), s(o), s(nw))),
  plural: def(['string', 'string', 'int'], (one, many, c) => plural(s(one), s(many), n(c))),
  toString: def(['any'], (v) => strval(v)),
  atoi: def(['string'], (a) => atoi(s(a))),
  split: def(['string', 'string'], (sep, orig) => splitMap(goSplit(s(orig), s(sep)))),
  splitList: def(['string', 'string'], (sep, orig) => strings(goSplit(s(orig), s(sep)))),
  splitn: def(['string', 'int', 'string'], (sep, c, orig) => splitMap(goSplit(s(orig), s(sep), n(c)))),
  toStrings: def(['any'], (v) => strings(strslice(v))),
  join: def(['string', 'any'], (sep, v) => strslice(v).join(s(sep))),
  hello: def([], () => 'Hello!'),
};
