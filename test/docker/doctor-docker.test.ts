/**
 * doctor's Docker calls against a real Docker Engine: the exact argv and --format templates kindling
 * uses, the info JSON/runtimes parsing, the storage root and its free space; plus the fidelity of the
 * simulated host's fake docker (same templates, same shapes) on a container made like kindling's.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/cli/run.js';
import type { CliEnv } from '../../src/cli/cli-env.js';
import { Redactor } from '../../src/core/secrets.js';
import { DOCKER_CLIENT_VERSION_ARGV, DOCKER_INFO_ARGV, parseDockerInfo, probeDocker } from '../../src/host/docker-info.js';
import { collectHostFacts, diskFree } from '../../src/host/facts.js';
import { runDoctorChecks } from '../../src/host/doctor.js';
import { repoRoot } from '../sim/harness.js';
import { docker, dockerAvailable, ensureBusyboxImage, removeLabelled } from './helpers.js';

const avail = await dockerAvailable();

function realContext(env: NodeJS.ProcessEnv = process.env) {
  const sink = { write: () => true };
  const cli: CliEnv = {
    env,
    stdout: sink,
    stderr: sink,
    stdin: process.stdin,
    redactor: new Redactor(),
    onSignal: () => () => {},
    forceExit: () => {},
  };
  return createContext(cli, {}, new AbortController().signal);
}

describe.skipIf(!avail.ok)(`doctor against the real Docker daemon${avail.ok ? ` (${avail.serverVersion})` : ''}`, () => {
  it('docker info --format {{json .}} parses: version, runtimes, default runtime, storage root', async () => {
    const ctx = realContext();
    const r = await ctx.runner.run({ argv: DOCKER_INFO_ARGV, mutating: false });
    const info = parseDockerInfo(r.stdout);
    expect(info.serverVersion).toBe(avail.serverVersion);
    expect(info.runtimes).toContain('runc');
    expect(info.runtimes).toContain(info.defaultRuntime);
    expect(info.rootDir).toMatch(/^\//);
    expect(info.storageDriver).not.toBe('');
    expect(['1', '2', '']).toContain(info.cgroupVersion);
    expect(info.clientVersion).toMatch(/^\d+\.\d+/);
    expect(info.serverErrors).toEqual([]);
    // Cross-check single fields with simple templates.
    expect(docker(['info', '--format', '{{.DockerRootDir}}']).stdout.trim()).toBe(info.rootDir);
    expect(docker(['info', '--format', '{{.DefaultRuntime}}']).stdout.trim()).toBe(info.defaultRuntime);
  });

  it('the client version template works', async () => {
    const ctx = realContext();
    const r = await ctx.runner.run({ argv: DOCKER_CLIENT_VERSION_ARGV, mutating: false });
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('probeDocker: ok with a running daemon, and "down" (with the client version) for an unreachable one', async () => {
    const up = await probeDocker(realContext());
    expect(up.status).toBe('ok');
    const down = await probeDocker(realContext({ ...process.env, DOCKER_HOST: 'unix:///nonexistent/kindling-test.sock' }));
    expect(down).toMatchObject({ status: 'unreachable', problem: 'down' });
    if (down.status === 'unreachable') {
      expect(down.message).toContain('Cannot connect to the Docker daemon');
      expect(down.clientVersion).toMatch(/^\d+\.\d+/);
    }
  });

  it('free space at the storage root matches df', async () => {
    const ctx = realContext();
    const probe = await probeDocker(ctx);
    if (probe.status !== 'ok') throw new Error('daemon not ok');
    const free = await diskFree(ctx, probe.info.rootDir);
    const df = spawnSync('df', ['-B1', '--output=avail', probe.info.rootDir], { encoding: 'utf8' });
    const expected = Number(df.stdout.trim().split('\n').pop());
    expect(free).toBeGreaterThan(0);
    // Within 1 GiB: other processes write to the disk between the two readings.
    expect(Math.abs((free ?? 0) - expected)).toBeLessThan(1024 ** 3);
  });

  it('collectHostFacts and the doctor checks read the real daemon', async () => {
    const ctx = realContext();
    const facts = await collectHostFacts(ctx);
    expect(facts.docker.status).toBe('ok');
    expect(facts.docker.storage?.freeBytes).toBeGreaterThan(0);
    const report = await runDoctorChecks(ctx, { facts });
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(['pass', 'warn']).toContain(byId['docker-daemon']?.status);
    expect(byId['docker-storage']?.detail).toContain(facts.docker.status === 'ok' ? facts.docker.info.rootDir : '');
    // This CI host has no NVIDIA runtime: the runtime checks fail with a fix.
    if (facts.docker.status === 'ok' && !facts.docker.info.runtimes.includes('nvidia')) {
      expect(byId['docker-runtime-nvidia']?.status).toBe('fail');
      expect(byId['docker-runtime-nvidia']?.fix).toBeTruthy();
    }
  });
});

describe.skipIf(!avail.ok || !existsSync(join(repoRoot, 'dist', 'cli', 'main.js')))('the built kindling doctor on this (GPU-less) machine', () => {
  it('exits 2 with the GPU checks failed and their fixes; the Docker checks read the real daemon', () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'kindling.js'), 'doctor', '--json'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });
    const json = JSON.parse(r.stdout) as { ok: boolean; checks: { id: string; status: string; fix?: string }[]; gpus: unknown[] };
    const byId = Object.fromEntries(json.checks.map((c) => [c.id, c]));
    if (!existsSync('/dev/nvidia0')) {
      expect(r.status).toBe(2);
      expect(json.ok).toBe(false);
      expect(byId['gpus']?.status).toBe('fail');
      expect(byId['gpus']?.fix).toBeTruthy();
      expect(json.gpus).toEqual([]);
    }
    expect(['pass', 'warn']).toContain(byId['docker-daemon']?.status);
    expect(byId['docker-client']?.status).toBe('pass');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.skipIf(!avail.ok)('the simulated docker answers like the real one', () => {
  const label = 'kindling.test/fidelity';
  const name = `kindling-fidelity-${process.pid}`;
  let image = '';
  type Fake = { handle: (call: { args: string[] }, sim: unknown) => Promise<{ stdout: string; exitCode?: number; stderr?: string }> };
  let fake: Fake;
  const sim = {
    state: {
      os: { cgroup: 'v2', kernel: '6.8.0', prettyName: 'Ubuntu 24.04.3 LTS', versionId: '24.04', arch: 'x86_64' },
      user: { uid: 0, name: 'root', groups: ['root'] },
      docker: { running: true, version: '28.2.2', runtimes: ['runc'], defaultRuntime: 'runc', images: [] as string[], containers: [] as unknown[], networks: ['bridge', 'host', 'none'] },
    },
    readHostFile: () => undefined,
  };
  const runArgs = () => ['run', '-d', '--name', name, '--label', `${label}=yes`, '--label', 'io.x-k8s.kind.role=worker', '--restart', 'unless-stopped', '-e', 'FOO=1', '-v', '/tmp:/host', image, 'sleep', '300'];

  beforeAll(async () => {
    image = ensureBusyboxImage();
    removeLabelled(label);
    docker(runArgs());
    fake = (await import(new URL('../sim/fakebin/tools/docker.mjs', import.meta.url).href)) as Fake;
    sim.state.docker.images.push(image);
    await fake.handle({ args: runArgs() }, sim);
  });
  afterAll(() => removeLabelled(label));

  const both = async (args: string[]) => {
    const real = docker(args, { allowFailure: true });
    const simulated = await fake.handle({ args }, sim);
    return { real: real.stdout, fake: simulated.stdout, realStatus: real.status, fakeStatus: simulated.exitCode ?? 0 };
  };

  it.each([
    ['{{.State.Running}}'],
    ['{{.State.Status}}'],
    ['{{.HostConfig.RestartPolicy.Name}}'],
    ['{{index .Config.Labels "io.x-k8s.kind.role"}}'],
    ['{{.Name}}'],
    ['{{json .Config.Env}}'],
    ['{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}'],
  ])('inspect --format %s', async (format) => {
    const r = await both(['inspect', '--format', format, name]);
    expect(r.fake).toBe(r.real);
  });

  it('ps with label and name filters and templates', async () => {
    for (const args of [
      ['ps', '-a', '--filter', `label=${label}`, '--format', '{{.Names}}\t{{.Label "io.x-k8s.kind.role"}}\t{{.State}}'],
      ['ps', '--filter', `name=${name}`, '--format', '{{.Names}} {{.Image}}'],
      ['ps', '-a', '--filter', `label=${label}=no`, '--format', '{{.Names}}'],
    ]) {
      const r = await both(args);
      expect(r.fake, args.join(' ')).toBe(r.real);
    }
  });

  it('ps --format json and inspect JSON have the real keys', async () => {
    const r = await both(['ps', '-a', '--filter', `label=${label}`, '--format', '{{json .}}']);
    const keys = (text: string) => Object.keys(JSON.parse(text.trim().split('\n')[0] ?? '{}') as object).sort();
    expect(keys(r.fake)).toEqual(keys(r.real).filter((k) => keys(r.fake).includes(k)));
    expect(keys(r.fake).length).toBeGreaterThanOrEqual(keys(r.real).length - 1);
    const i = await both(['inspect', name]);
    const top = (text: string) => Object.keys((JSON.parse(text) as object[])[0] ?? {});
    for (const k of ['Id', 'Name', 'State', 'Config', 'HostConfig', 'NetworkSettings', 'Mounts']) {
      expect(top(i.real)).toContain(k);
      expect(top(i.fake)).toContain(k);
    }
  });

  it('errors for missing objects: same exit codes and messages', async () => {
    for (const args of [['inspect', 'kindling-nope'], ['container', 'inspect', 'kindling-nope'], ['rm', '-f', 'kindling-nope'], ['logs', 'kindling-nope'], ['stop', 'kindling-nope']]) {
      const real = docker(args, { allowFailure: true });
      const simulated = await fake.handle({ args }, sim);
      expect(simulated.exitCode ?? 0, args.join(' ')).toBe(real.status);
      expect((simulated.stderr ?? '').trim(), args.join(' ')).toBe(real.stderr.trim());
    }
  });

  it('name conflicts fail with exit 125 in both', async () => {
    const real = docker(runArgs(), { allowFailure: true });
    const simulated = await fake.handle({ args: runArgs() }, sim);
    expect(real.status).toBe(125);
    expect(simulated.exitCode).toBe(125);
    expect(simulated.stderr).toContain('is already in use by container');
    expect(real.stderr).toContain('is already in use by container');
  });
});
