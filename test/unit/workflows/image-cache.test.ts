import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureImageCache, hostsToml, imageCacheDone, registryCacheKindConfig, UPSTREAMS } from '../../../src/workflows/image-cache.js';
import { testContext } from '../../helpers/context.js';

const CACHE = '/var/lib/kindling/cache';
const PS = /^docker ps --all --filter label=dev\.kindling\.role=registry-cache/;

function psLines(remote: (host: string) => string, state = 'running', networks = 'kind'): string {
  return UPSTREAMS.map((u) => `kindling-cache-${u.host.replace(/[^a-z0-9]+/g, '-')}\t${state}\t${networks}\t${remote(u.host)}\n`).join('');
}

function writeHostsFiles(hostRoot: string): void {
  for (const u of UPSTREAMS) {
    const path = join(hostRoot, CACHE, 'registry/certs.d', u.host, 'hosts.toml');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, hostsToml(u));
  }
}

describe('host image cache', () => {
  it('hosts.toml: the cache as a pull/resolve mirror, the canonical registry as the fallback server', () => {
    expect(hostsToml({ host: 'docker.io', remote: 'https://docker.m.daocloud.io' })).toBe(
      '# Written by kindling: pull docker.io images through the host cache (falls back to the server).\nserver = "https://registry-1.docker.io"\n\n[host."http://kindling-cache-docker-io:5000"]\n  capabilities = ["pull", "resolve"]\n',
    );
  });

  it('kind config additions: CRI config_path and the certs.d mount', () => {
    expect(registryCacheKindConfig('/data/cache')).toEqual({
      containerdConfigPatches: ['[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n'],
      extraMounts: [{ hostPath: '/data/cache/registry/certs.d', containerPath: '/etc/containerd/certs.d', readOnly: true }],
    });
  });

  it('starts every missing cache on kind\'s network, storage in the cache dir; done afterwards', async () => {
    const ctx = testContext([{ match: PS, stdout: '' }, { match: ['docker', 'run', '...'] }]);
    await ensureImageCache(ctx, CACHE);
    const runs = ctx.runner.commandLines.filter((l) => l.startsWith('docker run'));
    expect(runs).toHaveLength(4);
    expect(runs[0]).toBe(
      'docker run -d --name kindling-cache-docker-io --restart always --network kind --label dev.kindling.role=registry-cache --label dev.kindling.upstream=docker.io --label dev.kindling.remote=https://registry-1.docker.io -v /var/lib/kindling/cache/registry/docker.io:/var/lib/registry -e REGISTRY_PROXY_REMOTEURL=https://registry-1.docker.io registry:3.0.0',
    );
    const done = testContext([{ match: PS, stdout: psLines((h) => UPSTREAMS.find((u) => u.host === h)?.remote ?? '') }], { hostRoot: ctx.paths.hostRoot });
    expect(await imageCacheDone(done, CACHE)).toEqual({ reason: '4 registry caches running (docker.io, nvcr.io, registry.k8s.io, ghcr.io)' });
  });

  it('a mirror set later replaces that cache container only (its storage stays)', async () => {
    const ctx = testContext([
      { match: PS, stdout: psLines((h) => UPSTREAMS.find((u) => u.host === h)?.remote ?? '') },
      { match: ['docker', 'rm', '-f', 'kindling-cache-docker-io'] },
      { match: ['docker', 'run', '...'] },
    ]);
    writeHostsFiles(ctx.paths.hostRoot);
    const mirrors = { 'docker.io': 'https://docker.m.daocloud.io' };
    expect(await imageCacheDone(ctx, CACHE, mirrors)).toBe(false);
    await ensureImageCache(ctx, CACHE, mirrors);
    expect(ctx.runner.mutatingCalls.map((c) => c.argv.slice(0, 5).join(' '))).toEqual(['docker rm -f kindling-cache-docker-io', 'docker run -d --name kindling-cache-docker-io']);
    expect(ctx.runner.mutatingCalls[1]?.argv).toContain('REGISTRY_PROXY_REMOTEURL=https://docker.m.daocloud.io');
  });

  it('a stopped cache is started, one off kind\'s network is connected', async () => {
    const ctx = testContext([
      { match: PS, stdout: psLines((h) => UPSTREAMS.find((u) => u.host === h)?.remote ?? '', 'exited', 'bridge') },
      { match: ['docker', 'network', 'connect', '...'] },
      { match: ['docker', 'start', '...'] },
    ]);
    writeHostsFiles(ctx.paths.hostRoot);
    await ensureImageCache(ctx, CACHE);
    expect(ctx.runner.mutatingCalls.map((c) => c.argv.join(' ')).slice(0, 2)).toEqual(['docker network connect kind kindling-cache-docker-io', 'docker start kindling-cache-docker-io']);
    expect(ctx.plan.entries.filter((e) => e.action.kind === 'file')).toEqual([]);
  });
});
