// `docker exec` / `docker cp` into simulated containers (delegated by docker.mjs), emulating a kind
// node (kindest/node: Debian 12, containerd 2.x, privileged) for nvkind's per-node GPU setup:
//   dpkg-query -W -f=${Version} PKG · dpkg -i FILE.deb… (files reached through the node's mounts)
//   nvidia-ctk runtime configure --runtime=containerd --config-source=file · systemctl restart containerd
//   cat FILE (/proc/driver/nvidia/params, /etc/containerd/conf.d/99-nvidia.toml …) · crictl info · ls /dev
//   sh -c SCRIPT for: kindling's one-exec node probe (the lines above, sectioned), the in-node apt install, the ModifyDeviceFiles masking (mount --bind), the
//   removal of /dev/nvidiaN · nvidia-smi --query-gpu=index,name,uuid --format=csv,noheader
// Node state lives on the container (container.node). A privileged node sees every host GPU's
// /dev/nvidiaN until they are removed; nvidia-smi inside shows the GPUs whose device node exists.
// Error texts are docker's / the tools' own.
import { existsSync } from 'node:fs';
import { findContainer } from './docker.mjs';

const ok = (stdout = '', mutating = false, stderr = '') => ({ stdout, stderr, exitCode: 0, mutating });
const err = (stderr, exitCode = 1, mutating = false, stdout = '') => ({ stdout, stderr: stderr.endsWith('\n') ? stderr : `${stderr}\n`, exitCode, mutating });
const notFound = (bin) => err(`OCI runtime exec failed: exec failed: unable to start container process: exec: "${bin}": executable file not found in $PATH: unknown`, 127);

const DROP_IN = '/etc/containerd/conf.d/99-nvidia.toml';
const NVIDIA_BINS = ['nvidia-ctk', 'nvidia-container-runtime', 'nvidia-container-cli'];

const DROP_IN_TEXT = `version = 2

[plugins]

  [plugins."io.containerd.grpc.v1.cri"]

    [plugins."io.containerd.grpc.v1.cri".containerd]

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes]

        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia]
          privileged_without_host_devices = false
          runtime_engine = ""
          runtime_root = ""
          runtime_type = "io.containerd.runc.v2"

          [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia.options]
            BinaryName = "/usr/bin/nvidia-container-runtime"
`;

/** GPU indices (or 'all') a node got through /dev/null → /var/run/nvidia-container-devices/X mounts. */
export function assignedGpus(container) {
  const devs = (container.mounts ?? [])
    .map((m) => m.split(':'))
    .filter(([src, dst]) => src === '/dev/null' && dst?.startsWith('/var/run/nvidia-container-devices/'))
    .map(([, dst]) => dst.slice('/var/run/nvidia-container-devices/'.length));
  if (devs.includes('all')) return 'all';
  return devs.map(Number);
}

function nodeState(container, state) {
  if (!container.node) {
    const gpus = state.gpus ?? [];
    const assigned = assignedGpus(container);
    const hasGpus = assigned === 'all' || assigned.length > 0;
    container.node = {
      packages: {},
      files: {},
      containerdRuntimes: ['runc'],
      containerdRestarts: 0,
      paramsMasked: false,
      // privileged: the host's device nodes are all there (only for nodes the nvidia runtime started)
      devNodes: hasGpus ? gpus.map((g) => g.index) : [],
      hasGpus,
    };
  }
  return container.node;
}

/** The host path behind a path inside the node (through its bind mounts), or undefined. */
function hostPathOf(container, path) {
  let best;
  for (const m of container.mounts ?? []) {
    const [src, dst] = m.split(':');
    if (!dst || src === '/dev/null') continue;
    if ((path === dst || path.startsWith(`${dst}/`)) && (!best || dst.length > best.dst.length)) best = { src, dst };
  }
  return best ? best.src + path.slice(best.dst.length) : undefined;
}

function parseExec(args) {
  const withValue = new Set(['-e', '--env', '-u', '--user', '-w', '--workdir', '--env-file', '--detach-keys']);
  let i = 1;
  while (i < args.length && args[i].startsWith('-')) i += withValue.has(args[i]) ? 2 : 1;
  return { container: args[i], argv: args.slice(i + 1) };
}

function paramsText(sim, masked) {
  const host = sim.readHostFile('/proc/driver/nvidia/params') ?? 'ModifyDeviceFiles: 1\n';
  const body = host.includes('ModifyDeviceFiles') ? host : `ModifyDeviceFiles: 1\n${host}`;
  return masked ? body.replace(/^ModifyDeviceFiles: \d+$/m, 'ModifyDeviceFiles: 0') : body;
}

function installPackage(node, name, version) {
  node.packages[name] = version;
}

/** Shell words of a simple command line (single/double quotes, no expansion). */
function shellWords(line) {
  const words = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3]);
  return words;
}

/**
 * kindling's node probe: `p() { …printf '@@kindling-probe %s %s\n%s\n' "$n" "$r" "$o"; }` then one
 * `p NAME COMMAND…` line per probe. Each command is answered as a single exec would be; the output is
 * what the real shell prints (the docker suite runs the same script in a real container).
 */
function runProbeScript(script, c, sim) {
  const lines = script.split('\n');
  const mark = /printf '(@@[a-z-]+) %s %s/.exec(lines[0] ?? '')?.[1];
  if (!mark) return undefined;
  let out = '';
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const [fn, name, ...argv] = shellWords(line);
    if (fn !== 'p' || !name || argv.length === 0) return err(`sh: 1: Syntax error in sim probe line: ${line}`, 2);
    const r = execInNode(c, argv, sim);
    out += `${mark} ${name} ${r.exitCode}\n${r.stdout.replace(/\n+$/, '')}\n`;
  }
  return ok(out);
}

function runScript(script, c, node, sim) {
  if (/^p\(\) \{/.test(script)) {
    const probe = runProbeScript(script, c, sim);
    if (probe) return probe;
  }
  if (/apt-get install/.test(script)) {
    if (sim.scenario.options?.nodeInternet === false) {
      return err("E: Failed to fetch https://nvidia.github.io/libnvidia-container/stable/deb/amd64/InRelease  Could not resolve 'nvidia.github.io'\nE: Some index files failed to download. They have been ignored, or old ones used instead.", 100, true);
    }
    for (const m of script.matchAll(/\b([a-z0-9][a-z0-9+.-]*)=(\d[^\s]*)/g)) installPackage(node, m[1], m[2]);
    if (!/=\d/.test(script)) installPackage(node, 'nvidia-container-toolkit', '1.19.1-1');
    return ok('Reading package lists...\nSetting up nvidia-container-toolkit ...\n', true);
  }
  if (/mount --bind/.test(script) && /gpu-params/.test(script)) {
    node.paramsMasked = true;
    node.files['/root/gpu-params'] = paramsText(sim, true);
    return ok('', true);
  }
  if (/rm -f/.test(script) && /\/dev\/nvidia\d/.test(script)) {
    const gone = [...script.matchAll(/\/dev\/nvidia(\d+)/g)].map((m) => Number(m[1]));
    node.devNodes = node.devNodes.filter((i) => !gone.includes(i));
    return ok('', true);
  }
  if (/^\s*(true|:)\s*$/.test(script)) return ok('');
  return err(`sim: docker-exec cannot emulate this script in ${c.name}: ${script.slice(0, 200)}`, 127, true);
}

function execInNode(c, argv, sim) {
  const state = sim.state;
  const node = nodeState(c, state);
  const [bin, ...rest] = argv;
  switch (bin) {
    case 'true':
      return ok('');
    case 'dpkg-query': {
      const pkg = rest[rest.length - 1];
      const v = node.packages[pkg];
      return v ? ok(v) : err(`dpkg-query: no packages found matching ${pkg}`, 1);
    }
    case 'dpkg': {
      if (rest[0] !== '-i') return err(`sim: dpkg ${rest.join(' ')} is not emulated`, 2, true);
      const out = [];
      for (const f of rest.slice(1)) {
        const host = hostPathOf(c, f);
        if (!host || !existsSync(host)) return err(`dpkg: error: cannot access archive '${f}': No such file or directory`, 2, true, out.join('\n'));
        const m = /([^/]+)_([^_]+)_([^_]+)\.deb$/.exec(f);
        if (!m) return err(`dpkg-deb: error: '${f}' is not a Debian format archive`, 2, true);
        out.push(`Selecting previously unselected package ${m[1]}.`, `Preparing to unpack ${f} ...`, `Unpacking ${m[1]} (${m[2]}) ...`);
        installPackage(node, m[1], m[2]);
      }
      for (const f of rest.slice(1)) {
        const m = /([^/]+)_([^_]+)_([^_]+)\.deb$/.exec(f);
        out.push(`Setting up ${m[1]} (${m[2]}) ...`);
      }
      return ok(`${out.join('\n')}\n`, true);
    }
    case 'nvidia-ctk': {
      if (!node.packages['nvidia-container-toolkit'] && !node.packages['nvidia-container-toolkit-base']) return notFound('nvidia-ctk');
      if (rest[0] === 'runtime' && rest[1] === 'configure' && rest.includes('--runtime=containerd')) {
        node.files[DROP_IN] = DROP_IN_TEXT;
        return ok('', true, `time="2026-06-10T08:00:00Z" level=info msg="Using config version 2"\ntime="2026-06-10T08:00:00Z" level=info msg="Wrote updated config to ${DROP_IN}"\ntime="2026-06-10T08:00:00Z" level=info msg="It is recommended that containerd daemon be restarted."\n`);
      }
      if (rest[0] === '--version') return ok(`NVIDIA Container Toolkit CLI version ${(node.packages['nvidia-container-toolkit'] ?? '').replace(/-\d+$/, '')}\n`);
      return err(`sim: nvidia-ctk ${rest.join(' ')} is not emulated in nodes`, 1, true);
    }
    case 'systemctl': {
      if (rest[0] === 'restart' && rest[1] === 'containerd') {
        node.containerdRestarts += 1;
        node.containerdRuntimes = node.files[DROP_IN] ? ['runc', 'nvidia'] : ['runc'];
        return ok('', true);
      }
      if (rest[0] === 'is-active') return ok('active\n');
      return err(`sim: systemctl ${rest.join(' ')} is not emulated in nodes`, 1, true);
    }
    case 'crictl': {
      if (rest[0] !== 'info') return err(`sim: crictl ${rest.join(' ')} is not emulated`, 1);
      const runtimes = Object.fromEntries(node.containerdRuntimes.map((r) => [r, { runtimeType: 'io.containerd.runc.v2', ...(r === 'nvidia' ? { options: { BinaryName: '/usr/bin/nvidia-container-runtime' } } : {}) }]));
      return ok(`${JSON.stringify({ status: { conditions: [{ type: 'RuntimeReady', status: true }, { type: 'NetworkReady', status: true }] }, runtimeHandlers: node.containerdRuntimes.map((name) => ({ name, features: { recursive_read_only_mounts: true, user_namespaces: true } })), config: { containerd: { defaultRuntimeName: 'runc', runtimes } } }, null, 2)}\n`);
    }
    case 'cat': {
      const path = rest[0];
      if (path === '/proc/driver/nvidia/params') {
        if (!node.hasGpus && !sim.readHostFile(path)) return err(`cat: ${path}: No such file or directory`);
        return ok(paramsText(sim, node.paramsMasked));
      }
      if (path in node.files) return ok(node.files[path]);
      if (path === '/etc/containerd/config.toml') return ok('version = 2\n\n[plugins]\n  [plugins."io.containerd.grpc.v1.cri"]\n');
      return err(`cat: ${path}: No such file or directory`);
    }
    case 'ls': {
      if (rest[0] !== '/dev') return ok('');
      const entries = ['core', 'fd', 'full', 'fuse', 'kmsg', 'mqueue', 'null', 'ptmx', 'pts', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'tty', 'urandom', 'zero'];
      if (node.hasGpus) entries.push('nvidia-caps', 'nvidia-modeset', 'nvidia-uvm', 'nvidia-uvm-tools', 'nvidiactl', ...node.devNodes.map((i) => `nvidia${i}`));
      return ok(`${entries.sort().join('\n')}\n`);
    }
    case 'nvidia-smi': {
      if (!node.hasGpus) return notFound('nvidia-smi');
      const visible = (state.gpus ?? []).filter((g) => node.devNodes.includes(g.index));
      if (rest.some((a) => a.startsWith('--query-gpu='))) {
        const fields = rest.find((a) => a.startsWith('--query-gpu=')).slice('--query-gpu='.length).split(',');
        const noheader = rest.some((a) => /noheader/.test(a));
        const rows = visible.map((g, i) => fields.map((f) => (f === 'index' ? String(i) : f === 'name' ? g.name : f === 'uuid' ? g.uuid : f === 'memory.total' ? `${g.memoryMiB} MiB` : '[N/A]')).join(', '));
        return ok(`${noheader ? '' : `${fields.join(', ')}\n`}${rows.map((r) => `${r}\n`).join('')}`);
      }
      if (rest[0] === '-L') return ok(visible.map((g, i) => `GPU ${i}: ${g.name} (UUID: ${g.uuid})\n`).join(''));
      return ok('');
    }
    case 'sh':
    case 'bash': {
      if (rest[0] !== '-c') return err(`sim: ${bin} without -c is not emulated`, 2);
      return runScript(rest[1] ?? '', c, node, sim);
    }
    default:
      for (const b of NVIDIA_BINS) if (bin === b && !node.packages['nvidia-container-toolkit']) return notFound(bin);
      return notFound(bin);
  }
}

export async function handle(call, sim) {
  const args = call.args;
  if (args[0] === 'cp') {
    const pos = args.slice(1).filter((a) => !a.startsWith('-'));
    const [src, dst] = pos;
    const remote = [src, dst].find((x) => x?.includes(':'));
    const [name, path] = (remote ?? '').split(':');
    const c = name ? findContainer(sim.state, name) : undefined;
    if (!c) return err(`Error response from daemon: No such container: ${name}`);
    const node = nodeState(c, sim.state);
    if (remote === dst) node.files[path] = `copied from ${src}`;
    return ok('', remote === dst);
  }
  const { container, argv } = parseExec(args);
  const c = container ? findContainer(sim.state, container) : undefined;
  if (!c) return err(`Error response from daemon: No such container: ${container}`);
  if (!c.running) return err(`Error response from daemon: container ${c.id} is not running`);
  if (argv.length === 0) return err('"docker exec" requires at least 2 arguments.');
  return execInNode(c, argv, sim);
}
