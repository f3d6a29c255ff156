/**
 * The one top-level error handler: maps every error to an exit code and a message a person can act
 * on. No stack traces, except for a BugError (or an unknown error) under --verbose.
 */
import { BugError, ExitCode, ExternalError, InterruptedError, KindlingError, UserError } from '../core/errors.js';
import type { Redactor } from '../core/secrets.js';
import type { Style } from '../core/style.js';

export interface RenderedError {
  exitCode: number;
  text: string;
}

export function renderError(error: unknown, style: Style, redactor: Redactor, verbose: boolean): RenderedError {
  const lines: string[] = [];
  const fixBlock = (fix: string[]) => {
    if (fix.length === 0) return;
    lines.push('', style.bold(fix.length === 1 ? 'Fix:' : 'Fix (in order):'));
    for (const f of fix) lines.push(`  ${f}`);
  };
  let exitCode: number = ExitCode.failed;
  if (error instanceof UserError) {
    exitCode = error.exitCode;
    lines.push(`${style.red('Error:')} ${error.message}`);
    for (const d of error.details) lines.push(`  ${d}`);
    fixBlock(error.fix);
  } else if (error instanceof ExternalError) {
    exitCode = error.exitCode;
    lines.push(`${style.red('Error:')} ${error.message}`);
    lines.push(`  command:   ${error.command}`);
    if (error.commandExitCode !== null) lines.push(`  exit code: ${error.commandExitCode}`);
    if (error.stderrTail !== '') {
      lines.push('  output (last lines):');
      for (const l of error.stderrTail.split('\n')) lines.push(`    ${l}`);
    }
    fixBlock(error.fix);
  } else if (error instanceof InterruptedError) {
    exitCode = error.exitCode;
    lines.push(`${style.yellow('Interrupted.')} ${error.message === 'Interrupted.' ? '' : error.message}`.trimEnd());
    if (error.leftHalfDone.length > 0) {
      lines.push('Left half-done (the next run resumes from here):');
      for (const l of error.leftHalfDone) lines.push(`  - ${l}`);
    }
  } else if (error instanceof KindlingError) {
    exitCode = error.exitCode;
    lines.push(`${style.red('Error:')} ${error.message}`);
  } else {
    exitCode = ExitCode.bug;
    const message = error instanceof Error ? error.message : String(error);
    lines.push(`${style.red('Internal error:')} ${message}`);
    lines.push('This is a bug in kindling. Please report it with the output of the same command run with --verbose.');
    if (verbose && error instanceof Error && error.stack) lines.push('', style.dim(error.stack));
  }
  if (error instanceof BugError) {
    lines.push('This is a bug in kindling. Please report it with the output of the same command run with --verbose.');
    if (verbose && error.stack) lines.push('', style.dim(error.stack));
  }
  return { exitCode, text: redactor.redact(lines.join('\n')) + '\n' };
}
