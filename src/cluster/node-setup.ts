/**
 * nvkind's per-node GPU setup, done by kindling itself (SPEC "nvkind's per-node work"), for every GPU
 * worker IN PARALLEL. Each node step checks first, so a rerun redoes nothing that holds:
 *
 *   toolkit  — NVIDIA Container Toolkit at the pinned version, from .debs downloaded ONCE on the host
 *              into <cache>/toolkit/<version>/ (mounted into the node at NODE_CACHE_DIR) and installed
 *              with `dpkg -i`; only when the host copy is impossible, in-node apt (pinned), with a warning;
 *   runtime  — `nvidia-ctk runtime configure --runtime=containerd --config-source=file`;
 *   restart  — `systemctl restart containerd` when containerd does not run with the nvidia runtime yet;
 *   params   — mask ModifyDeviceFiles in /proc/driver/nvidia/params only when it is not already 0;
 *   devices  — remove /dev/nvidia<i> of GPUs that are not the node's.
 *
 * What a node needs is found by ONE read-only `docker exec <node> sh -c <probe script>` per node
 * (toolkit version, containerd drop-in, crictl's runtime handlers, the params file, /dev), whose
 * sectioned output is parsed here; every mutating step stays a separate, idempotent command.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../core/context.js';
import { ExternalError, UserError, ExitCode, tail } from '../core/errors.js';
import { shellQuote } from '../core/plan.js';
import { NVIDIA_CONTAINER_TOOLKIT } from '../core/versions.js';
import { NODE_CACHE_DIR } from './constants.js';

export type NodeStepId = 'toolkit' | 'runtime' | 'restart' | 'params' | 'devices';

export const STEP_TITLES: Record<NodeStepId, string> = {
  toolkit: 'install NVIDIA Container Toolkit',
  runtime: 'configure containerd nvidia runtime',
  restart: 'restart containerd',
  params: 'mask ModifyDeviceFiles',
  devices: 'remove other GPUs’ device nodes',
};

export interface GpuNodeTarget {
  name: string;
  /** GPU indices given to the node, or 'all'. */
  gpus: number[] | 'all';
}

/** What the read-only probes found inside a node. */
export interface NodeState {
  /** Installed nvidia-container-toolkit version (dpkg), undefined when absent. */
  toolkitVersion?: string;
  /** /etc/containerd/conf.d/99-nvidia.toml declares the nvidia runtime. */
  runtimeConfigured: boolean;
  /** The running containerd serves the nvidia runtime handler (crictl info). */
  runtimeLoaded: boolean;
  /** /proc/driver/nvidia/params reads ModifyDeviceFiles: 0. */
  paramsMasked: boolean;
  /** GPU indices with a /dev/nvidia<i> node. */
  deviceNodes: number[];
}

export interface NodeStep {
  step: NodeStepId;
  argv: string[];
  description: string;
}

/** Where the toolkit packages come from. */
export type ToolkitSource = { kind: 'cache'; files: string[] } | { kind: 'apt' };

export const RUNTIME_DROP_IN = '/etc/containerd/conf.d/99-nvidia.toml';

/** Paths inside a node that the setup reads or changes (the real suite points them at files it controls). */
export interface NodePaths {
  /** The driver's /proc directory: `<dir>/params` is read, and masked by a bind mount. */
  driverProcDir: string;
}

export const DEFAULT_NODE_PATHS: NodePaths = { driverProcDir: '/proc/driver/nvidia' };

const exec = (node: string, ...argv: string[]) => ['docker', 'exec', node, ...argv];

/** Marks each section of the probe script's output: `@@kindling-probe <name> <exit code>`. */
export const PROBE_MARK = '@@kindling-probe';

export type ProbeName = 'toolkit' | 'runtime-file' | 'crictl' | 'params' | 'dev';

/** The read-only commands of the node probe, in output order (each a plain command line for `sh`). */
export function probeCommands(paths: NodePaths = DEFAULT_NODE_PATHS): [ProbeName, string][] {
  return [
    ['toolkit', "dpkg-query -W '-f=${Version}' nvidia-container-toolkit"],
    ['runtime-file', `cat ${RUNTIME_DROP_IN}`],
    ['crictl', 'crictl info'],
    ['params', `cat ${paths.driverProcDir}/params`],
    ['dev', 'ls /dev'],
  ];
}

/**
 * One POSIX sh script running every probe: for each, a marker line with its exit code, then its
 * stdout (stderr dropped). The script itself always exits 0; a non-zero exit is docker's (no such
 * container, not running).
 */
export function probeScript(paths: NodePaths = DEFAULT_NODE_PATHS): string {
  return [
    `p() { n=$1; shift; o=$("$@" 2>/dev/null); r=$?; printf '${PROBE_MARK} %s %s\\n%s\\n' "$n" "$r" "$o"; }`,
    ...probeCommands(paths).map(([name, command]) => `p ${name} ${command}`),
  ].join('\n');
}

export function probeArgv(node: string, paths: NodePaths = DEFAULT_NODE_PATHS): string[] {
  return exec(node, 'sh', '-c', probeScript(paths));
}

export interface ProbeSection {
  exitCode: number;
  stdout: string;
}

/** Splits the probe script's output into its sections (unknown text before the first marker is ignored). */
export function parseProbeOutput(stdout: string): Map<string, ProbeSection> {
  const sections = new Map<string, ProbeSection>();
  const markRe = new RegExp(`^${PROBE_MARK} (\\S+) (\\d+)$`);
  let current: { name: string; exitCode: number; lines: string[] } | undefined;
  const flush = () => {
    if (current) sections.set(current.name, { exitCode: current.exitCode, stdout: current.lines.join('\n').replace(/\n+$/, '') });
  };
  for (const line of stdout.split('\n')) {
    const m = markRe.exec(line);
    if (m) {
      flush();
      current = { name: m[1] as string, exitCode: Number(m[2]), lines: [] };
    } else if (current) {
      current.lines.push(line);
    }
  }
  flush();
  return sections;
}

/** The node state from the probe sections (pure). */
export function nodeStateFromProbe(sections: Map<string, ProbeSection>): NodeState {
  const section = (n: ProbeName): ProbeSection => sections.get(n) ?? { exitCode: 127, stdout: '' };
  const toolkit = section('toolkit');
  const runtimeFile = section('runtime-file');
  const crictl = section('crictl');
  const params = section('params');
  const version = toolkit.exitCode === 0 ? toolkit.stdout.trim() : '';
  const fileHasNvidia = runtimeFile.exitCode === 0 && /nvidia/.test(runtimeFile.stdout);
  return {
    ...(version !== '' ? { toolkitVersion: version } : {}),
    runtimeConfigured: fileHasNvidia,
    // Without crictl the file is the best evidence there is.
    runtimeLoaded: crictl.exitCode === 0 ? /"nvidia"/.test(crictl.stdout) : fileHasNvidia,
    paramsMasked: params.exitCode === 0 && paramsMasked(params.stdout),
    deviceNodes: parseDevNodes(section('dev').stdout),
  };
}

/** Host directory holding the toolkit .debs of the pinned version. */
export function toolkitCacheDir(hostCacheDir: string): string {
  return join(hostCacheDir, 'toolkit', NVIDIA_CONTAINER_TOOLKIT.debVersion);
}

/** The same directory as the node sees it (through the cache mount). */
export function nodeToolkitDir(): string {
  return `${NODE_CACHE_DIR}/toolkit/${NVIDIA_CONTAINER_TOOLKIT.debVersion}`;
}

export function paramsMasked(text: string): boolean {
  return /^ModifyDeviceFiles:\s*0\s*$/m.test(text);
}

export function parseDevNodes(lsOutput: string): number[] {
  return lsOutput
    .split(/\s+/)
    .map((e) => /^nvidia(\d+)$/.exec(e.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** The pinned in-node apt install (fallback only): nvkind's script on the stable channel, versions pinned. */
export function aptInstallScript(): string {
  const t = NVIDIA_CONTAINER_TOOLKIT;
  const pkgs = t.packages.map((p) => `${p}=${t.debVersion}`).join(' ');
  return [
    'set -e',
    'export DEBIAN_FRONTEND=noninteractive',
    'apt-get update',
    'apt-get install -y gpg',
    `curl -fsSL ${t.keyUrl} | gpg --dearmor --yes -o ${t.keyring}`,
    `curl -fsSL ${t.repoListUrl} | sed 's#deb https://#deb [signed-by=${t.keyring}] https://#g' > /etc/apt/sources.list.d/nvidia-container-toolkit.list`,
    'apt-get update',
    `apt-get install -y --no-install-recommends ${pkgs}`,
  ].join('\n');
}

export function maskParamsScript(paths: NodePaths = DEFAULT_NODE_PATHS): string {
  // nvkind's masking, guarded: `umount -R /proc/driver/nvidia` fails ("not mounted") with host
  // toolkit >= 1.18, which is why the old nvkind broke; here it may fail harmlessly.
  const dir = paths.driverProcDir;
  return [
    `umount -R ${dir} 2>/dev/null || true`,
    `cp ${dir}/params /root/gpu-params`,
    "sed -i 's/^ModifyDeviceFiles: 1$/ModifyDeviceFiles: 0/' /root/gpu-params",
    `mount --bind /root/gpu-params ${dir}/params`,
  ].join(' && ');
}

export function removeDevicesScript(indices: number[]): string {
  const list = indices.map((i) => `/dev/nvidia${i}`).join(' ');
  return `for d in ${list}; do while umount "$d" 2>/dev/null; do :; done; rm -f "$d"; done`;
}

/**
 * The steps a node still needs, from what its probes found (pure: unit-tested with states).
 * `hostGpuCount` bounds the device nodes a node may have.
 */
export function planNodeSteps(node: GpuNodeTarget, state: NodeState, source: ToolkitSource, paths: NodePaths = DEFAULT_NODE_PATHS): NodeStep[] {
  const steps: NodeStep[] = [];
  const t = NVIDIA_CONTAINER_TOOLKIT;
  if (state.toolkitVersion !== t.debVersion) {
    steps.push(
      source.kind === 'cache'
        ? { step: 'toolkit', argv: exec(node.name, 'dpkg', '-i', ...source.files.map((f) => `${nodeToolkitDir()}/${f}`)), description: `install nvidia-container-toolkit ${t.debVersion} from the host cache` }
        : { step: 'toolkit', argv: exec(node.name, 'sh', '-c', aptInstallScript()), description: `install nvidia-container-toolkit ${t.debVersion} with apt inside the node (no host copy)` },
    );
  }
  const toolkitChanged = steps.length > 0;
  if (!state.runtimeConfigured || toolkitChanged) {
    steps.push({ step: 'runtime', argv: exec(node.name, 'nvidia-ctk', 'runtime', 'configure', '--runtime=containerd', '--config-source=file'), description: 'add the nvidia runtime to containerd' });
  }
  if (!state.runtimeLoaded || steps.length > 0) {
    steps.push({ step: 'restart', argv: exec(node.name, 'systemctl', 'restart', 'containerd'), description: 'load the nvidia runtime' });
  }
  if (!state.paramsMasked) {
    steps.push({ step: 'params', argv: exec(node.name, 'sh', '-c', maskParamsScript(paths)), description: 'stop the driver re-creating device nodes for unassigned GPUs' });
  }
  if (node.gpus !== 'all') {
    const assigned = new Set(node.gpus);
    const extra = state.deviceNodes.filter((i) => !assigned.has(i));
    if (extra.length > 0) {
      steps.push({ step: 'devices', argv: exec(node.name, 'sh', '-c', removeDevicesScript(extra)), description: `hide GPU ${extra.join(', ')} from this node` });
    }
  }
  return steps;
}

/** Runs the node's read-only probe (one `docker exec … sh -c`) and parses what it found. */
export async function probeNode(ctx: Context, node: string, paths: NodePaths = DEFAULT_NODE_PATHS): Promise<NodeState> {
  const argv = probeArgv(node, paths);
  const r = await ctx.runner.run({ argv, mutating: false, allowFailure: true, timeoutMs: 60_000 });
  const sections = r.exitCode === 0 ? parseProbeOutput(r.stdout) : undefined;
  if (!sections?.has('dev')) {
    const why = r.stderr.trim() || (r.exitCode === 0 ? 'the probe printed no /dev listing' : `docker exec exited with ${r.exitCode}`);
    throw new ExternalError(`Cannot inspect node ${node}: ${why}`, `docker exec ${node} sh -c <probe script>`, r.exitCode, tail(r.stderr), ['kindling cluster list', 'docker ps']);
  }
  return nodeStateFromProbe(sections);
}

/** A node that does not exist yet (a --dry-run before `kind create`): what a fresh kind node looks like. */
export async function freshNodeState(ctx: Context, hostGpuCount: number): Promise<NodeState> {
  const hostParams = await ctx.files.read('/proc/driver/nvidia/params');
  return {
    runtimeConfigured: false,
    runtimeLoaded: false,
    paramsMasked: hostParams !== undefined && paramsMasked(hostParams),
    deviceNodes: [...Array(hostGpuCount).keys()],
  };
}

async function cachedDebs(dir: string): Promise<string[] | undefined> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return undefined;
  }
  const t = NVIDIA_CONTAINER_TOOLKIT;
  const files = t.packages.map((p) => entries.find((e) => e.startsWith(`${p}_${t.debVersion}_`) && e.endsWith('.deb')));
  return files.every((f) => f !== undefined) ? (files as string[]) : undefined;
}

/**
 * The toolkit packages in the host cache, downloaded once (`apt-get download` of the pinned
 * versions from the NVIDIA repository the host already uses). Falls back to in-node apt, saying so,
 * when the host cannot download them.
 */
export async function ensureToolkitPackages(ctx: Context, hostCacheDir: string): Promise<ToolkitSource> {
  const dir = toolkitCacheDir(hostCacheDir);
  const have = await cachedDebs(dir);
  if (have) return { kind: 'cache', files: have };
  const t = NVIDIA_CONTAINER_TOOLKIT;
  const pkgs = t.packages.map((p) => `${p}=${t.debVersion}`);
  try {
    await ctx.runner.run({ argv: ['mkdir', '-p', dir], mutating: true, root: true, description: 'host cache for the in-node toolkit packages' });
    await ctx.runner.run({
      argv: ['apt-get', 'download', ...pkgs],
      mutating: true,
      root: true,
      cwd: dir,
      timeoutMs: 10 * 60_000,
      description: `download nvidia-container-toolkit ${t.debVersion} once, for every node`,
    });
  } catch (error) {
    if (!(error instanceof ExternalError)) throw error;
    ctx.io.warn(
      `Could not download the NVIDIA Container Toolkit packages on the host (${error.stderrTail.split('\n').pop() || error.message}); ` +
        'each GPU node will install them with apt itself, which needs Internet access from the nodes. ' +
        'To avoid that, make the NVIDIA apt repository available on the host (`kindling host setup`).',
    );
    return { kind: 'apt' };
  }
  if (ctx.dryRun) return { kind: 'cache', files: t.packages.map((p) => `${p}_${t.debVersion}_${debArch()}.deb`) };
  const files = await cachedDebs(dir);
  if (!files) {
    ctx.io.warn(`apt-get download left no complete package set in ${dir}; the GPU nodes will install the toolkit with apt themselves (needs Internet from the nodes).`);
    return { kind: 'apt' };
  }
  return { kind: 'cache', files };
}

function debArch(): string {
  return process.arch === 'arm64' ? 'arm64' : 'amd64';
}

export interface NodeSetupResult {
  node: string;
  /** Steps that ran (or were planned, in --dry-run). */
  ran: NodeStepId[];
}

export interface SetupGpuNodesOptions {
  cluster: string;
  nodes: GpuNodeTarget[];
  hostGpuCount: number;
  hostCacheDir: string;
  /** The nodes do not exist yet (--dry-run before kind create): plan for fresh nodes. */
  planOnly?: boolean;
  /** Paths inside the nodes (default: the real ones). */
  nodePaths?: NodePaths;
}

class NodeStepFailure extends Error {
  constructor(
    readonly node: string,
    readonly step: NodeStepId,
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderrTail: string,
  ) {
    super(`${node}: ${STEP_TITLES[step]} failed`);
  }
}

/**
 * GPU setup of every GPU worker, in parallel. Throws one UserError (exit 1) naming each failed
 * node, its step, the command and the stderr tail; the nodes that finished stay done, and a rerun
 * resumes the others at their failed step.
 */
export async function setupGpuNodes(ctx: Context, options: SetupGpuNodesOptions): Promise<NodeSetupResult[]> {
  if (options.nodes.length === 0) return [];
  const paths = options.nodePaths ?? DEFAULT_NODE_PATHS;
  const states = new Map<string, NodeState>();
  await ctx.io.step(`Inspect ${options.nodes.length} GPU node${options.nodes.length === 1 ? '' : 's'}`, async (s) => {
    const fresh = options.planOnly ? await freshNodeState(ctx, options.hostGpuCount) : undefined;
    const found = await Promise.all(options.nodes.map(async (n) => [n.name, fresh ?? (await probeNode(ctx, n.name, paths))] as const));
    for (const [name, state] of found) states.set(name, state);
    const todo = options.nodes.filter((n) => planNodeSteps(n, states.get(n.name) as NodeState, { kind: 'apt' }, paths).length > 0).length;
    s.done(todo === 0 ? 'all set up already' : `${todo} to set up`);
  });
  const needsToolkit = [...states.values()].some((st) => st.toolkitVersion !== NVIDIA_CONTAINER_TOOLKIT.debVersion);
  let source: ToolkitSource = { kind: 'cache', files: [] };
  if (needsToolkit) {
    source = await ctx.io.step(`NVIDIA Container Toolkit ${NVIDIA_CONTAINER_TOOLKIT.version} packages (host cache)`, async (s) => {
      const src = await ensureToolkitPackages(ctx, options.hostCacheDir);
      s.done(src.kind === 'cache' ? toolkitCacheDir(options.hostCacheDir) : 'falling back to apt in each node');
      return src;
    });
  }
  const outcomes = await Promise.allSettled(
    options.nodes.map((node) =>
      ctx.io.step(`GPU setup of ${node.name}`, async (s) => {
        const steps = planNodeSteps(node, states.get(node.name) as NodeState, source, paths);
        if (steps.length === 0) {
          s.skip('already set up');
          return { node: node.name, ran: [] };
        }
        for (const step of steps) {
          s.update(STEP_TITLES[step.step]);
          try {
            await ctx.runner.run({ argv: step.argv, mutating: true, timeoutMs: step.step === 'toolkit' ? 15 * 60_000 : 5 * 60_000, description: `${node.name}: ${step.description}` });
          } catch (error) {
            if (error instanceof ExternalError) {
              throw new NodeStepFailure(node.name, step.step, step.argv.map(shellQuote).join(' '), error.commandExitCode, error.stderrTail);
            }
            throw error;
          }
        }
        s.done(steps.map((st) => st.step).join(', '));
        return { node: node.name, ran: steps.map((st) => st.step) };
      }),
    ),
  );
  const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
  const other = failures.find((f) => !(f instanceof NodeStepFailure));
  if (other) throw other;
  if (failures.length > 0) {
    const fs = failures as NodeStepFailure[];
    const first = fs[0] as NodeStepFailure;
    throw new UserError(
      fs.length === 1
        ? `GPU setup failed on node ${first.node} at step "${STEP_TITLES[first.step]}".`
        : `GPU setup failed on ${fs.length} nodes: ${fs.map((f) => `${f.node} ("${STEP_TITLES[f.step]}")`).join(', ')}.`,
      {
        details: fs.flatMap((f) => [
          `${f.node} — ${STEP_TITLES[f.step]}: $ ${f.command}`,
          `  exit code ${f.exitCode ?? 'none (timed out)'}${f.stderrTail ? '; stderr:' : ''}`,
          ...f.stderrTail.split('\n').filter((l) => l !== '').map((l) => `    ${l}`),
        ]),
        fix: [`kindling cluster create --name ${options.cluster}   (resumes: nodes already set up are not redone)`],
        exitCode: ExitCode.failed,
      },
    );
  }
  return outcomes.map((o) => (o as PromiseFulfilledResult<NodeSetupResult>).value);
}
