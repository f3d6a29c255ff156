import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { UserError } from '../../../src/core/errors.js';
import { VLLM_IMAGE } from '../../../src/core/versions.js';
import { ANNOTATION_SPEC_HASH, buildModelManifests, buildTokenSecret, renderManifestsYaml, vllmArgs } from '../../../src/serving/manifests.js';
import { defaultName, estimateModelSize, podSizing, resolveModelSpec, type ModelRequest } from '../../../src/serving/spec.js';

const golden = (name: string) => readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'vllm', 'golden', name), 'utf8');

function spec(request: ModelRequest = {}, env: NodeJS.ProcessEnv = {}, cache: 'host' | 'pvc' = 'host') {
  return resolveModelSpec(request, { image: VLLM_IMAGE.image, nodeCacheDir: '/var/lib/kindling/cache', cache, env });
}

describe('model spec', () => {
  it('defaults to the seed model on one GPU, LoadBalancer, host cache', () => {
    const s = spec();
    expect(s).toMatchObject({
      model: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B',
      name: 'deepseek-r1-distill-qwen-1-5b',
      namespace: 'default',
      gpus: 1,
      replicas: 1,
      expose: 'lb',
      cache: 'host',
      servedModelName: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B',
      hfTokenSecret: false,
    });
    expect(s.image).not.toMatch(/latest/);
  });

  it.each([
    ['bad_id', /not a model id/],
    ['org/', /not a model id/],
    ['a/b/c', /not a model id/],
    ['org/na me', /not a model id/],
    ['../etc/passwd', /not a model id/],
    ['org/a--b', /not a model id/],
  ])('rejects the model id %s with exit 2', (model, message) => {
    const err = (() => {
      try {
        spec({ model });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
    expect((err as UserError).message).toMatch(message);
  });

  it('accepts an absolute path in the pod', () => {
    expect(spec({ model: '/models/my-llama' }).name).toBe('my-llama');
  });

  it.each([0, -1, 1.5])('rejects --gpus %s', (gpus) => {
    expect(() => spec({ gpus })).toThrow(/--gpus must be a whole number/);
  });

  it('rejects :latest and untagged images, and vLLM args kindling owns', () => {
    expect(() => spec({ image: 'vllm/vllm-openai:latest' })).toThrow(/not pinned/);
    expect(() => spec({ image: 'vllm/vllm-openai' })).toThrow(/not pinned/);
    expect(spec({ image: 'registry.local:5000/vllm/vllm-openai@sha256:abc' }).image).toContain('@sha256');
    expect(() => spec({ vllmArgs: ['--tensor-parallel-size=2'] })).toThrow(/use --gpus/);
    expect(() => spec({ vllmArgs: ['--max-model-len=4096'] })).toThrow(/--max-model-len flag/);
  });

  it('refuses --hf-token-env naming an unset variable, and references a Secret when the token is set', () => {
    expect(() => spec({ hfTokenEnv: 'MY_TOKEN' })).toThrow(/MY_TOKEN: that environment variable is not set/);
    expect(spec({}, { HF_TOKEN: 'hf_abcdefghijklmnop' }).hfTokenSecret).toBe(true);
    expect(spec({ hfTokenEnv: 'MY_TOKEN' }, { MY_TOKEN: 'hf_abcdefghijklmnop' }).hfTokenSecret).toBe(true);
  });

  it('derives DNS-1123 names', () => {
    expect(defaultName('Qwen/Qwen3-8B')).toBe('qwen3-8b');
    expect(defaultName('meta-llama/Llama-3.1-8B-Instruct')).toBe('llama-3-1-8b-instruct');
    expect(defaultName('org/123abc')).toBe('m-123abc');
  });

  it.each([
    ['deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B', 1.5, 3],
    ['Qwen/Qwen3-8B', 8, 16],
    ['meta-llama/Llama-3.3-70B-Instruct', 70, 140],
    ['mistralai/Mixtral-8x7B-Instruct-v0.1', 56, 112],
    ['facebook/opt-125m', 0.125, 0.3],
    ['RedHatAI/Qwen3-8B-FP8-dynamic', 8, 8],
    ['Qwen/Qwen2.5-7B-Instruct-AWQ', 7, 3.5],
  ])('estimates %s as %sB params, %s GB of weights', (model, params, gb) => {
    const size = estimateModelSize(model);
    expect(size.paramsB).toBeCloseTo(params);
    expect(size.weightsGB).toBeCloseTo(gb);
  });

  it('sizes probes and resources from the model', () => {
    const small = podSizing('deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B', 1);
    // At least 10 minutes for the default model, even on a slow link.
    expect(small.startupBudgetSeconds).toBeGreaterThanOrEqual(600);
    expect(small.shm).toBe('2Gi');
    const big = podSizing('meta-llama/Llama-3.3-70B-Instruct', 4);
    expect(big.startupBudgetSeconds).toBeGreaterThan(small.startupBudgetSeconds * 10);
    expect(big.shm).toBe('16Gi');
    expect(big.cpuRequest).toBe('6');
    expect(big.memoryRequest).toBe('144Gi');
  });
});

describe('manifests', () => {
  it('default model: matches the golden YAML', () => {
    expect(renderManifestsYaml(spec())).toBe(golden('default.yaml'));
  });

  it('2 GPUs, PVC cache, NodePort, token, HF mirror, ModelScope: matches the golden YAML', () => {
    const s = spec(
      { model: 'Qwen/Qwen3-8B', gpus: 2, cache: 'pvc', expose: 'nodeport', maxModelLen: 32768, namespace: 'llm', modelSource: 'modelscope', vllmArgs: ['--gpu-memory-utilization=0.85'] },
      { HF_TOKEN: 'hf_secretsecretsecret', HF_ENDPOINT: 'https://hf-mirror.com' },
      'pvc',
    );
    const yaml = renderManifestsYaml(s);
    expect(yaml).toBe(golden('qwen3-8b-tp2-pvc.yaml'));
    expect(yaml).not.toContain('hf_secretsecretsecret');
  });

  it('every object validates against the Kubernetes schemas (kubernetes-models)', () => {
    for (const s of [spec(), spec({ model: 'Qwen/Qwen3-8B', gpus: 4, cache: 'pvc', expose: 'none' }, { HF_TOKEN: 'hf_xxxxxxxxxxxxxxxx' })]) {
      const m = buildModelManifests(s);
      expect(() => new Deployment(m.deployment).validate()).not.toThrow();
      expect(() => new Service(m.service).validate()).not.toThrow();
      if (m.pvc) expect(() => new PersistentVolumeClaim(m.pvc).validate()).not.toThrow();
      expect(() => new Secret(buildTokenSecret(s, 'hf_xxxxxxxxxxxxxxxx')).validate()).not.toThrow();
    }
    // And the validator does catch a broken manifest (so the checks above can fail).
    const broken = buildModelManifests(spec()).deployment;
    (broken.spec!.template.spec!.containers[0]!.ports![0] as { containerPort: unknown }).containerPort = '8000x';
    expect(() => new Deployment(broken).validate()).toThrow(/containerPort/);
  });

  it('the rendered YAML parses back to exactly the built objects', () => {
    const s = spec({ cache: 'pvc' });
    const docs = parseAllDocuments(renderManifestsYaml(s)).map((d) => d.toJS() as unknown);
    const m = buildModelManifests(s);
    expect(docs).toEqual([m.pvc, m.deployment, m.service]);
  });

  it('starts vLLM with an argument list: TP = GPUs, chunked prefill, no shell', () => {
    const m = buildModelManifests(spec({ gpus: 2 }));
    const c = m.deployment.spec!.template.spec!.containers[0]!;
    expect(c.command).toEqual(['vllm', 'serve']);
    expect(c.args).toContain('--tensor-parallel-size=2');
    expect(c.args).toContain('--enable-chunked-prefill');
    expect(c.args?.join(' ')).not.toMatch(/max_num_batched_tokens|max-num-batched-tokens|trust-remote-code/);
    expect(JSON.stringify(m.deployment)).not.toMatch(/"sh"|\/bin\/sh|-c"/);
    expect(c.resources?.limits?.['nvidia.com/gpu']).toBe('2');
    expect(m.deployment.spec!.template.spec!.runtimeClassName).toBe('nvidia');
    expect(m.deployment.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'kindling', 'app.kubernetes.io/name': 'vllm', 'kindling.dev/model': 'deepseek-r1-distill-qwen-1-5b' });
    expect(c.startupProbe?.httpGet?.path).toBe('/health');
    expect(c.readinessProbe?.httpGet?.path).toBe('/v1/models');
    expect(c.env).toContainEqual({ name: 'VLLM_CACHE_ROOT', value: '/root/.cache/huggingface/vllm' });
    expect(m.deployment.spec!.template.spec!.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '8Gi' } });
  });

  it('references the token Secret by name only; the Secret holds the value', () => {
    const s = spec({}, { HF_TOKEN: 'hf_tokentokentoken' });
    const m = buildModelManifests(s);
    expect(JSON.stringify(m)).not.toContain('hf_tokentokentoken');
    expect(m.deployment.spec!.template.spec!.containers[0]!.env).toContainEqual({
      name: 'HF_TOKEN',
      valueFrom: { secretKeyRef: { name: 'deepseek-r1-distill-qwen-1-5b-hf-token', key: 'token' } },
    });
    expect(buildTokenSecret(s, 'hf_tokentokentoken').data).toEqual({ token: Buffer.from('hf_tokentokentoken').toString('base64') });
  });

  it('passes extra vLLM args after its own, and the served name only when it differs', () => {
    expect(vllmArgs(spec({ vllmArgs: ['--enforce-eager'] })).slice(-2)).toEqual(['--enable-chunked-prefill', '--enforce-eager']);
    expect(vllmArgs(spec({ servedModelName: 'r1' }))).toContain('--served-model-name=r1');
    expect(vllmArgs(spec()).some((a) => a.startsWith('--served-model-name'))).toBe(false);
  });

  it('spec hash: equal for equal specs, different when anything deployed changes', () => {
    const a = buildModelManifests(spec());
    expect(buildModelManifests(spec()).specHash).toBe(a.specHash);
    expect(a.deployment.metadata.annotations?.[ANNOTATION_SPEC_HASH]).toBe(a.specHash);
    for (const other of [spec({ gpus: 2 }), spec({ maxModelLen: 4096 }), spec({ image: 'vllm/vllm-openai:v0.29.0' }), spec({}, { HF_TOKEN: 'hf_aaaaaaaaaaaa' }), spec({ expose: 'nodeport' })]) {
      expect(buildModelManifests(other).specHash).not.toBe(a.specHash);
    }
  });
});
