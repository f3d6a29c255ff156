/**
 * The simulated GPU host: a temp dir with a fake root (/etc, /proc, /sys files), fake executables
 * on PATH (fakebin/dispatch.mjs + tools/*.mjs), a journal of every call, and `runCli` to run the
 * real built kindling (bin/kindling.js → dist) against it as a subprocess.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { Scenario, SimState } from './scenario.js';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
const dispatcher = join(here, 'fakebin', 'dispatch.mjs');
const cliBin = join(repoRoot, 'bin', 'kindling.js');

/** Every tool the simulated host can have; only the installed ones are on PATH. */
const TOOLS = [
  'docker', 'kind', 'kubectl', 'helm', 'nvidia-smi', 'nvidia-ctk', 'systemctl', 'apt-get', 'apt-cache', 'dpkg',
  'dpkg-query', 'curl', 'gpg', 'sudo', 'sysctl', 'uname', 'id', 'usermod', 'getent', 'tee', 'mkdir', 'chmod', 'rm',
  'install', 'mv', 'tar', 'sh', 'bash', 'modprobe', 'gcc', 'make', 'cloud-provider-kind', 'kill', 'df',
];

export interface JournalEntry {
  tool: string;
  args: string[];
  line: string;
  mutating: boolean;
  exitCode: number;
  stdinSha?: string;
  stdin?: string;
  env: Record<string, string>;
  start: number;
  end: number;
  fault: boolean;
}

export interface CliResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface RunCliOptions {
  env?: Record<string, string>;
  stdin?: string;
  timeoutMs?: number;
  /** Send SIGINT after this many ms (Ctrl-C), or when `interruptWhen` first returns true. */
  interruptAfterMs?: number;
  interruptWhen?: (stderrSoFar: string, journal: () => JournalEntry[]) => boolean;
}

export class SimHost {
  readonly binDir: string;
  readonly root: string;
  readonly home: string;
  readonly stateDir: string;

  constructor(
    readonly dir: string,
    readonly scenario: Scenario,
  ) {
    this.binDir = join(dir, 'bin');
    this.root = join(dir, 'root');
    this.home = join(dir, 'home');
    this.stateDir = join(dir, 'kindling-state');
  }

  /** Environment of the kindling subprocess: only the simulated tools on PATH. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      PATH: this.binDir,
      HOME: this.home,
      SIM_DIR: this.dir,
      KINDLING_HOST_ROOT: this.root,
      KINDLING_STATE_DIR: this.stateDir,
      KINDLING_CACHE_DIR: join(this.root, 'var/lib/kindling/cache'),
      NO_COLOR: '1',
      CI: 'true',
      LANG: 'C.UTF-8',
      ...extra,
    };
  }

  runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
    const started = performance.now();
    return new Promise((resolvePromise, reject) => {
      const child = spawn(process.execPath, [cliBin, ...args], {
        env: this.env(options.env),
        cwd: this.dir,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let interrupted = false;
      const interrupt = () => {
        if (!interrupted) {
          interrupted = true;
          child.kill('SIGINT');
        }
      };
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (options.interruptWhen?.(stderr, () => this.journal())) interrupt();
      });
      const timers: NodeJS.Timeout[] = [];
      if (options.interruptAfterMs !== undefined) timers.push(setTimeout(interrupt, options.interruptAfterMs));
      if (options.interruptWhen) {
        const poll = setInterval(() => {
          if (options.interruptWhen?.(stderr, () => this.journal())) interrupt();
        }, 50);
        timers.push(poll);
      }
      const timeout = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`kindling ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60_000} ms\nstderr:\n${stderr}`));
      }, options.timeoutMs ?? 60_000);
      child.on('error', reject);
      child.on('close', (exitCode, signal) => {
        clearTimeout(timeout);
        for (const t of timers) clearTimeout(t);
        resolvePromise({ exitCode, signal, stdout, stderr, durationMs: performance.now() - started });
      });
      child.stdin.end(options.stdin ?? '');
    });
  }

  /** Every fake call so far, in order. */
  journal(): JournalEntry[] {
    const path = join(this.dir, 'journal.jsonl');
    if (!existsSync(path)) return [];
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as JournalEntry);
  }

  mutatingCalls(): JournalEntry[] {
    return this.journal().filter((e) => e.mutating);
  }

  clearJournal(): void {
    rmSync(join(this.dir, 'journal.jsonl'), { force: true });
  }

  state(): SimState {
    return JSON.parse(readFileSync(join(this.dir, 'state.json'), 'utf8')) as SimState;
  }

  setState(mutate: (state: SimState) => void): void {
    const state = this.state();
    mutate(state);
    writeFileSync(join(this.dir, 'state.json'), JSON.stringify(state, null, 2));
    this.syncShims(state);
  }

  /** Changes the scenario's faults/options between runs. */
  updateScenario(mutate: (scenario: Scenario) => void): void {
    mutate(this.scenario);
    writeFileSync(join(this.dir, 'scenario.json'), JSON.stringify(this.scenario, null, 2));
  }

  readHostFile(path: string): string | undefined {
    const real = join(this.root, path);
    return existsSync(real) ? readFileSync(real, 'utf8') : undefined;
  }

  writeHostFile(path: string, content: string): void {
    const real = join(this.root, path);
    mkdirSync(dirname(real), { recursive: true });
    writeFileSync(real, content);
  }

  /** Puts a shim on PATH for every tool the state says is installed. */
  syncShims(state: SimState = this.state()): void {
    for (const tool of TOOLS) {
      const path = join(this.binDir, tool);
      if (isInstalled(tool, state)) {
        writeFileSync(path, `#!/bin/sh\nexec "${process.execPath}" "${dispatcher}" "${tool}" "$@"\n`);
        chmodSync(path, 0o755);
      } else rmSync(path, { force: true });
    }
  }

  dispose(): void {
    if (!process.env.SIM_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Which tools are on PATH for a state: host tools from `state.tools`, the rest by their package. */
function isInstalled(tool: string, state: SimState): boolean {
  switch (tool) {
    case 'docker':
      return state.docker.installed;
    case 'nvidia-smi':
      return state.driver.installed;
    case 'nvidia-ctk':
      return state.toolkit.installed;
    case 'sudo':
      return state.user.sudo;
    case 'gcc':
    case 'make':
      return state.packages['build-essential'] !== undefined;
    default:
      if (tool in state.tools) return state.tools[tool] !== null;
      return true; // coreutils and friends
  }
}

export function createSimHost(scenario: Scenario): SimHost {
  const dir = mkdtempSync(join(tmpdir(), 'kindling-sim-'));
  const sim = new SimHost(dir, scenario);
  mkdirSync(sim.binDir, { recursive: true });
  mkdirSync(sim.home, { recursive: true });
  writeFileSync(join(dir, 'scenario.json'), JSON.stringify(scenario, null, 2));
  writeFileSync(join(dir, 'state.json'), JSON.stringify(scenario.state, null, 2));
  writeHostFiles(sim, scenario);
  sim.syncShims(scenario.state);
  return sim;
}

/** The fake root: os-release, /proc and /sys values derived from the state, plus scenario files. */
function writeHostFiles(sim: SimHost, scenario: Scenario): void {
  const s = scenario.state;
  const files: Record<string, string> = {
    '/etc/os-release': `PRETTY_NAME="${s.os.prettyName}"\nNAME="${s.os.id === 'ubuntu' ? 'Ubuntu' : s.os.id}"\nVERSION_ID="${s.os.versionId}"\nID=${s.os.id}\n`,
    '/proc/sys/kernel/osrelease': `${s.os.kernel}\n`,
    '/proc/sys/fs/inotify/max_user_watches': `${s.inotify.maxUserWatches}\n`,
    '/proc/sys/fs/inotify/max_user_instances': `${s.inotify.maxUserInstances}\n`,
    '/proc/meminfo': `MemTotal:       ${s.memoryKiB} kB\nMemFree:        ${Math.floor(s.memoryKiB * 0.9)} kB\nMemAvailable:   ${Math.floor(s.memoryKiB * 0.95)} kB\n`,
    ...(s.os.cgroup === 'v2' ? { '/sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma misc\n' } : { '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712\n' }),
    ...(s.driver.installed
      ? {
          '/proc/driver/nvidia/version': `NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  ${s.driver.version}  Release Build  (dvs-builder@U22-I3-AF03-09-1)  Wed Oct  1 12:00:00 UTC 2025\nGCC version:  gcc version 13.3.0 (Ubuntu 13.3.0-6ubuntu2~24.04)\n`,
          '/proc/driver/nvidia/params': 'ModifyDeviceFiles: 1\n',
        }
      : {}),
    ...scenario.files,
  };
  for (const [path, content] of Object.entries(files)) sim.writeHostFile(path, content);
  mkdirSync(join(sim.root, s.docker.storageRoot), { recursive: true });
}

/**
 * For a test file: returns a `host(scenario)` that creates simulated hosts and disposes of them
 * after each test.
 */
export function simHostsPerTest(): (scenario: Scenario) => SimHost {
  const hosts: SimHost[] = [];
  afterEach(() => {
    while (hosts.length > 0) hosts.pop()?.dispose();
  });
  return (scenario) => {
    const h = createSimHost(scenario);
    hosts.push(h);
    return h;
  };
}
