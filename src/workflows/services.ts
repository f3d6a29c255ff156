/**
 * Binds `kindling up`'s phases to the domain services (src/host, src/cluster, src/addons,
 * src/serving). Each adapter is thin: a read-only probe for "already done" and a call of the
 * service, which is idempotent itself. Domain modules are imported lazily, inside the phases, so
 * `up --help` stays fast and a phase's module loads only when that phase runs.
 */
import { stringify } from 'yaml';
import type { Context } from '../core/context.js';
import { describe, type KubeObject } from '../core/kube.js';
import { UserError } from '../core/errors.js';
import type { ResolvedConfig } from './config.js';
import type { DoneResult, PhaseContext } from './engine.js';
import type { Endpoint, ModelTarget, UpServices } from './up.js';
import type { ServingKube } from '../serving/kube-api.js';
import type { ModelRequest } from '../serving/spec.js';
import { defaultName as servingDefaultName } from '../serving/spec.js';

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
  /** Endpoints found while deploying (deployModel waits for one), for the smoke test and summary. */
  const endpoints = new Map<string, Endpoint>();
  return {
    preflight: async (ctx, options) => {
      const { runDoctorChecks } = await import('../host/doctor.js');
      const report = await runDoctorChecks(ctx, { deep: false, ...(options.modelSizeGiB ? { modelSizeGiB: options.modelSizeGiB } : {}) });
      return { checks: report.checks, gpus: report.gpus };
    },

    hostSetup: async (ctx, config) => {
      const { hostSetup } = await import('../host/setup.js');
      const result = await hostSetup(ctx, { ...(config.host.mirror ? { mirror: config.host.mirror } : {}) });
      if (result.changed && !ctx.dryRun) ctx.io.info('Host setup changed the host; checking it again.');
    },

    imageCache: {
      enabled: (config) => config.registryCache,
      isDone: async (ctx, config) => {
        const { imageCacheDone } = await import('./image-cache.js');
        return imageCacheDone(ctx, cacheDirOf(ctx, config), config.host.registryMirrors);
      },
      run: async (ctx, config) => {
        const { ensureImageCache } = await import('./image-cache.js');
        return ensureImageCache(ctx, cacheDirOf(ctx, config), config.host.registryMirrors);
      },
    },

    cluster: {
      // The outcome, read from the API in a few requests: same stored config, every node Ready,
      // RuntimeClass nvidia, and every GPU worker advertising exactly its GPUs (which the device
      // plugin does only when the node's toolkit, runtime and device hiding all work). Anything
      // less: createCluster, which probes each node and resumes what is missing.
      isDone: (ctx, config, gpus) => clusterOutcomeHolds(ctx, config, gpus.length),
      run: async (ctx, config, gpus, step) => {
        const { createCluster } = await import('../cluster/create.js');
        const rendered = await renderUpClusterConfig(ctx, config, gpus.length);
        for (const w of rendered.warnings) ctx.io.warn(w);
        step.update(`${rendered.layout.nodes.length} nodes`);
        const result = await createCluster(ctx, { ...clusterOptions(ctx, config), waitMs: 10 * 60_000 }, { ...rendered, warnings: [] });
        const nodeSteps = result.nodeSetup.reduce((n, r) => n + r.ran.length, 0);
        if (!result.created && !result.recreated && !ctx.dryRun && nodeSteps === 0) return { unchanged: `exists with the same config (${result.description})` };
        return result.description;
      },
      halfDone: (_ctx, config) =>
        `cluster "${config.clusterName}": kind nodes may exist with GPU setup or readiness unfinished (\`kindling up\` resumes it; \`kindling down --name ${config.clusterName}\` removes it)`,
    },

    gpuOperator: {
      enabled: (config) => config.gpuOperator.enabled,
      // Done: namespace labelled, time-slicing config as asked, the release deployed with the
      // pinned chart and exactly kindling's values, and ready (ClusterPolicy + GPUs advertised).
      // Otherwise installGpuOperator, which checks each part again and changes only what differs.
      isDone: (ctx, config) => gpuOperatorOutcomeHolds(ctx, config),
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
      // Done: the managed container runs with this configuration and serves the cluster.
      isDone: async (ctx, config) => {
        if (config.loadBalancer.mode === 'binary') return false;
        const lb = await import('../addons/load-balancer.js');
        const { CLOUD_PROVIDER_KIND } = await import('../core/versions.js');
        const c = await lb.inspectContainer(ctx, lb.LB_CONTAINER_NAME).catch(() => undefined);
        if (!c?.State?.Running) return false;
        const hash = lb.configHash(CLOUD_PROVIDER_KIND.image, lb.controllerArgs({ gatewayApi: config.loadBalancer.gatewayApi }), lb.dockerSocket(ctx.env));
        if (c.Config?.Labels?.['dev.kindling.config'] !== hash) return false;
        const status = await lb.loadBalancerStatus(ctx, config.clusterName);
        return status.serving ? { reason: `running (container), serving cluster ${config.clusterName}` } : false;
      },
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
      target: (_ctx, _config, m) => ({
        config: m,
        name: m.name ?? servingDefaultName(m.id),
        namespace: m.namespace ?? 'default',
        servedModelName: m.servedModelName ?? m.id,
      }),
      // deployModel compares the spec hash of what is applied and changes only what differs.
      isDone: async () => false,
      run: async (ctx, config, target, step) => {
        const { prepareModelSpec, deployModel } = await import('../serving/service.js');
        const kube = await servingKubeFor(ctx, config);
        const sctx = withModelEnv(ctx, config);
        const { spec } = await prepareModelSpec(sctx, kube.exists ? kube.kube : undefined, modelRequest(target));
        step.update(`${spec.name}: ${spec.gpus} GPU${spec.gpus === 1 ? '' : 's'}, ${spec.image}`);
        const result = await deployModel(sctx, kube.kube, spec, {
          context: contextOf(ctx, config),
          ...(ctx.kubeTarget.kubeconfig ? { kubeconfig: ctx.kubeTarget.kubeconfig } : {}),
          ...(target.config.hfTokenEnv ? { hfTokenEnv: target.config.hfTokenEnv } : {}),
          smoke: false,
        });
        if (result.endpoint) endpoints.set(target.name, { url: result.endpoint.url, via: result.endpoint.via, ...(result.endpoint.note ? { note: result.endpoint.note } : {}) });
        if (ctx.dryRun) return '';
        if (result.applied.length === 0) return { unchanged: `ready (spec unchanged)${result.endpoint ? `, ${result.endpoint.url}` : ''}` };
        return `ready${result.endpoint ? ` at ${result.endpoint.url}` : ''}`;
      },
      endpoint: async (ctx, config, target) => {
        const known = endpoints.get(target.name);
        if (known) return known;
        const { findEndpoint } = await import('../serving/endpoint.js');
        const kube = await servingKubeFor(ctx, config);
        if (!kube.exists) return undefined;
        const ep = await findEndpoint(ctx, kube.kube, { name: target.name, namespace: target.namespace, lbWaitMs: 30_000, context: contextOf(ctx, config) });
        return ep ? { url: ep.url, via: ep.via, ...(ep.note ? { note: ep.note } : {}) } : undefined;
      },
      smokeTest: async (ctx, target, endpoint) => {
        const { smokeTest } = await import('../serving/endpoint.js');
        const r = await smokeTest(endpoint.url, target.servedModelName, { signal: ctx.signal });
        return `${target.name}: answered in ${Math.round(r.ms)} ms`;
      },
    },
  };
}

function clusterOptions(ctx: Context, config: ResolvedConfig) {
  return {
    name: config.clusterName,
    ...(config.configTemplate ? { configTemplate: config.configTemplate } : { gpusPerNode: config.gpusPerNode }),
    ...(config.gpus && !config.configTemplate ? { gpus: config.gpus } : {}),
    ...(config.numGpus !== undefined ? { numGpus: config.numGpus } : {}),
    ...(config.configValues ? { configValues: config.configValues } : {}),
    ...(config.nodeImage ? { image: config.nodeImage } : {}),
    cacheDir: cacheDirOf(ctx, config),
  };
}

/**
 * The kind config `up` creates: the cluster module's (layout, GPU mounts, host cache), plus — with
 * the image cache on — every node's containerd pointed at the host's pull-through caches.
 */
export async function renderUpClusterConfig(ctx: Context, config: ResolvedConfig, hostGpuCount: number) {
  const { renderClusterConfig } = await import('../cluster/config.js');
  const rendered = await renderClusterConfig(ctx, clusterOptions(ctx, config), { hostGpuCount: config.numGpus ?? hostGpuCount });
  if (!config.registryCache) return rendered;
  const kindConfigModule = await import('../cluster/kind-config.js');
  const { kindConfigToYaml } = kindConfigModule;
  const validateKindConfig: (config: unknown, source: string) => void = kindConfigModule.validateKindConfig;
  const { registryCacheKindConfig } = await import('./image-cache.js');
  const add = registryCacheKindConfig(cacheDirOf(ctx, config));
  const kindConfig = structuredClone(rendered.config);
  const patches = kindConfig.containerdConfigPatches ?? [];
  for (const p of add.containerdConfigPatches) if (!patches.includes(p)) patches.push(p);
  kindConfig.containerdConfigPatches = patches;
  kindConfig.nodes = (kindConfig.nodes ?? []).map((n) => {
    const mounts = [...(n.extraMounts ?? [])];
    for (const m of add.extraMounts) if (!mounts.some((x) => x.containerPath === m.containerPath)) mounts.push({ ...m });
    return { ...n, extraMounts: mounts };
  });
  validateKindConfig(kindConfig, 'the kind config with the image cache');
  return { ...rendered, config: kindConfig, yaml: kindConfigToYaml(kindConfig) };
}

export async function gpuOperatorOutcomeHolds(ctx: PhaseContext, config: ResolvedConfig): Promise<DoneResult> {
  const kube = await addonKubeIfExists(ctx, config);
  if (!kube) return false;
  const target = await addonTarget(ctx, config);
  const op = await import('../addons/gpu-operator.js');
  const values = await import('../addons/gpu-operator-values.js');
  const helm = await import('../addons/helm.js');
  const settings = { ...(config.gpuOperator.timeSlicing ? { timeSlicing: config.gpuOperator.timeSlicing } : {}), dcgmExporter: config.gpuOperator.dcgmExporter };
  const [ns, slicing, release, snapshot] = await Promise.all([
    kube.get<KubeObject>('v1', 'Namespace', values.GPU_OPERATOR_NAMESPACE),
    values.timeSlicingEnabled(settings)
      ? kube.get<KubeObject & { data?: Record<string, string> }>('v1', 'ConfigMap', values.TIME_SLICING_CONFIGMAP, values.GPU_OPERATOR_NAMESPACE)
      : Promise.resolve(undefined),
    helm.helmRelease(ctx, target, values.GPU_OPERATOR_RELEASE, values.GPU_OPERATOR_NAMESPACE).catch(() => undefined),
    op.gpuOperatorSnapshot(kube, target.context),
  ]);
  if (ns?.metadata.labels?.['pod-security.kubernetes.io/enforce'] !== 'privileged') return false;
  if (values.timeSlicingEnabled(settings)) {
    const want = values.timeSlicingConfigMap(settings.timeSlicing as number).data[values.TIME_SLICING_PROFILE];
    if (slicing?.data?.[values.TIME_SLICING_PROFILE] !== want) return false;
  }
  if (!release || release.status !== 'deployed' || release.chart !== op.expectedChart(config.gpuOperator.version)) return false;
  if (!snapshot.ready) return false;
  const current = await helm.helmValues(ctx, target, values.GPU_OPERATOR_RELEASE, values.GPU_OPERATOR_NAMESPACE).catch(() => undefined);
  if (!helm.jsonEqual(current, values.gpuOperatorValues(settings))) return false;
  const gpus = snapshot.nodes.reduce((n, x) => n + x.allocatable, 0);
  return { reason: `${release.chart} deployed, same values; ready: ${gpus} nvidia.com/gpu on ${snapshot.nodes.length} worker${snapshot.nodes.length === 1 ? '' : 's'}` };
}

interface NodeLike extends KubeObject {
  status?: { allocatable?: Record<string, string>; conditions?: { type: string; status: string }[] };
}

export async function clusterOutcomeHolds(ctx: Context, config: ResolvedConfig, hostGpuCount: number): Promise<DoneResult> {
  const { kindClusters, connectCluster, readStoredConfig } = await import('../cluster/kind.js');
  if (!(await kindClusters(ctx)).includes(config.clusterName)) return false;
  // Probed early (before preflight reported the GPUs): discover them here, read-only.
  if (hostGpuCount === 0 && config.numGpus === undefined) {
    const { discoverGpus } = await import('../host/nvidia.js');
    hostGpuCount = (await discoverGpus(ctx).catch(() => [])).length;
    if (hostGpuCount === 0) return false;
  }
  const rendered = await renderUpClusterConfig(ctx, config, hostGpuCount);
  const kube = await connectCluster(ctx, config.clusterName).catch(() => undefined);
  if (!kube) return false;
  const stored = await readStoredConfig(kube);
  if (stored?.config !== rendered.yaml) return false;
  let nodes: NodeLike[];
  try {
    nodes = await kube.list<NodeLike>('v1', 'Node');
    if (!(await kube.get('node.k8s.io/v1', 'RuntimeClass', 'nvidia'))) return false;
  } catch {
    return false;
  }
  const slices = config.gpuOperator.timeSlicing ?? 1;
  let gpuWorkers = 0;
  for (const want of rendered.layout.nodes) {
    const node = nodes.find((n) => n.metadata.name === want.name);
    if (!node || node.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True') return false;
    if (want.gpus === 'all' || want.gpus.length > 0) {
      const expected = (want.gpus === 'all' ? hostGpuCount : want.gpus.length) * slices;
      if (Number(node.status?.allocatable?.['nvidia.com/gpu'] ?? 0) !== expected) return false;
      gpuWorkers += 1;
    }
  }
  return { reason: `exists, same config, ${gpuWorkers} GPU worker${gpuWorkers === 1 ? '' : 's'} advertising their GPUs` };
}

export function contextOf(ctx: Context, config: Pick<ResolvedConfig, 'clusterName'>): string {
  return ctx.kubeTarget.context ?? `kind-${config.clusterName}`;
}

function modelRequest(target: ModelTarget): ModelRequest {
  const m = target.config;
  return {
    model: m.id,
    name: target.name,
    ...(m.gpus !== undefined ? { gpus: m.gpus } : {}),
    ...(m.replicas !== undefined ? { replicas: m.replicas } : {}),
    ...(m.image ? { image: m.image } : {}),
    ...(m.maxModelLen !== undefined ? { maxModelLen: m.maxModelLen } : {}),
    ...(m.servedModelName ? { servedModelName: m.servedModelName } : {}),
    ...(m.vllmArgs ? { vllmArgs: m.vllmArgs } : {}),
    ...(m.namespace ? { namespace: m.namespace } : {}),
    ...(m.expose ? { expose: m.expose } : {}),
    ...(m.cache ? { cache: m.cache } : {}),
    ...(m.hfTokenEnv ? { hfTokenEnv: m.hfTokenEnv } : {}),
    ...(m.modelSource ? { modelSource: m.modelSource } : {}),
  };
}

/** kindling.yaml's host.hfEndpoint reaches the pods as HF_ENDPOINT (the environment's wins). */
function withModelEnv(ctx: Context, config: ResolvedConfig): Context {
  if (!config.host.hfEndpoint || ctx.env.HF_ENDPOINT) return ctx;
  return { ...ctx, env: { ...ctx.env, HF_ENDPOINT: config.host.hfEndpoint } };
}

/**
 * The serving connection to the up cluster. When it does not exist yet (a --dry-run before the
 * cluster phase ran), a planning stand-in: reads find nothing, writes are recorded in the plan.
 */
async function servingKubeFor(ctx: PhaseContext | Context, config: ResolvedConfig): Promise<{ exists: boolean; kube: ServingKube }> {
  const context = contextOf(ctx, config);
  const upstreamPlanned = 'upstreamPlanned' in ctx && ctx.upstreamPlanned;
  if (!upstreamPlanned) {
    const { Kube } = await import('../core/kube.js');
    const { servingKube } = await import('../serving/kube-api.js');
    try {
      const kube = await Kube.connect(ctx, { ...ctx.kubeTarget, context });
      await kube.list('v1', 'Namespace', { fieldSelector: 'metadata.name=kube-system' });
      return { exists: true, kube: servingKube(kube, ctx) };
    } catch (error) {
      if (!(error instanceof UserError) || !ctx.dryRun) throw error;
    }
  }
  return { exists: false, kube: planningKube(ctx, context) };
}

function planningKube(ctx: Context, context: string): ServingKube {
  const record = (verb: 'apply' | 'delete', object: { kind: string; metadata: { name: string; namespace?: string } }, yaml: string, description?: string) =>
    ctx.plan.record({ kind: 'manifest', verb, object: describe(object), yaml, target: context, ...(description ? { description } : {}) });
  return {
    contextName: context,
    get: async () => undefined,
    list: async () => [],
    apply: async (object, description) => {
      record('apply', object, stringify(object), description);
      return object;
    },
    applySecret: async (object, description) => {
      const redacted = { ...object, ...('data' in object ? { data: Object.fromEntries(Object.keys(object.data as object).map((k) => [k, '***'])) } : {}), ...('stringData' in object ? { stringData: Object.fromEntries(Object.keys(object.stringData as object).map((k) => [k, '***'])) } : {}) };
      record('apply', object, stringify(redacted), description);
    },
    delete: async (object, description) => record('delete', object, stringify({ apiVersion: object.apiVersion, kind: object.kind, metadata: object.metadata }), description),
    podLogs: async () => '',
    followLogs: async () => undefined,
  };
}
