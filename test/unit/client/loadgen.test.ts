import { afterEach, describe, expect, it } from 'vitest';
import { computeSummary, distributions, requestJsonl, timeSeries, type BenchConfig } from '../../../src/client/bench-summary.js';
import { runLoad, WarmupFailedError } from '../../../src/client/loadgen.js';
import { createPool, parseEndpoint, type ClientConfig } from '../../../src/client/openai-http.js';
import { syntheticPrompts } from '../../../src/client/prompts.js';
import { Random } from '../../../src/client/rng.js';
import { summarize } from '../../../src/client/stats.js';
import { startFakeVllm, type FakeVllm, type FakeVllmOptions } from '../../helpers/fake-vllm.js';

let server: FakeVllm | undefined;
let pool: ReturnType<typeof createPool> | undefined;
afterEach(async () => {
  await pool?.destroy();
  await server?.close();
  server = undefined;
  pool = undefined;
});

async function setup(options: FakeVllmOptions, connections: number): Promise<ClientConfig> {
  server = await startFakeVllm(options);
  const endpoint = parseEndpoint(server.url);
  pool = createPool(endpoint, { connections });
  return { endpoint, dispatcher: pool };
}

function config(over: Partial<BenchConfig> = {}): BenchConfig {
  return {
    model: 'fake/model',
    endpoint: server?.url ?? '',
    numPrompts: 0,
    maxConcurrency: 4,
    requestRate: Infinity,
    burstiness: 1,
    outputLen: 16,
    warmup: 0,
    seed: 0,
    ...over,
  };
}

describe('runLoad (closed loop) against the fake vLLM', () => {
  it('measures what the server did, within tolerance', async () => {
    const ttftMs = 40;
    const itlMs = 10;
    const client = await setup({ ttftMs, itlMs }, 8);
    const prompts = syntheticPrompts(24, 50, 12, new Random(3));
    const load = await runLoad({ client, model: 'fake/model', prompts, concurrency: 8 });
    expect(load.results).toHaveLength(24);
    expect(load.results.every((r) => r.ok)).toBe(true);
    expect(server!.stats.maxInFlight).toBeLessThanOrEqual(8);
    expect(server!.stats.maxInFlight).toBeGreaterThanOrEqual(7);

    const s = computeSummary(load, config({ numPrompts: 24, maxConcurrency: 8, outputLen: 12, inputLen: 50 }));
    // Token counts are exactly the server's.
    expect(s.completed).toBe(24);
    expect(s.failed).toBe(0);
    expect(s.total_input_tokens).toBe(server!.stats.promptTokens);
    expect(s.total_input_tokens).toBe(24 * 50);
    expect(s.total_output_tokens).toBe(24 * 12);
    // Latencies: the server's actual write times are the truth; the client adds the transfer and
    // parsing, and whatever stalls its event loop (measured, and shared with the in-process server):
    // the error bound is a few ms plus the worst stall this run saw.
    const slack = 3 + load.eventLoopDelay.maxMs;
    const recs = server!.stats.records;
    const ttftErr = load.results.map((r) => r.ttftMs! - recs[r.index]!.ttftMs!);
    const e2eErr = load.results.map((r) => r.e2eMs - recs[r.index]!.e2eMs!);
    expect(Math.min(...ttftErr)).toBeGreaterThan(-0.5);
    expect(summarize(ttftErr).median).toBeLessThan(slack);
    expect(Math.min(...e2eErr)).toBeGreaterThan(-0.5);
    expect(summarize(e2eErr).median).toBeLessThan(slack);
    const truthItl = summarize(recs.flatMap((r) => r.itlsMs)).mean;
    expect(Math.abs(s.mean_itl_ms - truthItl)).toBeLessThan(1.5);
    expect(Math.abs(s.mean_tpot_ms - itlMs)).toBeLessThan(2);
    expect(s.mean_e2el_ms).toBeGreaterThan(ttftMs + 11 * itlMs - 1);
    // ITL count: 11 gaps per request.
    expect(distributions(load.results).itl.length).toBe(24 * 11);
    expect(s.request_throughput).toBeCloseTo(24 / s.duration, 6);
    expect(s.output_throughput).toBeCloseTo((24 * 12) / s.duration, 6);
    expect(s.max_concurrent_requests).toBe(8);
    expect(s.event_loop_delay_p99_ms).toBeGreaterThanOrEqual(0);
  });

  it('TTFT is the first content/reasoning chunk, not the role-only chunk', async () => {
    const client = await setup({ ttftMs: 60, itlMs: 1, reasoning: 'reasoning_content', reasoningTokens: 2 }, 2);
    const load = await runLoad({ client, model: 'fake/model', prompts: syntheticPrompts(4, 5, 6, new Random(1)), concurrency: 2 });
    for (const r of load.results) {
      expect(r.ttftMs).toBeGreaterThanOrEqual(59);
      expect(r.outputTokens).toBe(6);
      expect(r.chunks).toBe(6);
    }
  });

  it('counts dropped streams, HTTP errors and error events as failures, never drops them', async () => {
    const client = await setup(
      {
        itlMs: 1,
        failure: ({ index }) =>
          index % 5 === 1
            ? { kind: 'drop', afterTokens: 2 }
            : index % 5 === 2
              ? { kind: 'http', status: 500, message: 'boom' }
              : index % 5 === 3
                ? { kind: 'stream-error', afterTokens: 1, message: 'engine died' }
                : undefined,
      },
      4,
    );
    const load = await runLoad({ client, model: 'fake/model', prompts: syntheticPrompts(20, 5, 8, new Random(1)), concurrency: 4 });
    const s = computeSummary(load, config({ numPrompts: 20 }));
    expect(s.completed + s.failed).toBe(20);
    expect(s.failed).toBe(12);
    expect(s.completed).toBe(8);
    expect(s.errors).toEqual({
      'the server closed the connection mid-response': 4,
      'HTTP 500: boom': 4,
      'error in stream: engine died': 4,
    });
    expect(s.total_output_tokens).toBe(8 * 8);
    const lines = requestJsonl(load.results).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(20);
    expect(lines.filter((l) => l.success === false)).toHaveLength(12);
    expect(lines[2]).toMatchObject({ success: false, error: 'HTTP 500: boom' });
  });

  it('a warm-up that fails entirely says why', async () => {
    const client = await setup({ failEvery: { n: 1, failure: { kind: 'http', status: 404, message: 'The model `x` does not exist.' } } }, 1);
    const err = await runLoad({ client, model: 'x', prompts: syntheticPrompts(3, 5, 8, new Random(1)), concurrency: 1, warmup: 1 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WarmupFailedError);
    expect((err as Error).message).toMatch(/HTTP 404: The model `x` does not exist/);
    expect(server!.stats.chatRequests).toBe(1);
  });

  it('warm-up requests are not in the results, and their prompts start differently (no prefix-cache help)', async () => {
    const seen: string[] = [];
    const client = await setup(
      {
        failure: ({ body }) => {
          seen.push(String(body.messages?.[0]?.content));
          return undefined;
        },
      },
      2,
    );
    const prompts = syntheticPrompts(5, 5, 4, new Random(1));
    const load = await runLoad({ client, model: 'fake/model', prompts, concurrency: 2, warmup: 7 });
    expect(load.results).toHaveLength(5);
    expect(server!.stats.chatRequests).toBe(12);
    expect(seen.slice(0, 7).every((c, i) => c.startsWith(`Warm-up ${i}. `))).toBe(true);
    expect(seen.slice(7).sort()).toEqual(prompts.map((p) => p.messages[0]!.content).sort());
  });

  it('an abort stops the run and marks in-flight requests cancelled', async () => {
    const client = await setup({ ttftMs: 20, itlMs: 20 }, 2);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    const load = await runLoad({ client, model: 'fake/model', prompts: syntheticPrompts(50, 5, 10, new Random(1)), concurrency: 2, signal: ac.signal });
    expect(load.interrupted).toBe(true);
    expect(load.results.length).toBeLessThan(50);
    const s = computeSummary(load, config({ numPrompts: 50 }));
    expect(s.cancelled).toBeGreaterThanOrEqual(1);
    expect(s.cancelled).toBeLessThanOrEqual(2);
    expect(s.failed).toBe(0);
  });
});

describe('runLoad (open loop)', () => {
  it('arrivals match the asked rate (fixed seed, tolerant bound)', async () => {
    const rate = 100;
    const n = 200;
    const client = await setup({ ttftMs: 5, itlMs: 1 }, 64);
    const load = await runLoad({ client, model: 'fake/model', prompts: syntheticPrompts(n, 5, 4, new Random(1)), rate, burstiness: 1, seed: 42 });
    expect(load.results.every((r) => r.ok)).toBe(true);
    // The planned schedule: mean gap 1/rate (deterministic with the seed).
    const plan = load.schedule!;
    const plannedRate = (n - 1) / ((plan[n - 1]! - plan[0]!) / 1000);
    expect(plannedRate).toBeGreaterThan(rate * 0.8);
    expect(plannedRate).toBeLessThan(rate * 1.2);
    // The plan's gaps have the spread of a Poisson process (CV ≈ 1); deterministic with the seed.
    const planGaps = summarize(plan.slice(1).map((a, i) => a - plan[i]!));
    expect(planGaps.std / planGaps.mean).toBeGreaterThan(0.85);
    expect(planGaps.std / planGaps.mean).toBeLessThan(1.15);
    // What the server saw: the same rate, and arrivals that follow the plan (most within 20 ms;
    // a stall of this busy test process may bunch a few).
    const arrivals = server!.stats.arrivals;
    const seen = (n - 1) / ((arrivals[n - 1]! - arrivals[0]!) / 1000);
    expect(seen).toBeGreaterThan(rate * 0.8);
    expect(seen).toBeLessThan(rate * 1.2);
    const offsets = arrivals.map((a, i) => a - arrivals[0]! - plan[i]!);
    expect(offsets.filter((d) => Math.abs(d) < 20).length / n).toBeGreaterThan(0.9);
    // Requests left when planned: never early, and most within 20 ms (timers on a busy host can be late).
    const late = load.results.map((r) => r.startMs - plan[r.index]!);
    expect(Math.min(...late)).toBeGreaterThanOrEqual(-0.5);
    expect(late.filter((x) => x < 20).length / late.length).toBeGreaterThan(0.9);
  });

  it('burstiness > 1 makes arrivals more regular; a concurrency cap holds', async () => {
    const client = await setup({ ttftMs: 30, itlMs: 5 }, 3);
    const load = await runLoad({
      client,
      model: 'fake/model',
      prompts: syntheticPrompts(60, 5, 4, new Random(1)),
      rate: 200,
      burstiness: 16,
      seed: 7,
      concurrency: 3,
    });
    expect(load.results.every((r) => r.ok)).toBe(true);
    expect(server!.stats.maxInFlight).toBeLessThanOrEqual(3);
    const plan = load.schedule!;
    const gaps = plan.slice(1).map((a, i) => a - plan[i]!);
    const g = summarize(gaps);
    expect(g.std / g.mean).toBeLessThan(0.4);
  });
});

describe('timeSeries', () => {
  it('puts every output token in a bucket', async () => {
    const client = await setup({ ttftMs: 10, itlMs: 5 }, 4);
    const load = await runLoad({ client, model: 'fake/model', prompts: syntheticPrompts(12, 5, 10, new Random(1)), concurrency: 4 });
    const ts = timeSeries(load, 20);
    const tokens = ts.outputTokensPerS.reduce((acc, x, i) => {
      const width = i === ts.t.length - 1 ? Math.max(load.durationMs / 1000 - i * ts.bucketS, ts.bucketS * 0.25) : ts.bucketS;
      return acc + x * width;
    }, 0);
    expect(tokens).toBeCloseTo(120, 6);
    expect(ts.peakInFlight).toBe(4);
    expect(Math.max(...ts.inFlight)).toBeLessThanOrEqual(4.0001);
  });
});
