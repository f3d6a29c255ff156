/**
 * Scenarios of the simulated host: what the machine has (GPUs, driver, Docker, toolkit, tools),
 * and which calls fail or are slow. `buildScenario` starts from a healthy GPU host; presets below
 * name the cases of TESTING.md §2. Handlers in fakebin/tools/*.mjs read `state` (this object,
 * copied into state.json) and change it as commands run.
 */

export interface SimGpu {
  index: number;
  uuid: string;
  name: string;
  memoryMiB: number;
  busId: string;
  computeCap: string;
  migMode: string;
}

export interface SimState {
  os: { id: string; versionId: string; prettyName: string; kernel: string; arch: 'x86_64' | 'aarch64'; cgroup: 'v1' | 'v2' };
  user: { uid: number; name: string; sudo: boolean; groups: string[] };
  memoryKiB: number;
  inotify: { maxUserWatches: number; maxUserInstances: number };
  driver: { installed: boolean; version: string; cudaVersion: string };
  gpus: SimGpu[];
  docker: {
    installed: boolean;
    package: string;
    running: boolean;
    version: string;
    rootless: boolean;
    desktop: boolean;
    storageRoot: string;
    runtimes: string[];
    defaultRuntime: string;
    images: string[];
    containers: SimContainer[];
    networks: string[];
  };
  toolkit: { installed: boolean; version: string };
  /** Host tools kindling may install: name → version, or null when missing. */
  tools: Record<string, string | null>;
  /** apt packages installed: name → version. */
  packages: Record<string, string>;
  /** Anything handlers want to keep (kind clusters, helm releases …). */
  [key: string]: unknown;
}

export interface SimContainer {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  running: boolean;
  restartPolicy?: string;
  networkMode?: string;
  mounts?: string[];
  env?: string[];
  cmd?: string[];
  ip?: string;
  [key: string]: unknown;
}

export interface SimFault {
  /** RegExp source matched against "tool arg1 arg2 …". */
  match: string;
  exitCode?: number;
  stderr?: string;
  stdout?: string;
  /** Fail only the first N matching calls (then behave normally): a rerun resumes. */
  times?: number;
  delayMs?: number;
}

export interface Scenario {
  name: string;
  state: SimState;
  /** Host files written into the fake root before the run (path → content). */
  files: Record<string, string>;
  faults: SimFault[];
  delays: { match: string; ms: number }[];
  /** Free-form knobs for handlers (operator timeline, vLLM timeline …). */
  options: Record<string, unknown>;
}

export const H100 = { name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559, computeCap: '9.0' };

/** UUID of the captured H100 (test/fixtures/gpu/h100-x1); the others are derived from it, one per index. */
export const H100_UUID = 'GPU-6a97f62e-81c0-7d9d-b095-4def0dddcf29';

export function simGpus(count: number, model = H100): SimGpu[] {
  return Array.from({ length: count }, (_, i) => ({
    index: i,
    uuid: i === 0 ? H100_UUID : `${H100_UUID.slice(0, -4)}${(0xcf29 + i).toString(16).slice(-4)}`,
    name: model.name,
    memoryMiB: model.memoryMiB,
    busId: `00000000:00:${(6 + i).toString(16).toUpperCase().padStart(2, '0')}.0`,
    computeCap: model.computeCap,
    migMode: 'Disabled',
  }));
}

export const CONFIGURED_TOOLKIT_TOML = `#accept-nvidia-visible-devices-as-volume-mounts = false
accept-nvidia-visible-devices-as-volume-mounts = true
accept-nvidia-visible-devices-envvar-when-unprivileged = true
disable-require = false
supported-driver-capabilities = "compat32,compute,display,graphics,ngx,utility,video"

[nvidia-container-cli]
environment = []
ldconfig = "@/sbin/ldconfig.real"
load-kmods = true

[nvidia-container-runtime]
log-level = "info"
mode = "auto"
runtimes = ["docker-runc", "runc", "crun"]

[nvidia-container-runtime.modes.cdi]
annotation-prefixes = ["cdi.k8s.io/"]
default-kind = "nvidia.com/gpu"
spec-dirs = ["/etc/cdi", "/var/run/cdi"]
`;

export const CONFIGURED_DAEMON_JSON = `{
    "default-runtime": "nvidia",
    "features": {
        "cdi": true
    },
    "runtimes": {
        "nvidia": {
            "args": [],
            "path": "nvidia-container-runtime"
        }
    }
}
`;

/** A healthy Ubuntu 24.04 host with `gpus` H100s, Docker configured for kind GPU clusters. */
export function buildScenario(name: string, gpus = 1): Scenario {
  return {
    name,
    state: {
      os: { id: 'ubuntu', versionId: '24.04', prettyName: 'Ubuntu 24.04.3 LTS', kernel: '6.8.0-85-generic', arch: 'x86_64', cgroup: 'v2' },
      user: { uid: 0, name: 'root', sudo: true, groups: ['root'] },
      memoryKiB: 2_113_000_000 / 8,
      inotify: { maxUserWatches: 524288, maxUserInstances: 512 },
      driver: { installed: gpus > 0, version: '580.159.04', cudaVersion: '13.0' },
      gpus: simGpus(gpus),
      docker: {
        installed: true,
        package: 'docker.io',
        running: true,
        version: '28.2.2',
        rootless: false,
        desktop: false,
        storageRoot: '/var/lib/docker',
        runtimes: ['io.containerd.runc.v2', 'nvidia', 'runc'],
        defaultRuntime: 'nvidia',
        images: [],
        containers: [],
        networks: ['bridge', 'host', 'none'],
      },
      toolkit: { installed: true, version: '1.18.1' },
      tools: { kind: 'v0.32.0', kubectl: 'v1.36.1', helm: 'v3.19.0' },
      packages: { 'docker.io': '28.2.2-0ubuntu1', 'nvidia-container-toolkit': '1.18.1-1' },
    },
    files: {
      '/etc/nvidia-container-runtime/config.toml': CONFIGURED_TOOLKIT_TOML,
      '/etc/docker/daemon.json': CONFIGURED_DAEMON_JSON,
    },
    faults: [],
    delays: [],
    options: {},
  };
}

/** Presets named in TESTING.md §2 and issue 2. */
export const presets = {
  healthy1: () => buildScenario('healthy host, 1 GPU', 1),
  healthy4: () => buildScenario('healthy host, 4 GPUs', 4),
  noDriver: () => {
    const s = buildScenario('no NVIDIA driver', 0);
    s.state.driver.installed = false;
    return s;
  },
  dockerDown: () => {
    const s = buildScenario('Docker daemon down', 1);
    s.state.docker.running = false;
    return s;
  },
  toolkitNotConfigured: () => {
    const s = buildScenario('toolkit installed but not configured', 1);
    s.state.docker.runtimes = ['io.containerd.runc.v2', 'runc'];
    s.state.docker.defaultRuntime = 'runc';
    s.files['/etc/docker/daemon.json'] = '{}\n';
    s.files['/etc/nvidia-container-runtime/config.toml'] = CONFIGURED_TOOLKIT_TOML.replace(
      'accept-nvidia-visible-devices-as-volume-mounts = true',
      'accept-nvidia-visible-devices-as-volume-mounts = false',
    );
    return s;
  },
  rootlessDocker: () => {
    const s = buildScenario('rootless Docker', 1);
    s.state.docker.rootless = true;
    s.state.user = { uid: 1000, name: 'dev', sudo: true, groups: ['dev'] };
    return s;
  },
  kindMissing: () => {
    const s = buildScenario('kind missing', 1);
    s.state.tools.kind = null;
    return s;
  },
} as const;
