/**
 * A small in-memory stand-in for the Kubernetes calls the addon services make (AddonKube), with a
 * log of writes so tests can assert that a rerun changes nothing. Objects are plain JSON as the API
 * returns them; `onRead` lets a test move the cluster forward between polls (a scripted timeline).
 */
import type { KubeObject } from '../../../src/core/kube.js';
import type { AddonKube } from '../../../src/addons/target.js';

export class MemoryKube implements AddonKube {
  readonly contextName = 'kind-kindling';
  readonly objects = new Map<string, KubeObject>();
  readonly writes: string[] = [];
  readonly podLogs = new Map<string, string>();
  /** Called before every list (the "clock" of a scripted timeline). */
  onList?: (kube: MemoryKube) => void;

  constructor(initial: KubeObject[] = []) {
    for (const o of initial) this.put(o);
  }

  static key(apiVersion: string, kind: string, name: string, namespace?: string): string {
    return `${apiVersion}|${kind}|${namespace ?? ''}|${name}`;
  }

  put(o: KubeObject): void {
    this.objects.set(MemoryKube.key(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace), structuredClone(o));
  }

  async apply<T extends KubeObject>(object: T): Promise<T> {
    this.writes.push(`apply ${object.kind} ${object.metadata.name}`);
    this.put(object);
    return object;
  }

  async get<T extends KubeObject>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T | undefined> {
    const o = this.objects.get(MemoryKube.key(apiVersion, kind, name, namespace));
    return o ? (structuredClone(o) as T) : undefined;
  }

  async list<T extends KubeObject>(apiVersion: string, kind: string, options: { namespace?: string; labelSelector?: string } = {}): Promise<T[]> {
    this.onList?.(this);
    return [...this.objects.values()]
      .filter((o) => o.apiVersion === apiVersion && o.kind === kind && (options.namespace === undefined || o.metadata.namespace === options.namespace))
      .map((o) => structuredClone(o) as T);
  }

  async delete(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<void> {
    this.writes.push(`delete ${object.kind} ${object.metadata.name}`);
    this.objects.delete(MemoryKube.key(object.apiVersion, object.kind, object.metadata.name, object.metadata.namespace));
  }

  async logs(namespace: string, pod: string, options: { container?: string; previous?: boolean } = {}): Promise<string> {
    return this.podLogs.get(`${namespace}/${pod}/${options.container ?? ''}${options.previous ? '/previous' : ''}`) ?? this.podLogs.get(`${namespace}/${pod}/${options.container ?? ''}`) ?? '';
  }

  async mergePatch(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, patch: Record<string, unknown>): Promise<void> {
    this.writes.push(`patch ${object.kind} ${object.metadata.name}`);
    const key = MemoryKube.key(object.apiVersion, object.kind, object.metadata.name, object.metadata.namespace);
    const current = this.objects.get(key);
    if (current) this.objects.set(key, mergePatch(current, patch) as KubeObject);
  }
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

// ---- builders (shapes of the Kubernetes API objects, as kubectl get -o json shows them) ----

export function node(name: string, opts: { gpus?: number; gpuLabel?: boolean; controlPlane?: boolean; labels?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        ...(opts.controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
        ...(opts.gpuLabel ? { 'nvidia.com/gpu.present': 'true' } : {}),
        ...opts.labels,
      },
    },
    status: {
      allocatable: { cpu: '16', memory: '131817264Ki', pods: '110', ...(opts.gpus !== undefined ? { 'nvidia.com/gpu': String(opts.gpus) } : {}) },
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

export function clusterConfig(layout: Record<string, number>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kindling-cluster-config', namespace: 'kube-system' },
    // src/cluster's stored shape: data.layout = {hostGpuCount, nodes: [{name, role, gpus}]}.
    data: {
      layout: JSON.stringify({ hostGpuCount: 8, nodes: Object.entries(layout).map(([name, n]) => ({ name, role: 'worker', gpus: Array.from({ length: n }, (_, i) => i) })) }),
    },
  };
}

export function clusterPolicy(state: string): KubeObject {
  return { apiVersion: 'nvidia.com/v1', kind: 'ClusterPolicy', metadata: { name: 'cluster-policy' }, status: { state } };
}

export function runningPod(name: string, app: string, nodeName: string, ready = true): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'gpu-operator', labels: { app } },
    spec: { nodeName },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [{ name: app, ready, restartCount: 0, state: { running: { startedAt: '2026-11-24T05:00:00Z' } } }],
    },
  };
}
