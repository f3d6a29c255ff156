/**
 * Binds `kindling up`'s phases to the domain services (src/host, src/cluster, src/addons,
 * src/serving). Each adapter is thin: a read-only probe for "already done" and a call of the
 * service, which is idempotent itself. Domain modules are imported lazily, inside the phases, so
 * `up --help` stays fast and a phase's module loads only when that phase runs.
 */
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';
import type { ResolvedConfig } from './config.js';
import type { PhaseContext } from './engine.js';
import type { UpServices } from './up.js';

export function cacheDirOf(ctx: Context, config: Pick<ResolvedConfig, 'cacheDir'>): string {
  return config.cacheDir ?? ctx.paths.hostCacheDir;
}

async function addonTarget(ctx: Context, config: ResolvedConfig) {
  const { resolveTarget } = await import('../addons/target.js');
  return resolveTarget(ctx, config.clusterName);
}

/** The addon services' cluster connection, or undefined when the cluster is not there (yet). */
async function addonKubeIfExists(ctx: PhaseContext, config: ResolvedConfig) {
  if (ctx.upstreamPlanned) return undefined;
  const { probeCluster } = await import('../addons/target.js');
  const probe = await probeCluster(ctx, await addonTarget(ctx, config));
  return probe.exists ? probe.kube : undefined;
}

export function realUpServices(): UpServices {
  return {
    preflight: async (ctx, options) => {
      const { runDoctorChecks } = await import('../host/doctor.js');
      const report = await runDoctorChecks(ctx, { deep: false, ...(options.modelSizeGiB ? { modelSizeGiB: options.modelSizeGiB } : {}) });
      return { checks: report.checks, gpus: report.gpus };
    },

    hostSetup: async () => notAvailable('host setup'),

    imageCache: {
      enabled: (config) => config.registryCache,
      isDone: async (ctx, config) => {
        const { imageCacheDone } = await import('./image-cache.js');
        return imageCacheDone(ctx, cacheDirOf(ctx, config));
      },
      run: async (ctx, config) => {
        const { ensureImageCache } = await import('./image-cache.js');
        return ensureImageCache(ctx, cacheDirOf(ctx, config));
      },
    },

    cluster: {
      isDone: async () => false,
      run: async () => notAvailable('cluster creation'),
      halfDone: (_ctx, config) => `cluster "${config.clusterName}": started, not finished`,
    },

    gpuOperator: {
      enabled: (config) => config.gpuOperator.enabled,
      // installGpuOperator probes every part itself (namespace, repo, release and values, readiness)
      // and changes only what differs: "ready" alone would miss changed values.
      isDone: async () => false,
      run: async (ctx, config, _gpus, step) => {
        const { installGpuOperator } = await import('../addons/gpu-operator.js');
        const target = await addonTarget(ctx, config);
        const kube = await addonKubeIfExists(ctx, config);
        step.update('helm upgrade --install gpu-operator');
        const result = await installGpuOperator(ctx, {
          target,
          ...(kube ? { kube } : {}),
          ...(config.gpuOperator.version ? { chartVersion: config.gpuOperator.version } : {}),
          timeoutMs: config.gpuOperator.timeoutMs,
          ...(config.gpuOperator.timeSlicing ? { timeSlicing: config.gpuOperator.timeSlicing } : {}),
          dcgmExporter: config.gpuOperator.dcgmExporter,
        });
        if (!result.changed && !ctx.dryRun) return { unchanged: 'installed and ready' };
        return result.status?.ready ? 'ready' : '';
      },
    },

    loadBalancer: {
      enabled: (config) => config.loadBalancer.enabled,
      isDone: async () => false,
      run: async (ctx, config) => {
        const { ensureLoadBalancer } = await import('../addons/load-balancer.js');
        const kube = await addonKubeIfExists(ctx, config);
        const result = await ensureLoadBalancer(ctx, {
          clusterName: config.clusterName,
          gatewayApi: config.loadBalancer.gatewayApi,
          mode: config.loadBalancer.mode,
          ...(kube ? { kube } : {}),
        });
        if (!result.changed && !ctx.dryRun) return { unchanged: `running (${result.mode})` };
        return `${result.mode}${result.serving ? ', serving' : ''}`;
      },
    },

    model: {
      target: (_ctx, _config, model) => ({ config: model, name: model.name ?? 'model', namespace: model.namespace ?? 'default', servedModelName: model.servedModelName ?? model.id }),
      isDone: async () => false,
      run: async () => notAvailable('model deployment'),
      endpoint: async () => undefined,
      smokeTest: async () => notAvailable('smoke test'),
    },
  };
}

export function notAvailable(what: string): never {
  throw new UserError(`${what} is not available in this build of kindling.`);
}
