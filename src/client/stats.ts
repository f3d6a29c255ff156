/**
 * Summary statistics computed the way vLLM's benchmark_serving computes them with numpy:
 * np.mean, np.median, np.std (population, ddof=0) and np.percentile (linear interpolation).
 * Exact, from all samples (no histogram binning).
 */

export interface Summary {
  mean: number;
  median: number;
  std: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
  count: number;
}

/** A growable array of doubles (ITL samples can number millions). */
export class SampleBuffer {
  private data: Float64Array;
  length = 0;
  constructor(initial = 1024) {
    this.data = new Float64Array(initial);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  /** A sorted copy of the samples. */
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/** np.percentile(sorted, p) with linear interpolation; NaN for no samples. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (n === 1) return sorted[0]!;
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, n - 1);
  const frac = rank - lo;
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * frac;
}

/**
 * Summary of the samples. An empty set summarises to zeros, as vLLM's `np.mean(x or 0)` does,
 * with count 0 saying there was nothing.
 */
export function summarize(samples: ArrayLike<number> | SampleBuffer): Summary {
  const values = samples instanceof SampleBuffer ? samples.values() : samples;
  const n = values.length;
  if (n === 0) return { mean: 0, median: 0, std: 0, p90: 0, p99: 0, min: 0, max: 0, count: 0 };
  const sorted = samples instanceof SampleBuffer ? samples.sorted() : Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = sorted[i]! - mean;
    sq += d * d;
  }
  return {
    mean,
    median: percentileSorted(sorted, 50),
    std: Math.sqrt(sq / n),
    p90: percentileSorted(sorted, 90),
    p99: percentileSorted(sorted, 99),
    min: sorted[0]!,
    max: sorted[n - 1]!,
    count: n,
  };
}
