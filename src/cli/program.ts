/**
 * The commander program. Only command registrations are imported here — each registration is a few
 * option definitions and an action that lazily imports its service — so `kindling --help` loads
 * nothing else (see bench/startup).
 */
import { Command } from '@commander-js/extra-typings';
import type { CliEnv } from './cli-env.js';
import { commandRegistrations } from './commands/index.js';

// The version is computed here rather than imported from ./version.js: that module is also imported
// lazily elsewhere, so esbuild would split it into its own chunk — one more file for every start-up.
declare const __KINDLING_VERSION__: string | undefined;
const VERSION: string = typeof __KINDLING_VERSION__ === 'string' ? __KINDLING_VERSION__ : '0.0.0-dev';

export function buildProgram(cli: CliEnv): Command {
  const program = new Command('kindling')
    .description(
      'From a bare Linux GPU host to a local multi-node Kubernetes (kind) cluster serving LLMs with vLLM.',
    )
    .version(VERSION, '-V, --version', 'print the kindling version')
    .helpOption('-h, --help', 'show help')
    .option('-v, --verbose', 'show every command kindling runs and debug detail')
    .option('-q, --quiet', 'print only warnings, errors and results')
    .option('--no-color', 'plain output without ANSI colors (also: NO_COLOR=1)')
    .configureOutput({
      writeOut: (s) => cli.stdout.write(s),
      writeErr: (s) => cli.stderr.write(s),
    })
    .exitOverride()
    .showSuggestionAfterError(true)
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      'after',
      `
Examples:
  $ kindling doctor                 # what this host has and lacks, each with its fix
  $ kindling up                     # host check → kind cluster with GPUs → GPU Operator → vLLM
  $ kindling up --dry-run --num-gpus 4
  $ kindling chat -p 'Who are you?'

Exit codes: 0 ok, 1 failed, 2 usage or preflight (nothing changed), 70 internal error, 130 interrupted.`,
    );
  for (const register of commandRegistrations) register(program, cli);
  return program;
}

export type Program = ReturnType<typeof buildProgram>;
