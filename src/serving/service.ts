/**
 * The serving services `kindling model …` (and `up`, `status`, `down`) call: prepare a spec against
 * the cluster, deploy (idempotent: an equal spec hash changes nothing), watch it start, find the
 * endpoint, smoke-test it; list, status, logs, delete.
 */
import { Writable } from 'node:stream';
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';
import type { KubeObject } from '../core/kube.js';
import { formatDuration } from '../core/style.js';
import { VLLM_IMAGE } from '../core/versions.js';
import { findEndpoint, smokeTest, stopPortForwards, type ModelEndpoint, type SmokeResult, type ServiceObj, loadBalancerUrl, listPortForwards } from './endpoint.js';
import type { ServingKube } from './kube-api.js';
import {
  ANNOTATION_MODEL_ID,
  ANNOTATION_SERVED_NAME,
  ANNOTATION_SPEC_HASH,
  buildModelManifests,
  buildTokenSecret,
  cachePvcName,
  CONTAINER_NAME,
  LABEL_MODEL,
  MANAGED_SELECTOR,
  tokenSecretName,
} from './manifests.js';
import { renderPhaseSummary, type PhaseSummary } from './phases.js';
import { podSizing, resolveModelSpec, type ModelRequest, type ModelSpec } from './spec.js';
import { clusterFacts, NODE_CACHE_DIR, type ClusterFacts } from './target.js';
import { modelPods, watchModelStart } from './watch.js';

/** Spec with the cluster's defaults (cache mode) and limits (GPUs per node) applied. */
export async function prepareModelSpec(ctx: Context, kube: ServingKube | undefined, request: ModelRequest): Promise<{ spec: ModelSpec; facts?: ClusterFacts }> {
  let facts: ClusterFacts | undefined;
  if (kube) {
    try {
      facts = await clusterFacts(kube);
    } catch (error) {
      // A dry run may plan against a cluster that does not exist yet (`up --dry-run`).
      if (!ctx.dryRun) throw error;
      ctx.plan.note(`cluster not reachable (${(error as Error).message.split('\n')[0]}); planning with defaults`);
    }
  }
  const spec = resolveModelSpec(request, {
    image: VLLM_IMAGE.image,
    nodeCacheDir: NODE_CACHE_DIR,
    cache: facts?.defaultCache ?? 'host',
    env: ctx.env,
  });
  if (facts?.maxGpusPerNode !== undefined && spec.gpus > facts.maxGpusPerNode) {
    const nodes = Object.entries(facts.gpusPerNode).map(([n, g]) => `${n}: ${g}`).join(', ');
    throw new UserError(`--gpus ${spec.gpus} asks for more GPUs than any node has (at most ${facts.maxGpusPerNode}; ${nodes}). Tensor parallelism runs inside one pod, on one node.`, {
      fix: [`kindling model deploy ${spec.model} --gpus ${facts.maxGpusPerNode}`, 'kindling cluster create --gpus-per-node N  # more GPUs per worker'],
    });
  }
  if (spec.cache === 'host' && facts && !facts.kindlingCluster) {
    ctx.io.warn(`--cache host on a cluster kindling did not create: every GPU node needs ${NODE_CACHE_DIR} (it is created empty where missing).`);
  }
  if (spec.cache === 'pvc' && spec.replicas > 1) {
    ctx.io.warn(`--cache pvc with ${spec.replicas} replicas: the ReadWriteOnce volume binds to one node; replicas on other nodes stay Pending.`);
  }
  return { spec, ...(facts ? { facts } : {}) };
}

export interface DeployOptions {
  /** Wait for ready, find the endpoint and smoke-test it (default true). */
  wait?: boolean;
  timeoutMs?: number;
  /** How long to wait for a LoadBalancer address before a port-forward (default 30 s). */
  lbWaitMs?: number;
  /** The kubeconfig context and file in use (for port-forwards and printed commands). */
  context: string;
  kubeconfig?: string;
  contextFlag?: string;
  /** Environment variable holding the HF token (default HF_TOKEN). */
  hfTokenEnv?: string;
  pollMs?: number;
  smoke?: boolean;
}

export interface DeployResult {
  name: string;
  namespace: string;
  model: string;
  servedModelName: string;
  gpus: number;
  /** Objects applied this run (empty: nothing changed). */
  applied: string[];
  specHash: string;
  ready: boolean;
  summary?: PhaseSummary;
  endpoint?: ModelEndpoint;
  smoke?: SmokeResult;
  dryRun: boolean;
}

export async function deployModel(ctx: Context, kube: ServingKube, spec: ModelSpec, options: DeployOptions): Promise<DeployResult> {
  const manifests = buildModelManifests(spec);
  const applied: string[] = [];
  const probe = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (error) {
      if (!ctx.dryRun) throw error;
      return undefined;
    }
  };

  await ctx.io.step(`Applying ${spec.name} (${spec.model}, ${spec.gpus} GPU${spec.gpus > 1 ? 's' : ''})`, async (step) => {
    // Namespace.
    if (spec.namespace !== 'default' && !(await probe(() => kube.get('v1', 'Namespace', spec.namespace)))) {
      await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: spec.namespace, labels: { 'app.kubernetes.io/managed-by': 'kindling' } } });
      applied.push(`Namespace ${spec.namespace}`);
    }
    // HF token Secret: from the environment, never inline; applied only when its value changed.
    if (manifests.tokenSecretName) {
      const token = ctx.env[options.hfTokenEnv ?? 'HF_TOKEN'] ?? '';
      ctx.redactor.add(token);
      const existing = await probe(() => kube.get<KubeObject & { data?: Record<string, string> }>('v1', 'Secret', manifests.tokenSecretName ?? '', spec.namespace));
      const current = existing?.data?.token ? Buffer.from(existing.data.token, 'base64').toString('utf8') : undefined;
      if (current !== token) {
        await kube.applySecret(buildTokenSecret(spec, token) as KubeObject, `Hugging Face token from $${options.hfTokenEnv ?? 'HF_TOKEN'}`);
        applied.push(`Secret ${spec.namespace}/${manifests.tokenSecretName}`);
      }
    }
    if (manifests.pvc && !(await probe(() => kube.get('v1', 'PersistentVolumeClaim', manifests.pvc?.metadata.name ?? '', spec.namespace)))) {
      await kube.apply(manifests.pvc as KubeObject, 'model cache volume');
      applied.push(`PersistentVolumeClaim ${spec.namespace}/${manifests.pvc.metadata.name}`);
    }
    for (const obj of [manifests.deployment, manifests.service] as KubeObject[]) {
      const existing = await probe(() => kube.get(obj.apiVersion, obj.kind, obj.metadata.name, spec.namespace));
      if (existing?.metadata.annotations?.[ANNOTATION_SPEC_HASH] === manifests.specHash) continue;
      await kube.apply(obj);
      applied.push(`${obj.kind} ${spec.namespace}/${obj.metadata.name}`);
    }
    if (applied.length === 0) step.skip(`unchanged (spec ${manifests.specHash})`);
    else step.done(ctx.dryRun ? `${applied.length} object(s) planned` : `applied ${applied.join(', ')}`);
  });

  const result: DeployResult = {
    name: spec.name,
    namespace: spec.namespace,
    model: spec.model,
    servedModelName: spec.servedModelName,
    gpus: spec.gpus,
    applied,
    specHash: manifests.specHash,
    ready: false,
    dryRun: ctx.dryRun,
  };
  if (ctx.dryRun || options.wait === false || spec.replicas === 0) return result;

  const sizing = podSizing(spec.model, spec.gpus);
  const watched = await watchModelStart(ctx, kube, {
    name: spec.name,
    namespace: spec.namespace,
    model: spec.model,
    gpus: spec.gpus,
    // Image pull (≈ 9 GB) on top of the pod's own start-up budget.
    timeoutMs: options.timeoutMs ?? (sizing.startupBudgetSeconds + 20 * 60) * 1000,
    ...(options.contextFlag ? { contextFlag: options.contextFlag } : {}),
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
  });
  result.ready = watched.ready;
  result.summary = watched.summary;

  const endpoint = await ctx.io.step('Finding the endpoint', async (step) => {
    const ep = await findEndpoint(ctx, kube, {
      name: spec.name,
      namespace: spec.namespace,
      lbWaitMs: options.lbWaitMs ?? 30_000,
      context: options.context,
      ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    });
    if (ep) step.done(`${ep.url} (${ep.via})`);
    return ep;
  });
  if (endpoint) {
    result.endpoint = endpoint;
    if (endpoint.note) ctx.io.warn(endpoint.note);
    if (options.smoke !== false) {
      result.smoke = await ctx.io.step('Smoke test', async (step) => {
        const smoke = await smokeTest(endpoint.url, spec.servedModelName, { signal: ctx.signal });
        step.done(`/v1/models lists it; chat answered in ${formatDuration(smoke.ms)}`);
        return smoke;
      });
    }
  }
  return result;
}

/** The text `deploy` ends with: phase summary, endpoint, curl example, chat command. */
export function renderDeployResult(r: DeployResult, contextFlag = ''): string {
  const ctxFlag = contextFlag ? ` ${contextFlag}` : '';
  if (r.dryRun) return '';
  const out: string[] = [];
  if (r.summary) out.push(renderPhaseSummary(r.summary, `Start-up of ${r.name}`));
  if (!r.ready) {
    out.push(`${r.name}: ${r.applied.length > 0 ? `applied (${r.applied.join(', ')})` : 'unchanged'}; not waiting for it to start.`);
    out.push(`  Follow it:  kindling model logs ${r.name} -f${ctxFlag}`);
    out.push(`  Status:     kindling model list${ctxFlag}`);
    return `${out.join('\n')}\n`;
  }
  if (r.endpoint) {
    out.push(`${r.servedModelName} is ready at ${r.endpoint.url}  (${r.endpoint.via === 'port-forward' ? 'port-forward managed by kindling' : r.endpoint.via})`);
    if (r.smoke) out.push(`Smoke test: ${r.smoke.answer.replace(/\s+/g, ' ').slice(0, 100)}`);
    out.push('');
    out.push('Try it:');
    out.push(`  curl ${r.endpoint.url}/v1/chat/completions -H 'Content-Type: application/json' \\`);
    out.push(`    -d '${JSON.stringify({ model: r.servedModelName, messages: [{ role: 'user', content: 'Who are you?' }] })}'`);
    out.push(`  kindling chat ${r.servedModelName}${ctxFlag}`);
  } else {
    out.push(`${r.servedModelName} is ready (no endpoint found).`);
  }
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------

interface DeploymentObj extends KubeObject {
  metadata: KubeObject['metadata'] & { creationTimestamp?: string | Date };
  spec?: { replicas?: number; template?: { spec?: { containers?: Array<{ image?: string; resources?: { limits?: Record<string, string> } }> } } };
  status?: { readyReplicas?: number; replicas?: number; availableReplicas?: number };
}

export interface ModelInfo {
  name: string;
  namespace: string;
  model: string;
  servedModelName: string;
  gpus: number;
  replicas: number;
  readyReplicas: number;
  ready: boolean;
  image: string;
  /** LB URL or running port-forward, when known without waiting. */
  endpoint?: string;
  age?: string;
  /** Phase or waiting reason of the newest pod, when not ready. */
  state?: string;
}

function toInfo(d: DeploymentObj, svc: ServiceObj | undefined, ctx: Context, forwards: ReturnType<typeof listPortForwards>, context: string): ModelInfo {
  const container = d.spec?.template?.spec?.containers?.[0];
  const gpus = Number(container?.resources?.limits?.['nvidia.com/gpu'] ?? 0);
  const replicas = d.spec?.replicas ?? 1;
  const readyReplicas = d.status?.readyReplicas ?? 0;
  const lb = svc ? loadBalancerUrl(svc, ctx.env) : undefined;
  const pf = forwards.find((f) => f.name === d.metadata.name && f.namespace === d.metadata.namespace && f.context === context);
  const created = d.metadata.creationTimestamp ? new Date(d.metadata.creationTimestamp).getTime() : undefined;
  const model = d.metadata.annotations?.[ANNOTATION_MODEL_ID] ?? d.metadata.labels?.[LABEL_MODEL] ?? d.metadata.name;
  return {
    name: d.metadata.name,
    namespace: d.metadata.namespace ?? 'default',
    model,
    servedModelName: d.metadata.annotations?.[ANNOTATION_SERVED_NAME] ?? model,
    gpus,
    replicas,
    readyReplicas,
    ready: replicas > 0 && readyReplicas >= replicas,
    image: container?.image ?? '',
    ...(lb ? { endpoint: lb } : pf ? { endpoint: `http://127.0.0.1:${pf.port}` } : {}),
    ...(created ? { age: formatDuration(Date.now() - created) } : {}),
  };
}

export async function listModels(ctx: Context, kube: ServingKube, options: { namespace?: string; context: string }): Promise<ModelInfo[]> {
  const deployments = await kube.list<DeploymentObj>('apps/v1', 'Deployment', {
    ...(options.namespace ? { namespace: options.namespace } : {}),
    labelSelector: MANAGED_SELECTOR,
  });
  const services = await kube.list<ServiceObj>('v1', 'Service', { ...(options.namespace ? { namespace: options.namespace } : {}), labelSelector: MANAGED_SELECTOR });
  const forwards = listPortForwards(ctx);
  const infos: ModelInfo[] = [];
  for (const d of deployments) {
    const svc = services.find((s) => s.metadata.name === d.metadata.name && s.metadata.namespace === d.metadata.namespace);
    const info = toInfo(d, svc, ctx, forwards, options.context);
    if (!info.ready) info.state = await podState(kube, info.namespace, info.name);
    infos.push(info);
  }
  return infos.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

async function podState(kube: ServingKube, namespace: string, name: string): Promise<string> {
  const pod = (await modelPods(kube, namespace, name))[0];
  if (!pod) return 'no pod';
  const cs = pod.status?.containerStatuses?.[0];
  return cs?.state?.waiting?.reason ?? cs?.state?.terminated?.reason ?? (cs?.state?.running ? 'Running (starting)' : pod.status?.phase ?? 'Pending');
}

export function renderModelList(models: ModelInfo[]): string {
  if (models.length === 0) return 'No models deployed by kindling. Deploy one: kindling model deploy\n';
  const rows = [['NAME', 'NAMESPACE', 'MODEL', 'GPUS', 'READY', 'ENDPOINT', 'AGE']];
  for (const m of models) {
    rows.push([m.name, m.namespace, m.model, String(m.gpus), m.ready ? `${m.readyReplicas}/${m.replicas}` : `${m.readyReplicas}/${m.replicas} ${m.state ?? ''}`.trim(), m.endpoint ?? '-', m.age ?? '']);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return `${rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')}\n`;
}

/** Finds a deployed model by name, by model id or served name, or the only one. */
export async function findModel(ctx: Context, kube: ServingKube, options: { context: string; nameOrModel?: string; namespace?: string }): Promise<ModelInfo> {
  const all = await listModels(ctx, kube, { context: options.context, ...(options.namespace ? { namespace: options.namespace } : {}) });
  const key = options.nameOrModel;
  const found = key === undefined ? (all.length === 1 ? all[0] : undefined) : all.find((m) => m.name === key) ?? all.find((m) => m.model === key || m.servedModelName === key);
  if (!found) {
    const names = all.map((m) => m.name).join(', ');
    throw new UserError(
      key === undefined
        ? all.length === 0
          ? 'No model is deployed by kindling on this cluster.'
          : `Several models are deployed (${names}): name one.`
        : `No model '${key}' deployed by kindling${options.namespace ? ` in namespace ${options.namespace}` : ''}${names ? ` (deployed: ${names})` : ''}.`,
      { fix: all.length === 0 ? 'kindling model deploy' : `kindling model list` },
    );
  }
  return found;
}

/** Status of one model for `kindling status`: info plus its endpoint when it can be known without starting anything. */
export async function modelStatus(ctx: Context, kube: ServingKube, options: { context: string; name: string; namespace?: string }): Promise<ModelInfo | undefined> {
  try {
    return await findModel(ctx, kube, { context: options.context, nameOrModel: options.name, ...(options.namespace ? { namespace: options.namespace } : {}) });
  } catch (error) {
    if (error instanceof UserError) return undefined;
    throw error;
  }
}

export async function deleteModel(
  ctx: Context,
  kube: ServingKube,
  options: { context: string; name: string; namespace?: string; purgeCache?: boolean },
): Promise<{ deleted: string[]; portForwardsStopped: number }> {
  const namespace = options.namespace ?? 'default';
  const deleted: string[] = [];
  const stopped = await stopPortForwards(ctx, { context: options.context, namespace, name: options.name });
  const objects: Array<Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>> = [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: options.name, namespace } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: options.name, namespace } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: tokenSecretName(options.name), namespace } },
    ...(options.purgeCache ? [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: cachePvcName(options.name), namespace } }] : []),
  ];
  for (const obj of objects) {
    const existing = await kube.get(obj.apiVersion, obj.kind, obj.metadata.name, namespace);
    if (!existing) continue;
    if (existing.metadata.labels?.['app.kubernetes.io/managed-by'] !== 'kindling') {
      throw new UserError(`${obj.kind} ${namespace}/${obj.metadata.name} was not created by kindling; not deleting it.`, { fix: `kubectl -n ${namespace} get ${obj.kind.toLowerCase()} ${obj.metadata.name} -o yaml` });
    }
    await kube.delete(obj);
    deleted.push(`${obj.kind} ${namespace}/${obj.metadata.name}`);
  }
  return { deleted, portForwardsStopped: stopped };
}

/** Prints the model's vLLM log (the newest pod's); `follow` streams it until Ctrl-C. */
export async function modelLogs(ctx: Context, kube: ServingKube, options: { name: string; namespace?: string; follow?: boolean; tailLines?: number; previous?: boolean }): Promise<void> {
  const namespace = options.namespace ?? 'default';
  const pod = (await modelPods(kube, namespace, options.name))[0];
  if (!pod) {
    const dep = await kube.get('apps/v1', 'Deployment', options.name, namespace);
    throw new UserError(dep ? `${options.name} has no pod yet.` : `No model '${options.name}' in namespace ${namespace}.`, {
      fix: dep ? `kindling model list` : 'kindling model list',
    });
  }
  if (!options.follow) {
    const text = await kube.podLogs(namespace, pod.metadata.name, {
      container: CONTAINER_NAME,
      ...(options.tailLines !== undefined ? { tailLines: options.tailLines } : {}),
      ...(options.previous ? { previous: true } : {}),
    });
    ctx.io.out(ctx.redactor.redact(text));
    return;
  }
  const out = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      ctx.io.out(ctx.redactor.redact(chunk.toString()));
      cb();
    },
  });
  await kube.followLogs(namespace, pod.metadata.name, out, { container: CONTAINER_NAME, signal: ctx.signal, ...(options.tailLines !== undefined ? { tailLines: options.tailLines } : {}) });
}

