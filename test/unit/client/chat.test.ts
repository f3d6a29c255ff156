import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { AnswerPrinter, streamAnswer } from '../../../src/client/chat.js';
import { runChat, type ChatOptions } from '../../../src/client/chat-service.js';
import { createPool, parseEndpoint } from '../../../src/client/openai-http.js';
import { InterruptedError, UserError } from '../../../src/core/errors.js';
import { testContext } from '../../helpers/context.js';
import { startFakeVllm, type FakeVllm, type FakeVllmOptions } from '../../helpers/fake-vllm.js';

class Capture {
  text = '';
  constructor(public isTTY = false) {}
  write(s: string) {
    this.text += s;
    return true;
  }
}

let server: FakeVllm | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('AnswerPrinter', () => {
  it('terminal stdout: reasoning dimmed before the answer', () => {
    const stdout = new Capture(true);
    const stderr = new Capture(true);
    const p = new AnswerPrinter({ stdout, stderr, showReasoning: true, color: true });
    p.reasoning('\nHmm, ');
    p.reasoning('let me see.');
    p.content('\n\nHello');
    p.content(' there');
    p.finish();
    expect(stdout.text).toBe('\x1b[2m\x1b[3mHmm, \x1b[22m\x1b[23m\x1b[2m\x1b[3mlet me see.\x1b[22m\x1b[23m\n\nHello there\n');
    expect(stderr.text).toBe('');
  });

  it('terminal without colour: a labelled block', () => {
    const stdout = new Capture(true);
    const p = new AnswerPrinter({ stdout, stderr: new Capture(), showReasoning: true, color: false });
    p.reasoning('why');
    p.content('because\n');
    p.finish();
    expect(stdout.text).toBe('[thinking]\nwhy\n[/thinking]\n\nbecause\n');
  });

  it('piped stdout: reasoning on stderr, only the answer on stdout', () => {
    const stdout = new Capture(false);
    const stderr = new Capture(false);
    const p = new AnswerPrinter({ stdout, stderr, showReasoning: true, color: true });
    p.reasoning('thinking hard');
    p.content('42');
    p.finish();
    expect(stdout.text).toBe('42\n');
    expect(stderr.text).toBe('thinking hard\n');
  });

  it('--no-reasoning hides it', () => {
    const stdout = new Capture(true);
    const stderr = new Capture(true);
    const p = new AnswerPrinter({ stdout, stderr, showReasoning: false, color: true });
    p.reasoning('secret thoughts');
    p.content('answer');
    p.finish();
    expect(stdout.text).toBe('answer\n');
    expect(stderr.text).toBe('');
  });
});

async function client(options: FakeVllmOptions) {
  server = await startFakeVllm(options);
  const endpoint = parseEndpoint(server.url);
  return { endpoint, dispatcher: createPool(endpoint) };
}

describe('streamAnswer', () => {
  for (const mode of ['reasoning_content', 'reasoning', 'think'] as const) {
    it(`separates reasoning sent as ${mode}`, async () => {
      const c = await client({ reasoning: mode, reasoningTokens: 3, reasoningText: 'I should greet', tokens: 2, text: 'Hello friend' });
      const parts: string[] = [];
      const a = await streamAnswer(c, { model: 'fake/model' }, [{ role: 'user', content: 'hi' }], {
        reasoning: (t) => parts.push(`R:${t}`),
        content: (t) => parts.push(`C:${t}`),
      });
      expect(a.reasoning).toBe('I should greet');
      expect(a.content).toBe('Hello friend');
      expect(parts.filter((p) => p.startsWith('C:')).join('')).toBe('C:HelloC: friend');
      expect(a.usage?.completion_tokens).toBe(mode === 'think' ? 8 : 5);
      expect(a.ttftMs).toBeGreaterThanOrEqual(0);
      await c.dispatcher.destroy();
    });
  }
});

function chatCtx(env: NodeJS.ProcessEnv = {}) {
  return testContext([], { env });
}

async function chatOnce(options: Partial<ChatOptions>, fake: FakeVllmOptions = {}, stdoutTTY = false, env: NodeJS.ProcessEnv = {}) {
  if (!server) server = await startFakeVllm(fake);
  const ctx = chatCtx(env);
  const stdout = new Capture(stdoutTTY);
  const stderr = new Capture(false);
  const stdin = new PassThrough();
  stdin.end();
  let error: unknown;
  try {
    await runChat(ctx, { endpoint: server.url, reasoning: true, json: false, prompt: 'Say hi', ...options }, { stdin, stdout, stderr, color: false });
  } catch (e) {
    error = e;
  }
  return { ctx, stdout: stdout.text, stderr: stderr.text, error };
}

describe('runChat -p', () => {
  it('streams one answer to stdout; reasoning on stderr when piped', async () => {
    const r = await chatOnce({}, { reasoning: 'reasoning_content', reasoningTokens: 2, reasoningText: 'think think', tokens: 3, text: 'Hi there you' });
    expect(r.error).toBeUndefined();
    expect(r.stdout).toBe('Hi there you\n');
    expect(r.stderr).toBe('think think\n');
    expect(server!.stats.lastBody).toMatchObject({ model: 'fake/model', stream: true, messages: [{ role: 'user', content: 'Say hi' }] });
  });

  it('sends --system, --max-tokens and --temperature; picks the named model', async () => {
    server = await startFakeVllm({ models: ['a', 'b'] });
    const r = await chatOnce({ model: 'b', system: 'Be brief.', maxTokens: 3, temperature: 0.2 });
    expect(r.error).toBeUndefined();
    expect(server.stats.lastBody).toMatchObject({
      model: 'b',
      max_tokens: 3,
      temperature: 0.2,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hi' },
      ],
    });
  });

  it('--json prints one JSON object with content, reasoning and usage', async () => {
    server = await startFakeVllm({ reasoning: 'think', reasoningTokens: 2, reasoningText: 'hmm ok', tokens: 2, text: 'Fine thanks' });
    const r = await chatOnce({ json: true });
    expect(r.error).toBeUndefined();
    const result = r.ctx.io.events.find((e) => e.type === 'result');
    expect(result?.type === 'result' && result.data).toMatchObject({
      model: 'fake/model',
      content: 'Fine thanks',
      reasoning_content: 'hmm ok',
      finish_reason: 'stop',
      usage: { prompt_tokens: 2, completion_tokens: 7, total_tokens: 9 },
    });
  });

  it('unknown model: a UserError listing what is served', async () => {
    server = await startFakeVllm({ models: ['qwen'] });
    const r = await chatOnce({ model: 'llama' });
    expect(r.error).toBeInstanceOf(UserError);
    expect((r.error as UserError).message).toBe(`Unknown model 'llama': the server at ${server.url} serves 'qwen'.`);
    expect((r.error as UserError).exitCode).toBe(2);
  });

  it("the server's error message and HTTP status", async () => {
    server = await startFakeVllm({ maxModelLen: 16 });
    const r = await chatOnce({ maxTokens: 100 });
    expect(r.error).toBeInstanceOf(UserError);
    const e = r.error as UserError;
    expect(e.message).toMatch(/^The server rejected the request \(HTTP 400: This model's maximum context length is 16 tokens/);
    expect(e.fix.join(' ')).toMatch(/--max-tokens/);
    expect(e.exitCode).toBe(1);
  });

  it('503 while loading: not ready, with the status hint', async () => {
    server = await startFakeVllm({ loading: true });
    const r = await chatOnce({});
    const e = r.error as UserError;
    expect(e.message).toBe(`The model server at ${server.url} is not ready (HTTP 503: The model is still loading.).`);
    expect(e.fix).toContain('Is the model ready? kindling status');
  });

  it('connection refused: a hint, exit 1', async () => {
    server = await startFakeVllm();
    const url = server.url;
    await server.close();
    server = undefined;
    const ctx = chatCtx();
    const err = await runChat(ctx, { endpoint: url, reasoning: true, json: false, prompt: 'x' }, { stdin: new PassThrough(), stdout: new Capture(), stderr: new Capture(), color: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe(`Cannot connect to ${url} (connection refused).`);
    expect((err as UserError).fix[0]).toBe('Is the model ready? kindling status');
    expect((err as UserError).exitCode).toBe(1);
  });

  it('a stream dropped mid-answer is an error after the partial answer', async () => {
    server = await startFakeVllm({ tokens: 10, itlMs: 1, failEvery: { n: 1, failure: { kind: 'drop', afterTokens: 3 } } });
    const r = await chatOnce({});
    expect((r.error as UserError).message).toMatch(/closed the connection before the answer finished/);
  });

  it('no --endpoint and no cluster discovery: says what to pass', async () => {
    const ctx = chatCtx();
    const err = await runChat(ctx, { reasoning: true, json: false, prompt: 'x' }, { stdin: new PassThrough(), stdout: new Capture(), stderr: new Capture(), color: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).fix.join('\n')).toMatch(/--endpoint[\s\S]*kindling model deploy/);
  });

  it('the API key from --api-key-env is sent, registered for redaction, and a missing variable is an error', async () => {
    server = await startFakeVllm({ apiKey: 'sk-test-abcdefgh12345678' });
    const ok = await chatOnce({ apiKeyEnv: 'MY_KEY' }, {}, false, { MY_KEY: 'sk-test-abcdefgh12345678' });
    expect(ok.error).toBeUndefined();
    expect(ok.ctx.redactor.redact('key sk-test-abcdefgh12345678')).toBe('key ***');
    const missing = await chatOnce({ apiKeyEnv: 'NOPE' });
    expect((missing.error as UserError).message).toMatch(/--api-key-env NOPE: that environment variable is not set/);
    const unauth = await chatOnce({});
    expect((unauth.error as UserError).message).toMatch(/HTTP 401/);
    const viaDefault = await chatOnce({}, {}, false, { OPENAI_API_KEY: 'sk-test-abcdefgh12345678' });
    expect(viaDefault.error).toBeUndefined();
    expect(server.stats.lastHeaders?.authorization).toBe('Bearer sk-test-abcdefgh12345678');
  });

  it('Ctrl-C (the context signal) interrupts the answer', async () => {
    server = await startFakeVllm({ tokens: 100, itlMs: 20 });
    const ac = new AbortController();
    const ctx = { ...chatCtx(), signal: ac.signal };
    const stdout = new Capture();
    const running = runChat(ctx, { endpoint: server.url, reasoning: true, json: false, prompt: 'x' }, { stdin: new PassThrough(), stdout, stderr: new Capture(), color: false }).catch((e: unknown) => e);
    // Interrupt once the answer has started.
    while (stdout.text === '') await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    const err = await running;
    expect(err).toBeInstanceOf(InterruptedError);
    // The server sees the connection go (the answer is not read to its end).
    for (let i = 0; i < 200 && server.stats.records[0]!.outcome === 'pending'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(server.stats.records[0]!.outcome).toBe('client-closed');
  });
});

describe('resolveEndpoint with cluster discovery', () => {
  it('uses the discovered endpoint and served model', async () => {
    server = await startFakeVllm({ models: ['Qwen/Qwen3-0.6B'] });
    const url = server.url;
    const r = await chatOnce({ endpoint: undefined, model: 'qwen', discover: async () => ({ url, servedModel: 'Qwen/Qwen3-0.6B', source: 'test' }) });
    expect(r.error).toBeUndefined();
    expect(server.stats.lastBody?.model).toBe('Qwen/Qwen3-0.6B');
  });

  it('adds the --endpoint way around to a discovery failure', async () => {
    server = await startFakeVllm();
    const failing = await chatOnce({ endpoint: undefined, discover: async () => Promise.reject(new UserError('No model is deployed by kindling on this cluster.', { fix: 'kindling model deploy' })) });
    expect((failing.error as UserError).fix).toEqual(['kindling model deploy', 'or talk to any OpenAI-compatible server: --endpoint http://HOST:PORT']);
    const broken = await chatOnce({ endpoint: undefined, discover: async () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6443')) });
    expect((broken.error as UserError).message).toBe('Cannot find the deployed model in the cluster: ECONNREFUSED 127.0.0.1:6443');
  });
});
