// A Go text/template engine with Masterminds sprig v3.2.3, for rendering nvkind cluster config
// templates byte for byte as nvkind (Go) does.
//
//   const out = renderTemplate(source, parseValuesYaml(valuesText), {
//     name: 'one-worker-per-gpu.yaml',
//     funcs: { numGPUs: () => 4 },
//   });
//
// Function lookup order is Go's with nvkind's FuncMap: caller funcs, then sprig (applied last in
// nvkind, so sprig wins a clash with a caller function of the same name and with Go's builtin
// `slice`), then Go's builtins. Unknown functions are parse errors.
//
// Not supported, deliberately: complex numbers, channels and Go structs (data is YAML/JSON-like),
// sprig's network and crypto generators (getHostByName, genCA, bcrypt, encryptAES... — they fail
// with a clear error). Go's map-order randomness in sprig's `keys` and `values` is replaced by key
// order. Strings are Unicode: byte-slicing functions that cut a multi-byte character yield U+FFFD.
//
// kindling extensions (opt-in, `extensions: { helm: true }`, never in nvkind): toYaml, fromYaml,
// fromYamlArray, required, include, tpl.

import { builtinFuncs } from './builtins.js';
import { execute, type ExecEnv } from './exec.js';
import { quoteGo } from './fmt.js';
import { helmFuncs } from './helm.js';
import { parse, type TreeSet } from './parser.js';
import { sprigFuncs } from './sprig/index.js';
import { GoCallError, type FuncDef, type GoValue, isGoValue, jsFunc, toGo } from './value.js';

export { TemplateError } from './errors.js';
export type { TemplateErrorKind } from './errors.js';
export {
  GoCallError, GoFloat, GoFuncValue, GoInt, GoMap, GoObject, GoSlice, goFloat, goInt, goInt64, goList, goMap, kindName,
  toGo, toJS, typeName,
} from './value.js';
export type { FuncDef, GoValue, IntKind, ParamType } from './value.js';
export { parseValuesYaml, valuesFromJS, valuesFromYamlDocument } from './yaml.js';
export { formatValue, sprintf } from './fmt.js';

/**
 * A template function: either a plain JS function (every parameter is interface{}; it receives
 * engine values and may return plain JS values — integral numbers become Go ints), or a FuncDef
 * with typed parameters that the executor checks like Go does. Throw GoCallError (or any Error) to
 * fail with `error calling NAME: MESSAGE`.
 */
export type GoFunc = FuncDef | ((...args: GoValue[]) => unknown);

export interface Extensions {
  /** Helm's toYaml, fromYaml, fromYamlArray, required, include, tpl (kindling extension). */
  helm?: boolean;
}

export interface RenderOptions {
  /** Template (file) name: it names the main template and appears in errors. */
  name: string;
  /** Extra functions, e.g. `{ numGPUs: () => 4 }`. */
  funcs?: Record<string, GoFunc>;
  extensions?: Extensions;
}

export interface ParseOptions {
  name: string;
  /**
   * Functions the template may call besides sprig and the builtins (only their names matter for
   * parsing). Go checks function names at parse time, so pass the funcs you will render with.
   */
  funcs?: Record<string, GoFunc> | readonly string[];
  extensions?: Extensions;
}

const HELM_NAMES = ['toYaml', 'fromYaml', 'fromYamlArray', 'required', 'include', 'tpl'];

function toFuncDef(f: GoFunc): FuncDef {
  return typeof f === 'function' ? jsFunc(f) : f;
}

/** A parsed template set: the main template plus its define/block templates. */
export class Template {
  /** @internal */
  constructor(
    readonly name: string,
    readonly source: string,
    private readonly trees: TreeSet,
  ) {}

  /** Names of all templates in the set, the main one included. */
  get templateNames(): string[] {
    return [...this.trees.keys()];
  }

  /**
   * Executes the main template (or `opts.template`) with `data` as dot and `$`. Plain JS data is
   * converted with toGo; use parseValuesYaml for YAML values so ints and floats stay apart.
   */
  render(data: unknown, opts: Omit<RenderOptions, 'name'> & { template?: string } = {}): string {
    const funcs = new Map<string, FuncDef>();
    for (const [k, f] of Object.entries(opts.funcs ?? {})) funcs.set(k, toFuncDef(f));
    const env: ExecEnv = { source: this.source, fileName: this.name, trees: this.trees, funcs, builtins: builtinFuncs };
    if (opts.extensions?.helm) {
      const helm = helmFuncs({
        include: (name, d) => {
          if (!this.trees.has(name)) throw new GoCallError(`template: no template ${quoteGo(name)} associated with template ${quoteGo(this.name)}`);
          return execute(env, name, d);
        },
        tpl: (src, d) => {
          const sub = parseTemplate(src, { name: this.name, funcs: [...funcs.keys()], extensions: opts.extensions });
          const trees = new Map(this.trees);
          for (const [k, v] of sub.trees) trees.set(k, v);
          return execute({ ...env, source: src, trees }, this.name, d);
        },
      });
      for (const [k, f] of Object.entries(helm)) if (!funcs.has(k)) funcs.set(k, f);
    }
    // sprig is applied last in nvkind's FuncMap: it replaces caller functions of the same name.
    for (const [k, f] of Object.entries(sprigFuncs)) funcs.set(k, f);
    const value: GoValue = isGoValue(data) ? data : toGo(data);
    return execute(env, opts.template ?? this.name, value);
  }
}

/** Parses a template; throws TemplateError (kind 'syntax') with Go's message on errors. */
export function parseTemplate(source: string, opts: ParseOptions): Template {
  const extra = new Set<string>(Array.isArray(opts.funcs) ? opts.funcs : Object.keys(opts.funcs ?? {}));
  if (opts.extensions?.helm) for (const n of HELM_NAMES) extra.add(n);
  const hasFunction = (n: string): boolean =>
    extra.has(n) || Object.hasOwn(sprigFuncs, n) || Object.hasOwn(builtinFuncs, n);
  const trees = parse(source, { name: opts.name, hasFunction });
  return new Template(opts.name, source, trees);
}

/** Parses and executes in one step. */
export function renderTemplate(source: string, data: unknown, opts: RenderOptions): string {
  return parseTemplate(source, opts).render(data, opts);
}
