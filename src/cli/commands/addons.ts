/**
 * `kindling addons install|status|uninstall`: the NVIDIA GPU Operator and the LoadBalancer
 * controller (cloud-provider-kind) on a kindling cluster.
 */
import { Command, Option } from '@commander-js/extra-typings';
import type { CliEnv } from '../cli-env.js';

const ADDONS = ['gpu-operator', 'load-balancer', 'all'] as const;

function invalid(flag: string, message: string, fix: string) {
  return import('../../core/errors.js').then(({ UserError }) => new UserError(`Invalid ${flag}: ${message}`, { fix }));
}

export function registerAddons(program: Command, cli: CliEnv): void {
  const addons = program
    .command('addons')
    .description('cluster addons: the NVIDIA GPU Operator and the LoadBalancer controller (cloud-provider-kind)')
    .addHelpText(
      'after',
      `
Examples:
  $ kindling addons install --dry-run          # the pinned plan for both, even before the cluster exists
  $ kindling addons install gpu-operator --gpu-sharing time-slicing=4
  $ kindling addons status --json
  $ kindling addons uninstall load-balancer`,
    );

  addons
    .command('install')
    .description('install the addons (default: all) and wait until the GPU Operator is ready')
    .argument('[addon]', `which addon: ${ADDONS.join(' | ')}`, 'all')
    .option('--name <NAME>', 'kind cluster name', 'kindling')
    .option('--context <CONTEXT>', 'kubeconfig context (default: kind-<name>)')
    .option('--kubeconfig <FILE>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--dry-run', 'print the plan (commands, values file, manifests) without changing anything')
    .option('--json', 'print the result as JSON')
    .option('--timeout <DURATION>', 'how long to wait for the GPU Operator to be ready', '15m')
    .option('--no-wait', 'do not wait for the GPU Operator to become ready')
    .option('--gpu-sharing <MODE>', 'GPU sharing: none | time-slicing=N (N replicas of every GPU)', 'none')
    .option('--dcgm-exporter', 'enable the DCGM exporter (GPU metrics)')
    .option('--no-dcgm-exporter', 'disable the DCGM exporter (default)')
    .option('--gpu-operator-version <VERSION>', 'GPU Operator chart version (default: the pinned one)')
    .addOption(new Option('--lb-mode <MODE>', 'how to run cloud-provider-kind: auto (container, binary if the image cannot be pulled) | container | binary').choices(['auto', 'container', 'binary'] as const).default('auto' as const))
    .option('--lb-image <IMAGE>', 'cloud-provider-kind image (a mirror of the pinned one)')
    .option('--gateway-api', "enable cloud-provider-kind's Gateway API controller (installs the Gateway API CRDs)")
    .option('--lb-health-timeout <DURATION>', 'how long to wait for cloud-provider-kind to report serving the cluster (then warn)', '45s')
    .addHelpText(
      'after',
      `
Examples:
  $ kindling addons install --dry-run
  $ kindling addons install gpu-operator --timeout 30m
  $ kindling addons install gpu-operator --gpu-sharing time-slicing=4 --dcgm-exporter
  $ kindling addons install load-balancer --lb-image my-mirror.example/cloud-provider-kind/cloud-controller-manager:v0.11.1`,
    )
    .action(async (addon, opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts };
      const { runCommand } = await import('../run.js');
      await runCommand(cli, flags, async (ctx) => {
        const { z } = await import('zod');
        const which = z.enum(ADDONS).safeParse(addon);
        if (!which.success) throw await invalid('addon', `'${addon}' (expected ${ADDONS.join(', ')})`, 'kindling addons install --help');
        const { parseDuration } = await import('../../core/duration.js');
        const timeoutMs = parseDuration(opts.timeout, '--timeout');
        const sharing = z
          .union([z.literal('none'), z.string().regex(/^time-slicing=\d+$/)])
          .transform((s) => (s === 'none' ? undefined : Number(s.slice('time-slicing='.length))))
          .pipe(z.number().int().min(2).max(64).optional())
          .safeParse(opts.gpuSharing);
        if (!sharing.success) throw await invalid('--gpu-sharing', `'${opts.gpuSharing}' (use none or time-slicing=N with 2 ≤ N ≤ 64)`, 'kindling addons install --gpu-sharing time-slicing=4');
        const name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).safeParse(opts.name);
        if (!name.success) throw await invalid('--name', `'${opts.name}' is not a valid kind cluster name`, 'kindling cluster list');
        if (opts.gpuOperatorVersion !== undefined && !/^v?\d+\.\d+\.\d+$/.test(opts.gpuOperatorVersion)) {
          throw await invalid('--gpu-operator-version', `'${opts.gpuOperatorVersion}'`, 'kindling addons install --gpu-operator-version v26.3.3');
        }
        const { resolveTarget } = await import('../../addons/target.js');
        const { installAddons } = await import('../../addons/addons.js');
        const target = resolveTarget(ctx, name.data);
        const result = await installAddons(ctx, {
          which: which.data,
          target,
          gpuOperator: {
            dcgmExporter: opts.dcgmExporter ?? false,
            ...(sharing.data ? { timeSlicing: sharing.data } : {}),
            timeoutMs,
            wait: opts.wait,
            ...(opts.gpuOperatorVersion ? { chartVersion: opts.gpuOperatorVersion } : {}),
            ...(ctx.env.KINDLING_POLL_MS ? { pollMs: Number(ctx.env.KINDLING_POLL_MS) } : {}),
          },
          loadBalancer: {
            mode: opts.lbMode,
            gatewayApi: opts.gatewayApi ?? false,
            ...(opts.lbImage ? { image: opts.lbImage } : {}),
            healthTimeoutMs: parseDuration(opts.lbHealthTimeout, '--lb-health-timeout'),
          },
        });
        if (ctx.dryRun) {
          if (ctx.io.json) ctx.io.result({ ...result, plan: ctx.plan.toJSON() }, () => '');
          return;
        }
        ctx.io.result(result, (r) =>
          r.changed ? `Addons ready on ${target.context}.` : `Nothing to do: the addons are already in place on ${target.context}.`,
        );
      });
    });

  addons
    .command('status')
    .description('the GPU Operator (ClusterPolicy, GPUs per node, operand pods) and the LoadBalancer controller')
    .option('--name <NAME>', 'kind cluster name', 'kindling')
    .option('--context <CONTEXT>', 'kubeconfig context (default: kind-<name>)')
    .option('--kubeconfig <FILE>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--json', 'print the status as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ kindling addons status
  $ kindling addons status --json | jq '.gpuOperator.nodes'`,
    )
    .action(async (opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts };
      const { runCommand } = await import('../run.js');
      await runCommand(cli, flags, async (ctx) => {
        const { resolveTarget } = await import('../../addons/target.js');
        const { addonsStatus, renderAddonsStatus } = await import('../../addons/addons.js');
        const status = await addonsStatus(ctx, resolveTarget(ctx, opts.name));
        ctx.io.result(status, renderAddonsStatus);
      });
    });

  addons
    .command('uninstall')
    .description('remove the addons (default: all): the GPU Operator release and namespace, the LoadBalancer controller and leftover load-balancer containers')
    .argument('[addon]', `which addon: ${ADDONS.join(' | ')}`, 'all')
    .option('--name <NAME>', 'kind cluster name', 'kindling')
    .option('--context <CONTEXT>', 'kubeconfig context (default: kind-<name>)')
    .option('--kubeconfig <FILE>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--dry-run', 'print what would be removed')
    .addHelpText(
      'after',
      `
Examples:
  $ kindling addons uninstall --dry-run
  $ kindling addons uninstall load-balancer`,
    )
    .action(async (addon, opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts };
      const { runCommand } = await import('../run.js');
      await runCommand(cli, flags, async (ctx) => {
        const { z } = await import('zod');
        const which = z.enum(ADDONS).safeParse(addon);
        if (!which.success) throw await invalid('addon', `'${addon}' (expected ${ADDONS.join(', ')})`, 'kindling addons uninstall --help');
        const { resolveTarget } = await import('../../addons/target.js');
        const { uninstallAddons } = await import('../../addons/addons.js');
        const r = await uninstallAddons(ctx, which.data, resolveTarget(ctx, opts.name));
        if (!ctx.dryRun) ctx.io.result(r, (x) => (x.changed ? 'Addons removed.' : 'Nothing to remove.'));
      });
    });
}
