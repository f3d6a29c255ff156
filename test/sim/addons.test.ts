/**
 * `kindling addons …` end to end on the simulated host: the built CLI, fake helm and docker on PATH,
 * the fake API server with the scripted GPU Operator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { configHash, LB_CONTAINER_NAME } from '../../src/addons/load-balancer.js';
import { CLOUD_PROVIDER_KIND } from '../../src/core/versions.js';
import { addonsSim, FAST, type AddonsSim } from './scenarios-addons.js';

let env: AddonsSim | undefined;
afterEach(async () => {
  await env?.dispose();
  env = undefined;
});

const line = (e: { tool: string; args: string[] }) => `${e.tool} ${e.args.join(' ')}`;

describe('kindling addons install', () => {
  it('--dry-run with no cluster yet: prints the pinned plan for both addons and says the cluster does not exist', async () => {
    env = await addonsSim('addons dry run, no cluster', { noCluster: true });
    const r = await env.sim.runCli(['addons', 'install', '--dry-run']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/does not exist yet/);
    expect(r.stdout).toMatch(/helm repo add nvidia https:\/\/helm\.ngc\.nvidia\.com\/nvidia/);
    expect(r.stdout).toMatch(/helm upgrade --install gpu-operator nvidia\/gpu-operator --version v26\.3\.3 --namespace gpu-operator --create-namespace --values \S+gpu-operator-values\.yaml --kube-context kind-kindling/);
    expect(r.stdout).toMatch(/pod-security\.kubernetes\.io\/enforce: privileged/);
    expect(r.stdout).toMatch(/driver:\n\s+enabled: false\n\s+toolkit:\n\s+enabled: false/);
    expect(r.stdout).toContain(`docker run --detach --name kindling-cloud-provider-kind`);
    expect(r.stdout).toContain(`--network host --restart unless-stopped --volume /var/run/docker.sock:/var/run/docker.sock ${CLOUD_PROVIDER_KIND.image} --gateway-channel disabled`);
    expect(env.sim.mutatingCalls()).toEqual([]);
  });

  it('happy path: installs, waits with operand progress, ready; a rerun changes nothing', async () => {
    env = await addonsSim('addons happy path', { gpus: 2, timeline: { devicePluginReadyMs: 700, policyReadyMs: 1500 } });
    const r = await env.sim.runCli(['addons', 'install', '--timeout', '60s', '--lb-health-timeout', '1s'], { env: FAST });
    expect(r.exitCode, r.stderr).toBe(0);
    const calls = env.sim.mutatingCalls().map(line);
    expect(calls).toEqual([
      'helm repo add nvidia https://helm.ngc.nvidia.com/nvidia',
      expect.stringMatching(/^helm upgrade --install gpu-operator nvidia\/gpu-operator --version v26\.3\.3 /),
      `docker pull ${CLOUD_PROVIDER_KIND.image}`,
      expect.stringMatching(/^docker run --detach --name kindling-cloud-provider-kind /),
    ]);
    expect(r.stderr).toMatch(/Waiting for the GPU Operator/);
    expect(r.stderr).toMatch(/ready: 2 nvidia\.com\/gpu on 2 workers/);
    for (const n of ['kindling-worker', 'kindling-worker2']) {
      expect((env.store.get('v1', 'Node', n)?.status as { allocatable: Record<string, string> }).allocatable['nvidia.com/gpu']).toBe('1');
    }
    expect(env.store.get('v1', 'Namespace', 'gpu-operator')?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('privileged');

    env.sim.clearJournal();
    env.kube.clearRequests();
    const again = await env.sim.runCli(['addons', 'install', '--timeout', '60s'], { env: FAST });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Nothing to do/);
    expect(env.sim.mutatingCalls()).toEqual([]);
    expect(env.kube.mutatingCount()).toBe(0);

    const status = await env.sim.runCli(['addons', 'status', '--json']);
    expect(status.exitCode, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout) as { gpuOperator: { ready: boolean; clusterPolicy: { state: string }; release: { chart: string }; nodes: unknown[] }; loadBalancer: { mode: string; running: boolean } };
    expect(s.gpuOperator).toMatchObject({ ready: true, clusterPolicy: { state: 'ready' }, release: { chart: 'gpu-operator-v26.3.3' } });
    expect(s.gpuOperator.nodes).toEqual([
      { node: 'kindling-worker', expected: 1, allocatable: 1, ready: true },
      { node: 'kindling-worker2', expected: 1, allocatable: 1, ready: true },
    ]);
    expect(s.loadBalancer).toMatchObject({ mode: 'container', running: true });
  });

  it('time-slicing: the ConfigMap and devicePlugin config; allocatable = GPUs × replicas', async () => {
    env = await addonsSim('addons time-slicing', { gpus: 1, timeline: { devicePluginReadyMs: 300, policyReadyMs: 600 } });
    const r = await env.sim.runCli(['addons', 'install', 'gpu-operator', '--gpu-sharing', 'time-slicing=4', '--timeout', '60s'], { env: FAST });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(env.store.get('v1', 'ConfigMap', 'time-slicing-config-all', 'gpu-operator')).toBeDefined();
    expect((env.store.get('v1', 'Node', 'kindling-worker')?.status as { allocatable: Record<string, string> }).allocatable['nvidia.com/gpu']).toBe('4');
  });

  it('operator never ready: times out with a diagnosis (exit 1)', async () => {
    env = await addonsSim('addons never ready', { gpus: 1, timeline: { failure: 'never-ready' } });
    const r = await env.sim.runCli(['addons', 'install', 'gpu-operator', '--timeout', '3s'], { env: FAST });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/The GPU Operator did not become ready within 3\.0s/);
    expect(r.stderr).toMatch(/nvidia-operator-validator-\w+ on kindling-worker: Init:PodInitializing/);
    expect(r.stderr).toMatch(/kindling addons status --name kindling/);
  });

  it('validator failing with a known cause: no "nvidia" runtime in the node → the node-setup fix', async () => {
    env = await addonsSim('addons no nvidia runtime', { gpus: 1, timeline: { failure: 'no-nvidia-runtime' } });
    const r = await env.sim.runCli(['addons', 'install', 'gpu-operator', '--timeout', '3s'], { env: FAST });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/Likely cause: containerd in a GPU node has no "nvidia" runtime/);
    expect(r.stderr).toMatch(/FailedCreatePodSandBox: .*no runtime for "nvidia" is configured/);
    expect(r.stderr).toMatch(/kindling cluster create --name kindling/);
  });

  it('validator toolkit-validation crash loop → the toolkit-validation cause', async () => {
    env = await addonsSim('addons toolkit validation', { gpus: 1, timeline: { failure: 'toolkit-validation' } });
    const r = await env.sim.runCli(['addons', 'install', 'gpu-operator', '--timeout', '3s'], { env: FAST });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/Init:CrashLoopBackOff \(toolkit-validation, \d+ restarts\)/);
    expect(r.stderr).toMatch(/Likely cause: the validator's toolkit check fails/);
  });
});

describe('LoadBalancer controller', () => {
  it('already running with the same configuration: not restarted (zero mutating calls)', async () => {
    env = await addonsSim('lb already running', { gpus: 1 });
    const image = CLOUD_PROVIDER_KIND.image;
    const args = ['--gateway-channel', 'disabled'];
    env.sim.setState((s) => {
      s.docker.images.push(image);
      s.docker.containers.push({
        id: 'c0ffee0000000000000000000000000000000000000000000000000000000001',
        name: LB_CONTAINER_NAME,
        image,
        labels: { 'app.kubernetes.io/managed-by': 'kindling', 'app.kubernetes.io/version': 'v0.11.1', 'dev.kindling.config': configHash(image, args, '/var/run/docker.sock') },
        running: true,
        restartPolicy: 'unless-stopped',
        networkMode: 'host',
        mounts: ['/var/run/docker.sock:/var/run/docker.sock'],
        cmd: args,
        logs: 'I1124 05:00:01.000000       1 controller.go:175] Starting cloud controller for cluster kindling\n',
        created: '2026-11-24T05:00:00Z',
        exitCode: 0,
      });
    });
    const r = await env.sim.runCli(['addons', 'install', 'load-balancer']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/running, serving cluster kindling/);
    expect(env.sim.mutatingCalls()).toEqual([]);
  });

  it('uninstall: helm uninstall, namespace deleted, controller stopped and removed', async () => {
    env = await addonsSim('addons uninstall', { gpus: 1, timeline: { devicePluginReadyMs: 200, policyReadyMs: 400 } });
    const install = await env.sim.runCli(['addons', 'install', '--timeout', '60s', '--lb-health-timeout', '1s'], { env: FAST });
    expect(install.exitCode, install.stderr).toBe(0);
    env.sim.clearJournal();
    const r = await env.sim.runCli(['addons', 'uninstall']);
    expect(r.exitCode, r.stderr).toBe(0);
    const calls = env.sim.mutatingCalls().map(line);
    expect(calls).toEqual([
      'helm uninstall gpu-operator --namespace gpu-operator --kube-context kind-kindling',
      `docker stop --time 30 ${LB_CONTAINER_NAME}`,
      `docker rm --force ${LB_CONTAINER_NAME}`,
    ]);
    expect(env.store.get('nvidia.com/v1', 'ClusterPolicy', 'cluster-policy')).toBeUndefined();
    expect(env.store.get('v1', 'Namespace', 'gpu-operator')).toBeUndefined();
    expect(env.sim.state().docker.containers.find((c) => c.name === LB_CONTAINER_NAME)).toBeUndefined();
    const again = await env.sim.runCli(['addons', 'uninstall']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Nothing to remove/);
  });
});

describe('LoadBalancer controller and Services', () => {
  it('serves LoadBalancer Services while running; status lists kindccm containers; uninstall removes leftovers of deleted clusters only', async () => {
    env = await addonsSim('lb services', { gpus: 1 });
    const install = await env.sim.runCli(['addons', 'install', 'load-balancer', '--lb-health-timeout', '1s']);
    expect(install.exitCode, install.stderr).toBe(0);
    env.store.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'qwen', namespace: 'default' }, spec: { type: 'LoadBalancer', ports: [{ port: 80, targetPort: 8000 }] } });
    let ip: string | undefined;
    for (let i = 0; i < 60 && !ip; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ip = (env.store.get('v1', 'Service', 'qwen', 'default')?.status as { loadBalancer?: { ingress?: { ip: string }[] } } | undefined)?.loadBalancer?.ingress?.[0]?.ip;
    }
    expect(ip).toMatch(/^172\.18\.0\.\d+$/);
    env.sim.setState((s) => {
      s.docker.containers.push({ id: 'dead'.repeat(16), name: 'kindccm-0123456789ab', image: 'docker.io/envoyproxy/envoy:v1.33.2', labels: { 'io.x-k8s.cloud-provider-kind.cluster': 'gone' }, running: false });
    });
    const status = await env.sim.runCli(['addons', 'status', '--json']);
    const lbs = (JSON.parse(status.stdout) as { loadBalancer: { loadBalancers: { cluster: string }[] } }).loadBalancer.loadBalancers;
    expect(lbs.map((l) => l.cluster).sort()).toEqual(['gone', 'kindling']);
    env.sim.clearJournal();
    const r = await env.sim.runCli(['addons', 'uninstall', 'load-balancer']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(env.sim.mutatingCalls().map(line)).toEqual([`docker stop --time 30 ${LB_CONTAINER_NAME}`, `docker rm --force ${LB_CONTAINER_NAME}`, 'docker rm --force deaddeaddead']);
    const names = env.sim.state().docker.containers.map((c) => c.name);
    expect(names.some((n) => n.startsWith('kindccm-') && n !== 'kindccm-0123456789ab')).toBe(true);
    expect(names).not.toContain('kindccm-0123456789ab');
  });

  it('bad flags are usage errors (exit 2) and change nothing', async () => {
    env = await addonsSim('addons bad flags', { gpus: 1 });
    for (const args of [['addons', 'install', 'gpu-operator', '--gpu-sharing', 'time-slicing=1'], ['addons', 'install', 'dashboards'], ['addons', 'install', '--timeout', 'soon']]) {
      const r = await env.sim.runCli(args);
      expect(r.exitCode, `${args.join(' ')}\n${r.stderr}`).toBe(2);
    }
    expect(env.sim.mutatingCalls()).toEqual([]);
  });
});

describe('interrupted and resumed', () => {
  it('Ctrl-C while waiting leaves the release installed; the next run only waits (no mutating call)', async () => {
    env = await addonsSim('addons ctrl-c', { gpus: 1, timeline: { devicePluginReadyMs: 2500, policyReadyMs: 3500 } });
    const first = await env.sim.runCli(['addons', 'install', 'gpu-operator', '--timeout', '60s'], {
      env: FAST,
      interruptWhen: (stderr) => /Waiting for the GPU Operator/.test(stderr),
    });
    expect(first.exitCode).toBe(130);
    expect(env.sim.state().helm).toBeDefined();
    env.sim.clearJournal();
    const second = await env.sim.runCli(['addons', 'install', 'gpu-operator', '--timeout', '60s'], { env: FAST });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/release gpu-operator deployed \(revision 1\), same chart and values/);
    expect(env.sim.mutatingCalls()).toEqual([]);
    expect(second.stderr).toMatch(/ready: 1 nvidia\.com\/gpu on 1 worker/);
  });
});
