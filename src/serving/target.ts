/**
 * Which cluster serving talks to, and what it knows about it: --context when given, else kindling's
 * own kind cluster (`kind-kindling`) when the kubeconfig has it, else the current context. Whether
 * the cluster is one kindling created (the stored layout ConfigMap: its GPU workers mount the host
 * cache dir) decides the default model cache; GPUs per node bound --gpus.
 */
import type { Context, KubeTarget } from '../core/context.js';
import { Kube, type KubeObject } from '../core/kube.js';
import { CLUSTER_CONFIG_NAME, CLUSTER_CONFIG_NAMESPACE, GPU_PRESENT_LABEL, layoutFromConfigMap } from '../addons/cluster-layout.js';
import { servingKube, type ServingKube } from './kube-api.js';
import type { CacheMode } from './spec.js';

/** kindling's default kind cluster (`kindling cluster create` without --name). */
export const DEFAULT_CLUSTER_CONTEXT = 'kind-kindling';
/**
 * The node directory every GPU worker of a kindling cluster gets the host cache dir mounted at
 * (the cluster issue mounts the host's /var/lib/kindling/cache at the same path in each node).
 */
export const NODE_CACHE_DIR = '/var/lib/kindling/cache';

export interface ServingTarget {
  kube: ServingKube;
  /** `--context X` to repeat in printed commands ('' when the default was used). */
  contextFlag: string;
}

/** Connects to the serving target (see the module comment for the default context). */
export async function connectServing(ctx: Context, target: KubeTarget = ctx.kubeTarget): Promise<ServingTarget> {
  let context = target.context;
  if (!context) {
    const lib = await import('@kubernetes/client-node');
    const config = new lib.KubeConfig();
    try {
      if (target.kubeconfig) config.loadFromFile(target.kubeconfig);
      else config.loadFromDefault();
      if (config.getContexts().some((c) => c.name === DEFAULT_CLUSTER_CONTEXT)) context = DEFAULT_CLUSTER_CONTEXT;
    } catch {
      // Kube.connect reports an unreadable kubeconfig with its fix.
    }
  }
  const kube = await Kube.connect(ctx, { ...target, ...(context ? { context } : {}) });
  return {
    kube: servingKube(kube, ctx),
    contextFlag: target.context ? `--context ${target.context}` : '',
  };
}

export interface ClusterFacts {
  /** The cluster was made by kindling: GPU workers mount the host cache dir. */
  kindlingCluster: boolean;
  /** Most GPUs any one node has (stored layout, else allocatable/capacity); undefined when unknown. */
  maxGpusPerNode?: number;
  /** node → GPUs, for messages. */
  gpusPerNode: Record<string, number>;
  defaultCache: CacheMode;
}

interface NodeObj extends KubeObject {
  status?: { allocatable?: Record<string, string>; capacity?: Record<string, string> };
}

export async function clusterFacts(kube: ServingKube): Promise<ClusterFacts> {
  const cm = await kube.get<KubeObject & { data?: Record<string, string> }>('v1', 'ConfigMap', CLUSTER_CONFIG_NAME, CLUSTER_CONFIG_NAMESPACE);
  const layout = layoutFromConfigMap(cm?.data);
  const gpusPerNode: Record<string, number> = {};
  if (layout) for (const [node, n] of layout) gpusPerNode[node] = n;
  else {
    const nodes = await kube.list<NodeObj>('v1', 'Node');
    for (const n of nodes) {
      const count = Number(n.status?.allocatable?.['nvidia.com/gpu'] ?? n.status?.capacity?.['nvidia.com/gpu'] ?? 0);
      if (count > 0 || n.metadata.labels?.[GPU_PRESENT_LABEL] === 'true') gpusPerNode[n.metadata.name] = count;
    }
  }
  const counts = Object.values(gpusPerNode).filter((n) => n > 0);
  const kindlingCluster = cm !== undefined;
  return {
    kindlingCluster,
    ...(counts.length > 0 ? { maxGpusPerNode: Math.max(...counts) } : {}),
    gpusPerNode,
    defaultCache: kindlingCluster ? 'host' : 'pvc',
  };
}
