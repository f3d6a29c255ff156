// Fake `apt-get update|install -y [opts] PKG[=VERSION]…|download PKG[=VERSION]…` of an Ubuntu/Debian host.
// `download` writes <name>_<version>_<arch>.deb into the CURRENT directory (as apt-get does; kindling's
// runner sets cwd), each a small deterministic ar archive, and prints apt's Get:/Fetched lines. Installing a package
// changes the simulated host the way its maintainer scripts do: docker.io starts and enables Docker and
// creates the docker group; nvidia-container-toolkit writes the default config.toml (as nvidia-ctk does
// in the package's postinst); build-essential brings gcc and make; nvidia-driver-* a working driver.
// NVIDIA's packages are only found once /etc/apt/sources.list.d/nvidia-container-toolkit.list exists.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exists, write } from './_hostfs.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const DEFAULT_TOOLKIT_TOML = () => readFileSync(join(here, '../../../fixtures/host/toolkit-config-default.toml'), 'utf8');
const NVIDIA_PKGS = ['nvidia-container-toolkit', 'nvidia-container-toolkit-base', 'libnvidia-container-tools', 'libnvidia-container1'];

function defaultVersion(name, state) {
  if (name === 'docker.io') return state.os.id === 'ubuntu' ? '28.2.2-0ubuntu1~24.04.1' : '20.10.24+dfsg1-1+deb12u1';
  if (NVIDIA_PKGS.includes(name)) return '1.19.1-1';
  if (name.startsWith('nvidia-driver-')) return '580.95.05-0ubuntu0.24.04.2';
  return '1.0-1';
}

export async function handle(call, sim) {
  const args = call.args.filter((a, i, all) => a !== '-o' && all[i - 1] !== '-o');
  const verb = args.find((a) => !a.startsWith('-'));
  const s = sim.state;
  if (verb === 'update') {
    const nv = exists(sim, '/etc/apt/sources.list.d/nvidia-container-toolkit.list');
    return {
      stdout: `Hit:1 http://archive.ubuntu.com/ubuntu noble InRelease\n${nv ? 'Get:2 https://nvidia.github.io/libnvidia-container/stable/deb/amd64  InRelease [1477 B]\n' : ''}Reading package lists...\n`,
      mutating: true,
    };
  }
  if (verb === 'download') return download(args.slice(args.indexOf('download') + 1).filter((a) => !a.startsWith('-')), sim, call.cwd ?? process.cwd());
  if (verb !== 'install') return { stderr: `E: Invalid operation ${verb}\n`, exitCode: 100 };
  const pkgs = args.slice(args.indexOf('install') + 1).filter((a) => !a.startsWith('-'));
  const lines = ['Reading package lists...', 'Building dependency tree...', 'Reading state information...'];
  for (const spec of pkgs) {
    const [name, pinned] = spec.split('=');
    if (NVIDIA_PKGS.includes(name) && !exists(sim, '/etc/apt/sources.list.d/nvidia-container-toolkit.list')) {
      return { stdout: lines.join('\n') + '\n', stderr: `E: Unable to locate package ${name}\n`, exitCode: 100, mutating: true };
    }
  }
  for (const spec of pkgs) {
    const [name, pinned] = spec.split('=');
    const version = pinned ?? defaultVersion(name, s);
    s.packages[name] = version;
    lines.push(`Setting up ${name} (${version}) ...`);
    if (name === 'docker.io' || name === 'docker-ce') {
      Object.assign(s.docker, { installed: true, package: name, running: true, enabled: true, version: version.replace(/[-+~].*$/, ''), runtimes: ['io.containerd.runc.v2', 'runc'], defaultRuntime: 'runc' });
      s.groups ??= {};
      s.groups.docker ??= [];
      lines.push('Created symlink /etc/systemd/system/multi-user.target.wants/docker.service → /usr/lib/systemd/system/docker.service.');
      sim.install('docker');
    } else if (name === 'nvidia-container-toolkit') {
      s.toolkit = { installed: true, version: version.replace(/-\d+$/, '') };
      if (!exists(sim, '/etc/nvidia-container-runtime/config.toml')) write(sim, '/etc/nvidia-container-runtime/config.toml', DEFAULT_TOOLKIT_TOML());
      sim.install('nvidia-ctk');
    } else if (name === 'build-essential') {
      sim.install('gcc');
      sim.install('make');
    } else if (/^nvidia-driver-\d+/.test(name)) {
      s.driver.installed = true;
      s.driver.version = version.replace(/-.*$/, '');
      sim.install('nvidia-smi');
    } else if (name === 'curl' || name === 'gnupg') {
      s.tools[name === 'gnupg' ? 'gpg' : name] = version;
      sim.install(name === 'gnupg' ? 'gpg' : name);
    }
  }
  return { stdout: lines.join('\n') + '\n', mutating: true };
}

const NVIDIA_REPO = 'https://nvidia.github.io/libnvidia-container/stable/deb/amd64';

/** A minimal ar archive (the .deb container format) naming the package: deterministic bytes. */
function debBytes(name, version) {
  const member = (file, body) => {
    const header = `${file.padEnd(16)}${'0'.padEnd(12)}${'0'.padEnd(6)}${'0'.padEnd(6)}${'100644'.padEnd(8)}${String(body.length).padEnd(10)}\`\n`;
    return header + body + (body.length % 2 === 1 ? '\n' : '');
  };
  return `!<arch>\n${member('debian-binary', '2.0\n')}${member('sim-package', `${name} ${version}\n`)}`;
}

function download(specs, sim, cwd) {
  if (specs.length === 0) return { stderr: 'E: Must specify at least one package to fetch\n', exitCode: 100 };
  const nvidiaRepo = exists(sim, '/etc/apt/sources.list.d/nvidia-container-toolkit.list');
  const lines = [];
  for (const spec of specs) {
    const [name, pinned] = spec.split('=');
    if (NVIDIA_PKGS.includes(name) && !nvidiaRepo) return { stderr: `E: Unable to locate package ${name}\n`, exitCode: 100, mutating: true };
    if (pinned !== undefined && !/^\d[\w.+~:-]*$/.test(pinned)) return { stderr: `E: Version '${pinned}' for '${name}' was not found\n`, exitCode: 100, mutating: true };
  }
  let total = 0;
  for (const [i, spec] of specs.entries()) {
    const [name, pinned] = spec.split('=');
    const version = pinned ?? defaultVersion(name, sim.state);
    const bytes = debBytes(name, version);
    // apt writes the epoch's colon as %3a in file names
    writeFileSync(join(cwd, `${name}_${version.replace(/:/g, '%3a')}_amd64.deb`), bytes);
    total += bytes.length;
    const origin = NVIDIA_PKGS.includes(name) ? `${NVIDIA_REPO}  ${name} ${version}` : `http://archive.ubuntu.com/ubuntu noble/main amd64 ${name} amd64 ${version}`;
    lines.push(`Get:${i + 1} ${origin} [${bytes.length} B]`);
  }
  lines.push(`Fetched ${total} B in 0s (${total * 10} B/s)`);
  return { stdout: `${lines.join('\n')}\n`, mutating: true };
}
