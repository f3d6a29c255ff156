import { describe, expect, it } from 'vitest';
import { arrivalGaps, Random } from '../../../src/client/rng.js';
import { percentileSorted, SampleBuffer, summarize } from '../../../src/client/stats.js';

describe('summarize (numpy semantics)', () => {
  it('matches np.mean/median/std/percentile', () => {
    // np.percentile([1,2,3,4,10], 90) = 7.6, 99 = 9.76; np.std = 3.1622776601683795
    const s = summarize([4, 1, 10, 3, 2]);
    expect(s.mean).toBeCloseTo(4, 12);
    expect(s.median).toBe(3);
    expect(s.std).toBeCloseTo(3.1622776601683795, 12);
    expect(s.p90).toBeCloseTo(7.6, 12);
    expect(s.p99).toBeCloseTo(9.76, 12);
    expect(s.count).toBe(5);
    expect(summarize([1, 2, 3, 4]).median).toBe(2.5);
  });

  it('summarises nothing as zeros', () => {
    expect(summarize([])).toMatchObject({ mean: 0, median: 0, p99: 0, count: 0 });
    expect(Number.isNaN(percentileSorted([], 50))).toBe(true);
  });

  it('SampleBuffer grows', () => {
    const b = new SampleBuffer(2);
    for (let i = 100; i > 0; i--) b.push(i);
    expect(b.length).toBe(100);
    expect(summarize(b)).toMatchObject({ min: 1, max: 100, median: 50.5 });
  });
});

describe('Random', () => {
  it('is reproducible from a seed', () => {
    const a = new Random(42);
    const b = new Random(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(new Random(43).next()).not.toBe(xs[0]);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('gamma has the right mean and variance (shape 0.5, 1, 4)', () => {
    for (const shape of [0.5, 1, 4]) {
      const r = new Random(7);
      const n = 200_000;
      const scale = 2;
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < n; i++) {
        const x = r.gamma(shape, scale);
        sum += x;
        sq += x * x;
      }
      const mean = sum / n;
      const variance = sq / n - mean * mean;
      expect(mean).toBeCloseTo(shape * scale, 1);
      expect(variance / (shape * scale * scale)).toBeGreaterThan(0.95);
      expect(variance / (shape * scale * scale)).toBeLessThan(1.05);
    }
  });

  it('arrival gaps average 1/rate; burstiness sets their spread (CV = 1/sqrt(b))', () => {
    for (const b of [0.5, 1, 4]) {
      const gaps = arrivalGaps(50_000, 20, b, new Random(1));
      const mean = gaps.reduce((x, y) => x + y, 0) / gaps.length;
      const sd = Math.sqrt(gaps.reduce((x, g) => x + (g - mean) ** 2, 0) / gaps.length);
      expect(mean).toBeGreaterThan(0.05 * 0.98);
      expect(mean).toBeLessThan(0.05 * 1.02);
      expect(sd / mean).toBeGreaterThan((1 / Math.sqrt(b)) * 0.95);
      expect(sd / mean).toBeLessThan((1 / Math.sqrt(b)) * 1.05);
    }
    expect(arrivalGaps(3, Infinity, 1, new Random(1))).toEqual([0, 0, 0]);
  });
});
