// Errors name the template, line and column like Go's text/template. Parse errors: Go prints only
// the line; kindling adds the column where a token is to blame. Exec errors are Go's text exactly.

import { describe, expect, it } from 'vitest';
import { parseTemplate, TemplateError } from '../../../src/cluster/gotemplate/index.js';
import { renderError } from './helpers.js';

function parseError(src: string, name = 'x.yaml'): TemplateError {
  try {
    parseTemplate(src, { name, funcs: ['numGPUs'] });
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error('expected a parse error');
}

describe('syntax errors', () => {
  it('reports an unknown function at parse time with line and column', () => {
    const src = 'kind: Cluster\nnodes:\n- role: control-plane\n{{- range $gpu := until nosuch }}\n{{ end }}\n';
    const e = parseError(src, 'one-worker-per-gpu.yaml');
    expect(e.message).toBe('template: one-worker-per-gpu.yaml:4:25: function "nosuch" not defined');
    expect(e).toMatchObject({ file: 'one-worker-per-gpu.yaml', line: 4, column: 25, kind: 'syntax' });
  });

  it('reports unexpected EOF on the last line, without a column', () => {
    const e = parseError('{{ if .x }}\nfoo\n');
    expect(e.message).toBe('template: x.yaml:3: unexpected EOF');
    expect(e).toMatchObject({ line: 3, kind: 'syntax' });
  });

  it('reports an unclosed action and where it started', () => {
    expect(parseError('{{ if .x \n\n').message).toBe('template: x.yaml:3: unclosed action started at x.yaml:1');
    expect(parseError('a {{ .x').message).toBe('template: x.yaml:1: unclosed action');
  });

  it('uses Go messages for other syntax errors', () => {
    const cases: [string, string][] = [
      ['{{ end }}', 'template: x.yaml:1:4: unexpected {{end}}'],
      ['{{ if }}{{end}}', 'template: x.yaml:1:7: missing value for if'],
      ['{{ 1 | 2 }}', 'template: x.yaml:1:8: non executable command in pipeline stage 2'],
      ['{{ $x }}', 'template: x.yaml:1:4: undefined variable "$x"'],
      ['{{ ) }}', 'template: x.yaml:1:4: unexpected ")" in command'],
      ['{{ "abc }}', 'template: x.yaml:1:4: unterminated quoted string'],
      ['{{ 1x }}', 'template: x.yaml:1:4: bad number syntax: "1x"'],
      ['{{/* c */ }}', 'template: x.yaml:1:3: comment ends before closing delimiter'],
      ['{{ break }}', 'template: x.yaml:1:4: {{break}} outside {{range}}'],
      ['{{ define "a" }}A{{ end }}{{ define "a" }}B{{ end }}', 'template: x.yaml:1:37: template: multiple definition of template "a"'],
      ['{{ if 1 }}{{ else }}{{ else }}{{ end }}', 'template: x.yaml:1:24: expected end; found {{else}}'],
      ['{{ "a".b }}', 'template: x.yaml:1:7: unexpected . after term "\\"a\\""'],
    ];
    for (const [src, msg] of cases) expect(parseError(src).message, src).toBe(msg);
  });

  it('counts columns in characters on lines with non-ASCII text', () => {
    const e = parseError('ééé {{ nope }}');
    expect(e.message).toBe('template: x.yaml:1:8: function "nope" not defined');
    expect(e.column).toBe(8);
  });
});

describe('exec errors', () => {
  it('reports fail with Go\'s location, node and message', () => {
    const e = renderError('line1\n  {{ fail "boom" }}');
    expect(e.message).toBe('template: x.yaml:2:5: executing "x.yaml" at <fail "boom">: error calling fail: boom');
    expect(e).toMatchObject({ line: 2, column: 6, kind: 'exec', file: 'x.yaml' });
  });

  it('uses Go\'s 0-based byte offsets in messages', () => {
    const e = renderError('é {{ fail "x" }}');
    expect(e.message).toBe('template: x.yaml:1:6: executing "x.yaml" at <fail "x">: error calling fail: x');
    expect(e.column).toBe(6);
  });

  it('names the executing template inside define', () => {
    expect(renderError('{{ define "x" }}{{ fail "in x" }}{{ end }}\n{{ template "x" }}').message).toBe(
      'template: x.yaml:1:19: executing "x" at <fail "in x">: error calling fail: in x',
    );
  });

  it('reports type errors on arguments', () => {
    const v = 's: str\nl: [1, ~]\nnul: ~';
    expect(renderError('{{ upper 1 }}', v).message).toBe('template: x.yaml:1:9: executing "x.yaml" at <1>: expected string; found 1');
    expect(renderError('{{ upper .nul }}', v).message).toBe(
      'template: x.yaml:1:9: executing "x.yaml" at <.nul>: wrong type for value; expected string; got interface {}',
    );
    expect(renderError('{{ upper .missing }}', v).message).toBe(
      'template: x.yaml:1:9: executing "x.yaml" at <.missing>: invalid value; expected string',
    );
    expect(renderError('{{ until 2.5 }}', v).message).toBe('template: x.yaml:1:9: executing "x.yaml" at <2.5>: expected integer; found 2.5');
    // int64 → int is converted (spec), other integer kinds are rejected as in Go
    expect(renderError('{{ until .big }}', 'big: 18446744073709551615').message).toBe(
      'template: x.yaml:1:9: executing "x.yaml" at <.big>: wrong type for value; expected int; got uint64',
    );
    expect(renderError('{{ until 1 2 }}', v).message).toBe(
      'template: x.yaml:1:3: executing "x.yaml" at <until>: wrong number of args for until: want 1 got 2',
    );
  });

  it('reports field errors like Go', () => {
    const v = 's: str\nl: [1, ~]\nnul: ~';
    expect(renderError('{{ .s.b }}', v).message).toBe('template: x.yaml:1:5: executing "x.yaml" at <.s.b>: can\'t evaluate field b in type interface {}');
    expect(renderError('{{ $x := .s }}{{ $x.b }}', v).message).toBe(
      'template: x.yaml:1:19: executing "x.yaml" at <$x.b>: can\'t evaluate field b in type string',
    );
    expect(renderError('{{ .nul.b }}', v).message).toBe('template: x.yaml:1:7: executing "x.yaml" at <.nul.b>: nil pointer evaluating interface {}.b');
    expect(renderError('{{ range .l }}{{ .x }}{{ end }}', v).message).toBe(
      'template: x.yaml:1:17: executing "x.yaml" at <.x>: can\'t evaluate field x in type interface {}',
    );
  });

  it('reports builtin errors', () => {
    const v = 'l: [1, ~]\nnul: ~';
    expect(renderError('{{ index .l 5 }}', v).message).toBe('template: x.yaml:1:3: executing "x.yaml" at <index .l 5>: error calling index: index out of range: 5');
    expect(renderError('{{ eq 1 1.0 }}', v).message).toBe('template: x.yaml:1:3: executing "x.yaml" at <eq 1 1.0>: error calling eq: incompatible types for comparison');
    expect(renderError('{{ len .nul }}', v).message).toBe('template: x.yaml:1:3: executing "x.yaml" at <len .nul>: error calling len: len of nil pointer');
    expect(renderError('{{ template "nope" }}', v).message).toBe(
      'template: x.yaml:1:12: executing "x.yaml" at <{{template "nope"}}>: template "nope" not defined',
    );
    expect(renderError('{{ range .s }}{{ end }}', 's: str').message).toBe('template: x.yaml:1:9: executing "x.yaml" at <.s>: range can\'t iterate over str');
    expect(renderError('{{ $y = 2 }}').message).toBe('template: x.yaml:1:8: executing "x.yaml" at <2>: undefined variable: $y');
  });

  it('reports sprig panics the way Go recovers them', () => {
    expect(renderError('{{ first .missing }}').message).toBe(
      'template: x.yaml:1:3: executing "x.yaml" at <first .missing>: error calling first: runtime error: invalid memory address or nil pointer dereference',
    );
    expect(renderError('{{ div 1 0 }}').message).toBe('template: x.yaml:1:3: executing "x.yaml" at <div 1 0>: error calling div: runtime error: integer divide by zero');
    expect(renderError('{{ set .missing "a" 1 }}').message).toBe(
      'template: x.yaml:1:3: executing "x.yaml" at <set .missing "a" 1>: error calling set: assignment to entry in nil map',
    );
  });

  it('errors when a caller function throws', () => {
    const e = renderError('{{ numGPUs }}', '', { funcs: { numGPUs: () => { throw new Error('no NVML'); } } });
    expect(e.message).toBe('template: x.yaml:1:3: executing "x.yaml" at <numGPUs>: error calling numGPUs: no NVML');
  });

  it('stops runaway recursion', () => {
    expect(renderError('{{ define "r" }}{{ template "r" }}{{ end }}{{ template "r" }}').message).toMatch(/exceeded maximum template depth/);
  });
});
