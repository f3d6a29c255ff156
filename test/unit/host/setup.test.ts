/**
 * host setup planning with the strict FakeRunner: which steps run, in which order, with which
 * commands and root marks, on hosts described by their probes' answers (no simulator, no I/O
 * beyond a temp host root).
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { hostSetup } from '../../../src/host/setup.js';
import { requireLinux } from '../../../src/host/distro.js';
import type { FakeCommand } from '../../helpers/fake-runner.js';
import { testContext } from '../../helpers/context.js';

const QUERY_GPU = 'index, uuid, name, memory.total [MiB], memory.used [MiB], memory.free [MiB], driver_version, compute_cap, mig.mode.current, pci.bus_id, power.limit [W]\n0, GPU-5a0b4b3e-1d7e-2c4b-9a4e-6f1c8e5d2a10, NVIDIA H100 80GB HBM3, 81559 MiB, 0 MiB, 81004 MiB, 580.159.04, 9.0, Disabled, 00000000:18:00.0, 700.00 W\n';

interface HostSpec {
  os: string;
  /** Executables on PATH. */
  path: string[];
  driver: boolean;
  packages: Record<string, string>;
  files?: Record<string, string>;
}

function binDir(names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'kindling-bin-'));
  for (const n of names) {
    writeFileSync(join(dir, n), '#!/bin/sh\n');
    chmodSync(join(dir, n), 0o755);
  }
  return dir;
}

function hostRoot(spec: HostSpec): string {
  const root = mkdtempSync(join(tmpdir(), 'kindling-root-'));
  const files: Record<string, string> = {
    '/etc/os-release': spec.os,
    '/proc/sys/fs/inotify/max_user_watches': '524288\n',
    '/proc/sys/fs/inotify/max_user_instances': '512\n',
    ...spec.files,
  };
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), c);
  }
  return root;
}

const UBUNTU = 'PRETTY_NAME="Ubuntu 24.04.3 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\n';
const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';

/** Probe answers of a host; anything not scripted fails the test (strict runner). A missing tool
 * answers exit 127 (the probes treat an unreadable version as missing). */
function probes(spec: HostSpec, extra: FakeCommand[] = []): FakeCommand[] {
  const notFound = (name: string) => !spec.path.includes(name);
  return [
    ...extra,
    { match: ['uname', '-s', '-r', '-m'], stdout: 'Linux 6.8.0-85-generic x86_64\n' },
    { match: ['id', '-u'], stdout: '0\n' },
    { match: ['id', '-un'], stdout: 'root\n' },
    { match: ['id', '-Gn'], stdout: 'root\n' },
    { match: ['nvidia-smi', '...'], stdout: spec.driver ? QUERY_GPU : '', exitCode: spec.driver ? 0 : 127, stderr: spec.driver ? '' : 'nvidia-smi: not found' },
    { match: ['docker', '...'], exitCode: notFound('docker') ? 127 : 0, stdout: notFound('docker') ? '' : '{}' },
    { match: ['nvidia-ctk', '--version'], exitCode: 127 },
    { match: ['kind', 'version'], exitCode: 127 },
    { match: ['kubectl', '...'], exitCode: 127 },
    { match: ['helm', 'version', '--short'], exitCode: 127 },
    { match: ['df', '...'], exitCode: 1 },
    {
      match: (argv: readonly string[]) => argv[0] === 'dpkg-query',
    },
    { match: ['gpg', '--batch', '--show-keys', '--with-colons', '...'], exitCode: 2 },
    { match: ['systemctl', 'is-enabled', 'docker'], exitCode: 1, stderr: 'Failed to get unit file state for docker.service: No such file or directory' },
    { match: ['systemctl', 'is-active', 'docker'], exitCode: 3, stdout: 'inactive\n' },
    { match: ['getent', 'group', 'docker'], exitCode: 2 },
  ].map((c) => {
    // dpkg-query answers from spec.packages.
    if (typeof c.match === 'function') {
      return {
        match: c.match,
        get stdout() {
          return Object.entries(spec.packages)
            .map(([n, v]) => `${n}\t${v}\tii \n`)
            .join('');
        },
      } as FakeCommand;
    }
    return c;
  });
}

describe('host setup: platforms', () => {
  it('refuses macOS and Windows with a clear message', () => {
    expect(() => requireLinux('darwin')).toThrow(/Linux only, not on macOS: kind GPU clusters need a Linux host with NVIDIA GPUs and the NVIDIA driver/);
    expect(() => requireLinux('win32')).toThrow(UserError);
    expect(() => requireLinux('linux')).not.toThrow();
  });

  it('hostSetup on macOS stops before probing anything', async () => {
    const ctx = testContext([], { dryRun: true });
    await expect(hostSetup(ctx, { platform: 'darwin' })).rejects.toThrow(/not on macOS/);
    expect(ctx.runner.calls).toEqual([]);
  });
});

describe('host setup plan (dry-run, FakeRunner)', () => {
  it('Debian 12 without driver, --driver: headers and compiler first, then NVIDIA\'s .run from the driver mirror', async () => {
    const spec: HostSpec = { os: DEBIAN, path: ['curl', 'gpg', 'docker', 'systemctl'], driver: false, packages: { 'docker.io': '20.10.24', 'nvidia-container-toolkit': '1.18.1-1' } };
    const ctx = testContext(probes(spec), { dryRun: true, hostRoot: hostRoot(spec), env: { PATH: binDir(spec.path) } });
    await hostSetup(ctx, { driver: '580.159.04', driverMirror: 'https://cn.download.nvidia.com/tesla', platform: 'linux' });
    const plan = ctx.plan.render();
    const order = [
      '[root] $ apt-get -o DPkg::Lock::Timeout=300 update',
      'linux-headers-6.8.0-85-generic build-essential',
      '$ curl -fsSL --retry 3 --connect-timeout 30 -o /tmp/kindling-download-XXXXXX/NVIDIA-Linux-x86_64-580.159.04.run https://cn.download.nvidia.com/tesla/580.159.04/NVIDIA-Linux-x86_64-580.159.04.run',
      '[root] $ sh /tmp/kindling-download-XXXXXX/NVIDIA-Linux-x86_64-580.159.04.run --silent',
      '[root] $ modprobe nvidia',
    ];
    let at = -1;
    for (const needle of order) {
      const i = plan.indexOf(needle, at + 1);
      expect(i, `${needle}\n---\n${plan}`).toBeGreaterThan(at);
      at = i;
    }
    expect(plan).not.toContain('nvidia-driver-580');
  });

  it('Ubuntu without driver, --driver: the distribution package nvidia-driver-<major>-server', async () => {
    const spec: HostSpec = { os: UBUNTU, path: ['curl', 'gpg', 'docker', 'systemctl', 'gcc', 'make'], driver: false, packages: { 'linux-headers-6.8.0-85-generic': '6.8.0-85.85', 'docker.io': '28.2.2' } };
    const script = probes(spec, [
      { match: ['apt-cache', 'show', '--no-all-versions', 'nvidia-driver-580-server'], stdout: 'Package: nvidia-driver-580-server\nVersion: 580.95.05-0ubuntu0.24.04.2\n' },
    ]);
    const ctx = testContext(script, { dryRun: true, hostRoot: hostRoot(spec), env: { PATH: binDir(spec.path) } });
    const result = await hostSetup(ctx, { driver: '580.159.04', platform: 'linux' });
    const cmds = ctx.plan.entries.flatMap((e) => (e.action.kind === 'command' ? [e.action.argv.join(' ')] : []));
    expect(cmds.some((c) => c.endsWith('install -y -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confold nvidia-driver-580-server'))).toBe(true);
    expect(cmds.some((c) => c.includes('linux-headers'))).toBe(false); // already installed
    expect(cmds.some((c) => c.includes('build-essential'))).toBe(false); // gcc and make on PATH
    expect(cmds.some((c) => c.startsWith('sh '))).toBe(false);
    expect(result.steps.find((s) => s.id === 'nvidia-driver')?.status).toBe('planned');
    // Every command of the driver step needs root.
    for (const e of ctx.plan.entries) if (e.action.kind === 'command' && /apt-get|modprobe/.test(e.action.argv.join(' '))) expect(e.action.root).toBe(true);
  });

  it('never replaces a working driver, even with --driver', async () => {
    const spec: HostSpec = { os: UBUNTU, path: ['curl', 'gpg', 'docker', 'systemctl', 'nvidia-smi'], driver: true, packages: { 'docker.io': '28.2.2' } };
    const script = probes(spec, [{ match: ['nvidia-smi', '--query-gpu=driver_version', '--format=csv,noheader'], stdout: '580.159.04\n' }]);
    const ctx = testContext(script, { dryRun: true, hostRoot: hostRoot(spec), env: { PATH: binDir(spec.path) } });
    const result = await hostSetup(ctx, { driver: '575.57.08', platform: 'linux' });
    expect(result.steps.find((s) => s.id === 'nvidia-driver')).toMatchObject({ status: 'skipped', detail: 'driver 580.159.04 works (kept as it is)' });
    expect(result.notes.join('\n')).toContain('kindling never replaces it (--driver 575.57.08 ignored)');
    expect(ctx.runner.commandLines.some((c) => /nvidia-driver-|\.run|modprobe/.test(c))).toBe(false);
  });

  it('uses the mirror for kind, kubectl and helm, keeping their official paths', async () => {
    const spec: HostSpec = { os: UBUNTU, path: ['curl', 'gpg', 'docker', 'systemctl'], driver: false, packages: { 'docker.io': '28.2.2', 'nvidia-container-toolkit': '1.18.1-1' } };
    const ctx = testContext(probes(spec), { dryRun: true, hostRoot: hostRoot(spec), env: { PATH: binDir(spec.path), KINDLING_MIRROR: 'https://mirror.example.cn/tools/' } });
    await hostSetup(ctx, { platform: 'linux' });
    const curls = ctx.plan.entries.flatMap((e) => (e.action.kind === 'command' && e.action.argv[0] === 'curl' ? [e.action.argv.at(-1)] : []));
    expect(curls).toEqual([
      'https://mirror.example.cn/tools/v0.32.0/kind-linux-amd64',
      'https://mirror.example.cn/tools/v1.36.1/bin/linux/amd64/kubectl',
      'https://mirror.example.cn/tools/helm-v3.19.0-linux-amd64.tar.gz',
    ]);
    // --mirror wins over the environment.
    const ctx2 = testContext(probes(spec), { dryRun: true, hostRoot: hostRoot(spec), env: { PATH: binDir(spec.path), KINDLING_MIRROR: 'https://ignored.example' } });
    await hostSetup(ctx2, { platform: 'linux', mirror: 'https://flag.example' });
    expect(ctx2.plan.render()).toContain('https://flag.example/v0.32.0/kind-linux-amd64');
    expect(ctx2.plan.render()).not.toContain('ignored.example');
  });

  it('installs curl and gpg first when missing, and rejects a malformed --driver', async () => {
    const spec: HostSpec = { os: DEBIAN, path: ['docker', 'systemctl'], driver: false, packages: { 'docker.io': '20.10.24', 'nvidia-container-toolkit': '1.18.1-1' } };
    const ctx = testContext(probes(spec), { dryRun: true, hostRoot: hostRoot(spec), env: { PATH: binDir(spec.path) } });
    await hostSetup(ctx, { platform: 'linux' });
    const first = ctx.plan.entries.filter((e) => e.action.kind === 'command').map((e) => (e.action.kind === 'command' ? e.action.argv.join(' ') : ''));
    expect(first[0]).toBe('apt-get -o DPkg::Lock::Timeout=300 update');
    expect(first[1]).toBe('apt-get install -y -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confold curl ca-certificates gnupg');
    await expect(hostSetup(testContext([], { dryRun: true }), { driver: 'latest', platform: 'linux' })).rejects.toThrow(/expected an NVIDIA driver version/);
  });
});
