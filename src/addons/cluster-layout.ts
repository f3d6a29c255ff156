/**
 * Which nodes should show GPUs, and how many each. The source of truth is the layout kindling stored
 * in the cluster when it created it (ConfigMap kube-system/kindling-cluster-config, written by
 * src/cluster); without it (a cluster kindling did not create), the GPU workers are the nodes
 * labelled nvidia.com/gpu.present=true and their expected count is unknown (> 0 is required).
 */
import { parse } from 'yaml';
import type { KubeObject } from '../core/kube.js';
import type { AddonKube } from './target.js';

export const CLUSTER_CONFIG_NAMESPACE = 'kube-system';
export const CLUSTER_CONFIG_NAME = 'kindling-cluster-config';
export const GPU_PRESENT_LABEL = 'nvidia.com/gpu.present';

export interface GpuWorker {
  node: string;
  /** Physical GPUs kindling assigned to it; undefined when no stored layout says. */
  gpus?: number;
}

export interface NodeLike extends KubeObject {
  status?: { allocatable?: Record<string, string>; capacity?: Record<string, string>; conditions?: { type: string; status: string }[] };
}

/**
 * Reads node → GPU count from the stored layout. The ConfigMap's values are YAML or JSON documents;
 * any list of entries that name a node (`name`/`node`/`nodeName`) and give GPUs (`gpus` as a list or
 * a number, `gpuCount`, `numGPUs`, or `devices`) is taken as the layout.
 */
export function layoutFromConfigMap(data: Record<string, string> | undefined): Map<string, number> | undefined {
  if (!data) return undefined;
  // src/cluster's format: data.layout = {"hostGpuCount":N,"nodes":[{"name","role","gpus":[indices]|"all"}]}.
  if (data.layout) {
    try {
      const stored = JSON.parse(data.layout) as { hostGpuCount?: number; nodes?: { name?: unknown; gpus?: unknown }[] };
      if (Array.isArray(stored.nodes)) {
        const map = new Map<string, number>();
        for (const n of stored.nodes) {
          if (typeof n.name !== 'string') continue;
          if (Array.isArray(n.gpus)) map.set(n.name, n.gpus.length);
          else if (n.gpus === 'all' && typeof stored.hostGpuCount === 'number') map.set(n.name, stored.hostGpuCount);
        }
        if (map.size > 0) return map;
      }
    } catch {
      /* fall through to the generic reading */
    }
  }
  for (const text of Object.values(data)) {
    let doc: unknown;
    try {
      doc = parse(text);
    } catch {
      continue;
    }
    const found = findLayout(doc, 0);
    if (found && found.size > 0) return found;
  }
  return undefined;
}

function findLayout(value: unknown, depth: number): Map<string, number> | undefined {
  if (depth > 6 || value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    const map = new Map<string, number>();
    for (const item of value) {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) continue;
      const o = item as Record<string, unknown>;
      const name = [o.nodeName, o.node, o.name].find((v): v is string => typeof v === 'string');
      const count = gpuCount(o);
      if (name !== undefined && count !== undefined) map.set(name, count);
    }
    if (map.size > 0) return map;
    for (const item of value) {
      const inner = findLayout(item, depth + 1);
      if (inner) return inner;
    }
    return undefined;
  }
  for (const inner of Object.values(value as Record<string, unknown>)) {
    const found = findLayout(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function gpuCount(o: Record<string, unknown>): number | undefined {
  for (const key of ['gpus', 'gpuIndices', 'devices', 'gpuCount', 'numGPUs']) {
    const v = o[key];
    if (Array.isArray(v)) return v.length;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
  }
  return undefined;
}

/** GPU workers of the target cluster: from the stored layout, else from the gpu.present label. */
export async function gpuWorkers(kube: AddonKube, nodes?: NodeLike[]): Promise<GpuWorker[]> {
  const all = nodes ?? (await kube.list<NodeLike>('v1', 'Node'));
  const cm = await kube.get<KubeObject & { data?: Record<string, string> }>('v1', 'ConfigMap', CLUSTER_CONFIG_NAME, CLUSTER_CONFIG_NAMESPACE);
  const layout = layoutFromConfigMap(cm?.data);
  if (layout) {
    return [...layout.entries()].filter(([, n]) => n > 0).map(([node, gpus]) => ({ node, gpus })).sort(byNodeName);
  }
  return all
    .filter((n) => n.metadata.labels?.[GPU_PRESENT_LABEL] === 'true' && !isControlPlane(n))
    .map((n) => ({ node: n.metadata.name }))
    .sort(byNodeName);
}

export function isControlPlane(node: Pick<KubeObject, 'metadata'>): boolean {
  return node.metadata.labels?.['node-role.kubernetes.io/control-plane'] !== undefined;
}

/** Numeric-aware order: worker2 before worker10. */
export function byNodeName(a: { node: string }, b: { node: string }): number {
  return a.node.localeCompare(b.node, 'en', { numeric: true });
}
