/**
 * Serving scenarios on the simulated host: a kindling kind cluster (fake API server) with N GPU
 * workers, the kindling layout ConfigMap, the scripted kubelet (fake-kube/plugins/kubelet.ts) and a
 * kubeconfig context `kind-kindling` in the sim's ~/.kube/config. `kubelet` options can be changed
 * between runs (the plugin reads them at each pod start / Service write).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { attachFakeKube, type FakeKube } from './fake-kube/index.js';
import { kubeletPlugin, type KubeletOptions } from './fake-kube/plugins/kubelet.js';
import { createSimHost, type CliResult, type SimHost } from './harness.js';
import { buildScenario } from './scenario.js';

export const CLUSTER = 'kindling';
export const CONTEXT = 'kind-kindling';

export interface ServingSim {
  sim: SimHost;
  kube: FakeKube;
  kubelet: KubeletOptions;
  /** The host cache dir of the sim (KINDLING_CACHE_DIR). */
  cacheDir: string;
  run(args: string[], env?: Record<string, string>, timeoutMs?: number): Promise<CliResult>;
  close(): Promise<void>;
}

export async function createServingSim(options: { gpus?: number; gpusPerNode?: number; kubelet?: KubeletOptions; layout?: boolean } = {}): Promise<ServingSim> {
  const gpus = options.gpus ?? 1;
  const perNode = options.gpusPerNode ?? 1;
  const sim = createSimHost(buildScenario(`serving, ${gpus} GPU(s)`, gpus));
  const cacheDir = join(sim.root, 'var/lib/kindling/cache');
  const kubelet: KubeletOptions = { cacheDir, simDir: sim.dir, ...(options.kubelet ?? {}) };
  const kube = await attachFakeKube(sim, { plugins: [kubeletPlugin(kubelet)] });
  const workers = Math.ceil(gpus / perNode);
  kube.addCluster(CLUSTER, [
    { name: `${CLUSTER}-control-plane`, role: 'control-plane' },
    ...Array.from({ length: workers }, (_, i) => ({
      name: `${CLUSTER}-worker${i === 0 ? '' : i + 1}`,
      role: 'worker' as const,
      labels: { 'nvidia.com/gpu.present': 'true' },
      resources: { 'nvidia.com/gpu': String(perNode) },
    })),
  ]);
  if (options.layout !== false) {
    kube.cluster(CLUSTER).put({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kindling-cluster-config', namespace: 'kube-system' },
      data: {
        'layout.yaml': Array.from({ length: workers }, (_, i) => `- node: ${CLUSTER}-worker${i === 0 ? '' : i + 1}\n  gpus: [${Array.from({ length: perNode }, (_, g) => i * perNode + g).join(', ')}]`).join('\n') + '\n',
      },
    });
  }
  kube.writeKubeconfig(join(sim.home, '.kube', 'config'), CONTEXT, CLUSTER);
  return {
    sim,
    kube,
    kubelet,
    cacheDir,
    run: (args, env = {}, timeoutMs = 60_000) => sim.runCli(args, { env: { KINDLING_SIM: '1', KINDLING_POLL_MS: '100', ...env }, timeoutMs }),
    close: async () => {
      stopSimPortForwards(sim.dir);
      await kube.close();
      sim.dispose();
    },
  };
}

/** Ends the fake `kubectl port-forward` processes a sim run left behind (their pids are in the sim dir). */
export function stopSimPortForwards(simDir: string): void {
  const pids = join(simDir, 'port-forward-pids.txt');
  if (!existsSync(pids)) return;
  for (const pid of readFileSync(pids, 'utf8').split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid));
    } catch {
      /* already gone */
    }
  }
}
