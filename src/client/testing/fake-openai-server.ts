/**
 * A fake OpenAI-compatible server that streams the way vLLM does, with known timing.
 *
 * One implementation, used by the unit tests (test/helpers/fake-vllm.ts re-exports it), the sim
 * tests (as the vLLM server behind a fake Kubernetes Service) and bench/client-overhead.mjs (which
 * bundles it with esbuild and runs it in a worker thread).
 *
 * What it does, like vLLM's OpenAI server:
 * - `GET /health` (200 empty body, 503 while loading), `GET /v1/models`;
 * - `POST /v1/chat/completions`, streaming (`stream: true`) or not:
 *   a role-only first chunk (`delta: {role: "assistant", content: ""}`), then one chunk per token
 *   (`reasoning_content` deltas first when reasoning is on, or `<think>…</think>` inside `content`),
 *   `finish_reason` on the last token's chunk, a `usage` chunk (`choices: []`) when
 *   `stream_options.include_usage` is set, then `data: [DONE]`;
 * - errors as vLLM writes them: `{"object":"error","message":…,"type":"BadRequestError","param":null,"code":400}`;
 * - `max_tokens` + `ignore_eos: true` give exactly `max_tokens` output tokens.
 *
 * Timing: the first token is written `ttftMs` after the request's bytes were read off the socket, token i at
 * `ttftMs + i * itlMs` (an absolute schedule: a late timer does not shift the tokens after it; tokens
 * whose time has passed are written together, as a server catching up would). The actual write times
 * are recorded in `stats.records`, the truth a client's measurements are compared against.
 *
 * Prompt tokens are counted as whitespace-separated words of the messages' text, so a prompt of N
 * words is N prompt tokens.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export type FakeReasoningMode = 'none' | 'reasoning_content' | 'reasoning' | 'think';

/** What goes wrong with one request. */
export type FakeFailure =
  /** An HTTP error response with vLLM's error body. */
  | { kind: 'http'; status: number; message?: string; type?: string }
  /** The connection is destroyed after `afterTokens` tokens (0: right after the role chunk). */
  | { kind: 'drop'; afterTokens?: number }
  /** The connection is destroyed before any response. */
  | { kind: 'reset' }
  /** Never answers (until the client gives up or the server closes). */
  | { kind: 'hang' }
  /** An error event inside the stream after `afterTokens` tokens (vLLM's mid-stream error), then [DONE]. */
  | { kind: 'stream-error'; afterTokens?: number; message?: string };

export interface FakeRequestInfo {
  /** 0-based index among chat completion requests. */
  index: number;
  path: string;
  body: ChatRequestBody;
  headers: IncomingMessage['headers'];
}

export interface FakeVllmOptions {
  /** Served model id (the first of `models` when both are given). Default 'fake/model'. */
  model?: string;
  models?: string[];
  /** Time to first token, ms. Default 0. */
  ttftMs?: number;
  /** Gap between tokens, ms. Default 0. */
  itlMs?: number;
  /** Output tokens when `ignore_eos` is not set (capped by max_tokens). Default 8. */
  tokens?: number;
  /** The answer's text; it is split into word tokens and repeated as needed. */
  text?: string;
  /** How reasoning is streamed. Default 'none'. */
  reasoning?: FakeReasoningMode;
  /** Number of reasoning tokens before the answer (when reasoning is on). Default 4. */
  reasoningTokens?: number;
  reasoningText?: string;
  /** When the role-only chunk is written: at once (default, so a client counting it gets TTFT wrong) or with the first token. */
  roleChunk?: 'immediate' | 'with-first-token';
  /** Answer 503 to everything until `setLoading(false)`. */
  loading?: boolean;
  /** Answer 503 for the first `loadingMs` after start. */
  loadingMs?: number;
  /** Require `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** vLLM's max_model_len: prompt + max_tokens above it is a 400, as vLLM does. */
  maxModelLen?: number;
  /** Failure injection: return a failure for a request, or undefined to serve it. */
  failure?: (info: FakeRequestInfo) => FakeFailure | undefined;
  /** Failure injection, declarative: every n-th chat request (n, 2n, …; 1-based) fails so. */
  failEvery?: { n: number; failure: FakeFailure };
  /** Keep per-request records (default true; the bench turns it off for huge runs). */
  keepRecords?: boolean;
  host?: string;
  port?: number;
}

export interface FakeRequestRecord {
  index: number;
  model: string;
  stream: boolean;
  /** performance.now() in the server's thread when the request's last bytes were read off the socket. */
  arrivedAt: number;
  /** Actual write time of the first token (content or reasoning), ms after arrival. */
  ttftMs?: number;
  /** Actual time of the last token's write, ms after arrival. */
  e2eMs?: number;
  /** Actual gaps between token writes, ms. */
  itlsMs: number[];
  promptTokens: number;
  completionTokens: number;
  maxTokens?: number;
  ignoreEos: boolean;
  outcome: 'ok' | 'http-error' | 'dropped' | 'reset' | 'hang' | 'stream-error' | 'client-closed' | 'pending';
}

export interface FakeVllmStats {
  /** All HTTP requests (any path). */
  requests: number;
  chatRequests: number;
  completed: number;
  failed: number;
  inFlight: number;
  maxInFlight: number;
  promptTokens: number;
  completionTokens: number;
  records: FakeRequestRecord[];
  lastBody?: ChatRequestBody;
  lastHeaders?: IncomingMessage['headers'];
  /** performance.now() when each chat request arrived, in order (for arrival-rate checks). */
  arrivals: number[];
}

export interface FakeVllm {
  url: string;
  port: number;
  stats: FakeVllmStats;
  setLoading(loading: boolean): void;
  /** Changes options for later requests (timing, failures, text, …). */
  update(options: Partial<FakeVllmOptions>): void;
  /** Forgets all stats. */
  resetStats(): void;
  close(): Promise<void>;
}

export interface ChatMessage {
  role: string;
  content?: string | Array<{ type?: string; text?: string }> | null;
}

export interface ChatRequestBody {
  model?: string;
  messages?: ChatMessage[];
  max_tokens?: number;
  max_completion_tokens?: number;
  ignore_eos?: boolean;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  temperature?: number;
  [key: string]: unknown;
}

const DEFAULT_TEXT =
  'The quick brown fox jumps over the lazy dog. A fake answer streams one word at a time, like tokens from a model.';
const DEFAULT_REASONING = 'Let me think about this step by step before answering.';

/** Splits text into word tokens that keep their leading space: "a b" → ["a", " b"]. */
export function wordTokens(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

/** Counts prompt tokens the way the fake does: whitespace-separated words of every message. */
export function countPromptTokens(messages: ChatMessage[] | undefined): number {
  let n = 0;
  for (const m of messages ?? []) {
    const parts = typeof m.content === 'string' ? [m.content] : (m.content ?? []).map((p) => p.text ?? '');
    for (const p of parts) n += (p.match(/\S+/g) ?? []).length;
  }
  return n;
}

export async function startFakeVllm(options: FakeVllmOptions = {}): Promise<FakeVllm> {
  let opts: FakeVllmOptions = { ...options };
  const startedAt = performance.now();
  let loading = opts.loading ?? false;
  const stats = emptyStats();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const openResponses = new Set<ServerResponse>();
  let created = Math.floor(Date.now() / 1000);
  let idCounter = 0;

  const models = (): string[] => {
    const list = [...(opts.models ?? [])];
    if (opts.model !== undefined && !list.includes(opts.model)) list.unshift(opts.model);
    return list.length > 0 ? list : ['fake/model'];
  };
  const isLoading = () => loading || (opts.loadingMs !== undefined && performance.now() - startedAt < opts.loadingMs);

  const server: Server = createServer((req, res) => {
    stats.requests++;
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, `fake server bug: ${String(error)}`, 'InternalServerError');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;
  // When each socket last delivered bytes: a request's arrival is when its bytes were read off the
  // socket, before any parsing (so the server's own request handling is on its side of the truth).
  const readAt = new WeakMap<Socket, number>();
  server.on('connection', (socket) => {
    socket.setNoDelay(true);
    socket.prependListener('data', () => readAt.set(socket, performance.now()));
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const raw = await readBody(req);
    if (isLoading()) {
      // vLLM behind a Service/LB while the pod is not ready: 503.
      sendError(res, 503, 'The model is still loading.', 'ServiceUnavailableError');
      return;
    }
    if (req.method === 'GET' && url.pathname === '/health') {
      res.writeHead(200, { 'content-length': '0' }).end();
      return;
    }
    if (opts.apiKey !== undefined && url.pathname.startsWith('/v1/')) {
      if (req.headers.authorization !== `Bearer ${opts.apiKey}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Unauthorized' }));
        return;
      }
    }
    if (req.method === 'GET' && url.pathname === '/v1/models') {
      const data = models().map((id) => ({
        id,
        object: 'model',
        created,
        owned_by: 'vllm',
        root: id,
        parent: null,
        max_model_len: opts.maxModelLen ?? 32768,
        permission: [],
      }));
      sendJson(res, 200, { object: 'list', data });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/v1/chat/completions') {
      let body: ChatRequestBody;
      try {
        body = JSON.parse(raw) as ChatRequestBody;
      } catch {
        sendError(res, 400, 'Invalid JSON body', 'BadRequestError');
        return;
      }
      chat(req, res, body);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: 'Not Found' }));
  }

  function chat(req: IncomingMessage, res: ServerResponse, body: ChatRequestBody): void {
    const arrivedAt = readAt.get(req.socket) ?? performance.now();
    const index = stats.chatRequests++;
    stats.arrivals.push(arrivedAt);
    stats.lastBody = body;
    stats.lastHeaders = req.headers;
    const model = body.model ?? '';
    const promptTokens = countPromptTokens(body.messages);
    const maxTokens = body.max_completion_tokens ?? body.max_tokens;
    const ignoreEos = body.ignore_eos === true;
    const record: FakeRequestRecord = {
      index,
      model,
      stream: body.stream === true,
      arrivedAt,
      itlsMs: [],
      promptTokens,
      completionTokens: 0,
      ...(maxTokens !== undefined ? { maxTokens } : {}),
      ignoreEos,
      outcome: 'pending',
    };
    if (opts.keepRecords !== false) stats.records.push(record);
    const fail = (outcome: FakeRequestRecord['outcome']) => {
      record.outcome = outcome;
      stats.failed++;
    };

    if (!models().includes(model)) {
      fail('http-error');
      sendError(res, 404, `The model \`${model}\` does not exist.`, 'NotFoundError', 'model');
      return;
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      fail('http-error');
      sendError(res, 400, 'messages: at least one message is required', 'BadRequestError');
      return;
    }
    if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1)) {
      fail('http-error');
      sendError(res, 400, `max_tokens must be at least 1, got ${maxTokens}.`, 'BadRequestError');
      return;
    }
    const maxLen = opts.maxModelLen;
    if (maxLen !== undefined && promptTokens + (maxTokens ?? 0) > maxLen) {
      fail('http-error');
      sendError(
        res,
        400,
        `This model's maximum context length is ${maxLen} tokens. However, you requested ${promptTokens + (maxTokens ?? 0)} tokens (${promptTokens} in the messages, ${maxTokens ?? 0} in the completion). Please reduce the length of the messages or completion.`,
        'BadRequestError',
      );
      return;
    }

    const failure =
      opts.failure?.({ index, path: '/v1/chat/completions', body, headers: req.headers }) ??
      (opts.failEvery && (index + 1) % opts.failEvery.n === 0 ? opts.failEvery.failure : undefined);
    if (failure?.kind === 'http') {
      fail('http-error');
      sendError(res, failure.status, failure.message ?? 'Injected failure', failure.type ?? errorType(failure.status));
      return;
    }
    if (failure?.kind === 'reset') {
      fail('reset');
      req.socket.destroy();
      return;
    }
    if (failure?.kind === 'hang') {
      fail('hang');
      openResponses.add(res);
      res.on('close', () => openResponses.delete(res));
      return;
    }

    const tokens = planTokens(opts, maxTokens, ignoreEos);
    const finishReason = maxTokens !== undefined && tokens.length >= maxTokens ? 'length' : 'stop';
    const id = `chatcmpl-${(idCounter++).toString(16).padStart(8, '0')}`;
    const ttft = opts.ttftMs ?? 0;
    const itl = opts.itlMs ?? 0;
    const includeUsage = body.stream_options?.include_usage === true;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let ended = false;
    const end = (outcome: FakeRequestRecord['outcome']) => {
      if (ended) return;
      ended = true;
      stats.inFlight--;
      record.outcome = outcome;
      if (outcome === 'ok') {
        stats.completed++;
        stats.promptTokens += promptTokens;
        stats.completionTokens += record.completionTokens;
      } else stats.failed++;
    };
    res.on('close', () => {
      if (!res.writableFinished) end('client-closed');
    });

    if (body.stream !== true) {
      const t = setTimeout(
        () => {
          timers.delete(t);
          const now = performance.now();
          record.ttftMs = now - arrivedAt;
          record.e2eMs = now - arrivedAt;
          record.completionTokens = tokens.length;
          const reasoning = tokens.filter((x) => x.kind === 'reasoning').map((x) => x.text).join('');
          const content = tokens.filter((x) => x.kind === 'content').map((x) => x.text).join('');
          const message: Record<string, unknown> = { role: 'assistant', content };
          if (reasoning !== '') message.reasoning_content = reasoning;
          end('ok');
          sendJson(res, 200, {
            id,
            object: 'chat.completion',
            created,
            model,
            choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
            usage: { prompt_tokens: promptTokens, total_tokens: promptTokens + tokens.length, completion_tokens: tokens.length },
          });
        },
        ttft + itl * Math.max(0, tokens.length - 1),
      );
      timers.add(t);
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    const chunk = (choices: unknown[], extra?: Record<string, unknown>) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...extra })}\n\n`;
    // Token chunks are built from a fixed head and tail (the same JSON as `chunk` writes, cheaper: a
    // benchmark's fake server must not be the bottleneck).
    const head = `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"choices":[{"index":0,"delta":{`;
    const reasoningKey = JSON.stringify(reasoningField(opts.reasoning));
    const tokenChunk = (kind: PlannedToken['kind'], text: string, finish: string | null) =>
      `${head}${kind === 'reasoning' ? reasoningKey : '"content"'}:${JSON.stringify(text)}},"logprobs":null,"finish_reason":${finish === null ? 'null' : JSON.stringify(finish)}}]}\n\n`;
    const roleChunk = chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
    if (opts.roleChunk !== 'with-first-token') res.write(roleChunk);

    const dropAfter = failure?.kind === 'drop' ? (failure.afterTokens ?? 0) : undefined;
    const errorAfter = failure?.kind === 'stream-error' ? (failure.afterTokens ?? 0) : undefined;
    let next = 0;
    let lastWrite = 0;

    const finish = () => {
      let out = '';
      if (includeUsage) {
        out += chunk([], {
          usage: {
            prompt_tokens: promptTokens,
            total_tokens: promptTokens + record.completionTokens,
            completion_tokens: record.completionTokens,
            prompt_tokens_details: null,
          },
        });
      }
      out += 'data: [DONE]\n\n';
      end('ok');
      res.end(out);
    };

    // Writes every token whose scheduled time has come, then schedules itself for the next one.
    const pump = (): void => {
      if (ended || res.destroyed) return;
      const now = performance.now();
      let out = '';
      while (next < tokens.length && arrivedAt + ttft + next * itl <= now) {
        if (dropAfter !== undefined && next >= dropAfter) break;
        if (errorAfter !== undefined && next >= errorAfter) break;
        const tok = tokens[next]!;
        if (next === 0 && opts.roleChunk === 'with-first-token') out += roleChunk;
        out += tokenChunk(tok.kind, tok.text, next === tokens.length - 1 ? finishReason : null);
        if (next === 0) record.ttftMs = now - arrivedAt;
        else record.itlsMs.push(now - lastWrite);
        lastWrite = now;
        record.e2eMs = now - arrivedAt;
        record.completionTokens++;
        next++;
      }
      if (out !== '') res.write(out);
      if (dropAfter !== undefined && next >= dropAfter) {
        end('dropped');
        res.socket?.destroy();
        return;
      }
      if (errorAfter !== undefined && next >= errorAfter) {
        const message = failure?.kind === 'stream-error' ? (failure.message ?? 'Injected stream error') : '';
        end('stream-error');
        res.end(
          `data: ${JSON.stringify({ error: { object: 'error', message, type: 'InternalServerError', param: null, code: 500 } })}\n\ndata: [DONE]\n\n`,
        );
        return;
      }
      if (next >= tokens.length) {
        finish();
        return;
      }
      schedule(arrivedAt + ttft + next * itl);
    };
    // Runs pump at `due` (performance.now() ms), never before: timers have 1 ms granularity and may
    // fire up to 1 ms early, so an early timer is armed again (a token can be up to ~1 ms late; the
    // records keep the actual write times, which are the truth clients are compared with).
    const schedule = (due: number): void => {
      const wait = due - performance.now();
      if (wait <= 0) {
        pump();
        return;
      }
      const t = setTimeout(() => {
        timers.delete(t);
        schedule(due);
      }, wait);
      timers.add(t);
    };
    if (ttft <= 0 && itl <= 0) pump();
    else schedule(arrivedAt + ttft);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    stats,
    setLoading(value) {
      loading = value;
    },
    update(next) {
      opts = { ...opts, ...next };
      if (next.loading !== undefined) loading = next.loading;
    },
    resetStats() {
      Object.assign(stats, emptyStats(), { inFlight: stats.inFlight });
      created = Math.floor(Date.now() / 1000);
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const res of openResponses) res.destroy();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

function emptyStats(): FakeVllmStats {
  return {
    requests: 0,
    chatRequests: 0,
    completed: 0,
    failed: 0,
    inFlight: 0,
    maxInFlight: 0,
    promptTokens: 0,
    completionTokens: 0,
    records: [],
    arrivals: [],
  };
}

interface PlannedToken {
  kind: 'reasoning' | 'content';
  text: string;
}

function planTokens(opts: FakeVllmOptions, maxTokens: number | undefined, ignoreEos: boolean): PlannedToken[] {
  const mode = opts.reasoning ?? 'none';
  const answer = wordTokens(opts.text ?? DEFAULT_TEXT);
  const reasoning = wordTokens(opts.reasoningText ?? DEFAULT_REASONING);
  const natural = opts.tokens ?? 8;
  const reasoningCount = mode === 'none' ? 0 : (opts.reasoningTokens ?? 4);
  const out: PlannedToken[] = [];
  if (mode === 'think') {
    out.push({ kind: 'content', text: '<think>' });
    for (let i = 0; i < reasoningCount; i++) out.push({ kind: 'content', text: reasoning[i % reasoning.length]! });
    out.push({ kind: 'content', text: '</think>' }, { kind: 'content', text: '\n\n' });
  } else {
    for (let i = 0; i < reasoningCount; i++) out.push({ kind: 'reasoning', text: reasoning[i % reasoning.length]! });
  }
  const total = ignoreEos && maxTokens !== undefined ? maxTokens : Math.min(out.length + natural, maxTokens ?? Infinity);
  for (let i = 0; out.length < total; i++) {
    const word = answer[i % answer.length]!;
    // When the text repeats, keep a space between its end and its start again.
    out.push({ kind: 'content', text: i >= answer.length && !/^\s/.test(word) ? ` ${word}` : word });
  }
  return out.slice(0, total);
}

function reasoningField(mode: FakeReasoningMode | undefined): string {
  return mode === 'reasoning' ? 'reasoning' : 'reasoning_content';
}

function errorType(status: number): string {
  if (status === 400) return 'BadRequestError';
  if (status === 404) return 'NotFoundError';
  if (status === 503) return 'ServiceUnavailableError';
  return 'InternalServerError';
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

function sendError(res: ServerResponse, status: number, message: string, type: string, param: string | null = null): void {
  sendJson(res, status, { object: 'error', message, type, param, code: status });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
