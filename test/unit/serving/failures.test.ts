import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyFailure, type FailureInput } from '../../../src/serving/failures.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'vllm', name), 'utf8').split('\n');

const base: FailureInput = { model: 'Qwen/Qwen3-8B', name: 'qwen3-8b', namespace: 'default', gpus: 1, events: [], containers: [], logTail: [] };
const crashed = { name: 'vllm', restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=vllm pod=qwen3-8b-5d8f7c9b6-x2x7q_default(…)' } }, lastState: { terminated: { reason: 'Error', exitCode: 1 } } };

describe('classifyFailure', () => {
  it('nothing wrong while a pod is starting normally', () => {
    expect(classifyFailure({ ...base, containers: [{ name: 'vllm', state: { running: { startedAt: '2025-01-01T00:00:00Z' } } }], logTail: fixture('seed-v0.8.1-cold.log') })).toBeUndefined();
  });

  it('Insufficient nvidia.com/gpu: not fatal (the operator may still be starting), with the checks to run', () => {
    const f = classifyFailure({
      ...base,
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/2 nodes are available: 1 Insufficient nvidia.com/gpu, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
        },
      ],
    });
    expect(f?.kind).toBe('gpu-unschedulable');
    expect(f?.fatal).toBe(false);
    expect(f?.message).toContain('1 Insufficient nvidia.com/gpu');
    expect(f?.message).not.toContain('preemption');
    expect(f?.fix.join('\n')).toContain('allocatable.nvidia\\.com/gpu');
  });

  it('ImagePullBackOff of a tag that does not exist: fatal, suggests another --image', () => {
    const f = classifyFailure({
      ...base,
      containers: [{ name: 'vllm', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "vllm/vllm-openai:v9.9.9"' } } }],
      events: [
        { reason: 'Failed', type: 'Warning', message: 'Failed to pull image "vllm/vllm-openai:v9.9.9": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/vllm/vllm-openai:v9.9.9": failed to resolve reference "docker.io/vllm/vllm-openai:v9.9.9": docker.io/vllm/vllm-openai:v9.9.9: not found' },
      ],
    });
    expect(f).toMatchObject({ kind: 'image-pull', fatal: true });
    expect(f?.fix[0]).toContain('--image');
  });

  it('ImagePullBackOff on a network problem: not fatal', () => {
    const f = classifyFailure({
      ...base,
      containers: [{ name: 'vllm', state: { waiting: { reason: 'ImagePullBackOff' } } }],
      events: [{ reason: 'Failed', message: 'Failed to pull image "vllm/vllm-openai:v0.30.0": rpc error: code = Unknown desc = failed to pull and unpack image: dial tcp 104.18.121.25:443: i/o timeout' }],
    });
    expect(f).toMatchObject({ kind: 'image-pull', fatal: false });
  });

  it('OOMKilled: host memory, fatal', () => {
    const f = classifyFailure({ ...base, containers: [{ name: 'vllm', restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } } }] });
    expect(f).toMatchObject({ kind: 'oom-killed', fatal: true });
    expect(f?.message).toContain('host memory');
  });

  it('max seq len larger than the KV cache: suggests --max-model-len below the KV capacity', () => {
    const f = classifyFailure({ ...base, containers: [crashed], logTail: fixture('kv-cache-too-small.log') });
    expect(f?.kind).toBe('max-model-len');
    expect(f?.message).toContain('4096');
    expect(f?.message).toContain('3664');
    expect(f?.fix[0]).toBe('kindling model deploy Qwen/Qwen3-8B --max-model-len 3072');
  });

  it('V1 wording: uses vLLM\'s estimated maximum model length', () => {
    const f = classifyFailure({ ...base, containers: [crashed], logTail: fixture('kv-cache-too-small-v1.log') });
    expect(f?.kind).toBe('max-model-len');
    expect(f?.fix[0]).toBe('kindling model deploy Qwen/Qwen3-8B --max-model-len 812032');
  });

  it('CUDA out of memory', () => {
    const f = classifyFailure({ ...base, gpus: 2, containers: [crashed], logTail: fixture('cuda-oom.log') });
    expect(f?.kind).toBe('cuda-oom');
    expect(f?.fix).toContain('kindling model deploy Qwen/Qwen3-8B --gpus 4');
  });

  it('401 gated repo: asks for a token', () => {
    const f = classifyFailure({ ...base, model: 'meta-llama/Llama-3.1-8B-Instruct', containers: [crashed], logTail: fixture('gated-401.log') });
    expect(f?.kind).toBe('hf-gated');
    expect(f?.message).toContain('401');
    expect(f?.fix[0]).toContain('HF_TOKEN');
  });

  it('403 gated repo: asks to accept the licence', () => {
    const f = classifyFailure({ ...base, model: 'google/gemma-3-4b-pt', containers: [crashed], logTail: fixture('gated-403.log') });
    expect(f?.kind).toBe('hf-gated');
    expect(f?.message).toContain('403');
    expect(f?.details.join('\n')).toContain('https://huggingface.co/google/gemma-3-4b-pt');
  });

  it('an unknown crash loop: shows the last log lines', () => {
    const tail = ['INFO 03-22 12:15:20 [cuda.py:215] Using Flash Attention backend on V1 engine.', 'RuntimeError: something nobody expected'];
    const f = classifyFailure({ ...base, containers: [crashed], logTail: tail });
    expect(f).toMatchObject({ kind: 'crash-loop', fatal: true });
    expect(f?.details).toEqual(tail);
    expect(f?.fix[0]).toBe('kindling model logs qwen3-8b');
  });

  it('repeats --context in its fixes', () => {
    const f = classifyFailure({ ...base, containers: [crashed], logTail: ['boom'], contextFlag: '--context prod' });
    expect(f?.fix[0]).toBe('kindling model logs qwen3-8b --context prod');
  });
});
