import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import {
  DEFAULT_MODEL_ID,
  kindlingJsonSchema,
  mergeUpFlags,
  parseDurationMs,
  parseKindlingConfig,
  resolveConfig,
} from '../../../src/workflows/config.js';

const FULL = `apiVersion: kindling.dev/v1alpha1
kind: Kindling
cluster:
  name: lab
  gpusPerNode: 2
  gpus: [0, 1, 2, 3]
  cacheDir: /data/kindling-cache
addons:
  gpuOperator:
    timeout: 20m
    timeSlicing: 4
    dcgmExporter: true
  loadBalancer:
    mode: binary
    gatewayApi: false
models:
  - id: Qwen/Qwen2.5-7B-Instruct
    gpus: 2
    maxModelLen: 8192
    vllmArgs: ["--enable-prefix-caching"]
    hfTokenEnv: HF_TOKEN
  - id: deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B
    name: r1
host:
  hfEndpoint: https://hf-mirror.com
`;

function errorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected an error');
}

describe('kindling.yaml', () => {
  it('parses a full file and resolves defaults', () => {
    const cfg = parseKindlingConfig(FULL);
    const r = resolveConfig(cfg);
    expect(r.clusterName).toBe('lab');
    expect(r.gpusPerNode).toBe(2);
    expect(r.gpus).toEqual([0, 1, 2, 3]);
    expect(r.gpuOperator).toEqual({ enabled: true, timeoutMs: 20 * 60_000, timeSlicing: 4, dcgmExporter: true });
    expect(r.loadBalancer).toEqual({ enabled: true, mode: 'binary', gatewayApi: false });
    expect(r.models.map((m) => m.id)).toEqual(['Qwen/Qwen2.5-7B-Instruct', DEFAULT_MODEL_ID]);
    expect(r.host.hfEndpoint).toBe('https://hf-mirror.com');
  });

  it('an empty file means all defaults, including the default model', () => {
    const r = resolveConfig(parseKindlingConfig(''));
    expect(r.clusterName).toBe('kindling');
    expect(r.gpusPerNode).toBe(1);
    expect(r.models).toEqual([{ id: DEFAULT_MODEL_ID }]);
    expect(r.gpuOperator.timeoutMs).toBe(15 * 60_000);
    expect(r.registryCache).toBe(true);
  });

  it('models: [] means a cluster without models', () => {
    expect(resolveConfig(parseKindlingConfig('models: []\n')).models).toEqual([]);
  });

  it('malformed YAML reports file:line:column', () => {
    const e = errorOf(() => parseKindlingConfig('cluster:\n  name: lab\n  gpus: [0, 1\n', 'my.yaml'));
    expect(e.message).toContain('not valid YAML');
    expect(e.details[0]).toMatch(/^my\.yaml:\d+:\d+: /);
    expect(e.exitCode).toBe(2);
  });

  it('schema errors name the field path and its line and column', () => {
    const text = 'cluster:\n  name: lab\n  gpusPerNode: 0\nmodels:\n  - id: not-a-model-id\n';
    const e = errorOf(() => parseKindlingConfig(text, 'k.yaml'));
    expect(e.details).toHaveLength(2);
    expect(e.details[0]).toMatch(/^k\.yaml:3:16: cluster\.gpusPerNode: /);
    expect(e.details[1]).toMatch(/^k\.yaml:5:9: models\[0\]\.id: must look like org\/name/);
  });

  it('an unknown key is an error at the key', () => {
    const e = errorOf(() => parseKindlingConfig('cluster:\n  name: lab\n  gpuPerNode: 2\n', 'k.yaml'));
    expect(e.details[0]).toMatch(/^k\.yaml:3:3: cluster\.gpuPerNode: Unrecognized key/);
  });

  it('a wrong type names the path', () => {
    const e = errorOf(() => parseKindlingConfig('addons:\n  loadBalancer:\n    mode: daemon\n'));
    expect(e.details[0]).toMatch(/kindling\.yaml:3:11: addons\.loadBalancer\.mode: /);
  });

  it('flags override the file', () => {
    const cfg = parseKindlingConfig(FULL);
    const merged = resolveConfig(mergeUpFlags(cfg, { name: 'other', gpusPerNode: 1, numGpus: 8, fix: true }));
    expect(merged.clusterName).toBe('other');
    expect(merged.gpusPerNode).toBe(1);
    expect(merged.numGpus).toBe(8);
    expect(merged.host.fix).toBe(true);
    expect(merged.models).toHaveLength(2);
  });

  it('--model picks that model from the file (keeping its settings) or serves it with defaults', () => {
    const cfg = parseKindlingConfig(FULL);
    expect(resolveConfig(mergeUpFlags(cfg, { model: 'Qwen/Qwen2.5-7B-Instruct' })).models).toEqual([
      { id: 'Qwen/Qwen2.5-7B-Instruct', gpus: 2, maxModelLen: 8192, vllmArgs: ['--enable-prefix-caching'], hfTokenEnv: 'HF_TOKEN' },
    ]);
    expect(resolveConfig(mergeUpFlags(cfg, { model: 'meta-llama/Llama-3.2-1B' })).models).toEqual([{ id: 'meta-llama/Llama-3.2-1B' }]);
  });

  it('flags are validated like the file', () => {
    expect(() => mergeUpFlags({}, { name: 'Bad_Name' })).toThrow();
  });

  it('the JSON Schema describes every section and forbids unknown keys', () => {
    const schema = kindlingJsonSchema() as { properties: Record<string, { properties?: Record<string, unknown>; additionalProperties?: boolean }>; additionalProperties: boolean };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(['apiVersion', 'kind', 'cluster', 'addons', 'models', 'host']);
    expect(Object.keys(schema.properties.cluster?.properties ?? {})).toContain('gpusPerNode');
    expect(JSON.stringify(schema)).toContain('"timeSlicing"');
  });

  it('durations and model names', () => {
    expect(parseDurationMs('1h30m')).toBe(90 * 60_000);
    expect(parseDurationMs('90s')).toBe(90_000);
  });
});
