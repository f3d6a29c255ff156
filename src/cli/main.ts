/**
 * Entry point: builds the program, runs it, and is the only place that turns errors into exit
 * codes (and the only caller of process.exit, for a second Ctrl-C).
 */
import { CommanderError } from 'commander';
import { ExitCode } from '../core/errors.js';
import { Redactor } from '../core/secrets.js';
import { createStyle, wantsColor } from '../core/style.js';
import type { CliEnv } from './cli-env.js';
import { buildProgram } from './program.js';

export async function main(argv: string[], cli: CliEnv = processCliEnv()): Promise<number> {
  const program = buildProgram(cli);
  try {
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    const verbose = argv.includes('--verbose') || argv.includes('-v');
    const style = createStyle(wantsColor(cli.stderr, cli.env, !argv.includes('--no-color')));
    // Late import: the renderer is only needed when something failed.
    const { renderError } = await import('./errors-render.js');
    const rendered = renderError(error, style, cli.redactor, verbose);
    cli.stderr.write(rendered.text);
    return rendered.exitCode;
  }
}

/** Help and version exit 0; every other commander error (unknown command or flag …) is usage: 2. */
function commanderExitCode(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
    return ExitCode.ok;
  }
  return ExitCode.usage;
}

function processCliEnv(): CliEnv {
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
