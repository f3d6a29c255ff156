/**
 * Scripted cloud-provider-kind for the fake API server: while kindling's LoadBalancer controller runs
 * on the simulated host (container `kindling-cloud-provider-kind` running in the fake docker state, or
 * `pluginOptions.loadBalancer.alwaysRunning`), every `type: LoadBalancer` Service gets, after
 * `assignAfterMs`, `status.loadBalancer.ingress: [{ip, ipMode: Proxy}]` with an IP on the kind network
 * (172.18.0.x, as cloud-provider-kind reports its Envoy container's address), and the matching
 * `kindccm-*` container appears in the fake docker state with cloud-provider-kind's labels
 * (io.x-k8s.cloud-provider-kind.cluster, io.x-k8s.cloud-provider-kind.loadbalancer.name=<cluster>/<ns>/<svc>).
 *
 * State changes take the same lock as the fake tools (fakebin/dispatch.mjs: mkdir <simDir>/state.lock).
 * Usage: attachFakeKube(sim, { plugins: [loadBalancerPlugin({ simDir: sim.dir })] }).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeKubePlugin } from '../server.js';

export interface LoadBalancerPluginOptions {
  simDir?: string;
  assignAfterMs?: number;
  /** Assign IPs even without the controller container (tests of other features). */
  alwaysRunning?: boolean;
}

const CONTROLLER = 'kindling-cloud-provider-kind';

interface SimContainerLike {
  name: string;
  running: boolean;
  labels?: Record<string, string>;
  [k: string]: unknown;
}

function withStateLock<T>(simDir: string, fn: (state: { docker: { containers: SimContainerLike[] } }) => T, write: boolean): T | undefined {
  const lock = join(simDir, 'state.lock');
  const statePath = join(simDir, 'state.json');
  if (!existsSync(statePath)) return undefined;
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (i > 400) return undefined;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
  try {
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as { docker: { containers: SimContainerLike[] } };
    const out = fn(state);
    if (write) {
      const tmp = `${statePath}.lbplugin`;
      writeFileSync(tmp, JSON.stringify(state, null, 2));
      renameSync(tmp, statePath);
    }
    return out;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function loadBalancerPlugin(options: LoadBalancerPluginOptions = {}): FakeKubePlugin {
  return (api) => {
    const opts: LoadBalancerPluginOptions = { ...options, ...((api.options.loadBalancer as LoadBalancerPluginOptions | undefined) ?? {}) };
    const assignAfterMs = opts.assignAfterMs ?? 300;
    const seen = new Map<string, number>();
    let lastCheck = 0;
    let running = false;

    const controllerRunning = (): boolean => {
      if (opts.alwaysRunning) return true;
      if (!opts.simDir) return false;
      const now = api.now();
      if (now - lastCheck < 200) return running;
      lastCheck = now;
      running = withStateLock(opts.simDir, (s) => (s.docker?.containers ?? []).some((c) => c.name === CONTROLLER && c.running), false) ?? false;
      return running;
    };

    api.on('tick', () => {
      const services = api.store.list('v1', 'Service').filter((s) => (s.spec as { type?: string } | undefined)?.type === 'LoadBalancer');
      if (services.length === 0 || !controllerRunning()) return;
      for (const svc of services) {
        const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
        const ingress = (svc.status as { loadBalancer?: { ingress?: unknown[] } } | undefined)?.loadBalancer?.ingress;
        if (ingress && ingress.length > 0) continue;
        const first = seen.get(key) ?? api.now();
        seen.set(key, first);
        if (api.now() - first < assignAfterMs) continue;
        const n = 100 + (parseInt(createHash('sha256').update(`${api.cluster}/${key}`).digest('hex').slice(0, 4), 16) % 150);
        const ip = `172.18.0.${n}`;
        api.store.setStatus('v1', 'Service', svc.metadata.name, svc.metadata.namespace, { loadBalancer: { ingress: [{ ip, ipMode: 'Proxy' }] } });
        if (opts.simDir) {
          const name = `kindccm-${createHash('sha256').update(`${api.cluster}/${key}`).digest('hex').slice(0, 12)}`;
          withStateLock(
            opts.simDir,
            (s) => {
              if (s.docker.containers.some((c) => c.name === name)) return;
              s.docker.containers.push({
                id: createHash('sha256').update(name).digest('hex'),
                name,
                image: 'docker.io/envoyproxy/envoy:v1.33.2',
                labels: { 'io.x-k8s.cloud-provider-kind.cluster': api.cluster, 'io.x-k8s.cloud-provider-kind.loadbalancer.name': `${api.cluster}/${key}` },
                running: true,
                exitCode: 0,
                restartPolicy: 'on-failure',
                networkMode: 'kind',
                mounts: [],
                env: [],
                cmd: [],
                ip,
                created: new Date().toISOString(),
                privileged: true,
                logs: '',
              });
            },
            true,
          );
        }
      }
    });
  };
}
