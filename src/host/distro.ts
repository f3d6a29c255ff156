/**
 * Which hosts `kindling host setup` can set up: Linux only (kind GPU clusters need the NVIDIA driver
 * on a Linux host); Ubuntu 22.04/24.04 and Debian 12 (apt). Any other distribution gets the list
 * of what to install by hand.
 */
import { UserError } from '../core/errors.js';
import { HOST_BINARIES, INOTIFY_RECOMMENDED, NVIDIA_CONTAINER_TOOLKIT } from '../core/versions.js';
import type { Arch } from '../core/versions.js';
import type { OsRelease } from './facts.js';

export interface Distro {
  id: 'ubuntu' | 'debian';
  versionId: string;
  prettyName: string;
}

export const SUPPORTED: Record<'ubuntu' | 'debian', string[]> = { ubuntu: ['22.04', '24.04'], debian: ['12'] };

export function supportedList(): string {
  return 'Ubuntu 22.04, Ubuntu 24.04, Debian 12';
}

/** Refuses macOS, Windows and other non-Linux platforms with a clear message. */
export function requireLinux(platform: string): void {
  if (platform === 'linux') return;
  const name = platform === 'darwin' ? 'macOS' : platform === 'win32' ? 'Windows' : platform;
  throw new UserError(
    `kindling host setup runs on Linux only, not on ${name}: kind GPU clusters need a Linux host with NVIDIA GPUs and the NVIDIA driver.`,
    {
      fix: `Run kindling on a Linux GPU host (${supportedList()}), e.g. over ssh.`,
      details:
        platform === 'win32'
          ? ['WSL2 does not pass GPUs on to kind nodes either; use a native Linux host or a Linux VM with GPU passthrough.']
          : [],
    },
  );
}

/** The supported distribution, or a UserError (exit 2) listing the manual steps. */
export function requireSupportedDistro(os: OsRelease | null, arch: string): Distro {
  const id = os?.id ?? '';
  const versionId = os?.versionId ?? '';
  if ((id === 'ubuntu' || id === 'debian') && SUPPORTED[id].includes(versionId)) {
    return { id, versionId, prettyName: os?.prettyName ?? `${id} ${versionId}` };
  }
  const name = os ? os.prettyName || `${os.id} ${os.versionId}` : 'this Linux distribution (no /etc/os-release)';
  throw new UserError(`kindling host setup supports ${supportedList()}; ${name} is not one of them. Nothing was changed.`, {
    details: ['Install these by hand, then run `kindling doctor` to check:', ...manualSteps(arch)],
    fix: 'kindling doctor',
  });
}

/** What host setup would do, as instructions for a host it cannot set up itself. */
export function manualSteps(arch: string): string[] {
  const a: Arch = arch === 'aarch64' || arch === 'arm64' ? 'arm64' : 'amd64';
  const bins = HOST_BINARIES.map(
    (b) => `${b.name} ${b.version}: ${b.baseUrl}/${b.path[a]} (SHA-256 ${b.sha256[a]})${b.archiveMember ? ` — extract ${b.archiveMember[a]}` : ''} → /usr/local/bin/${b.name}`,
  );
  return [
    '1. NVIDIA driver (keep a working one): your distribution\'s driver package, or NVIDIA\'s .run installer (needs kernel headers and gcc/make).',
    '2. Docker Engine (your distribution\'s package or docker-ce); start and enable it; add your user to the docker group.',
    `3. NVIDIA Container Toolkit ${NVIDIA_CONTAINER_TOOLKIT.version} from NVIDIA's stable repository (https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html), not the experimental one.`,
    '4. sudo nvidia-ctk runtime configure --runtime=docker --set-as-default --cdi.enabled',
    '5. sudo nvidia-ctk config --set accept-nvidia-visible-devices-as-volume-mounts=true --in-place && sudo systemctl restart docker',
    ...bins.map((b, i) => `${6 + i}. ${b}`),
    `${6 + bins.length}. inotify limits: fs.inotify.max_user_watches=${INOTIFY_RECOMMENDED.maxUserWatches}, fs.inotify.max_user_instances=${INOTIFY_RECOMMENDED.maxUserInstances} (sysctl -w, and a file in /etc/sysctl.d/)`,
  ];
}

/** Debian/Kubernetes architecture name of `uname -m`. */
export function debArch(unameM: string): Arch {
  if (unameM === 'x86_64' || unameM === 'amd64') return 'amd64';
  if (unameM === 'aarch64' || unameM === 'arm64') return 'arm64';
  throw new UserError(`Unsupported architecture ${unameM}: kind, the NVIDIA Container Toolkit and vLLM images exist for x86_64 and aarch64.`, {
    fix: 'Use an x86_64 or aarch64 host.',
  });
}
