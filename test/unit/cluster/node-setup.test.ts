/** The per-node GPU setup: step planning from probed state, and the runner calls with FakeRunner. */
import { mkdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planNodeSteps, setupGpuNodes, parseDevNodes, paramsMasked, type NodeState } from '../../../src/cluster/node-setup.js';
import { testContext } from '../../helpers/context.js';

const fresh: NodeState = { runtimeConfigured: false, runtimeLoaded: false, paramsMasked: false, deviceNodes: [0, 1, 2, 3] };
const done: NodeState = { toolkitVersion: '1.18.1-1', runtimeConfigured: true, runtimeLoaded: true, paramsMasked: true, deviceNodes: [1] };
const cache = { kind: 'cache' as const, files: ['nvidia-container-toolkit_1.18.1-1_amd64.deb'] };

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

  it('probes, then runs only the missing steps of each node; done nodes run nothing mutating', async () => {
    const ctx = testContext([
      { match: /^docker exec k-worker dpkg-query/, stdout: '1.18.1-1' },
      { match: /^docker exec k-worker cat \/etc\/containerd/, stdout: '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia]' },
      { match: /^docker exec k-worker crictl info/, stdout: '{"runtimeHandlers":[{"name":"nvidia"}]}' },
      { match: /^docker exec k-worker cat \/proc/, stdout: 'ModifyDeviceFiles: 0\n' },
      { match: /^docker exec k-worker ls \/dev/, stdout: 'null\nnvidia0\nnvidiactl\n' },
      { match: /^docker exec k-worker2 dpkg-query/, exitCode: 1, stderr: 'dpkg-query: no packages found matching nvidia-container-toolkit' },
      { match: /^docker exec k-worker2 cat \/etc\/containerd/, exitCode: 1 },
      { match: /^docker exec k-worker2 crictl info/, stdout: '{"runtimeHandlers":[{"name":"runc"}]}' },
      { match: /^docker exec k-worker2 cat \/proc/, stdout: 'ModifyDeviceFiles: 1\n' },
      { match: /^docker exec k-worker2 ls \/dev/, stdout: 'null\nnvidia0\nnvidia1\n' },
      { match: /^docker exec k-worker2 (dpkg -i|nvidia-ctk|systemctl|sh -c)/ },
    ]);
    const results = await setupGpuNodes(ctx, { cluster: 'k', nodes: [{ name: 'k-worker', gpus: [0] }, { name: 'k-worker2', gpus: [1] }], hostGpuCount: 2, hostCacheDir: cacheDir() });
    expect(results).toEqual([{ node: 'k-worker', ran: [] }, { node: 'k-worker2', ran: ['toolkit', 'runtime', 'restart', 'params', 'devices'] }]);
    expect(ctx.runner.mutatingCalls.every((c) => c.argv[2] === 'k-worker2')).toBe(true);
  });

  it('a failing step names node, step, command and stderr tail (exit 1)', async () => {
    const ctx = testContext([
      { match: /dpkg-query/, stdout: '1.18.1-1' },
      { match: /cat \/etc\/containerd/, exitCode: 1 },
      { match: /crictl info/, stdout: '{}' },
      { match: /cat \/proc/, stdout: 'ModifyDeviceFiles: 0\n' },
      { match: /ls \/dev/, stdout: 'nvidia0\n' },
      { match: /nvidia-ctk runtime configure/, exitCode: 1, stderr: 'level=error msg="unable to flush config"' },
    ]);
    const error = await setupGpuNodes(ctx, { cluster: 'k', nodes: [{ name: 'k-worker', gpus: [0] }], hostGpuCount: 1, hostCacheDir: cacheDir() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 1, message: 'GPU setup failed on node k-worker at step "configure containerd nvidia runtime".' });
    const details = (error as { details: string[] }).details.join('\n');
    expect(details).toContain('$ docker exec k-worker nvidia-ctk runtime configure --runtime=containerd --config-source=file');
    expect(details).toContain('unable to flush config');
  });

  it('downloads the toolkit once on the host when the cache is empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kcache-'));
    const ctx = testContext([
      { match: /dpkg-query/, exitCode: 1 },
      { match: /cat \/etc\/containerd/, exitCode: 1 },
      { match: /crictl info/, exitCode: 1 },
      { match: /cat \/proc/, stdout: 'ModifyDeviceFiles: 0\n' },
      { match: /k-worker ls \/dev/, stdout: 'nvidia0\n' },
      { match: /k-worker2 ls \/dev/, stdout: 'nvidia1\n' },
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
