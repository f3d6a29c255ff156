/**
 * Scripted GPU Operator for the fake API server: once a ClusterPolicy exists (the fake `helm upgrade
 * --install` creates it), the operator pod, a device-plugin pod and a validator pod per GPU worker
 * (nodes labelled nvidia.com/gpu.present=true) appear and progress on a timeline; when the device
 * plugin is ready, each GPU worker's `nvidia.com/gpu` allocatable becomes its assigned GPUs (from the
 * stored layout ConfigMap kube-system/kindling-cluster-config, × time-slicing replicas), and the
 * ClusterPolicy's status.state turns `ready`. Failures keep it `notReady` the way the real operator
 * stays: a validator whose toolkit check crash-loops with a known log line, or pods stuck pending.
 *
 * Pod shapes follow the operator's assets (validator init containers driver-/toolkit-/cuda-/plugin-
 * validation; labels app=<daemonset name>) and the PodStatus API.
 *
 * Options (pluginOptions.gpuOperator or the factory argument):
 *   devicePluginReadyMs (default 600), policyReadyMs (default 1200),
 *   failure: 'never-ready' (pods stay pending) | 'no-nvidia-runtime' (sandboxes fail: Warning event
 *   FailedCreatePodSandBox, as the kubelet reports it) | 'toolkit-validation' (the validator's
 *   toolkit-validation init container crash-loops) | 'image-pull' (ImagePullBackOff)
 */
import { createHash } from 'node:crypto';
import { layoutFromConfigMap } from '../../../../src/addons/cluster-layout.js';
import type { FakeKubePlugin, FakeKubePluginApi } from '../server.js';
import type { KubeObj, KubeStore } from '../store.js';

export interface GpuOperatorTimeline {
  devicePluginReadyMs?: number;
  policyReadyMs?: number;
  failure?: 'never-ready' | 'no-nvidia-runtime' | 'toolkit-validation' | 'image-pull';
}

const NS = 'gpu-operator';
const VERSION = 'v26.3.3';
const NO_RUNTIME =
  'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for "nvidia" is configured';

function suffix(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').replace(/[^a-z0-9]/g, '').slice(0, 5);
}

function podName(app: string, node: string): string {
  return `${app}-${suffix(`${app}/${node}`)}`;
}

function basePod(app: string, node: string, containers: string[], inits: string[] = []): KubeObj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: podName(app, node), namespace: NS, labels: { app, 'app.kubernetes.io/part-of': 'gpu-operator' } },
    spec: {
      nodeName: node,
      runtimeClassName: 'nvidia',
      ...(inits.length ? { initContainers: inits.map((name) => ({ name, image: `nvcr.io/nvidia/cloud-native/gpu-operator-validator:${VERSION}` })) } : {}),
      containers: containers.map((name) => ({ name, image: `nvcr.io/nvidia/${name}:${VERSION}` })),
    },
    status: { phase: 'Pending' },
  };
}

type Phase = 'pending' | 'init-running' | 'ready' | 'crashloop' | 'image-pull';

function status(phase: Phase, containers: string[], inits: string[], restarts = 0, failingInit?: string): Record<string, unknown> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const done = { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now } };
  if (phase === 'ready') {
    return {
      phase: 'Running',
      conditions: [
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: 'True' },
        { type: 'ContainersReady', status: 'True' },
        { type: 'PodScheduled', status: 'True' },
      ],
      ...(inits.length ? { initContainerStatuses: inits.map((name) => ({ name, ready: true, restartCount: 0, state: done })) } : {}),
      containerStatuses: containers.map((name) => ({ name, ready: true, restartCount: 0, started: true, state: { running: { startedAt: now } } })),
    };
  }
  const waiting = (reason: string, message?: string) => ({ waiting: { reason, ...(message ? { message } : {}) } });
  let initStatuses = inits.map((name) => ({ name, ready: false, restartCount: 0, state: waiting('PodInitializing') as Record<string, unknown> }));
  if (phase === 'init-running' && inits.length) initStatuses = inits.map((name, i) => ({ name, ready: false, restartCount: 0, state: i === 0 ? { running: { startedAt: now } } : waiting('PodInitializing') }));
  if (phase === 'crashloop' && failingInit) {
    const at = inits.indexOf(failingInit);
    initStatuses = inits.map((name, i) => ({
      name,
      ready: false,
      restartCount: i === at ? restarts : 0,
      state: i < at ? done : i === at ? waiting('CrashLoopBackOff', `back-off 40s restarting failed container=${name}`) : waiting('PodInitializing'),
    }));
  }
  if (phase === 'image-pull') {
    initStatuses = inits.map((name, i) => ({
      name,
      ready: false,
      restartCount: 0,
      state: i === 0 ? waiting('ImagePullBackOff', `Back-off pulling image "nvcr.io/nvidia/cloud-native/gpu-operator-validator:${VERSION}"`) : waiting('PodInitializing'),
    }));
  }
  return {
    phase: 'Pending',
    conditions: [
      { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized' },
      { type: 'Ready', status: 'False', reason: 'ContainersNotReady' },
      { type: 'PodScheduled', status: 'True' },
    ],
    ...(inits.length ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: containers.map((name) => ({ name, ready: false, restartCount: 0, state: waiting(inits.length ? 'PodInitializing' : 'ContainerCreating') })),
  };
}

function expectedGpus(store: KubeStore, node: string): number {
  const cm = store.get('v1', 'ConfigMap', 'kindling-cluster-config', 'kube-system') as (KubeObj & { data?: Record<string, string> }) | undefined;
  return layoutFromConfigMap(cm?.data)?.get(node) ?? 1;
}

function timeSlicingReplicas(store: KubeStore, policy: KubeObj): number {
  const name = ((policy.spec as { devicePlugin?: { config?: { name?: string } } } | undefined)?.devicePlugin?.config?.name) ?? '';
  if (!name) return 1;
  const cm = store.get('v1', 'ConfigMap', name, NS) as (KubeObj & { data?: Record<string, string> }) | undefined;
  const m = /replicas:\s*(\d+)/.exec(Object.values(cm?.data ?? {}).join('\n'));
  return m ? Number(m[1]) : 1;
}

function upsertPod(store: KubeStore, pod: KubeObj, st: Record<string, unknown>): void {
  const current = store.get('v1', 'Pod', pod.metadata.name, NS);
  if (!current) {
    store.put({ ...pod, status: st });
    return;
  }
  if (JSON.stringify(current.status) !== JSON.stringify(st)) store.setStatus('v1', 'Pod', pod.metadata.name, NS, st);
}

export function gpuOperatorPlugin(timeline: GpuOperatorTimeline = {}): FakeKubePlugin {
  return (api: FakeKubePluginApi) => {
    const opts: GpuOperatorTimeline = { ...timeline, ...((api.options.gpuOperator as GpuOperatorTimeline | undefined) ?? {}) };
    const devicePluginReadyMs = opts.devicePluginReadyMs ?? 600;
    const policyReadyMs = opts.policyReadyMs ?? 1200;
    let startedAt: number | undefined;
    let lastRestart = 0;
    let restarts = 0;
    const sandboxFailed = new Set<string>();
    const store = api.store;

    api.on('applied', (obj) => {
      if (obj.kind === 'ClusterPolicy' && startedAt === undefined) startedAt = api.elapsed();
    });
    api.on('deleted', (obj) => {
      if (obj.kind !== 'ClusterPolicy') return;
      startedAt = undefined;
      restarts = 0;
      sandboxFailed.clear();
      for (const p of store.list('v1', 'Pod', { namespace: NS })) {
        try {
          store.delete('v1', 'Pod', p.metadata.name, NS);
        } catch {
          /* namespace cascade may have removed it */
        }
      }
      for (const n of store.list('v1', 'Node')) {
        const alloc = (n.status as { allocatable?: Record<string, string> } | undefined)?.allocatable ?? {};
        if ('nvidia.com/gpu' in alloc) {
          store.update('v1', 'Node', n.metadata.name, undefined, (o) => {
            const s = o.status as { allocatable: Record<string, string>; capacity?: Record<string, string> };
            delete s.allocatable['nvidia.com/gpu'];
            if (s.capacity) delete s.capacity['nvidia.com/gpu'];
          });
        }
      }
    });

    api.on('tick', () => {
      if (startedAt === undefined) return;
      const policy = store.get('nvidia.com/v1', 'ClusterPolicy', 'cluster-policy');
      if (!policy) return;
      if (!store.get('v1', 'Namespace', NS)) return;
      const t = api.elapsed() - startedAt;
      const gpuNodes = store.list('v1', 'Node').filter((n) => n.metadata.labels?.['nvidia.com/gpu.present'] === 'true');
      const operatorNode = store.list('v1', 'Node').find((n) => n.metadata.labels?.['node-role.kubernetes.io/control-plane'] !== undefined)?.metadata.name ?? 'control-plane';
      upsertPod(store, basePod('gpu-operator', operatorNode, ['gpu-operator']), status('ready', ['gpu-operator'], []));

      const failure = opts.failure;
      const pluginInits = ['toolkit-validation'];
      const validatorInits = ['driver-validation', 'toolkit-validation', 'cuda-validation', 'plugin-validation'];
      if (failure === 'toolkit-validation' && t - lastRestart > 150) {
        lastRestart = t;
        restarts += 1;
      }
      for (const n of gpuNodes) {
        const node = n.metadata.name;
        const plugin = basePod('nvidia-device-plugin-daemonset', node, ['nvidia-device-plugin'], pluginInits);
        const validator = basePod('nvidia-operator-validator', node, ['nvidia-operator-validator'], validatorInits);
        let pluginPhase: Phase = t >= devicePluginReadyMs ? 'ready' : 'init-running';
        let validatorPhase: Phase = t >= policyReadyMs ? 'ready' : 'init-running';
        if (failure === 'never-ready') pluginPhase = validatorPhase = 'pending';
        if (failure === 'image-pull') pluginPhase = validatorPhase = 'image-pull';
        if (failure === 'no-nvidia-runtime') pluginPhase = validatorPhase = 'pending';
        if (failure === 'toolkit-validation') {
          pluginPhase = 'init-running';
          validatorPhase = 'crashloop';
        }
        upsertPod(store, plugin, status(pluginPhase, ['nvidia-device-plugin'], pluginInits));
        upsertPod(store, validator, status(validatorPhase, ['nvidia-operator-validator'], validatorInits, restarts, 'toolkit-validation'));
        if (failure === 'no-nvidia-runtime') {
          for (const pod of [plugin, validator]) {
            if (!sandboxFailed.has(pod.metadata.name)) {
              sandboxFailed.add(pod.metadata.name);
              api.emitEvent(pod, 'FailedCreatePodSandBox', NO_RUNTIME, 'Warning');
            }
          }
        }
        if (validatorPhase === 'crashloop' && store.logLines(NS, validator.metadata.name, 'toolkit-validation', true).length === 0) {
          store.appendLog(NS, validator.metadata.name, 'toolkit-validation', 'time="2026-11-24T05:00:00Z" level=info msg="version: 3e2a2f1b, commit: 3e2a2f1"');
          store.appendLog(NS, validator.metadata.name, 'toolkit-validation', 'time="2026-11-24T05:00:01Z" level=info msg="Error: error validating toolkit installation: failed to run nvidia-smi: exit status 1"');
          store.restartContainerLog(NS, validator.metadata.name, 'toolkit-validation');
        }
        if (pluginPhase === 'ready') {
          const want = String(expectedGpus(store, node) * timeSlicingReplicas(store, policy));
          const alloc = (n.status as { allocatable?: Record<string, string> } | undefined)?.allocatable ?? {};
          if (alloc['nvidia.com/gpu'] !== want) {
            store.update('v1', 'Node', node, undefined, (o) => {
              const s = o.status as { allocatable: Record<string, string>; capacity: Record<string, string> };
              s.allocatable = { ...s.allocatable, 'nvidia.com/gpu': want };
              s.capacity = { ...s.capacity, 'nvidia.com/gpu': want };
            });
          }
        }
      }
      const ready = !failure && t >= policyReadyMs && gpuNodes.length > 0;
      const state = ready ? 'ready' : 'notReady';
      if ((policy.status as { state?: string } | undefined)?.state !== state) {
        store.setStatus('nvidia.com/v1', 'ClusterPolicy', 'cluster-policy', undefined, { state, namespace: NS });
      }
    });
  };
}
