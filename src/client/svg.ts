/**
 * Small SVG chart primitives for the benchmark report: scales, nice ticks, axes, line/area paths,
 * histograms and CDF curves. Output is plain SVG markup styled by the page's CSS classes (so the
 * page's light/dark colours apply), with <title> tooltips — no script, no external resource.
 */

export interface Box {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A linear scale from [d0, d1] to [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): (x: number) => number {
  const span = d1 - d0 || 1;
  return (x) => r0 + ((x - d0) / span) * (r1 - r0);
}

/** "Nice" tick values covering [min, max]: steps of 1, 2, 2.5 or 5 × 10^k. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0];
  if (max <= min) max = min + (min === 0 ? 1 : Math.abs(min) * 0.1);
  const raw = (max - min) / Math.max(1, count);
  const pow = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const start = Math.floor(min / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let v = start; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max - 1e-12) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

/** A compact number: 1234 → "1,234", 0.0123 → "0.0123", 12.345 → "12.3". */
export function fmt(x: number, digits?: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  const d = digits ?? (a === 0 ? 0 : a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3);
  return x.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: d });
}

export interface AxisOptions {
  xTicks: number[];
  yTicks: number[];
  x: (v: number) => number;
  y: (v: number) => number;
  box: Box;
  xLabel?: string;
  yLabel?: string;
  xFormat?: (v: number) => string;
  yFormat?: (v: number) => string;
}

/** Grid lines, tick labels and axis titles. */
export function axes(o: AxisOptions): string {
  const { box } = o;
  const x0 = box.left;
  const x1 = box.width - box.right;
  const y0 = box.height - box.bottom;
  const y1 = box.top;
  const xf = o.xFormat ?? ((v: number) => fmt(v));
  const yf = o.yFormat ?? ((v: number) => fmt(v));
  const parts: string[] = [];
  for (const t of o.yTicks) {
    const y = o.y(t);
    parts.push(`<line class="grid" x1="${x0}" x2="${x1}" y1="${r(y)}" y2="${r(y)}"/>`);
    parts.push(`<text class="tick" x="${x0 - 6}" y="${r(y)}" text-anchor="end" dominant-baseline="middle">${escapeXml(yf(t))}</text>`);
  }
  for (const t of o.xTicks) {
    const x = o.x(t);
    parts.push(`<line class="tickmark" x1="${r(x)}" x2="${r(x)}" y1="${y0}" y2="${y0 + 4}"/>`);
    parts.push(`<text class="tick" x="${r(x)}" y="${y0 + 16}" text-anchor="middle">${escapeXml(xf(t))}</text>`);
  }
  parts.push(`<line class="axis" x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}"/>`);
  if (o.xLabel) parts.push(`<text class="axis-title" x="${(x0 + x1) / 2}" y="${box.height - 4}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  if (o.yLabel) {
    parts.push(
      `<text class="axis-title" transform="translate(12 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}</text>`,
    );
  }
  return parts.join('');
}

export function r(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}

/** An SVG path through the points. */
export function linePath(points: [number, number][]): string {
  return points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${r(x)} ${r(y)}`).join('');
}

/** A closed area path from the points down to `baseY`. */
export function areaPath(points: [number, number][], baseY: number): string {
  if (points.length === 0) return '';
  const first = points[0]!;
  const last = points[points.length - 1]!;
  return `${linePath(points)}L${r(last[0])} ${r(baseY)}L${r(first[0])} ${r(baseY)}Z`;
}

/** Evenly picks at most `max` items, keeping the first and the last. */
export function downsample<T>(items: ArrayLike<T>, max: number): T[] {
  const n = items.length;
  if (n <= max) return Array.from(items);
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(items[Math.round((i * (n - 1)) / (max - 1))]!);
  return out;
}

export interface Bins {
  /** Lower edges; the last bin may collect everything above (overflow). */
  edges: number[];
  width: number;
  counts: number[];
  /** Samples above the last edge, folded into the last bin. */
  overflow: number;
}

/**
 * Histogram bins over sorted samples: from the smallest sample to the 99.5th percentile (a long
 * tail is folded into the last bin, marked as overflow), about √n bins, 8 to 40, at a nice width.
 */
export function histogram(sorted: ArrayLike<number>): Bins {
  const n = sorted.length;
  if (n === 0) return { edges: [0], width: 1, counts: [0], overflow: 0 };
  const lo = sorted[0]!;
  const hiAll = sorted[n - 1]!;
  const p995 = sorted[Math.min(n - 1, Math.floor(0.995 * (n - 1)))]!;
  const hi = hiAll > p995 * 1.5 && p995 > lo ? p995 : hiAll;
  const target = Math.max(8, Math.min(40, Math.round(Math.sqrt(n))));
  const span = hi - lo;
  let width: number;
  if (span <= 0) width = Math.max(Math.abs(lo) * 0.05, 0.001);
  else {
    const raw = span / target;
    const pow = Math.pow(10, Math.floor(Math.log10(raw)));
    width = [1, 2, 2.5, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  }
  const start = Math.floor(lo / width) * width;
  const count = Math.max(1, Math.floor((hi - start) / width) + 1);
  const counts = new Array<number>(count).fill(0);
  let overflow = 0;
  for (let i = 0; i < n; i++) {
    let b = Math.floor((sorted[i]! - start) / width);
    if (b >= count) {
      b = count - 1;
      overflow++;
    }
    counts[Math.max(0, b)]!++;
  }
  return { edges: counts.map((_, i) => Number((start + i * width).toPrecision(12))), width, counts, overflow };
}
