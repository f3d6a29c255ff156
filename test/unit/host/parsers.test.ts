/** Host parsers on real captures (test/fixtures/gpu/h100-x1, test/fixtures/docker) and derived multi-GPU outputs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyDaemonError, parseDockerInfo } from '../../../src/host/docker-info.js';
import { compareVersions, parseDfAvail, parseKubectlVersion, parseMemTotalKiB, parseOsRelease, parseToolVersion } from '../../../src/host/facts.js';
import { parseNvidiaSmiL, parseProcDriverVersion, parseQueryGpuCsv, QUERY_GPU_ARGV } from '../../../src/host/nvidia.js';
import { parseNvidiaCtkVersion, parseToolkitConfig, readTomlKeys } from '../../../src/host/toolkit-config.js';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures');
const read = (p: string) => readFileSync(join(fixtures, p), 'utf8');

const H100 = {
  index: 0,
  uuid: 'GPU-6a97f62e-81c0-7d9d-b095-4def0dddcf29',
  name: 'NVIDIA H100 80GB HBM3',
  memoryMiB: 81559,
  driverVersion: '580.159.04',
  computeCap: '9.0',
  migMode: 'Disabled',
  busId: '00000000:00:06.0',
};

describe('nvidia-smi parsers', () => {
  it('kindling runs the exact query of the real capture', () => {
    expect(QUERY_GPU_ARGV.join(' ')).toBe(
      'nvidia-smi --query-gpu=index,uuid,name,memory.total,memory.used,memory.free,driver_version,compute_cap,mig.mode.current,pci.bus_id,power.limit --format=csv',
    );
  });

  it('parses the real H100 --query-gpu CSV', () => {
    expect(parseQueryGpuCsv(read('gpu/h100-x1/query-gpu.csv'))).toEqual([H100]);
  });

  it('parses the derived 4-GPU CSV, sorted by index', () => {
    const gpus = parseQueryGpuCsv(read('gpu/derived/query-gpu-h100-x4.csv'));
    expect(gpus.map((g) => g.index)).toEqual([0, 1, 2, 3]);
    expect(gpus.map((g) => g.busId)).toEqual(['00000000:00:06.0', '00000000:00:07.0', '00000000:00:08.0', '00000000:00:09.0']);
    expect(new Set(gpus.map((g) => g.uuid)).size).toBe(4);
    const shuffled = read('gpu/derived/query-gpu-h100-x4.csv').split('\n');
    const reordered = [shuffled[0], shuffled[3], shuffled[1], shuffled[4], shuffled[2]].join('\n');
    expect(parseQueryGpuCsv(reordered).map((g) => g.index)).toEqual([0, 1, 2, 3]);
  });

  it('parses the noheader,nounits form with MIG enabled', () => {
    const gpus = parseQueryGpuCsv(read('gpu/derived/query-gpu-mig-nounits.csv'));
    expect(gpus).toHaveLength(2);
    expect(gpus[0]).toEqual(H100);
    expect(gpus[1]).toMatchObject({ index: 1, migMode: 'Enabled', memoryMiB: 81559 });
  });

  it('keeps [N/A] MIG mode and ignores unsupported values', () => {
    const [gpu] = parseQueryGpuCsv(read('gpu/derived/query-gpu-old-driver.csv'));
    expect(gpu).toMatchObject({ migMode: '[N/A]', memoryMiB: 81559, computeCap: '9.0' });
  });

  it('reads columns by header name in any order', () => {
    const csv = 'name, index, memory.total [MiB], uuid\nNVIDIA A100-SXM4-40GB, 3, 40960 MiB, GPU-aaaa\n';
    expect(parseQueryGpuCsv(csv)).toEqual([
      { index: 3, uuid: 'GPU-aaaa', name: 'NVIDIA A100-SXM4-40GB', memoryMiB: 40960, driverVersion: '', computeCap: '', migMode: '', busId: '' },
    ]);
  });

  it('returns nothing for an empty answer and skips rows without an index', () => {
    expect(parseQueryGpuCsv('')).toEqual([]);
    expect(parseQueryGpuCsv('index, uuid\nNo devices were found\n')).toEqual([]);
  });

  it('parses the real nvidia-smi -L', () => {
    expect(parseNvidiaSmiL(read('gpu/h100-x1/nvidia-smi-L.txt'))).toEqual([
      { ...H100, memoryMiB: 0, driverVersion: '', computeCap: '', migMode: '', busId: '' },
    ]);
  });

  it('parses derived 8-GPU -L output and skips MIG device lines', () => {
    expect(parseNvidiaSmiL(read('gpu/derived/nvidia-smi-L-h100-x8.txt')).map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const mig = parseNvidiaSmiL(read('gpu/derived/nvidia-smi-L-mig.txt'));
    expect(mig).toHaveLength(1);
    expect(mig[0]?.uuid).toBe(H100.uuid);
  });

  it('reads the driver version from the real /proc/driver/nvidia/version', () => {
    expect(parseProcDriverVersion(read('gpu/h100-x1/proc-driver-nvidia.txt'))).toBe('580.159.04');
    expect(parseProcDriverVersion('garbage')).toBeUndefined();
  });
});

describe('docker info', () => {
  const real = read('docker/info-debian12-20.10.json');

  it('parses the real daemon JSON', () => {
    const info = parseDockerInfo(real);
    expect(info).toMatchObject({
      serverVersion: '20.10.24+dfsg1',
      runtimes: ['io.containerd.runc.v2', 'io.containerd.runtime.v1.linux', 'runc'],
      defaultRuntime: 'runc',
      rootDir: '/var/lib/docker',
      storageDriver: 'overlay2',
      rootless: false,
      desktop: false,
      wsl: false,
      cgroupVersion: '1',
      clientVersion: '28.2.2',
      serverErrors: [],
    });
  });

  it('detects nvidia, rootless, Docker Desktop and WSL (derived from the real JSON by one field each)', () => {
    const base = JSON.parse(real) as Record<string, unknown>;
    const withNvidia = parseDockerInfo(JSON.stringify({ ...base, Runtimes: { ...(base.Runtimes as object), nvidia: { path: 'nvidia-container-runtime' } }, DefaultRuntime: 'nvidia' }));
    expect(withNvidia.runtimes).toContain('nvidia');
    expect(withNvidia.defaultRuntime).toBe('nvidia');
    expect(parseDockerInfo(JSON.stringify({ ...base, SecurityOptions: ['name=seccomp,profile=builtin', 'name=rootless', 'name=cgroupns'] })).rootless).toBe(true);
    expect(parseDockerInfo(JSON.stringify({ ...base, OperatingSystem: 'Docker Desktop' })).desktop).toBe(true);
    expect(parseDockerInfo(JSON.stringify({ ...base, KernelVersion: '5.15.153.1-microsoft-standard-WSL2' })).wsl).toBe(true);
    expect(parseDockerInfo(JSON.stringify({ ...base, ServerErrors: ['Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'] })).serverErrors).toHaveLength(1);
  });

  it('parses the real daemon-down output: empty server fields, client version kept', () => {
    const info = parseDockerInfo(read('docker/info-daemon-down.stdout.json'));
    expect(info.serverVersion).toBe('');
    expect(info.runtimes).toEqual([]);
    expect(info.clientVersion).toBe('28.2.2');
    expect(classifyDaemonError(read('docker/info-daemon-down.stderr.txt'))).toBe('down');
  });

  it('classifies daemon errors', () => {
    expect(classifyDaemonError('permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.50/info": dial unix /var/run/docker.sock: connect: permission denied')).toBe('permission');
    expect(classifyDaemonError('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?')).toBe('down');
    expect(classifyDaemonError('something else')).toBe('other');
  });
});

describe('toolkit and tool versions', () => {
  it('parses nvidia-ctk --version (shape from NVIDIA/nvidia-container-toolkit#50)', () => {
    expect(parseNvidiaCtkVersion('NVIDIA Container Toolkit CLI version 1.12.0\ncommit: 62bd015475656ef795cb0d59cc4030a6bd4a9526\n')).toBe('1.12.0');
    expect(parseNvidiaCtkVersion('NVIDIA Container Toolkit CLI version 1.18.1\ncommit: 889a3bb\n')).toBe('1.18.1');
  });

  it('reads the volume-mounts key, ignoring the commented default', () => {
    const cfg = read('host/toolkit-config.toml');
    const keys = readTomlKeys(cfg);
    expect(keys.size).toBeGreaterThan(3);
    expect(parseToolkitConfig(cfg)).toEqual({ volumeMounts: false, noCgroups: true, mode: 'auto' });
    const configured = '#accept-nvidia-visible-devices-as-volume-mounts = false\naccept-nvidia-visible-devices-as-volume-mounts = true\n\n[nvidia-container-cli]\nno-cgroups = true\nldconfig = "@/sbin/ldconfig.real"\n\n[nvidia-container-runtime]\nmode = "auto" # comment\n';
    expect(parseToolkitConfig(configured)).toEqual({ volumeMounts: true, noCgroups: true, mode: 'auto' });
    expect(parseToolkitConfig('#accept-nvidia-visible-devices-as-volume-mounts = true\n').volumeMounts).toBe(false);
    expect(parseToolkitConfig('[nvidia-container-cli]\naccept-nvidia-visible-devices-as-volume-mounts = true\n').volumeMounts).toBe(false);
  });

  it('parses kind, kubectl and helm versions from real output shapes', () => {
    expect(parseToolVersion('kind v0.32.0 go1.24.3 linux/amd64')).toBe('v0.32.0');
    expect(parseKubectlVersion(read('tools/kubectl-version-client.json'))).toBe('v1.32.4');
    expect(parseKubectlVersion('Client Version: v1.36.1\nKustomize Version: v5.7.1\n')).toBe('v1.36.1');
    expect(parseToolVersion(read('tools/helm-version-short.txt'))).toBe('v4.1.4');
  });

  it('compares versions numerically', () => {
    expect(compareVersions('v0.32.0', 'v0.27.0')).toBe(1);
    expect(compareVersions('1.9.0', '1.18.0')).toBe(-1);
    expect(compareVersions('20.10.24+dfsg1', '24.0.0')).toBe(-1);
    expect(compareVersions('v4.1.4', 'v3.15.0')).toBe(1);
    expect(compareVersions('1.18.1', '1.18.1')).toBe(0);
  });

  it('parses os-release, meminfo and df', () => {
    expect(parseOsRelease('PRETTY_NAME="Ubuntu 24.04.3 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\n')).toEqual({ id: 'ubuntu', versionId: '24.04', prettyName: 'Ubuntu 24.04.3 LTS' });
    expect(parseMemTotalKiB('MemTotal:       24684092 kB\nMemFree: 1 kB\n')).toBe(24684092);
    expect(parseDfAvail('      Avail\n83284561920\n')).toBe(83284561920);
    expect(parseDfAvail('df: /x: No such file or directory\n')).toBeUndefined();
  });
});
