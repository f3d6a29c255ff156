/**
 * `kindling host setup`: brings the host to what doctor calls healthy, doing only what is missing.
 *
 * Steps, in order (each first checks whether its outcome already holds — a rerun after a failure
 * resumes, a rerun on a complete host changes nothing):
 *   prerequisites (curl, gpg) → NVIDIA driver (only with --driver, never over a working one) →
 *   Docker (docker.io when no Docker at all) → NVIDIA Container Toolkit apt repository (stable
 *   channel, key fingerprint checked) → toolkit packages (pinned) → /etc/docker/daemon.json →
 *   /etc/nvidia-container-runtime/config.toml → Docker service (enable, start or restart) →
 *   docker group → kind, kubectl, helm (pinned, SHA-256 checked) → inotify limits.
 * Configuration files are edited by kindling itself (daemon-json.ts, toolkit-toml.ts) after a backup
 * (backup.ts), so the plan shows their exact new content and `host restore` can undo them.
 * It ends with doctor's checks (and the GPU-in-container checks when something changed and a GPU exists).
 */
import type { Context } from '../core/context.js';
import { ExitCode, ExternalError, UserError } from '../core/errors.js';
import { HostFiles } from '../core/files.js';
import { Plan } from '../core/plan.js';
import type { CommandSpec, LineSource, ProcessRunner, RunResult } from '../core/runner.js';
import {
  HOST_BINARIES,
  INOTIFY_RECOMMENDED,
  MINIMUM_VERSIONS,
  NVIDIA_CONTAINER_TOOLKIT,
  NVIDIA_CONTAINER_TOOLKIT_KEY_FINGERPRINT,
  NVIDIA_DRIVER_RUN,
  type Arch,
} from '../core/versions.js';
import { writeWithBackup, backupDir } from './backup.js';
import { configureDaemonJson, daemonJsonState, DAEMON_JSON_PATH } from './daemon-json.js';
import { debArch, requireLinux, requireSupportedDistro, type Distro } from './distro.js';
import { downloadItem, downloadTo, installVerified, loadPinsOverride, makeTempDir, mirrorBase, removeTempDir, type PinsOverride } from './downloads.js';
import { collectHostFacts, compareVersions, onPath, type HostFacts } from './facts.js';
import { enableVolumeMounts, TOOLKIT_CONFIG_PATH } from './toolkit-toml.js';

export interface HostSetupOptions {
  /** --driver VERSION: install this NVIDIA driver when none works. */
  driver?: string;
  /** --mirror URL (else KINDLING_MIRROR): base URL for kind, kubectl and helm. */
  mirror?: string;
  /** --driver-mirror URL (else KINDLING_DRIVER_MIRROR): base URL for NVIDIA's .run installers. */
  driverMirror?: string;
  /** For tests: the platform to judge (default process.platform). */
  platform?: string;
}

export interface StepOutcome {
  id: string;
  title: string;
  status: 'done' | 'skipped' | 'planned';
  detail: string;
  root: boolean;
}

export interface HostSetupResult {
  dryRun: boolean;
  /** Something was (or, in --dry-run, would be) changed. */
  changed: boolean;
  steps: StepOutcome[];
  notes: string[];
  backups: string;
  doctor?: { ok: boolean; failed: { id: string; title: string; detail: string; fix?: string }[]; warnings: { id: string; title: string; detail: string; fix?: string }[] };
}

export const SOURCES_LIST_PATH = '/etc/apt/sources.list.d/nvidia-container-toolkit.list';
export const INOTIFY_SYSCTL_PATH = '/etc/sysctl.d/99-kindling-inotify.conf';
const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive' };
const APT_OPTS = ['-o', 'DPkg::Lock::Timeout=300', '-o', 'Dpkg::Options::=--force-confold'];

/** Mutable state of one run, shared by the steps. */
export interface SetupState {
  facts: HostFacts;
  distro: Distro;
  arch: Arch;
  /** `uname -m` (x86_64 | aarch64). */
  unameArch: string;
  options: HostSetupOptions;
  mirror: string | undefined;
  pins: PinsOverride | undefined;
  aptUpdated: boolean;
  daemonJsonChanged: boolean;
  notes: string[];
}

export interface SetupStep {
  id: string;
  title: string;
  /** Its changes need root. */
  root: boolean;
  /** Why nothing is needed (outcome already holds), or null when the step must run. Read-only. */
  check(ctx: Context, s: SetupState): Promise<string | null>;
  /** Makes the change (recorded, not done, in --dry-run); returns a detail for the step line. */
  apply(ctx: Context, s: SetupState): Promise<string | void>;
}

// ---------------------------------------------------------------------------------------------
// Probes

interface ProbeResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A read-only command; undefined when the program is not installed. */
export async function probe(ctx: Context, argv: string[], timeoutMs = 30_000): Promise<ProbeResult | undefined> {
  try {
    const r = await ctx.runner.run({ argv, mutating: false, allowFailure: true, timeoutMs });
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    if (error instanceof ExternalError && error.notFound) return undefined;
    throw error;
  }
}

/** Installed Debian packages among `names` → version. */
export async function installedPackages(ctx: Context, names: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const r = await probe(ctx, ['dpkg-query', '-W', '-f=${Package}\\t${Version}\\t${db:Status-Abbrev}\\n', ...names]);
  if (!r) return out;
  for (const line of r.stdout.split('\n')) {
    const [name, version, status] = line.split('\t');
    if (name && version && status?.startsWith('ii')) out.set(name, version);
  }
  return out;
}

async function aptUpdate(ctx: Context, s: SetupState): Promise<void> {
  if (s.aptUpdated) return;
  await ctx.runner.run({
    argv: ['apt-get', ...APT_OPTS.slice(0, 2), 'update'],
    mutating: true,
    root: true,
    env: APT_ENV,
    timeoutMs: 10 * 60_000,
    description: 'refresh the package lists',
    fix: 'Check the network and the apt sources (sudo apt-get update shows which one fails), then run kindling host setup again',
  });
  s.aptUpdated = true;
}

async function aptInstall(ctx: Context, s: SetupState, packages: string[], description: string): Promise<void> {
  await aptUpdate(ctx, s);
  await ctx.runner.run({
    argv: ['apt-get', 'install', '-y', ...APT_OPTS, ...packages],
    mutating: true,
    root: true,
    env: APT_ENV,
    timeoutMs: 30 * 60_000,
    description,
    fix: `Fix the apt error above (sudo apt-get install -y ${packages.join(' ')} shows it), then run kindling host setup again: it resumes where it stopped`,
  });
}

function invokingUser(ctx: Context, facts: HostFacts): string | undefined {
  const sudoUser = ctx.env.SUDO_USER;
  if (sudoUser && sudoUser !== 'root') return sudoUser;
  if (facts.user.uid === 0) return undefined;
  return ctx.env.USER || facts.user.name || undefined;
}

async function dockerGroupMembers(ctx: Context): Promise<string[] | undefined> {
  const r = await probe(ctx, ['getent', 'group', 'docker']);
  if (!r || r.exitCode !== 0) return undefined;
  const members = r.stdout.trim().split(':')[3] ?? '';
  return members === '' ? [] : members.split(',');
}

async function toolVersion(ctx: Context, name: string): Promise<string | undefined> {
  const argv =
    name === 'kind' ? ['kind', 'version'] : name === 'kubectl' ? ['kubectl', 'version', '--client', '-o', 'json'] : ['helm', 'version', '--short'];
  const r = await probe(ctx, argv, 15_000);
  if (!r) return undefined;
  const text = `${r.stdout}\n${r.stderr}`;
  const git = /"gitVersion"\s*:\s*"v?(\d+\.\d+\.\d+)/.exec(text);
  const m = git ?? /\bv?(\d+\.\d+\.\d+)/.exec(text);
  return m ? `v${m[1]}` : '';
}

/** Fingerprints (`fpr` records) of a key file or keyring. */
async function keyFingerprints(ctx: Context, path: string): Promise<string[] | undefined> {
  const r = await probe(ctx, ['gpg', '--batch', '--show-keys', '--with-colons', path]);
  if (!r || r.exitCode !== 0) return undefined;
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('fpr:'))
    .map((l) => (l.split(':')[9] ?? '').toUpperCase());
}

export function sourcesListContent(): string {
  const base = NVIDIA_CONTAINER_TOOLKIT.repoListUrl.replace(/\/nvidia-container-toolkit\.list$/, '');
  return (
    '# NVIDIA Container Toolkit, stable channel only (written by kindling host setup).\n' +
    `deb [signed-by=${NVIDIA_CONTAINER_TOOLKIT.keyring}] ${base}/$(ARCH) /\n`
  );
}

export function inotifyFileContent(values: Record<string, number>): string {
  return (
    '# kind\'s recommended inotify limits (kind known issues: "too many open files").\n' +
    '# Written by kindling host setup; `kindling host restore` removes it.\n' +
    Object.entries(values)
      .map(([k, v]) => `${k} = ${v}\n`)
      .join('')
  );
}

async function readInotify(ctx: Context): Promise<{ watches: number; instances: number }> {
  const num = async (p: string) => Number.parseInt((await ctx.files.read(p))?.trim() ?? '0', 10) || 0;
  return { watches: await num('/proc/sys/fs/inotify/max_user_watches'), instances: await num('/proc/sys/fs/inotify/max_user_instances') };
}

function wantedInotify(current: { watches: number; instances: number }): Record<string, number> {
  const out: Record<string, number> = {};
  if (current.watches < INOTIFY_RECOMMENDED.maxUserWatches) out['fs.inotify.max_user_watches'] = INOTIFY_RECOMMENDED.maxUserWatches;
  if (current.instances < INOTIFY_RECOMMENDED.maxUserInstances) out['fs.inotify.max_user_instances'] = INOTIFY_RECOMMENDED.maxUserInstances;
  return out;
}

async function driverWorks(ctx: Context): Promise<string | undefined> {
  const r = await probe(ctx, ['nvidia-smi', '--query-gpu=driver_version', '--format=csv,noheader']);
  if (!r || r.exitCode !== 0) return undefined;
  return r.stdout.trim().split('\n')[0]?.trim() || 'installed';
}

async function binariesToInstall(ctx: Context): Promise<{ name: string; have: string | undefined }[]> {
  const out: { name: string; have: string | undefined }[] = [];
  for (const bin of HOST_BINARIES) {
    const have = await toolVersion(ctx, bin.name);
    const min = MINIMUM_VERSIONS[bin.name as keyof typeof MINIMUM_VERSIONS];
    if (have === undefined || have === '' || (min !== undefined && compareVersions(have, min) < 0)) out.push({ name: bin.name, have });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Steps

const prerequisites: SetupStep = {
  id: 'prerequisites',
  title: 'Download tools (curl, gpg)',
  root: true,
  async check(ctx) {
    const missing = [];
    if (!(await onPath(ctx.env, 'curl'))) missing.push('curl');
    if (!(await onPath(ctx.env, 'gpg'))) missing.push('gpg');
    return missing.length === 0 ? 'curl and gpg are installed' : null;
  },
  async apply(ctx, s) {
    await aptInstall(ctx, s, ['curl', 'ca-certificates', 'gnupg'], 'tools to download and verify packages');
    return 'installed curl, ca-certificates, gnupg';
  },
};

const driver: SetupStep = {
  id: 'nvidia-driver',
  title: 'NVIDIA driver',
  root: true,
  async check(ctx, s) {
    const working = await driverWorks(ctx);
    if (working) {
      if (s.options.driver && s.options.driver !== working) {
        s.notes.push(`A working NVIDIA driver ${working} is installed: kindling never replaces it (--driver ${s.options.driver} ignored).`);
      }
      return `driver ${working} works (kept as it is)`;
    }
    if (!s.options.driver) {
      if (s.facts.nvidia.status !== 'ok') s.notes.push('No working NVIDIA driver: pass --driver VERSION to install one (e.g. kindling host setup --driver 580.159.04).');
      return 'no driver, and none asked for (--driver VERSION)';
    }
    return null;
  },
  async apply(ctx, s) {
    const version = s.options.driver ?? '';
    const major = version.split('.')[0] ?? version;
    // Kernel headers and a compiler first: the kernel module is built on this host.
    const kernel = s.facts.kernel;
    const headers = `linux-headers-${kernel}`;
    const have = await installedPackages(ctx, [headers, 'build-essential']);
    const needGcc = !(await onPath(ctx.env, 'gcc')) || !(await onPath(ctx.env, 'make'));
    const prereq = [...(have.has(headers) ? [] : [headers]), ...(needGcc ? ['build-essential'] : [])];
    if (prereq.length > 0) await aptInstall(ctx, s, prereq, 'kernel headers and compiler for the NVIDIA kernel module');
    // The distribution's package where it exists (Ubuntu: nvidia-driver-<major>-server, nvidia-driver-<major>).
    if (s.distro.id === 'ubuntu') {
      await aptUpdate(ctx, s);
      for (const pkg of [`nvidia-driver-${major}-server`, `nvidia-driver-${major}`]) {
        const r = await probe(ctx, ['apt-cache', 'show', '--no-all-versions', pkg]);
        if (r && r.exitCode === 0 && /^Package:/m.test(r.stdout)) {
          const candidate = /^Version:\s*(\S+)/m.exec(r.stdout)?.[1] ?? '';
          await aptInstall(ctx, s, [pkg], `NVIDIA driver ${major} (Ubuntu package)`);
          await loadModule(ctx, s);
          if (candidate && !candidate.startsWith(version)) {
            s.notes.push(`Installed Ubuntu's ${pkg} ${candidate} (the distribution's build of the ${major} branch) rather than exactly ${version}.`);
          }
          return `${pkg} ${candidate}`.trim();
        }
      }
    }
    // NVIDIA's .run installer.
    const arch = s.unameArch === 'aarch64' ? 'aarch64' : 'x86_64';
    const base = (s.options.driverMirror ?? ctx.env.KINDLING_DRIVER_MIRROR ?? NVIDIA_DRIVER_RUN.baseUrl).replace(/\/+$/, '');
    const url = `${base}/${NVIDIA_DRIVER_RUN.path(version, arch)}`;
    s.notes.push(`NVIDIA publishes no checksum for ${url.split('/').pop()}: it was fetched over HTTPS without a pinned SHA-256.`);
    const tmp = await makeTempDir(ctx);
    try {
      const file = await downloadTo(ctx, url, tmp, `NVIDIA-Linux-${arch}-${version}.run`, `NVIDIA driver ${version} installer`);
      await ctx.runner.run({
        argv: ['sh', file, '--silent'],
        mutating: true,
        root: true,
        timeoutMs: 30 * 60_000,
        description: `install NVIDIA driver ${version} (builds the kernel module)`,
        fix: 'See /var/log/nvidia-installer.log; a loaded nouveau driver needs a reboot after blacklisting it',
      });
    } finally {
      await removeTempDir(ctx, tmp);
    }
    await loadModule(ctx, s);
    return `NVIDIA .run ${version}`;
  },
};

async function loadModule(ctx: Context, s: SetupState): Promise<void> {
  const r = await ctx.runner.run({ argv: ['modprobe', 'nvidia'], mutating: true, root: true, allowFailure: true, description: 'load the new kernel module' });
  if (!r.recorded && r.exitCode !== 0) s.notes.push('The nvidia kernel module did not load yet: reboot, then run kindling doctor.');
}

const docker: SetupStep = {
  id: 'docker',
  title: 'Docker Engine',
  root: true,
  async check(ctx) {
    if (await onPath(ctx.env, 'docker')) return 'docker is installed (kept as it is)';
    const pkgs = await installedPackages(ctx, ['docker.io', 'docker-ce', 'moby-engine']);
    if (pkgs.size > 0) return `${[...pkgs.keys()].join(', ')} installed`;
    return null;
  },
  async apply(ctx, s) {
    await aptInstall(ctx, s, ['docker.io'], `Docker from ${s.distro.id === 'ubuntu' ? 'Ubuntu' : 'Debian'}'s docker.io package`);
    return 'installed docker.io';
  },
};

const toolkitRepo: SetupStep = {
  id: 'toolkit-repo',
  title: 'NVIDIA Container Toolkit apt repository (stable)',
  root: true,
  async check(ctx) {
    const installed = (await installedPackages(ctx, ['nvidia-container-toolkit'])).get('nvidia-container-toolkit');
    if (installed !== undefined) return `not needed: the toolkit is installed (${installed})`;
    const keyOk = (await keyFingerprints(ctx, NVIDIA_CONTAINER_TOOLKIT.keyring))?.includes(NVIDIA_CONTAINER_TOOLKIT_KEY_FINGERPRINT) ?? false;
    const list = await ctx.files.read(SOURCES_LIST_PATH);
    if (keyOk && list === sourcesListContent()) return 'stable repository and its key are in place';
    return null;
  },
  async apply(ctx, s) {
    const keyOk = (await keyFingerprints(ctx, NVIDIA_CONTAINER_TOOLKIT.keyring))?.includes(NVIDIA_CONTAINER_TOOLKIT_KEY_FINGERPRINT) ?? false;
    if (!keyOk) {
      const tmp = await makeTempDir(ctx);
      try {
        const key = await downloadTo(ctx, NVIDIA_CONTAINER_TOOLKIT.keyUrl, tmp, 'gpgkey', 'NVIDIA repository signing key');
        if (ctx.dryRun) ctx.plan.note(`check that ${key} has fingerprint ${NVIDIA_CONTAINER_TOOLKIT_KEY_FINGERPRINT} (else stop)`);
        else {
          const fprs = await keyFingerprints(ctx, key);
          if (!fprs?.includes(NVIDIA_CONTAINER_TOOLKIT_KEY_FINGERPRINT)) {
            throw new UserError(
              `The key downloaded from ${NVIDIA_CONTAINER_TOOLKIT.keyUrl} has fingerprint ${fprs?.join(', ') || '(none readable)'}, not NVIDIA's ${NVIDIA_CONTAINER_TOOLKIT_KEY_FINGERPRINT}. Nothing was installed from it.`,
              { exitCode: ExitCode.failed, fix: 'Retry later; if it persists, check for a proxy rewriting downloads' },
            );
          }
        }
        await ctx.runner.run({
          argv: ['gpg', '--batch', '--yes', '--dearmor', '-o', NVIDIA_CONTAINER_TOOLKIT.keyring, key],
          mutating: true,
          root: true,
          description: 'install the repository key',
        });
      } finally {
        await removeTempDir(ctx, tmp);
      }
    }
    if ((await ctx.files.read(SOURCES_LIST_PATH)) !== sourcesListContent()) {
      await writeWithBackup(ctx, SOURCES_LIST_PATH, sourcesListContent(), { description: 'NVIDIA stable apt repository (never the experimental channel)', mode: 0o644 });
    }
    s.aptUpdated = false; // a new source: refresh the lists before installing from it
    return 'stable channel, key fingerprint checked';
  },
};

const toolkitPackages: SetupStep = {
  id: 'toolkit',
  title: `NVIDIA Container Toolkit ${NVIDIA_CONTAINER_TOOLKIT.version}`,
  root: true,
  async check(ctx, s) {
    const have = await installedPackages(ctx, ['nvidia-container-toolkit']);
    const v = have.get('nvidia-container-toolkit');
    if (v === undefined) return null;
    if (compareVersions(v, MINIMUM_VERSIONS.nvidiaCtk) < 0) {
      s.notes.push(`nvidia-container-toolkit ${v} is older than ${MINIMUM_VERSIONS.nvidiaCtk}; upgrade: sudo apt-get install -y ${NVIDIA_CONTAINER_TOOLKIT.packages.map((p) => `${p}=${NVIDIA_CONTAINER_TOOLKIT.debVersion}`).join(' ')}`);
    }
    return `installed (${v}, kept as it is)`;
  },
  async apply(ctx, s) {
    await aptInstall(
      ctx,
      s,
      NVIDIA_CONTAINER_TOOLKIT.packages.map((p) => `${p}=${NVIDIA_CONTAINER_TOOLKIT.debVersion}`),
      `NVIDIA Container Toolkit ${NVIDIA_CONTAINER_TOOLKIT.version} (pinned)`,
    );
    return `installed ${NVIDIA_CONTAINER_TOOLKIT.debVersion}`;
  },
};

const daemonJson: SetupStep = {
  id: 'daemon-json',
  title: 'Docker: nvidia runtime as default, CDI on',
  root: true,
  async check(ctx) {
    return configureDaemonJson(await ctx.files.read(DAEMON_JSON_PATH)) === undefined ? `${DAEMON_JSON_PATH} already configured` : null;
  },
  async apply(ctx, s) {
    const content = configureDaemonJson(await ctx.files.read(DAEMON_JSON_PATH));
    if (content === undefined) return;
    await writeWithBackup(ctx, DAEMON_JSON_PATH, content, {
      description: 'what `nvidia-ctk runtime configure --runtime=docker --set-as-default --cdi.enabled` writes; other keys kept',
      mode: 0o644,
    });
    s.daemonJsonChanged = true;
    return `${DAEMON_JSON_PATH} updated (backup kept)`;
  },
};

const toolkitConfig: SetupStep = {
  id: 'toolkit-config',
  title: 'NVIDIA runtime: GPUs selected by volume mounts (kind)',
  root: true,
  async check(ctx) {
    return enableVolumeMounts(await ctx.files.read(TOOLKIT_CONFIG_PATH)) === undefined ? 'accept-nvidia-visible-devices-as-volume-mounts = true already' : null;
  },
  async apply(ctx) {
    const before = await ctx.files.read(TOOLKIT_CONFIG_PATH);
    const content = enableVolumeMounts(before);
    if (content === undefined) return;
    const description =
      before === undefined && ctx.dryRun
        ? 'the toolkit package writes this file when installed; kindling then adds this one setting to it (shown here on an empty file)'
        : 'what `nvidia-ctk config --set accept-nvidia-visible-devices-as-volume-mounts=true --in-place` does; every other line kept';
    await writeWithBackup(ctx, TOOLKIT_CONFIG_PATH, content, { description, mode: 0o644 });
    return `${TOOLKIT_CONFIG_PATH} updated (backup kept)`;
  },
};

interface ServiceState {
  systemd: boolean;
  enabled: boolean;
  active: boolean;
  /** daemon.json asks for the nvidia default runtime but the running daemon does not use it. */
  stale: boolean;
}

async function dockerService(ctx: Context): Promise<ServiceState> {
  const enabled = await probe(ctx, ['systemctl', 'is-enabled', 'docker']);
  if (!enabled) return { systemd: false, enabled: false, active: false, stale: false };
  const active = await probe(ctx, ['systemctl', 'is-active', 'docker']);
  const isActive = active?.stdout.trim() === 'active';
  let stale = false;
  if (isActive) {
    const wanted = daemonJsonState(await ctx.files.read(DAEMON_JSON_PATH).catch(() => undefined)).defaultRuntime;
    const info = await probe(ctx, ['docker', 'info', '--format', '{{.DefaultRuntime}}']);
    if (wanted === 'nvidia' && info && info.exitCode === 0 && info.stdout.trim() !== 'nvidia') stale = true;
  }
  return { systemd: true, enabled: enabled.stdout.trim() === 'enabled', active: isActive, stale };
}

const dockerDaemon: SetupStep = {
  id: 'docker-service',
  title: 'Docker service (enabled, running, configuration loaded)',
  root: true,
  async check(ctx, s) {
    const st = await dockerService(ctx);
    if (!st.systemd) {
      s.notes.push('systemctl not found: start dockerd yourself (and restart it after a daemon.json change).');
      return 'no systemd here';
    }
    if (st.enabled && st.active && !st.stale && !s.daemonJsonChanged) return 'enabled and running with the current configuration';
    return null;
  },
  async apply(ctx, s) {
    const st = await dockerService(ctx);
    const done: string[] = [];
    if (!st.enabled) {
      await ctx.runner.run({ argv: ['systemctl', 'enable', 'docker'], mutating: true, root: true, description: 'start Docker at boot' });
      done.push('enabled');
    }
    if (s.daemonJsonChanged || st.stale) {
      await ctx.runner.run({
        argv: ['systemctl', 'restart', 'docker'],
        mutating: true,
        root: true,
        timeoutMs: 180_000,
        description: 'load the new daemon.json',
        fix: ['sudo journalctl -u docker --no-pager -n 50   (why dockerd did not start)', 'kindling host restore   (puts the previous daemon.json back)'],
      });
      done.push('restarted');
    } else if (!st.active) {
      await ctx.runner.run({ argv: ['systemctl', 'start', 'docker'], mutating: true, root: true, timeoutMs: 180_000, description: 'start Docker', fix: 'sudo journalctl -u docker --no-pager -n 50' });
      done.push('started');
    }
    return done.join(', ');
  },
};

const dockerGroup: SetupStep = {
  id: 'docker-group',
  title: 'docker group membership',
  root: true,
  async check(ctx, s) {
    const user = invokingUser(ctx, s.facts);
    if (!user) return 'running as root';
    const members = await dockerGroupMembers(ctx);
    if (members?.includes(user)) return `${user} is in the docker group`;
    if (s.facts.user.name === user && s.facts.user.groups.includes('docker')) return `${user} is in the docker group`;
    return null;
  },
  async apply(ctx, s) {
    const user = invokingUser(ctx, s.facts) ?? '';
    await ctx.runner.run({ argv: ['usermod', '-aG', 'docker', user], mutating: true, root: true, description: `let ${user} use Docker without sudo` });
    s.notes.push(`${user} was added to the docker group: log out and in again (or run \`newgrp docker\`) before using Docker without sudo.`);
    return `added ${user}`;
  },
};

const binaries: SetupStep = {
  id: 'binaries',
  title: `kind ${HOST_BINARIES[0]?.version}, kubectl ${HOST_BINARIES[1]?.version}, helm ${HOST_BINARIES[2]?.version}`,
  root: true,
  async check(ctx) {
    const missing = await binariesToInstall(ctx);
    return missing.length === 0 ? 'kind, kubectl and helm are installed' : null;
  },
  async apply(ctx, s) {
    const missing = await binariesToInstall(ctx);
    const items = missing.map(({ name }) => {
      const bin = HOST_BINARIES.find((b) => b.name === name);
      if (!bin) throw new Error(`unknown binary ${name}`);
      return downloadItem(bin, s.arch, s.mirror, s.pins);
    });
    await installVerified(ctx, items);
    return missing.map((m) => `${m.name}${m.have ? ` (was ${m.have})` : ''}`).join(', ') + ' installed, SHA-256 checked';
  },
};

const inotify: SetupStep = {
  id: 'inotify',
  title: 'inotify limits (kind recommendation)',
  root: true,
  async check(ctx) {
    const cur = await readInotify(ctx);
    return Object.keys(wantedInotify(cur)).length === 0 ? `max_user_watches=${cur.watches}, max_user_instances=${cur.instances}` : null;
  },
  async apply(ctx) {
    const want = wantedInotify(await readInotify(ctx));
    await ctx.runner.run({
      argv: ['sysctl', '-w', ...Object.entries(want).map(([k, v]) => `${k}=${v}`)],
      mutating: true,
      root: true,
      description: 'raise the limits now',
    });
    await writeWithBackup(ctx, INOTIFY_SYSCTL_PATH, inotifyFileContent(want), { description: 'keep them after a reboot', mode: 0o644 });
    return Object.entries(want).map(([k, v]) => `${k.replace('fs.inotify.', '')}=${v}`).join(', ');
  },
};

/** Every step, in order. */
export const SETUP_STEPS: readonly SetupStep[] = [
  prerequisites,
  driver,
  docker,
  toolkitRepo,
  toolkitPackages,
  daemonJson,
  toolkitConfig,
  dockerDaemon,
  dockerGroup,
  binaries,
  inotify,
];

// ---------------------------------------------------------------------------------------------
// Preview (the plan shown before asking for confirmation)

/** Records mutating commands into its own plan and runs read-only probes for real. */
class PreviewRunner implements ProcessRunner {
  readonly dryRun = true;
  constructor(
    private readonly inner: ProcessRunner,
    private readonly plan: Plan,
  ) {}
  run(spec: CommandSpec): Promise<RunResult> {
    if (!spec.mutating) return this.inner.run(spec);
    this.plan.record({
      kind: 'command',
      argv: [...spec.argv],
      root: spec.root ?? false,
      ...(spec.stdin === undefined ? {} : { stdin: spec.stdinSecret ? '***' : spec.stdin }),
      ...(spec.env ? { envNames: Object.keys(spec.env) } : {}),
      ...(spec.description ? { description: spec.description } : {}),
    });
    return Promise.resolve({ exitCode: 0, stdout: '', stderr: '', durationMs: 0, recorded: true });
  }
  stream(spec: CommandSpec, onLine: (line: string, source: LineSource) => void): Promise<RunResult> {
    return spec.mutating ? this.run(spec) : this.inner.stream(spec, onLine);
  }
}

function previewContext(ctx: Context, isRoot: boolean): Context {
  const plan = new Plan(true);
  const runner = new PreviewRunner(ctx.runner, plan);
  return { ...ctx, plan, runner, dryRun: true, files: new HostFiles(ctx.paths, plan, runner, isRoot) };
}

// ---------------------------------------------------------------------------------------------
// The service

async function initialState(ctx: Context, options: HostSetupOptions): Promise<SetupState> {
  requireLinux(options.platform ?? process.platform);
  const facts = await collectHostFacts(ctx);
  const distro = requireSupportedDistro(facts.os, facts.arch);
  const arch = debArch(facts.arch);
  const pins = await loadPinsOverride(ctx);
  return {
    facts,
    distro,
    arch,
    unameArch: facts.arch,
    options,
    mirror: mirrorBase(options.mirror, ctx.env),
    pins,
    aptUpdated: false,
    daemonJsonChanged: false,
    notes: [],
  };
}

export async function hostSetup(ctx: Context, options: HostSetupOptions = {}): Promise<HostSetupResult> {
  if (options.driver !== undefined && !/^\d+(\.\d+){1,2}$/.test(options.driver)) {
    throw new UserError(`--driver ${options.driver}: expected an NVIDIA driver version such as 580.159.04 or 580.`, { fix: 'kindling host setup --driver 580.159.04' });
  }
  const s = await initialState(ctx, options);
  if (s.pins) ctx.io.warn(`Using SHA-256 pins from KINDLING_PINS_FILE=${s.pins.file} instead of kindling's own (meant for mirrors serving their own builds, and tests).`);
  if (s.mirror) ctx.io.info(`Downloading kind, kubectl and helm from the mirror ${s.mirror}`);

  // What is missing, judged on the host as it is now (read-only).
  const needed: SetupStep[] = [];
  const reasons = new Map<string, string>();
  const scratch: SetupState = { ...s, notes: [] };
  for (const step of SETUP_STEPS) {
    const reason = await step.check(ctx, scratch);
    if (reason === null) needed.push(step);
    else reasons.set(step.id, reason);
  }

  const isRoot = s.facts.user.uid === 0;
  if (needed.length > 0 && !isRoot && !s.facts.user.sudo) {
    const rootSteps = needed.filter((st) => st.root).map((st) => `- ${st.title}`);
    if (rootSteps.length > 0) {
      const message = `${s.facts.user.name || `uid ${s.facts.user.uid}`} is not root and sudo is not installed, and these steps need root:`;
      if (ctx.dryRun) ctx.io.warn(`${message}\n${rootSteps.join('\n')}\n(the plan below marks every command that needs root with [root])`);
      else {
        throw new UserError(`${message} nothing was changed.`, {
          details: rootSteps,
          fix: ['Run it as root: su -c "kindling host setup"', 'or install sudo and add yourself to the sudo group, then run: kindling host setup'],
        });
      }
    }
  }

  if (needed.length === 0) {
    const steps: StepOutcome[] = SETUP_STEPS.map((st) => ({ id: st.id, title: st.title, status: 'skipped', detail: reasons.get(st.id) ?? '', root: st.root }));
    for (const st of steps) await ctx.io.step(st.title, async (h) => h.skip(st.detail));
    const result: HostSetupResult = { dryRun: ctx.dryRun, changed: false, steps, notes: scratch.notes, backups: backupDir(ctx) };
    if (!ctx.dryRun) result.doctor = await finalChecks(ctx, false);
    return finish(ctx, result);
  }

  if (!ctx.dryRun && !ctx.assumeYes) {
    const preview = previewContext(ctx, isRoot);
    const ps: SetupState = { ...s, notes: [] };
    for (const step of SETUP_STEPS) if ((await step.check(preview, ps)) === null) await step.apply(preview, ps);
    ctx.io.info(`kindling host setup will make these ${preview.plan.mutatingCount} changes, in order:\n\n${preview.plan.render()}`);
    const yes = await ctx.io.confirm('Apply them?', { assumeYes: false });
    if (!yes) {
      throw new UserError('Nothing was changed: host setup changes this machine and needs a confirmation.', {
        fix: ['kindling host setup --yes   (apply without asking)', 'kindling host setup --dry-run   (only show the plan)'],
      });
    }
  }

  const outcomes: StepOutcome[] = [];
  for (const step of SETUP_STEPS) {
    await ctx.io.step(step.title, async (h) => {
      const reason = await step.check(ctx, s);
      if (reason !== null) {
        h.skip(reason);
        outcomes.push({ id: step.id, title: step.title, status: 'skipped', detail: reason, root: step.root });
        return;
      }
      const detail = (await step.apply(ctx, s)) ?? '';
      h.done(ctx.dryRun ? `planned${detail ? `: ${detail}` : ''}` : detail);
      outcomes.push({ id: step.id, title: step.title, status: ctx.dryRun ? 'planned' : 'done', detail, root: step.root });
    });
  }
  const result: HostSetupResult = { dryRun: ctx.dryRun, changed: true, steps: outcomes, notes: s.notes, backups: backupDir(ctx) };
  if (ctx.dryRun) ctx.plan.note('then: kindling doctor checks, and the GPU-in-container checks (doctor --deep) when a GPU is present');
  else result.doctor = await finalChecks(ctx, true);
  return finish(ctx, result);
}

async function finalChecks(ctx: Context, changed: boolean): Promise<HostSetupResult['doctor']> {
  const { runDoctorChecks } = await import('./doctor.js');
  const facts = await collectHostFacts(ctx);
  const gpus = facts.nvidia.status === 'ok' ? facts.nvidia.gpus.length : 0;
  const report = await ctx.io.step(changed && gpus > 0 ? 'Doctor checks (with GPU-in-container checks)' : 'Doctor checks', async (h) => {
    const r = await runDoctorChecks(ctx, { facts, deep: changed && gpus > 0 });
    const failed = r.checks.filter((c) => c.status === 'fail').length;
    h.done(failed === 0 ? `${r.checks.length} checks, none failed` : `${failed} failed`);
    return r;
  });
  const pick = (c: { id: string; title: string; detail: string; fix?: string }) => ({ id: c.id, title: c.title, detail: c.detail, ...(c.fix ? { fix: c.fix } : {}) });
  return {
    ok: report.ok,
    failed: report.checks.filter((c) => c.status === 'fail').map(pick),
    warnings: report.checks.filter((c) => c.status === 'warn').map(pick),
  };
}

function finish(ctx: Context, result: HostSetupResult): HostSetupResult {
  ctx.io.result(result, renderSetupResult);
  if (result.doctor && !result.doctor.ok) {
    throw new UserError(
      result.changed ? 'Host setup made its changes, but doctor still finds problems:' : 'Nothing to change, but doctor finds problems host setup does not fix by itself:',
      {
        exitCode: result.changed ? ExitCode.failed : ExitCode.usage,
        details: result.doctor.failed.map((c) => `- ${c.title}: ${c.detail}${c.fix ? `\n    fix: ${c.fix}` : ''}`),
      },
    );
  }
  return result;
}

export function renderSetupResult(r: HostSetupResult): string {
  const lines: string[] = [];
  if (!r.changed) lines.push('Nothing to do: this host already has everything kindling host setup installs and configures.');
  else if (r.dryRun) lines.push(`Dry run: ${r.steps.filter((s) => s.status === 'planned').length} of ${r.steps.length} steps would change this host.`);
  else {
    const done = r.steps.filter((s) => s.status === 'done');
    lines.push(`Host setup changed ${done.length} thing${done.length === 1 ? '' : 's'}: ${done.map((s) => s.title).join('; ')}.`);
    lines.push(`Backups of changed files: ${r.backups} (undo with: kindling host restore)`);
  }
  for (const n of r.notes) lines.push(`Note: ${n}`);
  if (r.doctor) {
    for (const w of r.doctor.warnings) lines.push(`Warning: ${w.title}: ${w.detail}${w.fix ? ` (fix: ${w.fix})` : ''}`);
    if (r.doctor.ok) lines.push('Doctor: the host is ready for kindling up.');
  }
  return lines.join('\n');
}
