/**
 * Why a vLLM pod does not start, and the fix: classified from pod events, container statuses and
 * the last log lines. Pure: the watcher gathers the inputs, this decides.
 */

export type FailureKind =
  | 'gpu-unschedulable'
  | 'unschedulable'
  | 'pvc-unbound'
  | 'image-pull'
  | 'oom-killed'
  | 'cuda-oom'
  | 'max-model-len'
  | 'hf-gated'
  | 'hf-not-found'
  | 'hf-unreachable'
  | 'cuda-driver'
  | 'crash-loop'
  | 'startup-probe';

export interface Failure {
  kind: FailureKind;
  message: string;
  fix: string[];
  details: string[];
  /** true: waiting longer will not help (stop now). false: may clear by itself (GPU operator still starting). */
  fatal: boolean;
}

export interface ContainerStatusLike {
  name?: string;
  restartCount?: number;
  ready?: boolean;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string | Date };
    terminated?: { reason?: string; exitCode?: number; message?: string };
  };
  lastState?: {
    terminated?: { reason?: string; exitCode?: number; message?: string };
  };
}

export interface FailureInput {
  model: string;
  name: string;
  namespace: string;
  gpus: number;
  /** Pod conditions (PodScheduled False with reason Unschedulable carries the scheduler's message). */
  conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
  events: Array<{ reason?: string; message?: string; type?: string }>;
  containers: ContainerStatusLike[];
  /** Last log lines of the vLLM container (the current run, or the previous one after a crash). */
  logTail: string[];
  /** The --context flag to repeat in fixes ('' when none). */
  contextFlag?: string;
}

const LOG_LINES_SHOWN = 12;

export function classifyFailure(input: FailureInput): Failure | undefined {
  const { model, name } = input;
  const ctx = input.contextFlag ? ` ${input.contextFlag}` : '';
  const logs = input.logTail.join('\n');
  const vllm = input.containers.find((c) => c.name === 'vllm') ?? input.containers[0];
  const waiting = vllm?.state?.waiting;
  const terminated = vllm?.state?.terminated ?? vllm?.lastState?.terminated;
  const crashed = terminated !== undefined || waiting?.reason === 'CrashLoopBackOff' || (vllm?.restartCount ?? 0) > 0;

  // 1. Scheduling.
  const unschedulable =
    input.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable')?.message ??
    [...input.events].reverse().find((e) => e.reason === 'FailedScheduling')?.message;
  if (unschedulable && !vllm?.state?.running && !terminated) {
    if (/Insufficient nvidia\.com\/gpu/.test(unschedulable)) {
      return {
        kind: 'gpu-unschedulable',
        message: `No node has ${input.gpus} free GPU(s) for ${name}: the scheduler says "${firstSentence(unschedulable)}".`,
        details: [
          'Either the GPU Operator is not ready yet (no nvidia.com/gpu allocatable on the workers),',
          'or the GPUs are taken by other pods, or --gpus asks for more GPUs than one node has.',
        ],
        fix: [`kubectl${ctx} get nodes -o custom-columns=NAME:.metadata.name,GPUS:.status.allocatable.nvidia\\.com/gpu`, `kindling model list${ctx}`, 'kindling doctor'],
        fatal: false,
      };
    }
    if (/unbound immediate PersistentVolumeClaims|persistentvolumeclaim .* not found/i.test(unschedulable)) {
      return {
        kind: 'pvc-unbound',
        message: `The model cache volume of ${name} is not bound: "${firstSentence(unschedulable)}".`,
        details: ['The cluster has no default StorageClass that can provision it.'],
        fix: [`kubectl${ctx} get storageclass`, `kindling model deploy ${model} --cache host${ctx}`],
        fatal: false,
      };
    }
    return {
      kind: 'unschedulable',
      message: `The pod of ${name} cannot be scheduled: "${firstSentence(unschedulable)}".`,
      details: [],
      fix: [`kubectl${ctx} describe pod -n ${input.namespace} -l kindling.dev/model=${name}`],
      fatal: false,
    };
  }

  // 2. Image.
  if (waiting?.reason === 'ImagePullBackOff' || waiting?.reason === 'ErrImagePull' || waiting?.reason === 'InvalidImageName') {
    const failed = [...input.events].reverse().find((e) => e.reason === 'Failed' && /pull|image/i.test(e.message ?? ''))?.message ?? waiting.message ?? '';
    const notFound = /not found|manifest unknown|does not exist|InvalidImageName|invalid reference/i.test(failed + (waiting.reason ?? ''));
    const denied = /unauthorized|denied|authentication required|403|401/i.test(failed);
    return {
      kind: 'image-pull',
      message: `The node cannot pull the vLLM image: ${waiting.reason}${failed ? ` — ${lastLine(failed)}` : ''}.`,
      details: notFound
        ? ['The image name or tag does not exist.']
        : denied
          ? ['The registry refused the pull (a private image needs an imagePullSecret).']
          : ['The registry is unreachable or slow from the node (Docker Hub is often blocked or rate-limited; use a mirror).'],
      fix: notFound || denied ? [`kindling model deploy ${model} --image <an existing vllm/vllm-openai tag>${ctx}`] : [`kindling model deploy ${model} --image <the image on a reachable registry or mirror>${ctx}`],
      fatal: notFound || denied || waiting.reason === 'InvalidImageName',
    };
  }

  // 3. Killed by the kernel for memory (host RAM, not GPU memory).
  if (terminated?.reason === 'OOMKilled' || (terminated?.exitCode === 137 && /OOM/i.test(terminated.message ?? ''))) {
    return {
      kind: 'oom-killed',
      message: `The vLLM container of ${name} was killed for using too much host memory (OOMKilled).`,
      details: [
        'vLLM reads the weights through host RAM while loading them; the node (or the pod\'s memory limit) had too little.',
        'Free host memory, give the kind nodes more, or load a smaller or quantized model.',
      ],
      fix: ['free -g', `kubectl${ctx} describe node`, `kindling model deploy <a smaller model>${ctx}`],
      fatal: true,
    };
  }

  // 4. What vLLM said before it died (only when it did die, or is dying: these are fatal).
  const kv =
    /max seq len \((\d+)\) is larger than the maximum number of tokens that can be stored in KV cache \((\d+)\)/.exec(logs) ??
    /max seq len \((\d+)\), \(?([\d.]+ GiB) KV cache is needed/.exec(logs);
  if (kv) {
    const estimated = /estimated maximum model length is (\d+)/.exec(logs)?.[1];
    const kvTokens = /^\d+$/.test(kv[2] ?? '') ? Number(kv[2]) : undefined;
    const suggest = estimated ? Number(estimated) : kvTokens ?? 8192;
    return {
      kind: 'max-model-len',
      message: `The model's context (${kv[1]} tokens) does not fit in the GPU memory left for the KV cache${kvTokens ? ` (${kvTokens} tokens)` : estimated ? ` (at most ~${estimated} tokens)` : ''}.`,
      details: tail(input.logTail.filter((l) => /ValueError|KV cache|max seq len|max_model_len/.test(l)), 3),
      fix: [`kindling model deploy ${model} --max-model-len ${roundDown(suggest)}${ctx}`, `or more GPUs: kindling model deploy ${model} --gpus ${input.gpus * 2}${ctx}`],
      fatal: true,
    };
  }
  if (/CUDA out of memory|torch\.OutOfMemoryError|OutOfMemoryError: CUDA|CUDA error: out of memory/.test(logs)) {
    return {
      kind: 'cuda-oom',
      message: `vLLM ran out of GPU memory while starting ${model}.`,
      details: [
        ...tail(input.logTail.filter((l) => /out of memory|OutOfMemory/i.test(l)), 2),
        'Another process may hold GPU memory, or the model is too large for the GPU(s) at this context length.',
      ],
      fix: [
        `kindling model deploy ${model} --max-model-len 8192${ctx}`,
        `kindling model deploy ${model} --gpus ${input.gpus * 2}${ctx}`,
        `kindling model deploy ${model} --vllm-arg=--gpu-memory-utilization=0.85${ctx}`,
      ],
      fatal: true,
    };
  }
  const gated = /GatedRepoError|Cannot access gated repo|gated repo|is restricted|not in the authorized list|You are trying to access a gated repo/.test(logs);
  const http401 = /401 Client Error|Unauthorized for url|Invalid user token|Invalid credentials in Authorization header/.test(logs);
  const http403 = /403 Client Error|Forbidden for url/.test(logs);
  if (gated || http401 || http403) {
    return {
      kind: 'hf-gated',
      message: `Hugging Face refused to send ${model} (${http403 ? '403 Forbidden' : '401 Unauthorized'}): ${gated ? 'it is a gated model' : 'the token is missing or invalid'}.`,
      details: [
        ...tail(input.logTail.filter((l) => /gated|401|403|restricted|authorized|Unauthorized/i.test(l)), 2),
        http403
          ? `Your account has no access yet: accept the model's licence at https://huggingface.co/${model}.`
          : `Accept the licence at https://huggingface.co/${model}, then give kindling a token with read access.`,
      ],
      fix: [`read -rs HF_TOKEN && export HF_TOKEN  # paste a read token from https://huggingface.co/settings/tokens`, `kindling model deploy ${model}${ctx}`],
      fatal: true,
    };
  }
  if (/RepositoryNotFoundError|Repository Not Found|404 Client Error|is not a local folder and is not a valid model identifier/.test(logs)) {
    return {
      kind: 'hf-not-found',
      message: `No model '${model}' on Hugging Face (404), or it is private.`,
      details: tail(input.logTail.filter((l) => /404|not found|Not Found|valid model identifier/i.test(l)), 2),
      fix: [`kindling model deploy <org/name as shown on huggingface.co>${ctx}`, `(private model) read -rs HF_TOKEN && export HF_TOKEN, then deploy again`],
      fatal: true,
    };
  }
  if (/CUDA driver version is insufficient|driver too old|forward compatibility was attempted on non supported HW/.test(logs)) {
    return {
      kind: 'cuda-driver',
      message: `The host's NVIDIA driver is too old for the CUDA in the vLLM image.`,
      details: tail(input.logTail.filter((l) => /driver/i.test(l)), 2),
      fix: [`kindling model deploy ${model} --image vllm/vllm-openai:<version>-cu129${ctx}  # CUDA 12 build`],
      fatal: true,
    };
  }
  if (crashed && /(MaxRetryError|ConnectTimeout|ConnectionError|LocalEntryNotFoundError|Temporary failure in name resolution|Network is unreachable)/.test(logs) && /huggingface|hf\.co|HF_ENDPOINT|hub/i.test(logs)) {
    return {
      kind: 'hf-unreachable',
      message: `The pod cannot reach Hugging Face to download ${model}.`,
      details: [...tail(input.logTail.filter((l) => /Error|resolution|unreachable/i.test(l)), 2), 'In mainland China, use a mirror: HF_ENDPOINT is passed through to the pod.'],
      fix: [`HF_ENDPOINT=https://hf-mirror.com kindling model deploy ${model}${ctx}`, `kindling model deploy ${model} --model-source modelscope${ctx}`],
      fatal: true,
    };
  }

  // 5. A crash we have no specific story for.
  if (waiting?.reason === 'CrashLoopBackOff' || (crashed && terminated && terminated.exitCode !== 0 && (vllm?.restartCount ?? 0) >= 2)) {
    return {
      kind: 'crash-loop',
      message: `vLLM keeps crashing (${vllm?.restartCount ?? 0} restarts${terminated?.exitCode !== undefined ? `, last exit code ${terminated.exitCode}` : ''}). Its last log lines:`,
      details: tail(input.logTail.filter((l) => l.trim() !== ''), LOG_LINES_SHOWN),
      fix: [`kindling model logs ${name}${ctx}`, `kubectl${ctx} describe pod -n ${input.namespace} -l kindling.dev/model=${name}`],
      fatal: true,
    };
  }
  const probe = [...input.events].reverse().find((e) => e.reason === 'Unhealthy' && /Startup probe failed/.test(e.message ?? ''));
  if (probe && (vllm?.restartCount ?? 0) > 0 && /Killing|failed startup probe/.test(input.events.map((e) => e.message ?? '').join('\n'))) {
    return {
      kind: 'startup-probe',
      message: `The kubelet restarted vLLM because it did not become healthy within its start-up budget.`,
      details: ['A slow download or compile can exceed it; weights already downloaded stay in the cache, so the next start is faster.'],
      fix: [`kindling model logs ${name}${ctx}`],
      fatal: false,
    };
  }
  return undefined;
}

function firstSentence(text: string): string {
  return text.split(/\. preemption:/)[0]?.replace(/\.$/, '') ?? text;
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}

function tail(lines: string[], n: number): string[] {
  return lines.slice(-n).map((l) => l.slice(0, 400));
}

/** A round context length at or below n (multiples of 1024 above 2048). */
function roundDown(n: number): number {
  if (n >= 2048) return Math.floor(n / 1024) * 1024;
  return Math.max(16, n);
}
