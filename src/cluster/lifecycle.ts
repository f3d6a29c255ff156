/**
 * Cluster lifecycle beyond create: delete (with cleanup hooks other modules add: the addons module
 * removes load-balancer containers), list, GPUs per node, and a status probe that works on a
 * half-built cluster.
 */
import type { Context } from '../core/context.js';
import { UserError, ExitCode } from '../core/errors.js';
import type { KubeObject } from '../core/kube.js';
import { KINDLING_CLUSTER_LABEL, KIND_CLUSTER_LABEL, kindContext } from './constants.js';
import { connectCluster, kind, kindClusters, kindNodes, readStoredConfig, type StoredLayout } from './kind.js';
import { listContainers } from '../core/docker.js';
import { parseKindNodeName } from './layout.js';
import { planNodeSteps, probeNode, type NodeStepId } from './node-setup.js';

/** Cleanup run by `deleteCluster` before kind deletes the nodes (e.g. LB controller containers). */
export type ClusterDeleteHook = (ctx: Context, cluster: string) => Promise<void>;

const deleteHooks: { name: string; hook: ClusterDeleteHook }[] = [];

/** Registers a cleanup for `deleteCluster` (idempotent per name). */
export function registerClusterDeleteHook(name: string, hook: ClusterDeleteHook): void {
  const i = deleteHooks.findIndex((h) => h.name === name);
  if (i >= 0) deleteHooks[i] = { name, hook };
  else deleteHooks.push({ name, hook });
}

export interface DeleteClusterOptions {
  /** Extra cleanups for this call only (run after the registered hooks). */
  hooks?: ClusterDeleteHook[];
}

export interface DeleteClusterResult {
  name: string;
  deletedCluster: boolean;
  removedContainers: string[];
}

/** Containers kindling started for a cluster (label io.kindling.cluster=<name>). */
export async function labelledContainers(ctx: Context, name: string): Promise<string[]> {
  const rows = await listContainers(ctx.runner, [`label=${KINDLING_CLUSTER_LABEL}=${name}`], { name: '{{.Names}}' });
  return rows.map((r) => r.name).filter((n) => n !== '');
}

/** Deletes the cluster and everything kindling started for it; a missing cluster is fine. */
export async function deleteCluster(ctx: Context, name: string, options: DeleteClusterOptions = {}): Promise<DeleteClusterResult> {
  return ctx.io.step(`Delete cluster ${name}`, async (s) => {
    for (const { hook } of deleteHooks) await hook(ctx, name);
    for (const hook of options.hooks ?? []) await hook(ctx, name);
    const exists = (await kindClusters(ctx)).includes(name);
    if (exists) {
      s.update('kind delete cluster');
      await kind(ctx, ['delete', 'cluster', '--name', name], { mutating: true, timeoutMs: 5 * 60_000, description: `delete kind cluster ${name}` });
    }
    const containers = await labelledContainers(ctx, name);
    if (containers.length > 0) {
      await ctx.runner.run({ argv: ['docker', 'rm', '-f', ...containers], mutating: true, description: `containers kindling started for ${name}` });
    }
    if (!exists && containers.length === 0) s.skip('no such cluster');
    else s.done([exists ? 'cluster deleted' : '', containers.length > 0 ? `${containers.length} container(s) removed` : ''].filter((x) => x).join('; '));
    return { name, deletedCluster: exists, removedContainers: containers };
  });
}

export interface ClusterListEntry {
  name: string;
  /** Created by kindling (its config ConfigMap is there, or its nodes carry the GPU label). */
  kindling: boolean;
  nodes: string[];
  /** GPU layout from the stored config, when kindling made it. */
  layout?: StoredLayout;
  description: string;
}

/** kind clusters on this host, kindling's marked with their GPU layout. */
export async function listClusters(ctx: Context): Promise<ClusterListEntry[]> {
  const names = await kindClusters(ctx);
  return Promise.all(
    names.map(async (name) => {
      const nodes = await kindNodes(ctx, name).catch(() => []);
      const kube = await connectCluster(ctx, name).catch(() => undefined);
      const stored = await readStoredConfig(kube);
      const layout = stored?.layout;
      const workers = layout?.nodes.filter((n) => n.gpus === 'all' || n.gpus.length > 0) ?? [];
      const description = layout
        ? `${workers.length} GPU worker${workers.length === 1 ? '' : 's'}: ${workers.map((w) => `${w.name.slice(name.length + 1)}[${w.gpus === 'all' ? 'all' : w.gpus.join(',')}]`).join(' ')}`
        : `${nodes.length} node${nodes.length === 1 ? '' : 's'} (not created by kindling)`;
      return { name, kindling: stored !== undefined, nodes, ...(layout ? { layout } : {}), description };
    }),
  );
}

export interface NodeGpu {
  index: number;
  name: string;
  uuid: string;
}

export interface ClusterGpus {
  name: string;
  nodes: { node: string; gpus: NodeGpu[]; error?: string }[];
  /** GPUs (by UUID) seen on more than one node: the setup did not isolate them. */
  duplicates: { uuid: string; nodes: string[] }[];
}

export const NODE_GPU_QUERY = ['nvidia-smi', '--query-gpu=index,name,uuid', '--format=csv,noheader'];

export function parseGpuCsv(text: string): NodeGpu[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => {
      const [index, name, uuid] = l.split(',').map((x) => x.trim());
      return { index: Number(index), name: name ?? '', uuid: uuid ?? '' };
    })
    .filter((g) => Number.isInteger(g.index));
}

/** nvkind's print-gpus: the GPUs each GPU node sees (nvidia-smi inside the node), plus a duplicate check. */
export async function clusterGpus(ctx: Context, name: string): Promise<ClusterGpus> {
  const all = await kindNodes(ctx, name);
  if (all.length === 0) throw new UserError(`No kind cluster named '${name}'.`, { fix: ['kindling cluster list', `kindling cluster create --name ${name}`] });
  const kube = await connectCluster(ctx, name).catch(() => undefined);
  const stored = await readStoredConfig(kube);
  const gpuNames = stored?.layout
    ? stored.layout.nodes.filter((n) => n.gpus === 'all' || n.gpus.length > 0).map((n) => n.name)
    : all.filter((n) => parseKindNodeName(name, n)?.role === 'worker');
  const nodes = await Promise.all(
    gpuNames.map(async (node) => {
      const r = await ctx.runner.run({ argv: ['docker', 'exec', node, ...NODE_GPU_QUERY], mutating: false, allowFailure: true, timeoutMs: 60_000 });
      if (r.exitCode !== 0) return { node, gpus: [], error: (r.stderr || r.stdout).trim().split('\n').pop() ?? `exit ${r.exitCode}` };
      return { node, gpus: parseGpuCsv(r.stdout) };
    }),
  );
  const seen = new Map<string, string[]>();
  for (const n of nodes) for (const g of n.gpus) seen.set(g.uuid, [...(seen.get(g.uuid) ?? []), n.node]);
  const duplicates = [...seen.entries()].filter(([, ns]) => ns.length > 1).map(([uuid, ns]) => ({ uuid, nodes: ns }));
  return { name, nodes, duplicates };
}

/** Throws (exit 1) when a GPU is visible on two nodes; used by `cluster gpus` after printing. */
export function assertNoSharedGpus(result: ClusterGpus): void {
  if (result.duplicates.length === 0) return;
  throw new UserError(`${result.duplicates.length} GPU(s) are visible on more than one node of cluster '${result.name}'.`, {
    details: result.duplicates.map((d) => `${d.uuid}: ${d.nodes.join(', ')}`),
    fix: `kindling cluster create --name ${result.name}   (finishes the per-node setup that hides other nodes' GPUs)`,
    exitCode: ExitCode.failed,
  });
}

export interface ClusterDescription {
  name: string;
  context: string;
  exists: boolean;
  nodes: { name: string; role: string; gpus: number[] | 'all'; ready?: boolean; pendingSetup?: NodeStepId[] }[];
  configStored: boolean;
  apiReachable: boolean;
  runtimeClass: boolean;
  /** Everything create does is in place. */
  complete: boolean;
  problems: string[];
}

/** Status probe (read-only), safe on a half-built cluster: what exists, what is missing. */
export async function describeCluster(ctx: Context, name: string): Promise<ClusterDescription> {
  const context = kindContext(name);
  const base: ClusterDescription = { name, context, exists: false, nodes: [], configStored: false, apiReachable: false, runtimeClass: false, complete: false, problems: [] };
  if (!(await kindClusters(ctx)).includes(name)) return { ...base, problems: [`cluster ${name} does not exist`] };
  const nodeNames = await kindNodes(ctx, name);
  const kube = await connectCluster(ctx, name).catch(() => undefined);
  let apiReachable = false;
  let readyByName = new Map<string, boolean>();
  let runtimeClass = false;
  if (kube) {
    try {
      const nodes = await kube.list<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>('v1', 'Node');
      apiReachable = true;
      readyByName = new Map(nodes.map((n) => [n.metadata.name, n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True']));
      runtimeClass = (await kube.get('node.k8s.io/v1', 'RuntimeClass', 'nvidia')) !== undefined;
    } catch {
      apiReachable = false;
    }
  }
  const stored = apiReachable ? await readStoredConfig(kube) : undefined;
  const layoutNodes = stored?.layout?.nodes ?? nodeNames.map((n) => ({ name: n, role: parseKindNodeName(name, n)?.role ?? 'unknown', gpus: [] as number[] | 'all' }));
  const problems: string[] = [];
  const nodes = await Promise.all(
    layoutNodes.map(async (n) => {
      const entry: ClusterDescription['nodes'][number] = { name: n.name, role: n.role, gpus: n.gpus };
      if (apiReachable) entry.ready = readyByName.get(n.name) ?? false;
      if (!nodeNames.includes(n.name)) {
        problems.push(`node ${n.name} is missing`);
        return entry;
      }
      if (n.gpus === 'all' || n.gpus.length > 0) {
        try {
          const state = await probeNode(ctx, n.name);
          const pending = planNodeSteps({ name: n.name, gpus: n.gpus }, state, { kind: 'apt' }).map((s) => s.step);
          entry.pendingSetup = pending;
          if (pending.length > 0) problems.push(`node ${n.name}: GPU setup not finished (${pending.join(', ')})`);
        } catch (error) {
          problems.push(`node ${n.name}: ${(error as Error).message}`);
        }
      }
      if (entry.ready === false) problems.push(`node ${n.name} is not Ready`);
      return entry;
    }),
  );
  if (!apiReachable) problems.push(`the API server of ${context} does not answer`);
  else {
    if (!stored) problems.push('the cluster config is not stored (not created by kindling, or creation stopped early)');
    if (!runtimeClass) problems.push('RuntimeClass nvidia is missing');
  }
  const complete = problems.length === 0;
  return { name, context, exists: true, nodes, configStored: stored !== undefined, apiReachable, runtimeClass, complete, problems };
}

/** Is `cluster` one kind knows? (Read-only; used by `up` and `down`.) */
export async function clusterExists(ctx: Context, name: string): Promise<boolean> {
  return (await kindClusters(ctx)).includes(name);
}

export { KIND_CLUSTER_LABEL };
