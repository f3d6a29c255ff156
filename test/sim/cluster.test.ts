/**
 * `kindling cluster …` end to end on the simulated host: the built CLI, the fake kind/docker (node
 * containers, in-node commands) and the fake Kubernetes API server.
 */
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { attachFakeKube, type FakeKube } from './fake-kube/index.js';
import { createSimHost, type SimHost } from './harness.js';
import { clusterScenario, NVIDIA_APT_LIST, TOOLKIT_DEB_VERSION, TOOLKIT_PACKAGES } from './scenarios-cluster.js';
import type { Scenario } from './scenario.js';

let sim: SimHost | undefined;
let kube: FakeKube | undefined;

afterEach(async () => {
  await kube?.close();
  sim?.dispose();
  sim = undefined;
  kube = undefined;
});

async function setup(scenario: Scenario) {
  sim = createSimHost(scenario);
  kube = await attachFakeKube(sim);
  return { sim, kube };
}

const downloads = (s: SimHost) => s.journal().filter((e) => e.tool === 'apt-get' && e.args[0] === 'download');

const execs = (s: SimHost) => s.journal().filter((e) => e.tool === 'docker' && e.args[0] === 'exec');
const mutatingExecs = (s: SimHost) => execs(s).filter((e) => e.mutating);
const nodeOf = (e: { args: string[] }) => e.args[1];

interface GpusJson {
  nodes: { node: string; gpus: { index: number; name: string; uuid: string }[] }[];
  duplicates: unknown[];
}

describe('kindling cluster (simulated host)', () => {
  it('config --num-gpus 4 prints 1 control-plane + 4 GPU workers', async () => {
    const { sim } = await setup(clusterScenario(1));
    const r = await sim.runCli(['cluster', 'config', '--num-gpus', '4']);
    expect(r.exitCode, r.stderr).toBe(0);
    const cfg = parse(r.stdout) as { nodes: { role: string; labels?: Record<string, string>; extraMounts?: { containerPath: string }[] }[] };
    expect(cfg.nodes.map((n) => n.role)).toEqual(['control-plane', 'worker', 'worker', 'worker', 'worker']);
    expect(cfg.nodes.slice(1).map((n) => n.extraMounts?.[0]?.containerPath)).toEqual([0, 1, 2, 3].map((i) => `/var/run/nvidia-container-devices/${i}`));
    expect(cfg.nodes.slice(1).every((n) => n.labels?.['nvidia.com/gpu.present'] === 'true')).toBe(true);
    expect(r.stdout).toContain('nvidia.com/gpu.present: "true"');
    expect(sim.mutatingCalls()).toEqual([]);
  });

  it('create with 1 GPU: kind, node setup from the host cache, RuntimeClass, stored config; a rerun changes nothing', async () => {
    const { sim, kube } = await setup(clusterScenario(1));
    const r = await sim.runCli(['cluster', 'create']);
    expect(r.exitCode, r.stderr).toBe(0);
    const names = sim.state().docker.containers.map((c) => c.name).sort();
    expect(names).toEqual(['kindling-control-plane', 'kindling-worker']);
    const create = sim.journal().find((e) => e.tool === 'kind' && e.args[0] === 'create');
    expect(create?.args).toEqual(['create', 'cluster', '--name', 'kindling', '--config', '-']);
    expect(create?.stdin).toContain('containerPath: /var/run/nvidia-container-devices/0');
    // the node image pinned by digest (kind v0.32.0's release notes)
    expect(create?.stdin).toContain('image: kindest/node:v1.36.1@sha256:3489c7674813ba5d8b1a9977baea8a6e553784dab7b84759d1014dbd78f7ebd5');
    const steps = mutatingExecs(sim).map((e) => `${nodeOf(e)} ${e.args[2]} ${e.args[3]}`);
    expect(steps).toEqual([
      'kindling-worker dpkg -i',
      'kindling-worker nvidia-ctk runtime',
      'kindling-worker systemctl restart',
      'kindling-worker sh -c',
    ]);
    // downloaded once on the host, into the cache, then installed from the cache mount: no apt inside the node
    expect(downloads(sim).map((e) => [e.line, e.mutating])).toEqual([[`apt-get download ${TOOLKIT_PACKAGES.map((p) => `${p}=${TOOLKIT_DEB_VERSION}`).join(' ')}`, true]]);
    for (const p of TOOLKIT_PACKAGES) expect(sim.readHostFile(`/var/lib/kindling/cache/toolkit/${TOOLKIT_DEB_VERSION}/${p}_${TOOLKIT_DEB_VERSION}_amd64.deb`)).toMatch(/^!<arch>\n/);
    expect(execs(sim).some((e) => e.line.includes('apt-get'))).toBe(false);
    expect(mutatingExecs(sim)[0]?.args.slice(4)).toEqual(
      ['nvidia-container-toolkit', 'nvidia-container-toolkit-base', 'libnvidia-container-tools', 'libnvidia-container1'].map((p) => `/var/lib/kindling/cache/toolkit/1.18.1-1/${p}_1.18.1-1_amd64.deb`),
    );
    const store = kube.cluster('kindling');
    expect(store.get('node.k8s.io/v1', 'RuntimeClass', 'nvidia')).toMatchObject({ handler: 'nvidia' });
    const cm = store.get('v1', 'ConfigMap', 'kindling-cluster-config', 'kube-system') as { data: Record<string, string> } | undefined;
    expect(cm?.data.config).toBe(create?.stdin);
    expect(JSON.parse(cm?.data.layout ?? '{}')).toMatchObject({ hostGpuCount: 1, nodes: [{ name: 'kindling-control-plane', gpus: [] }, { name: 'kindling-worker', gpus: [0] }] });

    const gpus = await sim.runCli(['cluster', 'gpus', '--json']);
    expect(gpus.exitCode, gpus.stderr).toBe(0);
    const parsed = JSON.parse(gpus.stdout) as GpusJson;
    expect(parsed.nodes).toEqual([{ node: 'kindling-worker', gpus: [{ index: 0, name: 'NVIDIA H100 80GB HBM3', uuid: sim.scenario.state.gpus[0]?.uuid }] }]);

    sim.clearJournal();
    kube.clearRequests();
    const again = await sim.runCli(['cluster', 'create']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(sim.mutatingCalls()).toEqual([]);
    expect(kube.mutatingCount()).toBe(0);
  });

  it('create with 4 GPUs: each worker sees only its own GPU', async () => {
    const { sim } = await setup(clusterScenario(4));
    const r = await sim.runCli(['cluster', 'create']);
    expect(r.exitCode, r.stderr).toBe(0);
    // one read-only probe exec per node (a single `sh -c` script), before any mutating step
    const probes = execs(sim).filter((e) => !e.mutating);
    expect(probes.map(nodeOf).sort()).toEqual(['kindling-worker', 'kindling-worker2', 'kindling-worker3', 'kindling-worker4']);
    expect(probes.every((e) => e.args[2] === 'sh' && e.args[3] === '-c' && e.args[4]?.includes('p dev ls /dev'))).toBe(true);
    const gpus = JSON.parse((await sim.runCli(['cluster', 'gpus', '--json'])).stdout) as GpusJson;
    expect(gpus.duplicates).toEqual([]);
    expect(gpus.nodes.map((n) => [n.node, n.gpus.map((g) => g.uuid)])).toEqual(
      ['kindling-worker', 'kindling-worker2', 'kindling-worker3', 'kindling-worker4'].map((n, i) => [n, [sim.scenario.state.gpus[i]?.uuid]]),
    );
    // one host download for all four nodes
    expect(downloads(sim)).toHaveLength(1);
    // device nodes of the other 3 GPUs removed on every worker, in parallel
    const removals = mutatingExecs(sim).filter((e) => e.args[2] === 'sh' && e.args[4]?.includes('rm -f'));
    expect(removals).toHaveLength(4);
  });

  it('create with 10 GPUs maps worker10 to GPU 9 (numeric, not lexical, node order)', async () => {
    const { sim } = await setup(clusterScenario(10));
    const r = await sim.runCli(['cluster', 'create'], { timeoutMs: 110_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const gpus = JSON.parse((await sim.runCli(['cluster', 'gpus', '--json'])).stdout) as GpusJson;
    expect(gpus.duplicates).toEqual([]);
    const w10 = gpus.nodes.find((n) => n.node === 'kindling-worker10');
    expect(w10?.gpus.map((g) => g.uuid)).toEqual([sim.scenario.state.gpus[9]?.uuid]);
    const w2 = gpus.nodes.find((n) => n.node === 'kindling-worker2');
    expect(w2?.gpus.map((g) => g.uuid)).toEqual([sim.scenario.state.gpus[1]?.uuid]);
  });

  it('a failing node step names node, step, command and stderr; the rerun resumes without redoing done nodes', async () => {
    const scenario = clusterScenario(3);
    scenario.faults.push({ match: '^docker exec kindling-worker2 nvidia-ctk runtime configure', exitCode: 1, stderr: 'time="2026-06-10T08:00:00Z" level=error msg="unable to flush config: permission denied"\n', times: 1 });
    const { sim } = await setup(scenario);
    const r = await sim.runCli(['cluster', 'create']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('kindling-worker2');
    expect(r.stderr).toContain('configure containerd nvidia runtime');
    expect(r.stderr).toContain('docker exec kindling-worker2 nvidia-ctk runtime configure --runtime=containerd --config-source=file');
    expect(r.stderr).toContain('unable to flush config: permission denied');
    expect(r.stderr).toContain('kindling cluster create --name kindling');
    // the other nodes finished
    const firstRun = mutatingExecs(sim);
    expect(firstRun.filter((e) => nodeOf(e) === 'kindling-worker3').map((e) => e.args[2])).toEqual(['dpkg', 'nvidia-ctk', 'systemctl', 'sh', 'sh']);

    sim.clearJournal();
    const again = await sim.runCli(['cluster', 'create']);
    expect(again.exitCode, again.stderr).toBe(0);
    const rerun = mutatingExecs(sim);
    expect(new Set(rerun.map(nodeOf))).toEqual(new Set(['kindling-worker2']));
    expect(rerun.map((e) => e.args[2])).toEqual(['nvidia-ctk', 'systemctl', 'sh', 'sh']);
    expect(sim.journal().some((e) => e.tool === 'kind' && e.args[0] === 'create')).toBe(false);
  });

  it('refuses a different config for an existing cluster unless --recreate', async () => {
    const { sim, kube } = await setup(clusterScenario(2));
    expect((await sim.runCli(['cluster', 'create'])).exitCode).toBe(0);
    const refused = await sim.runCli(['cluster', 'create', '--gpus-per-node', '2']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("Cluster 'kindling' already exists with a different config");
    expect(refused.stderr).toContain('--recreate');
    sim.clearJournal();
    const recreated = await sim.runCli(['cluster', 'create', '--gpus-per-node', '2', '--recreate']);
    expect(recreated.exitCode, recreated.stderr).toBe(0);
    const kindCalls = sim.journal().filter((e) => e.tool === 'kind' && e.mutating).map((e) => e.args.slice(0, 2).join(' '));
    expect(kindCalls).toEqual(['delete cluster', 'create cluster']);
    expect(sim.state().docker.containers.map((c) => c.name).sort()).toEqual(['kindling-control-plane', 'kindling-worker']);
    const layout = JSON.parse((kube.cluster('kindling').get('v1', 'ConfigMap', 'kindling-cluster-config', 'kube-system') as unknown as { data: { layout: string } }).data.layout) as { nodes: { gpus: number[] }[] };
    expect(layout.nodes.map((n) => n.gpus)).toEqual([[], [0, 1]]);
  });

  it('delete removes the cluster, its API and the containers kindling labelled for it', async () => {
    const { sim, kube } = await setup(clusterScenario(1));
    expect((await sim.runCli(['cluster', 'create'])).exitCode).toBe(0);
    sim.setState((s) => {
      s.docker.containers.push({ id: 'f'.repeat(64), name: 'kindling-lb', image: 'registry.k8s.io/cloud-provider-kind/cloud-controller-manager:v0.11.1', labels: { 'io.kindling.cluster': 'kindling' }, running: true });
    });
    const list = await sim.runCli(['cluster', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject([{ name: 'kindling', kindling: true, layout: { hostGpuCount: 1 } }]);
    const r = await sim.runCli(['cluster', 'delete']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(sim.state().docker.containers).toEqual([]);
    expect(kube.hasCluster('kindling')).toBe(false);
    const again = await sim.runCli(['cluster', 'delete']);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('no such cluster');
  });

  it('without a host copy of the packages, falls back to pinned in-node apt and says so', async () => {
    const scenario = clusterScenario(1);
    delete scenario.files[NVIDIA_APT_LIST]; // the host has no NVIDIA apt repository: apt-get download fails
    const { sim } = await setup(scenario);
    const r = await sim.runCli(['cluster', 'create']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Could not download the NVIDIA Container Toolkit packages on the host \(E: Unable to locate package nvidia-container-toolkit\)/);
    expect(downloads(sim).map((e) => e.exitCode)).toEqual([100]);
    const install = mutatingExecs(sim).find((e) => e.args[2] === 'sh' && e.args[4]?.includes('apt-get install'));
    expect(install?.args[4]).toContain('nvidia-container-toolkit=1.18.1-1');
    expect(install?.args[4]).toContain('/stable/deb/');
  });

  it('dry-run of a new cluster plans kind, node steps and manifests without changing anything', async () => {
    const { sim } = await setup(clusterScenario(2));
    const r = await sim.runCli(['cluster', 'create', '--dry-run']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('kind create cluster --name kindling --config -');
    expect(r.stdout).toContain('docker exec kindling-worker2 nvidia-ctk runtime configure --runtime=containerd --config-source=file');
    expect(r.stdout).toContain('RuntimeClass nvidia');
    expect(sim.mutatingCalls()).toEqual([]);
    expect(sim.state().docker.containers).toEqual([]);
  });

  it('kind missing: exit 2 with the fix', async () => {
    const s = clusterScenario(1);
    s.state.tools.kind = null;
    const { sim } = await setup(s);
    const r = await sim.runCli(['cluster', 'create']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('kind is not installed');
    expect(r.stderr).toContain('kindling host setup');
  });
});
