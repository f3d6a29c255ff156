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
});
