/**
 * `kindling up` scenarios on the simulated host: a healthy GPU host (1, 4 or 8 H100s) with the fake
 * kind/docker/helm, the fake Kubernetes API server with the scripted GPU Operator and kubelet
 * (vLLM pods, fake OpenAI server behind each Service), and the toolkit packages already in the host
 * cache. Timelines are short so a whole `up` takes a few seconds.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { attachFakeKube, type FakeKube } from './fake-kube/index.js';
import { gpuOperatorPlugin, type GpuOperatorTimeline } from './fake-kube/plugins/gpu-operator.js';
import { kubeletPlugin, type KubeletOptions } from './fake-kube/plugins/kubelet.js';
import { createSimHost, type CliResult, type JournalEntry, type RunCliOptions, type SimHost } from './harness.js';
import { buildScenario, type Scenario } from './scenario.js';
import { seedToolkitCache } from './scenarios-cluster.js';
import { stopSimPortForwards } from './scenarios-serving.js';

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
  kubelet.pullImage ??= registryCachePull(sim, cacheDir, () => kubelet.timeline?.pull ?? 150);
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
      stopSimPortForwards(sim.dir);
      await kube.close();
      sim.dispose();
    },
  };
}

/** Registry host and repository path of an image reference (docker.io/library/… for short names). */
export function parseImageRef(image: string): { host: string; repo: string; tag: string } {
  const [first, ...rest] = image.split('/');
  const hasHost = rest.length > 0 && (first?.includes('.') || first?.includes(':') || first === 'localhost');
  const host = hasHost ? (first as string) : 'docker.io';
  let path = hasHost ? rest.join('/') : image;
  if (host === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  const at = path.lastIndexOf(':');
  return at > 0 ? { host, repo: path.slice(0, at), tag: path.slice(at + 1) } : { host, repo: path, tag: 'latest' };
}

const UPSTREAM: Record<string, string> = { 'docker.io': 'registry-1.docker.io' };

/**
 * What a kind node's containerd does on a pull, on the simulated host: when the node mounts the
 * host's certs.d at /etc/containerd/certs.d, that tree has a hosts.toml for the image's registry
 * naming kindling's cache, and the cache container runs on kind's network, the pull goes through the
 * cache — served from its storage (<cache>/registry/<host>/docker/registry/v2/…, where Distribution
 * keeps it) when it holds the image, else fetched upstream once and kept there. Every pull is
 * journaled as `containerd pull IMAGE from SOURCE` (tool "containerd"), so tests see whether the
 * bytes came from the Internet.
 */
export function registryCachePull(sim: SimHost, cacheDir: string, upstreamMs: () => number) {
  return (image: string, node: string): number => {
    const { host, repo, tag } = parseImageRef(image);
    const state = sim.state();
    const nodeContainer = state.docker.containers.find((c) => c.name === node);
    const certsMount = (nodeContainer?.mounts ?? []).some((m) => m.startsWith(`${cacheDir}/registry/certs.d:/etc/containerd/certs.d`));
    const cacheName = `kindling-cache-${host.replace(/[^a-z0-9]+/g, '-')}`;
    const hostsToml = join(cacheDir, 'registry', 'certs.d', host, 'hosts.toml');
    const wired = certsMount && existsSync(hostsToml) && readFileSync(hostsToml, 'utf8').includes(`http://${cacheName}:5000`);
    const cache = state.docker.containers.find((c) => c.name === cacheName && c.running && (c.networkMode ?? '').split(',').includes('kind'));
    const marker = join(cacheDir, 'registry', host, 'docker/registry/v2/repositories', repo, '_manifests/tags', tag, 'current/link');
    const upstream = UPSTREAM[host] ?? host;
    let source: string;
    let ms: number;
    if (wired && cache && existsSync(marker)) {
      source = `${cacheName} (cached on the host)`;
      ms = 20;
    } else {
      source = wired && cache ? `${upstream} through ${cacheName}` : upstream;
      ms = upstreamMs();
      if (wired && cache) {
        mkdirSync(dirname(marker), { recursive: true });
        writeFileSync(marker, `sha256:${repo.replace(/\W/g, '')}${tag}\n`);
      }
    }
    const now = Date.now();
    appendFileSync(
      join(sim.dir, 'journal.jsonl'),
      `${JSON.stringify({ tool: 'containerd', args: ['pull', image, '--node', node], line: `containerd pull ${image} from ${source}`, mutating: false, exitCode: 0, env: {}, start: now, end: now + ms, fault: false })}\n`,
    );
    return ms;
  };
}

/** "tool arg1 arg2" of the mutating calls of a journal. */
export const mutatingLines = (entries: JournalEntry[]) => entries.filter((e) => e.mutating).map((e) => e.line);
