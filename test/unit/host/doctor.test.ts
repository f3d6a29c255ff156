/** runDoctorChecks with the strict fake runner: probe fallbacks, fixes, deep checks and dry-run. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDoctorChecks, FIX } from '../../../src/host/doctor.js';
import { discoverGpus } from '../../../src/host/nvidia.js';
import { UserError } from '../../../src/core/errors.js';
import { ExternalError } from '../../../src/core/errors.js';
import type { FakeCommand } from '../../helpers/fake-runner.js';
import { testContext } from '../../helpers/context.js';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures');
const read = (p: string) => readFileSync(join(fixtures, p), 'utf8');
const realInfo = JSON.parse(read('docker/info-debian12-20.10.json')) as Record<string, unknown>;
const nvidiaInfo = JSON.stringify({
  ...realInfo,
  ServerVersion: '28.2.2',
  Runtimes: { ...(realInfo.Runtimes as object), nvidia: { path: 'nvidia-container-runtime' } },
  DefaultRuntime: 'nvidia',
});

const notFound = (argv0: string): FakeCommand => ({
  match: [argv0, '...'],
  effect: () => {
    throw new ExternalError(`'${argv0}' was not found on PATH.`, argv0, 127, '', [], true);
  },
});

function healthyScript(overrides: FakeCommand[] = []): FakeCommand[] {
  return [
    ...overrides,
    { match: ['uname', '-s', '-r', '-m'], stdout: 'Linux 6.8.0-85-generic x86_64\n' },
    { match: ['id', '-u'], stdout: '0\n' },
    { match: ['id', '-un'], stdout: 'root\n' },
    { match: ['id', '-Gn'], stdout: 'root\n' },
    { match: /^nvidia-smi --query-gpu=/, stdout: read('gpu/derived/query-gpu-h100-x4.csv') },
    { match: ['docker', 'info', '--format', '{{json .}}'], stdout: nvidiaInfo },
    { match: ['df', '...'], stdout: '      Avail\n536870912000\n' },
    { match: ['nvidia-ctk', '--version'], stdout: 'NVIDIA Container Toolkit CLI version 1.18.1\ncommit: 889a3bb\n' },
    { match: ['kind', 'version'], stdout: 'kind v0.32.0 go1.24.3 linux/amd64\n' },
    { match: ['kubectl', '...'], stdout: read('tools/kubectl-version-client.json') },
    { match: ['helm', 'version', '--short'], stdout: read('tools/helm-version-short.txt') },
  ];
}

function hostFiles(ctx: ReturnType<typeof testContext>, toolkitToml = 'accept-nvidia-visible-devices-as-volume-mounts = true\n') {
  const w = (p: string, c: string) => ctx.files.write(p, c, { root: false });
  return Promise.all([
    w('/etc/os-release', 'PRETTY_NAME="Ubuntu 24.04.3 LTS"\nID=ubuntu\nVERSION_ID="24.04"\n'),
    w('/sys/fs/cgroup/cgroup.controllers', 'cpu memory\n'),
    w('/proc/meminfo', 'MemTotal:       264000000 kB\n'),
    w('/proc/sys/fs/inotify/max_user_watches', '524288\n'),
    w('/proc/sys/fs/inotify/max_user_instances', '512\n'),
    w('/etc/nvidia-container-runtime/config.toml', toolkitToml),
    w('/proc/driver/nvidia/version', read('gpu/h100-x1/proc-driver-nvidia.txt')),
  ]);
}

describe('runDoctorChecks', () => {
  it('passes a healthy 4-GPU host, running only probes', async () => {
    const ctx = testContext(healthyScript());
    await hostFiles(ctx);
    const report = await runDoctorChecks(ctx);
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.gpus).toHaveLength(4);
    expect(ctx.runner.mutatingCalls).toEqual([]);
    expect(report.checks.map((c) => c.id)).toEqual([
      'os', 'arch', 'kernel', 'cgroup', 'root', 'memory', 'inotify', 'nvidia-driver', 'gpus', 'docker-client', 'docker-daemon',
      'docker-rootless', 'docker-desktop', 'docker-storage', 'docker-runtime-nvidia', 'docker-default-runtime', 'nvidia-ctk',
      'nvidia-ctk-volume-mounts', 'kind', 'kubectl', 'helm',
    ]);
  });

  it('falls back to nvidia-smi -L when the query is rejected, with the driver version from /proc', async () => {
    const ctx = testContext(
      healthyScript([
        { match: /^nvidia-smi --query-gpu=/, exitCode: 2, stdout: 'Field "compute_cap" is not a valid field to query.\n\n' },
        { match: ['nvidia-smi', '-L'], stdout: read('gpu/h100-x1/nvidia-smi-L.txt') },
      ]),
    );
    await hostFiles(ctx);
    const report = await runDoctorChecks(ctx);
    expect(report.gpus).toEqual([expect.objectContaining({ index: 0, uuid: 'GPU-6a97f62e-81c0-7d9d-b095-4def0dddcf29', driverVersion: '580.159.04' })]);
    expect(report.checks.find((c) => c.id === 'nvidia-driver')?.detail).toBe('580.159.04 (nvidia-smi -L fallback)');
  });

  it('a driver that does not answer fails both GPU checks with modprobe', async () => {
    const failed = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.";
    const ctx = testContext(
      healthyScript([
        { match: /^nvidia-smi --query-gpu=/, exitCode: 9, stdout: `${failed}\n\n` },
        { match: ['nvidia-smi', '-L'], exitCode: 9, stdout: `${failed}\n\n` },
      ]),
    );
    await hostFiles(ctx);
    const report = await runDoctorChecks(ctx);
    const driver = report.checks.find((c) => c.id === 'nvidia-driver');
    expect(driver).toMatchObject({ status: 'fail' });
    expect(driver?.detail).toContain("couldn't communicate");
    expect(driver?.fix).toContain('sudo modprobe nvidia');
    expect(report.ok).toBe(false);
  });

  it('probes that time out (a loaded host) do not abort doctor: each check reports what it could not read', async () => {
    const timeout = (argv0: string): FakeCommand => ({
      match: [argv0, '...'],
      effect: () => {
        throw new ExternalError(`Timed out after 60s: ${argv0}`, argv0, null, '');
      },
    });
    const ctx = testContext([timeout('nvidia-ctk'), timeout('nvidia-smi'), timeout('kind'), ...healthyScript()]);
    await hostFiles(ctx);
    const report = await runDoctorChecks(ctx);
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId['nvidia-ctk']).toMatchObject({ status: 'warn', detail: 'installed, version unreadable (nvidia-ctk --version)' });
    expect(byId['nvidia-ctk-volume-mounts']?.status).toBe('pass');
    expect(byId['nvidia-driver']?.status).toBe('fail');
    expect(byId['nvidia-driver']?.detail).toContain('Timed out');
    expect(byId['kind']?.status).toBe('warn');
  });

  it('nothing installed: every tool check fails with its fix, daemon checks skip', async () => {
    const ctx = testContext([
      notFound('nvidia-smi'),
      notFound('docker'),
      notFound('nvidia-ctk'),
      notFound('kind'),
      notFound('kubectl'),
      notFound('helm'),
      ...healthyScript(),
    ]);
    await hostFiles(ctx);
    const report = await runDoctorChecks(ctx);
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    for (const id of ['nvidia-driver', 'gpus', 'docker-client', 'nvidia-ctk', 'kind', 'kubectl', 'helm']) expect(byId[id]?.status, id).toBe('fail');
    for (const id of ['docker-daemon', 'docker-runtime-nvidia', 'nvidia-ctk-volume-mounts']) expect(byId[id]?.status, id).toBe('skip');
    expect(byId['docker-client']?.fix).toBe(FIX.hostSetup);
  });

  it('--deep records its docker runs in --dry-run instead of running them', async () => {
    const ctx = testContext(healthyScript(), { dryRun: true });
    await hostFiles(ctx);
    const report = await runDoctorChecks(ctx, { deep: true });
    expect(report.checks.find((c) => c.id === 'gpu-in-container')).toMatchObject({ status: 'skip', detail: 'not run (--dry-run)' });
    expect(ctx.plan.entries.flatMap((e) => (e.action.kind === 'command' ? [e.action.argv.join(' ')] : []))).toEqual([
      'docker run --rm --runtime=nvidia -e NVIDIA_VISIBLE_DEVICES=all ubuntu:24.04 nvidia-smi -L',
      'docker run --rm -v /dev/null:/var/run/nvidia-container-devices/all ubuntu:24.04 nvidia-smi -L',
    ]);
  });

  it('--deep reports a container without GPUs as failed with the configure fix', async () => {
    const ctx = testContext([
      { match: /--runtime=nvidia/, exitCode: 127, stderr: 'docker: Error response from daemon: failed to create task for container: exec: "nvidia-smi": executable file not found in $PATH: unknown\n' },
      { match: /nvidia-container-devices/, stdout: read('gpu/h100-x1/nvidia-smi-L.txt') },
      ...healthyScript(),
    ]);
    await hostFiles(ctx);
    const report = await runDoctorChecks(ctx, { deep: true });
    const a = report.checks.find((c) => c.id === 'gpu-in-container');
    expect(a?.status).toBe('fail');
    expect(a?.detail).toContain('executable file not found');
    expect(a?.fix).toBe(FIX.configureDocker);
    expect(report.checks.find((c) => c.id === 'gpu-volume-mount')?.status).toBe('pass');
  });
});

describe('discoverGpus', () => {
  it('returns the GPUs of the real capture', async () => {
    const ctx = testContext([{ match: /^nvidia-smi --query-gpu=/, stdout: read('gpu/h100-x1/query-gpu.csv') }]);
    expect((await discoverGpus(ctx)).map((g) => g.uuid)).toEqual(['GPU-6a97f62e-81c0-7d9d-b095-4def0dddcf29']);
  });

  it('throws a UserError with the driver fix when nvidia-smi is missing', async () => {
    const ctx = testContext([notFound('nvidia-smi')]);
    const error = await discoverGpus(ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).fix.join(' ')).toContain('kindling host setup --driver');
  });

  it('returns [] when the driver reports no devices', async () => {
    const ctx = testContext([{ match: /^nvidia-smi --query-gpu=/, exitCode: 6, stdout: 'No devices were found\n' }]);
    expect(await discoverGpus(ctx)).toEqual([]);
  });
});
