/**
 * `kindling.yaml`: the declarative description of everything `kindling up` builds — the cluster
 * layout, the addons and their options, the models — and the host options. Every `up` flag that
 * describes the setup has a field here; flags override the file (`mergeUpFlags`). `kindling schema`
 * prints the JSON Schema generated from this zod schema (also committed as
 * schema/kindling.schema.json by scripts/gen-schema.mjs).
 *
 * Field names are camelCase, as in Kubernetes objects. Run modes (`--dry-run`, `--yes`) are per
 * invocation and have no field.
 */
import { z } from 'zod';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { readFile } from 'node:fs/promises';
import { UserError } from '../core/errors.js';

export const CONFIG_API_VERSION = 'kindling.dev/v1alpha1';
export const DEFAULT_CLUSTER_NAME = 'kindling';
export const DEFAULT_MODEL_ID = 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B';

const kubeName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be lower-case letters, digits and "-", starting and ending with a letter or digit')
  .max(50);

const duration = z
  .string()
  .regex(/^(\d+(\.\d+)?(ms|s|m|h))+$/, 'must be a duration such as 90s, 15m or 1h30m');

export const clusterSchema = z
  .strictObject({
    name: kubeName.optional().describe(`kind cluster name (default "${DEFAULT_CLUSTER_NAME}"; the kube context is kind-<name>). Flag: --name`),
    gpusPerNode: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('GPUs per worker node (default 1: one worker per GPU, like the seed). Flag: --gpus-per-node'),
    gpus: z
      .array(z.number().int().min(0))
      .min(1)
      .optional()
      .describe('Use only these host GPU indices (default: all). Flag: --gpus 0,1'),
    numGpus: z
      .number()
      .int()
      .min(0)
      .max(64)
      .optional()
      .describe('Preview only (with --dry-run): plan for a host with this many GPUs instead of this host. Flag: --num-gpus'),
    configTemplate: z
      .string()
      .min(1)
      .optional()
      .describe('nvkind-compatible kind config template (Go text/template + sprig). Flag of `cluster create`: --config-template'),
    configValues: z
      .string()
      .min(1)
      .optional()
      .describe('YAML values for the template (its root `$`). Flag of `cluster create`: --config-values'),
    nodeImage: z.string().min(1).optional().describe('kind node image (default: the pinned kindest/node). Flag of `cluster create`: --image'),
    cacheDir: z
      .string()
      .regex(/^\//, 'must be an absolute path')
      .optional()
      .describe('Host cache directory mounted into every GPU worker: model weights, vLLM compile cache, packages (default /var/lib/kindling/cache)'),
    registryCache: z
      .boolean()
      .optional()
      .describe('Run a pull-through registry cache on the host so images are downloaded once per host, not once per cluster (default true)'),
  })
  .describe('The kind cluster and how GPUs are spread over its workers');

export const gpuOperatorSchema = z.strictObject({
  enabled: z.boolean().optional().describe('Install the NVIDIA GPU Operator (default true)'),
  version: z.string().min(1).optional().describe('Chart version override (default: the pinned one)'),
  timeout: duration.optional().describe('How long to wait for it to be ready (default 15m)'),
  timeSlicing: z
    .number()
    .int()
    .min(2)
    .max(64)
    .optional()
    .describe('GPU time-slicing: each GPU is advertised as this many nvidia.com/gpu (default: off)'),
  dcgmExporter: z.boolean().optional().describe('Deploy the DCGM exporter (default false)'),
});

export const loadBalancerSchema = z.strictObject({
  enabled: z.boolean().optional().describe('Run the LoadBalancer controller, cloud-provider-kind (default true)'),
  mode: z
    .enum(['auto', 'container', 'binary'])
    .optional()
    .describe('auto (default): the managed container, or the pinned binary when the image cannot be pulled; container: a managed container with host networking only; binary: the pinned binary under kindling\'s supervision'),
  gatewayApi: z.boolean().optional().describe('Enable cloud-provider-kind\'s Gateway API support (default false)'),
});

export const addonsSchema = z.strictObject({
  gpuOperator: gpuOperatorSchema.optional(),
  loadBalancer: loadBalancerSchema.optional(),
});

export const modelSchema = z.strictObject({
  id: z
    .string()
    .regex(/^([A-Za-z0-9][\w.-]*\/[\w.-]+|\/.+)$/, 'must look like org/name (a Hugging Face or ModelScope id) or be an absolute local path')
    .describe(`Model id, e.g. ${DEFAULT_MODEL_ID}. Flag: --model`),
  name: kubeName.optional().describe('Deployment name (default: derived from the id)'),
  gpus: z.number().int().min(1).optional().describe('GPUs per replica = tensor-parallel size (default 1)'),
  replicas: z.number().int().min(0).optional().describe('Replicas (default 1)'),
  image: z.string().min(1).optional().describe('vLLM image (default: the pinned vllm/vllm-openai)'),
  maxModelLen: z.number().int().min(16).optional().describe('vLLM --max-model-len'),
  servedModelName: z.string().min(1).optional().describe('Name the OpenAI API serves the model as (default: the id)'),
  vllmArgs: z.array(z.string()).optional().describe('Extra vLLM arguments, one per item'),
  namespace: kubeName.optional().describe('Namespace (default "default")'),
  expose: z.enum(['lb', 'nodeport', 'none']).optional().describe('How the endpoint is reached (default lb)'),
  cache: z.enum(['host', 'pvc']).optional().describe('Where weights are cached: the host cache dir (default on kind) or a PVC'),
  hfTokenEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
    .optional()
    .describe('Environment variable holding the Hugging Face token (the value is never written to the file or logs)'),
  modelSource: z.enum(['hf', 'modelscope']).optional().describe('Where weights come from: hf (Hugging Face, default; honours hfEndpoint) or modelscope'),
});

export const hostSchema = z.strictObject({
  mirror: z.string().url().optional().describe('Base URL of a download mirror for kubectl, helm and kind (host setup)'),
  hfEndpoint: z.string().url().optional().describe('HF_ENDPOINT for model downloads, e.g. https://hf-mirror.com'),
  fix: z.boolean().optional().describe('Run `kindling host setup` before the preflight checks. Flag: --fix'),
  registryMirrors: z
    .record(z.enum(['docker.io', 'nvcr.io', 'registry.k8s.io', 'ghcr.io']), z.string().url())
    .optional()
    .describe('Registry mirrors the host image cache fetches from, e.g. {"docker.io": "https://docker.m.daocloud.io"} (the canonical registry stays the fallback)'),
});

export const kindlingConfigSchema = z
  .strictObject({
    apiVersion: z.literal(CONFIG_API_VERSION).optional().describe('Schema version of this file'),
    kind: z.literal('Kindling').optional(),
    cluster: clusterSchema.optional(),
    addons: addonsSchema.optional(),
    models: z
      .array(modelSchema)
      .optional()
      .describe(`Models to serve. Absent: the default model (${DEFAULT_MODEL_ID}); [] : none (cluster only)`),
    host: hostSchema.optional(),
  })
  .describe('kindling.yaml: what `kindling up` builds. Every field is optional; flags override the file.');

export type KindlingConfig = z.infer<typeof kindlingConfigSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type ClusterConfigSpec = z.infer<typeof clusterSchema>;

/** The JSON Schema of kindling.yaml (what `kindling schema` prints). */
export function kindlingJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(kindlingConfigSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: 'https://kindling.dev/schema/kindling.schema.json',
    title: 'kindling.yaml',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

/** Parses kindling.yaml text: YAML errors and schema errors say file:line:column and the field path. */
export function parseKindlingConfig(text: string, file = 'kindling.yaml'): KindlingConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const details = doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return `${file}:${pos.line}:${pos.col}: ${firstLine(e.message)}`;
    });
    throw new UserError(`${file} is not valid YAML.`, { details, fix: `Fix the YAML at ${details[0]?.split(': ')[0] ?? file}` });
  }
  const data: unknown = doc.toJS() ?? {};
  const parsed = kindlingConfigSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    // Unknown keys: point at the key itself.
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const at = keys.length > 0 ? [...path, keys[0] as string] : path;
    const where = positionOf(doc, at, lineCounter, keys.length > 0);
    const field = at.length === 0 ? '(top level)' : formatPath(at);
    return `${file}${where ? `:${where.line}:${where.col}` : ''}: ${field}: ${issue.message}`;
  });
  throw new UserError(`${file} does not match the kindling.yaml schema.`, {
    details,
    fix: 'kindling schema > kindling.schema.json   # the schema, for your editor',
  });
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

export function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function positionOf(
  doc: Document,
  path: (string | number)[],
  lc: LineCounter,
  wantKey: boolean,
): { line: number; col: number } | undefined {
  // Walk down to the deepest node that exists on the path.
  let node: unknown = doc.contents;
  let keyNode: unknown;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === segment);
      if (!pair) break;
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      keyNode = undefined;
    } else break;
  }
  const target = wantKey && keyNode ? keyNode : (node ?? keyNode);
  const range = (target as { range?: [number, number, number] } | undefined)?.range;
  return range ? lc.linePos(range[0]) : undefined;
}

/** Reads and parses a kindling.yaml given with -f. */
export async function loadConfigFile(path: string): Promise<KindlingConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UserError(`Cannot read ${path}: ${(error as Error).message}`, { fix: 'kindling up -f ./kindling.yaml   (kindling schema prints what it may contain)' });
  }
  return parseKindlingConfig(text, path);
}

/** Flags of `kindling up` that override the file. */
export interface UpFlags {
  file?: string;
  model?: string;
  name?: string;
  gpusPerNode?: number;
  gpus?: number[];
  numGpus?: number;
  fix?: boolean;
}

/**
 * The effective configuration: the file, then the flags over it. `--model ID` selects that model
 * from the file when it is there (keeping its settings), else serves it with defaults.
 */
export function mergeUpFlags(config: KindlingConfig, flags: UpFlags): KindlingConfig {
  const cluster: ClusterConfigSpec = { ...config.cluster };
  if (flags.name !== undefined) cluster.name = flags.name;
  if (flags.gpusPerNode !== undefined) cluster.gpusPerNode = flags.gpusPerNode;
  if (flags.gpus !== undefined) cluster.gpus = flags.gpus;
  if (flags.numGpus !== undefined) cluster.numGpus = flags.numGpus;
  const merged: KindlingConfig = { ...config, cluster };
  if (flags.model !== undefined) {
    const fromFile = config.models?.find((m) => m.id === flags.model);
    merged.models = [fromFile ?? { id: flags.model }];
  }
  if (flags.fix !== undefined) merged.host = { ...config.host, fix: flags.fix };
  const parsed = kindlingConfigSchema.safeParse(merged);
  if (parsed.success) return parsed.data;
  throw new UserError('Invalid flags for `kindling up`.', {
    details: parsed.error.issues.map((i) => `${formatPath(i.path.map((p) => (typeof p === 'number' ? p : String(p))))}: ${i.message}`),
    fix: 'kindling up --help',
  });
}

/** Everything resolved to concrete values, as the phases use it. */
export interface ResolvedConfig {
  clusterName: string;
  gpusPerNode: number;
  gpus?: number[];
  numGpus?: number;
  configTemplate?: string;
  configValues?: string;
  nodeImage?: string;
  cacheDir?: string;
  registryCache: boolean;
  gpuOperator: { enabled: boolean; version?: string; timeoutMs: number; timeSlicing?: number; dcgmExporter: boolean };
  loadBalancer: { enabled: boolean; mode: 'auto' | 'container' | 'binary'; gatewayApi: boolean };
  models: ModelConfig[];
  host: { mirror?: string; hfEndpoint?: string; fix: boolean; registryMirrors: Record<string, string> };
}

export function resolveConfig(config: KindlingConfig): ResolvedConfig {
  const c = config.cluster ?? {};
  const op = config.addons?.gpuOperator ?? {};
  const lb = config.addons?.loadBalancer ?? {};
  return {
    clusterName: c.name ?? DEFAULT_CLUSTER_NAME,
    gpusPerNode: c.gpusPerNode ?? 1,
    ...(c.gpus ? { gpus: c.gpus } : {}),
    ...(c.numGpus !== undefined ? { numGpus: c.numGpus } : {}),
    ...(c.configTemplate ? { configTemplate: c.configTemplate } : {}),
    ...(c.configValues ? { configValues: c.configValues } : {}),
    ...(c.nodeImage ? { nodeImage: c.nodeImage } : {}),
    ...(c.cacheDir ? { cacheDir: c.cacheDir } : {}),
    registryCache: c.registryCache ?? true,
    gpuOperator: {
      enabled: op.enabled ?? true,
      ...(op.version ? { version: op.version } : {}),
      timeoutMs: op.timeout ? parseDurationMs(op.timeout) : 15 * 60_000,
      ...(op.timeSlicing ? { timeSlicing: op.timeSlicing } : {}),
      dcgmExporter: op.dcgmExporter ?? false,
    },
    loadBalancer: { enabled: lb.enabled ?? true, mode: lb.mode ?? 'auto', gatewayApi: lb.gatewayApi ?? false },
    models: config.models ?? [{ id: DEFAULT_MODEL_ID }],
    host: {
      ...(config.host?.mirror ? { mirror: config.host.mirror } : {}),
      ...(config.host?.hfEndpoint ? { hfEndpoint: config.host.hfEndpoint } : {}),
      fix: config.host?.fix ?? false,
      registryMirrors: { ...(config.host?.registryMirrors ?? {}) },
    },
  };
}

/** "1h30m" → ms. The input matches the `duration` pattern above. */
export function parseDurationMs(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * (units[m[2] ?? 's'] ?? 1000);
  return total;
}
