/** The per-node GPU setup: step planning from probed state, and the runner calls with FakeRunner. */
import { mkdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  planNodeSteps,
  setupGpuNodes,
  parseDevNodes,
  paramsMasked,
  parseProbeOutput,
  nodeStateFromProbe,
  probeScript,
  maskParamsScript,
  PROBE_MARK,
  type NodeState,
} from '../../../src/cluster/node-setup.js';
import { testContext } from '../../helpers/context.js';

const fresh: NodeState = { runtimeConfigured: false, runtimeLoaded: false, paramsMasked: false, deviceNodes: [0, 1, 2, 3] };
const done: NodeState = { toolkitVersion: '1.18.1-1', runtimeConfigured: true, runtimeLoaded: true, paramsMasked: true, deviceNodes: [1] };
const cache = { kind: 'cache' as const, files: ['nvidia-container-toolkit_1.18.1-1_amd64.deb'] };

type Section = { rc: number; out?: string };
/** What the probe script prints (the shape the docker suite checks against a real shell). */
function probeOut(p: { toolkit?: Section; runtimeFile?: Section; crictl?: Section; params?: Section; dev?: Section }): string {
  const sec = (name: string, s: Section = { rc: 1 }) => `${PROBE_MARK} ${name} ${s.rc}\n${(s.out ?? '').replace(/\n+$/, '')}\n`;
  return sec('toolkit', p.toolkit) + sec('runtime-file', p.runtimeFile) + sec('crictl', p.crictl) + sec('params', p.params) + sec('dev', p.dev ?? { rc: 0, out: 'null\n' });
}
const probeOf = (node: string) => (argv: readonly string[]) => argv[2] === node && argv[3] === 'sh' && (argv[5] ?? '').startsWith('p() {');

describe('planNodeSteps', () => {
  it('a fresh node needs every step; device removal keeps only its GPUs', () => {
    const steps = planNodeSteps({ name: 'k-worker2', gpus: [1] }, fresh, cache);
    expect(steps.map((s) => s.step)).toEqual(['toolkit', 'runtime', 'restart', 'params', 'devices']);
    expect(steps[0]?.argv).toEqual(['docker', 'exec', 'k-worker2', 'dpkg', '-i', '/var/lib/kindling/cache/toolkit/1.18.1-1/nvidia-container-toolkit_1.18.1-1_amd64.deb']);
    expect(steps[1]?.argv).toEqual(['docker', 'exec', 'k-worker2', 'nvidia-ctk', 'runtime', 'configure', '--runtime=containerd', '--config-source=file']);
    expect(steps[4]?.argv[5]).toContain('/dev/nvidia0 /dev/nvidia2 /dev/nvidia3');
  });
  it('a done node needs nothing; a masked params file is left alone; all GPUs keep their devices', () => {
    expect(planNodeSteps({ name: 'n', gpus: [1] }, done, cache)).toEqual([]);
    expect(planNodeSteps({ name: 'n', gpus: 'all' }, { ...done, deviceNodes: [0, 1, 2] }, cache)).toEqual([]);
  });
  it('resumes in the middle: configured on disk but containerd not restarted → restart only', () => {
    expect(planNodeSteps({ name: 'n', gpus: [1] }, { ...done, runtimeLoaded: false }, cache).map((s) => s.step)).toEqual(['restart']);
  });
  it('a wrong toolkit version is replaced and the runtime reconfigured; apt fallback is pinned', () => {
    const steps = planNodeSteps({ name: 'n', gpus: [1] }, { ...done, toolkitVersion: '1.19.1-1' }, { kind: 'apt' });
    expect(steps.map((s) => s.step)).toEqual(['toolkit', 'runtime', 'restart']);
    expect(steps[0]?.argv[5]).toContain('nvidia-container-toolkit=1.18.1-1');
    expect(steps[0]?.argv[5]).toContain('stable/deb');
  });
  it('parsers: /dev listing and params', () => {
    expect(parseDevNodes('core\nnull\nnvidia-uvm\nnvidia10\nnvidia2\nnvidiactl\n')).toEqual([2, 10]);
    expect(paramsMasked('ResmanDebugLevel: 4294967295\nModifyDeviceFiles: 0\n')).toBe(true);
    expect(paramsMasked('ModifyDeviceFiles: 1\n')).toBe(false);
  });
});

describe('setupGpuNodes with a strict FakeRunner', () => {
  const cacheDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'kcache-'));
    const tk = join(dir, 'toolkit', '1.18.1-1');
    mkdirSync(tk, { recursive: true });
    for (const p of ['nvidia-container-toolkit', 'nvidia-container-toolkit-base', 'libnvidia-container-tools', 'libnvidia-container1']) writeFileSync(join(tk, `${p}_1.18.1-1_amd64.deb`), '');
    return dir;
  };

  it('one probe exec per node, then only the missing steps of each node; done nodes run nothing mutating', async () => {
    const ctx = testContext([
      {
        match: probeOf('k-worker'),
        times: 1,
        stdout: probeOut({
          toolkit: { rc: 0, out: '1.18.1-1' },
          runtimeFile: { rc: 0, out: '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia]' },
          crictl: { rc: 0, out: '{"runtimeHandlers":[{"name":"nvidia"}]}' },
          params: { rc: 0, out: 'ModifyDeviceFiles: 0\n' },
          dev: { rc: 0, out: 'null\nnvidia0\nnvidiactl\n' },
        }),
      },
      {
        match: probeOf('k-worker2'),
        times: 1,
        stdout: probeOut({ crictl: { rc: 0, out: '{"runtimeHandlers":[{"name":"runc"}]}' }, params: { rc: 0, out: 'ModifyDeviceFiles: 1\n' }, dev: { rc: 0, out: 'null\nnvidia0\nnvidia1\n' } }),
      },
      { match: /^docker exec k-worker2 (dpkg -i|nvidia-ctk|systemctl|sh -c (umount|for d))/ },
    ]);
    const results = await setupGpuNodes(ctx, { cluster: 'k', nodes: [{ name: 'k-worker', gpus: [0] }, { name: 'k-worker2', gpus: [1] }], hostGpuCount: 2, hostCacheDir: cacheDir() });
    expect(results).toEqual([{ node: 'k-worker', ran: [] }, { node: 'k-worker2', ran: ['toolkit', 'runtime', 'restart', 'params', 'devices'] }]);
    expect(ctx.runner.mutatingCalls.every((c) => c.argv[2] === 'k-worker2')).toBe(true);
    expect(ctx.runner.calls.filter((c) => !c.mutating)).toHaveLength(2);
  });

  it('a failing step names node, step, command and stderr tail (exit 1)', async () => {
    const ctx = testContext([
      { match: probeOf('k-worker'), stdout: probeOut({ toolkit: { rc: 0, out: '1.18.1-1' }, crictl: { rc: 0, out: '{}' }, params: { rc: 0, out: 'ModifyDeviceFiles: 0\n' }, dev: { rc: 0, out: 'nvidia0\n' } }) },
      { match: /nvidia-ctk runtime configure/, exitCode: 1, stderr: 'level=error msg="unable to flush config"' },
    ]);
    const error = await setupGpuNodes(ctx, { cluster: 'k', nodes: [{ name: 'k-worker', gpus: [0] }], hostGpuCount: 1, hostCacheDir: cacheDir() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 1, message: 'GPU setup failed on node k-worker at step "configure containerd nvidia runtime".' });
    const details = (error as { details: string[] }).details.join('\n');
    expect(details).toContain('$ docker exec k-worker nvidia-ctk runtime configure --runtime=containerd --config-source=file');
    expect(details).toContain('unable to flush config');
  });

  it('a node that cannot be inspected (docker exec fails) is an error naming the node and docker\'s message', async () => {
    const ctx = testContext([{ match: probeOf('k-worker'), exitCode: 1, stderr: 'Error response from daemon: No such container: k-worker\n' }]);
    const error = await setupGpuNodes(ctx, { cluster: 'k', nodes: [{ name: 'k-worker', gpus: [0] }], hostGpuCount: 1, hostCacheDir: cacheDir() }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('Cannot inspect node k-worker: Error response from daemon: No such container: k-worker');
    expect(ctx.runner.mutatingCalls).toEqual([]);
  });

  it('downloads the toolkit once on the host when the cache is empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kcache-'));
    const ctx = testContext([
      { match: probeOf('k-worker'), stdout: probeOut({ params: { rc: 0, out: 'ModifyDeviceFiles: 0\n' }, dev: { rc: 0, out: 'nvidia0\n' } }) },
      { match: probeOf('k-worker2'), stdout: probeOut({ params: { rc: 0, out: 'ModifyDeviceFiles: 0\n' }, dev: { rc: 0, out: 'nvidia1\n' } }) },
      { match: ['mkdir', '-p', join(dir, 'toolkit', '1.18.1-1')] },
      {
        match: ['apt-get', 'download', '...'],
        times: 1,
        effect: (spec) => {
          mkdirSync(spec.cwd as string, { recursive: true });
          for (const p of ['nvidia-container-toolkit', 'nvidia-container-toolkit-base', 'libnvidia-container-tools', 'libnvidia-container1']) writeFileSync(join(spec.cwd as string, `${p}_1.18.1-1_amd64.deb`), '');
        },
      },
      { match: /^docker exec k-worker[0-9]* (dpkg -i|nvidia-ctk|systemctl)/ },
    ]);
    await setupGpuNodes(ctx, { cluster: 'k', nodes: [{ name: 'k-worker', gpus: [0] }, { name: 'k-worker2', gpus: [1] }], hostGpuCount: 2, hostCacheDir: dir });
    const downloads = ctx.runner.commandLines.filter((l) => l.startsWith('apt-get download'));
    expect(downloads).toEqual(['apt-get download nvidia-container-toolkit=1.18.1-1 nvidia-container-toolkit-base=1.18.1-1 libnvidia-container-tools=1.18.1-1 libnvidia-container1=1.18.1-1']);
  });
});

describe('the node probe script and its output', () => {
  it('one POSIX sh script: a function and one line per probe, params read from the driver dir', () => {
    const script = probeScript();
    expect(script.split('\n')).toEqual([
      `p() { n=$1; shift; o=$("$@" 2>/dev/null); r=$?; printf '${PROBE_MARK} %s %s\\n%s\\n' "$n" "$r" "$o"; }`,
      "p toolkit dpkg-query -W '-f=${Version}' nvidia-container-toolkit",
      'p runtime-file cat /etc/containerd/conf.d/99-nvidia.toml',
      'p crictl crictl info',
      'p params cat /proc/driver/nvidia/params',
      'p dev ls /dev',
    ]);
    expect(probeScript({ driverProcDir: '/run/x' })).toContain('p params cat /run/x/params');
    expect(maskParamsScript({ driverProcDir: '/run/x' })).toBe(
      "umount -R /run/x 2>/dev/null || true && cp /run/x/params /root/gpu-params && sed -i 's/^ModifyDeviceFiles: 1$/ModifyDeviceFiles: 0/' /root/gpu-params && mount --bind /root/gpu-params /run/x/params",
    );
  });

  it('parses sections (exit codes, multi-line bodies, empty bodies) into the node state', () => {
    // Shape as printed by dash in a kind node (and busybox sh in the docker suite).
    const out = [
      `${PROBE_MARK} toolkit 0`,
      '1.18.1-1',
      `${PROBE_MARK} runtime-file 1`,
      '',
      `${PROBE_MARK} crictl 0`,
      '{',
      '  "runtimeHandlers": [{ "name": "runc" }, { "name": "nvidia" }]',
      '}',
      `${PROBE_MARK} params 0`,
      'ResmanDebugLevel: 4294967295',
      'ModifyDeviceFiles: 1',
      `${PROBE_MARK} dev 0`,
      'core',
      'nvidia0',
      'nvidia3',
      'nvidiactl',
      '',
    ].join('\n');
    const sections = parseProbeOutput(out);
    expect([...sections.keys()]).toEqual(['toolkit', 'runtime-file', 'crictl', 'params', 'dev']);
    expect(sections.get('runtime-file')).toEqual({ exitCode: 1, stdout: '' });
    expect(sections.get('params')?.stdout).toBe('ResmanDebugLevel: 4294967295\nModifyDeviceFiles: 1');
    expect(nodeStateFromProbe(sections)).toEqual({ toolkitVersion: '1.18.1-1', runtimeConfigured: false, runtimeLoaded: true, paramsMasked: false, deviceNodes: [0, 3] });
  });

  it('without crictl (exit 127) the drop-in file decides whether the runtime is loaded', () => {
    const state = nodeStateFromProbe(parseProbeOutput(probeOut({ runtimeFile: { rc: 0, out: '[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia]' }, crictl: { rc: 127 } })));
    expect(state).toMatchObject({ runtimeConfigured: true, runtimeLoaded: true, paramsMasked: false, deviceNodes: [] });
    expect(state.toolkitVersion).toBeUndefined();
  });
});
