// The template language: actions, trimming, comments, variables, control structures, templates,
// pipelines, missing keys and truthiness. Expected outputs were checked against Go 1.19.

import { describe, expect, it } from 'vitest';
import { render } from './helpers.js';

const VALUES = `
s: str
l: [1, ~, "a"]
m: {b: 2, a: 1}
nul: ~
empty: []
i: 3
workers:
- devices: 0
- devices: [1, 2]
- {}
`;
const r = (tmpl: string, values = VALUES): string => render(tmpl, values);

describe('text and actions', () => {
  it('copies text and prints values', () => {
    expect(r('a {{ .s }} b')).toBe('a str b');
    expect(r('')).toBe('');
    expect(r('no actions\n')).toBe('no actions\n');
  });

  it('trims whitespace with {{- and -}}', () => {
    expect(r('a {{- 1 -}} b {{ 2 -}}\n\n c {{- 3 }} d')).toBe('a1b 2c3 d');
    expect(r('a\r\n{{- 1 -}}\r\n b')).toBe('a1b');
    expect(r('{{ if true -}}\n  yes\n{{- end }}')).toBe('yes');
    // without a space, "-" belongs to the number
    expect(r('{{-1}}')).toBe('-1');
    expect(r('{{ 1 -}}x')).toBe('1x');
  });

  it('drops comments, with or without trim markers', () => {
    expect(r('{{/* comment */}}x')).toBe('x');
    expect(r('a \n {{- /* c */ -}} \n b')).toBe('ab');
    expect(r('{{ 1 }}{{/* a\nb */}}{{ 2 }}')).toBe('12');
  });
});

describe('variables', () => {
  it('declares, reassigns and scopes variables', () => {
    expect(r('{{ $x := 1 }}{{ $x = 2 }}{{ $x }}')).toBe('2');
    expect(r('{{ $x := 1 }}{{ range .l }}{{ $x = . }}{{ end }}{{ $x }}')).toBe('a');
    expect(r('{{ $x := "outer" }}{{ with .m }}{{ $x := "inner" }}{{ $x }}{{ end }}{{ $x }}')).toBe('innerouter');
    expect(r('{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}')).toBe('2');
  });

  it('gives $ the root data everywhere', () => {
    expect(r('{{ range .l }}{{ $.s }}{{ end }}')).toBe('strstrstr');
    expect(r('{{ with .m }}{{ $.i }}{{ .a }}{{ end }}')).toBe('31');
  });

  it('declares variables in if/with pipelines', () => {
    expect(r('{{ if $x := .i }}{{ $x }}{{ end }}')).toBe('3');
    expect(r('{{ with $x := 0 }}A{{ else }}B{{ end }}')).toBe('B');
  });
});

describe('field and map access', () => {
  it('reads nested fields and map keys', () => {
    expect(r('{{ .m.a }}|{{ (index .m "b") }}|{{ $.m.b }}')).toBe('1|2|2');
    expect(r('{{ (dict "a" (dict "b" 5)).a.b }}')).toBe('5');
  });

  it('prints <no value> for missing keys (missingkey=default)', () => {
    expect(r('{{ .missing }}|{{ .missing.deeper }}|{{ $.Image }}')).toBe('<no value>|<no value>|<no value>');
    expect(r('{{ .nul }}|{{ print .nul }}|{{ print .missing }}')).toBe('<no value>|<nil>|<nil>');
  });
});

describe('range', () => {
  it('ranges over lists with index and value', () => {
    expect(r('{{ range $i, $v := .l }}{{ $i }}={{ $v }};{{ end }}')).toBe('0=1;1=<no value>;2=a;');
    expect(r('{{ range .l }}[{{ . }}]{{ end }}')).toBe('[1][<no value>][a]');
  });

  it('ranges over maps in sorted key order', () => {
    expect(r('{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ end }}')).toBe('a=1;b=2;');
    expect(r('{{ range $k, $v := dict "b" 1 "a" 2 "B" 3 "é" 4 "z" 5 }}{{ $k }}{{ end }}')).toBe('BabzГ©'.replace('Г©', 'é'));
  });

  it('runs {{else}} for empty or missing collections', () => {
    expect(r('{{ range .empty }}x{{ else }}empty{{ end }}')).toBe('empty');
    expect(r('{{ range .missing }}x{{ else }}empty{{ end }}')).toBe('empty');
    expect(r('{{ range .m }}{{ . }}{{ else }}empty{{ end }}')).toBe('12');
  });

  it('ranges over integers (Go 1.22+)', () => {
    expect(r('{{ range 3 }}{{ . }}{{ end }}')).toBe('012');
    expect(r('{{ range $i := 3 }}{{ $i }},{{ end }}')).toBe('0,1,2,');
    expect(r('{{ range 0 }}x{{ else }}none{{ end }}')).toBe('none');
    expect(r('{{ range $i := add 1 1 }}{{ typeOf $i }} {{ end }}')).toBe('int64 int64 ');
  });

  it('supports break and continue', () => {
    expect(r('{{ range list 1 2 3 4 }}{{ if eq . 1 }}{{ continue }}{{ end }}{{ if eq . 3 }}{{ break }}{{ end }}[{{ . }}]{{ end }}')).toBe('[2]');
    expect(r('{{ range until 10 }}{{ if gt . 2 }}{{ break }}{{ end }}{{ . }}{{ end }}')).toBe('012');
  });

  it('renders nvkind-style worker lists', () => {
    const tmpl = '{{- range $.workers }}\n- {{ if hasKey . "devices" }}{{ $d := .devices }}{{ if not (kindIs "slice" $d) }}{{ $d = list $d }}{{ end }}{{ range $d }}{{ . }} {{ end }}{{ else }}none{{ end }}\n{{- end }}';
    expect(r(tmpl)).toBe('\n- 0 \n- 1 2 \n- none');
  });
});

describe('if / with', () => {
  it('chains else if', () => {
    const t = '{{ if eq .i 1 }}one{{ else if eq .i 2 }}two{{ else if eq .i 3 }}three{{ else }}many{{ end }}';
    expect(r(t)).toBe('three');
    expect(r(t, 'i: 9')).toBe('many');
  });

  it('sets dot in with, and supports with/else and else with', () => {
    expect(r('{{ with .m }}{{ .a }}{{ end }}')).toBe('1');
    expect(r('{{ with .missing }}x{{ else }}y{{ end }}')).toBe('y');
    expect(r('{{ with .missing }}a{{ else with .m }}{{ .b }}{{ else }}c{{ end }}')).toBe('2');
    expect(r('{{ with .missing }}a{{ else with .nope }}b{{ else }}c{{ end }}')).toBe('c');
  });

  it('uses Go truthiness', () => {
    const t = (v: string): string => r(`{{ if ${v} }}T{{ else }}F{{ end }}`);
    expect([t('""'), t('0'), t('0.0'), t('false'), t('.empty'), t('(dict)'), t('.missing'), t('.nul')].join('')).toBe('FFFFFFFF');
    expect([t('"x"'), t('1'), t('-1'), t('0.5'), t('true'), t('.l'), t('.m'), t('(list 0)')].join('')).toBe('TTTTTTTT');
  });

  it('short-circuits and/or and returns the deciding value', () => {
    expect(r('{{ and 1 0 2 }}|{{ or 0 "" }}|{{ or 0 .s }}|{{ and 1 .missing }}|{{ not .missing }}')).toBe('0||str|<no value>|true');
    // the failing call is never evaluated
    expect(r('{{ or 1 (fail "no") }}|{{ and 0 (fail "no") }}')).toBe('1|0');
  });
});

describe('define / template / block', () => {
  it('defines and invokes templates with a dot', () => {
    expect(r('{{ define "item" }}<{{ . }}>{{ end }}{{ range .l }}{{ template "item" . }}{{ end }}')).toBe('<1><<no value>><a>');
    expect(r('{{ define "t" }}[{{ . }}]{{ end }}{{ template "t" .s }}{{ template "t" }}')).toBe('[str][<no value>]');
  });

  it('recurses', () => {
    expect(r('{{ define "rec" }}{{ if gt . 0 }}{{ . }}{{ template "rec" (sub . 1) }}{{ end }}{{ end }}{{ template "rec" 3 }}')).toBe('321');
  });

  it('defines and executes blocks in place', () => {
    expect(r('{{ block "b" .s }}[{{ . }}]{{ end }}|{{ template "b" "other" }}')).toBe('[str]|[other]');
  });

  it('gives a template its own $', () => {
    expect(r('{{ define "t" }}{{ $ }}{{ end }}{{ template "t" 5 }}')).toBe('5');
  });
});

describe('pipelines and calls', () => {
  it('passes the previous result as the last argument', () => {
    expect(r('{{ .s | printf "%q" }}|{{ .i | add 1 | mul 2 }}|{{ "x" | printf "%s-%s" "y" }}')).toBe('"str"|8|y-x');
    expect(r('{{ .s | upper | quote }}')).toBe('"STR"');
  });

  it('evaluates parenthesised calls and chains fields on them', () => {
    expect(r('{{ (list 1 2 3) }}|{{ (index .m "a") }}|{{ len (list 1 2) }}|{{ add (mul 2 3) (sub 5 1) }}')).toBe('[1 2 3]|1|2|10');
    expect(r('{{ (dict "a" 1).a }}')).toBe('1');
  });

  it('converts int64 to int where Go would reject the mismatch', () => {
    expect(r('{{ until (add 1 2) }}|{{ seq (int64 3) }}|{{ repeat (len .l | add 0) "x" }}')).toBe('[0 1 2]|1 2 3|xxx');
  });

  it('calls functions passed by the caller', () => {
    expect(render('{{ range $gpu := until numGPUs }}{{ $gpu }}{{ end }}', '', { funcs: { numGPUs: () => 4 } })).toBe('0123');
    expect(render('{{ hello }}', '', { funcs: { hello: () => 'hi' } })).toBe('Hello!'); // sprig wins, as in nvkind
    expect(render('{{ twice 21 }}', '', { funcs: { twice: (x) => Number((x as { v: bigint }).v) * 2 } })).toBe('42');
  });
});

describe('value printing', () => {
  it('prints lists, maps, nil and numbers like Go', () => {
    expect(r('{{ .l }}|{{ .m }}|{{ list 1 "a" nil (list 2) (dict "k" 1) }}')).toBe('[1 <nil> a]|map[a:1 b:2]|[1 a <nil> [2] map[k:1]]');
    expect(r('{{ 1.5 }}|{{ 1e6 }}|{{ 100000.0 }}|{{ 0.0001 }}|{{ 0.00001 }}|{{ 1e21 }}|{{ 123456789.0 }}|{{ -0.0 }}|{{ 0x1F }}|{{ \'a\' }}|{{ 1_000 }}')).toBe(
      '1.5|1e+06|100000|0.0001|1e-05|1e+21|1.23456789e+08|-0|31|97|1000',
    );
  });

  it('keeps YAML ints and floats apart', () => {
    expect(r('{{ .f }} {{ typeOf .f }} {{ .i }} {{ typeOf .i }} {{ div 7 2 }} {{ typeOf (until 2) }} {{ typeOf (list) }}', 'f: 1.0\ni: 1')).toBe(
      '1 float64 1 int 3 []int []interface {}',
    );
  });
});
