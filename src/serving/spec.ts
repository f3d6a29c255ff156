/**
 * The model spec: what `kindling model deploy|render` (and `up`) ask for, validated and completed
 * with defaults, plus the sizing arithmetic the manifests use (weights, CPU/memory requests,
 * /dev/shm, the start-up probe budget). Pure: no I/O.
 */
import { UserError } from '../core/errors.js';

export const DEFAULT_MODEL = 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B';
export const DEFAULT_NAMESPACE = 'default';
/** vLLM's OpenAI server port inside the pod. */
export const VLLM_PORT = 8000;
/** Where the model cache is mounted in the vLLM container (Hugging Face's default HF_HOME). */
export const CONTAINER_CACHE_DIR = '/root/.cache/huggingface';
/** vLLM's compile cache, on the same volume so a restart or a new cluster reuses compiled graphs. */
export const CONTAINER_VLLM_CACHE_ROOT = `${CONTAINER_CACHE_DIR}/vllm`;
/** Sub-directory of the cluster's node cache dir that holds the Hugging Face cache. */
export const HF_CACHE_SUBDIR = 'huggingface';

export type ExposeMode = 'lb' | 'nodeport' | 'none';
export type CacheMode = 'host' | 'pvc';
export type ModelSource = 'hf' | 'modelscope';

/** What the user asked for (flags or kindling.yaml); everything but `model` is optional. */
export interface ModelRequest {
  model?: string;
  name?: string;
  gpus?: number;
  replicas?: number;
  image?: string;
  maxModelLen?: number;
  servedModelName?: string;
  vllmArgs?: string[];
  namespace?: string;
  expose?: ExposeMode;
  cache?: CacheMode;
  /** Name of the environment variable that holds the Hugging Face token. */
  hfTokenEnv?: string;
  modelSource?: ModelSource;
}

/** A complete, validated spec: the input of the manifest builders. */
export interface ModelSpec {
  model: string;
  /** Kubernetes object name (DNS-1123 label). */
  name: string;
  namespace: string;
  gpus: number;
  replicas: number;
  image: string;
  maxModelLen?: number;
  /** The id clients use (`/v1/models`); vLLM's default is the model id. */
  servedModelName: string;
  vllmArgs: string[];
  expose: ExposeMode;
  cache: CacheMode;
  modelSource: ModelSource;
  /** Node directory (the cluster's host cache mount) for `cache: host`. */
  nodeCacheDir: string;
  /** A Secret named `<name>-hf-token` is referenced (created at deploy time from the token). */
  hfTokenSecret: boolean;
  /** HF_ENDPOINT passed through (a mirror such as https://hf-mirror.com). */
  hfEndpoint?: string;
}

const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const LOCAL_PATH = /^\/[^\0]*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isLocalModelPath(model: string): boolean {
  return LOCAL_PATH.test(model);
}

/** Checks a model id: `org/name` (Hugging Face or ModelScope) or an absolute path inside the pod. */
export function validateModelId(model: string): void {
  if (isLocalModelPath(model)) return;
  if (!MODEL_ID.test(model) || model.includes('..') || model.includes('--')) {
    throw new UserError(`'${model}' is not a model id: expected 'org/name' as on Hugging Face (or an absolute path in the pod).`, {
      fix: `kindling model deploy ${DEFAULT_MODEL}`,
    });
  }
}

/** A DNS-1123 object name from a model id: `deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B` → `deepseek-r1-distill-qwen-1-5b`. */
export function defaultName(model: string): string {
  const base = model.replace(/\/+$/, '').split('/').pop() ?? model;
  let name = base
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (name === '') name = 'model';
  if (!/^[a-z]/.test(name)) name = `m-${name}`;
  // Leaves room for the `-hf-token` / `-cache` suffixes of the objects named after it.
  return name.slice(0, 48).replace(/-+$/, '');
}

export interface SpecDefaults {
  image: string;
  nodeCacheDir: string;
  /** Default cache when --cache is not given: host on kindling clusters, pvc elsewhere. */
  cache: CacheMode;
  env: NodeJS.ProcessEnv;
}

/** Validates a request and fills in the defaults. Throws UserError (exit 2) on bad input. */
export function resolveModelSpec(request: ModelRequest, defaults: SpecDefaults): ModelSpec {
  const model = (request.model ?? DEFAULT_MODEL).trim();
  validateModelId(model);
  const name = request.name ?? defaultName(model);
  if (!DNS_LABEL.test(name) || name.length > 52) {
    throw new UserError(`'${name}' is not a valid name: lower-case letters, digits and '-', at most 52 characters.`, {
      fix: `kindling model deploy ${model} --name ${defaultName(model)}`,
    });
  }
  const namespace = request.namespace ?? DEFAULT_NAMESPACE;
  if (!DNS_LABEL.test(namespace) || namespace.length > 63) {
    throw new UserError(`'${namespace}' is not a valid namespace name.`, { fix: '--namespace default' });
  }
  const gpus = request.gpus ?? 1;
  if (!Number.isInteger(gpus) || gpus < 1) {
    throw new UserError(`--gpus must be a whole number of at least 1 (got ${gpus}).`, { fix: `kindling model deploy ${model} --gpus 1` });
  }
  const replicas = request.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new UserError(`--replicas must be a whole number of at least 0 (got ${replicas}).`, { fix: `kindling model deploy ${model} --replicas 1` });
  }
  if (request.maxModelLen !== undefined && (!Number.isInteger(request.maxModelLen) || request.maxModelLen < 16)) {
    throw new UserError(`--max-model-len must be a whole number of tokens, at least 16 (got ${request.maxModelLen}).`, {
      fix: `kindling model deploy ${model} --max-model-len 8192`,
    });
  }
  const image = request.image ?? defaults.image;
  if (/:latest$/.test(image) || !/[:@]/.test(image.split('/').pop() ?? '')) {
    throw new UserError(`Image '${image}' is not pinned: name a tag or digest (never :latest), so every node runs the same vLLM.`, {
      fix: `kindling model deploy ${model} --image ${defaults.image}`,
    });
  }
  const vllmArgs = request.vllmArgs ?? [];
  for (const arg of vllmArgs) {
    if (/^--(tensor-parallel-size|tensor_parallel_size|port|host)\b/.test(arg)) {
      throw new UserError(`--vllm-arg ${arg}: kindling sets this itself (${arg.startsWith('--tensor') ? 'use --gpus' : 'the pod listens on 8000'}).`, {
        fix: `kindling model deploy ${model} --gpus N`,
      });
    }
    if (/^--(model|served-model-name|max-model-len)\b/.test(arg)) {
      const flag = arg.replace(/=.*$/, '');
      throw new UserError(`--vllm-arg ${arg}: use kindling's own ${flag === '--model' ? 'MODEL argument' : flag} flag instead.`, {
        fix: `kindling model deploy --help`,
      });
    }
  }
  const hfTokenEnv = request.hfTokenEnv ?? 'HF_TOKEN';
  if (request.hfTokenEnv !== undefined && !defaults.env[hfTokenEnv]) {
    throw new UserError(`--hf-token-env ${hfTokenEnv}: that environment variable is not set.`, {
      fix: `export ${hfTokenEnv}=hf_… (a Hugging Face access token), then run the command again`,
    });
  }
  const hfEndpoint = defaults.env.HF_ENDPOINT;
  return {
    model,
    name,
    namespace,
    gpus,
    replicas,
    image,
    ...(request.maxModelLen !== undefined ? { maxModelLen: request.maxModelLen } : {}),
    servedModelName: request.servedModelName ?? model,
    vllmArgs,
    expose: request.expose ?? 'lb',
    cache: request.cache ?? defaults.cache,
    modelSource: request.modelSource ?? 'hf',
    nodeCacheDir: defaults.nodeCacheDir,
    hfTokenSecret: Boolean(defaults.env[hfTokenEnv]),
    ...(hfEndpoint ? { hfEndpoint } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Sizing. Estimates from the parameter count in the model id ("1.5B", "8x7B", "125m") and the
// weight format in it (FP8/INT8: 1 byte per parameter, AWQ/GPTQ/INT4: 0.5, otherwise bf16: 2).

export interface ModelSize {
  /** Billions of parameters; undefined when the id does not say. */
  paramsB?: number;
  /** Estimated size of the weights on disk and in GPU memory, GB. */
  weightsGB: number;
  /** True when estimated from the id; false when a default was assumed. */
  known: boolean;
}

/** Assumed when the id names no size: a 7–8B model, the commonest served size. */
const UNKNOWN_PARAMS_B = 8;

export function estimateModelSize(model: string): ModelSize {
  const id = model.split('/').pop() ?? model;
  let paramsB: number | undefined;
  const moe = /(\d+)x(\d+(?:\.\d+)?)[bB](?![a-z])/.exec(id);
  const billions = /(?:^|[-_.])(\d+(?:\.\d+)?)[bB](?![a-zA-Z])/.exec(id);
  const millions = /(?:^|[-_.])(\d+(?:\.\d+)?)[mM](?![a-zA-Z])/.exec(id);
  if (moe) paramsB = Number(moe[1]) * Number(moe[2]);
  else if (billions) paramsB = Number(billions[1]);
  else if (millions) paramsB = Number(millions[1]) / 1000;
  const bytesPerParam = /awq|gptq|int4|w4a16|4bit|nf4/i.test(id) ? 0.5 : /fp8|int8|w8a8|8bit/i.test(id) ? 1 : 2;
  const known = paramsB !== undefined;
  const weightsGB = round1((paramsB ?? UNKNOWN_PARAMS_B) * bytesPerParam);
  return { ...(paramsB !== undefined ? { paramsB } : {}), weightsGB, known };
}

export interface PodSizing {
  cpuRequest: string;
  memoryRequest: string;
  /** /dev/shm size limit (memory-backed emptyDir). */
  shm: string;
  /** PVC size for `cache: pvc`. */
  pvcStorage: string;
  /** Start-up probe: period × failureThreshold = the budget for download + load + compile + graphs. */
  startupPeriodSeconds: number;
  startupFailureThreshold: number;
  startupBudgetSeconds: number;
}

/**
 * Requests, /dev/shm and probe budget for a model on `gpus` GPUs.
 *
 * - CPU: 2 cores for the API server and tokenizer plus 1 per GPU worker process.
 * - Memory: vLLM reads safetensors through the page cache and holds a CPU copy of a shard while it
 *   moves it to the GPU; 4 GiB for Python/CUDA/torch plus the weights' size per pod (a node running
 *   the pod needs that much free RAM). Requests only, no memory limit: a limit below the page-cache
 *   use during loading gets the pod OOM-killed mid-load (vllm#3035, vllm#28923).
 * - /dev/shm: PyTorch and NCCL pass tensors between tensor-parallel workers through it; Docker's
 *   64 MiB default breaks TP (production-stack#276). 2 GiB for one GPU, 4 GiB per GPU with TP,
 *   capped at 32 GiB. It is memory-backed: counted in the pod's memory use only as far as used.
 * - Start-up budget: weights downloaded at the slowest rate seen in the seed (3.55 GB in 508 s,
 *   ≈ 7 MB/s, 143 s/GB → 150 s/GB) plus 5 min for load, torch.compile and CUDA graphs; at least
 *   10 min. The default 1.5B model gets ≈ 14 min. /health answers only once the engine is up, so
 *   the budget must cover a cold download; a pod that takes longer is restarted by the kubelet
 *   and the watcher reports it (warm restarts skip the download thanks to the host cache).
 */
export function podSizing(model: string, gpus: number): PodSizing {
  const size = estimateModelSize(model);
  const cpu = 2 + gpus;
  const memGiB = Math.ceil(4 + size.weightsGB);
  const shmGiB = gpus === 1 ? 2 : Math.min(32, 4 * gpus);
  const pvcGiB = Math.max(20, Math.ceil(size.weightsGB * 1.5 + 10));
  const period = 10;
  const budget = Math.max(600, Math.ceil(300 + 150 * size.weightsGB));
  const threshold = Math.ceil(budget / period);
  return {
    cpuRequest: String(cpu),
    memoryRequest: `${memGiB}Gi`,
    shm: `${shmGiB}Gi`,
    pvcStorage: `${pvcGiB}Gi`,
    startupPeriodSeconds: period,
    startupFailureThreshold: threshold,
    startupBudgetSeconds: period * threshold,
  };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
