import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { streamAnswer, type ChatMessage } from '../../../src/client/chat.js';
import { createPool, parseEndpoint } from '../../../src/client/openai-http.js';
import { runRepl } from '../../../src/client/repl.js';
import { startFakeVllm, type FakeVllm, type FakeVllmOptions } from '../../helpers/fake-vllm.js';

let server: FakeVllm | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

// eslint-disable-next-line no-control-regex
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

class Out extends PassThrough {
  text = '';
  constructor(public isTTY: boolean) {
    super();
    this.on('data', (d: Buffer) => (this.text += d.toString()));
  }
  columns = 80;
}

async function session(fake: FakeVllmOptions, terminal: boolean, system?: string) {
  server = await startFakeVllm(fake);
  const endpoint = parseEndpoint(server.url);
  const pool = createPool(endpoint);
  const input = new PassThrough();
  const stdout = new Out(terminal);
  const stderr = new Out(terminal);
  const sent: ChatMessage[][] = [];
  stdoutDbg = stdout;
  stderrDbg = stderr;
  const done = runRepl({
    input,
    stdout,
    stderr,
    terminal,
    color: false,
    showReasoning: true,
    ...(system ? { system } : {}),
    model: 'fake/model',
    endpoint: server.url,
    ask: (messages, sink, signal) => {
      sent.push(messages.map((m) => ({ ...m })));
      return streamAnswer({ endpoint, dispatcher: pool }, { model: 'fake/model' }, messages, sink, signal);
    },
    describeError: (e) => `Error: ${(e as Error).message}`,
  }).finally(() => pool.destroy());
  return { input, stdout, stderr, sent, done };
}

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));
let stdoutDbg: Out | undefined;
let stderrDbg: Out | undefined;
async function waitFor(cond: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting; stdout=${JSON.stringify(stdoutDbg?.text)} stderr=${JSON.stringify(stderrDbg?.text)}`);
    await tick(5);
  }
}

describe('chat REPL (piped input)', () => {
  it('keeps the conversation, /reset, /system, multi-line input, /exit', async () => {
    const s = await session({ tokens: 2, text: 'ok fine' }, false, 'Be nice.');
    s.input.write('first question\n');
    s.input.write('second \\\n');
    s.input.write('continued\n');
    s.input.write('"""\nblock line 1\nblock line 2\n"""\n');
    s.input.write('/reset\n');
    s.input.write('/system Be terse.\n');
    s.input.write('after reset\n');
    s.input.write('/bogus\n');
    s.input.write('//slash message\n');
    s.input.write('/exit\n');
    s.input.write('never sent\n');
    await s.done;
    expect(s.sent.map((m) => m.map((x) => `${x.role}:${x.content}`))).toEqual([
      ['system:Be nice.', 'user:first question'],
      ['system:Be nice.', 'user:first question', 'assistant:ok fine', 'user:second \ncontinued'],
      ['system:Be nice.', 'user:first question', 'assistant:ok fine', 'user:second \ncontinued', 'assistant:ok fine', 'user:block line 1\nblock line 2'],
      ['system:Be terse.', 'user:after reset'],
      ['system:Be terse.', 'user:after reset', 'assistant:ok fine', 'user:/slash message'],
    ]);
    expect(s.stdout.text).toBe('ok fine\n'.repeat(5));
    expect(s.stderr.text).toContain('(conversation cleared)');
    expect(s.stderr.text).toContain('Unknown command /bogus');
  });

  it('the end of input ends the session after the last answer', async () => {
    const s = await session({ tokens: 3, itlMs: 5 }, false);
    s.input.end('only one\n');
    await s.done;
    expect(s.sent).toHaveLength(1);
    expect(s.stdout.text.trim().split(' ')).toHaveLength(3);
  });

  it('a failed answer is reported and the session goes on', async () => {
    const s = await session({ failure: ({ index }) => (index === 0 ? { kind: 'http', status: 500, message: 'kaboom' } : undefined), tokens: 1, text: 'fine' }, false);
    s.input.end('one\ntwo\n');
    await s.done;
    expect(s.stderr.text).toContain('Error: HTTP 500: kaboom');
    expect(s.stdout.text).toBe('fine\n');
    // The failed turn is not part of the history.
    expect(s.sent[1]!.map((m) => m.content)).toEqual(['two']);
  });
});

describe('chat REPL (terminal)', () => {
  it('Ctrl-C cancels the answer, not the session; twice at an empty prompt quits', async () => {
    const s = await session({ tokens: 200, itlMs: 10, text: ' word' }, true);
    await waitFor(() => strip(s.stderr.text).includes('Chatting with fake/model'));
    s.input.write('tell me a long story\r');
    await waitFor(() => strip(s.stdout.text).includes('word word word'));
    s.input.write('\x03'); // Ctrl-C while answering
    await waitFor(() => strip(s.stderr.text).includes('(answer cancelled)'));
    await waitFor(() => server!.stats.records[0]!.outcome !== 'pending');
    expect(server!.stats.records[0]!.outcome).toBe('client-closed');
    s.input.write('again\r');
    await waitFor(() => s.sent.length === 2);
    // The cancelled turn is not in the history.
    expect(s.sent[1]!.map((m) => m.content)).toEqual(['again']);
    s.input.write('\x03');
    await waitFor(() => strip(s.stderr.text).includes('(answer cancelled)\n') && strip(s.stderr.text).split('(answer cancelled)').length === 3);
    s.input.write('\x03');
    await waitFor(() => strip(s.stderr.text).includes('press Ctrl-C again'));
    s.input.write('\x03');
    await s.done;
  });

  it('Ctrl-D at the prompt quits; /help lists the commands', async () => {
    const s = await session({ tokens: 1 }, true);
    s.input.write('/help\r');
    await waitFor(() => s.stderr.text.includes('/reset'));
    s.input.write('\x04');
    await s.done;
    expect(s.sent).toHaveLength(0);
  });
});

describe('chat REPL history', () => {
  it('offers earlier input with arrow-up and hands the history back at the end', async () => {
    server = await startFakeVllm({ tokens: 1, text: 'ok' });
    const endpoint = parseEndpoint(server.url);
    const pool = createPool(endpoint);
    const input = new PassThrough();
    const stdout = new Out(true);
    const sent: string[] = [];
    let saved: string[] = [];
    const done = runRepl({
      input,
      stdout,
      stderr: new Out(true),
      terminal: true,
      color: false,
      showReasoning: true,
      model: 'fake/model',
      endpoint: server.url,
      history: ['from last time'],
      saveHistory: (h) => (saved = h),
      ask: (messages, sink, signal) => {
        sent.push(messages[messages.length - 1]!.content);
        return streamAnswer({ endpoint, dispatcher: pool }, { model: 'fake/model' }, messages, sink, signal);
      },
      describeError: (e) => String(e),
    });
    input.write('\x1b[A\r'); // arrow up, enter: sends the line from the last session
    await waitFor(() => sent.length === 1);
    input.write('new one\r');
    await waitFor(() => sent.length === 2);
    input.write('/exit\r');
    await done;
    await pool.destroy();
    expect(sent).toEqual(['from last time', 'new one']);
    expect(saved.slice(0, 3)).toEqual(['/exit', 'new one', 'from last time']);
  });
});
