/**
 * The fake API server against the real @kubernetes/client-node 1.4 (and kindling's Kube wrapper):
 * what works here is what kindling's code sees.
 */
import * as k8s from '@kubernetes/client-node';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Kube } from '../../../src/core/kube.js';
import { RecordingIoHost } from '../../../src/core/io.js';
import { Plan } from '../../../src/core/plan.js';
import { startFakeKube, type FakeKube, type KubeObj } from './index.js';

let kube: FakeKube;
let kc: k8s.KubeConfig;
let objects: k8s.KubernetesObjectApi;

beforeEach(async () => {
  kube = await startFakeKube({ clusters: ['demo'] });
  kc = new k8s.KubeConfig();
  kc.loadFromString(kube.kubeconfigFor('kind-demo', 'demo'));
  objects = k8s.KubernetesObjectApi.makeApiClient(kc);
});
afterEach(async () => {
  await kube.close();
});

const cm = (data: Record<string, string>, labels: Record<string, string> = { app: 'x' }) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c1', namespace: 'kube-system', labels },
  data,
});

const apply = (o: k8s.KubernetesObject) => objects.patch(o, undefined, undefined, 'kindling', true, k8s.PatchStrategy.ServerSideApply);

describe('fake kube API server', () => {
  it('serves discovery for core, apps and CRD groups', async () => {
    const core = kc.makeApiClient(k8s.CoreApi);
    const versions = await core.getAPIVersions();
    expect(versions.versions).toEqual(['v1']);
    const apis = kc.makeApiClient(k8s.ApisApi);
    const groups = await apis.getAPIVersions();
    expect(groups.groups.map((g) => g.name)).toEqual(expect.arrayContaining(['apps', 'node.k8s.io', 'nvidia.com', 'batch', 'storage.k8s.io']));
    const apps = await kc.makeApiClient(k8s.AppsV1Api).getAPIResources();
    expect(apps.resources.find((r) => r.kind === 'DaemonSet')).toMatchObject({ name: 'daemonsets', namespaced: true });
  });

  it('server-side apply creates, merges, removes fields no longer applied, and keeps status', async () => {
    const created = await apply(cm({ a: '1', b: '2' }));
    expect(created.metadata?.resourceVersion).toBeDefined();
    expect(created.metadata?.managedFields?.[0]).toMatchObject({ manager: 'kindling', operation: 'Apply' });
    const rv1 = created.metadata?.resourceVersion;
    // the same apply again is a no-op: no new resourceVersion
    const again = await apply(cm({ a: '1', b: '2' }));
    expect(again.metadata?.resourceVersion).toBe(rv1);
    const changed = (await apply(cm({ a: '9' }, {}))) as k8s.V1ConfigMap;
    expect(changed.data).toEqual({ a: '9' });
    expect(changed.metadata?.labels ?? {}).toEqual({});
    expect(Number(changed.metadata?.resourceVersion)).toBeGreaterThan(Number(rv1));
    // status is kept across applies to the main resource
    kube.cluster('demo').put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' }, spec: { replicas: 1 }, status: { readyReplicas: 1 } });
    const d = (await apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' }, spec: { replicas: 2 }, status: { readyReplicas: 0 } } as k8s.KubernetesObject)) as k8s.V1Deployment;
    expect(d.spec?.replicas).toBe(2);
    expect(d.status?.readyReplicas).toBe(1);
    expect(d.metadata?.generation).toBe(2);
  });

  it('refuses a namespaced object in a missing namespace (404), like the real server', async () => {
    await expect(apply({ ...cm({}), metadata: { name: 'c', namespace: 'nope' } } as k8s.KubernetesObject)).rejects.toMatchObject({ code: 404 });
  });

  it('reads, lists with label and field selectors, and deletes with namespace cascade', async () => {
    await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'llm' } } as k8s.KubernetesObject);
    const store = kube.cluster('demo');
    store.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', namespace: 'llm', labels: { app: 'vllm' } }, spec: { nodeName: 'demo-worker', containers: [{ name: 'vllm' }] } });
    store.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p2', namespace: 'llm', labels: { app: 'other' } }, spec: { nodeName: 'demo-worker2', containers: [{ name: 'c' }] } });
    const byLabel = await objects.list('v1', 'Pod', 'llm', undefined, undefined, undefined, undefined, 'app in (vllm,zzz)');
    expect(byLabel.items.map((p) => p.metadata?.name)).toEqual(['p1']);
    const byField = await objects.list('v1', 'Pod', undefined, undefined, undefined, undefined, 'spec.nodeName=demo-worker2');
    expect(byField.items.map((p) => p.metadata?.name)).toEqual(['p2']);
    const byName = await objects.list('v1', 'Pod', 'llm', undefined, undefined, undefined, 'metadata.name=p1');
    expect(byName.items).toHaveLength(1);
    const read = (await objects.read({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', namespace: 'llm' } })) as k8s.V1Pod;
    expect(read.spec?.nodeName).toBe('demo-worker');
    await objects.delete({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'llm' } });
    expect(store.list('v1', 'Pod', { namespace: 'llm' })).toEqual([]);
    await expect(objects.read({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', namespace: 'llm' } })).rejects.toMatchObject({ code: 404 });
  });

  it('kindling Kube wrapper: apply, get (undefined on 404), list, delete', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-kube-'));
    const file = join(dir, 'config');
    writeFileSync(file, kube.kubeconfigFor('kind-demo', 'demo'));
    const plan = new Plan(false);
    const k = await Kube.connect({ plan, io: new RecordingIoHost() }, { kubeconfig: file, context: 'kind-demo' });
    await k.apply({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'nvidia' }, handler: 'nvidia' });
    expect(await k.get('node.k8s.io/v1', 'RuntimeClass', 'nvidia')).toMatchObject({ handler: 'nvidia' });
    expect(await k.get('v1', 'ConfigMap', 'missing', 'default')).toBeUndefined();
    expect(await k.list('node.k8s.io/v1', 'RuntimeClass')).toHaveLength(1);
    await k.delete({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'nvidia' } });
    await k.delete({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'nvidia' } }); // 404 tolerated
    expect(kube.cluster('demo').list('node.k8s.io/v1', 'RuntimeClass')).toEqual([]);
    expect(kube.mutatingCount('demo')).toBe(3);
    expect(kube.mutatingRequests('demo')[0]).toMatchObject({ method: 'PATCH', contentType: 'application/apply-patch+yaml', query: { fieldManager: 'kindling', force: 'true' } });
  });

  it('watches with initial ADDED events, then changes, honouring selectors and resourceVersion', async () => {
    const store = kube.cluster('demo');
    store.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'default', labels: { app: 'w' } }, spec: {} });
    const seen: string[] = [];
    const watch = new k8s.Watch(kc);
    const done = new Promise<void>((resolve) => {
      void watch
        .watch('/api/v1/namespaces/default/pods', { labelSelector: 'app=w' }, (type, obj: KubeObj) => {
          seen.push(`${type} ${obj.metadata.name} ${String((obj.status as { phase?: string } | undefined)?.phase ?? '')}`.trim());
          if (type === 'DELETED') resolve();
        }, () => resolve())
        .catch(() => resolve());
    });
    await new Promise((r) => setTimeout(r, 50));
    store.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'default', labels: { app: 'other' } }, spec: {} });
    store.setStatus('v1', 'Pod', 'a', 'default', { phase: 'Running' });
    store.delete('v1', 'Pod', 'a', 'default');
    await done;
    expect(seen).toEqual(['ADDED a', 'MODIFIED a Running', 'DELETED a Running']);
    // resuming from a resourceVersion replays what came after it
    const rv = store.resourceVersion;
    store.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c', namespace: 'default', labels: { app: 'w' } }, spec: {} });
    const resumed: string[] = [];
    await new Promise<void>((resolve) => {
      void watch.watch('/api/v1/namespaces/default/pods', { resourceVersion: String(rv) }, (type, obj: KubeObj) => {
        resumed.push(`${type} ${obj.metadata.name}`);
        resolve();
      }, () => resolve());
    });
    expect(resumed).toEqual(['ADDED c']);
    kube.closeStreams();
  });

  it('serves pod logs, tailLines, and follow streams until the pod goes', async () => {
    const store = kube.cluster('demo');
    store.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'v', namespace: 'default' }, spec: { containers: [{ name: 'vllm' }] } });
    store.appendLog('default', 'v', 'vllm', 'INFO starting');
    store.appendLog('default', 'v', 'vllm', 'INFO loading');
    const core = kc.makeApiClient(k8s.CoreV1Api);
    expect(await core.readNamespacedPodLog({ name: 'v', namespace: 'default' })).toBe('INFO starting\nINFO loading\n');
    expect(await core.readNamespacedPodLog({ name: 'v', namespace: 'default', tailLines: 1 })).toBe('INFO loading\n');
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (d: Buffer) => (text += d.toString()));
    const ended = new Promise<void>((resolve) => stream.on('end', () => resolve()));
    await new k8s.Log(kc).log('default', 'v', 'vllm', stream, { follow: true });
    await new Promise((r) => setTimeout(r, 50));
    store.appendLog('default', 'v', 'vllm', 'INFO Application startup complete.');
    await new Promise((r) => setTimeout(r, 50));
    store.delete('v1', 'Pod', 'v', 'default');
    await ended;
    expect(text).toBe('INFO starting\nINFO loading\nINFO Application startup complete.\n');
  });

  it('runs plugins: applied hook, timers, events, request interception', async () => {
    kube.use((api) => {
      api.on('applied', (obj, info) => {
        if (obj.kind === 'Deployment' && info.source === 'api') {
          api.emitEvent(obj, 'ScalingReplicaSet', `Scaled up replica set ${obj.metadata.name}-abc to 1`);
          api.after(20, () => api.store.setStatus('apps/v1', 'Deployment', obj.metadata.name, obj.metadata.namespace, { readyReplicas: 1 }));
        }
      });
      api.on('request', (req) => (req.path.endsWith('/configmaps/boom') ? { status: 500, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'boom', code: 500 } } : undefined));
    });
    await apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 1 } } as k8s.KubernetesObject);
    await new Promise((r) => setTimeout(r, 80));
    const d = kube.cluster('demo').get('apps/v1', 'Deployment', 'web', 'default');
    expect(d?.status).toEqual({ readyReplicas: 1 });
    const events = await objects.list('v1', 'Event', 'default', undefined, undefined, undefined, 'involvedObject.name=web');
    expect(events.items.map((e) => (e as k8s.CoreV1Event).reason)).toEqual(['ScalingReplicaSet']);
    await expect(objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'boom', namespace: 'default' } })).rejects.toMatchObject({ code: 500 });
  });

  it('registers CRDs applied to it, and serves /status patches', async () => {
    await apply({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets' }, versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} } }] },
    } as k8s.KubernetesObject);
    await apply({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, spec: { size: 1 } } as k8s.KubernetesObject);
    await objects.patch({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, status: { ok: true } } as k8s.KubernetesObject, undefined, undefined, 'me', undefined, k8s.PatchStrategy.MergePatch);
    // a merge patch on the main resource does not touch status
    expect(kube.cluster('demo').get('example.com/v1', 'Widget', 'w', 'default')?.status).toBeUndefined();
    kube.cluster('demo').setStatus('example.com/v1', 'Widget', 'w', 'default', { ok: true });
    expect(kube.cluster('demo').get('example.com/v1', 'Widget', 'w', 'default')?.status).toEqual({ ok: true });
  });

  it('serves several clusters by path prefix; a removed cluster drops connections', async () => {
    kube.cluster('demo').put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'only-demo', namespace: 'default' } });
    expect(kube.store.get('v1', 'ConfigMap', 'only-demo', 'default')).toBeUndefined();
    kube.addCluster('two', [{ name: 'two-control-plane', role: 'control-plane' }, { name: 'two-worker', role: 'worker', labels: { 'nvidia.com/gpu.present': 'true' } }]);
    const kc2 = new k8s.KubeConfig();
    kc2.loadFromString(kube.kubeconfigFor('kind-two', 'two'));
    const nodes = await kc2.makeApiClient(k8s.CoreV1Api).listNode({ labelSelector: 'nvidia.com/gpu.present=true' });
    expect(nodes.items.map((n) => n.metadata?.name)).toEqual(['two-worker']);
    expect(nodes.items[0]?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    kube.removeCluster('two');
    await expect(kc2.makeApiClient(k8s.CoreV1Api).listNode()).rejects.toThrow();
  });
});
