/**
 * `kindling doctor`: judges the host facts (facts.ts) as a list of checks, each with a stable id, a
 * status and — for anything not passing — the exact fix. `up` and `host setup` reuse
 * runDoctorChecks as their preflight.
 *
 * Stable JSON (`kindling doctor --json`), see DoctorJson below:
 *   {
 *     "ok": boolean,                        // no check has status "fail"
 *     "checks": [{ "id", "title", "status": "pass"|"warn"|"fail"|"skip", "detail", "fix"? }],
 *     "gpus": [{ "index", "uuid", "name", "memoryMiB", "driverVersion", "computeCap", "migMode", "busId" }],
 *     "host": HostFacts                     // raw facts (os, kernel, arch, cgroup, user, docker …)
 *   }
 * Check ids (stable): os, arch, kernel, cgroup, root, memory, inotify, nvidia-driver, gpus,
 * docker-client, docker-daemon, docker-rootless, docker-desktop, docker-storage,
 * docker-runtime-nvidia, docker-default-runtime, nvidia-ctk, nvidia-ctk-volume-mounts, kind, kubectl,
 * helm, and with --deep: gpu-in-container, gpu-volume-mount.
 * `fix` is one exact command (commands joined with &&) or a precise instruction.
 */
import type { Context } from '../core/context.js';
import { ExternalError } from '../core/errors.js';
import {
  GPU_CHECK_IMAGE,
  INOTIFY_RECOMMENDED,
  MINIMUM_VERSIONS,
  NVIDIA_CONTAINER_TOOLKIT,
} from '../core/versions.js';
import { collectHostFacts, compareVersions, type HostFacts } from './facts.js';
import { DRIVER_FIX, parseNvidiaSmiL, type GpuInfo } from './nvidia.js';
import { TOOLKIT_CONFIG_PATH, VOLUME_MOUNTS_KEY } from './toolkit-config.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface DoctorCheck {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
  gpus: GpuInfo[];
  facts: HostFacts;
}

/** What `kindling doctor --json` prints. */
export interface DoctorJson {
  ok: boolean;
  checks: DoctorCheck[];
  gpus: GpuInfo[];
  host: HostFacts;
}

export interface DoctorOptions {
  /** Also run the GPU-in-container checks (docker run …; pulls a small image). */
  deep?: boolean;
  /** Model weights expected on this host, for the disk check (default: DEFAULT_MODEL_GIB). */
  modelSizeGiB?: number;
  /** Facts already collected (saves a second round of probes). */
  facts?: HostFacts;
}

/** Unpacked size of the vLLM image plus kind's node image, roughly (vllm/vllm-openai ≈ 20 GiB). */
export const IMAGES_GIB = 24;
/** Default model size assumed by the disk check when the caller does not say (an 8B model in bf16). */
export const DEFAULT_MODEL_GIB = 16;

const GIB = 1024 ** 3;

export const FIX = {
  hostSetup: 'kindling host setup',
  configureDocker: 'sudo nvidia-ctk runtime configure --runtime=docker --set-as-default --cdi.enabled && sudo systemctl restart docker',
  volumeMounts: `sudo nvidia-ctk config --set ${VOLUME_MOUNTS_KEY}=true --in-place`,
  startDocker: 'sudo systemctl start docker',
  /** Hosts without systemd (containers, WSL without systemd). */
  startDockerNoSystemd: 'sudo sh -c "dockerd > /var/log/dockerd.log 2>&1 &"',
  dockerGroup: 'sudo usermod -aG docker "$USER" && newgrp docker',
  inotify: `sudo sysctl -w fs.inotify.max_user_watches=${INOTIFY_RECOMMENDED.maxUserWatches} fs.inotify.max_user_instances=${INOTIFY_RECOMMENDED.maxUserInstances}`,
  toolkitPinned: `sudo apt-get install -y --allow-downgrades ${NVIDIA_CONTAINER_TOOLKIT.packages.map((p) => `${p}=${NVIDIA_CONTAINER_TOOLKIT.debVersion}`).join(' ')}`,
} as const;

/** Toolkit releases with known host-side regressions (seed-tools.md §6 rows 2 and 12). */
const BAD_TOOLKIT_VERSIONS = ['1.19.1', '1.20.0'];

export function gpuInContainerArgv(image = GPU_CHECK_IMAGE.image): string[] {
  return ['docker', 'run', '--rm', '--runtime=nvidia', '-e', 'NVIDIA_VISIBLE_DEVICES=all', image, 'nvidia-smi', '-L'];
}

export function gpuVolumeMountArgv(image = GPU_CHECK_IMAGE.image): string[] {
  return ['docker', 'run', '--rm', '-v', '/dev/null:/var/run/nvidia-container-devices/all', image, 'nvidia-smi', '-L'];
}

const pass = (id: string, title: string, detail: string): DoctorCheck => ({ id, title, status: 'pass', detail });
const warn = (id: string, title: string, detail: string, fix?: string): DoctorCheck => ({ id, title, status: 'warn', detail, ...(fix ? { fix } : {}) });
const fail = (id: string, title: string, detail: string, fix: string): DoctorCheck => ({ id, title, status: 'fail', detail, fix });
const skip = (id: string, title: string, detail: string): DoctorCheck => ({ id, title, status: 'skip', detail });

function gib(bytes: number): string {
  return `${(bytes / GIB).toFixed(bytes >= 100 * GIB ? 0 : 1)} GiB`;
}

/** The checks of one host, from its facts (pure: unit-tested without running anything). */
export function judgeHost(facts: HostFacts, options: Pick<DoctorOptions, 'modelSizeGiB'> = {}): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const add = (c: DoctorCheck) => checks.push(c);

  // --- host
  if (facts.platform !== 'linux') {
    add(fail('os', 'Operating system', `${facts.platform} is not supported: kindling needs Linux with NVIDIA GPUs`, 'Run kindling on a Linux host (Ubuntu 22.04/24.04 or Debian 12) with NVIDIA GPUs.'));
  } else if (facts.os === null) {
    add(warn('os', 'Operating system', 'Linux, distribution unknown (no /etc/os-release); host setup supports Ubuntu and Debian only'));
  } else if (['ubuntu', 'debian'].includes(facts.os.id)) {
    add(pass('os', 'Operating system', facts.os.prettyName || `${facts.os.id} ${facts.os.versionId}`));
  } else {
    add(warn('os', 'Operating system', `${facts.os.prettyName || facts.os.id}: untested; kindling host setup installs packages with apt (Ubuntu, Debian) only`));
  }

  if (facts.arch === 'x86_64' || facts.arch === 'aarch64' || facts.arch === 'arm64') add(pass('arch', 'Architecture', facts.arch));
  else add(fail('arch', 'Architecture', `${facts.arch} is not supported (kind, the toolkit and vLLM images exist for x86_64 and aarch64)`, 'Use an x86_64 or aarch64 host.'));

  if (facts.wsl) add(warn('kernel', 'Kernel', `${facts.kernel} (WSL2: GPUs do not reach kind nodes there)`, 'Run kindling on a native Linux host or a Linux VM with GPU passthrough.'));
  else add(pass('kernel', 'Kernel', facts.kernel || 'unknown'));

  if (facts.cgroup === 'v2') add(pass('cgroup', 'cgroup version', 'v2 (unified)'));
  else if (facts.cgroup === 'v1') add(warn('cgroup', 'cgroup version', 'v1: kind warns on cgroup v1 hosts and newer Kubernetes drops it', 'Boot with cgroup v2: add systemd.unified_cgroup_hierarchy=1 to GRUB_CMDLINE_LINUX in /etc/default/grub, then sudo update-grub && sudo reboot'));
  else add(warn('cgroup', 'cgroup version', 'unknown (/sys/fs/cgroup not readable)'));

  const who = `${facts.user.name || 'uid ' + facts.user.uid}`;
  if (facts.user.uid === 0) add(pass('root', 'Root access', `running as root (${who})`));
  else if (facts.user.sudo) add(pass('root', 'Root access', `${who}, not root: host changes run through sudo`));
  else add(fail('root', 'Root access', `${who} is not root and sudo is not installed: host setup needs root`, 'Run kindling as root (sudo -i), or install sudo: su -c "apt-get install -y sudo && usermod -aG sudo $USER"'));

  if (facts.memoryKiB === null) add(warn('memory', 'Memory', 'unknown (/proc/meminfo not readable)'));
  else {
    const memGiB = facts.memoryKiB / 1024 / 1024;
    const detail = `${memGiB.toFixed(memGiB >= 100 ? 0 : 1)} GiB`;
    if (memGiB < 8) add(fail('memory', 'Memory', `${detail}: kind nodes plus vLLM need at least 8 GiB (16 GiB or more recommended)`, 'Use a host with at least 16 GiB of memory.'));
    else if (memGiB < 16) add(warn('memory', 'Memory', `${detail}: 16 GiB or more recommended (vLLM loads weights through host memory)`));
    else add(pass('memory', 'Memory', detail));
  }

  const { maxUserWatches: w, maxUserInstances: i } = facts.inotify;
  if (w === null || i === null) add(warn('inotify', 'inotify limits', 'unknown (/proc/sys/fs/inotify not readable)', FIX.inotify));
  else if (w < INOTIFY_RECOMMENDED.maxUserWatches || i < INOTIFY_RECOMMENDED.maxUserInstances) {
    add(warn('inotify', 'inotify limits', `max_user_watches=${w}, max_user_instances=${i}; kind recommends ${INOTIFY_RECOMMENDED.maxUserWatches} and ${INOTIFY_RECOMMENDED.maxUserInstances} (workers may fail to join: "too many open files")`, FIX.inotify));
  } else add(pass('inotify', 'inotify limits', `max_user_watches=${w}, max_user_instances=${i}`));

  // --- NVIDIA driver and GPUs
  const nv = facts.nvidia;
  if (nv.status === 'missing') {
    add(fail('nvidia-driver', 'NVIDIA driver', 'nvidia-smi not found: no NVIDIA driver installed', DRIVER_FIX));
    add(fail('gpus', 'GPUs', 'no GPUs visible (no driver)', DRIVER_FIX));
  } else if (nv.status === 'failed') {
    add(fail('nvidia-driver', 'NVIDIA driver', `nvidia-smi failed: ${nv.message}`, 'sudo modprobe nvidia   (if that fails: reboot, or reinstall the driver with kindling host setup --driver <VERSION>)'));
    add(fail('gpus', 'GPUs', 'no GPUs visible (nvidia-smi failed)', 'sudo modprobe nvidia && nvidia-smi -L'));
  } else {
    add(pass('nvidia-driver', 'NVIDIA driver', nv.driverVersion ? `${nv.driverVersion}${nv.source === 'list' ? ' (nvidia-smi -L fallback)' : ''}` : 'installed (version unknown)'));
    if (nv.gpus.length === 0) add(fail('gpus', 'GPUs', 'the driver is loaded but nvidia-smi found no devices', 'Check that the GPUs are attached (lspci | grep -i nvidia) and that nvidia-smi -L lists them.'));
    else {
      const byName = new Map<string, number>();
      for (const g of nv.gpus) byName.set(g.name, (byName.get(g.name) ?? 0) + 1);
      const summary = [...byName].map(([name, n]) => `${n} × ${name}`).join(', ');
      const mem = nv.gpus[0]?.memoryMiB ? ` (${Math.round((nv.gpus[0]?.memoryMiB ?? 0) / 1024)} GiB each)` : '';
      const mig = nv.gpus.filter((g) => g.migMode === 'Enabled');
      if (mig.length > 0) {
        add(warn('gpus', 'GPUs', `${summary}${mem}; MIG is enabled on GPU ${mig.map((g) => g.index).join(', ')}: kindling assigns whole GPUs to workers`, `sudo nvidia-smi -i ${mig.map((g) => g.index).join(',')} -mig 0`));
      } else add(pass('gpus', 'GPUs', `${summary}${mem}`));
    }
  }

  // --- Docker
  const d = facts.docker;
  if (d.status === 'missing') {
    add(fail('docker-client', 'Docker client', 'docker not found', FIX.hostSetup));
    for (const [id, title] of DOCKER_DAEMON_CHECKS) add(skip(id, title, 'needs Docker'));
  } else {
    const clientVersion = d.status === 'ok' ? d.info.clientVersion : d.clientVersion;
    add(pass('docker-client', 'Docker client', clientVersion || 'installed'));
    if (d.status === 'unreachable') {
      if (d.problem === 'permission') add(fail('docker-daemon', 'Docker daemon', `${d.message}`, FIX.dockerGroup));
      else add(fail('docker-daemon', 'Docker daemon', `not reachable: ${d.message}`, facts.systemd ? FIX.startDocker : FIX.startDockerNoSystemd));
      for (const [id, title] of DOCKER_DAEMON_CHECKS.slice(1)) add(skip(id, title, 'needs a running Docker daemon'));
    } else {
      const info = d.info;
      if (compareVersions(info.serverVersion, MINIMUM_VERSIONS.docker) < 0) {
        add(warn('docker-daemon', 'Docker daemon', `running, version ${info.serverVersion} (older than ${MINIMUM_VERSIONS.docker}; kind and CDI want a newer Engine)`, 'sudo apt-get install --only-upgrade -y docker.io'));
      } else add(pass('docker-daemon', 'Docker daemon', `running, version ${info.serverVersion}`));

      if (info.rootless) add(fail('docker-rootless', 'Rootful Docker', 'Docker runs rootless: GPU injection into kind nodes needs rootful Docker (cgroup device rules)', 'sudo systemctl enable --now docker && docker context use default'));
      else add(pass('docker-rootless', 'Rootful Docker', 'rootful'));

      if (info.desktop || info.wsl || facts.wsl) {
        add(fail('docker-desktop', 'Docker Engine on Linux', `${info.desktop ? 'Docker Desktop' : 'WSL2'} (${info.operatingSystem}, kernel ${info.kernelVersion}): GPUs do not reach kind nodes there`, 'Use Docker Engine on a native Linux host: kindling host setup installs it; then docker context use default'));
      } else add(pass('docker-desktop', 'Docker Engine on Linux', info.operatingSystem || 'Docker Engine'));

      const needGiB = IMAGES_GIB + (options.modelSizeGiB ?? DEFAULT_MODEL_GIB);
      const storage = d.storage;
      if (!storage) add(warn('docker-storage', 'Docker storage', `${info.rootDir || 'unknown root'}: free space unknown`));
      else {
        const detail = `${gib(storage.freeBytes)} free at ${storage.path} (${info.storageDriver || 'unknown driver'}); the vLLM image and a model need about ${needGiB} GiB`;
        const fix = `Free space on the filesystem of ${storage.path}, or move Docker's data: set "data-root" in /etc/docker/daemon.json, then sudo systemctl restart docker`;
        if (storage.freeBytes < needGiB * GIB) add(fail('docker-storage', 'Docker storage', detail, fix));
        else if (storage.freeBytes < needGiB * 1.5 * GIB) add(warn('docker-storage', 'Docker storage', detail, fix));
        else add(pass('docker-storage', 'Docker storage', detail));
      }

      const configureFix = facts.toolkit.installed ? FIX.configureDocker : `${FIX.hostSetup}   (installs the NVIDIA Container Toolkit and configures Docker)`;
      if (info.runtimes.includes('nvidia')) add(pass('docker-runtime-nvidia', 'nvidia runtime registered', `runtimes: ${info.runtimes.join(', ')}`));
      else add(fail('docker-runtime-nvidia', 'nvidia runtime registered', `Docker has no 'nvidia' runtime (runtimes: ${info.runtimes.join(', ') || 'none'})`, configureFix));

      if (info.defaultRuntime === 'nvidia') add(pass('docker-default-runtime', 'nvidia is the default runtime', 'default runtime: nvidia'));
      else add(fail('docker-default-runtime', 'nvidia is the default runtime', `default runtime is '${info.defaultRuntime || 'unknown'}': kind cannot pass --runtime, so GPUs reach nodes only when nvidia is the default`, configureFix));
    }
  }

  // --- NVIDIA Container Toolkit
  const tk = facts.toolkit;
  if (!tk.installed) {
    add(fail('nvidia-ctk', 'NVIDIA Container Toolkit', 'nvidia-ctk not found', FIX.hostSetup));
    add(skip('nvidia-ctk-volume-mounts', 'GPU selection by volume mounts', 'needs the NVIDIA Container Toolkit'));
  } else {
    const v = tk.version;
    if (v === '') add(warn('nvidia-ctk', 'NVIDIA Container Toolkit', 'installed, version unreadable (nvidia-ctk --version)'));
    else if (BAD_TOOLKIT_VERSIONS.includes(v)) {
      add(warn('nvidia-ctk', 'NVIDIA Container Toolkit', `${v} has known regressions (CUDA init failures in containers, NVIDIA/nvidia-container-toolkit#1967); ${NVIDIA_CONTAINER_TOOLKIT.version} is known good`, FIX.toolkitPinned));
    } else if (compareVersions(v, MINIMUM_VERSIONS.nvidiaCtk) < 0) {
      add(warn('nvidia-ctk', 'NVIDIA Container Toolkit', `${v} is older than ${MINIMUM_VERSIONS.nvidiaCtk}`, FIX.toolkitPinned));
    } else if (compareVersions(v, '1.18.0') >= 0) {
      add(pass('nvidia-ctk', 'NVIDIA Container Toolkit', `${v} (≥ 1.18 masks /proc/driver/nvidia/params with a hook: kindling checks ModifyDeviceFiles in nodes, no umount)`));
    } else add(pass('nvidia-ctk', 'NVIDIA Container Toolkit', v));

    if (!tk.config) add(fail('nvidia-ctk-volume-mounts', 'GPU selection by volume mounts', `${TOOLKIT_CONFIG_PATH} not found`, FIX.volumeMounts));
    else if (tk.config.volumeMounts) add(pass('nvidia-ctk-volume-mounts', 'GPU selection by volume mounts', `${VOLUME_MOUNTS_KEY} = true`));
    else add(fail('nvidia-ctk-volume-mounts', 'GPU selection by volume mounts', `${VOLUME_MOUNTS_KEY} is not true in ${TOOLKIT_CONFIG_PATH}: kind nodes get no GPUs`, FIX.volumeMounts));
  }

  // --- Kubernetes tools
  const tools: [id: 'kind' | 'kubectl' | 'helm', title: string, min: string][] = [
    ['kind', 'kind', MINIMUM_VERSIONS.kind],
    ['kubectl', 'kubectl', MINIMUM_VERSIONS.kubectl],
    ['helm', 'helm', MINIMUM_VERSIONS.helm],
  ];
  for (const [id, title, min] of tools) {
    const t = facts.tools[id];
    if (!t.installed) add(fail(id, title, `${id} not found`, FIX.hostSetup));
    else if (t.version === '') add(warn(id, title, 'installed, version unreadable'));
    else if (compareVersions(t.version, min) < 0) add(warn(id, title, `${t.version} is older than ${min}`, `Remove the old ${id} from PATH, then: ${FIX.hostSetup}`));
    else add(pass(id, title, t.version));
  }
  return checks;
}

const DOCKER_DAEMON_CHECKS: [string, string][] = [
  ['docker-daemon', 'Docker daemon'],
  ['docker-rootless', 'Rootful Docker'],
  ['docker-desktop', 'Docker Engine on Linux'],
  ['docker-storage', 'Docker storage'],
  ['docker-runtime-nvidia', 'nvidia runtime registered'],
  ['docker-default-runtime', 'nvidia is the default runtime'],
];

/** --deep: the seed's two GPU-in-container checks (docker run …; may pull GPU_CHECK_IMAGE). */
async function deepChecks(ctx: Context, facts: HostFacts, checks: DoctorCheck[]): Promise<DoctorCheck[]> {
  const out: DoctorCheck[] = [];
  const titleA = 'GPU in a container';
  const titleB = 'GPU by volume mount';
  const dockerOk = facts.docker.status === 'ok';
  const gpusOk = facts.nvidia.status === 'ok' && facts.nvidia.gpus.length > 0;
  if (!dockerOk || !gpusOk) {
    const why = !gpusOk ? 'needs a working NVIDIA driver and GPUs' : 'needs a running Docker daemon';
    return [skip('gpu-in-container', titleA, why), skip('gpu-volume-mount', titleB, why)];
  }
  const failed = (id: string) => checks.find((c) => c.id === id)?.status === 'fail';
  const runCheck = async (id: string, title: string, argv: string[], fixIfFailed: string, how: string): Promise<DoctorCheck> => {
    try {
      const r = await ctx.runner.run({
        argv,
        mutating: true,
        allowFailure: true,
        timeoutMs: 300_000,
        description: 'doctor --deep: GPU visible inside a container',
      });
      if (r.recorded) return skip(id, title, 'not run (--dry-run)');
      const seen = parseNvidiaSmiL(r.stdout);
      if (r.exitCode === 0 && seen.length > 0) return pass(id, title, `${seen.length} GPU(s) visible (${how})`);
      const text = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ').trim();
      return fail(id, title, `exit ${r.exitCode}: ${text || 'no GPU listed'}`, fixIfFailed);
    } catch (error) {
      if (error instanceof ExternalError) return fail(id, title, error.message, fixIfFailed);
      throw error;
    }
  };
  const runtimeFix = failed('docker-runtime-nvidia') || !facts.toolkit.installed ? FIX.hostSetup : FIX.configureDocker;
  out.push(await runCheck('gpu-in-container', titleA, gpuInContainerArgv(), runtimeFix, 'docker run --runtime=nvidia'));
  const mountFix = failed('nvidia-ctk-volume-mounts') ? FIX.volumeMounts : failed('docker-default-runtime') ? FIX.configureDocker : `${FIX.volumeMounts} && ${FIX.configureDocker}`;
  out.push(await runCheck('gpu-volume-mount', titleB, gpuVolumeMountArgv(), mountFix, '-v /dev/null:/var/run/nvidia-container-devices/all, as kind nodes get them'));
  return out;
}

/** Collects the facts (unless given) and judges them; --deep adds the container checks. Never throws for a failed check. */
export async function runDoctorChecks(ctx: Context, options: DoctorOptions = {}): Promise<DoctorReport> {
  const facts = options.facts ?? (await collectHostFacts(ctx));
  const checks = judgeHost(facts, options);
  if (options.deep) checks.push(...(await deepChecks(ctx, facts, checks)));
  for (const c of checks) c.detail = ctx.redactor.redact(c.detail);
  return {
    ok: checks.every((c) => c.status !== 'fail'),
    checks,
    gpus: facts.nvidia.status === 'ok' ? facts.nvidia.gpus : [],
    facts,
  };
}

/** Groups for the human report, in order. */
export const CHECK_GROUPS: { title: string; ids: string[] }[] = [
  { title: 'Host', ids: ['os', 'arch', 'kernel', 'cgroup', 'root', 'memory', 'inotify'] },
  { title: 'NVIDIA', ids: ['nvidia-driver', 'gpus', 'nvidia-ctk', 'nvidia-ctk-volume-mounts'] },
  { title: 'Docker', ids: ['docker-client', 'docker-daemon', 'docker-rootless', 'docker-desktop', 'docker-storage', 'docker-runtime-nvidia', 'docker-default-runtime'] },
  { title: 'Kubernetes tools', ids: ['kind', 'kubectl', 'helm'] },
  { title: 'GPU in containers (--deep)', ids: ['gpu-in-container', 'gpu-volume-mount'] },
];

export function toDoctorJson(report: DoctorReport): DoctorJson {
  return { ok: report.ok, checks: report.checks, gpus: report.gpus, host: report.facts };
}
