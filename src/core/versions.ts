/**
 * Every version kindling pins, with download URLs and SHA-256 checksums, in one place.
 * `checked` is the date each entry was last compared with its upstream release.
 * Change a version here and nowhere else; the host-setup issue fills in binaries' checksums.
 */

export type Arch = 'amd64' | 'arm64';

export interface PinnedBinary {
  name: string;
  version: string;
  /** Default base URL; `--mirror` replaces it. */
  baseUrl: string;
  /** Path under the base URL, per architecture. */
  path: Record<Arch, string>;
  /** SHA-256 of the downloaded file, per architecture. */
  sha256: Record<Arch, string>;
  /** When the file is an archive: the member to extract. */
  archiveMember?: string;
  checked: string;
}

export interface PinnedImage {
  name: string;
  image: string;
  checked: string;
}

/** kind: current stable (seed-tools.md §7). Its default node image is pinned below. */
export const KIND_VERSION = 'v0.32.0';
/** Node image of kind v0.32.0 (Kubernetes v1.36.1, containerd v2.3.1). */
export const KIND_NODE_IMAGE: PinnedImage = {
  name: 'kindest/node',
  image: 'kindest/node:v1.36.1',
  checked: '2026-11-24',
};

/** NVIDIA Container Toolkit, host and in-node. 1.19.1 broke containerd in kind nodes (NVIDIA/aicr#1237)
 * and CUDA init (nvidia-container-toolkit#1967); 1.18.1 is the newest known-good release. */
export const NVIDIA_CONTAINER_TOOLKIT = {
  version: '1.18.1',
  debVersion: '1.18.1-1',
  /** NVIDIA's stable channel only; never the experimental one the seed enables. */
  repoListUrl: 'https://nvidia.github.io/libnvidia-container/stable/deb/nvidia-container-toolkit.list',
  keyUrl: 'https://nvidia.github.io/libnvidia-container/gpgkey',
  keyring: '/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg',
  packages: ['nvidia-container-toolkit', 'nvidia-container-toolkit-base', 'libnvidia-container-tools', 'libnvidia-container1'],
  checked: '2026-11-24',
} as const;

/** NVIDIA GPU Operator Helm chart. */
export const GPU_OPERATOR = {
  chart: 'nvidia/gpu-operator',
  version: 'v26.3.3',
  repoName: 'nvidia',
  repoUrl: 'https://helm.ngc.nvidia.com/nvidia',
  checked: '2026-11-24',
} as const;

/** cloud-provider-kind: the LoadBalancer controller for kind. */
export const CLOUD_PROVIDER_KIND = {
  version: 'v0.11.1',
  image: 'registry.k8s.io/cloud-provider-kind/cloud-controller-manager:v0.11.1',
  checked: '2026-11-24',
} as const;

/** Minimum versions doctor accepts for tools already installed. */
export const MINIMUM_VERSIONS = {
  kind: 'v0.27.0',
  kubectl: 'v1.31.0',
  helm: 'v3.15.0',
  docker: '24.0.0',
  nvidiaCtk: '1.17.0',
} as const;

/** kind's recommended inotify limits (kind known-issues). */
export const INOTIFY_RECOMMENDED = { maxUserWatches: 524288, maxUserInstances: 512 } as const;

/** Small image for doctor --deep's GPU-in-container checks (the seed's verification step). */
export const GPU_CHECK_IMAGE: PinnedImage = { name: 'ubuntu', image: 'ubuntu:24.04', checked: '2026-11-24' };
