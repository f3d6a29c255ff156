/**
 * The kind config `cluster create` uses: from flags (a layout) or from an nvkind config template,
 * validated against kind's v1alpha4 fields, with kindling's additions. `renderClusterConfig` is
 * what `kindling cluster config` prints and what `cluster create` / `up` feed to kind.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';
import { KIND_NODE_IMAGE } from '../core/versions.js';
import { DEFAULT_CLUSTER_NAME } from './constants.js';
import {
  addKindlingFields,
  kindConfigToYaml,
  parseKindConfigYaml,
  validateKindConfig,
  type KindConfig,
} from './kind-config.js';
import { buildKindConfig, layoutFromConfig, planGpuGroups, type ClusterLayout } from './layout.js';
import { renderNvkindTemplate } from './template.js';

export interface ClusterConfigOptions {
  /** --name (default: the template's name, else `kindling`). */
  name?: string;
  /** --num-gpus: the GPU count to plan for (a preview for another host); default: the host's. */
  numGpus?: number;
  /** --gpus: a subset of GPU indices. */
  gpus?: number[];
  /** --gpus-per-node N | 'all'. */
  gpusPerNode?: number | 'all';
  /** --config-template FILE (nvkind template). */
  configTemplate?: string;
  /** --config-values FILE; '-' means `configValuesText` (read from stdin by the CLI). */
  configValues?: string;
  configValuesText?: string;
  /** --image: replaces every node's image (default: the pinned kindest/node where unset). */
  image?: string;
  /** --cache-dir: host cache directory (default ctx.paths.hostCacheDir). */
  cacheDir?: string;
}

export interface RenderedClusterConfig {
  name: string;
  /** The template's own output (or the flag-built config) before kindling's additions. */
  raw: string;
  config: KindConfig;
  /** What kind receives on stdin. */
  yaml: string;
  layout: ClusterLayout;
  hostGpuCount: number;
  /** Notes for the user (e.g. an uneven --gpus-per-node split). */
  warnings: string[];
}

/** nvkind's default values when --config-values is absent. */
export const NVKIND_DEFAULT_VALUES = { workers: [{ devices: 'all' }] };

/** The host GPU count: --num-gpus, else doctor's discovery (nvidia-smi). */
export async function hostGpuCount(ctx: Context, numGpus?: number): Promise<number> {
  if (numGpus !== undefined) return numGpus;
  const { discoverGpus } = await import('../host/nvidia.js');
  return (await discoverGpus(ctx)).length;
}

export async function renderClusterConfig(ctx: Context, options: ClusterConfigOptions, known?: { hostGpuCount?: number }): Promise<RenderedClusterConfig> {
  if (options.configTemplate !== undefined && (options.gpus !== undefined || options.gpusPerNode !== undefined)) {
    throw new UserError('--gpus and --gpus-per-node cannot be combined with --config-template: the template decides the layout.', {
      fix: 'Put the layout in the template values (--config-values), or drop --config-template.',
    });
  }
  if (options.configValues !== undefined && options.configTemplate === undefined) {
    throw new UserError('--config-values needs --config-template.', { fix: 'kindling cluster config --config-template FILE --config-values values.yaml' });
  }
  const count = known?.hostGpuCount ?? (await hostGpuCount(ctx, options.numGpus));
  const warnings: string[] = [];
  let raw: string;
  let parsed: unknown;
  let source: string;
  if (options.configTemplate !== undefined) {
    source = options.configTemplate;
    const template = await readUserFile(options.configTemplate, '--config-template');
    let valuesText: string | undefined;
    let valuesName: string | undefined;
    if (options.configValues !== undefined) {
      valuesText = options.configValues === '-' ? (options.configValuesText ?? '') : await readUserFile(options.configValues, '--config-values');
      valuesName = options.configValues === '-' ? '<stdin>' : options.configValues;
    }
    raw = await renderNvkindTemplate(template, valuesText, { name: options.configTemplate, ...(valuesName ? { valuesName } : {}), numGpus: count });
    parsed = parseKindConfigYaml(raw, source);
  } else {
    source = 'the generated kind config';
    const { groups, remainder } = planGpuGroups({
      hostGpuCount: count,
      ...(options.gpus !== undefined ? { gpus: options.gpus } : {}),
      ...(options.gpusPerNode !== undefined ? { gpusPerNode: options.gpusPerNode } : {}),
    });
    if (remainder) {
      const last = groups[groups.length - 1] as number[];
      warnings.push(
        `--gpus-per-node ${String(options.gpusPerNode)} does not divide ${groups.flat().length} GPUs: the last worker gets ${last.length} (GPU ${last.join(', ')}). Models with a tensor-parallel size of ${String(options.gpusPerNode)} will not fit on it.`,
      );
    }
    const config = buildKindConfig(groups);
    raw = kindConfigToYaml(config);
    parsed = config;
  }
  if (parsed === null || parsed === undefined) parsed = {};
  validateKindConfig(parsed, source);
  const name = options.name ?? parsed.name ?? DEFAULT_CLUSTER_NAME;
  validateClusterName(name);
  const config = addKindlingFields(parsed, {
    name,
    hostCacheDir: options.cacheDir ?? ctx.paths.hostCacheDir,
    image: options.image ?? KIND_NODE_IMAGE.image,
    overrideImage: options.image !== undefined,
  });
  validateKindConfig(config, 'the final kind config');
  const layout = layoutFromConfig(config, count);
  return { name, raw, config, yaml: kindConfigToYaml(config), layout, hostGpuCount: count, warnings };
}

/** kind's cluster name rule (it becomes part of container names and a kubeconfig context). */
export function validateClusterName(name: string): void {
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 50) {
    throw new UserError(`Invalid cluster name '${name}': use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit.`, {
      fix: 'kindling cluster create --name kindling',
    });
  }
}

async function readUserFile(path: string, flag: string): Promise<string> {
  try {
    return await readFile(resolve(path), 'utf8');
  } catch (error) {
    throw new UserError(`Cannot read ${flag} ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, {
      fix: `Check the path given to ${flag}.`,
    });
  }
}
