/**
 * The interactive chat loop of `kindling chat` (no -p): streamed answers, the conversation kept as
 * history, line editing and arrow-key history on a terminal, commands (/reset, /system, /history,
 * /help, /exit), multi-line input (a line ending in `\` continues; `"""` opens and closes a block),
 * and Ctrl-C that cancels the answer being streamed — not the session (at an empty prompt it asks
 * for a second Ctrl-C, or /exit, or Ctrl-D).
 *
 * Streams are injected, so tests drive it with PassThrough streams (terminal mode included).
 */
import { createInterface, type Interface } from 'node:readline';
import type { Writer } from '../core/io.js';
import { AnswerPrinter, type Answer, type AnswerSink, type ChatMessage } from './chat.js';

export interface ReplOptions {
  input: NodeJS.ReadableStream;
  /** Answers (and, on a terminal, the prompt). */
  stdout: Writer & NodeJS.WritableStream;
  /** Notices and errors. */
  stderr: Writer;
  /** Line editing, prompt and Ctrl-C handling by readline (stdin is a TTY). */
  terminal: boolean;
  color: boolean;
  showReasoning: boolean;
  system?: string;
  model: string;
  endpoint: string;
  /** Sends the conversation and streams the answer into `sink`. */
  ask: (messages: ChatMessage[], sink: AnswerSink, signal: AbortSignal) => Promise<Answer>;
  /** A failed answer, as a message for the user (the session goes on). */
  describeError: (error: unknown) => string;
  /** Ends the session (SIGTERM, or Ctrl-C delivered as a signal when stdin is not a terminal). */
  signal?: AbortSignal;
  /** Input lines of earlier sessions, newest first (arrow-up history on a terminal). */
  history?: string[];
  /** Called with the input history (newest first) when the session ends, to keep it. */
  saveHistory?: (history: string[]) => void;
}

export const REPL_HELP = `Commands:
  /help             this help
  /reset            forget the conversation (keeps the system prompt)
  /system TEXT      set the system prompt (/system alone shows it, /system - removes it)
  /history          print the conversation so far
  /exit             quit (also /quit, Ctrl-D)
Input:
  end a line with \\ to continue on the next line; """ on its own line starts and ends a block
  Ctrl-C cancels the answer being written; at an empty prompt, press it twice to quit`;

export async function runRepl(o: ReplOptions): Promise<void> {
  const rl: Interface = createInterface({
    input: o.input,
    ...(o.terminal ? { output: o.stdout } : {}),
    terminal: o.terminal,
    historySize: 1000,
    ...(o.terminal && o.history ? { history: o.history.slice(0, 1000) } : {}),
    prompt: o.color ? '\x1b[1m›\x1b[22m ' : '> ',
  });
  const dim = (s: string) => (o.color ? `\x1b[2m${s}\x1b[22m` : s);
  const notice = (s: string) => o.stderr.write(`${dim(s)}\n`);

  let system = o.system;
  const history: ChatMessage[] = [];
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  let current: AbortController | undefined;
  let partial: string[] | undefined;
  let lastInterrupt = 0;

  rl.on('line', (line) => {
    lastInterrupt = 0;
    lines.push(line);
    wake?.();
  });
  // Input ended (Ctrl-D, end of piped input): the answer being written still finishes.
  rl.on('close', () => {
    closed = true;
    wake?.();
  });
  rl.on('SIGINT', () => {
    if (current) {
      current.abort();
      return;
    }
    if (rl.line !== '' || partial !== undefined) {
      partial = undefined;
      rl.write(null, { ctrl: true, name: 'u' });
      o.stdout.write('\n');
      rl.setPrompt(o.color ? '\x1b[1m›\x1b[22m ' : '> ');
      rl.prompt();
      return;
    }
    const now = Date.now();
    if (now - lastInterrupt < 3000) {
      rl.close();
      return;
    }
    lastInterrupt = now;
    o.stdout.write('\n');
    notice('(To quit, press Ctrl-C again, type /exit or press Ctrl-D.)');
    rl.prompt();
  });
  const onSessionAbort = () => {
    current?.abort();
    rl.close();
  };
  o.signal?.addEventListener('abort', onSessionAbort, { once: true });

  const nextLine = async (): Promise<string | undefined> => {
    while (lines.length === 0 && !closed) await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
    return lines.shift();
  };

  /** One message: a line, or lines joined by a trailing backslash or a """ block. */
  const readMessage = async (): Promise<string | undefined> => {
    let line = await nextLine();
    if (line === undefined) return undefined;
    if (line.trim() === '"""') {
      partial = [];
      rl.setPrompt(dim('… '));
      for (;;) {
        if (o.terminal) rl.prompt();
        line = await nextLine();
        if (line === undefined || partial === undefined) break;
        if (line.trim() === '"""') break;
        partial.push(line);
      }
      const text = partial?.join('\n');
      partial = undefined;
      rl.setPrompt(o.color ? '\x1b[1m›\x1b[22m ' : '> ');
      return line === undefined ? undefined : (text ?? '');
    }
    if (!line.endsWith('\\')) return line;
    partial = [line.slice(0, -1)];
    rl.setPrompt(dim('… '));
    for (;;) {
      if (o.terminal) rl.prompt();
      line = await nextLine();
      if (line === undefined || partial === undefined) break;
      if (line.endsWith('\\')) partial.push(line.slice(0, -1));
      else {
        partial.push(line);
        break;
      }
    }
    const text = partial?.join('\n');
    partial = undefined;
    rl.setPrompt(o.color ? '\x1b[1m›\x1b[22m ' : '> ');
    return line === undefined ? undefined : (text ?? '');
  };

  if (o.terminal) {
    notice(`Chatting with ${o.model} at ${o.endpoint}. /help for commands; Ctrl-C cancels an answer; /exit or Ctrl-D quits.`);
  }
  try {
    for (;;) {
      if (o.terminal) rl.prompt();
      const text = await readMessage();
      if (text === undefined) break;
      if (text.trim() === '') continue;
      if (text.startsWith('/') && !text.startsWith('//')) {
        const cmd = text.trim().split(/\s+/)[0] ?? '';
        const arg = text.trim().slice(cmd.length).trim();
        if (cmd === '/exit' || cmd === '/quit' || cmd === '/q') break;
        if (cmd === '/reset' || cmd === '/clear') {
          history.length = 0;
          notice('(conversation cleared)');
        } else if (cmd === '/system') {
          if (arg === '') notice(system === undefined ? '(no system prompt)' : `system: ${system}`);
          else if (arg === '-') {
            system = undefined;
            notice('(system prompt removed)');
          } else {
            system = arg;
            notice('(system prompt set)');
          }
        } else if (cmd === '/history') {
          if (system !== undefined) o.stdout.write(`${dim('system:')} ${system}\n`);
          for (const m of history) o.stdout.write(`${dim(`${m.role}:`)} ${m.content}\n`);
          if (history.length === 0) notice('(no conversation yet)');
        } else if (cmd === '/help') {
          o.stderr.write(`${REPL_HELP}\n`);
        } else {
          notice(`Unknown command ${cmd}; /help lists them (start a message with // to send a leading /).`);
        }
        continue;
      }
      const userText = text.startsWith('//') ? text.slice(1) : text;
      const messages: ChatMessage[] = [
        ...(system !== undefined ? [{ role: 'system' as const, content: system }] : []),
        ...history,
        { role: 'user', content: userText },
      ];
      const printer = new AnswerPrinter({ stdout: o.stdout, stderr: o.stderr, showReasoning: o.showReasoning, color: o.color });
      const controller = new AbortController();
      current = controller;
      try {
        const answer = await o.ask(messages, printer, controller.signal);
        printer.finish();
        history.push({ role: 'user', content: userText }, { role: 'assistant', content: answer.content });
        if (answer.finishReason === 'length') notice('(the answer was cut off at the token limit: --max-tokens)');
      } catch (error) {
        printer.finish();
        if (controller.signal.aborted) {
          if (o.signal?.aborted) break;
          o.stdout.write('\n');
          notice('(answer cancelled)');
        } else o.stderr.write(`${o.describeError(error)}\n`);
      } finally {
        current = undefined;
      }
      if (o.terminal) o.stdout.write('\n');
    }
  } finally {
    o.signal?.removeEventListener('abort', onSessionAbort);
    const history = (rl as unknown as { history?: string[] }).history;
    rl.close();
    if (o.terminal && history && o.saveHistory) o.saveHistory(history);
  }
}
