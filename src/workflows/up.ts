/**
 * `kindling up`: preflight → image cache → cluster → GPU Operator → LoadBalancer → model(s) →
 * smoke test → summary, as phases of the resumable engine (engine.ts). The domain services are
 * reached through `UpServices` (services.ts binds the real ones; unit tests pass fakes), so this
 * file holds only the composition: order, skip rules, preflight policy, the summary.
 */
import type { Context } from '../core/context.js';
import { ExternalError, UserError } from '../core/errors.js';
import type { PlannedAction } from '../core/plan.js';
import type { CommandSpec, ProcessRunner, RunResult } from '../core/runner.js';
import { formatTable } from '../core/style.js';
import type { ResolvedConfig, ModelConfig } from './config.js';
import { renderTimings, runWorkflow, type DoneResult, type Phase, type PhaseContext, type PhaseOutcome, type PhaseRecord } from './engine.js';

/** A doctor check, as src/host/doctor.ts reports it. */
export interface PreflightCheck {
  id: string;
  title: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  detail: string;
  fix?: string;
}

export interface HostGpu {
  index: number;
  name: string;
  memoryMiB: number;
  uuid?: string;
}

export interface Endpoint {
  /** Base URL of the OpenAI-compatible API, e.g. http://172.18.0.7 */
  url: string;
  /** 'loadbalancer' when reached through the LoadBalancer IP, 'port-forward' when kindling forwards a local port. */
  via: 'loadbalancer' | 'port-forward' | 'nodeport' | 'none';
  note?: string;
}

export interface ModelTarget {
  config: ModelConfig;
  /** Kubernetes object name. */
  name: string;
  namespace: string;
  /** The name clients use in requests. */
  servedModelName: string;
}

/** What `up` needs from the domain modules (bound in services.ts). */
export interface UpServices {
  preflight(ctx: Context, options: { modelSizeGiB?: number }): Promise<{ checks: PreflightCheck[]; gpus: HostGpu[] }>;
  hostSetup(ctx: Context, config: ResolvedConfig): Promise<void>;
  imageCache: ServicePhase;
  cluster: ServicePhase & { halfDone(ctx: Context, config: ResolvedConfig): string };
  gpuOperator: ServicePhase;
  loadBalancer: ServicePhase;
  model: {
    target(ctx: Context, config: ResolvedConfig, model: ModelConfig): ModelTarget;
    isDone(ctx: PhaseContext, config: ResolvedConfig, model: ModelTarget): Promise<DoneResult>;
    run(ctx: PhaseContext, config: ResolvedConfig, model: ModelTarget, step: StepLike): Promise<PhaseOutcome>;
    endpoint(ctx: Context, config: ResolvedConfig, model: ModelTarget): Promise<Endpoint | undefined>;
    smokeTest(ctx: Context, model: ModelTarget, endpoint: Endpoint): Promise<string>;
  };
}

export interface StepLike {
  update(detail: string): void;
}

export interface ServicePhase {
  /** false: the phase is off in this configuration (not shown). */
  enabled?(config: ResolvedConfig): boolean;
  isDone(ctx: PhaseContext, config: ResolvedConfig, gpus: HostGpu[]): Promise<DoneResult>;
  run(ctx: PhaseContext, config: ResolvedConfig, gpus: HostGpu[], step: StepLike): Promise<PhaseOutcome>;
}

export interface ModelSummary {
  name: string;
  namespace: string;
  model: string;
  servedModelName: string;
  endpoint?: Endpoint;
  smokeTest?: string;
}

export interface UpResult {
  cluster: string;
  context: string;
  dryRun: boolean;
  gpus: HostGpu[];
  /** Host checks that fail (in --dry-run they are reported instead of stopping). */
  failedChecks: PreflightCheck[];
  phases: PhaseRecord[];
  totalMs: number;
  models: ModelSummary[];
  /** --dry-run: the planned actions, in order (what the human output prints after the summary). */
  plan?: PlannedAction[];
}

/** Checks that cannot pass on a host previewed with --num-gpus (its GPUs are imaginary). */
const GPU_CHECK_IDS = new Set(['nvidia-driver', 'gpus']);

/** GPUs of a host with `n` H100s, for `--num-gpus` previews. */
export function previewGpus(n: number): HostGpu[] {
  return Array.from({ length: n }, (_, index) => ({ index, name: 'NVIDIA H100 80GB HBM3 (preview)', memoryMiB: 81559 }));
}

/** Fixes of the failed checks, each command once (two fixes naming the same command count once). */
export function uniqueFixes(failed: PreflightCheck[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of failed) {
    if (!c.fix) continue;
    const command = c.fix.split(/\s{2,}|;/)[0]?.trim() ?? c.fix;
    if (seen.has(command)) continue;
    seen.add(command);
    out.push(c.fix);
  }
  return out;
}

export function formatPreflightFailures(failed: PreflightCheck[]): string[] {
  return failed.flatMap((c) => [`✗ ${c.title}: ${c.detail}`, ...(c.fix ? [`    fix: ${c.fix}`] : [])]);
}

export async function up(ctx: Context, config: ResolvedConfig, services: UpServices): Promise<UpResult> {
  if (config.numGpus !== undefined && !ctx.dryRun) {
    throw new UserError('--num-gpus (cluster.numGpus) only previews a layout for another host; it works with --dry-run.', {
      fix: [`kindling up --dry-run --num-gpus ${config.numGpus}`, 'kindling up --gpus 0,1   # to use a subset of this host\'s GPUs'],
    });
  }
  // The preflight sees the host as it is; later phases plan as if host setup had run.
  const hostCtx = ctx;
  if (ctx.dryRun) ctx = { ...ctx, runner: dryRunProbeRunner(ctx) };
  const state: { gpus: HostGpu[]; failed: PreflightCheck[]; models: ModelSummary[]; endpoints: Map<string, Endpoint> } = {
    gpus: [],
    failed: [],
    models: [],
    endpoints: new Map(),
  };
  const targets = config.models.map((m) => services.model.target(ctx, config, m));
  const phases: Phase[] = [];

  phases.push({
    id: 'preflight',
    title: 'Preflight: host checks',
    probeAfterPlanned: true,
    readOnly: !config.host.fix,
    isDone: async () => false,
    run: async (pctx) => {
      if (config.host.fix) {
        const ok = await pctx.io.confirm('Run `kindling host setup` first (installs and configures what is missing, as root)?', { assumeYes: pctx.assumeYes || pctx.dryRun });
        if (!ok) throw new UserError('Host setup was not confirmed; nothing was changed.', { fix: ['kindling up --fix --yes', 'kindling host setup --dry-run   # to see what it would do'] });
        await services.hostSetup({ ...pctx, runner: hostCtx.runner }, config);
      }
      const report = await services.preflight({ ...pctx, runner: hostCtx.runner }, {});
      const preview = config.numGpus !== undefined;
      state.gpus = preview ? previewGpus(config.numGpus ?? 0) : report.gpus;
      const failed = report.checks.filter((c) => c.status === 'fail');
      state.failed = failed;
      if (failed.length > 0 && !pctx.dryRun) {
        throw new UserError(`Preflight: ${failed.length} host check${failed.length === 1 ? '' : 's'} failed; nothing was changed.`, {
          details: formatPreflightFailures(failed),
          fix: uniqueFixes(failed).concat(config.host.fix ? [] : ['kindling up --fix   # runs `kindling host setup` first']),
        });
      }
      if (failed.length > 0) {
        const gpuOnly = preview && failed.every((c) => GPU_CHECK_IDS.has(c.id));
        const list = failed.map((c) => `${c.id} (${c.detail})`).join('; ');
        pctx.plan.note(`On this host${config.host.fix ? ' (before the host setup above)' : ''} these checks fail: ${list}. A real \`kindling up\`${config.host.fix ? ' stops here (exit 2) if host setup leaves any of them failing' : ' would stop here (exit 2)'}${gpuOnly || config.host.fix ? '' : '; fix them first'}.`);
        pctx.io.warn(`On this host ${failed.length} check${failed.length === 1 ? '' : 's'} fail (${failed.map((c) => c.id).join(', ')}); planning anyway (--dry-run).`);
      }
      if (preview) pctx.plan.note(`Previewing a host with ${config.numGpus} GPU${config.numGpus === 1 ? '' : 's'} (--num-gpus): the plan is for that host, not this one.`);
      checkLayout(config, state.gpus, preview);
      const warnings = report.checks.filter((c) => c.status === 'warn').length;
      return `${state.gpus.length} GPU${state.gpus.length === 1 ? '' : 's'}${preview ? ' (preview)' : ''}, ${report.checks.filter((c) => c.status === 'pass').length} checks passed${warnings ? `, ${warnings} warnings` : ''}${failed.length ? `, ${failed.length} failed` : ''}`;
    },
  });

  const servicePhase = (id: string, title: string, svc: ServicePhase, extra: Partial<Phase> = {}) => {
    if (svc.enabled && !svc.enabled(config)) return;
    phases.push({
      id,
      title,
      isDone: (pctx) => svc.isDone(pctx, config, state.gpus),
      run: (pctx, step) => svc.run(pctx, config, state.gpus, step),
      ...extra,
    });
  };
  servicePhase('cluster', `Cluster "${config.clusterName}"`, services.cluster, {
    halfDone: (pctx) => services.cluster.halfDone(pctx, config),
  });
  // After the cluster: the caches join kind's Docker network, which the first cluster creates.
  servicePhase('image-cache', 'Image cache (pull-through registry on the host)', services.imageCache, { probeAfterPlanned: true });
  servicePhase('gpu-operator', 'NVIDIA GPU Operator', services.gpuOperator, {
    halfDone: () => 'GPU Operator: helm release applied, operands may still be starting (they keep starting in the cluster)',
  });
  servicePhase('load-balancer', 'LoadBalancer controller (cloud-provider-kind)', services.loadBalancer, {
    probeAfterPlanned: true,
  });
  for (const target of targets) {
    phases.push({
      id: `model:${target.name}`,
      title: `Model ${target.config.id}`,
      isDone: (pctx) => services.model.isDone(pctx, config, target),
      run: (pctx, step) => services.model.run(pctx, config, target, step),
      halfDone: () => `model ${target.name}: manifests applied, pods still starting (they keep starting; \`kindling status\` shows them)`,
    });
  }
  if (targets.length > 0) {
    phases.push({
      id: 'smoke-test',
      title: 'Smoke test (/v1/models and one chat completion)',
      // Read-only: it runs every time (a no-op `up` still proves the endpoint answers).
      probeAfterPlanned: true,
      readOnly: true,
      isDone: async () => false,
      run: async (pctx) => {
        if (pctx.dryRun) return 'not run in --dry-run';
        const results: string[] = [];
        for (const target of targets) {
          const endpoint = await services.model.endpoint(pctx, config, target);
          if (!endpoint) continue;
          state.endpoints.set(target.name, endpoint);
          if (endpoint.via === 'none') continue;
          results.push(await services.model.smokeTest(pctx, target, endpoint));
        }
        return results.join('; ');
      },
    });
  }

  const result = await runWorkflow(ctx, phases, { prefetch: true });
  for (const target of targets) {
    const endpoint = state.endpoints.get(target.name);
    state.models.push({
      name: target.name,
      namespace: target.namespace,
      model: target.config.id,
      servedModelName: target.servedModelName,
      ...(endpoint ? { endpoint } : {}),
    });
  }
  return {
    cluster: config.clusterName,
    context: ctx.kubeTarget.context ?? `kind-${config.clusterName}`,
    dryRun: ctx.dryRun,
    gpus: state.gpus,
    failedChecks: state.failed,
    phases: result.phases,
    totalMs: result.totalMs,
    models: state.models,
    ...(ctx.dryRun ? { plan: ctx.plan.toJSON().actions } : {}),
  };
}

/**
 * In --dry-run on a bare host, the tools host setup would install are not there yet. Their
 * read-only probes are answered as on a host where they were just installed — `kind get clusters`:
 * no clusters; `docker …`: nothing exists — so every later phase can still plan (noted once each).
 */
export function dryRunProbeRunner(ctx: Context): ProcessRunner {
  const inner = ctx.runner;
  const noted = new Set<string>();
  const answer = async (spec: CommandSpec, fn: () => Promise<RunResult>): Promise<RunResult> => {
    try {
      return await fn();
    } catch (error) {
      const tool = spec.argv[0] ?? '';
      const sub = spec.argv[1] ?? '';
      const answerable = (tool === 'kind' && sub === 'get') || (tool === 'docker' && ['ps', 'inspect', 'logs', 'network', 'image'].includes(sub));
      if (spec.mutating || !(error instanceof ExternalError) || !error.notFound || !answerable) throw error;
      if (!noted.has(tool)) {
        noted.add(tool);
        ctx.plan.note(`${tool} is not installed on this host (\`kindling host setup\` installs it): planning as if it were, with nothing created yet.`);
      }
      return { ...(MISSING_TOOL_ANSWERS[tool] as { exitCode: number; stdout: string; stderr: string }), durationMs: 0, recorded: false };
    }
  };
  return {
    dryRun: inner.dryRun,
    run: (spec) => answer(spec, () => inner.run(spec)),
    stream: (spec, onLine) => answer(spec, () => inner.stream(spec, onLine)),
  };
}

const MISSING_TOOL_ANSWERS: Record<string, { exitCode: number; stdout: string; stderr: string }> = {
  kind: { exitCode: 0, stdout: '', stderr: '' },
  // Without Docker nothing exists: answer as Docker does for a missing object, which every caller
  // already reads as "not there yet".
  docker: { exitCode: 1, stdout: '', stderr: 'Error: No such object: (docker is not installed yet)\n' },
};

/** Layout sanity before anything changes: enough GPUs for the layout and for each model. */
function checkLayout(config: ResolvedConfig, gpus: HostGpu[], preview: boolean): void {
  const available = config.gpus ? config.gpus.length : gpus.length;
  if (config.gpus) {
    const missing = config.gpus.filter((i) => !gpus.some((g) => g.index === i));
    if (missing.length > 0 && gpus.length > 0) {
      throw new UserError(`GPU ${missing.join(', ')} asked for with --gpus, but this host has GPUs ${gpus.map((g) => g.index).join(', ') || 'none'}.`, {
        fix: 'kindling doctor   # lists the GPUs',
      });
    }
  }
  if (available === 0) return; // preflight already reported it (or a dry-run without GPUs)
  const perNode = Math.min(config.gpusPerNode, available);
  for (const m of config.models) {
    const need = m.gpus ?? 1;
    if (need > perNode) {
      throw new UserError(
        `Model ${m.id} asks for ${need} GPUs per replica, but each worker gets at most ${perNode}${preview ? ' (preview)' : ''}: tensor parallelism runs inside one pod.`,
        { fix: [`kindling up --gpus-per-node ${need}`, `or set models[].gpus to ${perNode} or less`] },
      );
    }
  }
}

export function curlExample(endpoint: Endpoint, servedModelName: string): string {
  const body = JSON.stringify({ model: servedModelName, messages: [{ role: 'user', content: 'Who are you?' }], max_tokens: 128 });
  return `curl ${endpoint.url}/v1/chat/completions -H 'Content-Type: application/json' -d '${body}'`;
}

/** What `up` prints at the end: endpoints, curl example, chat command, timing table. */
export function renderUpSummary(result: UpResult): string {
  const out: string[] = [];
  if (result.dryRun) {
    out.push(`Dry run for cluster "${result.cluster}" (${result.gpus.length} GPU${result.gpus.length === 1 ? '' : 's'}): nothing was changed.`);
    if (result.failedChecks.length > 0) {
      out.push('', `On this host these checks fail (a real \`kindling up\` would stop at preflight):`);
      out.push(...formatPreflightFailures(result.failedChecks).map((l) => `  ${l}`));
    }
  } else {
    out.push(`Cluster "${result.cluster}" is up (kube context ${result.context}).`);
    for (const m of result.models) {
      out.push('', `Model ${m.model} (${m.namespace}/${m.name})`);
      if (!m.endpoint) {
        out.push('  endpoint: not reachable yet (kindling status shows why)');
        continue;
      }
      out.push(`  endpoint: ${m.endpoint.url}/v1${m.endpoint.via === 'port-forward' ? '   (port-forward by kindling: the LoadBalancer IP is not reachable from this host)' : ''}`);
      if (m.endpoint.note) out.push(`  note:     ${m.endpoint.note}`);
      out.push(`  try:      ${curlExample(m.endpoint, m.servedModelName)}`);
      out.push(`  chat:     kindling chat ${m.name}`);
    }
    if (result.models.length === 0) out.push('', 'No model configured: `kindling model deploy MODEL` serves one.');
  }
  out.push('', renderTimings(result));
  return out.join('\n');
}

/** For `status` and tests: a compact table of phases. */
export function renderPhaseTable(phases: PhaseRecord[]): string {
  return formatTable(
    ['PHASE', 'STATUS'],
    phases.map((p) => [p.title, p.status]),
  );
}
