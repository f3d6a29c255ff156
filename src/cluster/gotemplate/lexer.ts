// Tokenizer for Go text/template source, with Go's rules for `{{-`/`-}}` trim markers, comments,
// and the token classes the parser needs. Error tokens carry Go's lexer messages verbatim.

import { quoteGo } from './fmt.js';

export type TokenType =
  | 'error' | 'bool' | 'char' | 'charConstant' | 'comment' | 'complex' | 'assign' | 'declare' | 'eof'
  | 'field' | 'identifier' | 'leftDelim' | 'leftParen' | 'number' | 'pipe' | 'rawString'
  | 'rightDelim' | 'rightParen' | 'space' | 'string' | 'text' | 'variable'
  // keywords
  | 'block' | 'break' | 'continue' | 'dot' | 'define' | 'else' | 'end' | 'if' | 'nil' | 'range'
  | 'template' | 'with';

export interface Token {
  type: TokenType;
  /** Offset (UTF-16 index) of the token in the source. */
  pos: number;
  val: string;
  /** 1-based line where the token starts. */
  line: number;
}

const KEYWORDS: Partial<Record<string, TokenType>> = {
  '.': 'dot', block: 'block', break: 'break', continue: 'continue', define: 'define', else: 'else',
  end: 'end', if: 'if', range: 'range', nil: 'nil', template: 'template', with: 'with',
};

export const isKeyword = (t: TokenType): boolean =>
  ['block', 'break', 'continue', 'dot', 'define', 'else', 'end', 'if', 'nil', 'range', 'template', 'with'].includes(t);

const LEFT = '{{';
const RIGHT = '}}';
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const ALNUM = /^[\p{L}\p{Nd}_]$/u;
const isAlphaNumeric = (c: string | undefined): boolean => c !== undefined && ALNUM.test(c);
const hasLeftTrimMarker = (s: string, i: number): boolean => s[i] === '-' && isSpace(s[i + 1]);
const hasRightTrimMarker = (s: string, i: number): boolean => isSpace(s[i]) && s[i + 1] === '-';
const isAsciiPrint = (c: string): boolean => c >= ' ' && c <= '~';

/** Go's %#U of a character, e.g. U+0029 ')'. */
function unicodeName(c: string): string {
  const cp = c.codePointAt(0)!;
  const hex = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
  return cp >= 0x20 && cp !== 0x7f ? `${hex} '${c}'` : hex;
}

export function lex(input: string, opts: { breakOK: boolean; continueOK: boolean }): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let start = 0;
  let line = 1;
  let startLine = 1;
  let parenDepth = 0;

  const countNL = (a: number, b: number): number => {
    let n = 0;
    for (let k = a; k < b; k++) if (input.charCodeAt(k) === 10) n++;
    return n;
  };
  const emit = (type: TokenType): void => {
    tokens.push({ type, pos: start, val: input.slice(start, pos), line: startLine });
    line = startLine + countNL(start, pos);
    start = pos;
    startLine = line;
  };
  const ignore = (): void => {
    line = startLine + countNL(start, pos);
    start = pos;
    startLine = line;
  };
  const error = (msg: string): void => {
    tokens.push({ type: 'error', pos: start, val: msg, line: startLine });
  };
  // The current line while scanning inside a token (Go's lexer tracks it per rune).
  const peekChar = (): string | undefined => (pos < input.length ? charAt(input, pos) : undefined);
  const next = (): string | undefined => {
    const c = peekChar();
    if (c !== undefined) pos += c.length;
    return c;
  };
  /** Scans to the closing `quote` of a quoted string or character constant (escapes honoured). */
  const scanQuoted = (quote: string, unterminated: string): boolean => {
    for (;;) {
      const d = next();
      if (d === '\\') {
        const e = next();
        if (e !== undefined && e !== '\n') continue;
      }
      if (d === undefined || d === '\n' || d === '\\') {
        error(unterminated);
        return false;
      }
      if (d === quote) return true;
    }
  };
  const atRightDelim = (): { delim: boolean; trim: boolean } => {
    if (hasRightTrimMarker(input, pos) && input.startsWith(RIGHT, pos + 2)) return { delim: true, trim: true };
    if (input.startsWith(RIGHT, pos)) return { delim: true, trim: false };
    return { delim: false, trim: false };
  };
  const atTerminator = (): boolean => {
    const c = peekChar();
    if (c === undefined || isSpace(c)) return true;
    if ('.,|:)('.includes(c)) return true;
    return input.startsWith(RIGHT, pos);
  };

  // Returns false when lexing must stop (error or EOF emitted).
  const lexText = (): 'action' | 'done' => {
    const x = input.indexOf(LEFT, pos);
    if (x >= 0) {
      pos = x;
      let trimLen = 0;
      if (hasLeftTrimMarker(input, pos + LEFT.length)) {
        const before = input.slice(start, pos);
        trimLen = before.length - before.replace(/[ \t\r\n]+$/, '').length;
      }
      pos -= trimLen;
      if (pos > start) {
        startLine = line;
        emit('text');
      }
      pos += trimLen;
      ignore();
      return 'action';
    }
    pos = input.length;
    if (pos > start) emit('text');
    emit('eof');
    return 'done';
  };

  // After `{{`: either a comment (consumed whole) or the start of an action.
  const lexLeftDelim = (): 'text' | 'inside' | 'stop' => {
    pos += LEFT.length;
    const trim = hasLeftTrimMarker(input, pos);
    const after = trim ? 2 : 0;
    if (input.startsWith('/*', pos + after)) {
      pos += after;
      ignore();
      pos += 2;
      const i = input.indexOf('*/', pos);
      if (i < 0) {
        error('unclosed comment');
        return 'stop';
      }
      pos = i + 2;
      const rd = atRightDelim();
      if (!rd.delim) {
        error('comment ends before closing delimiter');
        return 'stop';
      }
      if (rd.trim) pos += 2;
      pos += RIGHT.length;
      if (rd.trim) while (isSpace(input[pos])) pos++;
      ignore();
      return 'text';
    }
    emit('leftDelim');
    pos += after;
    ignore();
    parenDepth = 0;
    return 'inside';
  };

  const lexRightDelim = (): void => {
    const trim = hasRightTrimMarker(input, pos);
    if (trim) {
      pos += 2;
      ignore();
    }
    pos += RIGHT.length;
    emit('rightDelim');
    if (trim) {
      while (isSpace(input[pos])) pos++;
      ignore();
    }
  };

  const scanNumber = (): boolean => {
    const accept = (valid: string): boolean => {
      const c = peekChar();
      if (c !== undefined && valid.includes(c)) {
        pos += c.length;
        return true;
      }
      return false;
    };
    const acceptRun = (valid: string): void => {
      while (accept(valid));
    };
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    accept('i');
    if (isAlphaNumeric(peekChar())) {
      next();
      return false;
    }
    return true;
  };

  // Inside an action: emits tokens until the right delimiter; false on error.
  const lexInsideAction = (): boolean => {
    for (;;) {
      const rd = atRightDelim();
      if (rd.delim) {
        if (parenDepth === 0) {
          lexRightDelim();
          return true;
        }
        error('unclosed left paren');
        return false;
      }
      startLine = line;
      const c = next();
      if (c === undefined) {
        error('unclosed action');
        return false;
      }
      if (isSpace(c)) {
        pos -= c.length;
        // a run of spaces; stop before " -}}" so the trim marker is seen
        let n = 0;
        while (isSpace(input[pos])) {
          pos++;
          n++;
        }
        if (hasRightTrimMarker(input, pos - 1) && input.startsWith(RIGHT, pos + 1)) {
          pos--;
          if (n === 1) continue; // the space belongs to the trim marker
        }
        emit('space');
        continue;
      }
      switch (c) {
        case '=':
          emit('assign');
          continue;
        case ':':
          if (next() !== '=') {
            error('expected :=');
            return false;
          }
          emit('declare');
          continue;
        case '|':
          emit('pipe');
          continue;
        case '"':
          if (!scanQuoted('"', 'unterminated quoted string')) return false;
          emit('string');
          continue;
        case '`': {
          const close = input.indexOf('`', pos);
          if (close < 0) {
            error('unterminated raw quoted string');
            return false;
          }
          pos = close + 1;
          emit('rawString');
          continue;
        }
        case '$':
          if (!lexFieldOrVariable('variable')) return false;
          continue;
        case "'":
          if (!scanQuoted("'", 'unterminated character constant')) return false;
          emit('charConstant');
          continue;
        case '(':
          emit('leftParen');
          parenDepth++;
          continue;
        case ')':
          emit('rightParen');
          parenDepth--;
          if (parenDepth < 0) {
            error(`unexpected right paren ${unicodeName(c)}`);
            return false;
          }
          continue;
      }
      if (c === '.') {
        const d = input[pos];
        if (d === undefined || d < '0' || d > '9') {
          if (!lexFieldOrVariable('field')) return false;
          continue;
        }
      }
      if (c === '.' || c === '+' || c === '-' || (c >= '0' && c <= '9')) {
        pos -= c.length;
        if (!scanNumber()) {
          error(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`);
          return false;
        }
        const sign = peekChar();
        if (sign === '+' || sign === '-') {
          if (!scanNumber() || input[pos - 1] !== 'i') {
            error(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`);
            return false;
          }
          emit('complex');
        } else emit('number');
        continue;
      }
      if (isAlphaNumeric(c)) {
        while (isAlphaNumeric(peekChar())) next();
        const word = input.slice(start, pos);
        if (!atTerminator()) {
          error(`bad character ${unicodeName(peekChar()!)}`);
          return false;
        }
        const kw = Object.hasOwn(KEYWORDS, word) ? KEYWORDS[word] : undefined;
        if (kw && kw !== 'dot') {
          if ((kw === 'break' && !opts.breakOK) || (kw === 'continue' && !opts.continueOK)) emit('identifier');
          else emit(kw);
        } else if (word === 'true' || word === 'false') emit('bool');
        else emit('identifier');
        continue;
      }
      if (c.length === 1 && c.charCodeAt(0) <= 0x7f && isAsciiPrint(c)) {
        emit('char');
        continue;
      }
      error(`unrecognized character in action: ${unicodeName(c)}`);
      return false;
    }
  };

  // `.name` / `$name` (the leading rune has been consumed).
  const lexFieldOrVariable = (type: 'field' | 'variable'): boolean => {
    if (atTerminator()) {
      emit(type === 'variable' ? 'variable' : 'dot');
      return true;
    }
    while (isAlphaNumeric(peekChar())) next();
    if (!atTerminator()) {
      error(`bad character ${unicodeName(peekChar()!)}`);
      return false;
    }
    emit(type);
    return true;
  };

  for (;;) {
    if (lexText() === 'done') return tokens;
    const r = lexLeftDelim();
    if (r === 'stop') return tokens;
    if (r === 'inside' && !lexInsideAction()) return tokens;
  }
}

function charAt(s: string, i: number): string {
  const cp = s.codePointAt(i)!;
  return String.fromCodePoint(cp);
}

/** Go's item.String(), used in "unexpected X in Y" messages. */
export function tokenString(t: Token): string {
  if (t.type === 'eof') return 'EOF';
  if (t.type === 'error') return t.val;
  if (isKeyword(t.type)) return `<${t.val}>`;
  if ([...t.val].length > 10) return quoteGo([...t.val].slice(0, 10).join('')) + '...';
  return quoteGo(t.val);
}

