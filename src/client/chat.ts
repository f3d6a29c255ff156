/**
 * The chat client behind `kindling chat`.
 *
 * Design choice: a thin client of our own (undici Pool + eventsource-parser, in openai-http.ts), not
 * the `openai` SDK. The SDK would give typed chunks, but here it costs more than it gives:
 * - one streaming decoder for chat and bench, tested once against the fake vLLM server;
 * - no hidden retries (the SDK retries twice by default, which turns "model still loading" into a
 *   long silent wait) and errors that keep vLLM's own message and HTTP status;
 * - vLLM's fields the SDK does not type (`reasoning_content`/`reasoning`, `ignore_eos`);
 * - nothing more to load at start-up than what bench already needs.
 *
 * Reasoning is kept apart from the answer whether the server sends it as `reasoning_content` deltas
 * or as `<think>…</think>` inside the content (ThinkSplitter).
 */
import { performance } from 'node:perf_hooks';
import type { Writer } from '../core/io.js';
import { streamChatCompletion, type ClientConfig } from './openai-http.js';
import { ThinkSplitter, type Usage } from './sse.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatParams {
  model: string;
  maxTokens?: number;
  temperature?: number;
}

/** Where an answer's text goes while it streams. */
export interface AnswerSink {
  reasoning(text: string): void;
  content(text: string): void;
}

export interface Answer {
  content: string;
  reasoning: string;
  finishReason: string | null;
  usage?: Usage;
  /** Time to the first reasoning or answer text, ms. */
  ttftMs?: number;
  latencyMs: number;
}

export function chatRequestBody(params: ChatParams, messages: ChatMessage[]): string {
  return JSON.stringify({
    model: params.model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
    ...(params.maxTokens !== undefined ? { max_tokens: params.maxTokens } : {}),
    ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
  });
}

/** Streams one answer into `sink`; rejects with the client's errors (see openai-http.ts). */
export async function streamAnswer(
  client: ClientConfig,
  params: ChatParams,
  messages: ChatMessage[],
  sink: AnswerSink,
  signal?: AbortSignal,
): Promise<Answer> {
  const splitter = new ThinkSplitter();
  let content = '';
  let reasoning = '';
  let first: number | undefined;
  const emit = (r: string, c: string) => {
    if (r !== '') {
      reasoning += r;
      sink.reasoning(r);
    }
    if (c !== '') {
      content += c;
      sink.content(c);
    }
  };
  const body = chatRequestBody(params, messages);
  const t0 = performance.now();
  const outcome = await streamChatCompletion(
    client,
    body,
    (delta, t) => {
      if (!delta.empty && first === undefined) first = t;
      const split = delta.content === '' ? { reasoning: '', content: '' } : splitter.push(delta.content);
      emit(delta.reasoning + split.reasoning, split.content);
    },
    signal,
  );
  const rest = splitter.end();
  emit(rest.reasoning, rest.content);
  return {
    content,
    reasoning,
    finishReason: outcome.finishReason,
    ...(outcome.usage ? { usage: outcome.usage } : {}),
    ...(first !== undefined ? { ttftMs: first - t0 } : {}),
    latencyMs: performance.now() - t0,
  };
}

export interface PrinterOptions {
  stdout: Writer;
  stderr: Writer;
  /** Show reasoning at all (--no-reasoning: false). */
  showReasoning: boolean;
  /** ANSI styling allowed (not NO_COLOR / --no-color). */
  color: boolean;
}

const DIM = '\x1b[2m';
const ITALIC = '\x1b[3m';
const RESET_DIM = '\x1b[22m\x1b[23m';

/**
 * Prints a streamed answer: the answer on stdout; the reasoning dimmed before it when stdout is a
 * terminal, or on stderr when stdout is not a terminal (so `kindling chat -p … > answer.txt` keeps
 * only the answer), or nowhere with --no-reasoning.
 */
export class AnswerPrinter implements AnswerSink {
  private reasoningOpen = false;
  private reasoningEndsWithNewline = true;
  private wroteContent = false;
  private contentEndsWithNewline = true;

  constructor(private readonly options: PrinterOptions) {}

  private get reasoningToStdout(): boolean {
    return this.options.stdout.isTTY === true;
  }

  reasoning(text: string): void {
    if (!this.options.showReasoning || text === '') return;
    const out = this.reasoningToStdout ? this.options.stdout : this.options.stderr;
    const styled = this.options.color && out.isTTY === true;
    if (!this.reasoningOpen) {
      this.reasoningOpen = true;
      if (!styled) out.write(this.reasoningToStdout ? '[thinking]\n' : '');
      text = text.replace(/^\s+/, '');
      if (text === '') return;
    }
    out.write(styled ? `${DIM}${ITALIC}${text}${RESET_DIM}` : text);
    this.reasoningEndsWithNewline = text.endsWith('\n');
  }

  content(text: string): void {
    if (text === '') return;
    if (!this.wroteContent) {
      this.closeReasoning();
      text = text.replace(/^\n+/, '');
      if (text === '') return;
    }
    this.wroteContent = true;
    this.options.stdout.write(text);
    this.contentEndsWithNewline = text.endsWith('\n');
  }

  /** Ends the answer with a newline (and closes the reasoning block if there was no answer). */
  finish(): void {
    this.closeReasoning();
    if (this.wroteContent && !this.contentEndsWithNewline) this.options.stdout.write('\n');
  }

  private closeReasoning(): void {
    if (!this.reasoningOpen) return;
    this.reasoningOpen = false;
    const out = this.reasoningToStdout ? this.options.stdout : this.options.stderr;
    const styled = this.options.color && out.isTTY === true;
    const nl = this.reasoningEndsWithNewline ? '' : '\n';
    if (this.reasoningToStdout) out.write(styled ? `${nl}\n` : `${nl}[/thinking]\n\n`);
    else out.write(nl);
  }
}
