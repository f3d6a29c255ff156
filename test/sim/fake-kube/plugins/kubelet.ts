/**
 * A scripted kubelet for vLLM Deployments (TESTING.md §2): for every Deployment labelled
 * `app.kubernetes.io/name: vllm` it creates pods and moves them through what a real node does —
 * scheduling (GPU accounting against the nodes' `nvidia.com/gpu` allocatable), image pull (only
 * the first time an image is used on a node), container start, vLLM's start-up log on a timeline
 * (weights download only when the model is not in the host cache dir), readiness — or a failure:
 * unschedulable, ImagePullBackOff, OOMKilled, CUDA OOM, max-model-len too large, gated model,
 * CrashLoopBackOff.
 *
 * The log lines are shaped like vLLM ≥ 0.10's (`(EngineCore_DP0 pid=…) INFO MM-DD HH:MM:SS
 * [file.py:N] …`, messages as in test/fixtures/vllm/); events like the kubelet's. Pod logs asked
 * with `timestamps=true` get the kubelet's RFC3339Nano prefix (the request hook answers them).
 *
 * Behind each vLLM Service runs the fake OpenAI server (src/client/testing/fake-openai-server.ts),
 * answering 503 until the pod is Ready. A LoadBalancer Service gets an ingress IP, plus the
 * annotation `sim.kindling.dev/url` with the fake server's loopback URL, which kindling honours
 * only under KINDLING_SIM=1 (src/serving/endpoint.ts). Every backend URL is also written to
 * `<simDir>/serving-backends.json` for the fake `kubectl port-forward` (fakebin/tools/kubectl.mjs).
 *
 * Weights cache: `<cacheDir>/huggingface/hub/models--<org>--<name>` (Hugging Face's own layout, the
 * host cache dir the cluster mounts into GPU workers); the pod creates it after "downloading", so
 * a second start — even in a new cluster — logs no download. With `--cache pvc` the marker lives
 * in the plugin (per PVC).
 */
import { mkdirSync, existsSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeVllm, type FakeVllm } from '../../../../src/client/testing/fake-openai-server.js';
import type { FakeKubePlugin, FakeKubePluginApi } from '../server.js';
import type { KubeObj } from '../store.js';

export type KubeletFailure = 'unschedulable' | 'image-pull' | 'oom' | 'cuda-oom' | 'max-model-len' | 'gated' | 'crashloop';

export interface KubeletTimeline {
  schedule: number;
  pull: number;
  start: number;
  download: number;
  load: number;
  compile: number;
  graphs: number;
  ready: number;
  /** LoadBalancer address after the Service appears. */
  lb: number;
}

export interface KubeletOptions {
  /** The sim's host cache dir (KINDLING_CACHE_DIR): weights markers live under it. */
  cacheDir?: string;
  /** The sim dir: serving-backends.json is written there for the fake kubectl. */
  simDir?: string;
  timeline?: Partial<KubeletTimeline>;
  failure?: KubeletFailure;
  /** Models that need HF_TOKEN (from a Secret) to download: without it, a 401 GatedRepoError. */
  gatedModels?: string[];
  /** The LoadBalancer never gets an address (no LB controller; WSL2). */
  lbPending?: boolean;
  imageBytes?: number;
  /** vLLM version printed in the log. */
  vllmVersion?: string;
  /**
   * A node pulls an image it does not have: where from, and how long it takes (ms). Default: the
   * upstream registry, `timeline.pull`. `kindling up` scenarios route it through the host's
   * registry cache (test/sim/scenarios-up.ts).
   */
  pullImage?: (image: string, node: string, cluster: string) => number;
}

const DEFAULT_TIMELINE: KubeletTimeline = { schedule: 50, pull: 300, start: 150, download: 400, load: 100, compile: 200, graphs: 150, ready: 100, lb: 100 };

/** Plugin-wide state that outlives one kindling run (the fake API server lives across runs). */
interface NodeState {
  images: Set<string>;
}

interface PodRun {
  ns: string;
  name: string;
  node?: string;
  gpus: number;
  lines: Array<{ at: number; line: string }>;
  restarts: number;
  alive: boolean;
}

const isVllm = (o: KubeObj) => o.metadata.labels?.['app.kubernetes.io/name'] === 'vllm';

export function kubeletPlugin(options: KubeletOptions = {}): FakeKubePlugin {
  const backends = new Map<string, FakeVllm>();
  const nodes = new Map<string, NodeState>();
  const pvcWeights = new Set<string>();
  const templates = new Map<string, string>();
  const pods = new Map<string, PodRun>();
  let seq = 0;

  return (api: FakeKubePluginApi) => {
    const tl = { ...DEFAULT_TIMELINE, ...(options.timeline ?? {}) };
    const store = api.store;
    // A new cluster (also one recreated under the same name) starts with empty node image stores.
    for (const key of [...nodes.keys()]) if (key.startsWith(`${api.cluster}-`)) nodes.delete(key);
    // … and no Deployment it has seen (a recreated cluster gets its pods created again).
    for (const key of [...templates.keys()]) if (key.startsWith(`${api.cluster}|`)) templates.delete(key);

    const writeBackends = () => {
      if (!options.simDir) return;
      const file = join(options.simDir, 'serving-backends.json');
      const current = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
      for (const [key, fake] of backends) current[`${api.cluster}/${key}`] = fake.url;
      writeFileSync(file, JSON.stringify(current, null, 2));
    };

    const backend = async (ns: string, name: string, served: string): Promise<FakeVllm> => {
      const key = `${ns}/${name}`;
      let fake = backends.get(key);
      if (!fake) {
        fake = await startFakeVllm({ model: served, loading: true, text: 'Hello! I am a simulated vLLM answering from the fake Service.' });
        backends.set(key, fake);
        writeBackends();
      }
      return fake;
    };

    const vlog = (run: PodRun, proc: string, file: string, msg: string, level = 'INFO') => {
      const d = new Date();
      const stamp = `${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')} ${d.toISOString().slice(11, 19)}`;
      raw(run, `(${proc}) ${level} ${stamp} [${file}] ${msg}`);
    };
    const raw = (run: PodRun, line: string) => {
      if (!run.alive || !podObj(run)) return;
      run.lines.push({ at: Date.now(), line });
      api.appendLog(run.ns, run.name, 'vllm', line);
    };
    const podObj = (run: PodRun) => store.get('v1', 'Pod', run.name, run.ns);
    const setPodStatus = (run: PodRun, status: Record<string, unknown>) => {
      if (!run.alive || !podObj(run)) return;
      store.setStatus('v1', 'Pod', run.name, run.ns, status);
    };
    const event = (run: PodRun, reason: string, message: string, type: 'Normal' | 'Warning' = 'Normal') => {
      const p = podObj(run);
      if (run.alive && p) api.emitEvent(p, reason, message, type);
    };
    const iso = (t = Date.now()) => new Date(t).toISOString();

    /** GPUs used by live pods on a node. */
    const gpusUsed = (node: string) => [...pods.values()].filter((p) => p.alive && p.node === node).reduce((n, p) => n + p.gpus, 0);

    const pickNode = (gpus: number): { node?: string; message: string } => {
      const all = store.list('v1', 'Node');
      const gpuNodes = all.filter((n) => Number(((n.status as { allocatable?: Record<string, string> } | undefined)?.allocatable ?? {})['nvidia.com/gpu'] ?? 0) > 0);
      for (const n of gpuNodes.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name, 'en', { numeric: true }))) {
        const alloc = Number(((n.status as { allocatable?: Record<string, string> }).allocatable ?? {})['nvidia.com/gpu'] ?? 0);
        if (alloc - gpusUsed(n.metadata.name) >= gpus) return { node: n.metadata.name, message: '' };
      }
      const cp = all.filter((n) => n.metadata.labels?.['node-role.kubernetes.io/control-plane'] !== undefined).length;
      const workers = all.length - cp;
      const parts = [`${workers} Insufficient nvidia.com/gpu`];
      if (cp > 0) parts.push(`${cp} node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }`);
      return {
        message: `0/${all.length} nodes are available: ${parts.join(', ')}. preemption: 0/${all.length} nodes are available: ${cp > 0 ? `${cp} Preemption is not helpful for scheduling, ` : ''}${workers} No preemption victims found for incoming pod.`,
      };
    };

    const weightsMarker = (model: string, pod: KubeObj): { has: () => boolean; set: () => void } => {
      const volumes = ((pod.spec as { volumes?: Array<{ name: string; hostPath?: { path: string }; persistentVolumeClaim?: { claimName: string } }> }).volumes ?? []);
      const cache = volumes.find((v) => v.name === 'model-cache');
      const repo = `models--${model.replace(/\//g, '--')}`;
      if (cache?.hostPath && options.cacheDir) {
        // hostPath is the node path (/var/lib/kindling/cache/huggingface): the host cache dir mounted at the same path.
        const sub = cache.hostPath.path.replace(/^\/var\/lib\/kindling\/cache\/?/, '');
        const dir = join(options.cacheDir, sub, 'hub', repo);
        return { has: () => existsSync(dir), set: () => mkdirSync(join(dir, 'snapshots'), { recursive: true }) };
      }
      const key = `${pod.metadata.namespace}/${cache?.persistentVolumeClaim?.claimName ?? 'none'}/${repo}`;
      return { has: () => pvcWeights.has(key), set: () => void pvcWeights.add(key) };
    };

    const crash = (run: PodRun, reason: string, exitCode: number) => {
      if (!run.alive) return;
      run.restarts += 1;
      setPodStatus(run, {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'vllm',
            ready: false,
            started: false,
            restartCount: run.restarts,
            image: 'vllm',
            state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 10s restarting failed container=vllm pod=${run.name}_${run.ns}(uid)` } },
            lastState: { terminated: { reason, exitCode, startedAt: iso(), finishedAt: iso() } },
          },
        ],
      });
      store.restartContainerLog(run.ns, run.name, 'vllm');
      run.lines = [];
      event(run, 'BackOff', 'Back-off restarting failed container vllm in pod ' + run.name, 'Warning');
    };

    const startPod = (deploy: KubeObj) => {
      const ns = deploy.metadata.namespace ?? 'default';
      const template = (deploy.spec as { template: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: Record<string, unknown> } }).template;
      const container = ((template.spec.containers as Array<Record<string, unknown>>) ?? [])[0] ?? {};
      const image = String(container.image ?? '');
      const args = (container.args as string[] | undefined) ?? [];
      const model = args[0] ?? 'unknown/model';
      const served = args.find((a) => a.startsWith('--served-model-name='))?.slice('--served-model-name='.length) ?? model;
      const gpus = Number(((container.resources as { limits?: Record<string, string> } | undefined)?.limits ?? {})['nvidia.com/gpu'] ?? 0);
      const env = (container.env as Array<{ name: string; valueFrom?: { secretKeyRef?: { name: string } } }> | undefined) ?? [];
      const tokenSecret = env.find((e) => e.name === 'HF_TOKEN')?.valueFrom?.secretKeyRef?.name;
      seq += 1;
      const name = `${deploy.metadata.name}-${(1000000 + seq * 7919).toString(16).slice(-9)}-${Math.random().toString(36).slice(2, 7)}`;
      const pod = store.create(
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name,
            namespace: ns,
            labels: { ...(template.metadata?.labels ?? {}) },
            annotations: { ...(template.metadata?.annotations ?? {}) },
            ownerReferences: [{ uid: deploy.metadata.uid ?? '', kind: 'Deployment', name: deploy.metadata.name }],
          },
          spec: structuredClone(template.spec),
          status: { phase: 'Pending', conditions: [] },
        },
        { source: 'plugin' },
      );
      const run: PodRun = { ns, name, gpus, lines: [], restarts: 0, alive: true };
      pods.set(`${ns}/${name}`, run);
      const weights = weightsMarker(model, pod);
      const failure = options.failure;
      const gated = (options.gatedModels ?? []).includes(model) && !(tokenSecret && store.get('v1', 'Secret', tokenSecret, ns));

      let t = tl.schedule;
      api.after(t, () => {
        const pick = failure === 'unschedulable' ? { message: `0/2 nodes are available: 1 Insufficient nvidia.com/gpu, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.` } : pickNode(gpus);
        if (!pick.node) {
          setPodStatus(run, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: pick.message, lastTransitionTime: iso() }] });
          event(run, 'FailedScheduling', pick.message, 'Warning');
          return;
        }
        const node = pick.node;
        run.node = node;
        store.update('v1', 'Pod', name, ns, (o) => {
          (o.spec as Record<string, unknown>).nodeName = node;
        });
        setPodStatus(run, { phase: 'Pending', hostIP: '172.18.0.3', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: iso() }] });
        event(run, 'Scheduled', `Successfully assigned ${ns}/${name} to ${node}`);
        const ns_ = nodes.get(node) ?? { images: new Set<string>() };
        nodes.set(node, ns_);

        // Image.
        if (failure === 'image-pull') {
          event(run, 'Pulling', `Pulling image "${image}"`);
          api.after(tl.pull, () => {
            const msg = `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/${image}": failed to resolve reference "docker.io/${image}": docker.io/${image}: not found`;
            event(run, 'Failed', msg, 'Warning');
            setPodStatus(run, { containerStatuses: [{ name: 'vllm', ready: false, restartCount: 0, image, state: { waiting: { reason: 'ErrImagePull', message: msg } } }] });
            api.after(50, () => {
              event(run, 'BackOff', `Back-off pulling image "${image}"`);
              setPodStatus(run, { containerStatuses: [{ name: 'vllm', ready: false, restartCount: 0, image, state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } } }] });
            });
          });
          return;
        }
        let pullMs = 0;
        if (ns_.images.has(image)) {
          event(run, 'Pulled', `Container image "${image}" already present on machine`);
        } else {
          event(run, 'Pulling', `Pulling image "${image}"`);
          pullMs = options.pullImage ? Math.max(1, options.pullImage(image, node, api.cluster)) : tl.pull;
        }
        api.after(pullMs, () => {
          if (pullMs > 0) {
            ns_.images.add(image);
            const s = (pullMs / 1000).toFixed(3);
            event(run, 'Pulled', `Successfully pulled image "${image}" in ${s}s (${s}s including waiting). Image size: ${options.imageBytes ?? 8741852378} bytes.`);
          }
          event(run, 'Created', 'Created container: vllm');
          event(run, 'Started', 'Started container vllm');
          const startedAt = iso();
          setPodStatus(run, {
            phase: 'Running',
            containerStatuses: [{ name: 'vllm', ready: false, started: false, restartCount: run.restarts, image, state: { running: { startedAt } } }],
          });
          runVllm(run, { model, served, weights, gated, failure, ns, deployName: deploy.metadata.name });
        });
      });
      void t;
    };

    const runVllm = (
      run: PodRun,
      p: { model: string; served: string; weights: { has: () => boolean; set: () => void }; gated: boolean; failure: KubeletFailure | undefined; ns: string; deployName: string },
    ) => {
      const api_ = 'APIServer pid=1';
      const core = 'EngineCore_DP0 pid=283';
      vlog(run, api_, 'api_server.py:1839', `vLLM API server version ${options.vllmVersion ?? '0.30.0'}`);
      vlog(run, api_, 'utils.py:233', `non-default args: {'model_tag': '${p.model}', 'host': '0.0.0.0', 'model': '${p.model}', 'enable_chunked_prefill': True}`);
      let t = tl.start;
      const at = (ms: number, fn: () => void) => {
        t += ms;
        api.after(t, fn);
      };
      at(0, () => vlog(run, core, 'gpu_model_runner.py:2602', `Starting to load model ${p.model}...`));
      if (p.gated) {
        at(50, () => {
          raw(run, '    raise GatedRepoError(message, response) from e');
          raw(run, `huggingface_hub.errors.GatedRepoError: 401 Client Error. (Request ID: Root=1-66f4b037-1bf3d7d219afbc904ee05694;5601d2c9-8fd8-4ed8-b38d-d8a432e1fa59)`);
          raw(run, '');
          raw(run, `Cannot access gated repo for url https://huggingface.co/${p.model}/resolve/main/config.json.`);
          raw(run, `Access to model ${p.model} is restricted. You must have access to it and be authenticated to access it. Please log in.`);
        });
        at(50, () => crash(run, 'Error', 1));
        return;
      }
      const cached = p.weights.has();
      if (!cached) {
        at(0, () => vlog(run, core, 'weight_utils.py:441', "Using model weights format ['*.safetensors']"));
        for (const pct of [25, 50, 75, 100]) {
          at(tl.download / 4, () => raw(run, `model.safetensors: ${String(pct).padStart(3)}%|${'█'.repeat(pct / 10).padEnd(10)}| ${((3.55 * pct) / 100).toFixed(2)}G/3.55G [00:0${pct / 25}<00:0${4 - pct / 25}, 71.0MB/s]`));
        }
        at(0, () => {
          p.weights.set();
          vlog(run, core, 'weight_utils.py:449', `Time spent downloading weights for ${p.model}: ${(tl.download / 1000).toFixed(6)} seconds`);
        });
      }
      at(tl.load, () => {
        raw(run, 'Loading safetensors checkpoint shards: 100% Completed | 1/1 [00:00<00:00,  2.02it/s]');
        vlog(run, core, 'default_loader.py:268', `Loading weights took ${(tl.load / 1000).toFixed(2)} seconds`);
      });
      if (p.failure === 'oom') {
        at(50, () => crash(run, 'OOMKilled', 137));
        return;
      }
      at(0, () => vlog(run, core, 'gpu_model_runner.py:2653', `Model loading took 3.35 GiB memory and ${((tl.load + (cached ? 0 : tl.download)) / 1000).toFixed(6)} seconds`));
      at(tl.compile / 2, () => {
        vlog(run, core, 'backends.py:548', "Using cache directory: /root/.cache/huggingface/vllm/torch_compile_cache/b4fe10a8ad/rank_0_0/backbone for vLLM's torch.compile");
        vlog(run, core, 'backends.py:559', 'Dynamo bytecode transform time: 6.04 s');
      });
      at(tl.compile / 2, () => vlog(run, core, 'monitor.py:34', `torch.compile takes ${(tl.compile / 1000 + 6).toFixed(2)} s in total`));
      if (p.failure === 'max-model-len') {
        at(50, () => {
          vlog(run, core, 'core.py:708', 'EngineCore failed to start.', 'ERROR');
          raw(run, "ValueError: To serve at least one request with the models's max seq len (131072), (3.50 GiB KV cache is needed, which is larger than the available KV cache memory (1.62 GiB). Based on the available memory, the estimated maximum model length is 60640. Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.");
        });
        at(50, () => crash(run, 'Error', 1));
        return;
      }
      if (p.failure === 'cuda-oom') {
        at(50, () => raw(run, 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.19 GiB of which 1.06 GiB is free.'));
        at(50, () => crash(run, 'Error', 1));
        return;
      }
      if (p.failure === 'crashloop') {
        at(50, () => raw(run, 'RuntimeError: simulated engine failure (scenario: crashloop)'));
        at(50, () => crash(run, 'Error', 1));
        return;
      }
      at(0, () => vlog(run, core, 'kv_cache_utils.py:1087', 'GPU KV cache size: 525,520 tokens'));
      at(tl.graphs, () => vlog(run, core, 'gpu_model_runner.py:3480', `Graph capturing finished in ${Math.max(1, Math.round(tl.graphs / 1000))} secs, took 0.45 GiB`));
      at(20, () => {
        vlog(run, api_, 'api_server.py:1880', 'Starting vLLM API server 0 on http://0.0.0.0:8000');
        raw(run, '(APIServer pid=1) INFO:     Application startup complete.');
      });
      at(tl.ready, () => {
        const p0 = podObj(run);
        if (!run.alive || !p0) return;
        const status = (p0.status as { conditions?: unknown[]; containerStatuses?: Array<Record<string, unknown>> } | undefined) ?? {};
        const cs = { ...(status.containerStatuses?.[0] ?? {}), ready: true, started: true };
        setPodStatus(run, {
          phase: 'Running',
          podIP: '10.244.1.5',
          conditions: [...(status.conditions ?? []), { type: 'ContainersReady', status: 'True', lastTransitionTime: iso() }, { type: 'Ready', status: 'True', lastTransitionTime: iso() }],
          containerStatuses: [cs],
        });
        const dep = store.get('apps/v1', 'Deployment', p.deployName, p.ns);
        if (dep) store.setStatus('apps/v1', 'Deployment', p.deployName, p.ns, { replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1, observedGeneration: dep.metadata.generation ?? 1 });
        backends.get(`${p.ns}/${p.deployName}`)?.setLoading(false);
      });
    };

    const killPods = (ns: string, deployName: string) => {
      for (const [key, run] of pods) {
        if (run.ns !== ns || !run.name.startsWith(`${deployName}-`)) continue;
        run.alive = false;
        pods.delete(key);
        if (store.get('v1', 'Pod', run.name, ns)) store.delete('v1', 'Pod', run.name, ns);
      }
    };

    api.on('applied', (obj, info) => {
      if (info.source !== 'api' || !isVllm(obj)) return;
      const ns = obj.metadata.namespace ?? 'default';
      if (obj.kind === 'Deployment' && obj.apiVersion === 'apps/v1' && !info.subresource) {
        const key = `${api.cluster}|${ns}/${obj.metadata.name}`;
        const spec = obj.spec as { replicas?: number; template: unknown };
        const tkey = JSON.stringify([spec.template, spec.replicas ?? 1]);
        if (templates.get(key) === tkey) return;
        templates.set(key, tkey);
        killPods(ns, obj.metadata.name);
        store.setStatus('apps/v1', 'Deployment', obj.metadata.name, ns, { replicas: spec.replicas ?? 1, readyReplicas: 0, observedGeneration: obj.metadata.generation ?? 1 });
        const served = obj.metadata.annotations?.['kindling.dev/served-model-name'] ?? 'model';
        void backend(ns, obj.metadata.name, served).then((fake) => fake.setLoading(true));
        for (let i = 0; i < (spec.replicas ?? 1); i++) startPod(obj);
      }
      if (obj.kind === 'Service' && obj.apiVersion === 'v1') {
        const type = (obj.spec as { type?: string }).type;
        const served = obj.metadata.annotations?.['kindling.dev/served-model-name'] ?? 'model';
        void backend(ns, obj.metadata.name, served).then((fake) => {
          if (type !== 'LoadBalancer' || options.lbPending) return;
          api.after(tl.lb, () => {
            if (!store.get('v1', 'Service', obj.metadata.name, ns)) return;
            store.update('v1', 'Service', obj.metadata.name, ns, (o) => {
              o.metadata.annotations = { ...(o.metadata.annotations ?? {}), 'sim.kindling.dev/url': fake.url };
            });
            store.setStatus('v1', 'Service', obj.metadata.name, ns, { loadBalancer: { ingress: [{ ip: '172.18.0.5', ipMode: 'Proxy', ports: [{ port: 80, protocol: 'TCP' }] }] } });
          });
        });
      }
    });

    api.on('deleted', (obj) => {
      if (!isVllm(obj)) return;
      const ns = obj.metadata.namespace ?? 'default';
      if (obj.kind === 'Deployment') {
        templates.delete(`${api.cluster}|${ns}/${obj.metadata.name}`);
        killPods(ns, obj.metadata.name);
      }
      if (obj.kind === 'Service') {
        const fake = backends.get(`${ns}/${obj.metadata.name}`);
        backends.delete(`${ns}/${obj.metadata.name}`);
        void fake?.close();
      }
    });

    // Pod logs with the kubelet's timestamps (the fake server's own log endpoint ignores timestamps=true).
    api.on('request', (req) => {
      const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(req.path);
      if (!m || req.method !== 'GET' || req.query.timestamps !== 'true' || req.query.follow === 'true' || req.query.previous === 'true') return undefined;
      const run = pods.get(`${m[1]}/${m[2]}`);
      if (!run) return undefined;
      let lines = run.lines.map((l) => `${new Date(l.at).toISOString().replace('Z', '000000Z')} ${l.line}`);
      if (req.query.tailLines) lines = lines.slice(-Number(req.query.tailLines));
      return { status: 200, body: lines.map((l) => `${l}\n`).join(''), contentType: 'text/plain' };
    });

    return {
      close: () => {
        for (const fake of backends.values()) void fake.close();
        backends.clear();
      },
    };
  };
}
