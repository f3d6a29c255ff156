// Shared helpers for the gotemplate tests.

import { parseValuesYaml, renderTemplate, TemplateError, type RenderOptions } from '../../../src/cluster/gotemplate/index.js';

/** Renders `tmpl` with YAML `values` (parsed the way nvkind does). */
export function render(tmpl: string, values = '', opts: Partial<RenderOptions> = {}): string {
  return renderTemplate(tmpl, parseValuesYaml(values), { name: 'x.yaml', funcs: { numGPUs: () => 2 }, ...opts });
}

/** The TemplateError a render throws. */
export function renderError(tmpl: string, values = '', opts: Partial<RenderOptions> = {}): TemplateError {
  try {
    render(tmpl, values, opts);
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error(`expected a TemplateError rendering ${JSON.stringify(tmpl)}`);
}
