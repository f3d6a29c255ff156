/**
 * `kindling up` scenarios on the simulated host: a healthy GPU host (1, 4 or 8 H100s) with the fake
 * kind/docker/helm, the fake Kubernetes API server with the scripted GPU Operator and kubelet
 * (vLLM pods, fake OpenAI server behind each Service), and the toolkit packages already in the host
 * cache. Timelines are short so a whole `up` takes a few seconds.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { attachFakeKube, type FakeKube } from './fake-kube/index.js';
import { gpuOperatorPlugin, type GpuOperatorTimeline } from './fake-kube/plugins/gpu-operator.js';
import { kubeletPlugin, type KubeletOptions } from './fake-kube/plugins/kubelet.js';
import { createSimHost, type CliResult, type JournalEntry, type RunCliOptions, type SimHost } from './harness.js';
import { buildScenario, type Scenario } from './scenario.js';
import { seedToolkitCache } from './scenarios-cluster.js';

export interface UpSim {
  sim: SimHost;
  kube: FakeKube;
  kubelet: KubeletOptions;
  cacheDir: string;
  up(args?: string[], options?: RunCliOptions): Promise<CliResult>;
  run(args: string[], options?: RunCliOptions): Promise<CliResult>;
  close(): Promise<void>;
}

export function upScenario(gpus: number, name = `up, ${gpus} GPU${gpus === 1 ? '' : 's'}`): Scenario {
  const s = buildScenario(name, gpus);
  // The images kindling itself starts are on the host already (pulled once per host).
  s.state.docker.images.push('registry:3.0.0', 'registry.k8s.io/cloud-provider-kind/cloud-controller-manager:v0.11.1');
  return s;
}

export async function createUpSim(
  scenario: Scenario,
  options: { kubelet?: KubeletOptions; operator?: GpuOperatorTimeline } = {},
): Promise<UpSim> {
  const sim = createSimHost(scenario);
  seedToolkitCache(sim);
  const cacheDir = join(sim.root, 'var/lib/kindling/cache');
  const kubelet: KubeletOptions = {
    cacheDir,
    simDir: sim.dir,
    timeline: { schedule: 20, pull: 150, start: 30, download: 150, load: 30, compile: 30, graphs: 30, ready: 30, lb: 30 },
    ...(options.kubelet ?? {}),
  };
  const kube = await attachFakeKube(sim, {
    plugins: [gpuOperatorPlugin({ devicePluginReadyMs: 150, policyReadyMs: 300, ...(options.operator ?? {}) }), kubeletPlugin(kubelet)],
  });
  const run = (args: string[], o: RunCliOptions = {}) =>
    sim.runCli(args, { timeoutMs: 90_000, ...o, env: { KINDLING_SIM: '1', KINDLING_POLL_MS: '100', ...(o.env ?? {}) } });
  return {
    sim,
    kube,
    kubelet,
    cacheDir,
    run,
    up: (args = [], o = {}) => run(['up', '--yes', ...args], o),
    close: async () => {
      const pids = join(sim.dir, 'port-forward-pids.txt');
      if (existsSync(pids)) {
        for (const pid of readFileSync(pids, 'utf8').split('\n').filter(Boolean)) {
          try {
            process.kill(Number(pid));
          } catch {
            /* already gone */
          }
        }
      }
      await kube.close();
      sim.dispose();
    },
  };
}

/** "tool arg1 arg2" of the mutating calls of a journal. */
export const mutatingLines = (entries: JournalEntry[]) => entries.filter((e) => e.mutating).map((e) => e.line);
