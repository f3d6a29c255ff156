/**
 * `kindling addons install|status|uninstall`: the GPU Operator and the LoadBalancer controller
 * together. The up/down/status workflows call the pieces directly (gpu-operator.ts, load-balancer.ts).
 */
import type { Context } from '../core/context.js';
import { formatDuration, formatTable } from '../core/style.js';
import {
  DEFAULT_GPU_OPERATOR_TIMEOUT_MS,
  gpuOperatorStatus,
  installGpuOperator,
  uninstallGpuOperator,
  waitForGpuOperator,
  type GpuOperatorStatus,
} from './gpu-operator.js';
import type { GpuOperatorSettings } from './gpu-operator-values.js';
import {
  ensureLoadBalancer,
  loadBalancerStatus,
  uninstallLoadBalancer,
  type LoadBalancerMode,
  type LoadBalancerStatus,
} from './load-balancer.js';
import { probeCluster, type AddonKube, type AddonTarget } from './target.js';

export type AddonName = 'gpu-operator' | 'load-balancer' | 'all';

export interface InstallAddonsOptions {
  which: AddonName;
  target: AddonTarget;
  gpuOperator: GpuOperatorSettings & { timeoutMs?: number; wait?: boolean; chartVersion?: string; pollMs?: number };
  loadBalancer: { mode?: LoadBalancerMode; gatewayApi?: boolean; image?: string; healthTimeoutMs?: number };
}

export interface InstallAddonsResult {
  clusterExists: boolean;
  changed: boolean;
  gpuOperator?: GpuOperatorStatus;
  loadBalancer?: { mode: 'container' | 'binary'; serving: boolean };
}

export async function installAddons(ctx: Context, options: InstallAddonsOptions): Promise<InstallAddonsResult> {
  const { target, which } = options;
  const probe = await probeCluster(ctx, target);
  const kube: AddonKube | undefined = probe.exists ? probe.kube : undefined;
  let changed = false;
  const result: InstallAddonsResult = { clusterExists: probe.exists, changed };
  const wantOperator = which === 'gpu-operator' || which === 'all';
  const wantLb = which === 'load-balancer' || which === 'all';

  if (wantOperator) {
    // Install now, wait after the LB controller is up (it needs no waiting on the operator).
    const r = await installGpuOperator(ctx, { ...options.gpuOperator, target, wait: false, probe });
    changed ||= r.changed;
  }
  if (wantLb) {
    if (!probe.exists && !ctx.dryRun) {
      ctx.io.warn(`No cluster for context ${target.context} yet: starting the LoadBalancer controller anyway (it picks up kind clusters as they appear).`);
    }
    const lb = await ensureLoadBalancer(ctx, {
      ...options.loadBalancer,
      ...(probe.exists ? { clusterName: target.clusterName } : {}),
      ...(kube ? { kube } : {}),
    });
    changed ||= lb.changed;
    result.loadBalancer = { mode: lb.mode, serving: lb.serving };
  }
  if (wantOperator && options.gpuOperator.wait !== false) {
    if (kube && !ctx.dryRun) {
      result.gpuOperator = await waitForGpuOperator(ctx, {
        target,
        kube,
        timeoutMs: options.gpuOperator.timeoutMs ?? DEFAULT_GPU_OPERATOR_TIMEOUT_MS,
        ...(options.gpuOperator.pollMs ? { pollMs: options.gpuOperator.pollMs } : {}),
      });
    } else {
      ctx.plan.note(
        `Then kindling waits (up to ${formatDuration(options.gpuOperator.timeoutMs ?? DEFAULT_GPU_OPERATOR_TIMEOUT_MS)}) until ClusterPolicy cluster-policy is ready and every GPU worker advertises nvidia.com/gpu.`,
      );
    }
  }
  result.changed = changed;
  return result;
}

export interface AddonsStatus {
  cluster: { name: string; context: string; reachable: boolean; reason?: string };
  gpuOperator?: GpuOperatorStatus;
  loadBalancer: LoadBalancerStatus;
}

export async function addonsStatus(ctx: Context, target: AddonTarget): Promise<AddonsStatus> {
  const probe = await probeCluster(ctx, target);
  const cluster = { name: target.clusterName, context: target.context, reachable: probe.exists, ...(probe.exists ? {} : { reason: probe.reason }) };
  const gpuOperator = probe.exists ? await gpuOperatorStatus(ctx, target, probe.kube) : undefined;
  const loadBalancer = await loadBalancerStatus(ctx, probe.exists ? target.clusterName : undefined);
  return { cluster, ...(gpuOperator ? { gpuOperator } : {}), loadBalancer };
}

export function renderAddonsStatus(s: AddonsStatus): string {
  const out: string[] = [];
  out.push(`Cluster ${s.cluster.name} (context ${s.cluster.context}): ${s.cluster.reachable ? 'reachable' : `not reachable — ${s.cluster.reason ?? ''}`}`);
  out.push('');
  const op = s.gpuOperator;
  if (op) {
    const release = op.release ? `${op.release.chart} (${op.release.status}, revision ${op.release.revision})` : 'not installed';
    out.push(`GPU Operator: ${op.ready ? 'ready' : 'not ready'} — release ${release}; ClusterPolicy ${op.clusterPolicy?.state ?? 'absent'}${op.timeSlicing ? `; time-slicing ×${op.timeSlicing}` : ''}`);
    if (op.nodes.length > 0) {
      out.push(
        indent(
          formatTable(
            ['NODE', 'nvidia.com/gpu', 'EXPECTED', 'OK'],
            op.nodes.map((n) => [n.node, String(n.allocatable), n.expected === undefined ? '>0' : String(n.expected), n.ready ? 'yes' : 'no']),
          ),
        ),
      );
    }
    if (op.operands.length > 0) {
      out.push(indent(formatTable(['OPERAND', 'READY'], op.operands.map((o) => [o.component, `${o.ready}/${o.total}`]))));
    }
    out.push('');
  }
  const lb = s.loadBalancer;
  if (lb.mode === 'none') out.push('LoadBalancer controller: not running (kindling addons install load-balancer)');
  else {
    const what = lb.mode === 'container' ? `container ${lb.image ?? ''}, restart ${lb.restartPolicy ?? '?'}` : `binary ${lb.version ?? ''}, pid ${lb.pid ?? '?'}, log ${lb.logFile ?? ''}`;
    const serving = lb.serving === undefined ? '' : lb.serving ? `, serving ${s.cluster.name}` : `, not yet serving ${s.cluster.name}`;
    out.push(`LoadBalancer controller: ${lb.running ? 'running' : 'stopped'} (${what})${serving}`);
  }
  if (lb.loadBalancers.length > 0) {
    out.push(indent(formatTable(['LB CONTAINER', 'CLUSTER', 'STATE'], lb.loadBalancers.map((c) => [c.name, c.cluster, c.running ? 'running' : 'stopped']))));
  }
  return out.join('\n');
}

function indent(text: string): string {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

export async function uninstallAddons(ctx: Context, which: AddonName, target: AddonTarget): Promise<{ changed: boolean }> {
  let changed = false;
  if (which === 'gpu-operator' || which === 'all') {
    const probe = await probeCluster(ctx, target);
    if (probe.exists) changed = (await uninstallGpuOperator(ctx, target, probe.kube)) || changed;
    else ctx.io.info(`No cluster for context ${target.context}: nothing to remove for the GPU Operator.`);
  }
  if (which === 'load-balancer' || which === 'all') changed = (await uninstallLoadBalancer(ctx)) || changed;
  return { changed };
}
