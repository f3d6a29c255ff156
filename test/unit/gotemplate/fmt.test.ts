// Go's fmt through printf/print/println and value printing. Expected strings come from Go 1.19.

import { describe, expect, it } from 'vitest';
import { render } from './helpers.js';

const V = 'l: [3, 1, 2]\nstrs: [b, a, c]\nm: {b: 2, a: 1, c: {d: [1, 2]}}\nnul: ~';
const r = (t: string): string => render(t, V);

describe('printf', () => {
  it('formats integers', () => {
    expect(r('{{ printf "%5d|%-5d|%05d|%x|%X|%o|%b|%c|%q|%U" 42 42 42 255 255 8 5 65 65 65 }}')).toBe('   42|42   |00042|ff|FF|10|101|A|\'A\'|U+0041');
    expect(r('{{ printf "%+d|% d|%-08d|%+08d|%.0d|%#o|%#b|%x" 5 5 5 -5 0 8 5 -255 }}')).toBe('+5| 5|5       |-0000005||010|0b101|-ff');
  });

  it('formats floats with Go rounding (half to even on exact ties)', () => {
    expect(r('{{ printf "%.2f|%8.3f|%-8.2f|%e|%E|%g|%G|%.3g|%10.4e" 3.14159 2.5 1.0 123456.789 0.000123 1e20 1e-7 3.14159 12345.6789 }}')).toBe(
      '3.14|   2.500|1.00    |1.234568e+05|1.230000E-04|1e+20|1E-07|3.14|1.2346e+04',
    );
    expect(r('{{ printf "%.2f %.2f %.2f %.0f %.0f %.0f %.1f" 0.125 0.375 1.005 0.5 1.5 2.5 0.25 }}')).toBe('0.12 0.38 1.00 0 2 2 0.2');
    expect(r('{{ printf "%v %v %v %v %v %v %v" 1e6 1e-5 123456789.0 1234567.0 100000.0 0.1 -2.5e-10 }}')).toBe(
      '1e+06 1e-05 1.23456789e+08 1.234567e+06 100000 0.1 -2.5e-10',
    );
    expect(r('{{ printf "%6.2v|%+.1e|%08.3f|%x" 3.14159 12345.0 -3.14159 3.5 }}')).toBe('   3.1|+1.2e+04|-003.142|0x1.cp+01');
  });

  it('formats strings', () => {
    expect(r('{{ printf "%s|%10s|%-10s|%.2s|%q|%x|% x|%#x|%+q" "héllo" "ab" "ab" "héllo" "a\\tb\\u00e9" "hi" "hi" "hi" "héllo" }}')).toBe(
      'héllo|        ab|ab        |hé|"a\\tbé"|6869|68 69|0x6869|"h\\u00e9llo"',
    );
    expect(r('{{ printf "%5s|%-5s|%5.1s" "é" "日本" "日本" }}')).toBe('    é|日本   |    日');
    expect(r('{{ printf "%q %+q %#q" "日本" "日本" "x`y" }}')).toBe('"日本" "\\u65e5\\u672c" "x`y"');
  });

  it('formats containers element-wise', () => {
    expect(r('{{ printf "%v|%+v|%#v|%T" .m .m .m .m }}')).toBe(
      'map[a:1 b:2 c:map[d:[1 2]]]|map[a:1 b:2 c:map[d:[1 2]]]|map[string]interface {}{"a":1, "b":2, "c":map[string]interface {}{"d":[]interface {}{1, 2}}}|map[string]interface {}',
    );
    expect(r('{{ printf "%d %s" (list 1 2) (list "a" 3) }}')).toBe('[1 2] [a %!s(int=3)]');
    expect(r('{{ printf "%q" (list "a" 1) }}')).toBe('["a" \'\\x01\']');
    expect(r('{{ printf "%s" (list 1 nil) }}')).toBe('[%!s(int=1) <nil>]');
  });

  it('reports bad verbs, missing and extra arguments like Go', () => {
    expect(r('{{ printf "%s" 1 }} {{ printf "%d" "x" }} {{ printf "%d" }} {{ printf "x" 1 }} {{ printf "%!" }} {{ printf "%z" 3 }}')).toBe(
      '%!s(int=1) %!d(string=x) %!d(MISSING) x%!(EXTRA int=1) %!!(MISSING) %!z(int=3)',
    );
    expect(r('{{ printf "%[2]d %[1]d" 1 2 }}|{{ printf "%*d|%-*d" 5 1 4 2 }}|{{ printf "%.*f" 2 3.14159 }}|{{ printf "%[3]d" 1 }}|{{ printf "%" }}')).toBe(
      '2 1|    1|2   |3.14|%!d(BADINDEX)|%!(NOVERB)',
    );
    expect(r('{{ printf "%s" nil }}|{{ printf "%d" 1.5 }}|{{ printf "%t" true }}')).toBe('%!s(<nil>)|%!d(float64=1.5)|true');
  });
});

describe('print and println', () => {
  it('adds spaces between non-string operands only', () => {
    expect(r('{{ print 1 2 "a" "b" 3 nil }}|{{ println 1 "a" }}|{{ print "a" 1 2 "b" }}')).toBe('1 2ab3 <nil>|1 a\n|a1 2b');
    expect(r('{{ print .l .l }}|{{ print }}')).toBe('[3 1 2] [3 1 2]|');
  });
});

describe('escapers', () => {
  it('escapes for html, js and URL queries', () => {
    expect(r('{{ html "<a href=\'x\'>&" }}|{{ js "a\'b\\"c<d>\\u00e9\\n=" }}|{{ urlquery "a b&c=d/é" }}')).toBe(
      '&lt;a href=&#39;x&#39;&gt;&amp;|a\\\'b\\"c\\u003Cd\\u003Eé\\u000A\\u003D|a+b%26c%3Dd%2F%C3%A9',
    );
    expect(r('{{ html "a<b" 1 }}|{{ js "x" 1 }}|{{ urlquery "a b" "c" }}')).toBe('a&lt;b1|x1|a+bc');
  });
});
