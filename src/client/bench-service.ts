/**
 * `kindling bench`: load-tests a deployed model (or any OpenAI-compatible endpoint) and reports
 * what vLLM's benchmark_serving reports, with the same JSON keys. The load generator is loadgen.ts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Context } from '../core/context.js';
import { ExitCode, InterruptedError, UserError } from '../core/errors.js';
import {
  computeSummary,
  distributions,
  formatSummary,
  requestJsonl,
  timeSeries,
  type BenchConfig,
  type BenchSummary,
  type Slo,
} from './bench-summary.js';
import { toUserError } from './describe.js';
import { connect, resolveApiKey, resolveEndpoint, type ClusterEndpointDiscovery } from './endpoint.js';
import { runLoad, WarmupFailedError, type LoadResult, type Progress } from './loadgen.js';
import { cyclePrompts, DatasetError, parseDataset, syntheticPrompts, type BenchPrompt } from './prompts.js';
import { renderReport } from './report.js';
import { Random } from './rng.js';

export interface BenchOptions {
  model?: string;
  endpoint?: string;
  requests: number;
  /** Closed loop: requests in flight; with `rate`: the cap. */
  concurrency?: number;
  /** Open loop: requests per second (Infinity: all at once). */
  rate?: number;
  burstiness: number;
  inputLen: number;
  outputLen: number;
  dataset?: string;
  warmup: number;
  slo?: Slo;
  seed: number;
  out?: string;
  report?: string;
  apiKeyEnv?: string;
  discover?: ClusterEndpointDiscovery;
  /** For the report's footer. */
  generator?: string;
}

/** Parses `--slo ttft=200ms,tpot=50ms,e2el=2s` (a bare number is milliseconds, as in vLLM's --goodput). */
export function parseSlo(text: string): Slo {
  const slo: Slo = {};
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^(ttft|tpot|e2el|e2e)\s*[=:]\s*(\d+(?:\.\d+)?)\s*(ms|s)?$/i.exec(part);
    if (!m) {
      throw new UserError(`Invalid --slo '${part}'.`, {
        fix: 'Use comma-separated limits of ttft, tpot and e2el, e.g. --slo ttft=200ms,tpot=50ms,e2el=10s',
      });
    }
    const ms = Number(m[2]) * (m[3]?.toLowerCase() === 's' ? 1000 : 1);
    const key = m[1]!.toLowerCase();
    if (key === 'ttft') slo.ttftMs = ms;
    else if (key === 'tpot') slo.tpotMs = ms;
    else slo.e2elMs = ms;
  }
  if (Object.keys(slo).length === 0) throw new UserError('--slo is empty.', { fix: 'e.g. --slo ttft=200ms,tpot=50ms' });
  return slo;
}

export async function loadPrompts(options: BenchOptions): Promise<BenchPrompt[]> {
  if (options.dataset === undefined) {
    return syntheticPrompts(options.requests, options.inputLen, options.outputLen, new Random(options.seed));
  }
  let text: string;
  try {
    text = await readFile(resolve(options.dataset), 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UserError(`Cannot read the dataset ${options.dataset}${code === 'ENOENT' ? ': no such file' : `: ${(error as Error).message}`}.`, {
      fix: 'Pass a JSONL file: one {"prompt": "..."} or {"messages": [...]} per line.',
    });
  }
  try {
    return cyclePrompts(parseDataset(text, options.outputLen), options.requests);
  } catch (error) {
    if (error instanceof DatasetError) {
      throw new UserError(`Invalid dataset ${options.dataset}: ${error.message}.`, {
        fix: 'Each line must be a JSON object with "prompt" (a string), "messages" (chat messages) or "conversations" (ShareGPT).',
      });
    }
    throw error;
  }
}

function progressText(p: Progress): string {
  const s = p.elapsedMs / 1000;
  const tps = s > 0 ? p.outputTokens / s : 0;
  return `${p.completed + p.failed}/${p.total} · ${p.inFlight} running · ${p.failed} failed · ${Math.round(tps).toLocaleString('en-US')} tok/s`;
}

export async function runBench(ctx: Context, options: BenchOptions): Promise<BenchSummary> {
  const prompts = await loadPrompts(options);
  const apiKey = resolveApiKey(ctx, options.apiKeyEnv);
  const resolved = await resolveEndpoint(options.model, ctx, {
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.discover ? { discover: options.discover } : {}),
  });
  const openLoop = options.rate !== undefined;
  const inFlightMax = options.concurrency ?? (openLoop ? options.requests : 1);
  // A pool sized to the most requests that can be in flight: none waits for a socket in the client.
  const conn = await connect(ctx, resolved, options.model, apiKey, {
    connections: Math.max(1, Math.min(inFlightMax, options.requests)),
  });
  const endpoint = conn.endpoint.display;
  const config: BenchConfig = {
    model: conn.model,
    endpoint,
    numPrompts: options.requests,
    maxConcurrency: options.concurrency ?? null,
    requestRate: options.rate ?? Infinity,
    burstiness: options.burstiness,
    ...(options.dataset === undefined ? { inputLen: options.inputLen } : { dataset: options.dataset }),
    outputLen: options.outputLen,
    warmup: options.warmup,
    seed: options.seed,
    ...(options.slo ? { slo: options.slo } : {}),
  };
  const mode = openLoop
    ? `${Number.isFinite(options.rate) ? `${options.rate} req/s` : 'all at once'}${options.concurrency ? `, at most ${options.concurrency} in flight` : ''}`
    : `${options.concurrency} in flight`;
  let load: LoadResult;
  try {
    ctx.io.info(`${options.requests} requests to ${conn.model} at ${endpoint}, ${mode}.`);
    load = await ctx.io.step(`Benchmarking ${conn.model}`, async (step) => {
      const result = await runLoad({
        client: conn.client,
        model: conn.model,
        prompts,
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
        ...(options.rate !== undefined ? { rate: options.rate, burstiness: options.burstiness } : {}),
        seed: options.seed,
        warmup: options.warmup,
        signal: ctx.signal,
        onProgress: (p) => step.update(progressText(p)),
        progressIntervalMs: 200,
      });
      const failed = result.results.filter((q) => !q.ok && !q.cancelled).length;
      step.done(`${result.results.length - failed} ok, ${failed} failed in ${(result.durationMs / 1000).toFixed(1)}s`);
      return result;
    });
  } catch (error) {
    if (error instanceof WarmupFailedError) {
      const described = toUserError(error.cause ?? new Error(error.reason), endpoint, ctx.signal);
      if (described instanceof UserError) {
        throw new UserError(`The warm-up request failed. ${described.message}`, {
          fix: described.fix,
          exitCode: described.exitCode,
        });
      }
      throw described;
    }
    throw toUserError(error, endpoint, ctx.signal);
  } finally {
    await conn.close();
  }

  const dists = distributions(load.results);
  const summary = computeSummary(load, config, dists);
  if (options.out !== undefined) {
    await writeOutput(options.out, requestJsonl(load.results), '--out');
    ctx.io.info(`Per-request results: ${options.out}`);
  }
  if (options.report !== undefined) {
    const html = renderReport({
      summary,
      results: load.results,
      dists,
      series: timeSeries(load, 60),
      ...(options.generator ? { generator: options.generator } : {}),
    });
    await writeOutput(options.report, html, '--report');
    ctx.io.info(`Report: ${options.report}`);
  }
  if (summary.event_loop_delay_p99_ms > 5) {
    ctx.io.warn(
      `The client's event loop was delayed by up to ${summary.event_loop_delay_p99_ms.toFixed(1)} ms (p99): latencies include that much client overhead. Lower --concurrency or run the client on a less busy host.`,
    );
  }
  ctx.io.result(summary, (s) => formatSummary(s, ctx.io.style));
  if (load.interrupted && ctx.signal.aborted) {
    throw new InterruptedError(`Benchmark interrupted: the results above cover the ${summary.completed + summary.failed} requests that finished.`);
  }
  if (summary.completed === 0 && summary.failed > 0) {
    throw new UserError(`Every request failed (${summary.failed}).`, {
      exitCode: ExitCode.failed,
      details: Object.entries(summary.errors).map(([m, n]) => `${n} × ${m}`),
      fix: ['Is the model ready? kindling status', 'See its logs: kindling model logs MODEL'],
    });
  }
  return summary;
}

async function writeOutput(path: string, content: string, flag: string): Promise<void> {
  try {
    await writeFile(resolve(path), content);
  } catch (error) {
    throw new UserError(`Cannot write ${flag} ${path}: ${(error as Error).message}.`, { fix: 'Pick a path in a writable directory.' });
  }
}
