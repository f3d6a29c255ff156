/**
 * The LoadBalancer controller for kind: cloud-provider-kind, pinned, run by kindling.
 *
 * Container mode (default): a named, labelled container with host networking, the Docker socket
 * mounted and `--restart unless-stopped`, so Docker keeps it running across daemon restarts and
 * reboots. Binary mode (when the image cannot be pulled): the pinned release binary, checksummed,
 * started detached by a tiny restart-loop supervisor (`setsid sh -c 'while :; do …; sleep 5; done'`)
 * whose process-group id is kept in `<stateDir>/cloud-provider-kind/cloud-provider-kind.pid` and whose
 * output goes to `cloud-provider-kind.log` beside it; every kindling run health-checks it (pid alive,
 * log shows it serving the cluster) and starts it again when it is gone; `uninstall` sends SIGTERM to
 * the whole group (cloud-provider-kind then deletes its `kindccm-*` containers itself).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../core/context.js';
import { ExitCode, ExternalError, UserError } from '../core/errors.js';
import { CLOUD_PROVIDER_KIND, CLOUD_PROVIDER_KIND_BINARY, type Arch } from '../core/versions.js';
import { isControlPlane } from './cluster-layout.js';
import { listContainers } from '../core/docker.js';
import type { KubeObject } from '../core/kube.js';
import { sleep, type AddonKube } from './target.js';

export const LB_CONTAINER_NAME = 'kindling-cloud-provider-kind';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** Label cloud-provider-kind puts on its per-Service Envoy containers (`kindccm-*`). */
export const LB_CLUSTER_LABEL = 'io.x-k8s.cloud-provider-kind.cluster';
export const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';
const CONFIG_LABEL = 'dev.kindling.config';

export type LoadBalancerMode = 'auto' | 'container' | 'binary';

export interface LoadBalancerOptions {
  /** Cluster whose service the health check waits for (cloud-provider-kind serves every kind cluster). */
  clusterName?: string;
  /** Let cloud-provider-kind install the Gateway API CRDs and run its gateway controller. */
  gatewayApi?: boolean;
  mode?: LoadBalancerMode;
  /** Image override (a mirror, or a locally built stand-in in tests). */
  image?: string;
  /** How long to wait for the controller to show it serves the cluster (default 45 s). */
  healthTimeoutMs?: number;
  pollMs?: number;
  /** Connection to the cluster, for the single-node label fix. */
  kube?: AddonKube;
}

export interface LoadBalancerStatus {
  mode: 'container' | 'binary' | 'none';
  running: boolean;
  /** The controller's log shows it started serving the cluster. */
  serving?: boolean;
  image?: string;
  version?: string;
  pid?: number;
  restartPolicy?: string;
  restartCount?: number;
  startedAt?: string;
  logFile?: string;
  /** kindccm-* containers, by cluster. */
  loadBalancers: { name: string; cluster: string; running: boolean }[];
}

/** Arguments after the entrypoint (pflag: double dashes, v0.10+). */
export function controllerArgs(options: Pick<LoadBalancerOptions, 'gatewayApi'>): string[] {
  return options.gatewayApi ? [] : ['--gateway-channel', 'disabled'];
}

/** Docker socket to mount: DOCKER_HOST's unix socket (rootless Docker), else /var/run/docker.sock. */
export function dockerSocket(env: NodeJS.ProcessEnv): string {
  const host = env.DOCKER_HOST;
  if (host?.startsWith('unix://')) return host.slice('unix://'.length);
  return '/var/run/docker.sock';
}

export function configHash(image: string, args: string[], socket: string): string {
  return createHash('sha256').update(JSON.stringify({ image, args, socket })).digest('hex').slice(0, 12);
}

/** The exact `docker run` kindling uses (also exercised against a real Docker in test/docker). */
export function dockerRunArgv(image: string, args: string[], socket: string): string[] {
  return [
    'docker',
    'run',
    '--detach',
    '--name',
    LB_CONTAINER_NAME,
    '--label',
    `${MANAGED_BY_LABEL}=kindling`,
    '--label',
    'app.kubernetes.io/name=cloud-provider-kind',
    '--label',
    `app.kubernetes.io/version=${CLOUD_PROVIDER_KIND.version}`,
    '--label',
    `${CONFIG_LABEL}=${configHash(image, args, socket)}`,
    '--network',
    'host',
    '--restart',
    'unless-stopped',
    '--volume',
    `${socket}:/var/run/docker.sock`,
    image,
    ...args,
  ];
}

interface InspectedContainer {
  Id: string;
  Name?: string;
  State?: { Status?: string; Running?: boolean; Restarting?: boolean; StartedAt?: string; ExitCode?: number };
  RestartCount?: number;
  Config?: { Image?: string; Labels?: Record<string, string> | null; Cmd?: string[] | null };
  HostConfig?: { RestartPolicy?: { Name?: string }; NetworkMode?: string };
}

/** `docker inspect --type container NAME`, or undefined when there is no such container. */
export async function inspectContainer(ctx: Context, name: string): Promise<InspectedContainer | undefined> {
  const r = await ctx.runner.run({ argv: ['docker', 'inspect', '--type', 'container', name], mutating: false, allowFailure: true, fix: 'kindling doctor' });
  if (r.exitCode !== 0) {
    if (/no such (container|object)/i.test(r.stderr)) return undefined;
    throw new ExternalError(`docker inspect failed (exit ${r.exitCode})`, `docker inspect --type container ${name}`, r.exitCode, r.stderr.trim(), ['kindling doctor']);
  }
  const list = JSON.parse(r.stdout || '[]') as InspectedContainer[];
  return list[0];
}

async function imagePresent(ctx: Context, image: string): Promise<boolean> {
  const r = await ctx.runner.run({ argv: ['docker', 'image', 'inspect', '--format', '{{.Id}}', image], mutating: false, allowFailure: true });
  return r.exitCode === 0;
}

async function containerLogs(ctx: Context, name: string, tail = 2000): Promise<string> {
  const r = await ctx.runner.run({ argv: ['docker', 'logs', '--tail', String(tail), name], mutating: false, allowFailure: true });
  // klog writes to stderr; docker logs replays both streams.
  return `${r.stdout}\n${r.stderr}`;
}

/** cloud-provider-kind's log line once it runs a controller for a cluster (pkg/controller). */
export function servesCluster(log: string, clusterName: string): boolean {
  return new RegExp(`Starting cloud controller for cluster ${escapeRegExp(clusterName)}\\b`).test(log);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface EnsureLoadBalancerResult {
  mode: 'container' | 'binary';
  changed: boolean;
  serving: boolean;
}

/** Starts (or leaves running) the LoadBalancer controller; health-checks it. */
export async function ensureLoadBalancer(ctx: Context, options: LoadBalancerOptions = {}): Promise<EnsureLoadBalancerResult> {
  const mode = options.mode ?? 'auto';
  let result: EnsureLoadBalancerResult;
  if (mode === 'binary' || (mode === 'auto' && (await binaryAlreadyRunning(ctx)))) {
    result = await ensureBinary(ctx, options);
  } else {
    const container = await ensureContainer(ctx, options, mode === 'auto');
    result = container ?? (await ensureBinary(ctx, options));
  }
  if (options.kube) await includeControlPlaneIfSingleNode(ctx, options.kube);
  return result;
}

async function ensureContainer(ctx: Context, options: LoadBalancerOptions, allowFallback: boolean): Promise<EnsureLoadBalancerResult | undefined> {
  const image = options.image ?? CLOUD_PROVIDER_KIND.image;
  const args = controllerArgs(options);
  const socket = dockerSocket(ctx.env);
  const hash = configHash(image, args, socket);
  return ctx.io.step(`LoadBalancer controller (cloud-provider-kind ${CLOUD_PROVIDER_KIND.version}, container)`, async (s) => {
    const current = await inspectContainer(ctx, LB_CONTAINER_NAME);
    const sameConfig = current?.Config?.Labels?.[CONFIG_LABEL] === hash;
    let changed = false;
    if (current && sameConfig && current.State?.Running) {
      const serving = await waitServing(ctx, options, () => containerLogs(ctx, LB_CONTAINER_NAME), async () => (await inspectContainer(ctx, LB_CONTAINER_NAME))?.State?.Running === true, true);
      if (serving !== false) {
        s.skip(`running${serving ? `, serving cluster ${options.clusterName}` : ''}`);
        return { mode: 'container', changed: false, serving: serving === true };
      }
    }
    if (current && sameConfig && !current.State?.Running) {
      await ctx.runner.run({ argv: ['docker', 'start', LB_CONTAINER_NAME], mutating: true, description: 'start the stopped LoadBalancer controller' });
      changed = true;
    } else if (!current || !sameConfig) {
      if (!(await imagePresent(ctx, image))) {
        s.update(`pulling ${image}`);
        const pulled = await ctx.runner.run({ argv: ['docker', 'pull', image], mutating: true, allowFailure: true, timeoutMs: 10 * 60_000, description: 'pull the pinned cloud-provider-kind image' });
        if (pulled.exitCode !== 0) {
          const why = pulled.stderr.trim().split('\n').slice(-2).join(' ');
          if (allowFallback) {
            ctx.io.warn(`Could not pull ${image} (${why}); using the pinned cloud-provider-kind binary instead.`);
            s.skip('image not available: binary mode');
            return undefined;
          }
          throw new UserError(`Could not pull ${image}: ${why}`, {
            fix: [
              `docker pull <mirror>/cloud-provider-kind/cloud-controller-manager:${CLOUD_PROVIDER_KIND.version} && docker tag <that image> ${image}`,
              'kindling addons install load-balancer --lb-mode binary',
            ],
            exitCode: ExitCode.failed,
          });
        }
      }
      if (current) {
        // Another configuration (image, flags): replace it. `rm -f` keeps the kindccm-* containers,
        // which the new controller adopts (same names), so Service IPs stay.
        await ctx.runner.run({ argv: ['docker', 'rm', '--force', LB_CONTAINER_NAME], mutating: true, description: 'replace the LoadBalancer controller (configuration changed)' });
      }
      await ctx.runner.run({ argv: dockerRunArgv(image, args, socket), mutating: true, description: 'LoadBalancer controller for kind clusters' });
      changed = true;
    }
    if (ctx.dryRun) {
      s.done('planned');
      return { mode: 'container', changed, serving: false };
    }
    const serving = await waitServing(ctx, options, () => containerLogs(ctx, LB_CONTAINER_NAME), async () => (await inspectContainer(ctx, LB_CONTAINER_NAME))?.State?.Running === true, false);
    if (serving === false) {
      const log = (await containerLogs(ctx, LB_CONTAINER_NAME, 20)).trim();
      throw new UserError('The LoadBalancer controller container stopped right after it started.', {
        details: log.split('\n').slice(-10),
        fix: [`docker logs ${LB_CONTAINER_NAME}`, 'kindling doctor'],
        exitCode: ExitCode.failed,
      });
    }
    s.done(serving ? `started, serving cluster ${options.clusterName}` : 'started');
    return { mode: 'container', changed, serving: serving === true };
  });
}

/**
 * Waits until the log shows the cluster served. true = serving; undefined = running but not (yet)
 * serving it (warned); false = not running. `quick`: one look only (the idempotent path).
 */
async function waitServing(
  ctx: Context,
  options: LoadBalancerOptions,
  logs: () => Promise<string>,
  running: () => Promise<boolean>,
  quick: boolean,
): Promise<boolean | undefined> {
  const cluster = options.clusterName;
  const deadline = Date.now() + (options.healthTimeoutMs ?? 45_000);
  for (;;) {
    if (!(await running())) return false;
    if (cluster === undefined) return undefined;
    if (servesCluster(await logs(), cluster)) return true;
    if (quick) return undefined;
    if (Date.now() >= deadline) {
      ctx.io.warn(
        `cloud-provider-kind is running but has not yet started serving cluster '${cluster}' (it looks for kind clusters every 30 s). Check: docker logs ${LB_CONTAINER_NAME}`,
      );
      return undefined;
    }
    await sleep(options.pollMs ?? 1000, ctx.signal);
  }
}

/**
 * kubeadm labels control-plane nodes to exclude them from external load balancers; in a single-node
 * cluster that node runs everything, so the label must go (kind removes it there too; this is a check).
 */
export async function includeControlPlaneIfSingleNode(ctx: Context, kube: AddonKube): Promise<boolean> {
  const nodes = await kube.list<KubeObject>('v1', 'Node');
  if (nodes.length !== 1) return false;
  const node = nodes[0] as KubeObject;
  if (!isControlPlane(node) || node.metadata.labels?.[EXCLUDE_LB_LABEL] === undefined) return false;
  await ctx.io.step(`Single-node cluster: include ${node.metadata.name} in load balancing`, async (s) => {
    await kube.mergePatch({ apiVersion: 'v1', kind: 'Node', metadata: { name: node.metadata.name } }, { metadata: { labels: { [EXCLUDE_LB_LABEL]: null } } }, `remove ${EXCLUDE_LB_LABEL}`);
    s.done(`label ${EXCLUDE_LB_LABEL} removed`);
  });
  return true;
}

// ---------------------------------------------------------------------------------------------
// Binary mode

export interface SupervisorPaths {
  dir: string;
  binary: string;
  pidFile: string;
  logFile: string;
}

export function supervisorPaths(ctx: Pick<Context, 'paths'>): SupervisorPaths {
  const dir = join(ctx.paths.stateDir, 'cloud-provider-kind');
  return {
    dir,
    binary: join(dir, `cloud-provider-kind-${CLOUD_PROVIDER_KIND_BINARY.version}`),
    pidFile: join(dir, 'cloud-provider-kind.pid'),
    logFile: join(dir, 'cloud-provider-kind.log'),
  };
}

/**
 * The supervisor: one shell command that starts a restart loop in its own session (so Ctrl-C of
 * kindling does not reach it), detached from kindling's pipes, and records the loop's pid (= its
 * process-group id, so `kill -TERM -PGID` stops the loop and the controller together).
 */
export function supervisorArgv(paths: SupervisorPaths, binary: string, args: string[]): string[] {
  const loop = 'while :; do "$@"; echo "kindling-supervisor: cloud-provider-kind exited with status $?; restarting in 5s"; sleep 5; done';
  const script = `log="$1"; pidfile="$2"; shift 2; setsid sh -c '${loop}' kindling-cloud-provider-kind "$@" >>"$log" 2>&1 </dev/null & echo $! >"$pidfile"`;
  return ['sh', '-c', script, 'kindling-supervisor', paths.logFile, paths.pidFile, binary, ...args];
}

async function readPid(paths: SupervisorPaths): Promise<number | undefined> {
  try {
    const n = Number.parseInt((await readFile(paths.pidFile, 'utf8')).trim(), 10);
    return Number.isInteger(n) && n > 1 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The pid is alive and is our supervisor (its command line names it). */
async function supervisorAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('kindling-cloud-provider-kind') || cmdline.includes('cloud-provider-kind');
  } catch {
    return true; // no /proc (not Linux): trust kill -0
  }
}

async function binaryAlreadyRunning(ctx: Context): Promise<boolean> {
  const pid = await readPid(supervisorPaths(ctx));
  return pid !== undefined && (await supervisorAlive(pid));
}

async function readLog(paths: SupervisorPaths): Promise<string> {
  try {
    const text = await readFile(paths.logFile, 'utf8');
    return text.slice(-64 * 1024);
  } catch {
    return '';
  }
}

export function hostArch(): Arch {
  return process.arch === 'arm64' ? 'arm64' : 'amd64';
}

async function ensureBinary(ctx: Context, options: LoadBalancerOptions): Promise<EnsureLoadBalancerResult> {
  const paths = supervisorPaths(ctx);
  return ctx.io.step(`LoadBalancer controller (cloud-provider-kind ${CLOUD_PROVIDER_KIND_BINARY.version}, supervised binary)`, async (s) => {
    const pid = await readPid(paths);
    if (pid !== undefined && (await supervisorAlive(pid))) {
      const serving = options.clusterName ? servesCluster(await readLog(paths), options.clusterName) : false;
      s.skip(`running (pid ${pid})${serving ? `, serving cluster ${options.clusterName}` : ''}`);
      return { mode: 'binary' as const, changed: false, serving };
    }
    const binary = await ensureBinaryInstalled(ctx, paths);
    await ctx.runner.run({ argv: ['mkdir', '-p', paths.dir], mutating: true });
    await ctx.runner.run({ argv: supervisorArgv(paths, binary, controllerArgs(options)), mutating: true, description: `start cloud-provider-kind under kindling's supervisor (pid: ${paths.pidFile}, log: ${paths.logFile})` });
    if (ctx.dryRun) {
      s.done('planned');
      return { mode: 'binary' as const, changed: true, serving: false };
    }
    const serving = await waitServing(
      ctx,
      options,
      () => readLog(paths),
      async () => {
        const p = await readPid(paths);
        return p !== undefined && (await supervisorAlive(p));
      },
      false,
    );
    if (serving === false) {
      throw new UserError('cloud-provider-kind exited right after it started.', {
        details: (await readLog(paths)).trim().split('\n').slice(-10),
        fix: [`cat ${paths.logFile}`, 'kindling doctor'],
        exitCode: ExitCode.failed,
      });
    }
    s.done(`started (pid ${(await readPid(paths)) ?? '?'})`);
    return { mode: 'binary' as const, changed: true, serving: serving === true };
  });
}

/** The pinned binary in the state directory: downloaded and checked against its pinned SHA-256. */
async function ensureBinaryInstalled(ctx: Context, paths: SupervisorPaths): Promise<string> {
  const pin = CLOUD_PROVIDER_KIND_BINARY;
  const arch = hostArch();
  try {
    await readFile(paths.binary);
    return paths.binary;
  } catch {
    /* not installed yet */
  }
  const sha = pin.sha256[arch];
  if (!/^[0-9a-f]{64}$/.test(sha)) {
    throw new UserError(
      `The cloud-provider-kind image could not be used, and this kindling build has no verified SHA-256 for the ${pin.version} ${arch} binary, so it will not download and run it.`,
      {
        fix: [
          `docker pull ${CLOUD_PROVIDER_KIND.image}   # from a network or mirror that has it (then docker tag it to that name)`,
          `put a cloud-provider-kind ${pin.version} binary you trust at ${paths.binary} and rerun`,
        ],
        exitCode: ExitCode.failed,
      },
    );
  }
  const base = (ctx.env.KINDLING_MIRROR ?? pin.baseUrl).replace(/\/+$/, '');
  const url = `${base}/${pin.path[arch]}`;
  const archive = join(paths.dir, `cloud-provider-kind_${pin.version}_${arch}.tar.gz`);
  await ctx.runner.run({ argv: ['mkdir', '-p', paths.dir], mutating: true });
  await ctx.runner.run({ argv: ['curl', '-fsSL', '--retry', '3', '-o', archive, url], mutating: true, timeoutMs: 5 * 60_000, description: `download cloud-provider-kind ${pin.version}` });
  if (!ctx.dryRun) {
    const digest = createHash('sha256').update(await readFile(archive)).digest('hex');
    if (digest !== sha) {
      await ctx.runner.run({ argv: ['rm', '-f', archive], mutating: true });
      throw new UserError(`Checksum mismatch for ${url}: got ${digest}, expected ${sha}.`, { fix: 'Check the mirror (KINDLING_MIRROR) or the network, then rerun.', exitCode: ExitCode.failed });
    }
  }
  const member = pin.archiveMember?.[arch] ?? 'cloud-provider-kind';
  await ctx.runner.run({ argv: ['tar', '-xzf', archive, '-C', paths.dir, member], mutating: true });
  await ctx.runner.run({ argv: ['mv', join(paths.dir, member), paths.binary], mutating: true });
  await ctx.runner.run({ argv: ['chmod', '755', paths.binary], mutating: true });
  return paths.binary;
}

// ---------------------------------------------------------------------------------------------
// Status, stop, leftovers

async function listLbContainers(ctx: Context): Promise<{ id: string; name: string; cluster: string; running: boolean }[]> {
  const rows = await listContainers(ctx.runner, [`label=${LB_CLUSTER_LABEL}`], {
    id: '{{.ID}}',
    name: '{{.Names}}',
    cluster: `{{.Label "${LB_CLUSTER_LABEL}"}}`,
    state: '{{.State}}',
  });
  return rows.map(({ id, name, cluster, state }) => ({ id, name, cluster, running: state === 'running' }));
}

export async function loadBalancerStatus(ctx: Context, clusterName?: string): Promise<LoadBalancerStatus> {
  const loadBalancers = (await listLbContainers(ctx)).map(({ name, cluster, running }) => ({ name, cluster, running }));
  const container = await inspectContainer(ctx, LB_CONTAINER_NAME).catch(() => undefined);
  if (container) {
    const running = container.State?.Running === true;
    return {
      mode: 'container',
      running,
      ...(clusterName && running ? { serving: servesCluster(await containerLogs(ctx, LB_CONTAINER_NAME), clusterName) } : {}),
      ...(container.Config?.Image ? { image: container.Config.Image } : {}),
      ...(container.Config?.Labels?.['app.kubernetes.io/version'] ? { version: container.Config.Labels['app.kubernetes.io/version'] } : {}),
      ...(container.HostConfig?.RestartPolicy?.Name ? { restartPolicy: container.HostConfig.RestartPolicy.Name } : {}),
      ...(container.RestartCount !== undefined ? { restartCount: container.RestartCount } : {}),
      ...(container.State?.StartedAt ? { startedAt: container.State.StartedAt } : {}),
      loadBalancers,
    };
  }
  const paths = supervisorPaths(ctx);
  const pid = await readPid(paths);
  if (pid !== undefined) {
    const running = await supervisorAlive(pid);
    return {
      mode: 'binary',
      running,
      ...(clusterName && running ? { serving: servesCluster(await readLog(paths), clusterName) } : {}),
      version: CLOUD_PROVIDER_KIND_BINARY.version,
      pid,
      logFile: paths.logFile,
      loadBalancers,
    };
  }
  return { mode: 'none', running: false, loadBalancers };
}

/** Stops the controller (SIGTERM: it deletes its kindccm-* containers) and removes its container or pid file. */
export async function stopLoadBalancer(ctx: Context): Promise<boolean> {
  let changed = false;
  const container = await inspectContainer(ctx, LB_CONTAINER_NAME);
  if (container) {
    if (container.State?.Running) {
      await ctx.runner.run({ argv: ['docker', 'stop', '--time', '30', LB_CONTAINER_NAME], mutating: true, timeoutMs: 60_000, description: 'stop the LoadBalancer controller (it removes its load-balancer containers)' });
    }
    await ctx.runner.run({ argv: ['docker', 'rm', '--force', LB_CONTAINER_NAME], mutating: true });
    changed = true;
  }
  const paths = supervisorPaths(ctx);
  const pid = await readPid(paths);
  if (pid !== undefined) {
    if (await supervisorAlive(pid)) {
      await ctx.runner.run({ argv: ['kill', '-TERM', '--', `-${pid}`], mutating: true, allowFailure: true, description: 'stop the supervised cloud-provider-kind (process group)' });
      if (!ctx.dryRun) {
        for (let i = 0; i < 30 && (await supervisorAlive(pid)); i++) await sleep(500, ctx.signal);
      }
    }
    await ctx.files.remove(paths.pidFile, { root: false, description: 'supervisor pid file' });
    changed = true;
  }
  return changed;
}

/** kind clusters that exist now (`kind get clusters`). */
export async function kindClusters(ctx: Context): Promise<string[] | undefined> {
  const r = await ctx.runner.run({ argv: ['kind', 'get', 'clusters'], mutating: false, allowFailure: true });
  if (r.exitCode !== 0) return undefined;
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^No kind clusters found/i.test(l));
}

/**
 * Removes kindccm-* containers left behind (after a SIGKILL or a crash) for `clusterName`, or — when
 * no name is given — for every cluster that no longer exists. Containers of live clusters stay.
 */
export async function removeLoadBalancerLeftovers(ctx: Context, clusterName?: string): Promise<number> {
  const containers = await listLbContainers(ctx);
  if (containers.length === 0) return 0;
  let stale: typeof containers;
  if (clusterName !== undefined) stale = containers.filter((c) => c.cluster === clusterName);
  else {
    const live = await kindClusters(ctx);
    if (live === undefined) return 0; // cannot tell which clusters exist: touch nothing
    stale = containers.filter((c) => !live.includes(c.cluster));
  }
  if (stale.length === 0) return 0;
  await ctx.runner.run({
    argv: ['docker', 'rm', '--force', ...stale.map((c) => c.id)],
    mutating: true,
    description: `load-balancer containers of deleted clusters: ${[...new Set(stale.map((c) => c.cluster))].join(', ')}`,
  });
  return stale.length;
}

export async function uninstallLoadBalancer(ctx: Context): Promise<boolean> {
  return ctx.io.step('Removing the LoadBalancer controller', async (s) => {
    const stopped = await stopLoadBalancer(ctx);
    const removed = await removeLoadBalancerLeftovers(ctx);
    if (!stopped && removed === 0) s.skip('not running');
    else s.done([stopped ? 'controller stopped' : '', removed ? `${removed} leftover load-balancer container(s) removed` : ''].filter(Boolean).join(', '));
    return stopped || removed > 0;
  });
}
