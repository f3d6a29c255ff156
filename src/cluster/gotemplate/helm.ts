// kindling extensions, NOT part of nvkind: Helm's template additions (toYaml, fromYaml,
// fromYamlArray, required, include, tpl). Offered only with `extensions: { helm: true }`, so that
// templates written for nvkind keep failing the same way ("function toYaml not defined") by default.
// toYaml is close to Helm's output (sorted keys, block style) but not guaranteed byte-identical.

import { stringify } from 'yaml';
import { GoMap, GoSlice, type FuncDef, type GoValue, toJS } from './value.js';
import { def, fail, list } from './sprig/util.js';
import { parseValuesYaml } from './yaml.js';

export interface HelmContext {
  /** Executes a named template of the current template set. */
  include(name: string, data: GoValue): string;
  /** Parses and executes a template string with the current functions. */
  tpl(source: string, data: GoValue): string;
}

function toYaml(v: GoValue): string {
  if (v === undefined || v === null) return 'null';
  const out = stringify(toJS(v), { sortMapEntries: true, lineWidth: 0, version: '1.1' });
  return out.replace(/\n$/, '');
}

export function helmFuncs(ctx: HelmContext): Record<string, FuncDef> {
  return {
    toYaml: def(['any'], toYaml),
    fromYaml: def(['string'], (s) => {
      try {
        const v = parseValuesYaml(s as string);
        return v instanceof GoMap ? v : new GoMap();
      } catch (e) {
        return new GoMap(new Map([['Error', (e as Error).message]]));
      }
    }),
    fromYamlArray: def(['string'], (s) => {
      try {
        const v = parseValuesYaml(s as string);
        return v instanceof GoSlice ? v : list([]);
      } catch (e) {
        return list([(e as Error).message]);
      }
    }),
    required: def(['string', 'any'], (msg, v) => {
      if (v === null || v === undefined || v === '') fail(msg as string);
      return v;
    }),
    include: def(['string', 'any'], (name, data) => ctx.include(name as string, data)),
    tpl: def(['string', 'any'], (src, data) => ctx.tpl(src as string, data)),
  };
}
