import { describe, expect, it } from 'vitest';
import { diagnoseGpuOperator, matchCauses, podStatus, type PodLike } from '../../../src/addons/gpu-diagnosis.js';
import { layoutFromConfigMap } from '../../../src/addons/cluster-layout.js';
import { MemoryKube, node } from './memory-kube.js';

const target = { clusterName: 'gpu', context: 'kind-gpu' };

/** Pod status shapes follow the Kubernetes PodStatus API (kubectl get pod -o json); the container
 * names are those of the operator's validator and device-plugin DaemonSets (gpu-operator assets/). */
function pod(name: string, app: string, status: PodLike['status'], nodeName = 'gpu-worker'): PodLike {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'gpu-operator', labels: { app } }, spec: { nodeName }, status };
}

describe('known causes', () => {
  it.each([
    ['Error: failed to create containerd task: failed to create shim task: OCI runtime create failed: no runtime for "nvidia" is configured', 'nvidia-runtime-missing'],
    ['nvidia-container-cli: mount error: stat failed: /proc/driver/nvidia/capabilities: no such file or directory: unknown', 'proc-driver-nvidia-masked'],
    ['Back-off pulling image "nvcr.io/nvidia/cloud-native/gpu-operator-validator:v26.3.3": ImagePullBackOff', 'image-pull'],
    ['0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient nvidia.com/gpu.', 'gpu-not-allocatable'],
    ['E1124 05:00:00.000000 1 factory.go:112] Incompatible strategy detected auto\nfailed to initialize NVML: ERROR_LIBRARY_NOT_FOUND', 'driver-not-injected'],
  ])('%s → %s', (text, id) => {
    expect(matchCauses(text, target).map((c) => c.id)).toContain(id);
  });

  it('fixes name the cluster and context', () => {
    const [c] = matchCauses('no runtime for "nvidia" is configured', target);
    expect(c?.fix[0]).toMatch(/kindling cluster create --name gpu/);
  });
});

describe('podStatus', () => {
  it('init container crash loop is reported like kubectl, with restarts', () => {
    const s = podStatus(
      pod('v', 'nvidia-operator-validator', {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'driver-validation', state: { terminated: { exitCode: 0 } } },
          { name: 'toolkit-validation', restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      }),
    );
    expect(s).toEqual({ text: 'Init:CrashLoopBackOff (toolkit-validation, 4 restarts)', container: 'toolkit-validation', previous: true, restarts: 4 });
  });

  it('unschedulable pod shows the scheduler message', () => {
    const s = podStatus(pod('p', 'x', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available: 2 Insufficient nvidia.com/gpu.' }] }));
    expect(s.text).toBe('Pending: 0/2 nodes are available: 2 Insufficient nvidia.com/gpu.');
  });
});

describe('diagnoseGpuOperator', () => {
  it('device plugin DaemonSet scheduled on 0 nodes → the gpu.present label fix per GPU worker', async () => {
    const kube = new MemoryKube([
      node('gpu-worker'),
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'nvidia-device-plugin-daemonset', namespace: 'gpu-operator' }, status: { desiredNumberScheduled: 0, numberReady: 0 } },
    ]);
    const d = await diagnoseGpuOperator(kube, target, ['gpu-worker']);
    expect(d.causes.map((c) => c.id)).toEqual(['gpu-present-label-missing']);
    expect(d.causes[0]?.fix).toEqual(['kubectl label node gpu-worker nvidia.com/gpu.present=true --overwrite --context kind-gpu']);
  });

  it('validator toolkit-validation crash loop without a known log line → toolkit-validation cause', async () => {
    const kube = new MemoryKube([
      pod('nvidia-operator-validator-abcde', 'nvidia-operator-validator', {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'driver-validation', state: { terminated: { exitCode: 0 } } },
          { name: 'toolkit-validation', restartCount: 6, state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      }),
    ]);
    kube.podLogs.set('gpu-operator/nvidia-operator-validator-abcde/toolkit-validation/previous', 'toolkit is not ready\n');
    const d = await diagnoseGpuOperator(kube, target, ['gpu-worker']);
    expect(d.findings[0]).toMatchObject({ pod: 'nvidia-operator-validator-abcde', container: 'toolkit-validation', logTail: ['toolkit is not ready'] });
    expect(d.causes.map((c) => c.id)).toEqual(['toolkit-validation']);
  });

  it('ImagePullBackOff: no log read, registry hint', async () => {
    const kube = new MemoryKube([
      pod('nvidia-device-plugin-daemonset-q1w2e', 'nvidia-device-plugin-daemonset', {
        phase: 'Pending',
        initContainerStatuses: [{ name: 'toolkit-validation', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nvcr.io/nvidia/k8s-device-plugin:v0.19.3"' } } }],
      }),
    ]);
    const d = await diagnoseGpuOperator(kube, target, ['gpu-worker']);
    expect(d.findings[0]?.logTail).toEqual([]);
    expect(d.causes[0]?.id).toBe('image-pull');
    expect(d.causes[0]?.fix.join('\n')).toMatch(/kind load docker-image <image> --name gpu/);
  });
});

describe('stored cluster layout', () => {
  it('reads node → GPU count from JSON or YAML entries naming a node and its GPUs', () => {
    expect(layoutFromConfigMap({ 'layout.json': JSON.stringify({ nodes: [{ name: 'k-worker', gpus: [0, 1] }, { name: 'k-worker2', gpus: [2] }, { name: 'k-control-plane', gpus: [] }] }) })).toEqual(
      new Map([['k-worker', 2], ['k-worker2', 1], ['k-control-plane', 0]]),
    );
    expect(layoutFromConfigMap({ 'layout.yaml': 'workers:\n  - node: k-worker\n    gpuCount: 4\n' })).toEqual(new Map([['k-worker', 4]]));
    expect(layoutFromConfigMap({ 'config.yaml': 'kind: Cluster\nnodes:\n  - role: worker\n' })).toBeUndefined();
  });

  it("reads src/cluster's stored layout (data.layout, gpus as indices or 'all'), not the kind config beside it", () => {
    const data = {
      config: 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n  - role: worker\n',
      layout: JSON.stringify({ hostGpuCount: 4, nodes: [{ name: 'k-control-plane', role: 'control-plane', gpus: [] }, { name: 'k-worker', role: 'worker', gpus: 'all' }, { name: 'k-worker2', role: 'worker', gpus: [1, 3] }] }),
      kindlingVersion: '0.1.0',
    };
    expect(layoutFromConfigMap(data)).toEqual(new Map([['k-control-plane', 0], ['k-worker', 4], ['k-worker2', 2]]));
  });
});
