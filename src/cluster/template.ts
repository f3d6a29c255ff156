/**
 * nvkind config templates: Go text/template + sprig + numGPUs (src/cluster/gotemplate), with the
 * values as the root `$`. Template errors become UserErrors that name file:line:column.
 * (Wired to the engine's index once it lands; until then --config-template reports it missing.)
 */
import { UserError } from '../core/errors.js';

export async function renderNvkindTemplate(_source: string, _values: unknown, options: { name: string; numGpus: number }): Promise<string> {
  throw new UserError(`Cannot render ${options.name}: the template engine is not built into this version yet.`, { fix: 'Use the flag layouts (--gpus-per-node, --gpus) for now.' });
}
