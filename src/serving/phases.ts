/**
 * Start-up phases of a vLLM pod, from what Kubernetes and vLLM say: pod conditions and events
 * (Scheduled, Pulling, Pulled, Started), and vLLM's log lines (weights download, load,
 * torch.compile, CUDA graphs, API server). Pure functions: `parseVllmLogLine` turns one log line
 * into a signal, `PhaseTracker` turns timed signals into phases with durations, and
 * `renderPhaseSummary` prints the table `deploy` (and `up`) end with.
 */
import { formatDuration } from '../core/style.js';

export type PhaseId = 'schedule' | 'image' | 'start' | 'download' | 'load' | 'compile' | 'graphs' | 'serve';

export const PHASE_TITLES: Record<PhaseId, string> = {
  schedule: 'scheduled',
  image: 'image pull',
  start: 'container start',
  download: 'weights download',
  load: 'weights load',
  compile: 'torch.compile',
  graphs: 'KV cache + CUDA graphs',
  serve: 'API server ready',
};

const ORDER: PhaseId[] = ['schedule', 'image', 'start', 'download', 'load', 'compile', 'graphs', 'serve'];

/** What one observation means for the start-up timeline. */
export type Signal =
  | { type: 'scheduled'; node?: string }
  | { type: 'pulling'; image?: string }
  | { type: 'pulled'; bytes?: number; took?: string; cached: boolean }
  | { type: 'container-started' }
  | { type: 'load-start' }
  | { type: 'download-progress'; file?: string; percent: number; done?: string; total?: string }
  | { type: 'download-done'; seconds?: number }
  | { type: 'load-done'; seconds?: number; gib?: number }
  | { type: 'compile'; cached?: boolean }
  | { type: 'compile-done'; seconds?: number }
  | { type: 'kv-cache'; tokens: number }
  | { type: 'graphs'; percent?: number }
  | { type: 'graphs-done'; seconds?: number; gib?: number }
  | { type: 'server-up' }
  | { type: 'ready' }
  | { type: 'version'; version: string };

export interface TimedSignal {
  /** Epoch ms. */
  at: number;
  signal: Signal;
}

// ---------------------------------------------------------------------------------------------
// vLLM log lines

/** `2026-03-22T12:23:49.123456789Z ` — the kubelet's prefix with `timestamps=true`. */
const KUBELET_TS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))\s/;
/** `(APIServer pid=1) (EngineCore_DP0 pid=283) (Worker_TP5 pid=299) ` — process prefixes of vLLM ≥ 0.10. */
const PROCESS_PREFIX = /^(?:\([A-Za-z0-9_ ]+ pid=\d+\)\s*)+/;
/** `INFO 03-22 12:23:49 [weight_utils.py:273] ` (vLLM ≥ 0.8) or `INFO 02-07 19:23:56 gpu_model_runner.py:867] `. */
const LEVEL_PREFIX = /^(DEBUG|INFO|WARNING|ERROR|CRITICAL)\s+\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?\s+(?:\[[^\]]+\]|[\w.]+:\d+\])\s*/;

export interface LogLine {
  /** Kubelet timestamp (epoch ms) when the line had one. */
  at?: number;
  level?: string;
  /** The message without timestamp, process and level prefixes. */
  message: string;
}

/** Splits a (kubelet-timestamped) log line into time, level and message. */
export function splitLogLine(raw: string): LogLine {
  let text = raw.replace(/\r$/, '');
  let at: number | undefined;
  const ts = KUBELET_TS.exec(text);
  if (ts?.[1]) {
    at = Date.parse(ts[1]);
    text = text.slice(ts[0].length);
  }
  // tqdm redraws with \r: the last state is what matters.
  if (text.includes('\r')) text = text.split('\r').filter((p) => p.trim() !== '').pop() ?? '';
  text = text.replace(PROCESS_PREFIX, '');
  const level = LEVEL_PREFIX.exec(text);
  if (level) text = text.slice(level[0].length);
  return { ...(at !== undefined ? { at } : {}), ...(level?.[1] ? { level: level[1] } : {}), message: text.trim() };
}

const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s.replace(/,/g, '')));

/** What a vLLM log line says about start-up, or undefined for the many lines that say nothing. */
export function parseVllmLogLine(raw: string): Signal | undefined {
  const { message: m } = splitLogLine(raw);
  if (m === '') return undefined;
  let r: RegExpExecArray | null;
  if ((r = /vLLM API server version (\S+)/.exec(m))) return { type: 'version', version: r[1] ?? '' };
  if (/Starting to load model /.test(m)) return { type: 'load-start' };
  // huggingface_hub's tqdm bars: `model-00001-of-00002.safetensors:  45%|████▌  | 2.25G/5.00G [00:56<01:10, 39.1MB/s]`
  if ((r = /^(\S+?(?:\.safetensors|\.bin|\.pt|\.pth|\(…\)))\s*:\s+(\d{1,3})%\|[^|]*\|\s*([\d.]+[kMGT]?B?)\/([\d.]+[kMGT]?B?)/.exec(m))) {
    return { type: 'download-progress', ...(r[1] ? { file: r[1] } : {}), percent: Number(r[2]), ...(r[3] ? { done: r[3] } : {}), ...(r[4] ? { total: r[4] } : {}) };
  }
  // `Fetching 4 files:  50%|█████     | 2/4 [00:30<00:30, ...]` (snapshot_download) and ModelScope's `Downloading [model.safetensors]: 45%|...`
  if ((r = /^(?:Fetching \d+ files|Downloading(?: \[[^\]]+\])?)\s*:\s+(\d{1,3})%/.exec(m))) {
    return { type: 'download-progress', percent: Number(r[1]) };
  }
  if ((r = /Time spent downloading weights for .*?: ([\d.]+) seconds/.exec(m))) return { type: 'download-done', seconds: num(r[1]) };
  if ((r = /Loading weights took ([\d.]+) seconds/.exec(m))) return { type: 'load-done', seconds: num(r[1]) };
  if ((r = /Model loading took ([\d.]+) (?:GB|GiB)(?: memory)? and ([\d.]+) seconds/.exec(m))) {
    return { type: 'load-done', gib: num(r[1]), seconds: num(r[2]) };
  }
  if ((r = /torch\.compile takes ([\d.]+) s in total/.exec(m))) return { type: 'compile-done', seconds: num(r[1]) };
  if (/Directly load the compiled graph|Loading compiled graph|from the cache, took/.test(m)) return { type: 'compile', cached: true };
  if (/Dynamo bytecode transform time|for vLLM's torch\.compile|Compiling a graph for/.test(m)) return { type: 'compile' };
  if ((r = /GPU KV cache size: ([\d,]+) tokens/.exec(m))) return { type: 'kv-cache', tokens: num(r[1]) ?? 0 };
  if ((r = /Graph capturing finished in ([\d.]+) secs?(?:, took ([\d.]+) GiB)?/.exec(m))) {
    return { type: 'graphs-done', seconds: num(r[1]), ...(r[2] ? { gib: num(r[2]) } : {}) };
  }
  if ((r = /^Capturing CUDA graphs?[^:]*:\s+(\d{1,3})%/.exec(m))) return { type: 'graphs', percent: Number(r[1]) };
  if (/Capturing cudagraphs? for decoding|Capturing the model for CUDA graphs/.test(m)) return { type: 'graphs' };
  if (/Starting vLLM API server|Application startup complete/.test(m)) return { type: 'server-up' };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes events

export interface EventLike {
  reason?: string;
  message?: string;
  type?: string;
  /** Epoch ms (lastTimestamp / eventTime / firstTimestamp). */
  at?: number;
}

/** `Successfully pulled image "x" in 2m37.23s (2m37.23s including waiting). Image size: 8741852378 bytes.` */
export function parsePodEvent(event: EventLike): Signal | undefined {
  const msg = event.message ?? '';
  switch (event.reason) {
    case 'Scheduled': {
      const node = / to (\S+?)\.?$/.exec(msg)?.[1];
      return { type: 'scheduled', ...(node ? { node } : {}) };
    }
    case 'Pulling': {
      const image = /image "([^"]+)"/.exec(msg)?.[1];
      return { type: 'pulling', ...(image ? { image } : {}) };
    }
    case 'Pulled': {
      if (/already present on machine/.test(msg)) return { type: 'pulled', cached: true };
      const bytes = /Image size: (\d+) bytes/.exec(msg)?.[1];
      const took = / in ([\dhms.]+)/.exec(msg)?.[1];
      return { type: 'pulled', cached: false, ...(bytes ? { bytes: Number(bytes) } : {}), ...(took ? { took } : {}) };
    }
    case 'Started':
      return { type: 'container-started' };
    default:
      return undefined;
  }
}

const SIGNAL_RANK: Record<Signal['type'], number> = {
  scheduled: 0,
  pulling: 1,
  pulled: 2,
  'container-started': 3,
  version: 4,
  'load-start': 5,
  'download-progress': 6,
  'download-done': 7,
  'load-done': 8,
  compile: 9,
  'compile-done': 10,
  'kv-cache': 11,
  graphs: 12,
  'graphs-done': 13,
  'server-up': 14,
  ready: 15,
};

/** Orders signals by time, and signals of the same time (events have 1 s resolution) by their place in start-up. */
export function compareSignals(a: TimedSignal, b: TimedSignal): number {
  return a.at - b.at || SIGNAL_RANK[a.signal.type] - SIGNAL_RANK[b.signal.type];
}

// ---------------------------------------------------------------------------------------------
// The tracker

export interface PhaseRecord {
  id: PhaseId;
  title: string;
  start: number;
  end?: number;
  detail?: string;
  /** Shown but not timed (e.g. "image already on the node"). */
  skipped?: boolean;
}

export interface PhaseSummary {
  phases: Array<{ id: PhaseId; title: string; durationMs: number | null; detail?: string; skipped?: boolean }>;
  totalMs: number | null;
  ready: boolean;
  facts: { node?: string; imageBytes?: number; kvCacheTokens?: number; vllmVersion?: string; weightsGiB?: number; downloaded: boolean };
}

/**
 * Folds timed signals into phases. A phase runs from its first signal to the start of the next
 * phase; signals out of order (a late event) never move the timeline backwards.
 */
export class PhaseTracker {
  readonly records: PhaseRecord[] = [];
  readonly facts: PhaseSummary['facts'] = { downloaded: false };
  private readyAt: number | undefined;
  private downloadPercent: string | undefined;
  private graphsPercent: number | undefined;

  constructor(readonly createdAt: number) {}

  get current(): PhaseRecord | undefined {
    return this.records[this.records.length - 1];
  }

  get ready(): boolean {
    return this.readyAt !== undefined;
  }

  private has(id: PhaseId): PhaseRecord | undefined {
    return this.records.find((r) => r.id === id);
  }

  private enter(id: PhaseId, at: number, detail?: string): PhaseRecord {
    const existing = this.has(id);
    if (existing) {
      if (detail !== undefined) existing.detail = detail;
      return existing;
    }
    const cur = this.current;
    // Never go back to an earlier phase (a stale event); later phases may be skipped.
    if (cur && ORDER.indexOf(id) < ORDER.indexOf(cur.id)) {
      const placeholder: PhaseRecord = { id, title: PHASE_TITLES[id], start: at, end: at, ...(detail ? { detail } : {}) };
      return placeholder;
    }
    // Phases are contiguous: a phase that ended explicitly (vLLM's "took" line) hands over at its end.
    const start = cur?.end !== undefined && cur.end <= at ? cur.end : Math.max(at, cur?.start ?? this.createdAt);
    if (cur && cur.end === undefined) cur.end = start;
    const rec: PhaseRecord = { id, title: PHASE_TITLES[id], start, ...(detail !== undefined ? { detail } : {}) };
    this.records.push(rec);
    return rec;
  }

  observe({ at, signal: s }: TimedSignal): void {
    if (this.readyAt !== undefined) return;
    switch (s.type) {
      case 'scheduled':
        if (s.node) this.facts.node = s.node;
        this.enter('schedule', this.createdAt, s.node ? `on ${s.node}` : undefined).end = Math.max(at, this.createdAt);
        // Everything after scheduling until the container starts is the image phase.
        this.enter('image', at);
        break;
      case 'pulling':
        this.enter('image', at, s.image ? `pulling ${s.image}` : 'pulling');
        break;
      case 'pulled': {
        const rec = this.enter('image', at);
        if (s.cached) {
          if (!rec.detail?.startsWith('pulling')) rec.detail = 'already on the node';
        } else {
          if (s.bytes !== undefined) this.facts.imageBytes = s.bytes;
          rec.detail = `pulled${s.bytes !== undefined ? ` ${formatBytes(s.bytes)}` : ''}${s.took ? ` in ${s.took}` : ''}`;
        }
        break;
      }
      case 'container-started':
        this.enter('start', at, 'Python, CUDA and engine start');
        break;
      case 'version':
        this.facts.vllmVersion = s.version;
        this.enter('start', at);
        break;
      case 'load-start':
        this.enter('load', at);
        break;
      case 'download-progress': {
        this.facts.downloaded = true;
        const cur = this.current;
        // A download shows up after "Starting to load model": that time was the download's.
        if (cur?.id === 'load' && !this.has('download')) {
          cur.id = 'download';
          cur.title = PHASE_TITLES.download;
        }
        const what = s.file ? `${s.file} ` : '';
        const amount = s.done && s.total ? ` (${s.done}/${s.total})` : '';
        this.downloadPercent = `${what}${s.percent}%${amount}`;
        this.enter('download', at, this.downloadPercent);
        break;
      }
      case 'download-done': {
        this.facts.downloaded = true;
        const cur = this.current;
        if (cur?.id === 'load' && !this.has('download')) {
          cur.id = 'download';
          cur.title = PHASE_TITLES.download;
        }
        const rec = this.enter('download', at);
        rec.detail = s.seconds !== undefined ? `vLLM: ${s.seconds.toFixed(s.seconds < 10 ? 1 : 0)} s` : 'done';
        this.enter('load', at);
        break;
      }
      case 'load-done': {
        const rec = this.enter('load', at);
        if (s.gib !== undefined) {
          this.facts.weightsGiB = s.gib;
          rec.detail = `${s.gib} GiB on the GPU${this.facts.downloaded ? '' : ' (weights from the cache)'}`;
        }
        if (rec.end === undefined || rec.end < at) rec.end = at;
        break;
      }
      case 'compile':
        this.enter('compile', at, s.cached ? 'from the compile cache' : undefined);
        break;
      case 'compile-done': {
        const rec = this.enter('compile', at);
        if (s.seconds !== undefined && !rec.detail) rec.detail = `vLLM: ${s.seconds} s`;
        this.enter('graphs', at);
        break;
      }
      case 'kv-cache':
        this.facts.kvCacheTokens = s.tokens;
        this.enter('graphs', at, `KV cache ${s.tokens.toLocaleString('en-US')} tokens`);
        break;
      case 'graphs': {
        if (s.percent !== undefined) this.graphsPercent = s.percent;
        const rec = this.enter('graphs', at);
        if (this.graphsPercent !== undefined) rec.detail = `capturing ${this.graphsPercent}%`;
        break;
      }
      case 'graphs-done': {
        const rec = this.enter('graphs', at);
        const kv = this.facts.kvCacheTokens !== undefined ? `KV cache ${this.facts.kvCacheTokens.toLocaleString('en-US')} tokens, ` : '';
        rec.detail = `${kv}graphs ${s.seconds ?? '?'} s${s.gib !== undefined ? ` / ${s.gib} GiB` : ''}`;
        break;
      }
      case 'server-up':
        this.enter('serve', at, 'waiting for the readiness probe');
        break;
      case 'ready': {
        const rec = this.enter('serve', at);
        rec.detail = 'ready';
        rec.end = Math.max(at, rec.start);
        this.readyAt = rec.end;
        break;
      }
    }
  }

  /** A one-line description of where start-up is now (for the live step line). */
  describe(now: number): string {
    const cur = this.current;
    if (!cur) return 'waiting for the pod to be scheduled';
    const elapsed = formatDuration(now - cur.start);
    return `${cur.title}${cur.detail ? ` · ${cur.detail}` : ''} (${elapsed})`;
  }

  summary(now?: number): PhaseSummary {
    const endOf = (r: PhaseRecord): number | undefined => r.end ?? now;
    const phases = this.records.map((r) => {
      const end = endOf(r);
      return {
        id: r.id,
        title: r.title,
        durationMs: end === undefined ? null : Math.max(0, end - r.start),
        ...(r.detail ? { detail: r.detail } : {}),
      };
    });
    // Phases vLLM skipped on a warm start are listed so the reader sees why it was fast.
    if (this.records.some((r) => ORDER.indexOf(r.id) > ORDER.indexOf('download')) && !this.has('download')) {
      const at = phases.findIndex((p) => ORDER.indexOf(p.id) > ORDER.indexOf('download'));
      phases.splice(at, 0, { id: 'download', title: PHASE_TITLES.download, durationMs: null, detail: 'none: weights in the cache', skipped: true } as (typeof phases)[number]);
    }
    const last = this.readyAt ?? now;
    return {
      phases,
      totalMs: last === undefined ? null : Math.max(0, last - this.createdAt),
      ready: this.ready,
      facts: { ...this.facts },
    };
  }
}

/** The phase table: one row per phase with its duration and detail, then the total. */
export function renderPhaseSummary(summary: PhaseSummary, title = 'Start-up'): string {
  const rows = summary.phases.map((p) => [p.title, p.durationMs === null ? '—' : formatDuration(p.durationMs), p.detail ?? '']);
  rows.push([summary.ready ? 'total (to ready)' : 'total (not ready)', summary.totalMs === null ? '—' : formatDuration(summary.totalMs), '']);
  const w0 = Math.max(5, ...rows.map((r) => r[0]?.length ?? 0));
  const w1 = Math.max(4, ...rows.map((r) => r[1]?.length ?? 0));
  const line = (r: string[]) => `  ${(r[0] ?? '').padEnd(w0)}  ${(r[1] ?? '').padStart(w1)}  ${r[2] ?? ''}`.trimEnd();
  const out = [`${title}:`, line(['phase', 'took', 'detail']), ...rows.slice(0, -1).map(line), `  ${'-'.repeat(w0 + w1 + 2)}`, line(rows[rows.length - 1] ?? [])];
  return `${out.join('\n')}\n`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 || i === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}
