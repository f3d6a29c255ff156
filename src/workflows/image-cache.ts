/**
 * Images downloaded once per host, not once per cluster.
 *
 * A fresh kind cluster has empty node image stores, so without help every `up` after a `down`
 * pulls the ~9 GB vLLM image (and the GPU Operator's images) again. kindling runs a pull-through
 * cache per upstream registry on the host — the CNCF Distribution registry in proxy mode, one
 * container per upstream (proxy mode takes one remote), on kind's Docker network, its storage in
 * the host cache dir — and points every node's containerd at it:
 *
 * - the kind config gets `containerdConfigPatches` setting the CRI registry `config_path` to
 *   /etc/containerd/certs.d, and an extraMount of <cache>/registry/certs.d there (read-only) on
 *   every node (`registryCacheKindConfig`, merged by the cluster module);
 * - <cache>/registry/certs.d/<upstream>/hosts.toml names the cache as a mirror with the upstream as
 *   `server`: containerd falls back to the upstream when the cache is down, so the cache can never
 *   break a pull. hosts.toml is read at pull time: no containerd restart.
 *
 * A mirror (kindling.yaml `host.registryMirrors`, e.g. docker.io → https://docker.m.daocloud.io)
 * becomes the cache's remote; hosts.toml keeps the canonical registry as containerd's fallback.
 *
 * Why not `docker pull` on the host + `kind load docker-image`: that copies the whole image into
 * every GPU worker through `docker save | ctr import` on every new cluster (minutes for 9 GB, and a
 * second full copy in the host's Docker store), and covers only images kindling knows in advance;
 * the GPU Operator's operands, pulled by the cluster itself, would still come from the Internet.
 * The cache covers every pull of every node, and survives `kindling down` (only --purge removes it).
 */
import type { Context } from '../core/context.js';
import { listContainers } from '../core/docker.js';
import { REGISTRY_CACHE_IMAGE } from '../core/versions.js';
import type { DoneResult } from './engine.js';

export const REGISTRY_CACHE_LABEL = 'dev.kindling.role';
export const REGISTRY_CACHE_ROLE = 'registry-cache';
/** kind's Docker network (nodes resolve the cache containers by name there). */
export const KIND_NETWORK = 'kind';
export const NODE_CERTS_DIR = '/etc/containerd/certs.d';

export interface Upstream {
  /** Registry host as it appears in image references (the certs.d directory name). */
  host: string;
  /** Where the cache fetches from. */
  remote: string;
}

/** docker.io: vLLM; nvcr.io: GPU Operator; registry.k8s.io: NFD, cloud-provider-kind; ghcr.io: misc. */
export const UPSTREAMS: Upstream[] = [
  { host: 'docker.io', remote: 'https://registry-1.docker.io' },
  { host: 'nvcr.io', remote: 'https://nvcr.io' },
  { host: 'registry.k8s.io', remote: 'https://registry.k8s.io' },
  { host: 'ghcr.io', remote: 'https://ghcr.io' },
];

/** The upstreams, with a mirror as the cache's remote where one is configured (host.registryMirrors). */
export function upstreamsWith(mirrors: Record<string, string> = {}): Upstream[] {
  return UPSTREAMS.map((u) => (mirrors[u.host] ? { host: u.host, remote: mirrors[u.host] as string } : u));
}

/** Where the canonical registry is (the hosts.toml `server`: containerd's fallback when the cache is down). */
function canonical(host: string): string {
  return UPSTREAMS.find((u) => u.host === host)?.remote ?? `https://${host}`;
}

export function cacheContainerName(upstream: Upstream): string {
  return `kindling-cache-${upstream.host.replace(/[^a-z0-9]+/g, '-')}`;
}

/** The containerd hosts.toml of one upstream: the cache first, the upstream as the fallback server. */
export function hostsToml(upstream: Upstream): string {
  return `# Written by kindling: pull ${upstream.host} images through the host cache (falls back to the server).
server = "${canonical(upstream.host)}"

[host."http://${cacheContainerName(upstream)}:5000"]
  capabilities = ["pull", "resolve"]
`;
}

/** The kind config additions every node needs (merged into the cluster config by src/cluster). */
export function registryCacheKindConfig(cacheDir: string): {
  containerdConfigPatches: string[];
  extraMounts: { hostPath: string; containerPath: string; readOnly: boolean }[];
} {
  return {
    containerdConfigPatches: [`[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "${NODE_CERTS_DIR}"\n`],
    extraMounts: [{ hostPath: `${cacheDir}/registry/certs.d`, containerPath: NODE_CERTS_DIR, readOnly: true }],
  };
}

export function dockerRunArgv(upstream: Upstream, cacheDir: string): string[] {
  return [
    'docker', 'run', '-d',
    '--name', cacheContainerName(upstream),
    '--restart', 'always',
    '--network', KIND_NETWORK,
    '--label', `${REGISTRY_CACHE_LABEL}=${REGISTRY_CACHE_ROLE}`,
    '--label', `dev.kindling.upstream=${upstream.host}`,
    '--label', `dev.kindling.remote=${upstream.remote}`,
    '-v', `${cacheDir}/registry/${upstream.host}:/var/lib/registry`,
    '-e', `REGISTRY_PROXY_REMOTEURL=${upstream.remote}`,
    REGISTRY_CACHE_IMAGE.image,
  ];
}

interface CacheContainer {
  name: string;
  state: string;
  networks: string[];
  remote: string;
}

export async function listCacheContainers(ctx: Context): Promise<CacheContainer[]> {
  const rows = await listContainers(ctx.runner, [`label=${REGISTRY_CACHE_LABEL}=${REGISTRY_CACHE_ROLE}`], {
    name: '{{.Names}}',
    state: '{{.State}}',
    networks: '{{.Networks}}',
    remote: '{{.Label "dev.kindling.remote"}}',
  });
  return rows.map((r) => ({ ...r, networks: r.networks.split(',').filter((n) => n !== '') }));
}

/** Host path (for ctx.files, which adds KINDLING_HOST_ROOT) of a file under the cache dir. */
function cacheFile(ctx: Context, cacheDir: string, rel: string): string {
  const abs = `${cacheDir}/${rel}`;
  const root = ctx.paths.hostRoot;
  return root !== '' && abs.startsWith(root) ? abs.slice(root.length) : abs;
}

export async function imageCacheDone(ctx: Context, cacheDir: string, mirrors: Record<string, string> = {}): Promise<DoneResult> {
  const containers = await listCacheContainers(ctx);
  for (const u of upstreamsWith(mirrors)) {
    const c = containers.find((x) => x.name === cacheContainerName(u));
    if (!c || c.state !== 'running' || !c.networks.includes(KIND_NETWORK) || c.remote !== u.remote) return false;
    if ((await ctx.files.read(cacheFile(ctx, cacheDir, `registry/certs.d/${u.host}/hosts.toml`))) !== hostsToml(u)) return false;
  }
  return { reason: `${UPSTREAMS.length} registry caches running (${UPSTREAMS.map((u) => u.host).join(', ')})` };
}

/** Starts whatever part of the cache is missing. Needs kind's network (created by the first cluster). */
export async function ensureImageCache(ctx: Context, cacheDir: string, mirrors: Record<string, string> = {}): Promise<string> {
  const containers = await listCacheContainers(ctx);
  let started = 0;
  for (const u of upstreamsWith(mirrors)) {
    const path = cacheFile(ctx, cacheDir, `registry/certs.d/${u.host}/hosts.toml`);
    if ((await ctx.files.read(path)) !== hostsToml(u)) {
      await ctx.files.write(path, hostsToml(u), { root: true, description: `containerd mirror for ${u.host} (mounted into every node)` });
    }
    const name = cacheContainerName(u);
    let c = containers.find((x) => x.name === name);
    if (c && c.remote !== u.remote) {
      // Another remote (a mirror was set or changed): replace the container; its storage stays.
      await ctx.runner.run({ argv: ['docker', 'rm', '-f', name], mutating: true, description: `the ${u.host} cache fetches from ${u.remote} now` });
      c = undefined;
    }
    if (c && !c.networks.includes(KIND_NETWORK)) {
      await ctx.runner.run({ argv: ['docker', 'network', 'connect', KIND_NETWORK, name], mutating: true, description: 'so kind nodes reach the cache by name' });
    }
    if (c && c.state !== 'running') {
      await ctx.runner.run({ argv: ['docker', 'start', name], mutating: true });
      started += 1;
    }
    if (!c) {
      await ctx.runner.run({
        argv: dockerRunArgv(u, cacheDir),
        mutating: true,
        description: `pull-through cache for ${u.host}, storage in the host cache dir`,
        fix: 'kindling up --no-registry-cache   # to do without the cache',
      });
      started += 1;
    }
  }
  return started === 0 ? 'configuration refreshed' : `${started} cache container${started === 1 ? '' : 's'} started`;
}

/** `down --purge`: the cache containers (their storage goes with the cache dir). */
export async function removeImageCache(ctx: Context): Promise<number> {
  const containers = await listCacheContainers(ctx);
  if (containers.length === 0) return 0;
  await ctx.runner.run({ argv: ['docker', 'rm', '-f', ...containers.map((c) => c.name)], mutating: true, description: 'remove the image caches (--purge)' });
  return containers.length;
}
