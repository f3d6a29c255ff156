// Golden cases: nvkind's templates rendered by Go 1.19 text/template + sprig v3.2.3 (see
// test/fixtures/nvkind-templates/README.md). kindling must print the same bytes.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseValuesYaml, renderTemplate } from '../../../src/cluster/gotemplate/index.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/nvkind-templates');
const read = (p: string): string => readFileSync(join(dir, p), 'utf8');

const cases = read('cases.tsv')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'))
  .map((l) => {
    const [template, values, numGPUs, expected] = l.split('\t') as [string, string, string, string];
    return { template, values, numGPUs: Number(numGPUs), expected };
  });

describe('nvkind golden templates', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases)('$template with values "$values" and $numGPUs GPUs renders $expected', (c) => {
    // nvkind uses its embedded default values when none are given.
    const values = parseValuesYaml(read(c.values === '' ? 'default-config-values.yaml' : c.values));
    const out = renderTemplate(read(c.template), values, { name: c.template, funcs: { numGPUs: () => c.numGPUs } });
    expect(out).toBe(read(c.expected));
  });
});
