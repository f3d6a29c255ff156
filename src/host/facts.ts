/**
 * What the host is and has: OS, kernel, architecture, cgroups, user, memory, inotify limits, the
 * NVIDIA driver and GPUs, Docker, the NVIDIA Container Toolkit, kind/kubectl/helm. Read-only: every
 * command is a probe, every file read goes through ctx.files (KINDLING_HOST_ROOT in the simulator).
 * `collectHostFacts` never throws for something missing; checks (doctor.ts) judge the facts.
 */
import { access, constants, statfs } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import type { Context } from '../core/context.js';
import { ExternalError } from '../core/errors.js';
import { probeDocker, type DockerProbe } from './docker-info.js';
import { probeGpus, type GpuProbe } from './nvidia.js';
import { probeToolkit, type ToolkitProbe } from './toolkit-config.js';

export interface OsRelease {
  id: string;
  versionId: string;
  prettyName: string;
}

export interface ToolVersion {
  installed: boolean;
  /** 'v0.32.0' style; '' when installed but unreadable. */
  version: string;
}

export interface HostFacts {
  /** process.platform ('linux' on a supported host). */
  platform: string;
  os: OsRelease | null;
  kernel: string;
  /** `uname -m`: x86_64, aarch64 … */
  arch: string;
  cgroup: 'v1' | 'v2' | 'unknown';
  /** Running under WSL2 (kernel …-microsoft-standard-WSL2). */
  wsl: boolean;
  /** systemd is the init system (/run/systemd/system exists): services are started with systemctl. */
  systemd: boolean;
  user: { uid: number; name: string; groups: string[]; sudo: boolean };
  memoryKiB: number | null;
  inotify: { maxUserWatches: number | null; maxUserInstances: number | null };
  nvidia: GpuProbe;
  docker: DockerProbe & { storage?: { path: string; freeBytes: number } };
  toolkit: ToolkitProbe;
  tools: { kind: ToolVersion; kubectl: ToolVersion; helm: ToolVersion };
}

export const UNAME_ARGV = ['uname', '-s', '-r', '-m'] as const;
export const KIND_VERSION_ARGV = ['kind', 'version'] as const;
export const KUBECTL_VERSION_ARGV = ['kubectl', 'version', '--client', '-o', 'json'] as const;
export const HELM_VERSION_ARGV = ['helm', 'version', '--short'] as const;

export function parseOsRelease(text: string): OsRelease {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) values.set(m[1] ?? '', (m[2] ?? '').replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1'));
  }
  return { id: values.get('ID') ?? '', versionId: values.get('VERSION_ID') ?? '', prettyName: values.get('PRETTY_NAME') ?? values.get('NAME') ?? '' };
}

/** MemTotal of /proc/meminfo in KiB. */
export function parseMemTotalKiB(text: string): number | null {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(text);
  return m ? Number(m[1]) : null;
}

/** The first vX.Y.Z in a version line ("kind v0.32.0 go1.24.3 linux/amd64", "v3.19.0+g3d8990f"). */
export function parseToolVersion(text: string): string {
  const m = /\bv?(\d+\.\d+\.\d+)/.exec(text);
  return m ? `v${m[1]}` : '';
}

/** `kubectl version --client -o json` → clientVersion.gitVersion (e.g. v1.36.1). */
export function parseKubectlVersion(text: string): string {
  try {
    const json = JSON.parse(text) as { clientVersion?: { gitVersion?: string } };
    const v = json.clientVersion?.gitVersion;
    if (typeof v === 'string') return parseToolVersion(v);
  } catch {
    /* older kubectl printed text */
  }
  return parseToolVersion(text);
}

/** Compares dotted versions ('v1.18.1' vs '1.17.0'); pre-release/build suffixes ignored. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => (/(\d+(?:\.\d+)*)/.exec(v)?.[1] ?? '0').split('.').map(Number);
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

async function probeTool(ctx: Context, argv: readonly string[], parse: (out: string) => string): Promise<ToolVersion> {
  try {
    const r = await ctx.runner.run({ argv, mutating: false, allowFailure: true, timeoutMs: 60_000 });
    return { installed: true, version: parse(r.stdout + '\n' + r.stderr) };
  } catch (error) {
    if (error instanceof ExternalError && error.notFound) return { installed: false, version: '' };
    if (error instanceof ExternalError) return { installed: true, version: '' };
    throw error;
  }
}

async function readNumber(ctx: Context, path: string): Promise<number | null> {
  const text = await ctx.files.read(path).catch(() => undefined);
  if (text === undefined) return null;
  const n = Number.parseInt(text.trim(), 10);
  return Number.isFinite(n) ? n : null;
}

/** Whether an executable is on PATH (a lookup, not a run). */
export async function onPath(env: NodeJS.ProcessEnv, name: string): Promise<boolean> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      await access(join(dir, name), constants.X_OK);
      return true;
    } catch {
      /* next */
    }
  }
  return false;
}

/** Free bytes on the filesystem holding `path` (its nearest existing parent). */
export async function freeBytes(path: string): Promise<number | undefined> {
  let p = path;
  for (;;) {
    try {
      const s = await statfs(p);
      return Number(s.bavail) * Number(s.bsize);
    } catch {
      const parent = dirname(p);
      if (parent === p) return undefined;
      p = parent;
    }
  }
}

export const dfArgv = (path: string) => ['df', '-B1', '--output=avail', path];

/** `df -B1 --output=avail PATH` → bytes ("      Avail\n83284561920\n"). */
export function parseDfAvail(text: string): number | undefined {
  const line = text.trim().split('\n').map((l) => l.trim()).find((l) => /^\d+$/.test(l));
  return line === undefined ? undefined : Number(line);
}

/** Free bytes where `hostPathname` lives: `df` (a probe the simulated host answers), else statfs. */
export async function diskFree(ctx: Context, hostPathname: string): Promise<number | undefined> {
  try {
    const r = await ctx.runner.run({ argv: dfArgv(ctx.files.real(hostPathname)), mutating: false, allowFailure: true, timeoutMs: 60_000 });
    const n = r.exitCode === 0 ? parseDfAvail(r.stdout) : undefined;
    if (n !== undefined) return n;
  } catch {
    /* no df: fall back */
  }
  return freeBytes(ctx.files.real(hostPathname));
}

async function probeUname(ctx: Context): Promise<{ kernel: string; arch: string }> {
  try {
    const r = await ctx.runner.run({ argv: UNAME_ARGV, mutating: false, allowFailure: true, timeoutMs: 60_000 });
    const [, kernel, arch] = r.stdout.trim().split(/\s+/);
    if (r.exitCode === 0 && kernel && arch) return { kernel, arch };
  } catch {
    /* fall back to what node knows */
  }
  const os = await import('node:os');
  return { kernel: os.release(), arch: process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch };
}

async function probeUser(ctx: Context): Promise<HostFacts['user']> {
  const run = async (argv: string[]) => {
    try {
      const r = await ctx.runner.run({ argv, mutating: false, allowFailure: true, timeoutMs: 60_000 });
      return r.exitCode === 0 ? r.stdout.trim() : undefined;
    } catch {
      return undefined;
    }
  };
  const [uid, name, groups, sudo] = await Promise.all([run(['id', '-u']), run(['id', '-un']), run(['id', '-Gn']), onPath(ctx.env, 'sudo')]);
  const uidNum = uid === undefined ? (process.getuid?.() ?? -1) : Number(uid);
  return { uid: uidNum, name: name ?? ctx.env.USER ?? '', groups: groups ? groups.split(/\s+/) : [], sudo };
}

export async function collectHostFacts(ctx: Context): Promise<HostFacts> {
  const [osText, uname, cgroup2, meminfo, watches, instances, user, nvidia, docker, toolkit, kind, kubectl, helm] = await Promise.all([
    ctx.files.read('/etc/os-release').catch(() => undefined),
    probeUname(ctx),
    ctx.files.exists('/sys/fs/cgroup/cgroup.controllers'),
    ctx.files.read('/proc/meminfo').catch(() => undefined),
    readNumber(ctx, '/proc/sys/fs/inotify/max_user_watches'),
    readNumber(ctx, '/proc/sys/fs/inotify/max_user_instances'),
    probeUser(ctx),
    probeGpus(ctx),
    probeDocker(ctx),
    probeToolkit(ctx),
    probeTool(ctx, KIND_VERSION_ARGV, parseToolVersion),
    probeTool(ctx, KUBECTL_VERSION_ARGV, parseKubectlVersion),
    probeTool(ctx, HELM_VERSION_ARGV, parseToolVersion),
  ]);
  const [cgroupV1, systemdDir, init] = await Promise.all([
    cgroup2 ? false : ctx.files.exists('/sys/fs/cgroup/memory'),
    ctx.files.exists('/run/systemd/system'),
    ctx.files.read('/proc/1/comm').catch(() => undefined),
  ]);
  // systemd when its runtime dir exists; without it, only a readable non-systemd PID 1 says otherwise.
  const systemd = systemdDir || init === undefined || init.trim() === 'systemd';
  let dockerFacts: HostFacts['docker'] = docker;
  if (docker.status === 'ok' && docker.info.rootDir !== '') {
    const free = await diskFree(ctx, docker.info.rootDir);
    if (free !== undefined) dockerFacts = { ...docker, storage: { path: docker.info.rootDir, freeBytes: free } };
  }
  return {
    platform: process.platform,
    os: osText === undefined ? null : parseOsRelease(osText),
    kernel: uname.kernel,
    arch: uname.arch,
    cgroup: cgroup2 ? 'v2' : cgroupV1 ? 'v1' : 'unknown',
    wsl: /microsoft|wsl/i.test(uname.kernel),
    systemd,
    user,
    memoryKiB: meminfo === undefined ? null : parseMemTotalKiB(meminfo),
    inotify: { maxUserWatches: watches, maxUserInstances: instances },
    nvidia,
    docker: dockerFacts,
    toolkit,
    tools: { kind, kubectl, helm },
  };
}
