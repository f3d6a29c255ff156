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
  /** When the file is an archive (.tar.gz): the member to extract, per architecture. */
  archiveMember?: Record<Arch, string>;
  /** Where the checksums were read, so the next person can check them again. */
  checksumSource: string;
  checked: string;
}

export interface PinnedImage {
  name: string;
  image: string;
  checked: string;
}

/** kind: current stable (seed-tools.md §7). Its default node image is pinned below. */
export const KIND_VERSION = 'v0.32.0';
/**
 * Node image of kind v0.32.0 (Kubernetes v1.36.1, containerd v2.3.1), pinned by digest as kind's
 * release notes require ("The default node image is now kindest/node:v1.36.1@sha256:3489c767…",
 * kind v0.32.0 release notes, quoted in cloudfoundry/kind-deployment#417; the same digest is pinned
 * by several independent public repositories).
 */
export const KIND_NODE_IMAGE: PinnedImage = {
  name: 'kindest/node',
  image: 'kindest/node:v1.36.1@sha256:3489c7674813ba5d8b1a9977baea8a6e553784dab7b84759d1014dbd78f7ebd5',
  checked: '2026-11-24',
};

/**
 * Host binaries `kindling host setup` installs into /usr/local/bin (host-setup issue).
 * The download URL is `${baseUrl}/${path[arch]}`; `--mirror URL` / KINDLING_MIRROR replace baseUrl.
 * Each SHA-256 is the one upstream publishes next to the file (kind: `<file>.sha256sum`; kubectl:
 * `<file>.sha256` on dl.k8s.io; helm: `<archive>.sha256sum` on get.helm.sh). They were read on the
 * `checked` date from several independent public files that pin the same upstream digests (listed
 * in `checksumSource`); no value here was computed by kindling.
 */
export const KIND_BINARY: PinnedBinary = {
  name: 'kind',
  version: KIND_VERSION,
  baseUrl: 'https://github.com/kubernetes-sigs/kind/releases/download',
  path: { amd64: 'v0.32.0/kind-linux-amd64', arm64: 'v0.32.0/kind-linux-arm64' },
  sha256: {
    amd64: '50030de23cf40a18505f20426f6a8506bedf13c6e509244bd1fa9463721b0f54',
    arm64: 'b92cd615e97585de8ddade28ed5cd7feb4248d717c233eea5b03c37298900f5d',
  },
  checksumSource:
    'kind-linux-{amd64,arm64}.sha256sum of release v0.32.0, as pinned identically in several public repos (Makefiles, CI install scripts, Go test fixtures) found with the code search on the checked date',
  checked: '2026-11-24',
};

/** kubectl matching the kind node image (Kubernetes v1.36.1). */
export const KUBECTL_BINARY: PinnedBinary = {
  name: 'kubectl',
  version: 'v1.36.1',
  baseUrl: 'https://dl.k8s.io/release',
  path: { amd64: 'v1.36.1/bin/linux/amd64/kubectl', arm64: 'v1.36.1/bin/linux/arm64/kubectl' },
  sha256: {
    amd64: '629d3f410e09bf49b64ae7079f7f0bda1191efed311f7d37fdbab0ad5b0ec2b7',
    arm64: '59f7ee8e477fae658447607dc3c8790ac17a1b016c01c622c12070e969e2d4e7',
  },
  checksumSource:
    'dl.k8s.io/release/v1.36.1/bin/linux/{amd64,arm64}/kubectl.sha256, as pinned identically in several public Dockerfiles and Makefiles (one renovate-managed) found with the code search on the checked date',
  checked: '2026-11-24',
};

/** helm v3 (v3.19.0: the newest v3.19 release whose published checksums could be verified). */
export const HELM_BINARY: PinnedBinary = {
  name: 'helm',
  version: 'v3.19.0',
  baseUrl: 'https://get.helm.sh',
  path: { amd64: 'helm-v3.19.0-linux-amd64.tar.gz', arm64: 'helm-v3.19.0-linux-arm64.tar.gz' },
  archiveMember: { amd64: 'linux-amd64/helm', arm64: 'linux-arm64/helm' },
  sha256: {
    amd64: 'a7f81ce08007091b86d8bd696eb4d86b8d0f2e1b9f6c714be62f82f96a594496',
    arm64: '440cf7add0aee27ebc93fada965523c1dc2e0ab340d4348da2215737fc0d76ad',
  },
  checksumSource:
    'get.helm.sh/helm-v3.19.0-linux-{amd64,arm64}.tar.gz.sha256sum, as pinned identically in several public repos (OpenStack kolla build sources, Makefiles, install scripts) found with the code search on the checked date',
  checked: '2026-11-24',
};

/** The binaries host setup installs, in install order. */
export const HOST_BINARIES: readonly PinnedBinary[] = [KIND_BINARY, KUBECTL_BINARY, HELM_BINARY];

/** Fingerprint of NVIDIA's container-toolkit apt signing key (https://nvidia.github.io/libnvidia-container/gpgkey);
 * host setup refuses a downloaded key with another one. Same value in many public install scripts, checked 2026-11-24. */
export const NVIDIA_CONTAINER_TOOLKIT_KEY_FINGERPRINT = 'C95B321B61E88C1809C4F759DDCAE044F796ECB0';

/** NVIDIA driver `.run` installers (used only where the distribution has no driver package);
 * `--driver-mirror` / KINDLING_DRIVER_MIRROR replace the base (e.g. https://cn.download.nvidia.com/tesla). */
export const NVIDIA_DRIVER_RUN = {
  baseUrl: 'https://us.download.nvidia.com/tesla',
  /** Path under the base for a version and an architecture (x86_64 | aarch64). */
  path: (version: string, arch: 'x86_64' | 'aarch64') => `${version}/NVIDIA-Linux-${arch}-${version}.run`,
  checked: '2026-11-24',
} as const;

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

/** cloud-provider-kind: the LoadBalancer controller for kind (v0.11.1, 2026-06-25; not `latest`).
 * The image's ENTRYPOINT is /bin/cloud-provider-kind; flags need double dashes since v0.10. */
export const CLOUD_PROVIDER_KIND = {
  version: 'v0.11.1',
  image: 'registry.k8s.io/cloud-provider-kind/cloud-controller-manager:v0.11.1',
  checked: '2026-11-24',
} as const;

/**
 * The same release as a goreleaser binary, for hosts that cannot pull the image. Its SHA-256s must
 * come from the release's checksums.txt; they could not be read on the checked date (no copy of that
 * file or of the digests was reachable from here), so they are empty and kindling refuses to run a
 * downloaded binary until someone fills them from
 * https://github.com/kubernetes-sigs/cloud-provider-kind/releases/download/v0.11.1/checksums.txt.
 */
export const CLOUD_PROVIDER_KIND_BINARY: PinnedBinary = {
  name: 'cloud-provider-kind',
  version: 'v0.11.1',
  baseUrl: 'https://github.com/kubernetes-sigs/cloud-provider-kind/releases/download',
  path: {
    amd64: 'v0.11.1/cloud-provider-kind_0.11.1_linux_amd64.tar.gz',
    arm64: 'v0.11.1/cloud-provider-kind_0.11.1_linux_arm64.tar.gz',
  },
  sha256: { amd64: '', arm64: '' },
  archiveMember: { amd64: 'cloud-provider-kind', arm64: 'cloud-provider-kind' },
  checksumSource: 'not yet verified: fill from checksums.txt of release v0.11.1 (goreleaser)',
  checked: '2026-11-24',
};

/** vLLM's OpenAI-compatible server image (Docker Hub vllm/vllm-openai). The default build is on CUDA 13
 * (host driver 580 or newer); `cuda12` is the same release built on CUDA 12.9 for older drivers
 * (`kindling model deploy --image …`). Never `:latest`: every node must run the same vLLM. */
export const VLLM_IMAGE = {
  name: 'vllm/vllm-openai',
  image: 'vllm/vllm-openai:v0.30.0',
  cuda12: 'vllm/vllm-openai:v0.30.0-cu129',
  /** Compressed size on Docker Hub is ~8–9 GB (vllm#7609, vllm#27154); shown before the first pull. */
  approxSizeGB: 9,
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

/** CNCF Distribution registry, run by `kindling up` as a pull-through cache per upstream registry
 * (proxy mode: REGISTRY_PROXY_REMOTEURL), storage in the host cache dir: images are downloaded once
 * per host, not once per kind cluster. Docker Hub official image `registry` (distribution v3). */
export const REGISTRY_CACHE_IMAGE: PinnedImage = { name: 'registry', image: 'registry:3.0.0', checked: '2026-11-24' };
