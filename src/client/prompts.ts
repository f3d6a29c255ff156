/**
 * Benchmark prompts: synthetic prompts of a given length, or prompts read from a JSONL dataset.
 */
import type { Random } from './rng.js';

export interface BenchMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface BenchPrompt {
  messages: BenchMessage[];
  /** Output tokens asked for (max_tokens, with ignore_eos). */
  maxTokens: number;
}

/**
 * Common English words that are one token each (with their leading space) in the Llama, Qwen,
 * Mistral and GPT tokenizers, so N words make a prompt of about N tokens (the chat template adds a
 * few more; the server's `usage.prompt_tokens` is what the results report).
 */
const WORDS = (
  'the of and to in is was for on that with as by at from his it an were are which this be or has had ' +
  'not first one their its new after but who they have two her she been other when there all during into ' +
  'school time may years more most only over city some world would where later up such used many can state ' +
  'about national out known university united then made these him team war film year three part well ' +
  'while game high people also series both between through several being called each states season early ' +
  'under group number music life since because home album against before second band name work found ' +
  'American what following member released long public will same four however family including based own ' +
  'area government around until line five than north south best end million did club river company played ' +
  'last back great west county group began village early local original major take final show book became ' +
  'small day large very world place old field light water road power house point half green blue red ' +
  'round open model table order black white study level hand story night side sound fire form list'
).split(' ');

/** `count` prompts of `inputLen` random words each (a different prompt per request: no prefix-cache hits). */
export function syntheticPrompts(count: number, inputLen: number, outputLen: number, random: Random): BenchPrompt[] {
  const prompts: BenchPrompt[] = [];
  for (let i = 0; i < count; i++) {
    const words: string[] = new Array<string>(inputLen);
    for (let w = 0; w < inputLen; w++) words[w] = WORDS[random.int(WORDS.length)]!;
    prompts.push({ messages: [{ role: 'user', content: words.join(' ') }], maxTokens: outputLen });
  }
  return prompts;
}

export class DatasetError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}

/**
 * Parses a JSONL dataset. Each non-empty line is one of:
 * - `{"prompt": "…"}`
 * - `{"messages": [{"role": "user", "content": "…"}, …]}` (OpenAI chat messages)
 * - `{"conversations": [{"from": "human", "value": "…"}, …]}` (ShareGPT; the first human turn is the prompt)
 * optionally with `"max_tokens"` or `"output_len"` (else `outputLen`).
 */
export function parseDataset(text: string, outputLen: number): BenchPrompt[] {
  const prompts: BenchPrompt[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const lineNo = i + 1;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      throw new DatasetError(`line ${lineNo} is not JSON`, lineNo);
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      throw new DatasetError(`line ${lineNo} is not a JSON object`, lineNo);
    }
    const o = obj as Record<string, unknown>;
    const messages = messagesOf(o);
    if (!messages) {
      throw new DatasetError(
        `line ${lineNo} has no "prompt" (a string), "messages" (chat messages) or "conversations" (ShareGPT)`,
        lineNo,
      );
    }
    const own = o.max_tokens ?? o.output_len;
    let maxTokens = outputLen;
    if (own !== undefined) {
      if (typeof own !== 'number' || !Number.isInteger(own) || own < 1) {
        throw new DatasetError(`line ${lineNo}: "max_tokens"/"output_len" must be a positive integer`, lineNo);
      }
      maxTokens = own;
    }
    prompts.push({ messages, maxTokens });
  });
  if (prompts.length === 0) throw new DatasetError('the dataset has no prompts');
  return prompts;
}

function messagesOf(o: Record<string, unknown>): BenchMessage[] | undefined {
  if (typeof o.prompt === 'string' && o.prompt !== '') return [{ role: 'user', content: o.prompt }];
  if (Array.isArray(o.messages) && o.messages.length > 0) {
    const out: BenchMessage[] = [];
    for (const m of o.messages) {
      const r = (m as { role?: unknown }).role;
      const c = (m as { content?: unknown }).content;
      if ((r !== 'system' && r !== 'user' && r !== 'assistant') || typeof c !== 'string') return undefined;
      out.push({ role: r, content: c });
    }
    return out;
  }
  if (Array.isArray(o.conversations)) {
    for (const turn of o.conversations) {
      const t = turn as { from?: unknown; value?: unknown };
      if ((t.from === 'human' || t.from === 'user') && typeof t.value === 'string' && t.value !== '') {
        return [{ role: 'user', content: t.value }];
      }
    }
  }
  return undefined;
}

/** `count` prompts taken from the dataset in order, wrapping around when it is shorter. */
export function cyclePrompts(prompts: BenchPrompt[], count: number): BenchPrompt[] {
  const out: BenchPrompt[] = [];
  for (let i = 0; i < count; i++) out.push(prompts[i % prompts.length]!);
  return out;
}
