// The value model at the API boundary: YAML values as yaml.v2 + nvkind see them, plain JS data,
// caller functions, and the opt-in Helm extensions.

import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  type FuncDef, GoCallError, GoFloat, GoInt, GoMap, GoSlice, parseTemplate, parseValuesYaml, renderTemplate, TemplateError, toGo, toJS,
  valuesFromJS, valuesFromYamlDocument,
} from '../../../src/cluster/gotemplate/index.js';
import { render, renderError } from './helpers.js';

describe('YAML values (gopkg.in/yaml.v2 semantics)', () => {
  it('keeps ints and floats apart', () => {
    const v = parseValuesYaml('i: 1\nf: 1.0\ne: 1e3\nver: 1.10\nbig: 18446744073709551615\n') as GoMap;
    expect(v.entries.get('i')).toEqual(new GoInt(1));
    expect(v.entries.get('f')).toEqual(new GoFloat(1));
    expect(v.entries.get('e')).toEqual(new GoFloat(1000));
    expect(v.entries.get('ver')).toEqual(new GoFloat(1.1));
    expect(v.entries.get('big')).toEqual(new GoInt(18446744073709551615n, 'uint64'));
  });

  it('resolves YAML 1.1 scalars like yaml.v2', () => {
    const out = render(
      '{{ range $k, $v := . }}{{ $k }}={{ $v }}:{{ typeOf $v }} {{ end }}',
      'a: yes\nb: off\nc: 0777\nd: 0x1f\ne: 1_000\nf: 2024-01-02\ng: "1"\nh: ~\ni: .inf\nj: 0b101\nk: +5\nl: !!str 5\nm: !!float 3\n',
    );
    expect(out).toBe(
      'a=true:bool b=false:bool c=511:int d=31:int e=1000:int f=2024-01-02:string g=1:string h=<no value>:<nil> i=+Inf:float64 j=5:int k=5:int l=5:string m=3:float64 ',
    );
  });

  it('turns map keys into strings as nvkind does (n: is the bool false in YAML 1.1)', () => {
    expect(render('{{ range $k, $v := . }}{{ $k }}={{ $v }} {{ end }}', '1: a\ntrue: b\nn: c\n1.5: d\n')).toBe('1=a 1.5=d false=c true=b ');
  });

  it('resolves anchors, aliases and merge keys', () => {
    expect(render('{{ .b }}|{{ .c }}', 'a: &x {p: 1, q: 2}\nb: *x\nc: {<<: *x, q: 3, r: 4}\n')).toBe('map[p:1 q:2]|map[p:1 q:3 r:4]');
  });

  it('gives no data for an empty document', () => {
    expect(parseValuesYaml('')).toBeUndefined();
    expect(render('{{ . }}|{{ .x }}', '')).toBe('<no value>|<no value>');
  });

  it('converts a parsed yaml Document', () => {
    const doc = parseDocument('workers:\n- devices: [0, 1]\n', { version: '1.1' });
    expect(renderTemplate('{{ range .workers }}{{ .devices }}{{ typeOf .devices }}{{ end }}', valuesFromYamlDocument(doc), { name: 't' })).toBe(
      '[0 1][]interface {}',
    );
  });

  it('reports YAML syntax errors', () => {
    expect(() => parseValuesYaml('a: [1, 2\n')).toThrow();
  });
});

describe('plain JS data', () => {
  it('converts numbers, arrays and objects', () => {
    const data = { n: 2, f: 1.5, list: [1, 'a', null], obj: { b: true } };
    expect(renderTemplate('{{ .n }} {{ typeOf .n }} {{ .f }} {{ .list }} {{ typeOf .list }} {{ .obj.b }}', data, { name: 't' })).toBe(
      '2 int 1.5 [1 a <nil>] []interface {} true',
    );
    expect(valuesFromJS({ a: 1 })).toEqual(toGo({ a: 1 }));
    expect(toJS(toGo({ a: [1, 2.5, 'x'], b: null }))).toEqual({ a: [1, 2.5, 'x'], b: null });
  });

  it('treats null data as no data', () => {
    expect(renderTemplate('{{ . }}', null, { name: 't' })).toBe('<no value>');
  });

  it('passes engine values to caller functions and converts their results', () => {
    const funcs = {
      numGPUs: () => 8,
      pair: (a: unknown, b: unknown) => [a, b],
      bad: () => {
        throw new GoCallError('nope');
      },
    };
    expect(renderTemplate('{{ numGPUs }} {{ typeOf numGPUs }} {{ pair 1 "x" }} {{ div numGPUs 3 }}', null, { name: 't', funcs })).toBe(
      '8 int [1 x] 2',
    );
    expect(() => renderTemplate('{{ bad }}', null, { name: 't', funcs })).toThrow('error calling bad: nope');
    const seen: unknown[] = [];
    renderTemplate('{{ spy .l 2.5 }}', { l: [1] }, { name: 't', funcs: { spy: (...a: unknown[]) => seen.push(...a) } });
    expect(seen[0]).toBeInstanceOf(GoSlice);
    expect(seen[1]).toEqual(new GoFloat(2.5));
  });

  it('accepts typed function definitions', () => {
    const rep: FuncDef = { params: ['int', 'string'], fn: (n, s) => (s as string).repeat(Number((n as GoInt).v)) };
    const f = { rep };
    expect(renderTemplate('{{ rep 3 "ab" }}', null, { name: 't', funcs: f })).toBe('ababab');
    expect(() => renderTemplate('{{ rep "x" "ab" }}', null, { name: 't', funcs: f })).toThrow('expected integer; found "x"');
  });
});

describe('parseTemplate', () => {
  it('checks function names at parse time and renders many times', () => {
    expect(() => parseTemplate('{{ numGPUs }}', { name: 't' })).toThrow(TemplateError);
    const t = parseTemplate('{{ define "w" }}w{{ . }}{{ end }}{{ range until numGPUs }}{{ template "w" . }}{{ end }}', { name: 't', funcs: ['numGPUs'] });
    expect(t.templateNames.sort()).toEqual(['t', 'w']);
    expect(t.render(null, { funcs: { numGPUs: () => 2 } })).toBe('w0w1');
    expect(t.render(null, { funcs: { numGPUs: () => 3 } })).toBe('w0w1w2');
    expect(t.render(7, { template: 'w' })).toBe('w7');
  });
});

describe('Helm extensions (kindling-only, opt-in)', () => {
  it('are not available by default', () => {
    expect(() => render('{{ toYaml . }}')).toThrow('function "toYaml" not defined');
    expect(() => render('{{ include "x" . }}')).toThrow('function "include" not defined');
  });

  it('offer toYaml, fromYaml, required, include and tpl when enabled', () => {
    const opts = { extensions: { helm: true } };
    expect(render('{{ toYaml . }}', 'b: [1, 2]\na: {c: x}\n', opts)).toBe('a:\n  c: x\nb:\n  - 1\n  - 2');
    expect(render('{{ (fromYaml "a: 1").a }}', '', opts)).toBe('1');
    expect(render('{{ required "need x" .x }}', 'x: 5', opts)).toBe('5');
    expect(renderError('{{ required "need x" .x }}', '', opts).message).toContain('error calling required: need x');
    expect(render('{{ define "n" }}[{{ . }}]{{ end }}{{ include "n" 3 | upper }}', '', opts)).toBe('[3]');
    expect(render('{{ tpl "{{ .a }}-{{ template \\"n\\" 1 }}" . }}{{ define "n" }}N{{ . }}{{ end }}', 'a: x', opts)).toBe('x-N1');
  });
});
