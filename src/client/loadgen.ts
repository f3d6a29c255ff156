/**
 * The load generator behind `kindling bench`: closed loop (a fixed number of requests in flight) or
 * open loop (arrivals at a rate, gamma-distributed gaps as in vLLM's benchmark_serving, optionally
 * capped by a concurrency limit).
 *
 * Built for accuracy:
 * - raw undici Pool requests (sized to the concurrency, keep-alive, no pipelining, no retries);
 * - request bodies serialized before the clock starts; t0 = performance.now() right before dispatch;
 * - TTFT at the first chunk that carries content or reasoning (not the role-only first chunk);
 *   inter-token latencies between such chunks, timed when their bytes arrived;
 * - token counts from the server's `usage` (stream_options.include_usage);
 * - an absolute arrival schedule (a late timer does not delay the arrivals after it);
 * - the event loop's delay measured over the run (monitorEventLoopDelay) and reported;
 * - every failure recorded with its reason; nothing is dropped or retried.
 */
import { setMaxListeners } from 'node:events';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { RequestAbortedError, shortDescription } from './errors.js';
import { streamChatCompletion, warmConnections, type ClientConfig } from './openai-http.js';
import type { BenchPrompt } from './prompts.js';
import { arrivalGaps, Random } from './rng.js';

export interface RequestResult {
  /** Dispatch order, 0-based. */
  index: number;
  ok: boolean;
  /** Why it failed (ok=false). */
  error?: string;
  /** The user stopped the run while this request was in flight (neither completed nor failed). */
  cancelled?: boolean;
  /** Dispatch time, ms after the run started. */
  startMs: number;
  /** Time to the first content or reasoning chunk, ms (absent when none came). */
  ttftMs?: number;
  /** Time to the end of the stream (or to the failure), ms. */
  e2eMs: number;
  /** Gaps between content/reasoning chunks, ms. */
  itlsMs: number[];
  /** (e2e − ttft) / (output tokens − 1), ms; absent for one output token or a failure. */
  tpotMs?: number;
  promptTokens: number;
  outputTokens: number;
  /** False when the server sent no usage and the tokens were counted as chunks. */
  usageReported: boolean;
  /** Chunks that carried content or reasoning. */
  chunks: number;
  finishReason?: string | null;
  /** Output tokens asked for. */
  maxTokens: number;
  /** The error object of a failure (not serialized; for turning a warm-up failure into advice). */
  cause?: unknown;
}

export interface Progress {
  total: number;
  completed: number;
  failed: number;
  inFlight: number;
  outputTokens: number;
  elapsedMs: number;
}

export interface LoadOptions {
  client: ClientConfig;
  model: string;
  /** One prompt per request, in dispatch order. */
  prompts: BenchPrompt[];
  /** Closed loop: requests in flight. With `rate`: the cap on requests in flight. */
  concurrency?: number;
  /** Open loop: requests per second (Infinity: all at once). */
  rate?: number;
  /** Gamma shape of the inter-arrival times (1 = Poisson). */
  burstiness?: number;
  seed?: number;
  /** Requests sent (and discarded) before the measured run. */
  warmup?: number;
  /** Extra request fields (temperature …). */
  extraBody?: Record<string, unknown>;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  progressIntervalMs?: number;
}

export interface EventLoopDelay {
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LoadResult {
  results: RequestResult[];
  /** From the first dispatch to the end of the last request, ms. */
  durationMs: number;
  /** Wall-clock time of the start (for reports). */
  startedAt: Date;
  eventLoopDelay: EventLoopDelay;
  /** The run was stopped before every request was sent and finished. */
  interrupted: boolean;
  /** Planned send offsets in ms (open loop), for checks. */
  schedule?: number[];
}

/** The JSON text of one streaming benchmark request (fixed output length: max_tokens + ignore_eos). */
export function requestBody(model: string, prompt: BenchPrompt, extra?: Record<string, unknown>): string {
  return JSON.stringify({
    model,
    messages: prompt.messages,
    max_tokens: prompt.maxTokens,
    ignore_eos: true,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
    ...extra,
  });
}

/**
 * Sends one request and measures it. Never throws: a failure is a result with ok=false.
 * `origin` is the run's time origin (performance.now() at its start).
 */
export async function measureRequest(
  client: ClientConfig,
  body: string,
  maxTokens: number,
  index: number,
  origin: number,
  signal?: AbortSignal,
): Promise<RequestResult> {
  const itls: number[] = [];
  let first = -1;
  let last = 0;
  let chunks = 0;
  const t0 = performance.now();
  const result: RequestResult = {
    index,
    ok: false,
    startMs: t0 - origin,
    e2eMs: 0,
    itlsMs: itls,
    promptTokens: 0,
    outputTokens: 0,
    usageReported: false,
    chunks: 0,
    maxTokens,
  };
  try {
    const outcome = await streamChatCompletion(
      client,
      body,
      (delta, t) => {
        if (delta.empty) return;
        if (first < 0) first = t;
        else itls.push(t - last);
        last = t;
        chunks++;
      },
      signal,
      true,
    );
    const end = performance.now();
    result.e2eMs = end - t0;
    result.chunks = chunks;
    result.finishReason = outcome.finishReason;
    if (first >= 0) result.ttftMs = first - t0;
    if (outcome.usage) {
      result.usageReported = true;
      result.promptTokens = outcome.usage.prompt_tokens;
      result.outputTokens = outcome.usage.completion_tokens;
    } else result.outputTokens = chunks;
    if (first < 0 && result.outputTokens > 0) {
      result.error = 'the stream carried no content or reasoning';
      return result;
    }
    if (result.outputTokens > 1 && result.ttftMs !== undefined) {
      result.tpotMs = (result.e2eMs - result.ttftMs) / (result.outputTokens - 1);
    }
    result.ok = true;
  } catch (error) {
    result.e2eMs = performance.now() - t0;
    result.chunks = chunks;
    result.outputTokens = chunks;
    if (first >= 0) result.ttftMs = first - t0;
    if (error instanceof RequestAbortedError) result.cancelled = true;
    result.error = shortDescription(error);
    result.cause = error;
  }
  return result;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  if (options.rate === undefined && !((options.concurrency ?? 1) >= 1)) throw new RangeError('concurrency must be at least 1');
  // One signal per run, listened to by every in-flight request (hence no listener limit).
  const runController = new AbortController();
  setMaxListeners(0, runController.signal);
  const signal = runController.signal;
  const onAbort = () => runController.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await runLoadWith(options, signal);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

async function runLoadWith(options: LoadOptions, signal: AbortSignal): Promise<LoadResult> {
  const { client, model, prompts } = options;
  const total = prompts.length;
  const rate = options.rate ?? Infinity;
  const openLoop = options.rate !== undefined;
  const limit = options.concurrency ?? (openLoop ? Infinity : 1);
  const burstiness = options.burstiness ?? 1;

  // Serialize every body before the clock starts.
  const bodies = prompts.map((p) => requestBody(model, p, options.extraBody));

  // Open the pool's connections first, so that no measured request pays for a TCP connect.
  const maxInFlight = Math.min(limit, total);
  if (Number.isFinite(maxInFlight) && maxInFlight > 0) await warmConnections(client, Math.min(maxInFlight, 1024), signal);

  // Warm-up: discarded, but if every warm-up request failed the run cannot mean anything. Its
  // prompts start differently from the measured ones, so a server's prefix cache does not make the
  // measured requests look faster.
  const warmup = total > 0 ? (options.warmup ?? 0) : 0;
  if (warmup > 0) {
    const items = Array.from({ length: warmup }, (_, i) => {
      const p = prompts[i % total]!;
      const [first, ...rest] = p.messages;
      const messages = first ? [{ ...first, content: `Warm-up ${i}. ${first.content}` }, ...rest] : p.messages;
      return { body: requestBody(model, { ...p, messages }, options.extraBody), maxTokens: p.maxTokens };
    });
    const wl = Math.min(warmup, Number.isFinite(limit) ? limit : warmup);
    const warm = await closedLoop(client, items, wl, performance.now(), signal);
    if (!signal.aborted && warm.every((r) => !r.ok)) {
      throw new WarmupFailedError(warm[0]?.error ?? 'unknown error', warm, warm[0]?.cause);
    }
  }

  // Samples every 1 ms; Node records the whole interval between samples, so the delay is that minus 1 ms.
  const histogram = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  const results: RequestResult[] = [];
  let completed = 0;
  let failed = 0;
  let inFlight = 0;
  let outputTokens = 0;
  const startedAt = new Date();
  const origin = performance.now();
  const timer = options.onProgress
    ? setInterval(() => {
        options.onProgress?.({ total, completed, failed, inFlight, outputTokens, elapsedMs: performance.now() - origin });
      }, options.progressIntervalMs ?? 250)
    : undefined;
  timer?.unref();
  histogram.enable();

  const run = async (i: number) => {
    inFlight++;
    const r = await measureRequest(client, bodies[i]!, prompts[i]!.maxTokens, i, origin, signal);
    inFlight--;
    results[i] = r;
    if (r.ok) {
      completed++;
      outputTokens += r.outputTokens;
    } else if (!r.cancelled) failed++;
  };

  let schedule: number[] | undefined;
  try {
    if (!openLoop) {
      let next = 0;
      const worker = async () => {
        while (next < total && !signal.aborted) await run(next++);
      };
      await Promise.all(Array.from({ length: Math.min(limit, total) }, worker));
    } else {
      const gaps = arrivalGaps(total, rate, burstiness, new Random(options.seed ?? 0));
      schedule = [];
      let at = 0;
      for (let i = 0; i < total; i++) {
        schedule.push(at);
        at += gaps[i]! * 1000;
      }
      const running: Promise<void>[] = [];
      const slots = new Semaphore(limit);
      for (let i = 0; i < total; i++) {
        // Timers may fire up to 1 ms early: wait again until the planned time has really come.
        for (let wait = origin + schedule[i]! - performance.now(); wait > 0 && !signal.aborted; wait = origin + schedule[i]! - performance.now()) {
          await sleep(wait, signal);
        }
        if (signal.aborted) break;
        running.push(slots.use(() => (signal.aborted ? Promise.resolve() : run(i))));
      }
      await Promise.all(running);
    }
  } finally {
    histogram.disable();
    if (timer) clearInterval(timer);
  }
  const end = performance.now();
  const dense = results.filter((r): r is RequestResult => r !== undefined);
  const lastEnd = dense.reduce((m, r) => Math.max(m, r.startMs + r.e2eMs), 0);
  options.onProgress?.({ total, completed, failed, inFlight, outputTokens, elapsedMs: end - origin });
  return {
    results: dense,
    durationMs: dense.length > 0 ? lastEnd : end - origin,
    startedAt,
    eventLoopDelay: {
      meanMs: lateness(histogram.mean),
      p50Ms: lateness(histogram.percentile(50)),
      p99Ms: lateness(histogram.percentile(99)),
      maxMs: lateness(histogram.max),
    },
    interrupted: signal.aborted === true || dense.length < total,
    ...(schedule ? { schedule } : {}),
  };
}

/** Every warm-up request failed: the first failure says why (server down, unknown model …). */
export class WarmupFailedError extends Error {
  constructor(
    readonly reason: string,
    readonly results: RequestResult[],
    cause?: unknown,
  ) {
    super(`the warm-up request failed: ${reason}`, { cause });
    this.name = 'WarmupFailedError';
  }
}

async function closedLoop(
  client: ClientConfig,
  items: { body: string; maxTokens: number }[],
  limit: number,
  origin: number,
  signal?: AbortSignal,
): Promise<RequestResult[]> {
  const out: RequestResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const i = next++;
      out[i] = await measureRequest(client, items[i]!.body, items[i]!.maxTokens, i, origin, signal);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out.filter((r) => r !== undefined);
}

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async use<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

const ELD_RESOLUTION_MS = 1;

/** How late the sampling timer fired, ms, from an interval in ns (0 when there were no samples). */
function lateness(ns: number): number {
  return Number.isFinite(ns) && ns > 0 ? Math.max(0, ns / 1e6 - ELD_RESOLUTION_MS) : 0;
}
