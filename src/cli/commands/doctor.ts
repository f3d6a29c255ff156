/**
 * `kindling doctor [--json] [--deep]`: the host diagnosis. Exit 0 when no check failed, 2 otherwise.
 * The --json object is documented in src/host/doctor.ts (DoctorJson).
 */
import type { Command } from '@commander-js/extra-typings';
import type { CliEnv } from '../cli-env.js';

export function registerDoctor(program: Command, cli: CliEnv): void {
  program
    .command('doctor')
    .description('diagnose this host for GPU kind clusters: driver, GPUs, Docker, NVIDIA Container Toolkit, kind/kubectl/helm — each finding with its fix')
    .option('--json', 'print the checks, GPUs and host facts as one JSON object')
    .option('--deep', 'also run GPUs inside containers (docker run --runtime=nvidia …; pulls a small image)')
    .addHelpText(
      'after',
      `
Examples:
  $ kindling doctor                       # grouped checks with ✓ ! ✗, the fix under each failure
  $ kindling doctor --deep                # plus the seed's GPU-in-container checks
  $ kindling doctor --json | jq '.checks[] | select(.status == "fail")'

Exit codes: 0 nothing failed (warnings allowed), 2 at least one check failed.`,
    )
    .action(async (opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts };
      const { runCommand } = await import('../run.js');
      await runCommand(cli, flags, async (ctx) => {
        const { runDoctorChecks, toDoctorJson } = await import('../../host/doctor.js');
        const { renderDoctorReport } = await import('../render/doctor.js');
        const { UserError } = await import('../../core/errors.js');
        const report = await ctx.io.step('Checking the host', async (s) => {
          const r = await runDoctorChecks(ctx, { deep: opts.deep ?? false });
          s.done(`${r.checks.length} checks`);
          return r;
        });
        ctx.io.result(toDoctorJson(report), () => renderDoctorReport(report, ctx.io.style));
        const failed = report.checks.filter((c) => c.status === 'fail');
        if (failed.length > 0) {
          throw new UserError(`${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.map((c) => c.id).join(', ')}.`, {
            details: ['Run the fixes shown above, then kindling doctor again.'],
          });
        }
      });
    });
}
