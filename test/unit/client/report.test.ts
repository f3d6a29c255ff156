import { describe, expect, it } from 'vitest';
import { computeSummary, distributions, timeSeries, type BenchConfig } from '../../../src/client/bench-summary.js';
import type { LoadResult, RequestResult } from '../../../src/client/loadgen.js';
import { renderReport } from '../../../src/client/report.js';
import { histogram, niceTicks } from '../../../src/client/svg.js';

function fakeLoad(n: number, failEvery = 0): LoadResult {
  const results: RequestResult[] = [];
  for (let i = 0; i < n; i++) {
    const ok = failEvery === 0 || i % failEvery !== 0;
    const ttft = 40 + (i % 7);
    const itls = Array.from({ length: 15 }, (_, k) => 9 + ((i + k) % 3));
    const e2e = ttft + itls.reduce((a, b) => a + b, 0);
    results.push({
      index: i,
      ok,
      ...(ok ? {} : { error: 'HTTP 500: <boom> & "x"' }),
      startMs: i * 25,
      ttftMs: ttft,
      e2eMs: e2e,
      itlsMs: ok ? itls : [],
      ...(ok ? { tpotMs: (e2e - ttft) / 15 } : {}),
      promptTokens: 32,
      outputTokens: ok ? 16 : 0,
      usageReported: ok,
      chunks: ok ? 16 : 0,
      maxTokens: 16,
    });
  }
  const durationMs = Math.max(...results.map((r) => r.startMs + r.e2eMs));
  return { results, durationMs, startedAt: new Date('2026-01-02T03:04:05Z'), eventLoopDelay: { meanMs: 0.1, p50Ms: 0.1, p99Ms: 0.5, maxMs: 2 }, interrupted: false };
}

const config: BenchConfig = { model: 'org/<model>', endpoint: 'http://10.0.0.1:8000', numPrompts: 200, maxConcurrency: 8, requestRate: Infinity, burstiness: 1, inputLen: 32, outputLen: 16, warmup: 1, seed: 0, slo: { ttftMs: 45 } };

describe('svg helpers', () => {
  it('nice ticks cover the range', () => {
    expect(niceTicks(0, 97, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(30.2, 46.9, 4)).toEqual([30, 35, 40, 45, 50]);
    const t = niceTicks(0, 0);
    expect(t[0]).toBe(0);
    expect(t.length).toBeGreaterThan(1);
  });

  it('histogram counts every sample and folds a long tail', () => {
    const sorted = Float64Array.from([...Array.from({ length: 999 }, (_, i) => 10 + (i % 10)), 5000]).sort();
    const h = histogram(sorted);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(h.overflow).toBe(1);
    expect(h.edges[h.edges.length - 1]!).toBeLessThan(100);
  });
});

describe('renderReport', () => {
  it('is one self-contained page with the four distributions, throughput over time and every request', () => {
    const load = fakeLoad(200, 20);
    const dists = distributions(load.results);
    const html = renderReport({ summary: computeSummary(load, config, dists), results: load.results, dists, series: timeSeries(load, 90), generator: 'kindling test' });
    for (const id of ['chart-throughput', 'chart-ttft', 'chart-tpot', 'chart-itl', 'chart-e2el', 'chart-requests']) {
      expect(html).toContain(`<svg id="${id}"`);
    }
    // Self-contained: no script, stylesheet link, image, font or any URL fetched.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|src=|href=/i);
    // Escaped user-controlled text.
    expect(html).toContain('org/&lt;model&gt;');
    expect(html).toContain('HTTP 500: &lt;boom&gt; &amp; &quot;x&quot;');
    expect(html).not.toContain('<boom>');
    expect(html).toMatch(/Goodput/);
    expect(html).toMatch(/10 failed/);
  });

  it('renders with no completed request', () => {
    const load = fakeLoad(3, 1);
    const dists = distributions(load.results);
    const html = renderReport({ summary: computeSummary(load, config, dists), results: load.results, dists, series: timeSeries(load) });
    expect(html).toContain('no samples');
  });
});
