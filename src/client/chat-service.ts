/**
 * `kindling chat`: one streamed answer (-p) or an interactive session, against a deployed model or
 * any OpenAI-compatible endpoint. See chat.ts for the client and why it is not the openai SDK.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';
import type { Writer } from '../core/io.js';
import { AnswerPrinter, streamAnswer, type AnswerSink, type ChatMessage, type ChatParams } from './chat.js';
import { toUserError } from './describe.js';
import { connect, resolveApiKey, resolveEndpoint, type ClusterEndpointDiscovery } from './endpoint.js';
import { runRepl } from './repl.js';

export interface ChatOptions {
  model?: string;
  endpoint?: string;
  /** -p: one answer; '-' reads the prompt from stdin. */
  prompt?: string;
  system?: string;
  /** false with --no-reasoning. */
  reasoning: boolean;
  maxTokens?: number;
  temperature?: number;
  json: boolean;
  apiKeyEnv?: string;
  discover?: ClusterEndpointDiscovery;
}

export interface ChatTerminal {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: Writer;
  stderr: Writer;
  /** ANSI styling allowed (neither NO_COLOR nor --no-color); each stream is styled only if it is a TTY. */
  color: boolean;
}

/** The --json result of `chat -p`. */
export interface ChatJson {
  model: string;
  endpoint: string;
  content: string;
  reasoning_content: string | null;
  finish_reason: string | null;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  ttft_ms: number | null;
  latency_ms: number;
}

export async function runChat(ctx: Context, options: ChatOptions, term: ChatTerminal): Promise<void> {
  if (options.json && options.prompt === undefined) {
    throw new UserError('--json needs a prompt: kindling chat -p PROMPT --json', {
      fix: "kindling chat -p 'Who are you?' --json",
    });
  }
  const apiKey = resolveApiKey(ctx, options.apiKeyEnv);
  const resolved = await resolveEndpoint(options.model, ctx, {
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.discover ? { discover: options.discover } : {}),
  });
  const conn = await connect(ctx, resolved, options.model, apiKey, { connections: 1 });
  const endpoint = conn.endpoint.display;
  ctx.io.debug(`chat: model ${conn.model} at ${endpoint} (${resolved.source})`);
  const params: ChatParams = {
    model: conn.model,
    ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
    ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
  };
  try {
    if (options.prompt !== undefined) {
      const prompt = options.prompt === '-' ? await readAll(term.stdin) : options.prompt;
      if (prompt.trim() === '') throw new UserError('The prompt is empty.', { fix: "kindling chat -p 'Who are you?'" });
      const messages: ChatMessage[] = [
        ...(options.system !== undefined ? [{ role: 'system' as const, content: options.system }] : []),
        { role: 'user', content: prompt },
      ];
      if (options.json) {
        const sink: AnswerSink = { reasoning: () => undefined, content: () => undefined };
        const answer = await streamAnswer(conn.client, params, messages, sink, ctx.signal).catch((error: unknown) => {
          throw toUserError(error, endpoint, ctx.signal);
        });
        const json: ChatJson = {
          model: conn.model,
          endpoint,
          content: answer.content,
          reasoning_content: answer.reasoning === '' ? null : answer.reasoning,
          finish_reason: answer.finishReason,
          usage: answer.usage
            ? {
                prompt_tokens: answer.usage.prompt_tokens,
                completion_tokens: answer.usage.completion_tokens,
                total_tokens: answer.usage.total_tokens ?? answer.usage.prompt_tokens + answer.usage.completion_tokens,
              }
            : null,
          ttft_ms: answer.ttftMs ?? null,
          latency_ms: answer.latencyMs,
        };
        ctx.io.result(json, (j) => j.content);
        return;
      }
      const printer = new AnswerPrinter({ stdout: term.stdout, stderr: term.stderr, showReasoning: options.reasoning, color: term.color });
      try {
        const answer = await streamAnswer(conn.client, params, messages, printer, ctx.signal);
        printer.finish();
        if (answer.finishReason === 'length') ctx.io.warn('The answer was cut off at the token limit (--max-tokens).');
      } catch (error) {
        printer.finish();
        throw toUserError(error, endpoint, ctx.signal);
      }
      return;
    }

    const stdout = term.stdout as Writer & NodeJS.WritableStream;
    await runRepl({
      input: term.stdin,
      stdout,
      stderr: term.stderr,
      terminal: term.stdin.isTTY === true && stdout.isTTY === true,
      color: term.color && stdout.isTTY === true,
      showReasoning: options.reasoning,
      ...(options.system !== undefined ? { system: options.system } : {}),
      model: conn.model,
      endpoint,
      signal: ctx.signal,
      ask: (messages, sink, signal) => streamAnswer(conn.client, params, messages, sink, AbortSignal.any([signal, ctx.signal])),
      describeError: (error) => describeForRepl(toUserError(error, endpoint), ctx),
      history: loadHistory(ctx),
      saveHistory: (lines) => saveHistory(ctx, lines),
    });
  } finally {
    await conn.close();
  }
}

/** An error inside the session: its message and fix, redacted, without ending the session. */
function describeForRepl(error: Error, ctx: Context): string {
  const lines = [`Error: ${error.message}`];
  if (error instanceof UserError) {
    for (const d of error.details) lines.push(`  ${d}`);
    for (const f of error.fix) lines.push(`  fix: ${f}`);
  }
  return ctx.redactor.redact(lines.join('\n'));
}

/** Input lines of earlier sessions, kept in kindling's state dir (like a shell's history), newest first. */
function historyFile(ctx: Context): string {
  return join(ctx.paths.stateDir, 'chat_history');
}

function loadHistory(ctx: Context): string[] {
  try {
    return readFileSync(historyFile(ctx), 'utf8').split('\n').filter((l) => l !== '').reverse();
  } catch {
    return [];
  }
}

function saveHistory(ctx: Context, lines: string[]): void {
  try {
    mkdirSync(ctx.paths.stateDir, { recursive: true });
    const kept = lines.filter((l) => l.trim() !== '' && !l.includes('\n')).slice(0, 1000).reverse();
    writeFileSync(historyFile(ctx), kept.map((l) => `${l}\n`).join(''), { mode: 0o600 });
  } catch {
    // History is a convenience: never fail the session for it.
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
