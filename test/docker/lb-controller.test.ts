/**
 * The LoadBalancer controller container's lifecycle against a real Docker daemon, with the exact
 * `docker` calls kindling makes (real ExecaRunner): run with kindling's flags, inspect (host network,
 * restart policy, socket mount, labels, args), rerun = no change, status, leftovers, stop (SIGTERM) and
 * remove. The image is a local stand-in (busybox, built with `docker import`; nothing is pulled): its
 * entrypoint prints cloud-provider-kind's klog line for the cluster and exits cleanly on SIGTERM.
 */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LB_CONTAINER_NAME,
  ensureLoadBalancer,
  loadBalancerStatus,
  removeLoadBalancerLeftovers,
  stopLoadBalancer,
} from '../../src/addons/load-balancer.js';
import type { Context } from '../../src/core/context.js';
import { HostFiles } from '../../src/core/files.js';
import { RecordingIoHost } from '../../src/core/io.js';
import { Plan } from '../../src/core/plan.js';
import { ExecaRunner } from '../../src/core/runner.js';
import { Redactor } from '../../src/core/secrets.js';
import { docker, dockerAvailable, ensureBusyboxImage, removeLabelled } from './helpers.js';

const STANDIN = 'kindling-test/cloud-provider-kind:v0.11.1';
const LB_LABEL = 'io.x-k8s.cloud-provider-kind.cluster';
const avail = await dockerAvailable();

function realContext(stateDir: string): Context & { io: RecordingIoHost } {
  const plan = new Plan(false);
  const redactor = new Redactor();
  const signal = new AbortController().signal;
  const runner = new ExecaRunner({ plan, redactor, signal, isRoot: true, env: process.env });
  const paths = { hostRoot: '', stateDir, hostCacheDir: '/var/lib/kindling/cache' };
  return {
    io: new RecordingIoHost(),
    runner,
    plan,
    files: new HostFiles(paths, plan, runner, true),
    paths,
    redactor,
    signal,
    dryRun: false,
    assumeYes: true,
    isRoot: true,
    env: { ...process.env, DOCKER_HOST: '' },
    kubeTarget: {},
  };
}

/** A busybox image whose entrypoint behaves like cloud-provider-kind for the health check. */
function buildStandIn(): void {
  if (docker(['image', 'inspect', STANDIN], { allowFailure: true }).status === 0) return;
  const base = ensureBusyboxImage();
  const dir = mkdtempSync(join(tmpdir(), 'kindling-cpk-'));
  try {
    const script = [
      'trap \'echo "I1124 00:00:02.000000       1 controller.go:300] Cleaning resources for cluster kindling" >&2; exit 0\' TERM INT',
      'echo "I1124 00:00:01.000000       1 controller.go:175] Starting cloud controller for cluster kindling" >&2',
      'echo "args: $*"',
      'while :; do sleep 1; done',
    ].join('\n');
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${base}\nCOPY entrypoint.sh /bin/cloud-provider-kind\nENTRYPOINT ["/bin/sh", "/bin/cloud-provider-kind"]\n`);
    writeFileSync(join(dir, 'entrypoint.sh'), `${script}\n`);
    docker(['build', '-q', '-t', STANDIN, dir]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!avail.ok)('LoadBalancer controller container (real Docker)', () => {
  let stateDir = '';
  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'kindling-lb-state-'));
    docker(['rm', '-f', LB_CONTAINER_NAME], { allowFailure: true });
    buildStandIn();
  });
  afterAll(() => {
    docker(['rm', '-f', LB_CONTAINER_NAME], { allowFailure: true });
    removeLabelled(LB_LABEL);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('runs the controller with kindling flags and finds it serving the cluster', async () => {
    const ctx = realContext(stateDir);
    const r = await ensureLoadBalancer(ctx, { clusterName: 'kindling', image: STANDIN, mode: 'container', healthTimeoutMs: 30_000, pollMs: 250 });
    expect(r).toEqual({ mode: 'container', changed: true, serving: true });
    const [c] = JSON.parse(docker(['inspect', '--type', 'container', LB_CONTAINER_NAME]).stdout) as {
      State: { Running: boolean };
      Config: { Image: string; Cmd: string[]; Labels: Record<string, string> };
      HostConfig: { NetworkMode: string; RestartPolicy: { Name: string }; Binds: string[] };
    }[];
    expect(c?.State.Running).toBe(true);
    expect(c?.Config.Image).toBe(STANDIN);
    expect(c?.Config.Cmd).toEqual(['--gateway-channel', 'disabled']);
    expect(c?.Config.Labels['app.kubernetes.io/managed-by']).toBe('kindling');
    expect(c?.HostConfig.NetworkMode).toBe('host');
    expect(c?.HostConfig.RestartPolicy.Name).toBe('unless-stopped');
    expect(c?.HostConfig.Binds).toContain('/var/run/docker.sock:/var/run/docker.sock');
    expect(docker(['logs', LB_CONTAINER_NAME]).stdout).toContain('args: --gateway-channel disabled');
  });

  it('rerun: nothing changes (no mutating command)', async () => {
    const ctx = realContext(stateDir);
    const r = await ensureLoadBalancer(ctx, { clusterName: 'kindling', image: STANDIN, mode: 'container' });
    expect(r.changed).toBe(false);
    expect(ctx.plan.mutatingCount).toBe(0);
  });

  it('status reads the container and the load-balancer containers by label (docker ps --format with .Label)', async () => {
    const base = ensureBusyboxImage();
    docker(['run', '-d', '--name', 'kindccm-kindlingtest1', '--label', `${LB_LABEL}=kindling`, base, 'sleep', '300']);
    docker(['run', '-d', '--name', 'kindccm-kindlingtest2', '--label', `${LB_LABEL}=gone-cluster`, base, 'sleep', '300']);
    const ctx = realContext(stateDir);
    const s = await loadBalancerStatus(ctx, 'kindling');
    expect(s).toMatchObject({ mode: 'container', running: true, serving: true, image: STANDIN, restartPolicy: 'unless-stopped', version: 'v0.11.1' });
    expect(s.loadBalancers).toEqual(
      expect.arrayContaining([
        { name: 'kindccm-kindlingtest1', cluster: 'kindling', running: true },
        { name: 'kindccm-kindlingtest2', cluster: 'gone-cluster', running: true },
      ]),
    );
  });

  it('leftovers of a deleted cluster are removed; those of a live cluster stay', async () => {
    const ctx = realContext(stateDir);
    expect(await removeLoadBalancerLeftovers(ctx, 'gone-cluster')).toBe(1);
    expect(docker(['inspect', 'kindccm-kindlingtest2'], { allowFailure: true }).status).not.toBe(0);
    expect(docker(['inspect', 'kindccm-kindlingtest1'], { allowFailure: true }).status).toBe(0);
  });

  it('stop: SIGTERM (the controller cleans up), then the container is removed', async () => {
    const ctx = realContext(stateDir);
    expect(await stopLoadBalancer(ctx)).toBe(true);
    expect(docker(['inspect', '--type', 'container', LB_CONTAINER_NAME], { allowFailure: true }).status).not.toBe(0);
    expect(ctx.plan.entries.map((e) => (e.action.kind === 'command' ? e.action.argv.slice(0, 2).join(' ') : ''))).toEqual(['docker stop', 'docker rm']);
    expect(await stopLoadBalancer(realContext(stateDir))).toBe(false);
  });
});
