/**
 * Entry point: builds the program, runs it, and is the only place that turns errors into exit
 * codes (and the only caller of process.exit: a second Ctrl-C, or a closed output pipe).
 */
import { CommanderError } from 'commander';
import { Redactor } from '../core/secrets.js';
import type { CliEnv } from './cli-env.js';
import { buildProgram } from './program.js';

// ExitCode.ok / ExitCode.usage of src/core/errors.ts, as literals: every module this file imports
// statically is loaded by `kindling --help`, and each extra chunk costs start-up time (bench/startup.mjs).
// test/unit/core/errors-render.test.ts checks that they still agree.
export const EXIT_OK = 0;
export const EXIT_USAGE = 2;

export async function main(argv: string[], cli: CliEnv = processCliEnv()): Promise<number> {
  const program = buildProgram(cli);
  try {
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    const verbose = argv.includes('--verbose') || argv.includes('-v');
    // Late imports: the renderer and styling are only needed when something failed.
    const [{ renderError }, { createStyle, wantsColor }] = await Promise.all([import('./errors-render.js'), import('../core/style.js')]);
    const style = createStyle(wantsColor(cli.stderr, cli.env, !argv.includes('--no-color')));
    const rendered = renderError(error, style, cli.redactor, verbose);
    cli.stderr.write(rendered.text);
    return rendered.exitCode;
  }
}

/** Help and version exit 0; every other commander error (unknown command or flag …) is usage: 2. */
function commanderExitCode(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
    return EXIT_OK;
  }
  return EXIT_USAGE;
}

function processCliEnv(): CliEnv {
  // A reader that went away (`kindling --help | head`) is not an error: stop quietly, as Unix tools do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  return {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    // A getter: process.stdin builds a stream on first access, which `--help` never needs (start-up time).
    get stdin() {
      return process.stdin;
    },
    redactor: new Redactor(),
    onSignal: (signal, handler) => {
      process.on(signal, handler);
      return () => process.off(signal, handler);
    },
    forceExit: (code) => process.exit(code),
  };
}

/** Runs main and sets the exit code; used by bin/kindling.js. */
export async function run(): Promise<void> {
  process.exitCode = await main(process.argv);
}
