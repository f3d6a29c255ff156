/**
 * Which cluster the addons go to, and a small view of the Kubernetes calls the addon services use
 * (so unit tests can hand them an in-memory fake instead of a real API server).
 */
import { stringify } from 'yaml';
import type { Context, KubeTarget } from '../core/context.js';
import { InterruptedError, UserError } from '../core/errors.js';
import type { Kube, KubeObject, ListOptions } from '../core/kube.js';

/** kindling's default cluster name (`kindling cluster create` without --name). */
export const DEFAULT_CLUSTER_NAME = 'kindling';

export interface AddonTarget {
  /** kind cluster name (for kind-specific work: the LB controller, node names, fixes). */
  clusterName: string;
  /** kubeconfig context: --context, else `kind-<name>`. */
  context: string;
  kubeconfig?: string;
}

export function resolveTarget(ctx: Pick<Context, 'kubeTarget'>, clusterName?: string): AddonTarget {
  const name = clusterName ?? DEFAULT_CLUSTER_NAME;
  return {
    clusterName: name,
    context: ctx.kubeTarget.context ?? `kind-${name}`,
    ...(ctx.kubeTarget.kubeconfig ? { kubeconfig: ctx.kubeTarget.kubeconfig } : {}),
  };
}

export function kubeTargetOf(target: AddonTarget): KubeTarget {
  return { context: target.context, ...(target.kubeconfig ? { kubeconfig: target.kubeconfig } : {}) };
}

/** `--kube-context X [--kubeconfig F]` for helm. */
export function helmTargetArgs(target: AddonTarget): string[] {
  return ['--kube-context', target.context, ...(target.kubeconfig ? ['--kubeconfig', target.kubeconfig] : [])];
}

/** The Kubernetes calls the addon services make (a subset of src/core/kube.ts's Kube). */
export interface AddonKube {
  readonly contextName: string;
  apply<T extends KubeObject>(object: T, description?: string): Promise<T>;
  get<T extends KubeObject>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T | undefined>;
  list<T extends KubeObject>(apiVersion: string, kind: string, options?: ListOptions): Promise<T[]>;
  delete(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, description?: string): Promise<void>;
  logs(namespace: string, pod: string, options?: { container?: string; tailLines?: number; previous?: boolean }): Promise<string>;
  /** JSON merge patch (used to remove a label owned by another field manager). Planned like apply. */
  mergePatch(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, patch: Record<string, unknown>, description?: string): Promise<void>;
}

/** Wraps the core Kube with the one call it lacks (merge patch). */
export function addonKube(ctx: Pick<Context, 'plan'>, kube: Kube): AddonKube {
  return {
    get contextName() {
      return kube.contextName;
    },
    apply: (o, d) => kube.apply(o, d),
    get: (a, k, n, ns) => kube.get(a, k, n, ns),
    list: (a, k, o) => kube.list(a, k, o),
    delete: (o, d) => kube.delete(o, d),
    logs: (ns, p, o) => kube.logs(ns, p, o),
    mergePatch: async (object, patch, description) => {
      const ns = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
      ctx.plan.record({
        kind: 'manifest',
        verb: 'apply',
        object: `${object.kind} ${ns}${object.metadata.name} (merge patch)`,
        yaml: stringify(patch),
        target: kube.contextName,
        ...(description ? { description } : {}),
      });
      if (ctx.plan.dryRun) return;
      const api = kube.lib.KubernetesObjectApi.makeApiClient(kube.config);
      try {
        await api.patch(
          { apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}) }, ...patch },
          undefined,
          undefined,
          'kindling',
          undefined,
          kube.lib.PatchStrategy.MergePatch,
        );
      } catch (error) {
        throw kube.wrap(`patch ${object.kind} ${object.metadata.name}`, error);
      }
    },
  };
}

export type ClusterProbe = { exists: true; kube: AddonKube } | { exists: false; reason: string };

/**
 * Connects to the target cluster and checks that its API answers. A missing kubeconfig context or an
 * unreachable API is reported (not thrown) so that --dry-run can still print the plan.
 */
export async function probeCluster(ctx: Context, target: AddonTarget): Promise<ClusterProbe> {
  const { Kube } = await import('../core/kube.js');
  try {
    const kube = await Kube.connect(ctx, kubeTargetOf(target));
    await kube.list('v1', 'Namespace', { fieldSelector: 'metadata.name=kube-system' });
    return { exists: true, kube: addonKube(ctx, kube) };
  } catch (error) {
    if (error instanceof UserError) return { exists: false, reason: error.message };
    throw error;
  }
}

/** Connects or explains why not: for commands that need a running cluster. */
export async function requireCluster(ctx: Context, target: AddonTarget): Promise<AddonKube> {
  const probe = await probeCluster(ctx, target);
  if (probe.exists) return probe.kube;
  throw new UserError(`No reachable cluster for context '${target.context}': ${probe.reason}`, {
    fix: [`kindling cluster create --name ${target.clusterName}`, 'kindling cluster list'],
  });
}

/** Sleeps, or throws InterruptedError when Ctrl-C aborts the signal. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new InterruptedError());
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InterruptedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
