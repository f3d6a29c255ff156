/**
 * The serving services against a small in-memory ServingKube (the sim tests cover the same paths
 * end to end against the fake API server).
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject, ListOptions } from '../../../src/core/kube.js';
import { UserError } from '../../../src/core/errors.js';
import { redactSecret, type ServingKube } from '../../../src/serving/kube-api.js';
import { deleteModel, deployModel, prepareModelSpec, renderModelList } from '../../../src/serving/service.js';
import { testContext } from '../../helpers/context.js';

class MemoryKube implements ServingKube {
  readonly contextName = 'kind-kindling';
  readonly objects = new Map<string, KubeObject>();
  readonly writes: string[] = [];
  private key(kind: string, name: string, ns?: string) {
    return `${kind}/${ns ?? ''}/${name}`;
  }
  put(o: KubeObject) {
    this.objects.set(this.key(o.kind, o.metadata.name, o.metadata.namespace), structuredClone(o));
  }
  async get<T extends KubeObject>(_v: string, kind: string, name: string, ns?: string) {
    return this.objects.get(this.key(kind, name, ns)) as T | undefined;
  }
  async list<T extends KubeObject>(_v: string, kind: string, options: ListOptions = {}) {
    return [...this.objects.values()].filter((o) => o.kind === kind && (options.namespace === undefined || o.metadata.namespace === options.namespace)) as T[];
  }
  async apply<T extends KubeObject>(o: T) {
    this.writes.push(`apply ${o.kind} ${o.metadata.name}`);
    this.put(o);
    return o;
  }
  async applySecret(o: KubeObject) {
    this.writes.push(`apply ${o.kind} ${o.metadata.name}`);
    this.put(o);
  }
  async delete(o: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>) {
    this.writes.push(`delete ${o.kind} ${o.metadata.name}`);
    this.objects.delete(this.key(o.kind, o.metadata.name, o.metadata.namespace));
  }
  async podLogs() {
    return '';
  }
  async followLogs() {}
}

const opts = { context: 'kind-kindling', wait: false } as const;

describe('serving services', () => {
  it('deploy applies once; an equal spec writes nothing the second time; a changed spec is applied', async () => {
    const kube = new MemoryKube();
    kube.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kindling-cluster-config', namespace: 'kube-system' }, data: {} } as KubeObject);
    const ctx = testContext([], { env: { HF_TOKEN: 'hf_unitTestToken123456' } });
    const { spec } = await prepareModelSpec(ctx, kube, {});
    const first = await deployModel(ctx, kube, spec, opts);
    expect(first.applied).toEqual([
      'Secret default/deepseek-r1-distill-qwen-1-5b-hf-token',
      'Deployment default/deepseek-r1-distill-qwen-1-5b',
      'Service default/deepseek-r1-distill-qwen-1-5b',
    ]);
    const writes = kube.writes.length;
    const second = await deployModel(ctx, kube, spec, opts);
    expect(second.applied).toEqual([]);
    expect(kube.writes.length).toBe(writes);
    const changed = await deployModel(ctx, kube, (await prepareModelSpec(ctx, kube, { maxModelLen: 4096 })).spec, opts);
    expect(changed.applied).toEqual(['Deployment default/deepseek-r1-distill-qwen-1-5b', 'Service default/deepseek-r1-distill-qwen-1-5b']);
    // The token is registered for redaction.
    expect(ctx.redactor.redact('x hf_unitTestToken123456 y')).toBe('x *** y');
  });

  it('a cluster kindling did not make (no layout ConfigMap): PVC cache by default; GPUs per node from allocatable', async () => {
    const kube = new MemoryKube();
    kube.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'gpu-1' }, status: { allocatable: { 'nvidia.com/gpu': '2' } } } as KubeObject);
    const ctx = testContext();
    const { spec } = await prepareModelSpec(ctx, kube, { gpus: 2 });
    expect(spec.cache).toBe('pvc');
    await expect(prepareModelSpec(ctx, kube, { gpus: 4 })).rejects.toThrow(/more GPUs than any node has \(at most 2; gpu-1: 2\)/);
    const r = await deployModel(ctx, kube, spec, opts);
    expect(r.applied[0]).toBe('PersistentVolumeClaim default/deepseek-r1-distill-qwen-1-5b-cache');
  });

  it('a kindling cluster: host cache, and --gpus checked against the stored layout', async () => {
    const kube = new MemoryKube();
    kube.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kindling-cluster-config', namespace: 'kube-system' }, data: { 'layout.json': JSON.stringify({ nodes: [{ name: 'kindling-worker', gpus: [0] }, { name: 'kindling-worker2', gpus: [1] }] }) } } as KubeObject);
    const ctx = testContext();
    expect((await prepareModelSpec(ctx, kube, {})).spec.cache).toBe('host');
    const err = await prepareModelSpec(ctx, kube, { gpus: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
  });

  it('delete removes only what kindling made, and says when there is nothing', async () => {
    const kube = new MemoryKube();
    const ctx = testContext();
    expect(await deleteModel(ctx, kube, { context: 'kind-kindling', name: 'm' })).toEqual({ deleted: [], portForwardsStopped: 0 });
    kube.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'm', namespace: 'default', labels: {} } });
    await expect(deleteModel(ctx, kube, { context: 'kind-kindling', name: 'm' })).rejects.toThrow(/was not created by kindling/);
    expect(kube.writes).toEqual([]);
  });

  it('redactSecret hides data and stringData values', () => {
    const s = redactSecret({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { token: 'aGZfeA==' }, stringData: { other: 'hf_x' } } as KubeObject);
    expect(s).toMatchObject({ data: { token: '***' }, stringData: { other: '***' } });
  });

  it('renders the model list', () => {
    expect(renderModelList([])).toContain('No models deployed by kindling');
    const text = renderModelList([{ name: 'a', namespace: 'default', model: 'org/a', servedModelName: 'org/a', gpus: 1, replicas: 1, readyReplicas: 0, ready: false, image: 'i', state: 'ImagePullBackOff' }]);
    expect(text).toBe('NAME  NAMESPACE  MODEL  GPUS  READY                 ENDPOINT  AGE\na     default    org/a  1     0/1 ImagePullBackOff  -\n');
  });
});
