/**
 * Runs one command's service with a fully built Context: picks the io host (human / --json),
 * the runner (record mode for --dry-run), wires Ctrl-C to the context's AbortSignal, and prints
 * the plan at the end of a --dry-run.
 */
import { setMaxListeners } from 'node:events';
import { createInterface } from 'node:readline/promises';
import type { Context, KubeTarget } from '../core/context.js';
import { InterruptedError } from '../core/errors.js';
import { HostFiles } from '../core/files.js';
import { HumanIoHost, JsonIoHost, type IoHost } from '../core/io.js';
import { resolvePaths } from '../core/paths.js';
import { Plan } from '../core/plan.js';
import { ExecaRunner } from '../core/runner.js';
import { wantsColor } from '../core/style.js';
import type { CliEnv } from './cli-env.js';

export interface GlobalFlags {
  verbose?: boolean;
  quiet?: boolean;
  color?: boolean;
}

export interface RunFlags extends GlobalFlags {
  json?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  context?: string;
  kubeconfig?: string;
}

export function createIoHost(cli: CliEnv, flags: RunFlags): IoHost {
  const interactive = cli.stderr.isTTY === true && !isCi(cli.env) && cli.env.TERM !== 'dumb';
  const options = {
    stdout: cli.stdout,
    stderr: cli.stderr,
    color: wantsColor(cli.stderr, cli.env, flags.color),
    verbose: flags.verbose ?? false,
    quiet: flags.quiet ?? false,
    interactive,
    prompt: async (question: string) => {
      const rl = createInterface({ input: cli.stdin, output: cli.stderr as NodeJS.WritableStream });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
  return flags.json ? new JsonIoHost(options) : new HumanIoHost(options);
}

export function createContext(cli: CliEnv, flags: RunFlags, signal: AbortSignal): Context {
  const io = createIoHost(cli, flags);
  const plan = new Plan(flags.dryRun ?? false);
  const isRoot = process.getuid?.() === 0;
  const runner = new ExecaRunner({
    plan,
    redactor: cli.redactor,
    signal,
    isRoot,
    env: cli.env,
    trace: (line) => io.debug(line),
  });
  const paths = resolvePaths(cli.env);
  const kubeTarget: KubeTarget = {
    ...(flags.context ? { context: flags.context } : {}),
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
  };
  return {
    io,
    runner,
    plan,
    files: new HostFiles(paths, plan, runner, isRoot),
    paths,
    redactor: cli.redactor,
    signal,
    dryRun: plan.dryRun,
    assumeYes: flags.yes ?? false,
    isRoot,
    env: cli.env,
    kubeTarget,
  };
}

/**
 * Runs `service` with a context. Ctrl-C aborts the context's signal (children get SIGTERM, then
 * SIGKILL); a second Ctrl-C stops waiting for them.
 */
export async function runCommand<T>(cli: CliEnv, flags: RunFlags, service: (ctx: Context) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  // Every running child and every wait listens to this one signal; parallel node setup and watches
  // can hold many at once, which is expected, not a leak.
  setMaxListeners(0, controller.signal);
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts += 1;
    if (interrupts === 1) controller.abort(new InterruptedError());
    else {
      cli.stderr.write('\nInterrupted twice: stopping without waiting for running commands.\n');
      cli.forceExit(130);
    }
  };
  const offInt = cli.onSignal('SIGINT', onInterrupt);
  const offTerm = cli.onSignal('SIGTERM', onInterrupt);
  const ctx = createContext(cli, flags, controller.signal);
  try {
    const result = await service(ctx);
    if (ctx.dryRun) printPlan(ctx);
    return result;
  } catch (error) {
    if (controller.signal.aborted && !(error instanceof InterruptedError)) {
      throw new InterruptedError('Interrupted.');
    }
    throw error;
  } finally {
    offInt();
    offTerm();
  }
}

function printPlan(ctx: Context): void {
  if (ctx.io.json) return; // --json commands put the plan in their result
  const text = ctx.plan.render();
  ctx.io.out(
    text === ''
      ? 'Dry run: nothing to do.\n'
      : `Dry run: kindling would run these ${ctx.plan.mutatingCount} actions, in order (nothing was changed):\n\n${text}`,
  );
}

export function isCi(env: NodeJS.ProcessEnv): boolean {
  return env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
}

/** Common flag sets, so every command spells them the same way. */
export const KUBE_FLAGS_HELP = {
  context: 'kubeconfig context to use (default: kind-<name> for kindling clusters, else the current one)',
  kubeconfig: 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)',
};
