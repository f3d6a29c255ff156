/**
 * The vLLM manifests of one model, built as typed objects (kubernetes-models interfaces; the
 * types only — nothing of kubernetes-models is bundled): Deployment, Service, and the PVC for
 * `cache: pvc`. The HF token Secret is built separately (`buildTokenSecret`) and only at deploy
 * time, so that `render` output and plans never hold its value.
 */
import { createHash } from 'node:crypto';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { stringify } from 'yaml';
import {
  CONTAINER_CACHE_DIR,
  CONTAINER_VLLM_CACHE_ROOT,
  HF_CACHE_SUBDIR,
  podSizing,
  VLLM_PORT,
  type ModelSpec,
} from './spec.js';

export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_APP_NAME = 'app.kubernetes.io/name';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_MODEL = 'kindling.dev/model';
/** Hash of the Deployment + Service + PVC kindling would apply: equal hash → nothing to change. */
export const ANNOTATION_SPEC_HASH = 'kindling.dev/spec-hash';
/** The model id (labels cannot hold '/'). */
export const ANNOTATION_MODEL_ID = 'kindling.dev/model-id';
export const ANNOTATION_SERVED_NAME = 'kindling.dev/served-model-name';
export const ANNOTATION_EXPOSE = 'kindling.dev/expose';
export const CONTAINER_NAME = 'vllm';
/** Label selector of every model kindling deployed. */
export const MANAGED_SELECTOR = `${LABEL_MANAGED_BY}=kindling,${LABEL_APP_NAME}=vllm`;

export interface ModelManifests {
  deployment: IDeployment & { metadata: { name: string; namespace: string } };
  service: IService & { metadata: { name: string; namespace: string } };
  pvc?: IPersistentVolumeClaim & { metadata: { name: string; namespace: string } };
  /** Name of the Secret the Deployment reads HF_TOKEN from, when it does. */
  tokenSecretName?: string;
  specHash: string;
}

export function tokenSecretName(name: string): string {
  return `${name}-hf-token`;
}

export function cachePvcName(name: string): string {
  return `${name}-cache`;
}

export function modelLabels(spec: Pick<ModelSpec, 'name'>): Record<string, string> {
  return {
    [LABEL_MANAGED_BY]: 'kindling',
    [LABEL_APP_NAME]: 'vllm',
    [LABEL_INSTANCE]: spec.name,
    [LABEL_MODEL]: spec.name,
  };
}

/** vLLM's command line, as an argument list (no shell). */
export function vllmArgs(spec: ModelSpec): string[] {
  const args = [spec.model, `--host=0.0.0.0`, `--port=${VLLM_PORT}`, `--tensor-parallel-size=${spec.gpus}`];
  if (spec.servedModelName !== spec.model) args.push(`--served-model-name=${spec.servedModelName}`);
  if (spec.maxModelLen !== undefined) args.push(`--max-model-len=${spec.maxModelLen}`);
  // The seed's intent: chunked prefill, so long prompts are prefilled in chunks interleaved with
  // decode steps (steady inter-token latency under load). vLLM's V1 engine (≥ 0.8) has it on by
  // default; the flag is kept explicit so the intent survives an older --image.
  // The seed also passed `--max_num_batched_tokens 1024`. Not a default here: V1 picks the chunk
  // size per GPU class (2048–8192+ tokens for the OpenAI server), and 1024 halves prefill
  // throughput and raises time-to-first-token on long prompts — a trade-off for latency-bound
  // decode on small GPUs, which `--vllm-arg=--max-num-batched-tokens=1024` still offers.
  // `--trust-remote-code` is not passed either: the default model's architecture (Qwen2) is in
  // vLLM itself, and running a repository's Python by default is a risk the user should opt into.
  args.push('--enable-chunked-prefill');
  args.push(...spec.vllmArgs);
  return args;
}

export function buildModelManifests(spec: ModelSpec): ModelManifests {
  const labels = modelLabels(spec);
  const selector = { [LABEL_MODEL]: spec.name, [LABEL_MANAGED_BY]: 'kindling' };
  const sizing = podSizing(spec.model, spec.gpus);
  const tokenSecret = spec.hfTokenSecret ? tokenSecretName(spec.name) : undefined;

  const env: IEnvVar[] = [
    { name: 'HF_HOME', value: CONTAINER_CACHE_DIR },
    { name: 'VLLM_CACHE_ROOT', value: CONTAINER_VLLM_CACHE_ROOT },
  ];
  if (spec.modelSource === 'modelscope') {
    env.push({ name: 'VLLM_USE_MODELSCOPE', value: 'True' });
    env.push({ name: 'MODELSCOPE_CACHE', value: `${CONTAINER_CACHE_DIR}/modelscope` });
  }
  if (spec.hfEndpoint) env.push({ name: 'HF_ENDPOINT', value: spec.hfEndpoint });
  if (tokenSecret) {
    env.push({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: tokenSecret, key: 'token' } } });
  }

  const cacheVolume: IVolume =
    spec.cache === 'host'
      ? { name: 'model-cache', hostPath: { path: `${spec.nodeCacheDir.replace(/\/+$/, '')}/${HF_CACHE_SUBDIR}`, type: 'DirectoryOrCreate' } }
      : { name: 'model-cache', persistentVolumeClaim: { claimName: cachePvcName(spec.name) } };
  const volumes: IVolume[] = [cacheVolume, { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: sizing.shm } }];
  const mounts: IVolumeMount[] = [
    { name: 'model-cache', mountPath: CONTAINER_CACHE_DIR },
    { name: 'dshm', mountPath: '/dev/shm' },
  ];

  const annotations = {
    [ANNOTATION_MODEL_ID]: spec.model,
    [ANNOTATION_SERVED_NAME]: spec.servedModelName,
    [ANNOTATION_EXPOSE]: spec.expose,
  };

  const deployment: ModelManifests['deployment'] = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: spec.name, namespace: spec.namespace, labels: { ...labels }, annotations: { ...annotations } },
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: { ...selector } },
      // GPUs are whole devices: a rolling update would need a second set of GPUs for the new pod.
      strategy: { type: 'Recreate' },
      template: {
        metadata: { labels: { ...labels }, annotations: { [ANNOTATION_MODEL_ID]: spec.model } },
        spec: {
          runtimeClassName: 'nvidia',
          // vLLM gets SIGTERM and drains in-flight requests.
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: CONTAINER_NAME,
              image: spec.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['vllm', 'serve'],
              args: vllmArgs(spec),
              ports: [{ name: 'http', containerPort: VLLM_PORT, protocol: 'TCP' }],
              env,
              resources: {
                requests: { cpu: sizing.cpuRequest, memory: sizing.memoryRequest, 'nvidia.com/gpu': String(spec.gpus) },
                limits: { 'nvidia.com/gpu': String(spec.gpus) },
              },
              volumeMounts: mounts,
              // /health answers only once the engine is up; the budget covers a cold weight download.
              startupProbe: {
                httpGet: { path: '/health', port: 'http' },
                periodSeconds: sizing.startupPeriodSeconds,
                failureThreshold: sizing.startupFailureThreshold,
                timeoutSeconds: 5,
              },
              // Ready = the model is listed (llm-d#330): /health alone turns true too early.
              readinessProbe: {
                httpGet: { path: '/v1/models', port: 'http' },
                periodSeconds: 5,
                failureThreshold: 3,
                timeoutSeconds: 5,
              },
              livenessProbe: {
                httpGet: { path: '/health', port: 'http' },
                periodSeconds: 30,
                failureThreshold: 5,
                timeoutSeconds: 10,
              },
            },
          ],
          volumes,
        },
      },
    },
  };

  const service: ModelManifests['service'] = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: spec.name, namespace: spec.namespace, labels: { ...labels }, annotations: { ...annotations } },
    spec: {
      type: spec.expose === 'lb' ? 'LoadBalancer' : spec.expose === 'nodeport' ? 'NodePort' : 'ClusterIP',
      selector: { ...selector },
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  };

  const pvc: ModelManifests['pvc'] =
    spec.cache === 'pvc'
      ? {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: cachePvcName(spec.name), namespace: spec.namespace, labels: { ...labels } },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: sizing.pvcStorage } },
            volumeMode: 'Filesystem',
          },
        }
      : undefined;

  const specHash = hashObjects([deployment, service, pvc]);
  deployment.metadata.annotations = { ...deployment.metadata.annotations, [ANNOTATION_SPEC_HASH]: specHash };
  service.metadata.annotations = { ...service.metadata.annotations, [ANNOTATION_SPEC_HASH]: specHash };
  return { deployment, service, ...(pvc ? { pvc } : {}), ...(tokenSecret ? { tokenSecretName: tokenSecret } : {}), specHash };
}

/** The HF token Secret. Only deploy builds it; its value never reaches a plan or render output. */
export function buildTokenSecret(spec: ModelSpec, token: string): ISecret & { metadata: { name: string; namespace: string } } {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: tokenSecretName(spec.name), namespace: spec.namespace, labels: modelLabels(spec) },
    type: 'Opaque',
    // `data` (base64), as the API server stores it, so a re-deploy can compare it and skip the write.
    data: { token: Buffer.from(token, 'utf8').toString('base64') },
  };
}

/** Multi-document YAML of the manifests, in apply order, for `model render`. No secret values. */
export function renderManifestsYaml(spec: ModelSpec, manifests: ModelManifests = buildModelManifests(spec)): string {
  const docs: string[] = [];
  const header = [`# kindling model render ${spec.model} — vLLM on ${spec.gpus} GPU(s), cache: ${spec.cache}, expose: ${spec.expose}`];
  if (manifests.tokenSecretName) {
    header.push(
      `# Secret ${spec.namespace}/${manifests.tokenSecretName} (key 'token') is created by 'kindling model deploy'`,
      '# from the Hugging Face token in the environment; its value is never printed.',
    );
  }
  if (manifests.pvc) docs.push(stringify(manifests.pvc));
  docs.push(stringify(manifests.deployment));
  docs.push(stringify(manifests.service));
  return `${header.join('\n')}\n---\n${docs.join('---\n')}`;
}

function hashObjects(objects: unknown[]): string {
  return createHash('sha256').update(stableJson(objects)).digest('hex').slice(0, 16);
}

/** JSON with object keys sorted, so equal objects hash equally whatever their key order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}
