// sprig's regex functions over Go regexp (RE2) semantics: the pattern is translated to a
// JavaScript RegExp (named groups, leading flags, \z, \A, POSIX classes, ASCII \s), and matching
// loops, replacement expansion ($1, ${name}) and Split follow Go's rules for empty matches.

import { type FuncDef, GoInt, type GoValue } from '../value.js';
import { def, fail, strings } from './util.js';

const POSIX: Record<string, string> = {
  alpha: 'A-Za-z', digit: '0-9', alnum: 'A-Za-z0-9', space: '\\t\\n\\v\\f\\r ', upper: 'A-Z', lower: 'a-z',
  punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9A-Fa-f', word: '\\w', blank: '\\t ', cntrl: '\\x00-\\x1f\\x7f',
  print: ' -~', graph: '!-~', ascii: '\\x00-\\x7f',
};
const JS_SYNTAX = new Set([...'^$\\.*+?()[]{}|/']);

class RegexSyntaxError extends Error {}

/** Translates an RE2 pattern to a JavaScript RegExp (global, unicode). */
export function compileGoRegex(pattern: string): RegExp {
  let flags = 'gu';
  let src = pattern;
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    if (lead[1]!.includes('U')) throw new RegexSyntaxError('ungreedy flag (?U) is not supported');
    for (const f of lead[1]!) if (!flags.includes(f)) flags += f;
    src = src.slice(lead[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const e = src[i + 1];
      if (e === undefined) throw new RegexSyntaxError('trailing backslash at end of expression');
      i++;
      if (e === 'Q') {
        const end = src.indexOf('\\E', i + 1);
        const lit = end < 0 ? src.slice(i + 1) : src.slice(i + 1, end);
        out += lit.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end < 0 ? src.length : end + 1;
        continue;
      }
      if (e === 'z') out += inClass ? 'z' : '(?![\\s\\S])';
      else if (e === 'A') out += inClass ? 'A' : '(?<![\\s\\S])';
      else if (e === 's') out += inClass ? '\\t\\n\\f\\r ' : '[\\t\\n\\f\\r ]';
      else if (e === 'S') out += inClass ? '' : '[^\\t\\n\\f\\r ]';
      else if (e === 'p' || e === 'P') {
        if (src[i + 1] === '{') {
          const end = src.indexOf('}', i);
          out += '\\' + e + src.slice(i + 1, end + 1);
          i = end;
        } else {
          out += `\\${e}{${src[i + 1]}}`;
          i++;
        }
      } else if (/[A-Za-z0-9]/.test(e)) out += '\\' + e;
      else if (JS_SYNTAX.has(e) || (inClass && e === '-')) out += '\\' + e;
      else out += e === '-' ? '\\x2d' : e;
      continue;
    }
    if (inClass) {
      if (c === '[' && src[i + 1] === ':') {
        const end = src.indexOf(':]', i + 2);
        const name = end > 0 ? src.slice(i + 2, end) : '';
        if (Object.hasOwn(POSIX, name)) {
          out += POSIX[name];
          i = end + 1;
          continue;
        }
      }
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (src[i + 1] === '^') out += src[++i];
      if (src[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && src.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
      continue;
    }
    if (c === '(' && src[i + 1] === '?' && /[imsU-]/.test(src[i + 2] ?? '')) {
      throw new RegexSyntaxError('inline flags are only supported at the start of the pattern');
    }
    out += c;
  }
  try {
    return new RegExp(out, flags);
  } catch (e) {
    throw new RegexSyntaxError(goRegexErrorCode((e as Error).message));
  }
}

/** Maps a JavaScript RegExp syntax error to Go's regexp/syntax error code. */
function goRegexErrorCode(msg: string): string {
  const codes: [RegExp, string][] = [
    [/Unterminated group/i, 'missing closing )'],
    [/Unmatched '\)'/i, 'unexpected )'],
    [/Unterminated character class/i, 'missing closing ]'],
    [/Nothing to repeat/i, 'missing argument to repetition operator'],
    [/out of order in character class/i, 'invalid character class range'],
    [/out of order in \{\}/i, 'invalid repeat count'],
    [/capture group name/i, 'invalid named capture'],
    [/escape/i, 'invalid escape sequence'],
  ];
  for (const [re, code] of codes) if (re.test(msg)) return code;
  return msg.replace(/^Invalid regular expression: /, '');
}

function compileOrError(pattern: string): RegExp {
  try {
    return compileGoRegex(pattern);
  } catch (e) {
    return fail(`error parsing regexp: ${(e as Error).message}: \`${pattern}\``);
  }
}

/** regexp.MustCompile's panic text. */
function mustCompile(pattern: string): RegExp {
  try {
    return compileGoRegex(pattern);
  } catch (e) {
    const q = /^[^`\r\n]*$/.test(pattern) ? '`' + pattern + '`' : JSON.stringify(pattern);
    return fail(`regexp: Compile(${q}): error parsing regexp: ${(e as Error).message}: \`${pattern}\``);
  }
}

const runeWidth = (s: string, i: number): number => (i >= s.length ? 0 : s.codePointAt(i)! > 0xffff ? 2 : 1);

function execAt(re: RegExp, s: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(s);
}

/** FindAllStringIndex with Go's empty-match rules. */
function allMatches(re: RegExp, s: string, n: number): RegExpExecArray[] {
  if (n < 0) n = s.length + 1;
  const out: RegExpExecArray[] = [];
  let pos = 0;
  let prevEnd = -1;
  while (out.length < n && pos <= s.length) {
    const m = execAt(re, s, pos);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    let accept = true;
    if (end === pos) {
      if (start === prevEnd) accept = false;
      pos += pos < s.length ? runeWidth(s, pos) : 1;
    } else pos = end;
    prevEnd = end;
    if (accept) out.push(m);
  }
  return out;
}

/** Regexp.Expand: $1, ${1}, $name, ${name}, $$. */
function expand(template: string, m: RegExpExecArray): string {
  return template.replace(/\$(\$|\{([A-Za-z0-9_]*)\}|([A-Za-z0-9_]+))/g, (all, tok, braced, plain) => {
    if (tok === '$') return '$';
    const name = braced ?? plain;
    if (braced !== undefined && name === '') return all;
    if (/^\d+$/.test(name)) return m[Number(name)] ?? '';
    return m.groups?.[name] ?? '';
  });
}

function replaceAll(re: RegExp, src: string, repl: (m: RegExpExecArray) => string): string {
  let out = '';
  let lastEnd = 0;
  let pos = 0;
  while (pos <= src.length) {
    const m = execAt(re, src, pos);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    out += src.slice(lastEnd, start);
    if (end > lastEnd || start === 0) out += repl(m);
    lastEnd = end;
    const w = runeWidth(src, pos);
    if (pos + w > end) pos += w;
    else if (pos + 1 > end) pos++;
    else pos = end;
  }
  return out + src.slice(lastEnd);
}

function split(re: RegExp, pattern: string, s: string, n: number): string[] {
  if (n === 0) return [];
  if (pattern.length > 0 && s.length === 0) return [''];
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of allMatches(re, s, n)) {
    if (n > 0 && out.length === n - 1) break;
    end = m.index;
    if (m.index + m[0].length !== 0) out.push(s.slice(beg, end));
    beg = m.index + m[0].length;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

const quoteMeta = (s: string): string => s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');

const str = (v: GoValue): string => v as string;
const num = (v: GoValue): number => Number((v as GoInt).v);

type Compile = (p: string) => RegExp;
const regexFns = (compile: Compile) => ({
  findAll: (r: GoValue, s: GoValue, n: GoValue) => strings(allMatches(compile(str(r)), str(s), num(n)).map((m) => m[0])),
  find: (r: GoValue, s: GoValue) => execAt(compile(str(r)), str(s), 0)?.[0] ?? '',
  replaceAll: (r: GoValue, s: GoValue, t: GoValue) => replaceAll(compile(str(r)), str(s), (m) => expand(str(t), m)),
  replaceAllLiteral: (r: GoValue, s: GoValue, t: GoValue) => replaceAll(compile(str(r)), str(s), () => str(t)),
  split: (r: GoValue, s: GoValue, n: GoValue) => strings(split(compile(str(r)), str(r), str(s), num(n))),
});

const panicking = regexFns(mustCompile);
const erroring = regexFns(compileOrError);

export const regexFuncs: Record<string, FuncDef> = {
  regexMatch: def(['string', 'string'], (r, s) => {
    try {
      return execAt(compileGoRegex(str(r)), str(s), 0) !== null;
    } catch {
      return false;
    }
  }),
  mustRegexMatch: def(['string', 'string'], (r, s) => execAt(compileOrError(str(r)), str(s), 0) !== null),
  regexFindAll: def(['string', 'string', 'int'], panicking.findAll),
  mustRegexFindAll: def(['string', 'string', 'int'], erroring.findAll),
  regexFind: def(['string', 'string'], panicking.find),
  mustRegexFind: def(['string', 'string'], erroring.find),
  regexReplaceAll: def(['string', 'string', 'string'], panicking.replaceAll),
  mustRegexReplaceAll: def(['string', 'string', 'string'], erroring.replaceAll),
  regexReplaceAllLiteral: def(['string', 'string', 'string'], panicking.replaceAllLiteral),
  mustRegexReplaceAllLiteral: def(['string', 'string', 'string'], erroring.replaceAllLiteral),
  regexSplit: def(['string', 'string', 'int'], panicking.split),
  mustRegexSplit: def(['string', 'string', 'int'], erroring.split),
  regexQuoteMeta: def(['string'], (s) => quoteMeta(str(s))),
};
