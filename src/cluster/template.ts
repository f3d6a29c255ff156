/**
 * nvkind config templates: Go text/template + sprig + numGPUs (src/cluster/gotemplate), with the
 * values as the root `$` (nvkind's default values when none are given). Template and values errors
 * become UserErrors that name file:line:column.
 */
import { UserError } from '../core/errors.js';

/** nvkind's default values (pkg/nvkind/default-config-values.yaml) when --config-values is absent. */
export const NVKIND_DEFAULT_VALUES_YAML = 'workers:\n- devices: all\n';

export async function renderNvkindTemplate(
  source: string,
  valuesText: string | undefined,
  options: { name: string; valuesName?: string; numGpus: number },
): Promise<string> {
  const engine = await import('./gotemplate/index.js');
  let values: unknown;
  try {
    values = engine.parseValuesYaml(valuesText ?? NVKIND_DEFAULT_VALUES_YAML);
  } catch (error) {
    const e = error as Error & { linePos?: { line: number; col: number }[] };
    const pos = e.linePos?.[0];
    const where = `${options.valuesName ?? 'values'}${pos ? `:${pos.line}:${pos.col}` : ''}`;
    throw new UserError(`${where}: not valid YAML: ${e.message.split('\n')[0] ?? ''}`, { fix: `Fix the values file at ${where}.` });
  }
  try {
    return engine.renderTemplate(source, values, { name: options.name, funcs: { numGPUs: () => options.numGpus } });
  } catch (error) {
    if (error instanceof engine.TemplateError) {
      const where = `${error.file}:${error.line}:${error.column}`;
      throw new UserError(error.message.includes(`${error.file}:${error.line}`) ? error.message : `${where}: ${error.message}`, {
        ...(error.message.includes(where) ? {} : { details: [`at ${where} (line:column, 1-based)`] }),
        fix: `Fix the template at ${where} (Go text/template syntax, sprig functions, numGPUs); \`kindling cluster config --config-template ${error.file} --raw\` shows its output.`,
      });
    }
    throw error;
  }
}
