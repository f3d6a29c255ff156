#!/usr/bin/env node
/**
 * The bench client's own overhead, measured against the fake vLLM server's timing truth.
 *
 *   node bench/client-overhead.mjs            # prints one line per figure
 *   import { runClientOverheadBench } from './client-overhead.mjs'   # for bench/run.mjs
 *
 * How: the load generator (src/client/loadgen.ts) and the fake OpenAI server
 * (src/client/testing/fake-openai-server.ts, the one the tests use) are bundled from the sources
 * with esbuild into a temp dir (the CLI bundle in dist/ has no stable entry for them). The server
 * runs in a worker thread, so its work does not run on the client's event loop, and records when it
 * actually wrote each first token; the client's TTFT error is its mean TTFT minus the server's mean
 * actual TTFT (request bytes read off the socket → first token written). What remains is the
 * client's send and receive path, the loopback, and — in a closed loop whose requests finish
 * together — the wait of each stream behind the others' chunks of the same burst.
 * On a busy host, the noise of other processes shows as event-loop delay: it is printed beside.
 *
 * Figures:
 *   bench.client.rps_c256                  requests/s at concurrency 256, zero server delays, 16 tokens each
 *   bench.client.ttft_error_ms_c256        mean TTFT error at concurrency 256, zero server delays
 *   bench.client.cpu_us_per_request_c256   the client's event-loop busy time per request in that run
 *   bench.client.event_loop_delay_p99_ms_c256   the client's event-loop delay p99 during that run
 *   bench.client.ttft_error_ms_c64         mean TTFT error at concurrency 64, server TTFT 60 ms (target <= 3)
 *   bench.client.itl_error_ms_c64          mean ITL error in that run (server ITL 5 ms)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles the client and the fake server from src/ into a temp dir; returns the module and a cleanup. */
async function bundleClient() {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'kindling-client-bench-'));
  const outfile = join(dir, 'client.mjs');
  await build({
    stdin: {
      contents: [
        "export { runLoad } from './src/client/loadgen.ts';",
        "export { createPool, parseEndpoint } from './src/client/openai-http.ts';",
        "export { syntheticPrompts } from './src/client/prompts.ts';",
        "export { Random } from './src/client/rng.ts';",
        "export { startFakeVllm } from './src/client/testing/fake-openai-server.ts';",
      ].join('\n'),
      resolveDir: repoRoot,
      sourcefile: 'client-bench-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile,
    logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return { url: pathToFileURL(outfile).href, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The fake server in a worker thread: start(options) → url; truth(skip) → its timing records' means. */
function serverWorker(moduleUrl) {
  const code = `
    const { parentPort } = require('node:worker_threads');
    const { performance } = require('node:perf_hooks');
    let server;
    let elu;
    parentPort.on('message', async (msg) => {
      const m = await import(${JSON.stringify(moduleUrl)});
      if (msg.type === 'start') {
        server = await m.startFakeVllm(msg.options);
        parentPort.postMessage({ url: server.url });
      } else if (msg.type === 'reset') {
        server.resetStats();
        elu = performance.eventLoopUtilization();
        parentPort.postMessage({});
      } else if (msg.type === 'truth') {
        const ok = server.stats.records.slice(msg.skip).filter((r) => r.outcome === 'ok');
        const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
        const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : 0; };
        parentPort.postMessage({
          n: ok.length,
          ttftMs: mean(ok.map((r) => r.ttftMs)),
          ttftMedianMs: median(ok.map((r) => r.ttftMs)),
          itlMs: mean(ok.flatMap((r) => r.itlsMs)),
          elu: elu ? performance.eventLoopUtilization(elu).utilization : 0,
        });
      } else if (msg.type === 'close') {
        await server.close();
        parentPort.postMessage({});
        parentPort.close();
      }
    });`;
  const worker = new Worker(code, { eval: true });
  const call = (msg) =>
    new Promise((resolvePromise, reject) => {
      worker.once('message', resolvePromise);
      worker.once('error', reject);
      worker.postMessage(msg);
    });
  return { call, terminate: () => worker.terminate() };
}

async function scenario(mod, { concurrency, requests, ttftMs, itlMs, outputLen, inputLen }) {
  const worker = serverWorker(mod.__url);
  try {
    const { url } = await worker.call({ type: 'start', options: { ttftMs, itlMs, keepRecords: true } });
    const endpoint = mod.parseEndpoint(url);
    const pool = mod.createPool(endpoint, { connections: concurrency });
    const client = { endpoint, dispatcher: pool };
    const prompts = mod.syntheticPrompts(requests, inputLen, outputLen, new mod.Random(1));
    // Warm the JIT and the connections with a short run first (not measured).
    await mod.runLoad({ client, model: 'fake/model', prompts: prompts.slice(0, Math.min(requests, concurrency * 4)), concurrency });
    await worker.call({ type: 'reset' });
    const { performance } = await import('node:perf_hooks');
    const elu0 = performance.eventLoopUtilization();
    const load = await mod.runLoad({ client, model: 'fake/model', prompts, concurrency });
    const clientElu = performance.eventLoopUtilization(elu0).utilization;
    await pool.destroy();
    const truth = await worker.call({ type: 'truth', skip: 0 });
    const ok = load.results.filter((r) => r.ok);
    const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
    const clientTtft = mean(ok.map((r) => r.ttftMs));
    const sorted = ok.map((r) => r.ttftMs).sort((a, b) => a - b);
    const clientTtftMedian = sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0;
    const clientItl = mean(ok.flatMap((r) => r.itlsMs));
    await worker.call({ type: 'close' });
    return {
      concurrency,
      requests,
      completed: ok.length,
      failed: load.results.length - ok.length,
      durationS: load.durationMs / 1000,
      rps: ok.length / (load.durationMs / 1000),
      clientTtftMs: clientTtft,
      serverTtftMs: truth.ttftMs,
      ttftErrorMs: clientTtft - truth.ttftMs,
      ttftMedianErrorMs: clientTtftMedian - truth.ttftMedianMs,
      clientItlMs: clientItl,
      serverItlMs: truth.itlMs,
      itlErrorMs: clientItl - truth.itlMs,
      eventLoopDelay: load.eventLoopDelay,
      clientElu,
      serverElu: truth.elu,
    };
  } finally {
    await worker.terminate();
  }
}

/**
 * Runs the client-overhead scenarios. Returns `lines` (one per figure, for bench/run.mjs to print),
 * the figures and the raw scenario results; `log`, when given, gets each line as it is known.
 * @param {{ log?: (line: string) => void, requestsC256?: number, requestsC64?: number }} [options]
 * @returns {Promise<{ lines: string[], figures: { name: string, value: number, target?: string, note?: string }[], scenarios: object[] }>}
 */
export async function runClientOverheadBench(options = {}) {
  const lines = [];
  const log = (line) => {
    lines.push(line);
    options.log?.(line);
  };
  const bundle = await bundleClient();
  try {
    const mod = { ...(await import(bundle.url)), __url: bundle.url };
    const c256 = await scenario(mod, { concurrency: 256, requests: options.requestsC256 ?? 20_000, ttftMs: 0, itlMs: 0, outputLen: 16, inputLen: 32 });
    const c64 = await scenario(mod, { concurrency: 64, requests: options.requestsC64 ?? 1_280, ttftMs: 60, itlMs: 5, outputLen: 16, inputLen: 32 });
    const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
    const figures = [
      {
        name: 'bench.client.rps_c256',
        value: round(c256.rps, 0),
        note: `requests/s, 16 tokens each, zero server delays; client loop ${round(c256.clientElu * 100, 0)}% busy, server thread ${round(c256.serverElu * 100, 0)}% busy`,
      },
      {
        name: 'bench.client.ttft_error_ms_c256',
        value: round(c256.ttftErrorMs),
        note: `client ${round(c256.clientTtftMs)} ms vs server ${round(c256.serverTtftMs)} ms; a saturated closed loop queues: about 256 / rps`,
      },
      {
        name: 'bench.client.cpu_us_per_request_c256',
        value: round((c256.clientElu * c256.durationS * 1e6) / c256.completed, 0),
        note: 'client event-loop busy time per request (16 streamed tokens)',
      },
      { name: 'bench.client.event_loop_delay_p99_ms_c256', value: round(c256.eventLoopDelay.p99Ms), note: `max ${round(c256.eventLoopDelay.maxMs)} ms` },
      {
        name: 'bench.client.ttft_error_ms_c64',
        value: round(c64.ttftErrorMs),
        target: '<= 3',
        note: `client ${round(c64.clientTtftMs)} ms vs server ${round(c64.serverTtftMs)} ms (60 ms scheduled); median error ${round(c64.ttftMedianErrorMs)} ms; client event-loop delay p99 ${round(c64.eventLoopDelay.p99Ms)} ms`,
      },
      { name: 'bench.client.itl_error_ms_c64', value: round(c64.itlErrorMs), note: `client ${round(c64.clientItlMs)} ms vs server ${round(c64.serverItlMs)} ms (5 ms scheduled)` },
    ];
    for (const f of figures) log(`${f.name} = ${f.value}${f.target ? ` (target ${f.target})` : ''}${f.note ? `  # ${f.note}` : ''}`);
    if (c256.failed + c64.failed > 0) log(`bench.client.failed_requests = ${c256.failed + c64.failed}`);
    return { lines, figures, scenarios: [c256, c64] };
  } finally {
    bundle.cleanup();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await runClientOverheadBench({ log: (line) => console.log(line) });
}
