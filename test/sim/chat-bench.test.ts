/**
 * The built CLI (`node bin/kindling.js chat|bench`, after `npm run build`) against the fake vLLM
 * server: streamed answers, reasoning apart, errors without stack traces, bench results equal to
 * the server's truth, and the HTML report rendered in a real headless browser.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { BenchSummary } from '../../src/client/bench-summary.js';
import { startFakeVllm, type FakeVllm, type FakeVllmOptions } from '../helpers/fake-vllm.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cliBin = join(repoRoot, 'bin', 'kindling.js');
const work = mkdtempSync(join(tmpdir(), 'kindling-chat-bench-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kindling(args: string[], options: { stdin?: string; env?: Record<string, string>; interruptAfterMs?: number } = {}): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cliBin, ...args], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', HOME: work, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    if (options.interruptAfterMs !== undefined) setTimeout(() => child.kill('SIGINT'), options.interruptAfterMs);
    if (options.stdin !== undefined) child.stdin.end(options.stdin);
    else if (options.interruptAfterMs === undefined) child.stdin.end();
  });
}

let server: FakeVllm | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
async function fake(options: FakeVllmOptions = {}): Promise<FakeVllm> {
  server = await startFakeVllm(options);
  return server;
}

function noStackTrace(run: Run) {
  expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(run.stderr).not.toMatch(/Internal error/);
}

describe('kindling chat (built CLI)', () => {
  it('-p streams the answer to stdout and the reasoning to stderr when piped', async () => {
    const s = await fake({ model: 'Qwen/Qwen3-0.6B', reasoning: 'reasoning_content', reasoningTokens: 3, reasoningText: 'I will greet', tokens: 4, text: 'Hello, how are you?', itlMs: 2 });
    const run = await kindling(['chat', '--endpoint', s.url, '-p', 'Hi']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Hello, how are you?\n');
    expect(run.stderr).toContain('I will greet');
    expect(s.stats.lastBody).toMatchObject({ model: 'Qwen/Qwen3-0.6B', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
  });

  it('<think> in content is shown apart; --no-reasoning hides it', async () => {
    const s = await fake({ reasoning: 'think', reasoningTokens: 2, reasoningText: 'secret plan', tokens: 2, text: 'Sure thing' });
    const shown = await kindling(['chat', '--endpoint', `${s.url}/v1`, '-p', 'Hi']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe('Sure thing\n');
    expect(shown.stderr).toContain('secret plan');
    const hidden = await kindling(['chat', '--endpoint', s.url, '-p', 'Hi', '--no-reasoning']);
    expect(hidden.stdout).toBe('Sure thing\n');
    expect(hidden.stderr).not.toContain('secret plan');
  });

  it('--json prints one JSON document', async () => {
    const s = await fake({ tokens: 3, text: 'one two three' });
    const run = await kindling(['chat', '--endpoint', s.url, '-p', 'count', '--json', '--max-tokens', '3']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ model: 'fake/model', content: 'one two three', finish_reason: 'length', usage: { completion_tokens: 3 } });
  });

  it('an interactive session over piped stdin keeps the conversation', async () => {
    const s = await fake({ tokens: 2, text: 'ok sure' });
    const run = await kindling(['chat', '--endpoint', s.url, '--system', 'Be brief.'], { stdin: 'first\nsecond\n/reset\nthird\n/exit\n' });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('ok sure\nok sure\nok sure\n');
    expect(s.stats.records).toHaveLength(3);
    expect((s.stats.lastBody?.messages ?? []).map((m) => m.content)).toEqual(['Be brief.', 'third']);
  });

  it('errors: the server message with its status, unknown model, refused connection — no stack trace', async () => {
    const s = await fake({ models: ['qwen'], maxModelLen: 10 });
    const tooLong = await kindling(['chat', '--endpoint', s.url, '-p', 'Hi', '--max-tokens', '50']);
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/HTTP 400: This model's maximum context length is 10 tokens/);
    noStackTrace(tooLong);
    const unknown = await kindling(['chat', 'llama', '--endpoint', s.url, '-p', 'Hi']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown model 'llama'");
    expect(unknown.stderr).toContain("serves 'qwen'");
    noStackTrace(unknown);
    s.setLoading(true);
    const loading = await kindling(['chat', '--endpoint', s.url, '-p', 'Hi']);
    expect(loading.code).toBe(1);
    expect(loading.stderr).toMatch(/not ready \(HTTP 503: The model is still loading\.\)/);
    expect(loading.stderr).toContain('kindling status');
    const url = s.url;
    await s.close();
    server = undefined;
    const refused = await kindling(['chat', '--endpoint', url, '-p', 'Hi']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Cannot connect to ${url} (connection refused).`);
    expect(refused.stderr).toContain('Is the model ready? kindling status');
    noStackTrace(refused);
  });

  it('without --endpoint and no cluster: the error says how to pass --endpoint', async () => {
    const run = await kindling(['chat', '-p', 'Hi'], { env: { KUBECONFIG: join(work, 'no-such-kubeconfig') } });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/--endpoint http:\/\/HOST:PORT/);
    noStackTrace(run);
  });

  it('the API key is sent but never printed, even with --verbose and an error', async () => {
    const key = 'sk-kindling-secret-0123456789';
    const s = await fake({ apiKey: key, failEvery: { n: 1, failure: { kind: 'http', status: 500, message: `bad key ${key}` } } });
    const run = await kindling(['chat', '--endpoint', s.url, '-p', 'Hi', '--api-key-env', 'MY_KEY', '--verbose'], { env: { MY_KEY: key } });
    expect(run.code).toBe(1);
    expect(s.stats.lastHeaders?.authorization).toBe(`Bearer ${key}`);
    expect(run.stdout + run.stderr).not.toContain(key);
    expect(run.stderr).toContain('bad key ***');
  });

  it('Ctrl-C stops the answer and exits 130', async () => {
    const s = await fake({ tokens: 500, itlMs: 10 });
    const run = await kindling(['chat', '--endpoint', s.url, '-p', 'long story'], { interruptAfterMs: 1500 });
    expect(run.code).toBe(130);
    expect(run.stdout.length).toBeGreaterThan(0);
    noStackTrace(run);
  });
});

describe('kindling bench (built CLI)', () => {
  it('--json has vLLM benchmark_serving keys and equals the server truth; --out has one line per request', async () => {
    const s = await fake({ ttftMs: 20, itlMs: 4, failure: ({ index }) => (index % 10 === 4 ? { kind: 'drop', afterTokens: 3 } : undefined) });
    const out = join(work, 'requests.jsonl');
    const run = await kindling(['bench', '--endpoint', s.url, '-n', '40', '-c', '4', '--input-len', '32', '--output-len', '16', '--json', '--out', out, '--slo', 'ttft=1s']);
    expect(run.code).toBe(0);
    const r = JSON.parse(run.stdout) as BenchSummary;
    // The warm-up request (index 0 on the server) is not measured.
    const measured = s.stats.records.slice(1);
    const okTruth = measured.filter((x) => x.outcome === 'ok');
    expect(r.completed).toBe(okTruth.length);
    expect(r.failed).toBe(measured.length - okTruth.length);
    expect(r.failed).toBe(4);
    expect(r.total_input_tokens).toBe(okTruth.reduce((a, x) => a + x.promptTokens, 0));
    expect(r.total_output_tokens).toBe(okTruth.length * 16);
    expect(r.max_concurrency).toBe(4);
    expect(r.request_rate).toBe('inf');
    for (const m of ['ttft', 'tpot', 'itl', 'e2el']) for (const k of ['mean', 'median', 'std', 'p90', 'p99']) expect(typeof (r as unknown as Record<string, unknown>)[`${k}_${m}_ms`]).toBe('number');
    // Latencies: never below the server's actual timing, and close to it (the median, so that a stall
    // of this busy test host cannot decide it).
    const truthTtft = okTruth.reduce((a, x) => a + x.ttftMs!, 0) / okTruth.length;
    const truthSorted = okTruth.map((x) => x.ttftMs!).sort((a, b) => a - b);
    const truthMedian = (truthSorted[(truthSorted.length - 1) >> 1]! + truthSorted[truthSorted.length >> 1]!) / 2;
    expect(r.mean_ttft_ms).toBeGreaterThanOrEqual(truthTtft - 0.5);
    expect(r.median_ttft_ms - truthMedian).toBeLessThan(5 + r.event_loop_delay_p99_ms);
    expect(Math.abs(r.mean_tpot_ms - 4)).toBeLessThan(1.5);
    expect(r.request_goodput!).toBeCloseTo(r.request_throughput, 6);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { success: boolean; error: string | null });
    expect(lines).toHaveLength(40);
    expect(lines.filter((l) => !l.success).map((l) => l.error)).toEqual(Array(4).fill('the server closed the connection mid-response'));
    expect(run.stderr).toContain('Benchmarking fake/model');
    expect(run.stderr).toContain(`40 requests to fake/model at ${s.url}, 4 in flight.`);
  });

  it('the human summary reads like benchmark_serving', async () => {
    const s = await fake({});
    const run = await kindling(['bench', '--endpoint', s.url, '-n', '10', '-c', '2', '--output-len', '4']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/=+ Serving Benchmark Result =+\nSuccessful requests:\s+10\nFailed requests:\s+0\nMaximum request concurrency:\s+2/);
    expect(run.stdout).toMatch(/Mean TTFT \(ms\):[\s\S]*P99 E2EL \(ms\):/);
  });

  it('open loop: the arrival rate matches --rate (seeded, tolerant)', async () => {
    const s = await fake({ ttftMs: 2, itlMs: 1 });
    const run = await kindling(['bench', '--endpoint', s.url, '-n', '150', '--rate', '50', '--burstiness', '1', '--seed', '3', '--output-len', '4', '--json', '--warmup', '0']);
    expect(run.code).toBe(0);
    const arrivals = s.stats.arrivals;
    expect(arrivals).toHaveLength(150);
    const rate = (arrivals.length - 1) / ((arrivals[arrivals.length - 1]! - arrivals[0]!) / 1000);
    expect(rate).toBeGreaterThan(50 * 0.75);
    expect(rate).toBeLessThan(50 * 1.25);
    expect(JSON.parse(run.stdout)).toMatchObject({ request_rate: 50, burstiness: 1, max_concurrency: null, completed: 150 });
  });

  it('bad flags are usage errors', async () => {
    const a = await kindling(['bench', '--endpoint', 'http://127.0.0.1:9', '--burstiness', '2']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('--burstiness needs --rate');
    const b = await kindling(['bench', '--endpoint', 'http://127.0.0.1:9', '-c', '0']);
    expect(b.code).toBe(2);
    const c = await kindling(['bench', '--endpoint', 'http://127.0.0.1:9', '--slo', 'speed=fast']);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain("Invalid --slo 'speed=fast'");
  });

  const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find((b) => spawnSync('which', [b]).status === 0);
  it.skipIf(!chromium)(
    chromium ? '--report renders in a real headless browser' : '--report renders in a real headless browser — SKIPPED: no chromium on PATH (apt-get install -y chromium)',
    async () => {
    const s = await fake({ ttftMs: 15, itlMs: 3, failure: ({ index }) => (index % 25 === 7 ? { kind: 'http', status: 500, message: 'CUDA out of memory' } : undefined) });
    const report = join(work, 'report.html');
    const run = await kindling(['bench', '--endpoint', s.url, '-n', '120', '-c', '8', '--output-len', '24', '--report', report, '--slo', 'ttft=40ms']);
    expect(run.code).toBe(0);
    const browser = (extra: string[]) =>
      spawnSync(
        chromium!,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
          `--user-data-dir=${mkdtempSync(join(tmpdir(), 'kindling-chromium-'))}`,
          '--hide-scrollbars',
          '--window-size=1280,2400',
          ...extra,
          `file://${report}`,
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
    const dom = browser(['--dump-dom']);
    expect(dom.status).toBe(0);
    for (const id of ['chart-throughput', 'chart-ttft', 'chart-tpot', 'chart-itl', 'chart-e2el', 'chart-requests']) {
      expect(dom.stdout).toContain(`<svg id="${id}"`);
    }
    expect(dom.stdout).toContain('CUDA out of memory');
    const png = join(work, 'report.png');
    const shot = browser([`--screenshot=${png}`]);
    expect(shot.status).toBe(0);
    expect(existsSync(png)).toBe(true);
    expect(statSync(png).size).toBeGreaterThan(50_000);
    writeFileSync(join(work, 'report-path.txt'), png);
    },
  );
  if (!chromium) console.warn('chat-bench: skipping the headless-browser report test: no chromium (apt-get install -y chromium)');
});
