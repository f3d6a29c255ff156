/**
 * `kindling host setup|restore`: bring this host to what doctor calls healthy (only what is
 * missing), and undo its configuration changes. Services: src/host/setup.ts, src/host/restore.ts.
 */
import type { Command } from '@commander-js/extra-typings';
import type { CliEnv } from '../cli-env.js';

export function registerHost(program: Command, cli: CliEnv): void {
  const host = program
    .command('host')
    .description('prepare this Linux GPU host (Docker, NVIDIA Container Toolkit, kind, kubectl, helm) and undo it')
    .addHelpText(
      'after',
      `
Examples:
  $ kindling host setup --dry-run       # every command and file change, in order; nothing changed
  $ kindling host setup --yes
  $ kindling host restore`,
    );

  host
    .command('setup')
    .description('install and configure only what is missing: Docker, the NVIDIA Container Toolkit (pinned), the nvidia runtime, kind/kubectl/helm (pinned, SHA-256 checked), inotify limits; ends with doctor')
    .option('--driver <VERSION>', 'install this NVIDIA driver when no working one is found (never replaces a working driver)')
    .option('--mirror <URL>', 'base URL serving kind, kubectl and helm under their official paths (also: KINDLING_MIRROR)')
    .option('--driver-mirror <URL>', "base URL for NVIDIA's .run installers, e.g. https://cn.download.nvidia.com/tesla (also: KINDLING_DRIVER_MIRROR)")
    .option('--dry-run', 'print the exact ordered plan (commands, files with their new content, [root] marks) and change nothing')
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText(
      'after',
      `
Examples:
  $ kindling host setup --dry-run
  $ kindling host setup --yes
  $ kindling host setup --driver 580.159.04 --driver-mirror https://cn.download.nvidia.com/tesla
  $ KINDLING_MIRROR=https://mirror.example.cn/k8s-tools kindling host setup --yes

Changed files are backed up first (kindling host restore puts them back).`,
    )
    .action(async (opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts };
      const { runCommand } = await import('../run.js');
      await runCommand(cli, flags, async (ctx) => {
        const { z } = await import('zod');
        const { UserError } = await import('../../core/errors.js');
        const schema = z.object({
          driver: z.string().regex(/^\d+(\.\d+){0,2}$/, 'an NVIDIA driver version such as 580.159.04').optional(),
          mirror: z.url({ protocol: /^https?$/ }).optional(),
          driverMirror: z.url({ protocol: /^https?$/ }).optional(),
        });
        const parsed = schema.safeParse({ driver: opts.driver, mirror: opts.mirror, driverMirror: opts.driverMirror });
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new UserError(`Invalid --${String(issue?.path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${issue?.message ?? 'invalid value'}`, {
            fix: 'kindling host setup --help',
          });
        }
        const { hostSetup } = await import('../../host/setup.js');
        await hostSetup(ctx, {
          ...(parsed.data.driver ? { driver: parsed.data.driver } : {}),
          ...(parsed.data.mirror ? { mirror: parsed.data.mirror } : {}),
          ...(parsed.data.driverMirror ? { driverMirror: parsed.data.driverMirror } : {}),
        });
      });
    });

  host
    .command('restore')
    .description('put back, byte for byte, every file host setup changed (daemon.json, config.toml, sysctl and apt source files), then restart Docker')
    .option('--dry-run', 'print what would be restored and change nothing')
    .option('--force', 'also restore files that changed after kindling wrote them')
    .addHelpText(
      'after',
      `
Examples:
  $ kindling host restore --dry-run
  $ kindling host restore`,
    )
    .action(async (opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts };
      const { runCommand } = await import('../run.js');
      await runCommand(cli, flags, async (ctx) => {
        const { hostRestore } = await import('../../host/restore.js');
        await hostRestore(ctx, { force: opts.force ?? false });
      });
    });
}
