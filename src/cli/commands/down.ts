/**
 * `kindling down`: delete the cluster, stop the LB controller (when no other kindling cluster needs
 * it) and port-forwards; keep the host caches unless --purge; never touch clusters kindling did not
 * create.
 */
import type { Command } from '@commander-js/extra-typings';
import type { CliEnv } from '../cli-env.js';

export function registerDown(program: Command, cli: CliEnv): void {
  program
    .command('down')
    .description('delete the cluster and stop what kindling runs for it; keeps the host caches (images, weights) so the next `up` is fast')
    .option('--name <NAME>', 'cluster name (default kindling)')
    .option('--purge', 'also remove the host caches: model weights, compile cache, image caches')
    .option('--dry-run', 'print what would be removed and change nothing')
    .option('-y, --yes', 'answer yes to confirmations')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ kindling down                       # cluster "kindling" gone; caches kept
  $ kindling down --name lab --dry-run
  $ kindling down --purge               # also frees the disk used by images and weights

Host configuration (Docker runtime, toolkit) stays: \`kindling host restore\` undoes it.`,
    )
    .action(async (opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts };
      const { runCommand } = await import('../run.js');
      await runCommand(cli, flags, async (ctx) => {
        const { UserError } = await import('../../core/errors.js');
        const name = opts.name ?? 'kindling';
        if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) throw new UserError(`Invalid --name ${name}.`, { fix: 'kindling cluster list' });
        const { down, renderDownResult } = await import('../../workflows/down.js');
        const result = await down(ctx, { name, purge: opts.purge ?? false, cacheDir: ctx.paths.hostCacheDir });
        ctx.io.result(result, renderDownResult);
      });
    });
}
