/**
 * GPU layouts: which worker gets which GPUs, from flags (one worker per GPU, N GPUs per worker, a
 * subset, one worker with all of them) or from a kind config (nvkind's /dev/null device mounts),
 * and the mapping of kind's node names to config nodes (numeric: worker10 after worker9).
 */
import { UserError } from '../core/errors.js';
import { DEVICE_MOUNT_DIR } from './constants.js';
import { KIND_API_VERSION, nodeDevices, type KindConfig, type KindNode } from './kind-config.js';

export interface LayoutOptions {
  /** GPUs on the host (or --num-gpus for a preview). */
  hostGpuCount: number;
  /** --gpus: a subset of host GPU indices (default: all). */
  gpus?: number[];
  /** --gpus-per-node: N GPUs per worker, or 'all' for a single worker with every selected GPU. */
  gpusPerNode?: number | 'all';
}

/**
 * GPU groups, one per worker. When N does not divide the number of GPUs, the last worker gets the
 * remainder (5 GPUs, --gpus-per-node 2 → [0,1] [2,3] [4]); `remainder` says so, for a warning.
 */
export function planGpuGroups(options: LayoutOptions): { groups: number[][]; remainder: boolean } {
  const { hostGpuCount } = options;
  let selected: number[];
  if (options.gpus !== undefined) {
    if (options.gpus.length === 0) throw new UserError('--gpus needs at least one GPU index.', { fix: 'kindling cluster config --gpus 0,1' });
    const missing = options.gpus.filter((g) => !Number.isInteger(g) || g < 0 || g >= hostGpuCount);
    if (missing.length > 0) {
      throw new UserError(
        `GPU ${missing.join(', ')} does not exist: the host has ${hostGpuCount} GPU${hostGpuCount === 1 ? '' : 's'}${hostGpuCount > 0 ? ` (indices 0-${hostGpuCount - 1})` : ''}.`,
        { fix: ['nvidia-smi -L', `kindling cluster config --gpus ${hostGpuCount > 0 ? [...Array(Math.min(hostGpuCount, 2)).keys()].join(',') : '0'}`] },
      );
    }
    const dupes = options.gpus.filter((g, i) => options.gpus?.indexOf(g) !== i);
    if (dupes.length > 0) throw new UserError(`--gpus lists GPU ${dupes.join(', ')} twice.`, { fix: 'List each GPU index once, e.g. --gpus 0,1' });
    selected = [...options.gpus].sort((a, b) => a - b);
  } else {
    selected = [...Array(hostGpuCount).keys()];
  }
  if (selected.length === 0) {
    throw new UserError('No NVIDIA GPU found on this host: a kindling cluster needs at least one.', {
      fix: ['kindling doctor', 'kindling cluster config --num-gpus 1   (to preview a config for another host)'],
    });
  }
  const per = options.gpusPerNode ?? 1;
  if (per === 'all') return { groups: [selected], remainder: false };
  if (!Number.isInteger(per) || per < 1) throw new UserError(`--gpus-per-node must be a positive integer or 'all', not ${String(per)}.`, { fix: 'kindling cluster config --gpus-per-node 2' });
  if (per > selected.length) {
    throw new UserError(`--gpus-per-node ${per} asks for more GPUs than the ${selected.length} selected.`, {
      fix: `kindling cluster config --gpus-per-node ${selected.length}`,
    });
  }
  const groups: number[][] = [];
  for (let i = 0; i < selected.length; i += per) groups.push(selected.slice(i, i + per));
  return { groups, remainder: selected.length % per !== 0 };
}

/** A kind config with one control-plane and one worker per GPU group (before kindling's additions). */
export function buildKindConfig(groups: number[][]): KindConfig {
  return {
    kind: 'Cluster',
    apiVersion: KIND_API_VERSION,
    nodes: [
      { role: 'control-plane' },
      ...groups.map((g) => ({
        role: 'worker' as const,
        extraMounts: g.map((i) => ({ hostPath: '/dev/null', containerPath: `${DEVICE_MOUNT_DIR}/${i}` })),
      })),
    ],
  };
}

export interface LayoutNode {
  /** Position in the config's `nodes`. */
  configIndex: number;
  role: 'control-plane' | 'worker';
  /** GPU indices, 'all', or [] for a node without GPUs. */
  gpus: number[] | 'all';
  /** kind's container/node name (`<cluster>-worker2`). */
  name: string;
}

export interface ClusterLayout {
  name: string;
  hostGpuCount: number;
  nodes: LayoutNode[];
}

/** kind's name for the k-th (1-based) node of a role: <cluster>-worker, <cluster>-worker2, … */
export function kindNodeName(cluster: string, role: 'control-plane' | 'worker', ordinal: number): string {
  return `${cluster}-${role}${ordinal === 1 ? '' : String(ordinal)}`;
}

/** The layout of a (final) config: which node gets which GPUs, with the node names kind will use. */
export function layoutFromConfig(config: KindConfig, hostGpuCount: number): ClusterLayout {
  const name = config.name ?? 'kind';
  const counters = { 'control-plane': 0, worker: 0 };
  const nodes = (config.nodes ?? [{ role: 'control-plane' }]).map((n: KindNode, configIndex) => {
    const role = n.role ?? 'control-plane';
    counters[role] += 1;
    return { configIndex, role, gpus: nodeDevices(n), name: kindNodeName(name, role, counters[role]) };
  });
  const used = new Map<number, string>();
  for (const n of nodes) {
    if (n.gpus === 'all') continue;
    for (const g of n.gpus) {
      if (g >= hostGpuCount) {
        throw new UserError(`The config gives GPU ${g} to ${n.name}, but the host has ${hostGpuCount} GPU${hostGpuCount === 1 ? '' : 's'}.`, {
          fix: ['nvidia-smi -L', 'kindling cluster config --raw'],
        });
      }
      const other = used.get(g);
      if (other !== undefined) {
        throw new UserError(`The config gives GPU ${g} to both ${other} and ${n.name}.`, { fix: 'Give each GPU to one worker only (kindling cluster config --raw shows the rendered template).' });
      }
      used.set(g, n.name);
    }
  }
  return { name, hostGpuCount, nodes };
}

/** GPU workers of a layout. */
export function gpuNodes(layout: ClusterLayout): LayoutNode[] {
  return layout.nodes.filter((n) => n.gpus === 'all' || n.gpus.length > 0);
}

/** Splits a kind node name into role and ordinal (`x-worker10` → worker 10); undefined for others. */
export function parseKindNodeName(cluster: string, nodeName: string): { role: 'control-plane' | 'worker'; ordinal: number } | undefined {
  const prefix = `${cluster}-`;
  if (!nodeName.startsWith(prefix)) return undefined;
  const m = /^(control-plane|worker)(\d*)$/.exec(nodeName.slice(prefix.length));
  if (!m) return undefined;
  return { role: m[1] as 'control-plane' | 'worker', ordinal: m[2] === '' ? 1 : Number(m[2]) };
}

/** Node names in kind's order: control-planes, then workers, each by number (worker10 after worker9). */
export function sortKindNodeNames(cluster: string, names: string[]): string[] {
  const rank = (n: string) => {
    const p = parseKindNodeName(cluster, n);
    return p ? [p.role === 'control-plane' ? 0 : 1, p.ordinal] : [2, 0];
  };
  return [...names].sort((a, b) => {
    const [ra, oa] = rank(a) as [number, number];
    const [rb, ob] = rank(b) as [number, number];
    return ra - rb || oa - ob || a.localeCompare(b);
  });
}

/**
 * Matches the node names kind reports (`kind get nodes`) to the layout's config nodes, by role and
 * number (not by a lexical sort, which puts worker10 before worker2: nvkind's bug with 10+ GPUs).
 * Throws when a config node has no kind node (the cluster does not match the config).
 */
export function mapNodes(layout: ClusterLayout, kindNodeNames: string[]): LayoutNode[] {
  const present = new Set(kindNodeNames);
  const sorted = sortKindNodeNames(layout.name, kindNodeNames).filter((n) => parseKindNodeName(layout.name, n) !== undefined);
  const missing = layout.nodes.filter((n) => !present.has(n.name));
  if (missing.length > 0 || sorted.length !== layout.nodes.length) {
    throw new UserError(
      `Cluster '${layout.name}' has nodes [${sorted.join(', ')}], which do not match its config (${layout.nodes.map((n) => n.name).join(', ')}).`,
      { fix: [`kindling cluster create --name ${layout.name} --recreate`], exitCode: 1 },
    );
  }
  return layout.nodes;
}

/** A short description of a layout: "4 workers × 1 GPU", "1 worker × 4 GPUs", "2 workers: 2+1 GPUs". */
export function describeLayout(layout: ClusterLayout): string {
  const workers = gpuNodes(layout);
  if (workers.length === 0) return 'no GPU workers';
  const sizes = workers.map((n) => (n.gpus === 'all' ? layout.hostGpuCount : n.gpus.length));
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  if (sizes.every((s) => s === sizes[0])) return `${plural(workers.length, 'GPU worker')} × ${plural(sizes[0] as number, 'GPU')}`;
  return `${plural(workers.length, 'GPU worker')}: ${sizes.join('+')} GPUs`;
}
