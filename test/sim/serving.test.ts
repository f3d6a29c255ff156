/**
 * `kindling model …` end to end: the built CLI against the simulated host's fake Kubernetes API
 * with the scripted kubelet and the fake vLLM behind the Service (see scenarios-serving.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLUSTER, createServingSim, type ServingSim } from './scenarios-serving.js';

const NAME = 'deepseek-r1-distill-qwen-1-5b';
let s: ServingSim | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const store = () => s!.kube.cluster(CLUSTER);

describe('kindling model deploy (simulated cluster)', () => {
  it('happy path: phases, summary, LoadBalancer endpoint, smoke test; weights land in the host cache', async () => {
    s = await createServingSim();
    const r = await s.run(['model', 'deploy']);
    if (process.env.SIM_SHOW) process.stdout.write(`--- stderr\n${r.stderr}\n--- stdout\n${r.stdout}\n`);
    expect(r.exitCode, r.stderr).toBe(0);
    // Live phases (stderr) and the summary table (stdout).
    for (const phase of ['scheduled', 'image pull', 'container start', 'weights download', 'weights load', 'torch.compile', 'KV cache + CUDA graphs']) {
      expect(r.stderr).toContain(`  ${phase}: `);
      expect(r.stdout).toContain(phase);
    }
    expect(r.stdout).toContain(`Start-up of ${NAME}:`);
    expect(r.stdout).toMatch(/image pull +[\d.]+m?s +pulled 8\.7 GB/);
    expect(r.stdout).toMatch(/total \(to ready\)/);
    expect(r.stdout).toContain('deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B is ready at http://127.0.0.1:');
    expect(r.stdout).toContain('(loadbalancer)');
    expect(r.stdout).toContain('Smoke test: Hello!');
    expect(r.stdout).toContain('/v1/chat/completions');
    expect(r.stdout).toContain('kindling chat deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B');
    expect(existsSync(join(s.cacheDir, 'huggingface/hub/models--deepseek-ai--DeepSeek-R1-Distill-Qwen-1.5B'))).toBe(true);
    const dep = store().get('apps/v1', 'Deployment', NAME, 'default');
    expect(dep?.metadata.annotations?.['kindling.dev/spec-hash']).toMatch(/^[0-9a-f]{16}$/);
  });

  it('rerun with the same spec changes nothing and reports status; delete + redeploy downloads no weights and pulls no image', async () => {
    s = await createServingSim();
    expect((await s.run(['model', 'deploy'])).exitCode).toBe(0);
    const before = s.kube.mutatingCount(CLUSTER);
    const again = await s.run(['model', 'deploy']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(s.kube.mutatingCount(CLUSTER)).toBe(before);
    expect(again.stderr).toMatch(/unchanged \(spec [0-9a-f]{16}\)/);
    expect(again.stdout).toContain('is ready at');

    const del = await s.run(['model', 'delete', NAME]);
    expect(del.exitCode, del.stderr).toBe(0);
    expect(del.stdout).toContain(`Deleted Service default/${NAME}, Deployment default/${NAME}`);
    expect(store().get('apps/v1', 'Deployment', NAME, 'default')).toBeUndefined();
    expect(store().list('v1', 'Pod', { namespace: 'default' })).toEqual([]);
    const delAgain = await s.run(['model', 'delete', NAME]);
    expect(delAgain.exitCode).toBe(0);
    expect(delAgain.stdout).toContain('nothing to delete');

    const warm = await s.run(['model', 'deploy']);
    expect(warm.exitCode, warm.stderr).toBe(0);
    expect(warm.stdout).toMatch(/weights download +— +none: weights in the cache/);
    expect(warm.stdout).toContain('already on the node');
    expect(warm.stdout).toContain('(weights from the cache)');
  });

  it('list and logs', async () => {
    s = await createServingSim();
    expect((await s.run(['model', 'deploy'])).exitCode).toBe(0);
    const list = await s.run(['model', 'list', '--json']);
    expect(list.exitCode, list.stderr).toBe(0);
    const models = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({ name: NAME, namespace: 'default', model: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B', gpus: 1, ready: true, replicas: 1, readyReplicas: 1 });
    expect(String(models[0]?.endpoint)).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const table = await s.run(['model', 'list']);
    expect(table.stdout).toMatch(new RegExp(`^NAME +NAMESPACE +MODEL +GPUS +READY +ENDPOINT +AGE\n${NAME} +default +deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B +1 +1/1 `));
    const logs = await s.run(['model', 'logs', NAME]);
    expect(logs.exitCode).toBe(0);
    expect(logs.stdout).toContain('Starting to load model deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B');
    expect(logs.stdout).toContain('Application startup complete.');
  });

  it('kindling chat finds the deployed model through serving discovery (by default, by name; unknown name: exit 2)', async () => {
    s = await createServingSim();
    expect((await s.run(['model', 'deploy'])).exitCode).toBe(0);
    const chat = await s.run(['chat', '-p', 'Who are you?']);
    expect(chat.exitCode, chat.stderr).toBe(0);
    expect(chat.stdout).toContain('Hello! I am a simulated vLLM');
    const byName = await s.run(['chat', NAME, '-p', 'Hi']);
    expect(byName.exitCode, byName.stderr).toBe(0);
    const unknown = await s.run(['chat', 'nope', '-p', 'Hi']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain(`No model 'nope' deployed by kindling (deployed: ${NAME})`);
  });

  it('--no-wait returns after applying; --json prints the result with the phase summary', async () => {
    s = await createServingSim();
    const quick = await s.run(['model', 'deploy', '--no-wait']);
    expect(quick.exitCode, quick.stderr).toBe(0);
    expect(quick.stdout).toContain(`${NAME}: applied (Deployment default/${NAME}, Service default/${NAME}); not waiting for it to start.`);
    expect(quick.stdout).toContain(`kindling model logs ${NAME} -f`);
    const json = await s.run(['model', 'deploy', '--json']);
    expect(json.exitCode, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as { applied: string[]; ready: boolean; endpoint: { via: string; url: string }; summary: { phases: Array<{ id: string }> }; smoke: { models: string[] } };
    expect(result.applied).toEqual([]);
    expect(result.ready).toBe(true);
    expect(result.endpoint.via).toBe('loadbalancer');
    expect(result.summary.phases.map((p) => p.id)).toContain('download');
    expect(result.smoke.models).toEqual(['deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B']);
  });

  it('gated model: 401 classified with the token fix; with HF_TOKEN it starts, and the token is never printed', async () => {
    const model = 'meta-llama/Llama-3.1-8B-Instruct';
    s = await createServingSim({ kubelet: { gatedModels: [model] } });
    const denied = await s.run(['model', 'deploy', model]);
    expect(denied.exitCode).toBe(1);
    expect(denied.stderr).toContain(`Hugging Face refused to send ${model} (401 Unauthorized): it is a gated model`);
    expect(denied.stderr).toContain('read -rs HF_TOKEN && export HF_TOKEN');
    const token = 'hf_SimulatedTokenValue1234567890';
    const ok = await s.run(['model', 'deploy', model], { HF_TOKEN: token });
    expect(ok.exitCode, ok.stderr).toBe(0);
    const secret = store().get('v1', 'Secret', 'llama-3-1-8b-instruct-hf-token', 'default') as { data?: Record<string, string> } | undefined;
    expect(Buffer.from(secret?.data?.token ?? '', 'base64').toString()).toBe(token);
    // Same token again: nothing to change.
    const mutations = s.kube.mutatingCount(CLUSTER);
    expect((await s.run(['model', 'deploy', model], { HF_TOKEN: token })).exitCode).toBe(0);
    expect(s.kube.mutatingCount(CLUSTER)).toBe(mutations);
    const dry = await s.run(['model', 'deploy', model, '--dry-run'], { HF_TOKEN: 'hf_AnotherTokenValue0987654321' });
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('kubectl apply (kind-kindling) Secret default/llama-3-1-8b-instruct-hf-token');
    expect(dry.stdout).toContain('token: "***"');
    for (const out of [denied, ok, dry]) {
      expect(out.stdout + out.stderr).not.toContain(token);
      expect(out.stdout + out.stderr).not.toContain('hf_AnotherTokenValue0987654321');
      expect(out.stdout + out.stderr).not.toContain(Buffer.from('hf_AnotherTokenValue0987654321').toString('base64'));
    }
    const render = await s.run(['model', 'render', model], { HF_TOKEN: token });
    expect(render.stdout).not.toContain(token);
    expect(render.stdout).toContain('secretKeyRef');
  });

  it('OOMKilled: host memory, exit 1', async () => {
    s = await createServingSim({ kubelet: { failure: 'oom' } });
    const r = await s.run(['model', 'deploy']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('was killed for using too much host memory (OOMKilled)');
    expect(r.stderr).toContain('Start-up so far:');
  });

  it('max-model-len too large: suggests --max-model-len from vLLM\'s estimate', async () => {
    s = await createServingSim({ kubelet: { failure: 'max-model-len' } });
    const r = await s.run(['model', 'deploy']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("The model's context (131072 tokens) does not fit in the GPU memory left for the KV cache");
    expect(r.stderr).toContain('kindling model deploy deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B --max-model-len 60416');
  });

  it('ImagePullBackOff of a missing tag: exit 1 with the --image fix', async () => {
    s = await createServingSim({ kubelet: { failure: 'image-pull' } });
    const r = await s.run(['model', 'deploy', '--image', 'vllm/vllm-openai:v9.9.9']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('The node cannot pull the vLLM image');
    expect(r.stderr).toContain('--image');
  });

  it('Insufficient nvidia.com/gpu: waits through the grace period, then fails with the checks to run', async () => {
    s = await createServingSim({ kubelet: { failure: 'unschedulable' } });
    const r = await s.run(['model', 'deploy', '--timeout', '3s']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Insufficient nvidia.com/gpu');
    expect(r.stderr).toContain('allocatable.nvidia');
  });

  it('LoadBalancer pending: a port-forward managed by kindling, said plainly; the smoke test goes through it', async () => {
    s = await createServingSim({ kubelet: { lbPending: true } });
    const r = await s.run(['model', 'deploy', '--lb-wait', '1s']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('has no address after 1s');
    expect(r.stderr).toContain('using a port-forward managed by kindling');
    expect(r.stdout).toMatch(/is ready at http:\/\/127\.0\.0\.1:\d+ +\(port-forward managed by kindling\)/);
    expect(r.stdout).toContain('Smoke test: Hello!');
    const pf = s.sim.journal().find((e) => e.tool === 'kubectl' && e.args.includes('port-forward'));
    expect(pf?.args).toEqual(expect.arrayContaining(['--context', 'kind-kindling', '--namespace', 'default', 'port-forward', `service/${NAME}`, '--address', '127.0.0.1']));
    // A rerun reuses the running forward instead of starting another.
    const again = await s.run(['model', 'deploy', '--lb-wait', '0s']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(s.sim.journal().filter((e) => e.tool === 'kubectl' && e.args.includes('port-forward'))).toHaveLength(1);
    // delete stops it
    const del = await s.run(['model', 'delete', NAME]);
    expect(del.stdout).toContain('Deleted');
    expect(existsSync(join(s.sim.stateDir, 'port-forwards'))).toBe(true);
  });

  it('input validation: bad id, negative GPUs, more GPUs than a node has → exit 2, nothing applied', async () => {
    s = await createServingSim({ gpus: 2, gpusPerNode: 1 });
    const before = s.kube.mutatingCount(CLUSTER);
    for (const [args, message] of [
      [['model', 'deploy', 'not-a-model-id'], "is not a model id: expected 'org/name'"],
      [['model', 'deploy', '--gpus', '-1'], 'Invalid --gpus: -1'],
      [['model', 'deploy', '--gpus', '2'], '--gpus 2 asks for more GPUs than any node has (at most 1'],
    ] as const) {
      const r = await s.run([...args]);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(s.kube.mutatingCount(CLUSTER)).toBe(before);
  });

  it('--dry-run plans the manifests and changes nothing', async () => {
    s = await createServingSim();
    const r = await s.run(['model', 'deploy', 'Qwen/Qwen3-8B', '--dry-run']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('kubectl apply (kind-kindling) Deployment default/qwen3-8b');
    expect(r.stdout).toContain('kubectl apply (kind-kindling) Service default/qwen3-8b');
    expect(s.kube.mutatingCount(CLUSTER)).toBe(0);
  });
});
