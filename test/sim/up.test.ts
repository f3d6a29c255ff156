/**
 * `kindling up` end to end on the simulated host: the built CLI against the fake tools, the fake
 * Kubernetes API (scripted GPU Operator and kubelet, fake vLLM behind the Service).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createUpSim, mutatingLines, upScenario, type UpSim } from './scenarios-up.js';

let u: UpSim | undefined;
afterEach(async () => {
  await u?.close();
  u = undefined;
});

const workerNames = (s: UpSim) =>
  s.sim
    .state()
    .docker.containers.filter((c) => c.labels['io.x-k8s.kind.role'] === 'worker')
    .map((c) => c.name)
    .sort();

describe('kindling up (simulated host)', () => {
  it.each([1, 4, 8])('with %i GPU(s): every phase, endpoint, curl and chat; then a rerun changes nothing', async (gpus) => {
    u = await createUpSim(upScenario(gpus));
    const r = await u.up();
    expect(r.exitCode, r.stderr).toBe(0);
    expect(workerNames(u)).toHaveLength(gpus);
    const allocatable = u.kube
      .cluster('kindling')
      .list('v1', 'Node')
      .map((n) => Number((n.status as { allocatable?: Record<string, string> }).allocatable?.['nvidia.com/gpu'] ?? 0));
    expect(allocatable.reduce((a, b) => a + b, 0)).toBe(gpus);
    // The phases ran in order.
    const order = ['Preflight', 'Cluster "kindling"', 'Image cache', 'NVIDIA GPU Operator', 'LoadBalancer controller', 'Model deepseek-ai', 'Smoke test'];
    const at = order.map((t) => r.stderr.indexOf(`✓ ${t}`));
    expect(at.every((i) => i >= 0), r.stderr).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // The summary: endpoint, curl example, chat command, timing table.
    expect(r.stdout).toMatch(/endpoint: http:\/\/127\.0\.0\.1:\d+\/v1/);
    expect(r.stdout).toContain("-H 'Content-Type: application/json'");
    expect(r.stdout).toContain('chat:     kindling chat deepseek-r1-distill-qwen-1-5b');
    expect(r.stdout).toMatch(/PHASE\s+STATUS\s+TIME\s+DETAIL/);
    expect(r.stdout).toMatch(/Smoke test .*done/);

    if (gpus !== 4) return;
    u.sim.clearJournal();
    u.kube.clearRequests();
    const again = await u.up();
    expect(again.exitCode, again.stderr).toBe(0);
    expect(mutatingLines(u.sim.journal())).toEqual([]);
    expect(u.kube.mutatingRequests().map((q) => `${q.method} ${q.path}`)).toEqual([]);
    expect(again.stdout).toMatch(/Cluster "kindling"\s+already done/);
    expect(again.stdout).toMatch(/NVIDIA GPU Operator\s+already done/);
    expect(again.stdout).toMatch(/Model deepseek-ai\/DeepSeek-R1-Distill-Qwen-1\.5B\s+already done/);
  });

  it('a failure injected at each step; each rerun resumes where it stopped (completed steps are not redone)', async () => {
    const steps = [
      { name: 'kind create', match: '^kind create cluster' },
      { name: 'node GPU setup', match: '^docker exec kindling-worker2 nvidia-ctk runtime configure' },
      { name: 'image cache', match: '^docker run -d --name kindling-cache-nvcr-io' },
      { name: 'GPU Operator', match: '^helm upgrade --install gpu-operator' },
      { name: 'LoadBalancer', match: '^docker run --detach --name kindling-cloud-provider-kind' },
    ];
    const scenario = upScenario(2);
    scenario.faults = steps.map((s) => ({ match: s.match, times: 1, exitCode: 1, stderr: `sim: injected failure (${s.name})\n` }));
    u = await createUpSim(scenario);
    for (const [i, step] of steps.entries()) {
      u.sim.clearJournal();
      const r = await u.up();
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr).toContain(`injected failure (${step.name})`);
      expect(r.stderr).toMatch(new RegExp(step.match.slice(1))); // the failing command is named
      const lines = u.sim.journal().map((e) => e.line);
      // The step that failed in the previous run is retried ...
      const previous = steps[i - 1];
      if (previous) expect(lines.filter((l) => new RegExp(previous.match).test(l)), `${previous.name} retried`).toHaveLength(1);
      // ... and the steps completed before it are not redone.
      for (const earlier of steps.slice(0, Math.max(0, i - 1))) {
        expect(lines.filter((l) => new RegExp(earlier.match).test(l)), `${earlier.name} redone in the run that failed at ${step.name}`).toEqual([]);
      }
    }
    u.sim.clearJournal();
    const last = await u.up();
    expect(last.exitCode, last.stderr).toBe(0);
    const lines = u.sim.journal().map((e) => e.line);
    for (const s of steps.slice(0, -1)) expect(lines.filter((l) => new RegExp(s.match).test(l)), s.name).toEqual([]);
    expect(lines.filter((l) => new RegExp(steps[steps.length - 1]?.match ?? '^$').test(l))).toHaveLength(1);
    // Worker 1's GPU setup, done in the run that failed on worker 2, was not redone either.
    expect(lines.filter((l) => /^docker exec kindling-worker dpkg -i/.test(l))).toEqual([]);
    expect(last.stdout).toMatch(/endpoint: http/);
  });

  it('Ctrl-C during the cluster step: exit 130, says what is half-done; the next up resumes', async () => {
    const scenario = upScenario(2);
    scenario.delays = [{ match: '^docker exec kindling-worker\\d* nvidia-ctk runtime configure', ms: 4000 }];
    u = await createUpSim(scenario);
    const r = await u.up([], { interruptWhen: (_err, journal) => journal().some((e) => /^docker exec kindling-worker\d* dpkg -i/.test(e.line)) });
    expect(r.exitCode, r.stderr).toBe(130);
    expect(r.stderr).toContain('Stopped during "Cluster "kindling""');
    expect(r.stderr).toMatch(/Left half-done \(the next run resumes from here\):\n\s+- cluster "kindling": kind nodes may exist/);
    expect(r.stderr).toMatch(/- NVIDIA GPU Operator: not started/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    // status on this half-built state: the cluster exists, its GPU setup is not finished.
    const st = await u.run(['status', '--json']);
    expect(st.exitCode, st.stderr).toBe(0);
    const report = JSON.parse(st.stdout) as { clusterState: { exists: boolean; complete: boolean; problems: string[] }; next: string[] };
    expect(report.clusterState.exists, JSON.stringify(report.clusterState)).toBe(true);
    expect(report.clusterState.complete).toBe(false);
    expect(report.clusterState.problems.some((p) => /GPU setup not finished/.test(p))).toBe(true);
    expect(report.next[0]).toMatch(/^finish cluster kindling/);
    u.sim.updateScenario((s) => (s.delays = []));
    u.sim.clearJournal();
    const again = await u.up();
    expect(again.exitCode, again.stderr).toBe(0);
    const lines = u.sim.journal().map((e) => e.line);
    expect(lines.filter((l) => l.startsWith('kind create cluster'))).toEqual([]);
    expect(again.stderr).toMatch(/same config: resuming/);
  });

  it('Ctrl-C during the model start: exit 130, the model is listed as half-done; the next up resumes at the model', async () => {
    u = await createUpSim(upScenario(1), { kubelet: { timeline: { schedule: 20, pull: 150, start: 30, download: 6000, load: 30, compile: 30, graphs: 30, ready: 30, lb: 30 } } });
    const r = await u.up([], { interruptWhen: (err) => /weights download|downloading weights/i.test(err) });
    expect(r.exitCode, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/- model deepseek-r1-distill-qwen-1-5b: manifests applied, pods still starting/);
    expect(r.stderr).toMatch(/- Smoke test .*: not started/);
    u.sim.clearJournal();
    u.kube.clearRequests();
    const again = await u.up([], { timeoutMs: 60_000 });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(mutatingLines(u.sim.journal())).toEqual([]);
    expect(again.stdout).toMatch(/endpoint: http/);
  });

  it('up → down → up: the second up pulls no vLLM image from the Internet and downloads no weights', async () => {
    u = await createUpSim(upScenario(1));
    const first = await u.up();
    expect(first.exitCode, first.stderr).toBe(0);
    const pulls1 = u.sim.journal().filter((e) => e.tool === 'containerd').map((e) => e.line);
    expect(pulls1).toEqual(['containerd pull vllm/vllm-openai:v0.30.0 from registry-1.docker.io through kindling-cache-docker-io']);
    expect(first.stderr).toMatch(/weights download/);

    const down = await u.run(['down']);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(u.sim.state().docker.containers.filter((c) => c.labels['io.x-k8s.kind.cluster'])).toEqual([]);

    u.sim.clearJournal();
    const second = await u.up();
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/kind create cluster|Create kind cluster/); // a new cluster …
    const pulls2 = u.sim.journal().filter((e) => e.tool === 'containerd').map((e) => e.line);
    expect(pulls2).toEqual(['containerd pull vllm/vllm-openai:v0.30.0 from kindling-cache-docker-io (cached on the host)']); // … whose image comes from the host
    expect(u.sim.journal().filter((e) => e.tool === 'docker' && e.args[0] === 'pull' && e.line.includes('vllm'))).toEqual([]);
    // No weight download in the pod's log: the host cache dir survived `down`.
    const logs = await u.run(['model', 'logs', 'deepseek-r1-distill-qwen-1-5b']);
    expect(logs.stdout).not.toMatch(/Time spent downloading weights/);
    expect(second.stderr).not.toMatch(/weights download: /);
  });

  it('without the image cache, the second up downloads the image again (the control for the test above)', async () => {
    u = await createUpSim(upScenario(1));
    expect((await u.up(['--no-registry-cache'])).exitCode).toBe(0);
    expect((await u.run(['down'])).exitCode).toBe(0);
    u.sim.clearJournal();
    const again = await u.up(['--no-registry-cache']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(u.sim.journal().filter((e) => e.tool === 'containerd').map((e) => e.line)).toEqual(['containerd pull vllm/vllm-openai:v0.30.0 from registry-1.docker.io']);
  });

  it('-f kindling.yaml: its layout is used (flags override it); a wrong field is exit 2 with file:line:column', async () => {
    u = await createUpSim(upScenario(4));
    u.sim.writeHostFile('/../kindling.yaml', 'cluster:\n  name: lab\n  gpusPerNode: 2\nmodels:\n  - id: Qwen/Qwen2.5-7B-Instruct\n    gpus: 2\n');
    const plan = await u.run(['up', '-f', 'kindling.yaml', '--dry-run']);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('$ kind create cluster --name lab --config -');
    expect(plan.stdout).toContain('containerPath: /var/run/nvidia-container-devices/1'); // two GPUs per worker
    expect(plan.stdout).toMatch(/Deployment default\/qwen2-5-7b-instruct/);
    expect(plan.stdout).toContain('--tensor-parallel-size=2');
    const flagged = await u.run(['up', '-f', 'kindling.yaml', '--name', 'other', '--dry-run']);
    expect(flagged.stdout).toContain('$ kind create cluster --name other --config -');
    u.sim.writeHostFile('/../bad.yaml', 'cluster:\n  name: lab\n  gpuPerNode: 2\n');
    const bad = await u.run(['up', '-f', 'bad.yaml']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('bad.yaml:3:3: cluster.gpuPerNode: Unrecognized key');
    expect(u.sim.mutatingCalls()).toEqual([]);
  });

  it('stops at preflight on a host without a GPU driver: exit 2, every failure with its fix, nothing changed', async () => {
    const scenario = upScenario(0);
    scenario.state.driver.installed = false;
    scenario.state.tools.helm = null;
    u = await createUpSim(scenario);
    const r = await u.up();
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/Preflight: \d+ host checks failed; nothing was changed/);
    expect(r.stderr).toMatch(/✗ NVIDIA driver: .*\n\s+fix: kindling host setup --driver/);
    expect(r.stderr).toMatch(/✗ helm: /);
    expect(u.sim.mutatingCalls()).toEqual([]);
  });

  it('--dry-run --num-gpus 4 on a host without GPUs: the whole plan in order, nothing changed', async () => {
    const scenario = upScenario(0);
    scenario.state.driver.installed = false;
    u = await createUpSim(scenario);
    const r = await u.run(['up', '--dry-run', '--num-gpus', '4']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(u.sim.mutatingCalls()).toEqual([]);
    const plan = r.stdout;
    const marks = ['# On this host these checks fail: nvidia-driver', '$ kind create cluster --name kindling --config -', 'docker exec kindling-worker4 nvidia-ctk runtime configure', 'RuntimeClass nvidia', 'docker run -d --name kindling-cache-docker-io', 'helm upgrade --install gpu-operator', 'docker run --detach --name kindling-cloud-provider-kind', 'Deployment default/deepseek-r1-distill-qwen-1-5b', 'Service default/deepseek-r1-distill-qwen-1-5b'];
    const at = marks.map((m) => plan.indexOf(m));
    expect(at.every((i) => i >= 0), plan).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  // Seen on a real H100 host (Ubuntu 24.04, driver 580, no Docker, no kind, no helm): every docker
  // probe fails with "not found", and the plan must still come out whole.
  it('--dry-run on a GPU host with no Docker, kind or helm installed at all: the whole plan, exit 0', async () => {
    const scenario = upScenario(1);
    scenario.state.docker.installed = false;
    scenario.state.toolkit.installed = false;
    scenario.state.tools.kind = null;
    scenario.state.tools.helm = null;
    u = await createUpSim(scenario);
    const r = await u.run(['up', '--dry-run']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(u.sim.mutatingCalls()).toEqual([]);
    expect(r.stdout).toMatch(/# On this host these checks fail: docker-client .*nvidia-ctk .*kind .*helm /);
    expect(r.stdout).toContain('docker is not installed on this host');
    for (const mark of ['$ kind create cluster', 'helm upgrade --install gpu-operator', 'docker run --detach --name kindling-cloud-provider-kind', 'Service default/deepseek-r1-distill-qwen-1-5b']) {
      expect(r.stdout).toContain(mark);
    }
  });
});
