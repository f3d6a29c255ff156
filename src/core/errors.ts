/**
 * kindling's error types. The top-level handler in src/cli/main.ts maps each to an exit code and
 * prints it without a stack trace (BugError keeps its stack under --verbose).
 */

/** Documented exit codes (README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  /** Something failed: an external command, a timeout, a model that never became ready. */
  failed: 1,
  /** Bad usage or input, or a preflight check that failed: nothing was changed. */
  usage: 2,
  /** An invariant broke inside kindling: a bug to report. */
  bug: 70,
  /** Interrupted with Ctrl-C (SIGINT) or SIGTERM. */
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export abstract class KindlingError extends Error {
  abstract readonly exitCode: number;
}

export interface UserErrorOptions {
  /** The exact command or precise instruction that fixes it. */
  fix?: string | string[];
  /** Extra lines shown under the message (a list of failed checks, say). */
  details?: string[];
  /** Defaults to 2 (usage/preflight: nothing changed). Use 1 for a failure after changes began. */
  exitCode?: number;
  cause?: unknown;
}

/** Something the user can fix: says what is wrong and the exact fix. */
export class UserError extends KindlingError {
  readonly fix: string[];
  readonly details: string[];
  readonly exitCode: number;
  constructor(message: string, options: UserErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.fix = options.fix === undefined ? [] : Array.isArray(options.fix) ? options.fix : [options.fix];
    this.details = options.details ?? [];
    this.exitCode = options.exitCode ?? ExitCode.usage;
  }
}

/** An external program failed: carries its (redacted) command line, exit code and stderr tail. */
export class ExternalError extends KindlingError {
  readonly exitCode = ExitCode.failed;
  constructor(
    message: string,
    readonly command: string,
    readonly commandExitCode: number | null,
    readonly stderrTail: string,
    readonly fix: string[] = [],
    readonly notFound = false,
  ) {
    super(message);
    this.name = 'ExternalError';
  }
}

/** An invariant inside kindling broke. */
export class BugError extends KindlingError {
  readonly exitCode = ExitCode.bug;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BugError';
  }
}

/** The user pressed Ctrl-C (or the process got SIGTERM); `leftHalfDone` says what the next run resumes. */
export class InterruptedError extends KindlingError {
  readonly exitCode = ExitCode.interrupted;
  constructor(
    message = 'Interrupted.',
    readonly leftHalfDone: string[] = [],
  ) {
    super(message);
    this.name = 'InterruptedError';
  }
}

/** Last `maxLines` non-empty lines of a text. */
export function tail(text: string, maxLines = 15): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.slice(-maxLines).join('\n');
}
