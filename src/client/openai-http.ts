/**
 * A thin OpenAI-compatible HTTP client on undici (Pool + request) and eventsource-parser, shared by
 * `kindling chat` and `kindling bench`.
 *
 * Why not fetch or the `openai` SDK: no hidden retries (the SDK retries twice by default), one
 * streaming decoder for both commands, vLLM's non-standard fields (`reasoning_content`,
 * `ignore_eos`, the `{"object":"error"}` body) without casts, and undici's `request` costs far less
 * per request than fetch, which matters for the load generator's accuracy.
 */
import { performance } from 'node:perf_hooks';
import { Pool, type Dispatcher } from 'undici';
import {
  classifyNetworkError,
  HttpStatusError,
  RequestAbortedError,
  StreamProtocolError,
} from './errors.js';
import { createSseDecoder, errorOf, parseChunk, scanChunk, type ChunkDelta, type Usage } from './sse.js';

export interface Endpoint {
  /** scheme://host:port */
  origin: string;
  /** Path before `/v1` ('' or '/some/prefix'). */
  pathPrefix: string;
  /** For messages: origin + prefix. */
  display: string;
}

/**
 * Parses `--endpoint`: `http://host:port`, `http://host:port/v1`, `host:port`, or with a path
 * prefix (`http://gw/llm/v1`). Throws a TypeError with a readable message when it is not a URL.
 */
export function parseEndpoint(text: string): Endpoint {
  let raw = text.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) raw = `http://${raw}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`'${text}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`'${text}' is not an http(s) URL`);
  let prefix = url.pathname.replace(/\/+$/, '');
  prefix = prefix.replace(/\/v1(\/chat\/completions|\/models)?$/, '');
  return { origin: url.origin, pathPrefix: prefix, display: `${url.origin}${prefix}` };
}

export interface PoolOptions {
  /** Maximum sockets (the benchmark's concurrency). Default 4. */
  connections?: number;
  connectTimeoutMs?: number;
  /** Time to the response headers (queueing in the server included). */
  headersTimeoutMs?: number;
  /** Longest silence between two body chunks. */
  bodyTimeoutMs?: number;
}

/** A keep-alive pool for one endpoint. Never pipelines (streaming requests must not queue behind each other). */
export function createPool(endpoint: Endpoint, options: PoolOptions = {}): Pool {
  return new Pool(endpoint.origin, {
    connections: options.connections ?? 4,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    headersTimeout: options.headersTimeoutMs ?? 300_000,
    bodyTimeout: options.bodyTimeoutMs ?? 300_000,
  });
}

export interface ClientConfig {
  endpoint: Endpoint;
  dispatcher: Dispatcher;
  /** Sent as `Authorization: Bearer …`; never logged. */
  apiKey?: string;
}

function headers(cfg: ClientConfig, accept: string): Record<string, string> {
  const h: Record<string, string> = { accept, 'content-type': 'application/json' };
  if (cfg.apiKey) h.authorization = `Bearer ${cfg.apiKey}`;
  return h;
}

/** Ids of the models the server serves (`GET /v1/models`), in its order. */
export async function listModels(cfg: ClientConfig, signal?: AbortSignal): Promise<string[]> {
  const path = `${cfg.endpoint.pathPrefix}/v1/models`;
  const url = cfg.endpoint.origin + path;
  let res: Dispatcher.ResponseData;
  try {
    res = await cfg.dispatcher.request({ method: 'GET', path, headers: headers(cfg, 'application/json'), signal: signal ?? null });
  } catch (error) {
    throw signal?.aborted ? new RequestAbortedError() : classifyNetworkError(error, url);
  }
  const text = await res.body.text().catch((error: unknown) => {
    throw signal?.aborted ? new RequestAbortedError() : classifyNetworkError(error, url);
  });
  if (res.statusCode !== 200) throw httpError(res.statusCode, text, url);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new StreamProtocolError('bad-response', `GET ${url} did not return JSON (is this an OpenAI-compatible server?)`);
  }
  const list = (data as { data?: unknown }).data;
  if (!Array.isArray(list)) {
    throw new StreamProtocolError('bad-response', `GET ${url} returned no model list (is this an OpenAI-compatible server?)`);
  }
  return list.map((m) => (m as { id?: unknown }).id).filter((id): id is string => typeof id === 'string');
}

/**
 * Opens up to `n` keep-alive connections by sending `n` cheap requests (`GET /v1/models`) at once,
 * so the benchmark's first requests do not pay for TCP connects. Failures are ignored (the warm-up
 * request reports them).
 */
export async function warmConnections(cfg: ClientConfig, n: number, signal?: AbortSignal): Promise<void> {
  const path = `${cfg.endpoint.pathPrefix}/v1/models`;
  await Promise.all(
    Array.from({ length: n }, () =>
      cfg.dispatcher
        .request({ method: 'GET', path, headers: headers(cfg, 'application/json'), signal: signal ?? null })
        .then((res) => res.body.dump())
        .catch(() => undefined),
    ),
  );
}

export interface StreamOutcome {
  finishReason: string | null;
  usage?: Usage;
  /** `data: [DONE]` was received. */
  done: boolean;
}

/**
 * Sends one streaming chat completion and calls `onDelta(delta, t)` for every chunk that carries
 * text, a finish reason or usage, `t` being performance.now() when the bytes arrived (chunks that
 * arrive in one read share it). Resolves when the stream ended properly; rejects with
 * HttpStatusError, ConnectionError (a dropped stream is kind 'closed'), StreamProtocolError
 * (an error event inside the stream, or an end before `[DONE]`) or RequestAbortedError.
 *
 * `body` is the JSON text of the request (serialize it before taking the start time).
 */
export async function streamChatCompletion(
  cfg: ClientConfig,
  body: string,
  onDelta: (delta: ChunkDelta, t: number) => void,
  signal?: AbortSignal,
  /** The caller needs no text, only whether a chunk carried any (the load generator): see scanChunk. */
  textless = false,
): Promise<StreamOutcome> {
  const path = `${cfg.endpoint.pathPrefix}/v1/chat/completions`;
  const url = cfg.endpoint.origin + path;
  const outcome: StreamOutcome = { finishReason: null, done: false };
  let serverError: string | undefined;
  let badData: string | undefined;
  let now = 0;
  const decoder = createSseDecoder((data) => {
    if (outcome.done) return;
    let delta: ChunkDelta | 'done';
    try {
      delta = textless ? scanChunk(data) : parseChunk(data);
    } catch {
      badData ??= data.slice(0, 200);
      return;
    }
    if (delta === 'done') {
      outcome.done = true;
      return;
    }
    if (delta.error) {
      serverError ??= delta.error.message;
      return;
    }
    if (delta.finishReason !== null) outcome.finishReason = delta.finishReason;
    if (delta.usage) outcome.usage = delta.usage;
    if (!delta.empty || delta.finishReason !== null || delta.usage) onDelta(delta, now);
  });

  // undici's dispatch API: the body's bytes reach us straight from the HTTP parser, without a
  // Readable stream in between (less work per chunk, and the timestamp is taken closer to the read).
  let status = 0;
  let sse = false;
  let onAbort: (() => void) | undefined;
  const other: Buffer[] = [];
  const utf8 = new TextDecoder();
  try {
    await new Promise<void>((resolve, reject) => {
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(controller) {
          if (signal?.aborted) controller.abort(new RequestAbortedError());
          else if (signal) {
            onAbort = () => controller.abort(new RequestAbortedError());
            signal.addEventListener('abort', onAbort, { once: true });
          }
        },
        onResponseStart(_controller, statusCode, responseHeaders) {
          status = statusCode;
          sse = statusCode === 200 && String(responseHeaders['content-type'] ?? '').includes('text/event-stream');
        },
        onResponseData(_controller, chunk) {
          now = performance.now();
          if (sse) decoder.feed(utf8.decode(chunk, { stream: true }));
          else other.push(chunk);
        },
        onResponseEnd() {
          if (sse) {
            const rest = utf8.decode();
            if (rest !== '') decoder.feed(rest);
          }
          resolve();
        },
        onResponseError(_controller, error) {
          reject(signal?.aborted || error instanceof RequestAbortedError ? new RequestAbortedError() : classifyNetworkError(error, url));
        },
      };
      cfg.dispatcher.dispatch({ method: 'POST', path, headers: headers(cfg, 'text/event-stream'), body }, handler);
    });
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
  if (status !== 200) throw httpError(status, Buffer.concat(other).toString('utf8'), url);
  // A server that ignored `stream: true` answers with one JSON completion.
  if (!sse) return fromJsonCompletion(Buffer.concat(other).toString('utf8'), url, onDelta);
  if (serverError !== undefined) throw new StreamProtocolError('server-error-event', `error in stream: ${serverError}`);
  if (badData !== undefined) throw new StreamProtocolError('bad-response', `the stream carried data that is not JSON: ${badData}`);
  if (!outcome.done && outcome.finishReason === null) {
    throw new StreamProtocolError('incomplete', 'the stream ended before the answer finished (no [DONE])');
  }
  return outcome;
}

function fromJsonCompletion(text: string, url: string, onDelta: (delta: ChunkDelta, t: number) => void): StreamOutcome {
  let delta: ChunkDelta | 'done';
  try {
    delta = parseChunk(text);
  } catch {
    throw new StreamProtocolError('bad-response', `POST ${url} returned neither a stream nor JSON`);
  }
  if (delta === 'done') throw new StreamProtocolError('bad-response', `POST ${url} returned no completion`);
  if (delta.error) throw new StreamProtocolError('server-error-event', delta.error.message);
  onDelta(delta, performance.now());
  return { finishReason: delta.finishReason, ...(delta.usage ? { usage: delta.usage } : {}), done: true };
}

/** An HttpStatusError from a response body: the server's message when it sent one. */
export function httpError(status: number, text: string, url: string): HttpStatusError {
  let info: ReturnType<typeof errorOf>;
  try {
    info = errorOf(JSON.parse(text));
  } catch {
    info = undefined;
  }
  const fallback = text.trim() === '' ? (STATUS_TEXT[status] ?? 'error') : text.trim().slice(0, 300);
  return new HttpStatusError(status, info?.message ?? fallback, info?.type, url);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
