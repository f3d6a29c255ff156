/**
 * `kindling status`: everything `up` builds, read-only, on any half-built state — host health,
 * the cluster and its nodes with their GPUs, the GPU Operator, the LoadBalancer controller, the
 * image caches, each model with phase, replicas and endpoint — and what `up` would do next.
 * Every section is probed on its own: one that cannot be read says why, the others still show.
 */
import type { Context } from '../core/context.js';
import { formatTable } from '../core/style.js';
import { listCacheContainers, UPSTREAMS, cacheContainerName, KIND_NETWORK } from './image-cache.js';

export interface StatusReport {
  cluster: string;
  context: string;
  host: { ok: boolean; gpus: { index: number; name: string; memoryMiB: number }[]; failed: { id: string; detail: string; fix?: string }[]; warnings: number } | { error: string };
  clusterState:
    | { exists: false; otherClusters: string[] }
    | {
        exists: true;
        apiReachable: boolean;
        complete: boolean;
        nodes: { name: string; role: string; gpus: number[] | 'all'; ready?: boolean; pendingSetup?: string[] }[];
        problems: string[];
      }
    | { error: string };
  gpuOperator?: { ready: boolean; state: string; gpus: { node: string; allocatable: number; expected?: number }[]; release?: string } | { error: string };
  loadBalancer: { mode: string; running: boolean; serving?: boolean; loadBalancers: number } | { error: string };
  imageCache: { running: number; total: number; missing: string[] } | { error: string };
  models: { name: string; namespace: string; model: string; ready: boolean; replicas: string; phase: string; endpoint?: string }[] | { error: string };
  portForwards: { name: string; port: number }[];
  /** What `kindling up` would do next (empty: nothing, all in place). */
  next: string[];
}

async function section<T>(fn: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await fn();
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0] ?? String(error) };
  }
}

const isError = (x: unknown): x is { error: string } => typeof x === 'object' && x !== null && 'error' in x;

export async function status(ctx: Context, options: { name: string }): Promise<StatusReport> {
  const name = options.name;
  const context = ctx.kubeTarget.context ?? `kind-${name}`;
  const next: string[] = [];

  const host = await section(async () => {
    const { runDoctorChecks } = await import('../host/doctor.js');
    const r = await runDoctorChecks(ctx, { deep: false });
    return {
      ok: r.ok,
      gpus: r.gpus.map((g) => ({ index: g.index, name: g.name, memoryMiB: g.memoryMiB })),
      failed: r.checks.filter((c) => c.status === 'fail').map((c) => ({ id: c.id, detail: c.detail, ...(c.fix ? { fix: c.fix } : {}) })),
      warnings: r.checks.filter((c) => c.status === 'warn').length,
    };
  });
  if (!isError(host) && !host.ok) next.push(`fix the host (${host.failed.map((f) => f.id).join(', ')}): kindling up --fix`);

  const clusterState = await section(async (): Promise<StatusReport['clusterState']> => {
    const { kindClusters } = await import('../cluster/kind.js');
    const clusters = await kindClusters(ctx);
    if (!clusters.includes(name)) return { exists: false, otherClusters: clusters };
    const { describeCluster } = await import('../cluster/lifecycle.js');
    const d = await describeCluster(ctx, name);
    return {
      exists: true,
      apiReachable: d.apiReachable,
      complete: d.complete,
      nodes: d.nodes.map((n) => ({ name: n.name, role: n.role, gpus: n.gpus, ...(n.ready !== undefined ? { ready: n.ready } : {}), ...(n.pendingSetup ? { pendingSetup: n.pendingSetup } : {}) })),
      problems: d.problems,
    };
  });
  const apiUp = !isError(clusterState) && clusterState.exists && clusterState.apiReachable;
  if (!isError(clusterState)) {
    if (!clusterState.exists) next.push(`create cluster ${name}`);
    else if (!clusterState.complete) next.push(`finish cluster ${name}: ${clusterState.problems.join('; ')}`);
  }

  let gpuOperator: StatusReport['gpuOperator'];
  if (apiUp) {
    gpuOperator = await section(async () => {
      const { resolveTarget, probeCluster } = await import('../addons/target.js');
      const { gpuOperatorStatus } = await import('../addons/gpu-operator.js');
      const target = resolveTarget(ctx, name);
      const probe = await probeCluster(ctx, target);
      if (!probe.exists) throw new Error(probe.reason);
      const s = await gpuOperatorStatus(ctx, target, probe.kube);
      return {
        ready: s.ready,
        state: s.clusterPolicy ? `ClusterPolicy ${s.clusterPolicy.state}` : s.release ? 'installed, ClusterPolicy not created yet' : 'not installed',
        gpus: s.nodes.map((n) => ({ node: n.node, allocatable: n.allocatable, ...(n.expected !== undefined ? { expected: n.expected } : {}) })),
        ...(s.release ? { release: `${s.release.chart} (${s.release.status})` } : {}),
      };
    });
    if (!isError(gpuOperator) && !gpuOperator.ready) next.push(`GPU Operator: ${gpuOperator.state}`);
  }

  const loadBalancer = await section(async () => {
    const { loadBalancerStatus } = await import('../addons/load-balancer.js');
    const s = await loadBalancerStatus(ctx, name);
    return { mode: s.mode, running: s.running, ...(s.serving !== undefined ? { serving: s.serving } : {}), loadBalancers: s.loadBalancers.filter((l) => l.cluster === name).length };
  });
  if (!isError(loadBalancer) && !loadBalancer.running) next.push('start the LoadBalancer controller');

  const imageCache = await section(async () => {
    const containers = await listCacheContainers(ctx);
    const missing = UPSTREAMS.map(cacheContainerName).filter((n) => !containers.some((c) => c.name === n && c.state === 'running' && c.networks.includes(KIND_NETWORK)));
    return { running: UPSTREAMS.length - missing.length, total: UPSTREAMS.length, missing };
  });

  let models: StatusReport['models'] = [];
  if (apiUp) {
    models = await section(async () => {
      const { connectServing } = await import('../serving/target.js');
      const { listModels } = await import('../serving/service.js');
      const { kube } = await connectServing(ctx, { ...ctx.kubeTarget, context });
      const list = await listModels(ctx, kube, { context });
      return list.map((m) => ({
        name: m.name,
        namespace: m.namespace,
        model: m.model,
        ready: m.ready,
        replicas: `${m.readyReplicas}/${m.replicas}`,
        phase: m.ready ? 'Ready' : (m.state ?? 'starting'),
        ...(m.endpoint ? { endpoint: m.endpoint } : {}),
      }));
    });
    if (!isError(models)) {
      if (models.length === 0) next.push('deploy the model');
      for (const m of models) if (!m.ready) next.push(`model ${m.name}: ${m.phase}`);
    }
  }

  const portForwards = await (async () => {
    try {
      const { listPortForwards } = await import('../serving/endpoint.js');
      return listPortForwards(ctx)
        .filter((p) => p.context === context)
        .map((p) => ({ name: p.name, port: p.port }));
    } catch {
      return [];
    }
  })();

  return {
    cluster: name,
    context,
    host,
    clusterState,
    ...(gpuOperator ? { gpuOperator } : {}),
    loadBalancer,
    imageCache,
    models,
    portForwards,
    next,
  };
}

export function renderStatus(r: StatusReport): string {
  const out: string[] = [];
  const mark = (ok: boolean | undefined) => (ok === undefined ? '-' : ok ? '✓' : '✗');
  out.push('Host');
  if (isError(r.host)) out.push(`  ? ${r.host.error}`);
  else {
    out.push(`  ${mark(r.host.ok)} ${r.host.ok ? 'ready' : `${r.host.failed.length} check(s) fail: ${r.host.failed.map((f) => f.id).join(', ')}`}${r.host.warnings ? `, ${r.host.warnings} warning(s)` : ''} (kindling doctor for details)`);
    out.push(`  GPUs: ${r.host.gpus.length === 0 ? 'none' : r.host.gpus.map((g) => `${g.index}: ${g.name}`).join(', ')}`);
  }
  out.push('', `Cluster ${r.cluster} (context ${r.context})`);
  const c = r.clusterState;
  if (isError(c)) out.push(`  ? ${c.error}`);
  else if (!c.exists) out.push(`  ✗ does not exist${c.otherClusters.length ? ` (other kind clusters: ${c.otherClusters.join(', ')})` : ''}`);
  else {
    out.push(`  ${mark(c.complete)} ${c.complete ? 'complete' : c.apiReachable ? 'incomplete' : 'API server not answering'}`);
    const rows = c.nodes.map((n) => [
      n.name,
      n.role,
      n.gpus === 'all' ? 'all' : n.gpus.length === 0 ? '-' : n.gpus.join(','),
      n.ready === undefined ? '?' : n.ready ? 'Ready' : 'NotReady',
      n.pendingSetup === undefined ? '' : n.pendingSetup.length === 0 ? 'GPU setup done' : `GPU setup pending: ${n.pendingSetup.join(', ')}`,
    ]);
    out.push(indent(formatTable(['NODE', 'ROLE', 'GPUS', 'STATUS', 'SETUP'], rows)));
    for (const p of c.problems) out.push(`  ! ${p}`);
  }
  out.push('', 'GPU Operator');
  if (!r.gpuOperator) out.push('  - (needs the cluster)');
  else if (isError(r.gpuOperator)) out.push(`  ? ${r.gpuOperator.error}`);
  else {
    out.push(`  ${mark(r.gpuOperator.ready)} ${r.gpuOperator.ready ? 'ready' : r.gpuOperator.state}${r.gpuOperator.release ? ` — ${r.gpuOperator.release}` : ''}`);
    if (r.gpuOperator.gpus.length > 0) out.push(`  nvidia.com/gpu: ${r.gpuOperator.gpus.map((g) => `${g.node} ${g.allocatable}${g.expected !== undefined ? `/${g.expected}` : ''}`).join(', ')}`);
  }
  out.push('', 'LoadBalancer controller');
  if (isError(r.loadBalancer)) out.push(`  ? ${r.loadBalancer.error}`);
  else out.push(`  ${mark(r.loadBalancer.running)} ${r.loadBalancer.running ? `running (${r.loadBalancer.mode})${r.loadBalancer.serving ? `, serving ${r.cluster}` : ''}` : 'not running'}${r.loadBalancer.loadBalancers ? `, ${r.loadBalancer.loadBalancers} load balancer(s)` : ''}`);
  out.push('', 'Image cache');
  if (isError(r.imageCache)) out.push(`  ? ${r.imageCache.error}`);
  else out.push(`  ${mark(r.imageCache.running === r.imageCache.total)} ${r.imageCache.running}/${r.imageCache.total} registry caches running${r.imageCache.missing.length ? ` (missing: ${r.imageCache.missing.join(', ')})` : ''}`);
  out.push('', 'Models');
  if (isError(r.models)) out.push(`  ? ${r.models.error}`);
  else if (r.models.length === 0) out.push('  - none deployed');
  else out.push(indent(formatTable(['NAME', 'NAMESPACE', 'MODEL', 'READY', 'PHASE', 'ENDPOINT'], r.models.map((m) => [m.name, m.namespace, m.model, m.replicas, m.phase, m.endpoint ?? '-']))));
  for (const pf of r.portForwards) out.push(`  port-forward: ${pf.name} on 127.0.0.1:${pf.port}`);
  out.push('');
  if (r.next.length === 0) out.push('Everything is up. `kindling up` would change nothing.');
  else out.push('`kindling up` would next:', ...r.next.map((n) => `  - ${n}`));
  return out.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
