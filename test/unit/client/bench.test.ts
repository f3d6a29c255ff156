import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPrompts, parseSlo, runBench, type BenchOptions } from '../../../src/client/bench-service.js';
import type { BenchSummary } from '../../../src/client/bench-summary.js';
import { parseDataset } from '../../../src/client/prompts.js';
import { InterruptedError, UserError } from '../../../src/core/errors.js';
import { testContext } from '../../helpers/context.js';
import { startFakeVllm, type FakeVllm } from '../../helpers/fake-vllm.js';

let server: FakeVllm | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const dir = mkdtempSync(join(tmpdir(), 'kindling-bench-'));

function options(over: Partial<BenchOptions> = {}): BenchOptions {
  return { endpoint: server?.url ?? 'http://127.0.0.1:1', requests: 20, concurrency: 4, burstiness: 1, inputLen: 16, outputLen: 8, warmup: 1, seed: 0, ...over };
}

describe('parseSlo', () => {
  it('reads ms, s and bare numbers (ms)', () => {
    expect(parseSlo('ttft=200ms,tpot=50ms')).toEqual({ ttftMs: 200, tpotMs: 50 });
    expect(parseSlo('e2el=2s, ttft:300')).toEqual({ e2elMs: 2000, ttftMs: 300 });
    expect(() => parseSlo('latency=5')).toThrow(UserError);
    expect(() => parseSlo('')).toThrow(/empty/);
  });
});

describe('datasets', () => {
  it('reads prompt, messages and ShareGPT lines, with their own max_tokens', () => {
    const text = [
      '{"prompt": "hello there"}',
      '',
      '{"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}], "max_tokens": 5}',
      '{"conversations": [{"from": "gpt", "value": "x"}, {"from": "human", "value": "question"}], "output_len": 7}',
    ].join('\n');
    expect(parseDataset(text, 64)).toEqual([
      { messages: [{ role: 'user', content: 'hello there' }], maxTokens: 64 },
      { messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }], maxTokens: 5 },
      { messages: [{ role: 'user', content: 'question' }], maxTokens: 7 },
    ]);
  });

  it('says which line is wrong', () => {
    expect(() => parseDataset('{"prompt":"a"}\n{"nope": 1}\n', 8)).toThrow(/line 2 has no "prompt"/);
    expect(() => parseDataset('not json', 8)).toThrow(/line 1 is not JSON/);
    expect(() => parseDataset('{"prompt":"a","max_tokens":0}', 8)).toThrow(/positive integer/);
    expect(() => parseDataset('\n\n', 8)).toThrow(/no prompts/);
  });

  it('cycles a short dataset; a missing file is a UserError', async () => {
    const file = join(dir, 'd.jsonl');
    writeFileSync(file, '{"prompt":"a"}\n{"prompt":"b"}\n');
    const prompts = await loadPrompts(options({ dataset: file, requests: 5 }));
    expect(prompts.map((p) => p.messages[0]!.content)).toEqual(['a', 'b', 'a', 'b', 'a']);
    await expect(loadPrompts(options({ dataset: join(dir, 'missing.jsonl') }))).rejects.toThrow(/no such file/);
  });

  it('synthetic prompts have the asked number of words and differ', async () => {
    const prompts = await loadPrompts(options({ requests: 3, inputLen: 100 }));
    for (const p of prompts) expect(p.messages[0]!.content.split(' ')).toHaveLength(100);
    expect(new Set(prompts.map((p) => p.messages[0]!.content)).size).toBe(3);
  });
});

describe('runBench', () => {
  it('prints the vLLM-style summary and writes --out and --report', async () => {
    server = await startFakeVllm({ ttftMs: 5, itlMs: 1 });
    const ctx = testContext();
    const out = join(dir, 'req.jsonl');
    const report = join(dir, 'report.html');
    const s = await runBench(ctx, options({ out, report, slo: { ttftMs: 1000 } }));
    expect(s).toMatchObject({ completed: 20, failed: 0, total_input_tokens: 20 * 16, total_output_tokens: 20 * 8, max_concurrency: 4, request_rate: 'inf' });
    expect(s.request_goodput).toBeCloseTo(s.request_throughput, 6);
    const result = ctx.io.events.find((e) => e.type === 'result');
    expect(result?.type === 'result' && result.text).toMatch(/Serving Benchmark Result[\s\S]*Successful requests:\s+20[\s\S]*Mean TTFT \(ms\)/);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(20);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<svg id="chart-ttft"');
    expect(ctx.io.events.some((e) => e.type === 'step' && e.updates.length > 0)).toBe(true);
    // Warm-up + measured requests reached the server.
    expect(server.stats.chatRequests).toBe(21);
  });

  it('the JSON result has every vLLM benchmark_serving key', async () => {
    server = await startFakeVllm({});
    const s: BenchSummary = await runBench(testContext(), options({ rate: 200, concurrency: undefined, burstiness: 0.5 }));
    const keys = ['completed', 'failed', 'total_input_tokens', 'total_output_tokens', 'request_throughput', 'output_throughput', 'total_token_throughput', 'duration', 'request_goodput', 'max_concurrency', 'request_rate', 'burstiness'];
    for (const m of ['ttft', 'tpot', 'itl', 'e2el']) for (const k of ['mean', 'median', 'std', 'p90', 'p99']) keys.push(`${k}_${m}_ms`);
    for (const k of keys) expect(s).toHaveProperty(k);
    expect(s).toMatchObject({ request_rate: 200, burstiness: 0.5, max_concurrency: null, request_goodput: null });
  });

  it('a warm-up failure becomes the server error with its fix', async () => {
    server = await startFakeVllm({ loading: false, failEvery: { n: 1, failure: { kind: 'http', status: 503, message: 'The model is still loading.' } } });
    const err = await runBench(testContext(), options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe(`The warm-up request failed. The model server at ${server.url} is not ready (HTTP 503: The model is still loading.).`);
    expect((err as UserError).fix).toContain('Is the model ready? kindling status');
  });

  it('every request failing is exit 1 after the summary', async () => {
    server = await startFakeVllm({ failure: ({ index }) => (index === 0 ? undefined : { kind: 'drop', afterTokens: 1 }) });
    const ctx = testContext();
    const err = await runBench(ctx, options({ requests: 5 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(1);
    expect((err as UserError).details).toEqual(['5 × the server closed the connection mid-response']);
    expect(ctx.io.events.some((e) => e.type === 'result')).toBe(true);
  });

  it('Ctrl-C prints the partial summary, then exits interrupted', async () => {
    server = await startFakeVllm({ ttftMs: 10, itlMs: 10 });
    const ac = new AbortController();
    const ctx = { ...testContext(), signal: ac.signal };
    setTimeout(() => ac.abort(), 300);
    const err = await runBench(ctx, options({ requests: 200 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    const result = ctx.io.events.find((e) => e.type === 'result');
    expect(result?.type === 'result' && (result.data as BenchSummary).interrupted).toBe(true);
  });
});
