/** `kindling status [--json]`: host, cluster, addons, models — on any half-built state. */
import type { Command } from '@commander-js/extra-typings';
import type { CliEnv } from '../cli-env.js';

export function registerStatus(program: Command, cli: CliEnv): void {
  program
    .command('status')
    .description('show the host, the cluster and its GPU nodes, the GPU Operator, the LoadBalancer, the image cache and each model (works on a half-built setup)')
    .option('--name <NAME>', 'cluster name (default kindling)')
    .option('--json', 'print the status as one JSON object')
    .addHelpText(
      'after',
      `
Examples:
  $ kindling status
  $ kindling status --json | jq '.models[] | {name, phase, endpoint}'`,
    )
    .action(async (opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts };
      const { runCommand } = await import('../run.js');
      await runCommand(cli, flags, async (ctx) => {
        const { status, renderStatus } = await import('../../workflows/status.js');
        const report = await status(ctx, { name: opts.name ?? 'kindling' });
        ctx.io.result(report, renderStatus);
      });
    });
}
