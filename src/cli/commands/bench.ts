/**
 * `kindling bench [MODEL]`: load-test a deployed model (or any OpenAI-compatible endpoint) the way
 * vLLM's benchmark_serving does. The service is src/client/bench-service.ts.
 */
import { InvalidArgumentError, type Command } from '@commander-js/extra-typings';
import type { CliEnv } from '../cli-env.js';

const DEFAULT_CONCURRENCY = 8;

export function registerBench(program: Command, cli: CliEnv): void {
  program
    .command('bench')
    .description('benchmark a deployed model: TTFT, TPOT, ITL, end-to-end latency, throughput and goodput (vLLM benchmark_serving metrics)')
    .argument('[model]', 'deployed model name; with --endpoint, the model id the server serves (default: its first)')
    .option('--endpoint <url>', 'OpenAI-compatible server URL, e.g. http://127.0.0.1:8000 (with or without /v1)')
    .option('-n, --requests <n>', 'requests to measure', positiveInt, 100)
    .option('-c, --concurrency <n>', `closed loop: requests in flight (default ${DEFAULT_CONCURRENCY}); with --rate: the most in flight`, positiveInt)
    .option('-r, --rate <r>', "open loop: requests per second, gamma-distributed arrivals ('inf': all at once)", rate)
    .option('--burstiness <b>', 'with --rate: gamma shape of the gaps between arrivals (1 = Poisson, <1 burstier, >1 steadier)', positiveNumber)
    .option('--input-len <n>', 'synthetic prompts: words per prompt (about one token each)', positiveInt, 256)
    .option('--output-len <n>', 'output tokens per request (max_tokens with ignore_eos)', positiveInt, 128)
    .option('--dataset <file.jsonl>', 'prompts from a JSONL file: {"prompt": …} or {"messages": […]} (or ShareGPT) per line, with optional "max_tokens"')
    .option('--warmup <n>', 'requests sent and discarded before measuring', nonNegativeInt, 1)
    .option('--slo <limits>', 'goodput: requests within all limits, e.g. ttft=200ms,tpot=50ms,e2el=10s')
    .option('--seed <n>', 'seed of the synthetic prompts and the arrival times', nonNegativeInt, 0)
    .option('--json', 'print the result as JSON with the keys of vLLM benchmark_serving')
    .option('--out <file.jsonl>', 'write one JSON line per request (timings, tokens, error)')
    .option('--report <file.html>', 'write a self-contained HTML report with charts')
    .option('--api-key-env <var>', 'environment variable that holds the API key (default: OPENAI_API_KEY when set)')
    .addHelpText(
      'after',
      `
Closed loop (default): --concurrency requests are always in flight. Open loop: --rate requests per
second arrive whether or not earlier ones finished (Poisson with --burstiness 1), optionally capped
by --concurrency. Every request asks for exactly --output-len tokens (max_tokens + ignore_eos);
token counts come from the server's usage. TTFT is the first chunk with content or reasoning.
Failures are counted and listed, never retried.

Examples:
  $ kindling bench                                        # 100 requests, 8 in flight, 256 in / 128 out
  $ kindling bench qwen -c 32 -n 500 --report bench.html
  $ kindling bench --endpoint http://127.0.0.1:8000 --rate 4 --burstiness 0.5 -n 200
  $ kindling bench --dataset prompts.jsonl --slo ttft=500ms,tpot=50ms --json > result.json

Exit codes: 0 ran (failed requests are in the result), 1 every request failed or the server cannot be reached, 2 bad usage, 130 interrupted (the partial result is printed).`,
    )
    .action(async (model, opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts } as { color?: boolean; json?: boolean; verbose?: boolean; quiet?: boolean };
      const { runCommand } = await import('../run.js');
      await runCommand(cli, flags, async (ctx) => {
        const { UserError } = await import('../../core/errors.js');
        const { runBench, parseSlo } = await import('../../client/bench-service.js');
        const { VERSION } = await import('../version.js');
        if (opts.burstiness !== undefined && opts.rate === undefined) {
          throw new UserError('--burstiness needs --rate (it shapes the arrivals of the open loop).', {
            fix: 'kindling bench --rate 4 --burstiness 0.5',
          });
        }
        if (opts.dataset !== undefined && cmd.getOptionValueSource('inputLen') === 'cli') {
          throw new UserError('--input-len and --dataset do not go together: the dataset sets the prompts.', {
            fix: 'Leave out --input-len, or --dataset.',
          });
        }
        await runBench(ctx, {
          ...(model !== undefined ? { model } : {}),
          ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
          ...(opts.endpoint === undefined ? { discover: (await import('../../serving/discovery.js')).discoverModelEndpoint } : {}),
          requests: opts.requests,
          ...(opts.rate === undefined
            ? { concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY }
            : { rate: opts.rate, ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}) }),
          burstiness: opts.burstiness ?? 1,
          inputLen: opts.inputLen,
          outputLen: opts.outputLen,
          ...(opts.dataset !== undefined ? { dataset: opts.dataset } : {}),
          warmup: opts.warmup,
          ...(opts.slo !== undefined ? { slo: parseSlo(opts.slo) } : {}),
          seed: opts.seed,
          ...(opts.out !== undefined ? { out: opts.out } : {}),
          ...(opts.report !== undefined ? { report: opts.report } : {}),
          ...(opts.apiKeyEnv !== undefined ? { apiKeyEnv: opts.apiKeyEnv } : {}),
          generator: `kindling ${VERSION}`,
        });
      });
    });
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer.');
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('must be an integer ≥ 0.');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number > 0.');
  return n;
}

function rate(value: string): number {
  if (/^inf(inity)?$/i.test(value.trim())) return Infinity;
  return positiveNumber(value);
}
