import { describe, expect, it } from 'vitest';
import { errorOf, parseChunk, scanChunk, ThinkSplitter } from '../../../src/client/sse.js';

describe('parseChunk', () => {
  it('reads content, reasoning_content, reasoning, finish_reason and usage', () => {
    expect(parseChunk('[DONE]')).toBe('done');
    const role = parseChunk('{"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}');
    expect(role).toMatchObject({ content: '', reasoning: '', empty: true, finishReason: null });
    expect(parseChunk('{"choices":[{"delta":{"reasoning_content":"hm"}}]}')).toMatchObject({ reasoning: 'hm', empty: false });
    expect(parseChunk('{"choices":[{"delta":{"reasoning":"hm2"}}]}')).toMatchObject({ reasoning: 'hm2' });
    expect(parseChunk('{"choices":[{"delta":{"content":"Hi"},"finish_reason":"length"}]}')).toMatchObject({
      content: 'Hi',
      finishReason: 'length',
    });
    const usage = parseChunk('{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}}');
    expect(usage).toMatchObject({ empty: true, usage: { prompt_tokens: 3, completion_tokens: 5 } });
  });

  it('recognises error events in both shapes', () => {
    expect(parseChunk('{"object":"error","message":"boom","type":"BadRequestError","param":null,"code":400}')).toMatchObject({
      error: { message: 'boom', type: 'BadRequestError', code: 400 },
    });
    expect(parseChunk('{"error":{"message":"bad","type":"x","code":500}}')).toMatchObject({ error: { message: 'bad' } });
  });

  it('errorOf reads FastAPI details', () => {
    expect(errorOf({ detail: 'Not Found' })).toEqual({ message: 'Not Found' });
    expect(errorOf({ detail: [{ msg: 'field required' }] })).toEqual({ message: 'field required' });
    expect(errorOf({ ok: 1 })).toBeUndefined();
  });
});

function splitAll(chunks: string[], startInside = false) {
  const s = new ThinkSplitter(startInside);
  let reasoning = '';
  let content = '';
  for (const c of chunks) {
    const o = s.push(c);
    reasoning += o.reasoning;
    content += o.content;
  }
  const e = s.end();
  return { reasoning: reasoning + e.reasoning, content: content + e.content };
}

describe('ThinkSplitter', () => {
  it('separates <think> reasoning from the answer', () => {
    expect(splitAll(['<think>', 'a b', '</think>', '\n\n', 'Hello', ' world'])).toEqual({ reasoning: 'a b', content: 'Hello world' });
  });

  it('handles tags split across chunks, char by char', () => {
    const text = '\n<think>\nreason here\n</think>\n\nThe answer.';
    expect(splitAll(text.split(''))).toEqual({ reasoning: '\nreason here\n', content: 'The answer.' });
  });

  it('passes text without tags through', () => {
    expect(splitAll(['Hello', ' <thin', 'g>'])).toEqual({ reasoning: '', content: 'Hello <thing>' });
    expect(splitAll(['<thi'])).toEqual({ reasoning: '', content: '<thi' });
  });

  it('can start inside the reasoning', () => {
    expect(splitAll(['why', ' so', '</thi', 'nk>', 'ok'], true)).toEqual({ reasoning: 'why so', content: 'ok' });
  });

  it('keeps a late <think> as content', () => {
    expect(splitAll(['Answer: ', '<think>x</think>'])).toEqual({ reasoning: '', content: 'Answer: <think>x</think>' });
  });
});

describe('scanChunk (the load generator\'s fast path)', () => {
  const head = '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,';
  const cases = [
    '[DONE]',
    `${head}"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}`,
    `${head}"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}]}`,
    `${head}"delta":{"content":"\\"quoted\\" \\"content\\":\\"x"},"logprobs":null,"finish_reason":null}]}`,
    `${head}"delta":{"content":""},"logprobs":null,"finish_reason":null}]}`,
    `${head}"delta":{"content":null,"reasoning_content":"hm"},"logprobs":null,"finish_reason":null}]}`,
    `${head}"delta":{"reasoning":"hm"},"logprobs":null,"finish_reason":null}]}`,
    `${head}"delta":{"reasoning_content":""},"logprobs":{"content":[{"token":"a"}]},"finish_reason":null}]}`,
    `${head}"delta":{"content":"end"},"logprobs":null,"finish_reason":"length"}]}`,
    `${head}"delta": {"content": "spaced"}, "finish_reason": null}]}`,
    '{"id":"x","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}',
    '{"error":{"message":"boom","type":"x","code":500}}',
    '{"object":"error","message":"bad","type":"BadRequestError","param":null,"code":400}',
  ];
  for (const c of cases) {
    it(`agrees with parseChunk: ${c.slice(70, 130)}`, () => {
      const full = parseChunk(c);
      const fast = scanChunk(c);
      if (full === 'done') return expect(fast).toBe('done');
      expect(fast).not.toBe('done');
      if (fast === 'done') return;
      expect(fast.empty).toBe(full.empty);
      expect(fast.finishReason).toBe(full.finishReason);
      expect(fast.usage).toEqual(full.usage);
      expect(fast.error).toEqual(full.error);
    });
  }
  it('throws on broken JSON like parseChunk', () => {
    expect(() => scanChunk('{"choices":[{"delta":{"content":"x"')).toThrow();
  });
});
