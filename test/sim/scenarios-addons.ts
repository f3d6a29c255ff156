/**
 * Simulated hosts for the addons scenarios: a healthy GPU host (scenario.ts) plus a fake API server
 * with a kind-like cluster `kindling` (control plane + one GPU worker per GPU, labelled
 * nvidia.com/gpu.present=true, the layout stored in kube-system/kindling-cluster-config), a
 * kubeconfig context kind-kindling, and the scripted GPU Operator plugin.
 */
import { join } from 'node:path';
import { attachFakeKube, type FakeKube } from './fake-kube/index.js';
import { gpuOperatorPlugin, type GpuOperatorTimeline } from './fake-kube/plugins/gpu-operator.js';
import { loadBalancerPlugin } from './fake-kube/plugins/lb.js';
import { createSimHost, type SimHost } from './harness.js';
import { buildScenario } from './scenario.js';
import type { KubeStore } from './fake-kube/store.js';

export interface AddonsSim {
  sim: SimHost;
  kube: FakeKube;
  store: KubeStore;
  dispose(): Promise<void>;
}

export interface AddonsSimOptions {
  gpus?: number;
  /** No cluster at all (the dry-run-before-create case). */
  noCluster?: boolean;
  timeline?: GpuOperatorTimeline;
}

export async function addonsSim(name: string, options: AddonsSimOptions = {}): Promise<AddonsSim> {
  const gpus = options.gpus ?? 2;
  const sim = createSimHost(buildScenario(name, gpus));
  const kube = await attachFakeKube(sim, { plugins: [gpuOperatorPlugin(options.timeline ?? {}), loadBalancerPlugin({ simDir: sim.dir })], tickMs: 25 });
  let store = kube.store;
  if (!options.noCluster) {
    const workers = Array.from({ length: gpus }, (_, i) => `kindling-worker${i === 0 ? '' : i + 1}`);
    store = kube.addCluster('kindling', [
      { name: 'kindling-control-plane', role: 'control-plane' },
      ...workers.map((w) => ({ name: w, role: 'worker' as const, labels: { 'nvidia.com/gpu.present': 'true' } })),
    ]);
    store.put({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kindling-cluster-config', namespace: 'kube-system' },
      // The shape src/cluster stores (data.config = the kind config, data.layout = node → GPU indices).
      data: {
        config: 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nname: kindling\n',
        layout: JSON.stringify({ hostGpuCount: gpus, nodes: [{ name: 'kindling-control-plane', role: 'control-plane', gpus: [] }, ...workers.map((w, i) => ({ name: w, role: 'worker', gpus: [i] }))] }),
        kindlingVersion: '0.1.0',
      },
    });
    kube.writeKubeconfig(join(sim.home, '.kube', 'config'), 'kind-kindling', 'kindling');
    // The node containers, so that `kind get clusters` (fake kind: from container labels) lists the cluster.
    sim.setState((st) => {
      for (const [i, n] of ['kindling-control-plane', ...workers].entries()) {
        st.docker.containers.push({
          id: `${(i + 1).toString(16).padStart(2, '0')}${'ab'.repeat(31)}`,
          name: n,
          image: 'kindest/node:v1.36.1',
          labels: { 'io.x-k8s.kind.cluster': 'kindling', 'io.x-k8s.kind.role': i === 0 ? 'control-plane' : 'worker' },
          running: true,
          restartPolicy: 'on-failure:1',
          networkMode: 'kind',
          ip: `172.18.0.${i + 2}`,
        });
      }
    });
  }
  return {
    sim,
    kube,
    store,
    async dispose() {
      await kube.close();
      sim.dispose();
    },
  };
}

/** Fast polling for the sim (the CLI reads KINDLING_POLL_MS). */
export const FAST = { KINDLING_POLL_MS: '150' };
