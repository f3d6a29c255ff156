/**
 * The NVIDIA GPU Operator on a kind cluster: install (helm upgrade --install, pinned chart, generated
 * values), wait (ClusterPolicy ready AND every GPU worker advertising its GPUs), status, uninstall.
 * Every step checks first: a rerun on a ready cluster runs no mutating command.
 */
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Context } from '../core/context.js';
import { ExitCode, ExternalError, UserError } from '../core/errors.js';
import { formatDuration } from '../core/style.js';
import type { KubeObject } from '../core/kube.js';
import { GPU_OPERATOR } from '../core/versions.js';
import { gpuWorkers, type GpuWorker, type NodeLike } from './cluster-layout.js';
import {
  componentOf,
  diagnoseGpuOperator,
  isFatal,
  podReady,
  renderDiagnosis,
  type Diagnosis,
  type PodLike,
} from './gpu-diagnosis.js';
import {
  GPU_OPERATOR_NAMESPACE,
  GPU_OPERATOR_RELEASE,
  TIME_SLICING_CONFIGMAP,
  TIME_SLICING_PROFILE,
  gpuOperatorNamespace,
  gpuOperatorValues,
  gpuOperatorValuesFile,
  parseTimeSlicingReplicas,
  timeSlicingConfigMap,
  timeSlicingEnabled,
  type GpuOperatorSettings,
} from './gpu-operator-values.js';
import { helmRelease, helmRepos, helmValues, jsonEqual, normalizeUrl, type HelmRelease } from './helm.js';
import { helmTargetArgs, probeCluster, sleep, type AddonKube, type AddonTarget, type ClusterProbe } from './target.js';

export const GPU_RESOURCE = 'nvidia.com/gpu';
export const DEFAULT_GPU_OPERATOR_TIMEOUT_MS = 15 * 60_000;

export interface InstallGpuOperatorOptions extends GpuOperatorSettings {
  target: AddonTarget;
  /** Chart version (default: the pinned GPU_OPERATOR.version). */
  chartVersion?: string;
  /** Wait for readiness after installing (default true). */
  wait?: boolean;
  timeoutMs?: number;
  pollMs?: number;
  /** An existing connection (the up workflow passes its own). */
  kube?: AddonKube;
  /** The caller already probed the cluster (avoids a second probe). */
  probe?: ClusterProbe;
}

export interface InstallGpuOperatorResult {
  /** false when the cluster did not exist (dry run only). */
  clusterExists: boolean;
  changed: boolean;
  status?: GpuOperatorStatus;
}

/** Where kindling keeps the generated values file of a cluster. */
export function valuesFilePath(ctx: Pick<Context, 'paths'>, clusterName: string): string {
  return join(ctx.paths.stateDir, 'addons', clusterName, 'gpu-operator-values.yaml');
}

export function expectedChart(version: string = GPU_OPERATOR.version): string {
  return `gpu-operator-${version}`;
}

/** The exact helm command kindling runs. */
export function helmInstallArgv(target: AddonTarget, valuesFile: string, version: string = GPU_OPERATOR.version): string[] {
  return [
    'helm',
    'upgrade',
    '--install',
    GPU_OPERATOR_RELEASE,
    GPU_OPERATOR.chart,
    '--version',
    version,
    '--namespace',
    GPU_OPERATOR_NAMESPACE,
    '--create-namespace',
    '--values',
    valuesFile,
    ...helmTargetArgs(target),
  ];
}

export async function installGpuOperator(ctx: Context, options: InstallGpuOperatorOptions): Promise<InstallGpuOperatorResult> {
  const { target } = options;
  let kube = options.kube;
  if (!kube) {
    const probe = options.probe ?? (await probeCluster(ctx, target));
    if (probe.exists) kube = probe.kube;
    else if (ctx.dryRun) {
      ctx.plan.note(`Cluster '${target.clusterName}' (context ${target.context}) does not exist yet: this is the GPU Operator plan for a new cluster.`);
      ctx.io.warn(`No cluster for context ${target.context} yet (${probe.reason}); planning as for a fresh cluster.`);
    } else {
      throw new UserError(`No reachable cluster for context '${target.context}': ${probe.reason}`, {
        fix: [`kindling cluster create --name ${target.clusterName}`, 'kindling cluster list'],
      });
    }
  }
  let changed = false;

  // 1. Namespace, labelled for privileged operands (before helm, so the label is there from the start).
  await ctx.io.step('GPU Operator namespace', async (s) => {
    const wanted = gpuOperatorNamespace();
    const current = kube ? await kube.get<KubeObject>('v1', 'Namespace', wanted.metadata.name) : undefined;
    if (current && current.metadata.labels?.['pod-security.kubernetes.io/enforce'] === 'privileged') {
      s.skip('exists, labelled privileged');
      return;
    }
    await applyOrPlan(ctx, kube, wanted, 'namespace for the GPU Operator (privileged pod security)');
    changed = true;
    s.done(ctx.dryRun ? 'planned' : current ? 'labelled privileged' : 'created');
  });

  // 2. Time-slicing ConfigMap, when asked for.
  if (timeSlicingEnabled(options)) {
    await ctx.io.step(`GPU time-slicing (${options.timeSlicing} replicas per GPU)`, async (s) => {
      const wanted = timeSlicingConfigMap(options.timeSlicing as number);
      const current = kube
        ? await kube.get<KubeObject & { data?: Record<string, string> }>('v1', 'ConfigMap', TIME_SLICING_CONFIGMAP, GPU_OPERATOR_NAMESPACE)
        : undefined;
      if (current && current.data?.[TIME_SLICING_PROFILE] === wanted.data[TIME_SLICING_PROFILE]) {
        s.skip('config unchanged');
        return;
      }
      await applyOrPlan(ctx, kube, wanted, 'device plugin sharing config');
      changed = true;
      s.done(ctx.dryRun ? 'planned' : current ? 'updated' : 'created');
    });
  }

  // 3. The helm repository, only when missing.
  await ctx.io.step('Helm repository nvidia', async (s) => {
    let repos: Awaited<ReturnType<typeof helmRepos>>;
    try {
      repos = await helmRepos(ctx);
    } catch (error) {
      if (!(ctx.dryRun && error instanceof ExternalError && error.notFound)) throw error;
      ctx.plan.note('helm is not installed yet (`kindling host setup` installs it): the helm commands below assume it.');
      repos = [];
    }
    const byName = repos.find((r) => r.name === GPU_OPERATOR.repoName);
    if (byName && normalizeUrl(byName.url) === normalizeUrl(GPU_OPERATOR.repoUrl)) {
      s.skip('already added');
      return;
    }
    if (byName) {
      throw new UserError(`The helm repository '${GPU_OPERATOR.repoName}' points to ${byName.url}, not ${GPU_OPERATOR.repoUrl}.`, {
        fix: `helm repo add ${GPU_OPERATOR.repoName} ${GPU_OPERATOR.repoUrl} --force-update`,
      });
    }
    await ctx.runner.run({
      argv: ['helm', 'repo', 'add', GPU_OPERATOR.repoName, GPU_OPERATOR.repoUrl],
      mutating: true,
      description: 'add the NVIDIA helm repository',
      fix: `Check that ${GPU_OPERATOR.repoUrl} is reachable (proxy: HTTPS_PROXY).`,
    });
    changed = true;
    s.done(ctx.dryRun ? 'planned' : 'added');
  });

  // 4. The release: installed or upgraded only when missing, failed, or with other chart/values.
  const values = gpuOperatorValues(options);
  const version = options.chartVersion ?? GPU_OPERATOR.version;
  const valuesFile = valuesFilePath(ctx, target.clusterName);
  await ctx.io.step(`GPU Operator ${version} (helm)`, async (s) => {
    const release = kube ? await helmRelease(ctx, target, GPU_OPERATOR_RELEASE, GPU_OPERATOR_NAMESPACE) : undefined;
    if (release && release.status === 'deployed' && release.chart === expectedChart(version)) {
      const current = await helmValues(ctx, target, GPU_OPERATOR_RELEASE, GPU_OPERATOR_NAMESPACE);
      if (jsonEqual(current, values)) {
        s.skip(`release ${GPU_OPERATOR_RELEASE} deployed (revision ${release.revision}), same chart and values`);
        return;
      }
    }
    if (release) await recoverStuckRelease(ctx, target, release);
    await ctx.files.write(valuesFile, gpuOperatorValuesFile(options), { root: false, description: 'GPU Operator values for kind' });
    s.update(release ? `upgrading from ${release.chart} (${release.status})` : 'installing');
    await ctx.runner.run({
      argv: helmInstallArgv(target, valuesFile, version),
      mutating: true,
      timeoutMs: 10 * 60_000,
      description: 'install or upgrade the GPU Operator (kindling waits for readiness itself)',
      fix: [`helm repo update ${GPU_OPERATOR.repoName}`, `kindling addons install gpu-operator --name ${target.clusterName}`],
    });
    changed = true;
    s.done(ctx.dryRun ? 'planned' : release ? 'upgraded' : 'installed');
  });

  if (options.wait === false) return { clusterExists: kube !== undefined, changed };
  if (!kube) {
    ctx.plan.note(
      `Then kindling waits (up to ${formatDuration(options.timeoutMs ?? DEFAULT_GPU_OPERATOR_TIMEOUT_MS)}) until ClusterPolicy cluster-policy is ready and every GPU worker advertises nvidia.com/gpu.`,
    );
    return { clusterExists: false, changed };
  }
  if (ctx.dryRun) {
    ctx.plan.note('Then kindling waits until ClusterPolicy cluster-policy is ready and every GPU worker advertises nvidia.com/gpu.');
    return { clusterExists: true, changed };
  }
  const status = await waitForGpuOperator(ctx, { target, kube, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), ...(options.pollMs ? { pollMs: options.pollMs } : {}) });
  return { clusterExists: true, changed, status };
}

/** A release left pending by an interrupted helm: roll back or remove it so upgrade --install can run. */
async function recoverStuckRelease(ctx: Context, target: AddonTarget, release: HelmRelease): Promise<void> {
  if (release.status === 'pending-install') {
    ctx.io.warn(`Release ${release.name} was left pending-install by an interrupted run; removing it before installing again.`);
    await ctx.runner.run({
      argv: ['helm', 'uninstall', release.name, '--namespace', release.namespace, ...helmTargetArgs(target)],
      mutating: true,
      description: 'remove the half-installed release',
    });
  } else if (release.status === 'pending-upgrade' || release.status === 'pending-rollback') {
    ctx.io.warn(`Release ${release.name} was left ${release.status} by an interrupted run; rolling it back first.`);
    await ctx.runner.run({
      argv: ['helm', 'rollback', release.name, '--namespace', release.namespace, ...helmTargetArgs(target)],
      mutating: true,
      description: 'roll back the interrupted upgrade',
    });
  }
}

async function applyOrPlan(ctx: Context, kube: AddonKube | undefined, object: KubeObject, description: string): Promise<void> {
  if (kube) {
    await kube.apply(object, description);
    return;
  }
  // No cluster yet (dry run only): record the manifest as the plan.
  const ns = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
  ctx.plan.record({ kind: 'manifest', verb: 'apply', object: `${object.kind} ${ns}${object.metadata.name}`, yaml: stringify(object), description });
}

// ---------------------------------------------------------------------------------------------
// Status and waiting

export interface NodeGpuStatus {
  node: string;
  /** GPUs kindling assigned (× time-slicing replicas); undefined when unknown. */
  expected?: number;
  allocatable: number;
  ready: boolean;
}

export interface OperandStatus {
  component: string;
  ready: number;
  total: number;
  pods: { name: string; node?: string; ready: boolean; phase: string }[];
}

export interface GpuOperatorStatus {
  context: string;
  release?: { status: string; chart: string; revision: string };
  clusterPolicy?: { state: string };
  timeSlicing?: number;
  nodes: NodeGpuStatus[];
  operands: OperandStatus[];
  ready: boolean;
}

interface ClusterPolicyLike extends KubeObject {
  status?: { state?: string };
}

/** One read of everything that decides readiness. */
export async function gpuOperatorSnapshot(kube: AddonKube, context: string): Promise<GpuOperatorStatus> {
  const [policies, nodes, pods, slicing] = await Promise.all([
    kube.list<ClusterPolicyLike>('nvidia.com/v1', 'ClusterPolicy'),
    kube.list<NodeLike>('v1', 'Node'),
    kube.list<PodLike>('v1', 'Pod', { namespace: GPU_OPERATOR_NAMESPACE }),
    kube.get<KubeObject & { data?: Record<string, string> }>('v1', 'ConfigMap', TIME_SLICING_CONFIGMAP, GPU_OPERATOR_NAMESPACE),
  ]);
  const workers = await gpuWorkers(kube, nodes);
  const replicas = parseTimeSlicingReplicas(slicing?.data?.[TIME_SLICING_PROFILE]);
  const policy = policies.find((p) => p.metadata.name === 'cluster-policy') ?? policies[0];
  const nodeStatus = workers.map((w) => nodeGpus(w, nodes, replicas));
  const operands = groupOperands(pods);
  const ready = policy?.status?.state === 'ready' && nodeStatus.length > 0 && nodeStatus.every((n) => n.ready);
  return {
    context,
    ...(policy ? { clusterPolicy: { state: policy.status?.state ?? 'unknown' } } : {}),
    ...(replicas && replicas > 1 ? { timeSlicing: replicas } : {}),
    nodes: nodeStatus,
    operands,
    ready,
  };
}

function nodeGpus(worker: GpuWorker, nodes: NodeLike[], replicas: number | undefined): NodeGpuStatus {
  const node = nodes.find((n) => n.metadata.name === worker.node);
  const allocatable = Number.parseInt(node?.status?.allocatable?.[GPU_RESOURCE] ?? '0', 10) || 0;
  const expected = worker.gpus === undefined ? undefined : worker.gpus * (replicas && replicas > 1 ? replicas : 1);
  return {
    node: worker.node,
    ...(expected === undefined ? {} : { expected }),
    allocatable,
    ready: node !== undefined && (expected === undefined ? allocatable > 0 : allocatable === expected),
  };
}

function groupOperands(pods: PodLike[]): OperandStatus[] {
  const groups = new Map<string, OperandStatus>();
  for (const pod of pods) {
    const component = componentOf(pod);
    const g = groups.get(component) ?? { component, ready: 0, total: 0, pods: [] };
    const ready = podReady(pod);
    g.total += 1;
    if (ready) g.ready += 1;
    g.pods.push({ name: pod.metadata.name, ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}), ready, phase: pod.status?.phase ?? 'Unknown' });
    groups.set(component, g);
  }
  return [...groups.values()].sort((a, b) => a.component.localeCompare(b.component));
}

/** One line for a step's live detail: "ClusterPolicy notReady · GPUs 1/2 nodes · device-plugin 1/2 …". */
export function progressLine(s: GpuOperatorStatus): string {
  const policy = s.clusterPolicy ? `ClusterPolicy ${s.clusterPolicy.state}` : 'ClusterPolicy not created yet';
  const gpus = `GPUs on ${s.nodes.filter((n) => n.ready).length}/${s.nodes.length} workers`;
  const operands = s.operands.map((o) => `${o.component.replace(/^nvidia-/, '')} ${o.ready}/${o.total}`).join(', ');
  return [policy, gpus, operands].filter((x) => x !== '').join(' · ');
}

export interface WaitOptions {
  target: AddonTarget;
  kube: AddonKube;
  timeoutMs?: number;
  pollMs?: number;
}

/** Waits until ready; on timeout (or a crash-looping operand with a known cause) throws a diagnosis. */
export async function waitForGpuOperator(ctx: Context, options: WaitOptions): Promise<GpuOperatorStatus> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_GPU_OPERATOR_TIMEOUT_MS;
  const pollMs = options.pollMs ?? 2000;
  const { kube, target } = options;
  return ctx.io.step('Waiting for the GPU Operator', async (s) => {
    const deadline = Date.now() + timeoutMs;
    let last: GpuOperatorStatus | undefined;
    let polls = 0;
    for (;;) {
      last = await gpuOperatorSnapshot(kube, target.context);
      if (last.ready) {
        if (polls === 0) s.skip(readySummary(last));
        else s.done(readySummary(last));
        return last;
      }
      polls += 1;
      s.update(progressLine(last));
      // Every ~30 s look for a failure that will not heal by itself.
      if (polls % 15 === 0) {
        const d = await diagnoseGpuOperator(kube, target, last.nodes.map((n) => n.node));
        if (d.findings.some((f) => isFatal(f, d.causes))) throw notReadyError(target, last, d, 'is failing');
      }
      if (Date.now() >= deadline) {
        const d = await diagnoseGpuOperator(kube, target, last.nodes.map((n) => n.node));
        throw notReadyError(target, last, d, `did not become ready within ${formatDuration(timeoutMs)}`);
      }
      await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())), ctx.signal);
    }
  });
}

function readySummary(s: GpuOperatorStatus): string {
  const total = s.nodes.reduce((n, x) => n + x.allocatable, 0);
  return `ready: ${total} ${GPU_RESOURCE} on ${s.nodes.length} worker${s.nodes.length === 1 ? '' : 's'}`;
}

function notReadyError(target: AddonTarget, s: GpuOperatorStatus, d: Diagnosis, what: string): UserError {
  const details = [
    `State: ${progressLine(s)}`,
    ...s.nodes.filter((n) => !n.ready).map((n) => `${n.node}: ${GPU_RESOURCE} allocatable ${n.allocatable}${n.expected === undefined ? '' : `, expected ${n.expected}`}`),
    ...renderDiagnosis(d),
  ];
  const fix = d.causes.length > 0
    ? d.causes.flatMap((c) => c.fix)
    : [`kindling addons status --name ${target.clusterName}`, `kubectl get pods -n ${GPU_OPERATOR_NAMESPACE} -o wide --context ${target.context}`, `kindling addons install gpu-operator --name ${target.clusterName} --timeout 30m   # if it is only slow (image pulls)`];
  const cause = d.causes[0] ? ` Likely cause: ${d.causes[0].title}.` : '';
  return new UserError(`The GPU Operator ${what}.${cause}`, { details, fix, exitCode: ExitCode.failed });
}

/** Status for `addons status` / `kindling status` (read-only). */
export async function gpuOperatorStatus(ctx: Context, target: AddonTarget, kube: AddonKube): Promise<GpuOperatorStatus> {
  const snapshot = await gpuOperatorSnapshot(kube, target.context);
  const release = await helmRelease(ctx, target, GPU_OPERATOR_RELEASE, GPU_OPERATOR_NAMESPACE).catch(() => undefined);
  return { ...snapshot, ...(release ? { release: { status: release.status, chart: release.chart, revision: release.revision } } : {}) };
}

/** helm uninstall + the namespace and the time-slicing ConfigMap. */
export async function uninstallGpuOperator(ctx: Context, target: AddonTarget, kube: AddonKube): Promise<boolean> {
  let changed = false;
  await ctx.io.step('Removing the GPU Operator', async (s) => {
    const release = await helmRelease(ctx, target, GPU_OPERATOR_RELEASE, GPU_OPERATOR_NAMESPACE);
    if (release) {
      await ctx.runner.run({
        argv: ['helm', 'uninstall', GPU_OPERATOR_RELEASE, '--namespace', GPU_OPERATOR_NAMESPACE, ...helmTargetArgs(target)],
        mutating: true,
        description: 'remove the GPU Operator release',
      });
      changed = true;
    }
    const ns = await kube.get<KubeObject>('v1', 'Namespace', GPU_OPERATOR_NAMESPACE);
    if (ns) {
      await kube.delete({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: GPU_OPERATOR_NAMESPACE } }, 'GPU Operator namespace (and the time-slicing ConfigMap in it)');
      changed = true;
    }
    if (!changed) s.skip('not installed');
    else s.done(release ? `release ${release.chart} removed` : 'namespace removed');
  });
  return changed;
}
