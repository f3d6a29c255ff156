import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionError, HttpStatusError, RequestAbortedError, StreamProtocolError } from '../../../src/client/errors.js';
import { createPool, listModels, parseEndpoint, streamChatCompletion, type ClientConfig } from '../../../src/client/openai-http.js';
import type { ChunkDelta } from '../../../src/client/sse.js';
import { startFakeVllm, type FakeVllm, type FakeVllmOptions } from '../../helpers/fake-vllm.js';

let server: FakeVllm | undefined;
const pools: ReturnType<typeof createPool>[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
  await server?.close();
  server = undefined;
});

async function setup(options: FakeVllmOptions = {}): Promise<ClientConfig> {
  server = await startFakeVllm(options);
  const endpoint = parseEndpoint(server.url);
  const pool = createPool(endpoint, { connections: 4 });
  pools.push(pool);
  return { endpoint, dispatcher: pool };
}

function body(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    model: 'fake/model',
    messages: [{ role: 'user', content: 'one two three' }],
    stream: true,
    stream_options: { include_usage: true },
    ...extra,
  });
}

async function collect(cfg: ClientConfig, b = body(), signal?: AbortSignal) {
  const deltas: ChunkDelta[] = [];
  const outcome = await streamChatCompletion(cfg, b, (d) => deltas.push(d), signal);
  return {
    outcome,
    content: deltas.map((d) => d.content).join(''),
    reasoning: deltas.map((d) => d.reasoning).join(''),
    deltas,
  };
}

describe('parseEndpoint', () => {
  it('accepts URLs with or without /v1 and a path prefix', () => {
    expect(parseEndpoint('http://10.0.0.5:8000')).toEqual({ origin: 'http://10.0.0.5:8000', pathPrefix: '', display: 'http://10.0.0.5:8000' });
    expect(parseEndpoint('http://h:8000/v1/')).toMatchObject({ origin: 'http://h:8000', pathPrefix: '' });
    expect(parseEndpoint('localhost:8000')).toMatchObject({ origin: 'http://localhost:8000' });
    expect(parseEndpoint('https://gw.example/llm/v1')).toMatchObject({ origin: 'https://gw.example', pathPrefix: '/llm' });
    expect(() => parseEndpoint('ftp://x')).toThrow(/not an http/);
    expect(() => parseEndpoint('http://')).toThrow(/not a URL/);
  });
});

describe('streamChatCompletion against the fake vLLM', () => {
  it('streams content and usage; the role-only chunk is not a delta', async () => {
    const cfg = await setup({ tokens: 5, text: 'a b c d e f' });
    const r = await collect(cfg);
    expect(r.content).toBe('a b c d e');
    expect(r.outcome).toMatchObject({ done: true, finishReason: 'stop', usage: { prompt_tokens: 3, completion_tokens: 5 } });
    expect(r.deltas[0]?.content).toBe('a');
  });

  it('streams reasoning_content apart from content', async () => {
    const cfg = await setup({ reasoning: 'reasoning_content', reasoningTokens: 3, reasoningText: 'x y z', tokens: 2, text: 'ok go' });
    const r = await collect(cfg);
    expect(r.reasoning).toBe('x y z');
    expect(r.content).toBe('ok go');
  });

  it('honours max_tokens + ignore_eos exactly', async () => {
    const cfg = await setup({ tokens: 3 });
    const r = await collect(cfg, body({ max_tokens: 17, ignore_eos: true }));
    expect(r.outcome.usage?.completion_tokens).toBe(17);
    expect(r.outcome.finishReason).toBe('length');
    expect(r.deltas.filter((d) => !d.empty)).toHaveLength(17);
  });

  it('reports vLLM error bodies with their status', async () => {
    const cfg = await setup({ maxModelLen: 10 });
    const err = await collect(cfg, body({ max_tokens: 100 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpStatusError);
    expect(err).toMatchObject({ status: 400, errorType: 'BadRequestError' });
    expect((err as HttpStatusError).serverMessage).toMatch(/maximum context length is 10 tokens/);
    const unknown = await collect(cfg, body({ model: 'nope' })).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ status: 404, serverMessage: 'The model `nope` does not exist.' });
  });

  it('reports 503 while loading, then serves', async () => {
    const cfg = await setup({ loading: true });
    await expect(collect(cfg)).rejects.toMatchObject({ status: 503 });
    await expect(listModels(cfg)).rejects.toMatchObject({ status: 503 });
    server!.setLoading(false);
    expect((await collect(cfg)).outcome.done).toBe(true);
  });

  it('a dropped stream is a ConnectionError of kind closed', async () => {
    const cfg = await setup({ tokens: 10, itlMs: 2, failEvery: { n: 1, failure: { kind: 'drop', afterTokens: 3 } } });
    const err = await collect(cfg).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).kind).toBe('closed');
  });

  it('an error event inside the stream fails the request', async () => {
    const cfg = await setup({ tokens: 10, failEvery: { n: 1, failure: { kind: 'stream-error', afterTokens: 2, message: 'engine dead' } } });
    const err = await collect(cfg).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StreamProtocolError);
    expect(String(err)).toMatch(/engine dead/);
  });

  it('connection refused is classified', async () => {
    const cfg = await setup();
    await server!.close();
    server = undefined;
    const err = await collect(cfg).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'refused' });
  });

  it('no response times out by headersTimeout; an abort is RequestAbortedError', async () => {
    server = await startFakeVllm({ failEvery: { n: 1, failure: { kind: 'hang' } } });
    const endpoint = parseEndpoint(server.url);
    const pool = createPool(endpoint, { headersTimeoutMs: 200 });
    pools.push(pool);
    const err = await collect({ endpoint, dispatcher: pool }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'headers-timeout' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const pool2 = createPool(endpoint);
    pools.push(pool2);
    const aborted = await collect({ endpoint, dispatcher: pool2 }, body(), ac.signal).catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(RequestAbortedError);
  });

  it('lists models and sends the API key', async () => {
    server = await startFakeVllm({ models: ['a', 'b'], apiKey: 'secret-key-123' });
    const endpoint = parseEndpoint(`${server.url}/v1`);
    const pool = createPool(endpoint);
    pools.push(pool);
    await expect(listModels({ endpoint, dispatcher: pool })).rejects.toMatchObject({ status: 401 });
    expect(await listModels({ endpoint, dispatcher: pool, apiKey: 'secret-key-123' })).toEqual(['a', 'b']);
  });

  it('non-streaming JSON answers are accepted', async () => {
    const cfg = await setup({ tokens: 2, text: 'yes sir' });
    const r = await collect(cfg, body({ stream: false }));
    expect(r.content).toBe('yes sir');
    expect(r.outcome.usage?.completion_tokens).toBe(2);
  });
});
