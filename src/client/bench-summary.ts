/**
 * The benchmark's summary, with the key names of vLLM's benchmark_serving result JSON, its
 * human rendering (the same layout as benchmark_serving's printout), the per-request JSONL, and the
 * time series the HTML report draws.
 */
import type { Style } from '../core/style.js';
import type { EventLoopDelay, LoadResult, RequestResult } from './loadgen.js';
import { SampleBuffer, summarize, type Summary } from './stats.js';

export interface Slo {
  ttftMs?: number;
  tpotMs?: number;
  e2elMs?: number;
}

export interface BenchConfig {
  model: string;
  endpoint: string;
  numPrompts: number;
  /** null: open loop without a cap. */
  maxConcurrency: number | null;
  /** Infinity: closed loop / all at once. */
  requestRate: number;
  burstiness: number;
  inputLen?: number;
  outputLen: number;
  dataset?: string;
  warmup: number;
  seed: number;
  slo?: Slo;
}

/** Result JSON: vLLM benchmark_serving's keys first, kindling's additions after. */
export interface BenchSummary {
  date: string;
  backend: 'openai-chat';
  model_id: string;
  endpoint: string;
  num_prompts: number;
  request_rate: number | 'inf';
  burstiness: number;
  max_concurrency: number | null;
  duration: number;
  completed: number;
  failed: number;
  total_input_tokens: number;
  total_output_tokens: number;
  request_throughput: number;
  request_goodput: number | null;
  output_throughput: number;
  total_token_throughput: number;
  max_output_tokens_per_s: number;
  max_concurrent_requests: number;
  mean_ttft_ms: number;
  median_ttft_ms: number;
  std_ttft_ms: number;
  p90_ttft_ms: number;
  p99_ttft_ms: number;
  mean_tpot_ms: number;
  median_tpot_ms: number;
  std_tpot_ms: number;
  p90_tpot_ms: number;
  p99_tpot_ms: number;
  mean_itl_ms: number;
  median_itl_ms: number;
  std_itl_ms: number;
  p90_itl_ms: number;
  p99_itl_ms: number;
  mean_e2el_ms: number;
  median_e2el_ms: number;
  std_e2el_ms: number;
  p90_e2el_ms: number;
  p99_e2el_ms: number;
  /** kindling: requests the user's Ctrl-C stopped in flight (neither completed nor failed). */
  cancelled: number;
  /** kindling: failure reasons and how often each happened. */
  errors: Record<string, number>;
  /** kindling: requests whose output tokens were counted as chunks because the server sent no usage. */
  requests_without_usage: number;
  input_len: number | null;
  output_len: number;
  dataset: string | null;
  warmup: number;
  seed: number;
  slo: { ttft_ms?: number; tpot_ms?: number; e2el_ms?: number } | null;
  /** kindling: the client's event-loop delay over the run (how much the client itself may have added). */
  event_loop_delay_mean_ms: number;
  event_loop_delay_p99_ms: number;
  event_loop_delay_max_ms: number;
  interrupted: boolean;
}

export type MetricName = 'ttft' | 'tpot' | 'itl' | 'e2el';

export interface Distributions {
  ttft: SampleBuffer;
  tpot: SampleBuffer;
  itl: SampleBuffer;
  e2el: SampleBuffer;
}

/** The samples each metric summarises, from completed requests only (as vLLM does). */
export function distributions(results: RequestResult[]): Distributions {
  const d: Distributions = { ttft: new SampleBuffer(), tpot: new SampleBuffer(), itl: new SampleBuffer(), e2el: new SampleBuffer() };
  for (const r of results) {
    if (!r.ok) continue;
    if (r.ttftMs !== undefined) d.ttft.push(r.ttftMs);
    if (r.tpotMs !== undefined) d.tpot.push(r.tpotMs);
    for (const x of r.itlsMs) d.itl.push(x);
    d.e2el.push(r.e2eMs);
  }
  return d;
}

export function isGood(r: RequestResult, slo: Slo): boolean {
  if (!r.ok) return false;
  if (slo.ttftMs !== undefined && !((r.ttftMs ?? Infinity) <= slo.ttftMs)) return false;
  if (slo.tpotMs !== undefined && !((r.tpotMs ?? 0) <= slo.tpotMs)) return false;
  if (slo.e2elMs !== undefined && !(r.e2eMs <= slo.e2elMs)) return false;
  return true;
}

export function computeSummary(load: LoadResult, config: BenchConfig, dists = distributions(load.results)): BenchSummary {
  const { results } = load;
  const durationS = load.durationMs / 1000;
  const per = (n: number) => (durationS > 0 ? n / durationS : 0);
  let completed = 0;
  let failed = 0;
  let cancelled = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let noUsage = 0;
  let good = 0;
  const errors: Record<string, number> = {};
  for (const r of results) {
    if (r.ok) {
      completed++;
      inputTokens += r.promptTokens;
      outputTokens += r.outputTokens;
      if (!r.usageReported) noUsage++;
      if (config.slo && isGood(r, config.slo)) good++;
    } else if (r.cancelled) cancelled++;
    else {
      failed++;
      const key = r.error ?? 'unknown error';
      errors[key] = (errors[key] ?? 0) + 1;
    }
  }
  const s: Record<MetricName, Summary> = {
    ttft: summarize(dists.ttft),
    tpot: summarize(dists.tpot),
    itl: summarize(dists.itl),
    e2el: summarize(dists.e2el),
  };
  const series = timeSeries(load);
  const sloOut = config.slo
    ? {
        ...(config.slo.ttftMs !== undefined ? { ttft_ms: config.slo.ttftMs } : {}),
        ...(config.slo.tpotMs !== undefined ? { tpot_ms: config.slo.tpotMs } : {}),
        ...(config.slo.e2elMs !== undefined ? { e2el_ms: config.slo.e2elMs } : {}),
      }
    : null;
  const loop: EventLoopDelay = load.eventLoopDelay;
  return {
    date: load.startedAt.toISOString(),
    backend: 'openai-chat',
    model_id: config.model,
    endpoint: config.endpoint,
    num_prompts: config.numPrompts,
    request_rate: Number.isFinite(config.requestRate) ? config.requestRate : 'inf',
    burstiness: config.burstiness,
    max_concurrency: config.maxConcurrency,
    duration: durationS,
    completed,
    failed,
    total_input_tokens: inputTokens,
    total_output_tokens: outputTokens,
    request_throughput: per(completed),
    request_goodput: config.slo ? per(good) : null,
    output_throughput: per(outputTokens),
    total_token_throughput: per(inputTokens + outputTokens),
    max_output_tokens_per_s: series.peakOutputTokensPerS,
    max_concurrent_requests: series.peakInFlight,
    ...metricKeys('ttft', s.ttft),
    ...metricKeys('tpot', s.tpot),
    ...metricKeys('itl', s.itl),
    ...metricKeys('e2el', s.e2el),
    cancelled,
    errors,
    requests_without_usage: noUsage,
    input_len: config.inputLen ?? null,
    output_len: config.outputLen,
    dataset: config.dataset ?? null,
    warmup: config.warmup,
    seed: config.seed,
    slo: sloOut,
    event_loop_delay_mean_ms: loop.meanMs,
    event_loop_delay_p99_ms: loop.p99Ms,
    event_loop_delay_max_ms: loop.maxMs,
    interrupted: load.interrupted,
  } as BenchSummary;
}

function metricKeys(name: MetricName, s: Summary): Record<string, number> {
  return {
    [`mean_${name}_ms`]: s.mean,
    [`median_${name}_ms`]: s.median,
    [`std_${name}_ms`]: s.std,
    [`p90_${name}_ms`]: s.p90,
    [`p99_${name}_ms`]: s.p99,
  };
}

export interface TimeSeries {
  /** Bucket width, seconds. */
  bucketS: number;
  /** Bucket start times, seconds after the run started. */
  t: number[];
  /** Output tokens per second in each bucket. */
  outputTokensPerS: number[];
  /** Completed requests per second in each bucket. */
  requestsPerS: number[];
  /** Mean number of requests in flight over each bucket. */
  inFlight: number[];
  /** Failed requests per bucket (by their end time). */
  failures: number[];
  peakOutputTokensPerS: number;
  peakInFlight: number;
}

/** A bucket width that gives about `target` buckets: 1, 2, 5 × 10^k seconds. */
export function niceBucket(durationS: number, target = 60): number {
  const raw = Math.max(durationS / target, 0.01);
  const pow = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

/**
 * Output tokens, completions and requests in flight over time. Token times are rebuilt from each
 * request's start, TTFT and inter-token gaps; a chunk's tokens are the request's output tokens
 * spread evenly over its chunks.
 */
export function timeSeries(load: LoadResult, target = 60): TimeSeries {
  const durationS = Math.max(load.durationMs / 1000, 1e-3);
  const bucketS = niceBucket(durationS, target);
  const n = Math.max(1, Math.ceil(durationS / bucketS));
  const tokens = new Float64Array(n);
  const done = new Float64Array(n);
  const busy = new Float64Array(n);
  const failures = new Float64Array(n);
  const bucketOf = (ms: number) => Math.min(n - 1, Math.max(0, Math.floor(ms / 1000 / bucketS)));
  // In-flight: the time each request spends in each bucket, divided by the bucket width.
  const events: [number, number][] = [];
  for (const r of load.results) {
    const endMs = r.startMs + r.e2eMs;
    events.push([r.startMs, 1], [endMs, -1]);
    addInterval(busy, r.startMs / 1000, endMs / 1000, bucketS);
    if (r.ok) done[bucketOf(endMs)]! += 1;
    else if (!r.cancelled) failures[bucketOf(endMs)]! += 1;
    if (r.ttftMs === undefined || r.chunks === 0) continue;
    const perChunk = r.outputTokens / r.chunks;
    let t = r.startMs + r.ttftMs;
    tokens[bucketOf(t)]! += perChunk;
    for (const gap of r.itlsMs) {
      t += gap;
      tokens[bucketOf(t)]! += perChunk;
    }
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let peakInFlight = 0;
  for (const [, d] of events) {
    cur += d;
    peakInFlight = Math.max(peakInFlight, cur);
  }
  // The last bucket may be partial: rates use its real width.
  const width = (i: number) => (i === n - 1 ? Math.max(durationS - i * bucketS, bucketS * 0.25) : bucketS);
  const t = Array.from({ length: n }, (_, i) => i * bucketS);
  const outputTokensPerS = Array.from(tokens, (x, i) => x / width(i));
  const requestsPerS = Array.from(done, (x, i) => x / width(i));
  const inFlight = Array.from(busy, (x, i) => x / width(i));
  // vLLM's max_output_tokens_per_s uses 1-second buckets.
  const perSecond = new Float64Array(Math.max(1, Math.ceil(durationS)));
  for (const r of load.results) {
    if (r.ttftMs === undefined || r.chunks === 0) continue;
    const perChunk = r.outputTokens / r.chunks;
    let tt = r.startMs + r.ttftMs;
    perSecond[Math.min(perSecond.length - 1, Math.floor(tt / 1000))]! += perChunk;
    for (const gap of r.itlsMs) {
      tt += gap;
      perSecond[Math.min(perSecond.length - 1, Math.floor(tt / 1000))]! += perChunk;
    }
  }
  return {
    bucketS,
    t,
    outputTokensPerS,
    requestsPerS,
    inFlight,
    failures: Array.from(failures),
    peakOutputTokensPerS: Math.max(0, ...perSecond),
    peakInFlight,
  };
}

function addInterval(acc: Float64Array, fromS: number, toS: number, bucketS: number): void {
  const n = acc.length;
  let i = Math.max(0, Math.floor(fromS / bucketS));
  while (i < n) {
    const lo = i * bucketS;
    const hi = lo + bucketS;
    const overlap = Math.min(hi, toS) - Math.max(lo, fromS);
    if (overlap > 0) acc[i]! += overlap;
    if (hi >= toS) break;
    i++;
  }
}

/** One JSON line per request, for --out. */
export function requestJsonl(results: RequestResult[]): string {
  return results
    .map((r) =>
      JSON.stringify({
        index: r.index,
        success: r.ok,
        error: r.error ?? null,
        cancelled: r.cancelled === true,
        start_ms: round(r.startMs),
        ttft_ms: r.ttftMs === undefined ? null : round(r.ttftMs),
        tpot_ms: r.tpotMs === undefined ? null : round(r.tpotMs),
        e2el_ms: round(r.e2eMs),
        itl_ms: r.itlsMs.map(round),
        prompt_tokens: r.promptTokens,
        output_tokens: r.outputTokens,
        usage_reported: r.usageReported,
        max_tokens: r.maxTokens,
        finish_reason: r.finishReason ?? null,
      }),
    )
    .map((l) => `${l}\n`)
    .join('');
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The human summary, laid out like vLLM's benchmark_serving printout. */
export function formatSummary(s: BenchSummary, style: Style): string {
  const W = 50;
  const line = (label: string, value: string) => `${label.padEnd(40)} ${value.padStart(W - 41)}`;
  const num = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
  const head = (title: string, fill = '-') => {
    const pad = Math.max(0, W - title.length);
    return style.bold(`${fill.repeat(Math.floor(pad / 2))}${title}${fill.repeat(Math.ceil(pad / 2))}`);
  };
  const out: string[] = [];
  out.push(head(' Serving Benchmark Result ', '='));
  out.push(line('Successful requests:', String(s.completed)));
  out.push(line('Failed requests:', s.failed > 0 ? style.red(String(s.failed)) : '0'));
  if (s.cancelled > 0) out.push(line('Cancelled requests (interrupted):', String(s.cancelled)));
  if (s.max_concurrency !== null) out.push(line('Maximum request concurrency:', String(s.max_concurrency)));
  if (s.request_rate !== 'inf') {
    out.push(line('Traffic request rate (req/s):', num(s.request_rate)));
    out.push(line('Burstiness factor:', `${num(s.burstiness, 1)}${s.burstiness === 1 ? ' (Poisson)' : ''}`));
  }
  out.push(line('Benchmark duration (s):', num(s.duration)));
  out.push(line('Total input tokens:', String(s.total_input_tokens)));
  out.push(line('Total generated tokens:', String(s.total_output_tokens)));
  out.push(line('Request throughput (req/s):', num(s.request_throughput)));
  if (s.request_goodput !== null) out.push(line('Request goodput (req/s):', num(s.request_goodput)));
  out.push(line('Output token throughput (tok/s):', num(s.output_throughput)));
  out.push(line('Peak output token throughput (tok/s):', num(s.max_output_tokens_per_s)));
  out.push(line('Peak concurrent requests:', String(s.max_concurrent_requests)));
  out.push(line('Total token throughput (tok/s):', num(s.total_token_throughput)));
  const section = (title: string, m: MetricName, label: string) => {
    out.push(head(title));
    const v = s as unknown as Record<string, number>;
    out.push(line(`Mean ${label} (ms):`, num(v[`mean_${m}_ms`]!)));
    out.push(line(`Median ${label} (ms):`, num(v[`median_${m}_ms`]!)));
    out.push(line(`Std ${label} (ms):`, num(v[`std_${m}_ms`]!)));
    out.push(line(`P90 ${label} (ms):`, num(v[`p90_${m}_ms`]!)));
    out.push(line(`P99 ${label} (ms):`, num(v[`p99_${m}_ms`]!)));
  };
  section('Time to First Token', 'ttft', 'TTFT');
  section('Time per Output Token (excl. 1st token)', 'tpot', 'TPOT');
  section('Inter-token Latency', 'itl', 'ITL');
  section('End-to-end Latency', 'e2el', 'E2EL');
  out.push(head('Client'));
  out.push(line('Event loop delay p99 (ms):', num(s.event_loop_delay_p99_ms)));
  out.push(line('Event loop delay max (ms):', num(s.event_loop_delay_max_ms)));
  if (s.requests_without_usage > 0) {
    out.push(line('Requests without usage (tokens = chunks):', String(s.requests_without_usage)));
  }
  out.push(style.bold('='.repeat(W)));
  const errs = Object.entries(s.errors).sort((a, b) => b[1] - a[1]);
  if (errs.length > 0) {
    out.push(style.red('Failures:'));
    for (const [msg, n] of errs.slice(0, 10)) out.push(`  ${String(n).padStart(5)} × ${msg}`);
    if (errs.length > 10) out.push(`  … and ${errs.length - 10} other reasons`);
  }
  return `${out.join('\n')}\n`;
}
