/**
 * `kindling down` and `kindling status` on the simulated host, including half-built states and a
 * kind cluster kindling did not create.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SimContainer } from './scenario.js';
import { createUpSim, mutatingLines, upScenario, type UpSim } from './scenarios-up.js';

let u: UpSim | undefined;
afterEach(async () => {
  await u?.close();
  u = undefined;
});

/** A kind cluster made by someone else (plain `kind create cluster --name other`): two node containers, no kindling config. */
function foreignCluster(name: string): SimContainer[] {
  return (['control-plane', 'worker'] as const).map((role, i) => ({
    id: `f0${i}${'0'.repeat(61)}`,
    name: `${name}-${role}`,
    image: 'kindest/node:v1.36.1',
    labels: { 'io.x-k8s.kind.cluster': name, 'io.x-k8s.kind.role': role },
    running: true,
    networkMode: 'kind',
    mounts: ['/lib/modules:/lib/modules:ro'],
  }));
}

interface StatusJson {
  host: { ok: boolean; gpus: unknown[] };
  clusterState: { exists: boolean; complete?: boolean; nodes?: { name: string; gpus: number[] | 'all'; ready?: boolean }[]; problems?: string[] };
  gpuOperator?: { ready: boolean; state: string };
  loadBalancer: { running: boolean };
  imageCache: { running: number; total: number };
  models: { name: string; phase: string; replicas: string; endpoint?: string }[];
  next: string[];
}

async function statusJson(s: UpSim): Promise<StatusJson> {
  const r = await s.run(['status', '--json']);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as StatusJson;
}

describe('kindling down', () => {
  it('deletes the cluster, stops the LB controller, keeps the caches; never touches a foreign kind cluster', async () => {
    u = await createUpSim(upScenario(2));
    u.sim.setState((s) => s.docker.containers.push(...foreignCluster('other')));
    expect((await u.up()).exitCode).toBe(0);

    // A cluster kindling did not create: refused, nothing changed.
    u.sim.clearJournal();
    const refused = await u.run(['down', '--name', 'other']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/kind cluster 'other' was not created by kindling: not touching it/);
    expect(u.sim.mutatingCalls()).toEqual([]);

    // --dry-run: the plan, nothing changed.
    const dry = await u.run(['down', '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/\$ kind delete cluster --name kindling/);
    expect(dry.stdout).toMatch(/\$ docker stop --time 30 kindling-cloud-provider-kind/);
    expect(u.sim.mutatingCalls()).toEqual([]);

    u.sim.clearJournal();
    const r = await u.run(['down']);
    expect(r.exitCode, r.stderr).toBe(0);
    const calls = mutatingLines(u.sim.journal());
    expect(calls).toContain('kind delete cluster --name kindling');
    expect(calls.some((l) => l.startsWith('docker stop --time 30 kindling-cloud-provider-kind'))).toBe(true);
    expect(calls.some((l) => /other/.test(l))).toBe(false);
    const names = u.sim.state().docker.containers.map((c) => c.name).sort();
    expect(names).toContain('other-control-plane');
    expect(names).toContain('other-worker');
    expect(names.filter((n) => n.startsWith('kindling-worker') || n === 'kindling-control-plane')).toEqual([]);
    // The image caches and the model weights stay for the next up.
    expect(names.filter((n) => n.startsWith('kindling-cache-'))).toHaveLength(4);
    expect(u.sim.readHostFile('/var/lib/kindling/cache/registry/certs.d/docker.io/hosts.toml')).toContain('kindling-cache-docker-io');
    expect(r.stdout).toMatch(/kept\s+.*model weights/);
    expect(r.stdout).toMatch(/other kind clusters \(untouched\)\s+other/);

    // A second down has nothing left to do.
    u.sim.clearJournal();
    const again = await u.run(['down']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(u.sim.mutatingCalls()).toEqual([]);
  });

  it('--purge also removes the image caches and the host cache dir', async () => {
    u = await createUpSim(upScenario(1));
    expect((await u.up()).exitCode).toBe(0);
    u.sim.clearJournal();
    const r = await u.run(['down', '--purge']);
    expect(r.exitCode, r.stderr).toBe(0);
    const calls = mutatingLines(u.sim.journal());
    expect(calls.some((l) => /^docker rm -f kindling-cache-/.test(l))).toBe(true);
    expect(calls.some((l) => l.startsWith('rm -rf -- ') && l.endsWith('/var/lib/kindling/cache'))).toBe(true);
  });
});

describe('kindling status', () => {
  it('on each state: bare host, cluster only (operator failed), complete', async () => {
    const scenario = upScenario(2);
    scenario.faults = [{ match: '^helm upgrade --install gpu-operator', times: 1, exitCode: 1, stderr: 'Error: INSTALLATION FAILED: context deadline exceeded\n' }];
    u = await createUpSim(scenario);

    // Nothing yet.
    const bare = await statusJson(u);
    expect(bare.host.ok).toBe(true);
    expect(bare.host.gpus).toHaveLength(2);
    expect(bare.clusterState.exists).toBe(false);
    expect(bare.gpuOperator).toBeUndefined();
    expect(bare.models).toEqual([]);
    expect(bare.next).toContain('create cluster kindling');
    const text = await u.run(['status']);
    expect(text.stdout).toMatch(/Cluster kindling \(context kind-kindling\)\n\s+✗ does not exist/);

    // The cluster exists; the GPU Operator install failed.
    expect((await u.up()).exitCode).toBe(1);
    const half = await statusJson(u);
    expect(half.clusterState.exists).toBe(true);
    expect(half.clusterState.nodes?.filter((n) => n.gpus !== 'all' && n.gpus.length > 0)).toHaveLength(2);
    expect(half.gpuOperator?.ready).toBe(false);
    expect(half.imageCache).toEqual({ running: 4, total: 4, missing: [] });
    expect(half.models).toEqual([]);
    expect(half.next.some((n) => n.startsWith('GPU Operator'))).toBe(true);
    const halfText = await u.run(['status']);
    expect(halfText.stdout).toMatch(/NODE\s+ROLE\s+GPUS\s+STATUS/);
    expect(halfText.stdout).toMatch(/kindling-worker2\s+worker\s+1\s+Ready/);

    // Complete.
    expect((await u.up()).exitCode).toBe(0);
    u.sim.clearJournal();
    u.kube.clearRequests();
    const full = await statusJson(u);
    expect(full.clusterState.complete).toBe(true);
    expect(full.gpuOperator?.ready).toBe(true);
    expect(full.loadBalancer.running).toBe(true);
    expect(full.models).toEqual([expect.objectContaining({ name: 'deepseek-r1-distill-qwen-1-5b', phase: 'Ready', replicas: '1/1' })]);
    expect(full.models[0]?.endpoint).toMatch(/^http:\/\//);
    expect(full.next).toEqual([]);
    // Read-only.
    expect(u.sim.mutatingCalls()).toEqual([]);
    expect(u.kube.mutatingCount()).toBe(0);
  });
  it('with everything up but a model that failed to start: the model phase says so and up would redo it', async () => {
    u = await createUpSim(upScenario(1), { kubelet: { failure: 'max-model-len' } });
    const r = await u.up();
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/max-model-len/);
    u.sim.clearJournal();
    u.kube.clearRequests();
    const st = await statusJson(u);
    expect(st.clusterState.complete).toBe(true);
    expect(st.gpuOperator?.ready).toBe(true);
    expect(st.loadBalancer.running).toBe(true);
    expect(st.models).toHaveLength(1);
    expect(st.models[0]?.phase).not.toBe('Ready');
    expect(st.models[0]?.replicas).toBe('0/1');
    expect(st.next.some((n) => /model/i.test(n))).toBe(true);
    const text = await u.run(['status']);
    expect(text.stdout).toContain('deepseek-r1-distill-qwen-1-5b');
    // Read-only, even on a broken setup.
    expect(u.sim.mutatingCalls()).toEqual([]);
    expect(u.kube.mutatingCount()).toBe(0);
  });
});
