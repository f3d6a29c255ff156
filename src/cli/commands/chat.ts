/**
 * `kindling chat [MODEL]`: talk to a deployed model (or any OpenAI-compatible endpoint) — one
 * streamed answer with -p, else an interactive session. The service is src/client/chat-service.ts.
 */
import { InvalidArgumentError, type Command } from '@commander-js/extra-typings';
import type { CliEnv } from '../cli-env.js';

export function registerChat(program: Command, cli: CliEnv): void {
  program
    .command('chat')
    .description('chat with a deployed model: one streamed answer (-p) or an interactive session')
    .argument('[model]', 'deployed model name; with --endpoint, the model id the server serves (default: its first)')
    .option('--endpoint <url>', 'OpenAI-compatible server URL, e.g. http://127.0.0.1:8000 (with or without /v1)')
    .option('-p, --prompt <text>', "ask one question, stream the answer to stdout and exit ('-' reads it from stdin)")
    .option('--system <text>', 'system prompt')
    .option('--no-reasoning', 'hide the model\'s reasoning (reasoning_content or <think>…</think>)')
    .option('--max-tokens <n>', 'longest answer, in tokens', positiveInt)
    .option('--temperature <t>', 'sampling temperature (server default when not given)', nonNegativeNumber)
    .option('--json', 'with -p: print the answer, reasoning, usage and timings as one JSON object')
    .option('--api-key-env <var>', 'environment variable that holds the API key (default: OPENAI_API_KEY when set)')
    .addHelpText(
      'after',
      `
Reasoning is shown apart from the answer: dimmed before it on a terminal, on stderr when stdout is
not a terminal (so a redirected answer stays clean).

In the session: /reset forgets the conversation, /system TEXT sets the system prompt, /history
prints the conversation, /exit (or Ctrl-D) quits; end a line with \\ or wrap text in """ for
multi-line input; Ctrl-C cancels the answer being written, not the session.

Examples:
  $ kindling chat                                   # session with the deployed model
  $ kindling chat qwen -p 'Who are you?'            # one answer, then exit
  $ kindling chat --endpoint http://127.0.0.1:8000 -p 'Hi' --no-reasoning > answer.txt
  $ echo 'Summarize: ...' | kindling chat -p - --json | jq -r .content
  $ OPENAI_API_KEY=... kindling chat --endpoint https://api.example.com/v1 my-model

Exit codes: 0 ok, 1 the server failed or could not be reached, 2 bad usage or unknown model, 130 interrupted.`,
    )
    .action(async (model, opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts } as { color?: boolean; json?: boolean; verbose?: boolean; quiet?: boolean };
      const { runCommand } = await import('../run.js');
      const { wantsColor } = await import('../../core/style.js');
      await runCommand(cli, flags, async (ctx) => {
        const { runChat } = await import('../../client/chat-service.js');
        await runChat(
          ctx,
          {
            ...(model !== undefined ? { model } : {}),
            ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
            ...(opts.endpoint === undefined ? { discover: (await import('../../serving/discovery.js')).discoverModelEndpoint } : {}),
            ...(opts.prompt !== undefined ? { prompt: opts.prompt } : {}),
            ...(opts.system !== undefined ? { system: opts.system } : {}),
            reasoning: opts.reasoning,
            ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}),
            ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
            json: opts.json === true,
            ...(opts.apiKeyEnv !== undefined ? { apiKeyEnv: opts.apiKeyEnv } : {}),
          },
          {
            stdin: cli.stdin,
            stdout: cli.stdout,
            stderr: cli.stderr,
            color: wantsColor({ isTTY: true }, cli.env, flags.color),
          },
        );
      });
    });
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer.');
  return n;
}

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number ≥ 0.');
  return n;
}
