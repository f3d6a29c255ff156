import { describe, expect, it } from 'vitest';
import {
  LB_CONTAINER_NAME,
  configHash,
  dockerRunArgv,
  ensureLoadBalancer,
  includeControlPlaneIfSingleNode,
  removeLoadBalancerLeftovers,
  servesCluster,
  stopLoadBalancer,
  supervisorArgv,
  supervisorPaths,
} from '../../../src/addons/load-balancer.js';
import { UserError } from '../../../src/core/errors.js';
import { CLOUD_PROVIDER_KIND } from '../../../src/core/versions.js';
import { testContext } from '../../helpers/context.js';
import { MemoryKube, node } from './memory-kube.js';

const IMAGE = CLOUD_PROVIDER_KIND.image;
const ARGS = ['--gateway-channel', 'disabled'];
const SOCKET = '/var/run/docker.sock';
// klog line cloud-provider-kind prints once it runs a controller for a cluster (pkg/controller/controller.go).
const SERVING_LOG = 'I1124 05:00:01.123456       1 controller.go:175] Starting cloud controller for cluster kindling\n';

/** `docker inspect` JSON (array of one container), trimmed to the fields kindling reads. */
function inspectJson(opts: { running: boolean; hash?: string }): string {
  return JSON.stringify([
    {
      Id: 'f3c1d2e4b5a6',
      Name: `/${LB_CONTAINER_NAME}`,
      RestartCount: 0,
      State: { Status: opts.running ? 'running' : 'exited', Running: opts.running, StartedAt: '2026-11-24T05:00:00.000000000Z', ExitCode: 0 },
      Config: { Image: IMAGE, Cmd: ARGS, Labels: { 'app.kubernetes.io/managed-by': 'kindling', 'dev.kindling.config': opts.hash ?? configHash(IMAGE, ARGS, SOCKET) } },
      HostConfig: { NetworkMode: 'host', RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 } },
    },
  ]);
}
const NO_SUCH = { exitCode: 1, stdout: '[]\n', stderr: `Error: No such container: ${LB_CONTAINER_NAME}\n` };

describe('LoadBalancer controller container', () => {
  it('docker run: pinned image, name, labels, host network, docker socket, restart policy, gateway disabled', () => {
    const argv = dockerRunArgv(IMAGE, ARGS, SOCKET);
    expect(argv.slice(0, 5)).toEqual(['docker', 'run', '--detach', '--name', 'kindling-cloud-provider-kind']);
    expect(argv).toContain('app.kubernetes.io/managed-by=kindling');
    expect(argv.join(' ')).toContain('--network host --restart unless-stopped --volume /var/run/docker.sock:/var/run/docker.sock');
    expect(argv.slice(-3)).toEqual([IMAGE, '--gateway-channel', 'disabled']);
    expect(IMAGE).toMatch(/:v0\.11\.1$/);
  });

  it('absent: pulls the image when missing and runs it; waits until its log shows the cluster served', async () => {
    let started = false;
    const ctx = testContext([
      { match: ['docker', 'inspect', '--type', 'container', LB_CONTAINER_NAME], ...NO_SUCH, times: 1 },
      { match: ['docker', 'inspect', '--type', 'container', LB_CONTAINER_NAME], stdout: inspectJson({ running: true }) },
      { match: ['docker', 'image', 'inspect', '...'], exitCode: 1, stderr: `Error: No such image: ${IMAGE}\n` },
      { match: ['docker', 'pull', IMAGE], stdout: 'v0.11.1: Pulling from cloud-provider-kind/cloud-controller-manager\n' },
      { match: ['docker', 'run', '...'], stdout: 'f3c1d2e4b5a6\n', effect: () => (started = true) },
      { match: ['docker', 'logs', '...'], stdout: '', stderr: SERVING_LOG },
    ]);
    const r = await ensureLoadBalancer(ctx, { clusterName: 'kindling', pollMs: 1 });
    expect(started).toBe(true);
    expect(r).toEqual({ mode: 'container', changed: true, serving: true });
    expect(ctx.runner.mutatingCalls.map((c) => c.argv[1])).toEqual(['pull', 'run']);
  });

  it('already running with the same configuration: not restarted, zero mutating calls', async () => {
    const ctx = testContext([
      { match: ['docker', 'inspect', '--type', 'container', LB_CONTAINER_NAME], stdout: inspectJson({ running: true }) },
      { match: ['docker', 'logs', '...'], stderr: SERVING_LOG },
    ]);
    const r = await ensureLoadBalancer(ctx, { clusterName: 'kindling' });
    expect(r.changed).toBe(false);
    expect(ctx.runner.mutatingCalls).toEqual([]);
  });

  it('running with another configuration (--gateway-api asked) is replaced', async () => {
    const ctx = testContext([
      { match: ['docker', 'inspect', '--type', 'container', LB_CONTAINER_NAME], stdout: inspectJson({ running: true }) },
      { match: ['docker', 'image', 'inspect', '...'], stdout: 'sha256:abc\n' },
      { match: ['docker', 'rm', '--force', LB_CONTAINER_NAME] },
      { match: ['docker', 'run', '...'] },
      { match: ['docker', 'logs', '...'], stderr: SERVING_LOG },
    ]);
    await ensureLoadBalancer(ctx, { clusterName: 'kindling', gatewayApi: true, pollMs: 1 });
    expect(ctx.runner.mutatingCalls.map((c) => c.argv.slice(0, 2).join(' '))).toEqual(['docker rm', 'docker run']);
    expect(ctx.runner.mutatingCalls[1]?.argv).not.toContain('--gateway-channel');
  });

  it('stopped with the same configuration: docker start', async () => {
    const ctx = testContext([
      { match: ['docker', 'inspect', '--type', 'container', LB_CONTAINER_NAME], stdout: inspectJson({ running: false }), times: 1 },
      { match: ['docker', 'inspect', '--type', 'container', LB_CONTAINER_NAME], stdout: inspectJson({ running: true }) },
      { match: ['docker', 'start', LB_CONTAINER_NAME] },
      { match: ['docker', 'logs', '...'], stderr: SERVING_LOG },
    ]);
    await ensureLoadBalancer(ctx, { clusterName: 'kindling', pollMs: 1 });
    expect(ctx.runner.mutatingCalls.map((c) => c.argv[1])).toEqual(['start']);
  });

  it('image cannot be pulled (auto): falls back to the binary, which refuses without a verified checksum', async () => {
    const ctx = testContext([
      { match: ['docker', 'inspect', '--type', 'container', LB_CONTAINER_NAME], ...NO_SUCH },
      { match: ['docker', 'image', 'inspect', '...'], exitCode: 1 },
      { match: ['docker', 'pull', IMAGE], exitCode: 1, stderr: 'Error response from daemon: Get "https://registry.k8s.io/v2/": dial tcp: i/o timeout\n' },
    ]);
    const error = await ensureLoadBalancer(ctx, { clusterName: 'kindling' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/no verified SHA-256/);
    expect(ctx.io.events.some((e) => e.type === 'warn' && /using the pinned cloud-provider-kind binary/.test(e.message))).toBe(true);
  });

  it('image cannot be pulled (container mode): error with the mirror fix', async () => {
    const ctx = testContext([
      { match: ['docker', 'inspect', '--type', 'container', LB_CONTAINER_NAME], ...NO_SUCH },
      { match: ['docker', 'image', 'inspect', '...'], exitCode: 1 },
      { match: ['docker', 'pull', IMAGE], exitCode: 1, stderr: 'Error response from daemon: i/o timeout\n' },
    ]);
    const error = (await ensureLoadBalancer(ctx, { mode: 'container' }).catch((e: unknown) => e)) as UserError;
    expect(error.fix.join('\n')).toMatch(/docker tag/);
  });

  it('log parsing: serving only the named cluster', () => {
    expect(servesCluster(SERVING_LOG, 'kindling')).toBe(true);
    expect(servesCluster(SERVING_LOG, 'kind')).toBe(false);
  });
});

describe('binary supervisor', () => {
  it('one shell command: setsid restart loop, output to the log, pid file written', () => {
    const paths = supervisorPaths({ paths: { stateDir: '/st', hostRoot: '', hostCacheDir: '' } });
    const argv = supervisorArgv(paths, paths.binary, ARGS);
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(argv[2]).toMatch(/setsid sh -c 'while :; do "\$@";.*sleep 5; done' kindling-cloud-provider-kind "\$@" >>"\$log" 2>&1 <\/dev\/null & echo \$! >"\$pidfile"/);
    expect(argv.slice(3)).toEqual(['kindling-supervisor', '/st/cloud-provider-kind/cloud-provider-kind.log', '/st/cloud-provider-kind/cloud-provider-kind.pid', '/st/cloud-provider-kind/cloud-provider-kind-v0.11.1', ...ARGS]);
  });
});

describe('leftovers, stop, single node', () => {
  const PS = 'a1b2c3\tkindccm-3f2a9c\tkindling\trunning\nd4e5f6\tkindccm-77aa01\told\texited\n';

  it('removes kindccm containers of deleted clusters only', async () => {
    const ctx = testContext([
      { match: ['docker', 'ps', '--all', '--filter', 'label=io.x-k8s.cloud-provider-kind.cluster', '...'], stdout: PS },
      { match: ['kind', 'get', 'clusters'], stdout: 'kindling\n' },
      { match: ['docker', 'rm', '--force', 'd4e5f6'] },
    ]);
    expect(await removeLoadBalancerLeftovers(ctx)).toBe(1);
  });

  it('removes those of a named cluster (down)', async () => {
    const ctx = testContext([
      { match: ['docker', 'ps', '...'], stdout: PS },
      { match: ['docker', 'rm', '--force', 'a1b2c3'] },
    ]);
    expect(await removeLoadBalancerLeftovers(ctx, 'kindling')).toBe(1);
  });

  it('stop: SIGTERM via docker stop (the controller cleans up its containers), then rm', async () => {
    const ctx = testContext([
      { match: ['docker', 'inspect', '--type', 'container', LB_CONTAINER_NAME], stdout: inspectJson({ running: true }) },
      { match: ['docker', 'stop', '--time', '30', LB_CONTAINER_NAME] },
      { match: ['docker', 'rm', '--force', LB_CONTAINER_NAME] },
    ]);
    expect(await stopLoadBalancer(ctx)).toBe(true);
  });

  it('single-node cluster: removes the exclude-from-external-load-balancers label; multi-node: untouched', async () => {
    const single = new MemoryKube([node('solo-control-plane', { controlPlane: true, labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } })]);
    expect(await includeControlPlaneIfSingleNode(testContext([]), single)).toBe(true);
    const n = await single.get<{ apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> } }>('v1', 'Node', 'solo-control-plane');
    expect(n?.metadata.labels?.['node.kubernetes.io/exclude-from-external-load-balancers']).toBeUndefined();
    const multi = new MemoryKube([node('k-control-plane', { controlPlane: true, labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } }), node('k-worker')]);
    expect(await includeControlPlaneIfSingleNode(testContext([]), multi)).toBe(false);
    expect(multi.writes).toEqual([]);
  });
});
