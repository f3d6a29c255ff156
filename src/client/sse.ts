/**
 * Decoding of an OpenAI-compatible chat completion stream (Server-Sent Events) into deltas.
 * Pure: bytes/strings in, callbacks out; the HTTP part is in openai-http.ts.
 */
import { createParser, type EventSourceParser } from 'eventsource-parser';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens?: number;
}

export interface ServerErrorInfo {
  message: string;
  type?: string;
  code?: number | string;
}

/** What one `data:` event of a chat completion stream carries (first choice only). */
export interface ChunkDelta {
  /** Answer text of this chunk ('' when none). */
  content: string;
  /** Reasoning text (`reasoning_content`, or `reasoning` in newer vLLM) of this chunk ('' when none). */
  reasoning: string;
  finishReason: string | null;
  usage?: Usage;
  error?: ServerErrorInfo;
  /** A role-only or otherwise empty chunk. */
  empty: boolean;
}

/** Parses one event's data; `'done'` for `[DONE]`; throws on invalid JSON. */
export function parseChunk(data: string): ChunkDelta | 'done' {
  if (data === '[DONE]') return 'done';
  const obj = JSON.parse(data) as Record<string, unknown>;
  const out: ChunkDelta = { content: '', reasoning: '', finishReason: null, empty: true };
  const err = errorOf(obj);
  if (err) {
    out.error = err;
    return out;
  }
  const choices = obj.choices;
  if (Array.isArray(choices) && choices.length > 0) {
    const choice = choices[0] as { delta?: Record<string, unknown>; message?: Record<string, unknown>; finish_reason?: unknown };
    const delta = choice.delta ?? choice.message;
    if (delta) {
      if (typeof delta.content === 'string') out.content = delta.content;
      const r = delta.reasoning_content ?? delta.reasoning;
      if (typeof r === 'string') out.reasoning = r;
    }
    if (typeof choice.finish_reason === 'string') out.finishReason = choice.finish_reason;
  }
  const usage = obj.usage as Usage | null | undefined;
  if (usage && typeof usage.completion_tokens === 'number') out.usage = usage;
  out.empty = out.content === '' && out.reasoning === '';
  return out;
}

const SCAN_EMPTY: ChunkDelta = Object.freeze({ content: '', reasoning: '', finishReason: null, empty: true }) as ChunkDelta;
const SCAN_TEXT: ChunkDelta = Object.freeze({ content: '', reasoning: '', finishReason: null, empty: false }) as ChunkDelta;

/**
 * Like parseChunk, for the load generator, which needs to know whether a chunk carries text but not
 * the text itself: the common token chunk of a compact JSON stream (vLLM's) is recognised without
 * JSON.parse. Anything else — a finish reason, usage, an error, other spacing — is fully parsed.
 * Text is never returned (content and reasoning are ''); `empty` says whether there was any.
 * Safe because an unescaped `"content":"` cannot occur inside a JSON string.
 */
export function scanChunk(data: string): ChunkDelta | 'done' {
  if (data === '[DONE]') return 'done';
  if (
    data.charCodeAt(0) !== 123 /* { */ ||
    data.charCodeAt(data.length - 1) !== 125 /* } */ ||
    !data.includes('"finish_reason":null') ||
    data.includes('"usage":{') ||
    data.includes('"error"')
  ) {
    return parseChunk(data);
  }
  if (hasText(data, '"content":"') || hasText(data, '"reasoning_content":"') || hasText(data, '"reasoning":"')) return SCAN_TEXT;
  if (data.includes('"delta":{')) return SCAN_EMPTY;
  return parseChunk(data);
}

/** `key` (ending in the string's opening quote) is present with a non-empty string value. */
function hasText(data: string, key: string): boolean {
  let at = data.indexOf(key);
  while (at >= 0) {
    if (data.charCodeAt(at + key.length) !== 34 /* " */) return true;
    at = data.indexOf(key, at + key.length);
  }
  return false;
}

/** The error inside an error body or error event: vLLM's `{"object":"error",…}` or OpenAI's `{"error":{…}}`. */
export function errorOf(obj: unknown): ServerErrorInfo | undefined {
  if (obj === null || typeof obj !== 'object') return undefined;
  const o = obj as Record<string, unknown>;
  if (o.object === 'error' && typeof o.message === 'string') {
    return { message: o.message, ...(typeof o.type === 'string' ? { type: o.type } : {}), ...codeOf(o.code) };
  }
  if (o.error !== undefined && o.error !== null) {
    if (typeof o.error === 'string') return { message: o.error };
    const e = o.error as Record<string, unknown>;
    if (typeof e.message === 'string') {
      return { message: e.message, ...(typeof e.type === 'string' ? { type: e.type } : {}), ...codeOf(e.code) };
    }
  }
  // FastAPI's own errors: {"detail": "Not Found"} or a validation list.
  if (typeof o.detail === 'string') return { message: o.detail };
  if (Array.isArray(o.detail)) {
    const msgs = o.detail.map((d) => (d as { msg?: unknown }).msg).filter((m): m is string => typeof m === 'string');
    if (msgs.length > 0) return { message: msgs.join('; ') };
  }
  return undefined;
}

function codeOf(code: unknown): { code?: number | string } {
  return typeof code === 'number' || typeof code === 'string' ? { code } : {};
}

/** Feeds decoded text into an SSE parser and hands each event's data to `onData`. */
export function createSseDecoder(onData: (data: string) => void): EventSourceParser {
  return createParser({ onEvent: (event) => onData(event.data) });
}

/**
 * Splits text that carries reasoning inside `<think>…</think>` (models served without a reasoning
 * parser) into reasoning and answer, across chunk boundaries (a tag may arrive split over chunks).
 * Only a `<think>` at the start of the answer (after whitespace) opens reasoning; the whitespace
 * after `</think>` is dropped. `startInside`: the stream begins inside the reasoning (chat templates
 * that put `<think>` in the prompt).
 */
export class ThinkSplitter {
  private state: 'start' | 'reasoning' | 'after' | 'content';
  private pending = '';

  constructor(startInside = false) {
    this.state = startInside ? 'reasoning' : 'start';
  }

  /** Returns the reasoning and the answer text this chunk completes. */
  push(text: string): { reasoning: string; content: string } {
    let buf = this.pending + text;
    this.pending = '';
    let reasoning = '';
    let content = '';
    for (;;) {
      if (this.state === 'start') {
        const trimmed = buf.trimStart();
        if (trimmed === '' || (OPEN.startsWith(trimmed) && trimmed !== OPEN)) {
          this.pending = buf; // whitespace or a partial "<think": wait for more
          break;
        }
        if (trimmed.startsWith(OPEN)) {
          this.state = 'reasoning';
          buf = trimmed.slice(OPEN.length);
          continue;
        }
        this.state = 'content';
        continue;
      }
      if (this.state === 'reasoning') {
        const at = buf.indexOf(CLOSE);
        if (at >= 0) {
          reasoning += buf.slice(0, at);
          buf = buf.slice(at + CLOSE.length);
          this.state = 'after';
          continue;
        }
        const keep = partialSuffix(buf, CLOSE);
        reasoning += buf.slice(0, buf.length - keep);
        this.pending = buf.slice(buf.length - keep);
        break;
      }
      if (this.state === 'after') {
        const trimmed = buf.trimStart();
        if (trimmed === '') break;
        buf = trimmed;
        this.state = 'content';
        continue;
      }
      content += buf;
      break;
    }
    return { reasoning, content };
  }

  /** Flushes what is held back at the end of the stream. */
  end(): { reasoning: string; content: string } {
    const rest = this.pending;
    this.pending = '';
    if (this.state === 'reasoning') return { reasoning: rest, content: '' };
    return { reasoning: '', content: rest.trim() === '' ? '' : rest };
  }
}

const OPEN = '<think>';
const CLOSE = '</think>';

/** Length of the longest suffix of `s` that is a proper prefix of `tag`. */
function partialSuffix(s: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, s.length); n > 0; n--) {
    if (s.endsWith(tag.slice(0, n))) return n;
  }
  return 0;
}
