/**
 * The per-node GPU setup (src/cluster/node-setup.ts) against REAL containers named and labelled like
 * kind nodes (`<cluster>-worker…`, io.x-k8s.kind.cluster / io.x-k8s.kind.role), run through the real
 * ExecaRunner: the exact `docker exec` argv, the probe script, the params masking and the device
 * removal go through a real shell (busybox ash; kind nodes use dash, both POSIX), so a wrong docker
 * flag, a quoting error or a shell syntax error fails here.
 *
 * The containers are built from scratch (busybox-static, test/docker/helpers.ts). What a kind node
 * has and busybox lacks is provided as small stand-ins, each checking its arguments strictly:
 *   - the toolkit .debs are real Debian packages (built with dpkg-deb) in a host cache directory
 *     bind-mounted at /var/lib/kindling/cache, as kindling's kind config mounts it; busybox's real
 *     `dpkg -i` installs them; nvidia-container-toolkit-base ships a stand-in /usr/bin/nvidia-ctk;
 *   - dpkg-query (reads busybox dpkg's status file), systemctl and crictl (containerd's runtime
 *     handlers, reloaded on `systemctl restart containerd`) are shell scripts;
 *   - there is no NVIDIA driver: the params file lives at <driverProcDir>/params, a directory the
 *     test controls, and /dev/nvidia<i> are character devices made with mknod (major 195).
 * kind runs nodes --privileged; this sandbox's runtime cannot apply every capability, so the nodes
 * get CAP_SYS_ADMIN (mount --bind) and the default CAP_MKNOD, which is all the setup uses.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/cli/run.js';
import type { CliEnv } from '../../src/cli/cli-env.js';
import { Redactor } from '../../src/core/secrets.js';
import { NVIDIA_CONTAINER_TOOLKIT } from '../../src/core/versions.js';
import { KIND_CLUSTER_LABEL, KIND_ROLE_LABEL, NODE_CACHE_DIR } from '../../src/cluster/constants.js';
import {
  aptInstallScript,
  maskParamsScript,
  parseProbeOutput,
  probeArgv,
  probeNode,
  removeDevicesScript,
  setupGpuNodes,
  toolkitCacheDir,
  type NodePaths,
} from '../../src/cluster/node-setup.js';
import { docker, dockerAvailable, ensureBusyboxImage, removeLabelled } from './helpers.js';

const avail = await dockerAvailable();
const cluster = `kindling-ns-${process.pid}`;
const PATHS: NodePaths = { driverProcDir: '/kindling-test/driver/nvidia' };
const PARAMS = `${PATHS.driverProcDir}/params`;
/** Shape of a real /proc/driver/nvidia/params (first lines of an H100 host's, driver 580). */
const paramsText = (modify: 0 | 1) => `ResmanDebugLevel: 4294967295\nRmLogonRC: 1\nModifyDeviceUID: 0\nModifyDeviceFiles: ${modify}\nDeviceFileUID: 0\n`;

let cacheDir = '';
let workDir = '';
let image = '';

function realContext() {
  const sink = { write: () => true };
  const cli: CliEnv = { env: process.env, stdout: sink, stderr: sink, stdin: process.stdin, redactor: new Redactor(), onSignal: () => () => {}, forceExit: () => {} };
  return createContext(cli, {}, new AbortController().signal);
}

const NVIDIA_CTK = `#!/bin/sh
# stand-in for nvidia-ctk 1.18: only the invocation kindling makes
if [ "$*" = "runtime configure --runtime=containerd --config-source=file" ]; then
  mkdir -p /etc/containerd/conf.d
  printf '%s\\n' 'version = 2' '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia]' '  runtime_type = "io.containerd.runc.v2"' '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia.options]' '  BinaryName = "/usr/bin/nvidia-container-runtime"' > /etc/containerd/conf.d/99-nvidia.toml
  echo 'level=info msg="Wrote updated config to /etc/containerd/conf.d/99-nvidia.toml"' >&2
  exit 0
fi
echo "nvidia-ctk stand-in: unexpected arguments: $*" >&2
exit 1
`;

const DPKG_QUERY = `#!/bin/sh
# stand-in for dpkg-query -W -f=\${Version} PKG over busybox dpkg's status file
fmt=; pkg=
for a in "$@"; do case "$a" in -W) ;; -f=*) fmt=\${a#-f=} ;; -*) echo "dpkg-query stand-in: unexpected option $a" >&2; exit 2 ;; *) pkg=$a ;; esac; done
[ "$fmt" = '\${Version}' ] || { echo "dpkg-query stand-in: unexpected format '$fmt'" >&2; exit 2; }
v=$(awk -v p="$pkg" '/^Package: /{cur=$2} /^Version: /{if (cur==p) ver=$2} /^Status: /{if (cur==p) st=$0} END{if (st ~ / installed$/) print ver}' /var/lib/dpkg/status)
[ -n "$v" ] || { echo "dpkg-query: no packages found matching $pkg" >&2; exit 1; }
printf '%s' "$v"
`;

const SYSTEMCTL = `#!/bin/sh
# stand-in for systemctl: restarting containerd reloads its runtimes from the config drop-ins
[ "$*" = "restart containerd" ] || { echo "systemctl stand-in: unexpected arguments: $*" >&2; exit 1; }
if grep -qs 'runtimes.nvidia' /etc/containerd/conf.d/99-nvidia.toml; then echo 'runc nvidia' > /run/containerd-handlers; else echo runc > /run/containerd-handlers; fi
echo x >> /run/containerd-restarts
`;

const CRICTL = `#!/bin/sh
# stand-in for crictl info: the runtimeHandlers of the running containerd (2.x shape)
[ "$*" = "info" ] || { echo "crictl stand-in: unexpected arguments: $*" >&2; exit 1; }
h=$(cat /run/containerd-handlers 2>/dev/null || echo runc)
printf '{\\n  "runtimeHandlers": ['
sep=
for n in $h; do printf '%s\\n    {"name": "%s", "features": {"recursive_read_only_mounts": true}}' "$sep" "$n"; sep=,; done
printf '\\n  ]\\n}\\n'
`;

/** A real .deb (dpkg-deb --build) of the pinned version; `files` go into its data part. */
function buildDeb(dir: string, name: string, files: Record<string, { text: string; mode: number }>): void {
  const root = join(workDir, 'debs', name);
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  writeFileSync(
    join(root, 'DEBIAN', 'control'),
    `Package: ${name}\nVersion: ${NVIDIA_CONTAINER_TOOLKIT.debVersion}\nArchitecture: amd64\nMaintainer: kindling tests <tests@kindling.invalid>\nDescription: stand-in for ${name} (kindling docker suite)\n`,
  );
  for (const [path, f] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), f.text);
    chmodSync(join(root, path), f.mode);
  }
  const out = join(dir, `${name}_${NVIDIA_CONTAINER_TOOLKIT.debVersion}_amd64.deb`);
  const r = spawnSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dpkg-deb --build failed: ${r.error?.message ?? r.stderr}`);
}

/** Starts a container made like a kind worker and gives it the stand-ins, params file and GPU device nodes. */
function startNode(name: string, opts: { gpus: number; modifyDeviceFiles: 0 | 1; cacheMount?: boolean }): void {
  const mount = opts.cacheMount ?? true;
  docker([
    'run', '--detach', '--name', name, '--hostname', name,
    '--label', `${KIND_CLUSTER_LABEL}=${cluster}`, '--label', `${KIND_ROLE_LABEL}=worker`,
    '--cap-add', 'SYS_ADMIN',
    '--env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ...(mount ? ['--volume', `${cacheDir}:${NODE_CACHE_DIR}`] : []),
    image, 'sleep', '3600',
  ]);
  const stubs = join(workDir, 'stubs');
  mkdirSync(stubs, { recursive: true });
  for (const [f, text] of Object.entries({ 'dpkg-query': DPKG_QUERY, systemctl: SYSTEMCTL, crictl: CRICTL })) {
    writeFileSync(join(stubs, f), text);
    chmodSync(join(stubs, f), 0o755);
  }
  const setup = [
    'set -e',
    'mkdir -p /usr/bin /usr/local/bin /root /run /var/lib/dpkg/info /etc/containerd',
    'touch /var/lib/dpkg/status',
    'for a in dpkg awk mknod; do [ -e /bin/$a ] || ln -s busybox /bin/$a; done',
    `mkdir -p ${PATHS.driverProcDir}`,
    ...Array.from({ length: opts.gpus }, (_, i) => `mknod -m 666 /dev/nvidia${i} c 195 ${i}`),
  ].join('\n');
  docker(['exec', name, '/bin/busybox', 'sh', '-c', setup]);
  docker(['cp', `${stubs}/.`, `${name}:/usr/local/bin/`]);
  docker(['exec', '-i', name, 'sh', '-c', `cat > ${PARAMS}`], { input: paramsText(opts.modifyDeviceFiles) });
}

const inNode = (name: string, script: string) => docker(['exec', name, 'sh', '-c', script], { allowFailure: true });
const nodeName = (suffix: string) => `${cluster}-${suffix}`;

describe.skipIf(!avail.ok)(`node setup against real kind-like containers${avail.ok ? ` (Docker ${avail.serverVersion})` : ''}`, () => {
  beforeAll(() => {
    image = ensureBusyboxImage();
    removeLabelled(`${KIND_CLUSTER_LABEL}=${cluster}`);
    workDir = mkdtempSync(join(tmpdir(), 'kindling-node-setup-'));
    cacheDir = join(workDir, 'cache');
    const debs = toolkitCacheDir(cacheDir);
    mkdirSync(debs, { recursive: true });
    for (const p of NVIDIA_CONTAINER_TOOLKIT.packages) {
      const files: Record<string, { text: string; mode: number }> =
        p === 'nvidia-container-toolkit-base' ? { 'usr/bin/nvidia-ctk': { text: NVIDIA_CTK, mode: 0o755 } } : { [`usr/share/doc/${p}/README`]: { text: `${p}\n`, mode: 0o644 } };
      buildDeb(debs, p, files);
    }
    startNode(nodeName('worker'), { gpus: 2, modifyDeviceFiles: 1 });
    startNode(nodeName('worker2'), { gpus: 2, modifyDeviceFiles: 1 });
  });

  afterAll(() => {
    removeLabelled(`${KIND_CLUSTER_LABEL}=${cluster}`);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('the containers look like kind workers (name and labels kind filters on)', () => {
    const names = docker(['ps', '--filter', `label=${KIND_CLUSTER_LABEL}=${cluster}`, '--filter', `label=${KIND_ROLE_LABEL}=worker`, '--format', '{{.Names}}']).stdout.trim().split('\n').sort();
    expect(names).toEqual([nodeName('worker'), nodeName('worker2')]);
  });

  it('the one-exec probe of a fresh node runs in a real shell: every section, exit codes, literal ${Version}', async () => {
    const ctx = realContext();
    const raw = await ctx.runner.run({ argv: probeArgv(nodeName('worker'), PATHS), mutating: false });
    const sections = parseProbeOutput(raw.stdout);
    expect([...sections.keys()]).toEqual(['toolkit', 'runtime-file', 'crictl', 'params', 'dev']);
    expect(sections.get('toolkit')).toEqual({ exitCode: 1, stdout: '' }); // not installed (a quoting slip would exit 2: unexpected format)
    expect(sections.get('runtime-file')?.exitCode).toBe(1);
    expect(sections.get('crictl')?.exitCode).toBe(0);
    expect(sections.get('params')).toEqual({ exitCode: 0, stdout: paramsText(1).trimEnd() });
    const state = await probeNode(ctx, nodeName('worker'), PATHS);
    expect(state).toEqual({ runtimeConfigured: false, runtimeLoaded: false, paramsMasked: false, deviceNodes: [0, 1] });
  });

  it('two workers in parallel: dpkg -i from the bind-mounted cache, runtime, restart, params masked by bind mount, other GPU removed; a rerun runs nothing mutating', async () => {
    const ctx = realContext();
    const nodes = [
      { name: nodeName('worker'), gpus: [0] },
      { name: nodeName('worker2'), gpus: [1] },
    ];
    const results = await setupGpuNodes(ctx, { cluster, nodes, hostGpuCount: 2, hostCacheDir: cacheDir, nodePaths: PATHS });
    expect(results).toEqual(nodes.map((n) => ({ node: n.name, ran: ['toolkit', 'runtime', 'restart', 'params', 'devices'] })));
    expect(ctx.plan.entries).toHaveLength(10);

    for (const [i, n] of nodes.entries()) {
      const other = 1 - i;
      // packages installed by busybox's real dpkg from the files kindling named
      const status = inNode(n.name, 'cat /var/lib/dpkg/status').stdout;
      for (const p of NVIDIA_CONTAINER_TOOLKIT.packages) expect(status).toContain(`Package: ${p}\nVersion: ${NVIDIA_CONTAINER_TOOLKIT.debVersion}`);
      expect(inNode(n.name, `dpkg-query -W '-f=\${Version}' nvidia-container-toolkit`).stdout).toBe(NVIDIA_CONTAINER_TOOLKIT.debVersion);
      expect(inNode(n.name, 'cat /etc/containerd/conf.d/99-nvidia.toml').stdout).toContain('runtimes.nvidia');
      expect(inNode(n.name, 'cat /run/containerd-handlers').stdout.trim()).toBe('runc nvidia');
      // the params file now reads 0 through a bind mount; the rest of it unchanged
      expect(inNode(n.name, `cat ${PARAMS}`).stdout).toBe(paramsText(0));
      expect(inNode(n.name, 'cat /proc/mounts').stdout).toContain(` ${PARAMS} `);
      // only its own GPU's device node is left (a character device, untouched)
      expect(inNode(n.name, 'ls /dev').stdout.split('\n').filter((e) => /^nvidia\d+$/.test(e))).toEqual([`nvidia${i}`]);
      expect(inNode(n.name, `stat -c %F /dev/nvidia${i}`).stdout.trim()).toBe('character special file');
      expect(inNode(n.name, `[ -e /dev/nvidia${other} ]`).status).toBe(1);
    }

    const again = realContext();
    const rerun = await setupGpuNodes(again, { cluster, nodes, hostGpuCount: 2, hostCacheDir: cacheDir, nodePaths: PATHS });
    expect(rerun).toEqual(nodes.map((n) => ({ node: n.name, ran: [] })));
    expect(again.plan.entries).toEqual([]);
    expect(inNode(nodeName('worker'), 'wc -l < /run/containerd-restarts').stdout.trim()).toBe('1');
  });

  it('params already ModifyDeviceFiles: 0: left alone (no masking command, no mount)', async () => {
    const name = nodeName('worker3');
    startNode(name, { gpus: 1, modifyDeviceFiles: 0 });
    const ctx = realContext();
    const results = await setupGpuNodes(ctx, { cluster, nodes: [{ name, gpus: [0] }], hostGpuCount: 1, hostCacheDir: cacheDir, nodePaths: PATHS });
    expect(results).toEqual([{ node: name, ran: ['toolkit', 'runtime', 'restart'] }]);
    const commands = ctx.plan.entries.map((e) => (e.action.kind === 'command' ? e.action.argv.join(' ') : ''));
    expect(commands.some((c) => c.includes('gpu-params'))).toBe(false);
    expect(inNode(name, 'cat /proc/mounts').stdout).not.toContain(PARAMS);
    expect(inNode(name, '[ -e /root/gpu-params ]').status).toBe(1);
  });

  it('a node step failing in the real container names the node, the step, the exact command and dpkg\'s stderr', async () => {
    const name = nodeName('worker4');
    startNode(name, { gpus: 1, modifyDeviceFiles: 1, cacheMount: false });
    const ctx = realContext();
    const error = (await setupGpuNodes(ctx, { cluster, nodes: [{ name, gpus: [0] }], hostGpuCount: 1, hostCacheDir: cacheDir, nodePaths: PATHS }).catch((e: unknown) => e)) as {
      message: string;
      details: string[];
      exitCode: number;
    };
    expect(error.message).toBe(`GPU setup failed on node ${name} at step "install NVIDIA Container Toolkit".`);
    expect(error.exitCode).toBe(1);
    const details = error.details.join('\n');
    expect(details).toContain(`$ docker exec ${name} dpkg -i ${NODE_CACHE_DIR}/toolkit/${NVIDIA_CONTAINER_TOOLKIT.debVersion}/nvidia-container-toolkit_${NVIDIA_CONTAINER_TOOLKIT.debVersion}_amd64.deb`);
    expect(details).toMatch(/dpkg: can't open '\/var\/lib\/kindling\/cache\/toolkit\/[^']+\.deb': No such file or directory/);
    // nothing after the failed step ran
    expect(inNode(name, `cat ${PARAMS}`).stdout).toBe(paramsText(1));
  });

  it('the scripts kindling sends parse in a real shell (the apt fallback cannot run here: no network)', () => {
    const name = nodeName('worker');
    for (const script of [aptInstallScript(), maskParamsScript(), removeDevicesScript([1, 10])]) {
      const r = docker(['exec', name, 'sh', '-n', '-c', script], { allowFailure: true });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    }
    // and the check itself catches a syntax error
    expect(docker(['exec', name, 'sh', '-n', '-c', 'for d in; do'], { allowFailure: true }).status).not.toBe(0);
  });
});
