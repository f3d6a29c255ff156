// Differential cases: several hundred templates (language, builtins, fmt, sprig, errors, YAML
// values) rendered by Go 1.19 text/template + sprig v3.2.3; see
// test/fixtures/nvkind-templates/go-oracle/README.md. kindling must print the same bytes and the
// same error text. Go's parse errors carry no column; kindling adds one, which is ignored here.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTemplate, parseValuesYaml, TemplateError } from '../../../src/cluster/gotemplate/index.js';

interface Case {
  tmpl: string;
  out: string;
  err: string;
}
const file = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/nvkind-templates/go-oracle/expected.json');
const { groups } = JSON.parse(readFileSync(file, 'utf8')) as { groups: { tz: string; values: string; cases: Case[] }[] };

function run(tmpl: string, values: string): { out: string; err: string } {
  try {
    const t = parseTemplate(tmpl, { name: 'x.yaml', funcs: ['numGPUs'] });
    return { out: t.render(parseValuesYaml(values), { funcs: { numGPUs: () => 2 } }), err: '' };
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    return { out: '', err: e.kind === 'syntax' ? e.message.replace(/^(template: [^:]+:\d+):\d+: /, '$1: ') : e.message };
  }
}

describe('Go oracle cases', () => {
  it('has cases', () => {
    expect(groups.reduce((n, g) => n + g.cases.length, 0)).toBeGreaterThan(400);
  });

  groups.forEach((g, gi) => {
    describe(`values set ${gi + 1}`, () => {
      // Local time is the TZ the group was rendered under (date functions use it).
      const saved = process.env.TZ;
      beforeAll(() => {
        process.env.TZ = g.tz;
      });
      afterAll(() => {
        if (saved === undefined) delete process.env.TZ;
        else process.env.TZ = saved;
      });
      it.each(g.cases.map((c) => ({ ...c, name: c.tmpl.length > 70 ? c.tmpl.slice(0, 70) + '…' : c.tmpl })))('$name', (c) => {
        expect(run(c.tmpl, g.values)).toEqual({ out: c.out, err: c.err });
      });
    });
  });
});
