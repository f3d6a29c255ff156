/**
 * A strict fake ProcessRunner for unit tests (after minikube's FakeCommandRunner): every command
 * must match a scripted expectation, or the test fails with the list of what was expected.
 * In dry-run mode it behaves like the real runner: mutating commands are recorded, not "run".
 */
import { ExternalError } from '../../src/core/errors.js';
import { Plan } from '../../src/core/plan.js';
import type { CommandSpec, LineSource, ProcessRunner, RunResult } from '../../src/core/runner.js';

export interface FakeCommand {
  /** Exact argv, a prefix ending with '...', a RegExp over the joined argv, or a predicate. */
  match: readonly string[] | RegExp | ((argv: readonly string[]) => boolean);
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  /** How many calls it answers (default: any number). */
  times?: number;
  /** Runs when matched (e.g. to change scripted state). */
  effect?: (spec: CommandSpec) => void;
}

export class UnexpectedCommandError extends Error {}

export class FakeRunner implements ProcessRunner {
  readonly calls: CommandSpec[] = [];
  readonly plan: Plan;
  constructor(
    private readonly script: FakeCommand[],
    options: { dryRun?: boolean; plan?: Plan } = {},
  ) {
    this.plan = options.plan ?? new Plan(options.dryRun ?? false);
  }

  get dryRun(): boolean {
    return this.plan.dryRun;
  }

  /** argv of every command that ran or was recorded, joined with spaces. */
  get commandLines(): string[] {
    return this.calls.map((c) => c.argv.join(' '));
  }

  get mutatingCalls(): CommandSpec[] {
    return this.calls.filter((c) => c.mutating);
  }

  async run(spec: CommandSpec): Promise<RunResult> {
    return this.exec(spec);
  }

  async stream(spec: CommandSpec, onLine: (line: string, source: LineSource) => void): Promise<RunResult> {
    const result = await this.exec(spec);
    for (const line of result.stdout.split('\n').filter((l) => l !== '')) onLine(line, 'stdout');
    for (const line of result.stderr.split('\n').filter((l) => l !== '')) onLine(line, 'stderr');
    return result;
  }

  private async exec(spec: CommandSpec): Promise<RunResult> {
    this.calls.push(spec);
    if (spec.mutating) {
      this.plan.record({ kind: 'command', argv: [...spec.argv], root: spec.root ?? false, ...(spec.stdin === undefined ? {} : { stdin: spec.stdin }) });
      if (this.plan.dryRun) return { exitCode: 0, stdout: '', stderr: '', durationMs: 0, recorded: true };
    }
    const entry = this.script.find((c) => (c.times === undefined || c.times > 0) && matches(c.match, spec.argv));
    if (!entry) {
      throw new UnexpectedCommandError(
        `unexpected command: ${spec.argv.join(' ')}\nexpected one of:\n${this.script.map((c) => `  ${describeMatch(c.match)}`).join('\n')}`,
      );
    }
    if (entry.times !== undefined) entry.times -= 1;
    entry.effect?.(spec);
    const exitCode = entry.exitCode ?? 0;
    const result = { exitCode, stdout: entry.stdout ?? '', stderr: entry.stderr ?? '', durationMs: 0, recorded: false };
    if (exitCode !== 0 && !spec.allowFailure) {
      throw new ExternalError(`Command failed with exit code ${exitCode}: ${spec.argv.join(' ')}`, spec.argv.join(' '), exitCode, result.stderr);
    }
    return result;
  }
}

function matches(match: FakeCommand['match'], argv: readonly string[]): boolean {
  if (typeof match === 'function') return match(argv);
  if (match instanceof RegExp) return match.test(argv.join(' '));
  if (match[match.length - 1] === '...') {
    const prefix = match.slice(0, -1);
    return prefix.every((a, i) => argv[i] === a);
  }
  return match.length === argv.length && match.every((a, i) => argv[i] === a);
}

function describeMatch(match: FakeCommand['match']): string {
  if (typeof match === 'function') return '<predicate>';
  if (match instanceof RegExp) return match.toString();
  return match.join(' ');
}
