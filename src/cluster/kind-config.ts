/**
 * kind's v1alpha4 Cluster config: the field set of kind v0.32.0 (pkg/apis/config/v1alpha4/types.go,
 * reference seed-tools.md §7), strict validation with paths ("unknown field nodes[1].extraMount
 * (did you mean extraMounts?)"), kindling's additions, and YAML that Go's YAML 1.1 decoder
 * (sigs.k8s.io/yaml) reads the same way (strings such as "true", "yes", "0755" are quoted).
 */
import { parse, stringify } from 'yaml';
import { UserError } from '../core/errors.js';
import { DEVICE_MOUNT_DIR, GPU_PRESENT_LABEL, NODE_CACHE_DIR } from './constants.js';

export interface KindMount {
  hostPath?: string;
  containerPath?: string;
  readOnly?: boolean;
  selinuxRelabel?: boolean;
  propagation?: 'None' | 'HostToContainer' | 'Bidirectional';
}

export interface KindNode {
  role?: 'control-plane' | 'worker';
  image?: string;
  labels?: Record<string, string>;
  extraMounts?: KindMount[];
  extraPortMappings?: Record<string, unknown>[];
  kubeadmConfigPatches?: string[];
  kubeadmConfigPatchesJSON6902?: Record<string, unknown>[];
}

export interface KindConfig {
  kind?: string;
  apiVersion?: string;
  name?: string;
  nodes?: KindNode[];
  networking?: Record<string, unknown>;
  featureGates?: Record<string, boolean>;
  runtimeConfig?: Record<string, string>;
  kubeadmConfigPatches?: string[];
  kubeadmConfigPatchesJSON6902?: Record<string, unknown>[];
  containerdConfigPatches?: string[];
  containerdConfigPatchesJSON6902?: string[];
}

export const KIND_API_VERSION = 'kind.x-k8s.io/v1alpha4';

type FieldType =
  | { t: 'string'; enum?: string[] }
  | { t: 'bool' }
  | { t: 'int' }
  | { t: 'strings' }
  | { t: 'stringMap' }
  | { t: 'boolMap' }
  | { t: 'object'; fields: Record<string, FieldType> }
  | { t: 'list'; of: FieldType };

const PATCH_JSON6902: FieldType = { t: 'object', fields: { group: { t: 'string' }, version: { t: 'string' }, kind: { t: 'string' }, patch: { t: 'string' } } };

const MOUNT: FieldType = {
  t: 'object',
  fields: {
    containerPath: { t: 'string' },
    hostPath: { t: 'string' },
    readOnly: { t: 'bool' },
    selinuxRelabel: { t: 'bool' },
    propagation: { t: 'string', enum: ['None', 'HostToContainer', 'Bidirectional'] },
  },
};

const PORT_MAPPING: FieldType = {
  t: 'object',
  fields: {
    containerPort: { t: 'int' },
    hostPort: { t: 'int' },
    listenAddress: { t: 'string' },
    protocol: { t: 'string', enum: ['TCP', 'UDP', 'SCTP'] },
  },
};

const NODE: FieldType = {
  t: 'object',
  fields: {
    role: { t: 'string', enum: ['control-plane', 'worker'] },
    image: { t: 'string' },
    labels: { t: 'stringMap' },
    extraMounts: { t: 'list', of: MOUNT },
    extraPortMappings: { t: 'list', of: PORT_MAPPING },
    kubeadmConfigPatches: { t: 'strings' },
    kubeadmConfigPatchesJSON6902: { t: 'list', of: PATCH_JSON6902 },
  },
};

const NETWORKING: FieldType = {
  t: 'object',
  fields: {
    ipFamily: { t: 'string', enum: ['ipv4', 'ipv6', 'dual'] },
    apiServerPort: { t: 'int' },
    apiServerAddress: { t: 'string' },
    podSubnet: { t: 'string' },
    serviceSubnet: { t: 'string' },
    disableDefaultCNI: { t: 'bool' },
    kubeProxyMode: { t: 'string', enum: ['iptables', 'ipvs', 'nftables', 'none'] },
    dnsSearch: { t: 'strings' },
  },
};

/** The v1alpha4 Cluster type (kind v0.32.0). */
export const CLUSTER_SCHEMA: FieldType = {
  t: 'object',
  fields: {
    kind: { t: 'string', enum: ['Cluster'] },
    apiVersion: { t: 'string', enum: [KIND_API_VERSION] },
    name: { t: 'string' },
    nodes: { t: 'list', of: NODE },
    networking: NETWORKING,
    featureGates: { t: 'boolMap' },
    runtimeConfig: { t: 'stringMap' },
    kubeadmConfigPatches: { t: 'strings' },
    kubeadmConfigPatchesJSON6902: { t: 'list', of: PATCH_JSON6902 },
    containerdConfigPatches: { t: 'strings' },
    containerdConfigPatchesJSON6902: { t: 'strings' },
  },
};

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

export function suggest(name: string, candidates: string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = c.toLowerCase() === lower ? 0 : distance(lower, c.toLowerCase());
    if (!best || d < best.d) best = { c, d };
  }
  if (!best) return undefined;
  return best.d <= Math.max(2, Math.floor(name.length / 4)) ? best.c : undefined;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function check(value: unknown, type: FieldType, path: string, errors: string[]): void {
  if (value === null || value === undefined) return; // Go's decoder leaves the zero value
  const at = path === '' ? '(root)' : path;
  switch (type.t) {
    case 'string':
      if (typeof value !== 'string') errors.push(`${at}: expected a string, got ${describeValue(value)}${typeof value === 'boolean' || typeof value === 'number' ? ` (quote it: "${String(value)}")` : ''}`);
      else if (type.enum && !type.enum.includes(value)) errors.push(`${at}: '${value}' is not one of ${type.enum.join(', ')}`);
      return;
    case 'bool':
      if (typeof value !== 'boolean') errors.push(`${at}: expected true or false, got ${describeValue(value)}`);
      return;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) errors.push(`${at}: expected an integer, got ${describeValue(value)}`);
      return;
    case 'strings':
      if (!Array.isArray(value)) errors.push(`${at}: expected a list of strings, got ${describeValue(value)}`);
      else value.forEach((v, i) => check(v, { t: 'string' }, `${path}[${i}]`, errors));
      return;
    case 'stringMap':
    case 'boolMap':
      if (typeof value !== 'object' || Array.isArray(value)) {
        errors.push(`${at}: expected a map, got ${describeValue(value)}`);
        return;
      }
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        check(v, type.t === 'stringMap' ? { t: 'string' } : { t: 'bool' }, `${path}.${k}`, errors);
      }
      return;
    case 'list':
      if (!Array.isArray(value)) {
        errors.push(`${at}: expected a list, got ${describeValue(value)}`);
        return;
      }
      value.forEach((v, i) => check(v, type.of, `${path}[${i}]`, errors));
      return;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        errors.push(`${at}: expected a map, got ${describeValue(value)}`);
        return;
      }
      const known = Object.keys(type.fields);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const child = path === '' ? k : `${path}.${k}`;
        const field = type.fields[k];
        if (!field) {
          const hint = suggest(k, known);
          errors.push(`unknown field ${child}${hint ? ` (did you mean ${hint}?)` : ''}`);
          continue;
        }
        check(v, field, child, errors);
      }
    }
  }
}

/** Every problem of a config against kind's v1alpha4 fields (empty when valid). */
export function kindConfigProblems(config: unknown): string[] {
  const errors: string[] = [];
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return ['the kind config must be a YAML map'];
  check(config, CLUSTER_SCHEMA, '', errors);
  const c = config as KindConfig;
  if (c.kind === undefined) errors.push('kind: missing (expected Cluster)');
  if (c.apiVersion === undefined) errors.push(`apiVersion: missing (expected ${KIND_API_VERSION})`);
  const nodes = Array.isArray(c.nodes) ? c.nodes : [];
  if (nodes.length > 0 && !nodes.some((n) => n?.role === 'control-plane' || n?.role === undefined)) {
    errors.push('nodes: at least one node must have role control-plane');
  }
  return errors;
}

/** Throws a UserError listing every problem (with `source` named: the template or "kind config"). */
export function validateKindConfig(config: unknown, source: string): asserts config is KindConfig {
  const problems = kindConfigProblems(config);
  if (problems.length > 0) {
    throw new UserError(`${source} is not a valid kind v1alpha4 config: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, {
      details: problems,
      fix: 'Fix the field names against https://kind.sigs.k8s.io/docs/user/configuration/ and run `kindling cluster config --raw` to see the rendered output.',
    });
  }
}

/** Parses YAML as the kind config source; a YAML syntax error names the source and line. */
export function parseKindConfigYaml(text: string, source: string): unknown {
  try {
    return parse(text, { version: '1.1', uniqueKeys: true }) as unknown;
  } catch (error) {
    const e = error as Error & { linePos?: { line: number; col: number }[] };
    const pos = e.linePos?.[0];
    throw new UserError(`${source}${pos ? `:${pos.line}:${pos.col}` : ''}: the rendered template is not valid YAML: ${e.message.split('\n')[0] ?? e.message}`, {
      fix: 'Run `kindling cluster config --raw` to see the template output.',
    });
  }
}

/** YAML for kind (Go's YAML 1.1 reads it the same: ambiguous strings are double-quoted). */
export function kindConfigToYaml(config: KindConfig): string {
  return stringify(config, { version: '1.1', lineWidth: 0 });
}

/** The GPU devices a node receives through nvkind's /dev/null extraMounts: indices, 'all', or [] for none. */
export function nodeDevices(node: KindNode): number[] | 'all' {
  const devices: number[] = [];
  for (const m of node.extraMounts ?? []) {
    if (m.hostPath !== '/dev/null' || typeof m.containerPath !== 'string') continue;
    const prefix = `${DEVICE_MOUNT_DIR}/`;
    if (!m.containerPath.startsWith(prefix)) continue;
    const dev = m.containerPath.slice(prefix.length).replace(/\/$/, '');
    if (dev === 'all') return 'all';
    if (/^\d+$/.test(dev)) devices.push(Number(dev));
    else throw new UserError(`Unsupported GPU device '${dev}' in extraMount ${m.containerPath}: kindling supports GPU indices and 'all'.`, {
      fix: 'Use device indices as printed by `nvidia-smi -L` (0, 1, …) or `all`.',
    });
  }
  return [...new Set(devices)].sort((a, b) => a - b);
}

export function isGpuNode(node: KindNode): boolean {
  const d = nodeDevices(node);
  return d === 'all' || d.length > 0;
}

export interface Additions {
  name: string;
  /** Host directory mounted into every GPU worker at NODE_CACHE_DIR. */
  hostCacheDir: string;
  /** Node image for nodes that do not set one; `override` replaces every node's (like nvkind --image). */
  image: string;
  overrideImage?: boolean;
}

/**
 * kindling's additions, keeping every user field: kind/apiVersion, the cluster name, the pinned node
 * image where none is set, `nvidia.com/gpu.present: "true"` and the host cache mount on GPU workers.
 */
export function addKindlingFields(config: KindConfig, add: Additions): KindConfig {
  const out: KindConfig = structuredClone(config);
  const ordered: KindConfig = { kind: out.kind ?? 'Cluster', apiVersion: out.apiVersion ?? KIND_API_VERSION, name: add.name };
  for (const [k, v] of Object.entries(out)) if (!(k in ordered)) (ordered as Record<string, unknown>)[k] = v;
  ordered.name = add.name;
  ordered.nodes = (out.nodes && out.nodes.length > 0 ? out.nodes : [{ role: 'control-plane' } as KindNode]).map((n) => {
    const node: KindNode = { role: n.role ?? 'control-plane', image: add.overrideImage || n.image === undefined ? add.image : n.image, ...(n.labels ? { labels: n.labels } : {}) };
    Object.assign(node, { ...n, role: node.role, image: node.image });
    if (isGpuNode(node)) {
      node.labels = { ...(node.labels ?? {}) };
      if (node.labels[GPU_PRESENT_LABEL] === undefined) node.labels[GPU_PRESENT_LABEL] = 'true';
      const mounts = [...(node.extraMounts ?? [])];
      if (!mounts.some((m) => m.containerPath === NODE_CACHE_DIR)) mounts.push({ hostPath: add.hostCacheDir, containerPath: NODE_CACHE_DIR });
      node.extraMounts = mounts;
    }
    return node;
  });
  return ordered;
}
