/**
 * The process runner: the only code in kindling that starts programs.
 *
 * - `run` collects output; `stream` also hands each line to a callback as it arrives.
 * - Every spec says whether it is `mutating`. In --dry-run, mutating commands are recorded in the
 *   plan instead of run; read-only probes still run (and are logged as probes under --verbose).
 * - A timeout and the context's AbortSignal (Ctrl-C) stop the child: SIGTERM, then SIGKILL after a
 *   grace period.
 * - Environment values and secret stdin never reach the plan or a log; argv and stderr are redacted.
 */
import { ExternalError, InterruptedError, tail } from './errors.js';
import type { Plan } from './plan.js';
import type { Redactor } from './secrets.js';

export interface CommandSpec {
  /** Program and arguments. Never put a secret here: pass it through `env` or `stdin`. */
  argv: readonly string[];
  /** Does it change anything? Mutating commands are recorded, not run, in --dry-run. */
  mutating: boolean;
  /** Needs root: run through `sudo` when kindling is not root. */
  root?: boolean;
  stdin?: string;
  /** stdin carries a secret: recorded as *** in the plan. */
  stdinSecret?: boolean;
  /** Extra environment variables; their values never appear in plans or logs. */
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Return a non-zero exit instead of throwing ExternalError. */
  allowFailure?: boolean;
  /** Why this runs (shown in the plan). */
  description?: string;
  /** What to tell the user when the command fails (attached to the ExternalError). */
  fix?: string | string[];
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** true when the command was only recorded (--dry-run). */
  recorded: boolean;
}

export type LineSource = 'stdout' | 'stderr';

export interface ProcessRunner {
  readonly dryRun: boolean;
  run(spec: CommandSpec): Promise<RunResult>;
  stream(spec: CommandSpec, onLine: (line: string, source: LineSource) => void): Promise<RunResult>;
}

export interface RunnerOptions {
  plan: Plan;
  redactor: Redactor;
  /** Cancels every child (Ctrl-C). */
  signal: AbortSignal;
  /** Called for every command started or recorded: the --verbose trace. */
  trace?: (line: string) => void;
  isRoot?: boolean;
  /** SIGTERM → SIGKILL grace period. */
  killGraceMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Output kept per stream; the tail is what errors show. */
const MAX_CAPTURE = 4 * 1024 * 1024;

export class ExecaRunner implements ProcessRunner {
  readonly dryRun: boolean;
  private readonly isRoot: boolean;

  constructor(private readonly options: RunnerOptions) {
    this.dryRun = options.plan.dryRun;
    this.isRoot = options.isRoot ?? process.getuid?.() === 0;
  }

  run(spec: CommandSpec): Promise<RunResult> {
    return this.exec(spec, undefined);
  }

  stream(spec: CommandSpec, onLine: (line: string, source: LineSource) => void): Promise<RunResult> {
    return this.exec(spec, onLine);
  }

  /** argv as it will actually run (sudo prefix when root is needed and we are not root). */
  effectiveArgv(spec: CommandSpec): string[] {
    return spec.root && !this.isRoot ? ['sudo', '--', ...spec.argv] : [...spec.argv];
  }

  private async exec(spec: CommandSpec, onLine?: (line: string, source: LineSource) => void): Promise<RunResult> {
    const { redactor, plan, trace } = this.options;
    const argv = this.effectiveArgv(spec);
    const shown = redactor.redact(argv.join(' '));
    if (spec.mutating) {
      plan.record({
        kind: 'command',
        argv: spec.argv.map((a) => redactor.redact(a)),
        root: spec.root ?? false,
        ...(spec.stdin === undefined ? {} : { stdin: spec.stdinSecret ? '***' : redactor.redact(spec.stdin) }),
        ...(spec.env ? { envNames: Object.keys(spec.env) } : {}),
        ...(spec.description ? { description: spec.description } : {}),
      });
      if (this.dryRun) {
        trace?.(`[dry-run] ${shown}`);
        return { exitCode: 0, stdout: '', stderr: '', durationMs: 0, recorded: true };
      }
      trace?.(`$ ${shown}`);
    } else {
      trace?.(`[probe] ${shown}`);
    }

    const signal = spec.signal ? AbortSignal.any([spec.signal, this.options.signal]) : this.options.signal;
    if (signal.aborted) throw new InterruptedError(`Interrupted before running: ${shown}`);
    const { execa } = await import('execa');
    const started = performance.now();
    const [file, ...args] = argv;
    if (file === undefined) throw new Error('empty argv');
    const child = execa(file, args, {
      reject: false,
      stdin: spec.stdin === undefined ? 'ignore' : 'pipe',
      input: spec.stdin,
      env: { ...(this.options.env ?? process.env), ...spec.env },
      extendEnv: false,
      cwd: spec.cwd,
      timeout: spec.timeoutMs,
      cancelSignal: signal,
      killSignal: 'SIGTERM',
      forceKillAfterDelay: this.options.killGraceMs ?? 5000,
      stripFinalNewline: false,
      maxBuffer: MAX_CAPTURE,
      encoding: 'utf8',
      ...(onLine ? { lines: false } : {}),
    });
    if (onLine) {
      for (const source of ['stdout', 'stderr'] as const) {
        let pending = '';
        child[source]?.on('data', (chunk: Buffer | string) => {
          pending += chunk.toString();
          let nl: number;
          while ((nl = pending.indexOf('\n')) >= 0) {
            onLine(pending.slice(0, nl).replace(/\r$/, ''), source);
            pending = pending.slice(nl + 1);
          }
        });
        child[source]?.on('end', () => {
          if (pending !== '') onLine(pending, source);
          pending = '';
        });
      }
    }
    const result = await child;
    const durationMs = performance.now() - started;
    const stdout = typeof result.stdout === 'string' ? result.stdout : '';
    const stderr = typeof result.stderr === 'string' ? result.stderr : '';
    if (result.isCanceled || (signal.aborted && result.failed)) {
      throw new InterruptedError(`Interrupted while running: ${shown}`);
    }
    // Only a spawn failure counts: `result.message` also holds the child's own output, which may mention ENOENT.
    const notFound = result.exitCode === undefined && ((result as { code?: string }).code === 'ENOENT' || (result.cause as { code?: string } | undefined)?.code === 'ENOENT');
    if (notFound) {
      throw new ExternalError(
        `'${file}' was not found on PATH.`,
        shown,
        127,
        '',
        toList(spec.fix ?? 'kindling host setup'),
        true,
      );
    }
    if (result.timedOut) {
      throw new ExternalError(
        `Timed out after ${Math.round((spec.timeoutMs ?? 0) / 1000)}s: ${shown}`,
        shown,
        null,
        redactor.redact(tail(stderr || stdout)),
        toList(spec.fix),
      );
    }
    const exitCode = result.exitCode ?? (result.signal ? 128 : 1);
    if (exitCode !== 0 && !spec.allowFailure) {
      throw new ExternalError(
        `Command failed with exit code ${exitCode}: ${shown}`,
        shown,
        exitCode,
        redactor.redact(tail(stderr || stdout)),
        toList(spec.fix),
      );
    }
    return { exitCode, stdout, stderr, durationMs, recorded: false };
  }
}

function toList(fix: string | string[] | undefined): string[] {
  return fix === undefined ? [] : Array.isArray(fix) ? fix : [fix];
}
