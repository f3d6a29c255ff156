import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePodEvent, parseVllmLogLine, PhaseTracker, renderPhaseSummary, splitLogLine, type Signal } from '../../../src/serving/phases.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'vllm', name), 'utf8');
const lines = (name: string) => fixture(name).split('\n');

/** Adds the kubelet's `timestamps=true` prefix derived from the line's own `MM-DD HH:MM:SS` (2025, UTC). */
function withKubeletTimestamps(text: string): string[] {
  let last = '';
  return text.split('\n').map((l) => {
    const m = /(\d{2})-(\d{2}) (\d{2}:\d{2}:\d{2})/.exec(l);
    if (m) last = `2025-${m[1]}-${m[2]}T${m[3]}.000000000Z`;
    return last ? `${last} ${l}` : l;
  });
}
const T = (hms: string) => Date.parse(`2025-03-22T${hms}Z`);

describe('vLLM log lines', () => {
  it('classifies every phase line of the seed start-up log (v0.8.1)', () => {
    const signals = lines('seed-v0.8.1-cold.log')
      .map(parseVllmLogLine)
      .filter((s): s is Signal => s !== undefined);
    expect(signals).toEqual([
      { type: 'version', version: '0.8.1' },
      { type: 'load-start' },
      { type: 'download-done', seconds: 508.576789 },
      { type: 'load-done', seconds: 0.56 },
      { type: 'load-done', gib: 3.3465, seconds: 509.679959 },
      { type: 'compile' },
      { type: 'compile' },
      { type: 'compile' },
      { type: 'compile-done', seconds: 28.11 },
      { type: 'kv-cache', tokens: 525520 },
      { type: 'graphs-done', seconds: 21, gib: 0.45 },
      { type: 'server-up' },
      { type: 'server-up' },
    ]);
  });

  it('reads newer vLLM lines with (Worker_TP0 pid=…) and (APIServer …)(EngineCore …) prefixes', () => {
    expect(lines('v0.1x-worker-prefixed.log').map(parseVllmLogLine).filter(Boolean)).toEqual([
      { type: 'load-done', seconds: 1.59 },
      { type: 'load-done', gib: 9.01, seconds: 18.238643 },
      { type: 'download-done', seconds: 176.288637 },
      { type: 'load-done', seconds: 9.93 },
    ]);
  });

  it('reads huggingface_hub download bars (percent, file, sizes), also behind \\r redraws', () => {
    const s = lines('hf-download-tqdm.log').map(parseVllmLogLine).filter(Boolean);
    expect(s[0]).toEqual({ type: 'load-start' });
    expect(s[1]).toEqual({ type: 'download-progress', file: 'model-00002-of-00002.safetensors', percent: 100, done: '1.75G', total: '1.75G' });
    expect(s[3]).toMatchObject({ type: 'download-progress', file: 'model.safetensors-00008-of-00039.safeten(…)', percent: 100 });
    const redrawn = 'model.safetensors:  10%|█         | 355M/3.55G [00:05<00:45, 70.1MB/s]\rmodel.safetensors:  45%|████▌     | 1.59G/3.55G [00:22<00:27, 71.0MB/s]';
    expect(parseVllmLogLine(redrawn)).toEqual({ type: 'download-progress', file: 'model.safetensors', percent: 45, done: '1.59G', total: '3.55G' });
  });

  it('splits the kubelet timestamp, process prefix and level from the message', () => {
    expect(splitLogLine('2025-03-22T12:23:49.123456789Z (EngineCore_DP0 pid=283) INFO 03-22 12:23:49 [loader.py:429] Loading weights took 0.56 seconds')).toEqual({
      at: Date.parse('2025-03-22T12:23:49.123Z'),
      level: 'INFO',
      message: 'Loading weights took 0.56 seconds',
    });
    expect(splitLogLine('INFO:     Application startup complete.').message).toBe('INFO:     Application startup complete.');
    expect(parseVllmLogLine('INFO:     Application startup complete.')).toEqual({ type: 'server-up' });
    expect(parseVllmLogLine('Capturing CUDA graphs (mixed prompt-decode, PIECEWISE):  45%|████▌     | 30/67 [00:03<00:03, 10.1it/s]')).toEqual({ type: 'graphs', percent: 45 });
    expect(parseVllmLogLine('INFO 03-22 12:15:21 [topk_topp_sampler.py:53] Using FlashInfer for top-p & top-k sampling.')).toBeUndefined();
  });
});

describe('pod events', () => {
  it('reads the kubelet and scheduler event messages', () => {
    expect(parsePodEvent({ reason: 'Scheduled', message: 'Successfully assigned default/deepseek-r1-distill-qwen-1-5b-66dc67d4dc-86b2v to kindling-worker' })).toEqual({ type: 'scheduled', node: 'kindling-worker' });
    expect(parsePodEvent({ reason: 'Pulling', message: 'Pulling image "vllm/vllm-openai:v0.30.0"' })).toEqual({ type: 'pulling', image: 'vllm/vllm-openai:v0.30.0' });
    expect(parsePodEvent({ reason: 'Pulled', message: 'Successfully pulled image "vllm/vllm-openai:v0.30.0" in 2m37.23s (2m37.23s including waiting). Image size: 8741852378 bytes.' })).toEqual({
      type: 'pulled',
      cached: false,
      bytes: 8741852378,
      took: '2m37.23s',
    });
    expect(parsePodEvent({ reason: 'Pulled', message: 'Container image "vllm/vllm-openai:v0.30.0" already present on machine' })).toEqual({ type: 'pulled', cached: true });
    expect(parsePodEvent({ reason: 'Started', message: 'Started container vllm' })).toEqual({ type: 'container-started' });
    expect(parsePodEvent({ reason: 'Created', message: 'Created container: vllm' })).toBeUndefined();
  });
});

describe('PhaseTracker', () => {
  function coldStart(): PhaseTracker {
    // Pod created 12:12:00, scheduled at once, image pulled 12:12:01–12:14:38, container started 12:14:40,
    // then the seed's real log (12:14:52 … 12:24:50), Ready at 12:24:55.
    const t = new PhaseTracker(T('12:12:00'));
    t.observe({ at: T('12:12:01'), signal: { type: 'scheduled', node: 'kindling-worker' } });
    t.observe({ at: T('12:12:01'), signal: { type: 'pulling', image: 'vllm/vllm-openai:v0.30.0' } });
    t.observe({ at: T('12:14:38'), signal: { type: 'pulled', cached: false, bytes: 8741852378, took: '2m37.23s' } });
    t.observe({ at: T('12:14:40'), signal: { type: 'container-started' } });
    for (const raw of withKubeletTimestamps(fixture('seed-v0.8.1-cold.log'))) {
      const s = parseVllmLogLine(raw);
      const at = splitLogLine(raw).at;
      if (s && at !== undefined) t.observe({ at, signal: s });
    }
    t.observe({ at: T('12:24:55'), signal: { type: 'ready' } });
    return t;
  }

  it('turns the seed cold start into phases with the right durations', () => {
    const summary = coldStart().summary();
    const took = Object.fromEntries(summary.phases.map((p) => [p.id, p.durationMs === null ? null : p.durationMs / 1000]));
    expect(took).toEqual({
      schedule: 1,
      image: 159,
      start: 40, // 12:14:40 → "Starting to load model" 12:15:20
      download: 509, // 12:15:20 → "Time spent downloading" 12:23:49 (vLLM says 508.6 s)
      load: 1, // 12:23:49 → "Model loading took 3.3465 GB" 12:23:50 (vLLM: 0.56 s)
      compile: 37, // 12:23:50 → "torch.compile takes 28.11 s in total" 12:24:27 (Dynamo starts right after the load)
      graphs: 23, // 12:24:27 → API server 12:24:50
      serve: 5, // → Ready
    });
    expect(summary.totalMs).toBe(T('12:24:55') - T('12:12:00'));
    expect(summary.ready).toBe(true);
    expect(summary.facts).toMatchObject({ node: 'kindling-worker', imageBytes: 8741852378, kvCacheTokens: 525520, vllmVersion: '0.8.1', downloaded: true, weightsGiB: 3.3465 });
    const detail = Object.fromEntries(summary.phases.map((p) => [p.id, p.detail]));
    expect(detail.image).toBe('pulled 8.7 GB in 2m37.23s');
    expect(detail.graphs).toBe('KV cache 525,520 tokens, graphs 21 s / 0.45 GiB');
  });

  it('warm restart: no download phase, shown as skipped', () => {
    const t = new PhaseTracker(T('12:51:00'));
    t.observe({ at: T('12:51:01'), signal: { type: 'scheduled', node: 'kindling-worker' } });
    t.observe({ at: T('12:51:01'), signal: { type: 'pulled', cached: true } });
    t.observe({ at: T('12:51:02'), signal: { type: 'container-started' } });
    for (const raw of withKubeletTimestamps(fixture('seed-v0.8.1-warm.log'))) {
      const s = parseVllmLogLine(raw);
      if (s) t.observe({ at: splitLogLine(raw).at!, signal: s });
    }
    t.observe({ at: T('12:52:35'), signal: { type: 'ready' } });
    const s = t.summary();
    expect(s.facts.downloaded).toBe(false);
    expect(s.phases.find((p) => p.id === 'image')?.detail).toBe('already on the node');
    expect(s.phases.find((p) => p.id === 'download')).toEqual({ id: 'download', title: 'weights download', durationMs: null, detail: 'none: weights in the cache', skipped: true });
    expect(s.phases.find((p) => p.id === 'load')?.detail).toBe('3.3465 GiB on the GPU (weights from the cache)');
  });

  it('a download seen through progress bars turns the open load phase into the download', () => {
    const t = new PhaseTracker(0);
    t.observe({ at: 10, signal: { type: 'load-start' } });
    t.observe({ at: 20, signal: { type: 'download-progress', file: 'model.safetensors', percent: 40, done: '1.4G', total: '3.55G' } });
    expect(t.current?.id).toBe('download');
    expect(t.describe(25)).toBe('weights download · model.safetensors 40% (1.4G/3.55G) (15ms)');
    t.observe({ at: 90, signal: { type: 'download-done', seconds: 80 } });
    t.observe({ at: 95, signal: { type: 'load-done', gib: 3.35 } });
    expect(t.records.map((r) => [r.id, r.start, r.end])).toEqual([
      ['download', 10, 90],
      ['load', 90, 95],
    ]);
  });

  it('never moves back to an earlier phase on a late event', () => {
    const t = new PhaseTracker(0);
    t.observe({ at: 5, signal: { type: 'container-started' } });
    t.observe({ at: 10, signal: { type: 'load-start' } });
    t.observe({ at: 12, signal: { type: 'pulling' } }); // stale
    expect(t.records.map((r) => r.id)).toEqual(['start', 'load']);
  });

  it('renders the summary table', () => {
    const text = renderPhaseSummary(coldStart().summary(), 'Start-up of deepseek-r1-distill-qwen-1-5b');
    expect(text).toBe(
      [
        'Start-up of deepseek-r1-distill-qwen-1-5b:',
        '  phase                     took  detail',
        '  scheduled                 1.0s  on kindling-worker',
        '  image pull               2m39s  pulled 8.7 GB in 2m37.23s',
        '  container start          40.0s  Python, CUDA and engine start',
        '  weights download         8m29s  vLLM: 509 s',
        '  weights load              1.0s  3.3465 GiB on the GPU',
        '  torch.compile            37.0s  vLLM: 28.11 s',
        '  KV cache + CUDA graphs   23.0s  KV cache 525,520 tokens, graphs 21 s / 0.45 GiB',
        '  API server ready          5.0s  ready',
        '  ------------------------------',
        '  total (to ready)        12m55s',
        '',
      ].join('\n'),
    );
  });
});
