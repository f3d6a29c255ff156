import type { Redactor } from '../core/secrets.js';
import type { Writer } from '../core/io.js';

/** What the CLI edge owns: the real process streams and environment (swapped in in-process tests). */
export interface CliEnv {
  env: NodeJS.ProcessEnv;
  stdout: Writer;
  stderr: Writer;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  redactor: Redactor;
  /** Process-level signal hooks (Ctrl-C). */
  onSignal: (signal: 'SIGINT' | 'SIGTERM', handler: () => void) => () => void;
  /** Ends the process at once (a second Ctrl-C); only main.ts implements it with process.exit. */
  forceExit: (code: number) => void;
}
