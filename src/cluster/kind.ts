/**
 * The kind CLI and the cluster's stored config: `kind get clusters|nodes`, create/delete, and the
 * ConfigMap kube-system/kindling-cluster-config (config, layout, kindling version).
 */
import type { Context } from '../core/context.js';
import { ExternalError, UserError } from '../core/errors.js';
import { Kube, describe as describeObject, type KubeObject } from '../core/kube.js';
import { stringify } from 'yaml';
import { CONFIGMAP_NAME, CONFIGMAP_NAMESPACE, kindContext } from './constants.js';
import { sortKindNodeNames, type ClusterLayout } from './layout.js';

declare const __KINDLING_VERSION__: string | undefined;
export const KINDLING_VERSION: string = typeof __KINDLING_VERSION__ === 'string' ? __KINDLING_VERSION__ : '0.0.0-dev';

export const KIND_FIX = 'kindling host setup';

/** Runs a kind command; kind missing → UserError with the fix. */
export async function kind(ctx: Context, argv: string[], options: { mutating: boolean; stdin?: string; timeoutMs?: number; description?: string }) {
  try {
    return await ctx.runner.run({
      argv: ['kind', ...argv],
      mutating: options.mutating,
      ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
      timeoutMs: options.timeoutMs ?? 60_000,
      ...(options.description ? { description: options.description } : {}),
      fix: ['kindling doctor', KIND_FIX],
    });
  } catch (error) {
    if (error instanceof ExternalError && error.notFound) {
      throw new UserError('kind is not installed (not found on PATH).', { fix: KIND_FIX });
    }
    throw error;
  }
}

/** Names of the kind clusters on this host. */
export async function kindClusters(ctx: Context): Promise<string[]> {
  const r = await kind(ctx, ['get', 'clusters'], { mutating: false });
  return r.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

/** Node names of a cluster, in kind's numeric order (control-plane, worker, worker2 … worker10). */
export async function kindNodes(ctx: Context, name: string): Promise<string[]> {
  const r = await kind(ctx, ['get', 'nodes', '--name', name], { mutating: false });
  return sortKindNodeNames(name, r.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== ''));
}

export function clusterKubeTarget(ctx: Context, name: string) {
  return { context: kindContext(name), ...(ctx.kubeTarget.kubeconfig ? { kubeconfig: ctx.kubeTarget.kubeconfig } : {}) };
}

export async function connectCluster(ctx: Context, name: string): Promise<Kube> {
  return Kube.connect(ctx, clusterKubeTarget(ctx, name));
}

export interface StoredLayout {
  hostGpuCount: number;
  nodes: { name: string; role: string; gpus: number[] | 'all' }[];
}

export interface StoredClusterConfig {
  config: string;
  layout?: StoredLayout;
  kindlingVersion?: string;
}

export function layoutJson(layout: ClusterLayout): string {
  const stored: StoredLayout = { hostGpuCount: layout.hostGpuCount, nodes: layout.nodes.map((n) => ({ name: n.name, role: n.role, gpus: n.gpus })) };
  return JSON.stringify(stored);
}

export function configMapObject(yaml: string, layout: ClusterLayout): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: CONFIGMAP_NAME, namespace: CONFIGMAP_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'kindling' } },
    data: { config: yaml, layout: layoutJson(layout), kindlingVersion: KINDLING_VERSION },
  };
}

/** The stored config, or undefined when it is not there or the API does not answer. */
export async function readStoredConfig(kube: Kube | undefined): Promise<StoredClusterConfig | undefined> {
  if (!kube) return undefined;
  let cm: (KubeObject & { data?: Record<string, string> }) | undefined;
  try {
    cm = await kube.get<KubeObject & { data?: Record<string, string> }>('v1', 'ConfigMap', CONFIGMAP_NAME, CONFIGMAP_NAMESPACE);
  } catch {
    return undefined;
  }
  const data = cm?.data;
  if (!data?.config) return undefined;
  let layout: StoredLayout | undefined;
  try {
    layout = data.layout ? (JSON.parse(data.layout) as StoredLayout) : undefined;
  } catch {
    layout = undefined;
  }
  return { config: data.config, ...(layout ? { layout } : {}), ...(data.kindlingVersion ? { kindlingVersion: data.kindlingVersion } : {}) };
}

/** Applies an object unless it already holds `same(existing)`; in a plan-only run, records it. */
export async function ensureObject(
  ctx: Context,
  kube: Kube | undefined,
  object: KubeObject,
  same: (existing: KubeObject) => boolean,
  context: string,
  description: string,
): Promise<boolean> {
  if (!kube) {
    ctx.plan.record({ kind: 'manifest', verb: 'apply', object: describeObject(object), yaml: stringify(object), target: context, description });
    return true;
  }
  const existing = await kube.get(object.apiVersion, object.kind, object.metadata.name, object.metadata.namespace);
  if (existing && same(existing)) return false;
  await kube.apply(object, description);
  return true;
}
