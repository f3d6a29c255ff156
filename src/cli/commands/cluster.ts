/**
 * `kindling cluster create|delete|list|gpus|config`: kind clusters with GPUs spread over workers,
 * nvkind-compatible config templates, and nvkind's per-node GPU setup done by kindling itself.
 */
import type { Command } from '@commander-js/extra-typings';
import type { CliEnv } from '../cli-env.js';

const LAYOUT_HELP = `
GPU layouts (without --config-template):
  default              one worker per GPU (like the seed's one-worker-per-gpu template)
  --gpus-per-node N    N GPUs per worker; when N does not divide the GPU count, the LAST worker
                       gets the remainder (5 GPUs, N=2 → 2+2+1) and kindling warns
  --gpus-per-node all  a single worker with all selected GPUs
  --gpus 0,2           only these GPUs (combine with --gpus-per-node)
Templates: --config-template FILE is an nvkind template (Go text/template + sprig + numGPUs);
  values come from --config-values FILE (or - for stdin), default: workers: [{devices: all}].
kindling adds to every config: the pinned node image (unless set), label nvidia.com/gpu.present="true"
  and the host cache mount (--cache-dir → /var/lib/kindling/cache in the node) on GPU workers.`;

interface ConfigFlags {
  name?: string;
  numGpus?: string;
  gpusPerNode?: string;
  gpus?: string;
  configTemplate?: string;
  configValues?: string;
  image?: string;
  cacheDir?: string;
}

function addConfigOptions<T extends Command<[], Record<string, unknown>>>(cmd: T) {
  return cmd
    .option('--name <NAME>', 'cluster name (default: the template\'s, else kindling)')
    .option('--num-gpus <N>', 'plan for N GPUs instead of asking nvidia-smi (a preview for another host)')
    .option('--gpus-per-node <N>', "GPUs per worker (default 1), or 'all' for a single worker")
    .option('--gpus <LIST>', 'only these GPU indices, e.g. 0,1,3')
    .option('--config-template <FILE>', 'nvkind config template (Go text/template, sprig, numGPUs)')
    .option('--config-values <FILE>', "values for the template (YAML; '-' reads stdin)")
    .option('--image <IMAGE>', 'node image for every node (default: the pinned kindest/node)')
    .option('--cache-dir <DIR>', 'host cache directory mounted into GPU workers (default /var/lib/kindling/cache, or KINDLING_CACHE_DIR)');
}

async function toConfigOptions(flags: ConfigFlags, cli: CliEnv) {
  const { z } = await import('zod');
  const { UserError } = await import('../../core/errors.js');
  const int = (flag: string, min: number) =>
    z.string().regex(/^\d+$/, `${flag} must be a whole number`).transform(Number).refine((n) => n >= min, `${flag} must be at least ${min}`);
  const schema = z.object({
    name: z.string().optional(),
    numGpus: int('--num-gpus', 0).optional(),
    gpusPerNode: z.union([z.literal('all'), int('--gpus-per-node', 1)]).optional(),
    gpus: z
      .string()
      .regex(/^\d+(,\d+)*$/, '--gpus must be a comma-separated list of GPU indices, e.g. 0,1')
      .transform((s) => s.split(',').map(Number))
      .optional(),
    configTemplate: z.string().optional(),
    configValues: z.string().optional(),
    image: z.string().min(1).optional(),
    cacheDir: z.string().regex(/^\//, '--cache-dir must be an absolute path').optional(),
  });
  const parsed = schema.safeParse(flags);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(issue?.message ?? 'invalid flags', { fix: 'kindling cluster config --help' });
  }
  const o = parsed.data;
  let configValuesText: string | undefined;
  if (o.configValues === '-') configValuesText = await readStdin(cli.stdin);
  const { validateClusterName } = await import('../../cluster/config.js');
  if (o.name !== undefined) validateClusterName(o.name);
  return {
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...(o.numGpus !== undefined ? { numGpus: o.numGpus } : {}),
    ...(o.gpusPerNode !== undefined ? { gpusPerNode: o.gpusPerNode } : {}),
    ...(o.gpus !== undefined ? { gpus: o.gpus } : {}),
    ...(o.configTemplate !== undefined ? { configTemplate: o.configTemplate } : {}),
    ...(o.configValues !== undefined ? { configValues: o.configValues } : {}),
    ...(configValuesText !== undefined ? { configValuesText } : {}),
    ...(o.image !== undefined ? { image: o.image } : {}),
    ...(o.cacheDir !== undefined ? { cacheDir: o.cacheDir } : {}),
  };
}

function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stdin.setEncoding('utf8');
    stdin.on('data', (d: string) => (text += d));
    stdin.on('end', () => resolve(text));
    stdin.on('error', reject);
  });
}

export function registerCluster(program: Command, cli: CliEnv): void {
  const cluster = program
    .command('cluster')
    .description('kind clusters with GPUs spread over worker nodes (create, delete, list, gpus, config)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ kindling cluster config --num-gpus 4\n  $ kindling cluster create --gpus-per-node 2\n  $ kindling cluster gpus\n  $ kindling cluster list --json\n  $ kindling cluster delete',
    );

  addConfigOptions(cluster.command('config'))
    .description('print the kind config `cluster create` would use')
    .option('--raw', "print the template's own output (or the generated layout) before kindling's additions")
    .option('--json', 'print the config, layout and warnings as JSON')
    .addHelpText(
      'after',
      `${LAYOUT_HELP}

Examples:
  $ kindling cluster config                          # one worker per GPU of this host
  $ kindling cluster config --num-gpus 4             # preview for a 4-GPU host
  $ kindling cluster config --num-gpus 8 --gpus-per-node 2
  $ kindling cluster config --config-template one-worker-per-gpu.yaml --raw
  $ echo 'numWorkers: 2' | kindling cluster config --config-template equally-distributed-gpus.yaml --config-values -`,
    )
    .action(async (opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts };
      const { runCommand } = await import('../run.js');
      await runCommand(cli, flags, async (ctx) => {
        const options = await toConfigOptions(opts, cli);
        const { renderClusterConfig } = await import('../../cluster/config.js');
        const r = await renderClusterConfig(ctx, options);
        for (const w of r.warnings) ctx.io.warn(w);
        if (ctx.io.json) {
          ctx.io.result({ name: r.name, hostGpuCount: r.hostGpuCount, config: opts.raw ? r.raw : r.yaml, layout: r.layout, warnings: r.warnings }, () => '');
          return;
        }
        ctx.io.out(opts.raw ? r.raw : r.yaml);
      });
    });

  addConfigOptions(cluster.command('create'))
    .description('create a kind cluster and set up its GPU workers (toolkit, containerd runtime, device isolation)')
    .option('--retain', 'keep the node containers when kind create fails (for debugging)')
    .option('--wait <DURATION>', 'passed to kind; also how long to wait for every node to be Ready (default 5m)')
    .option('--recreate', 'when the cluster exists with a different config, delete and recreate it (same config: resume)')
    .option('--dry-run', 'print the exact plan (kind config, docker exec steps per node, manifests) and change nothing')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `${LAYOUT_HELP}

A second create of an existing cluster with the same config resumes whatever is missing (nodes
already set up are not redone); with a different config it refuses unless --recreate.

Examples:
  $ kindling cluster create                          # cluster "kindling", one worker per GPU
  $ kindling cluster create --gpus-per-node 2 --name pairs
  $ kindling cluster create --config-template my-template.yaml --config-values values.yaml
  $ kindling cluster create --dry-run`,
    )
    .action(async (opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts };
      const { runCommand } = await import('../run.js');
      await runCommand(cli, flags, async (ctx) => {
        const options = await toConfigOptions(opts, cli);
        const { parseDuration } = await import('../../core/duration.js');
        const wait = (opts as { wait?: string }).wait;
        const waitMs = wait !== undefined ? parseDuration(wait, '--wait') : undefined;
        const { createCluster } = await import('../../cluster/create.js');
        const result = await createCluster(ctx, {
          ...options,
          ...(opts.retain ? { retain: true } : {}),
          ...(opts.recreate ? { recreate: true } : {}),
          ...(waitMs !== undefined && wait !== undefined ? { waitMs, waitText: wait } : {}),
        });
        if (ctx.dryRun) return;
        ctx.io.result(
          { name: result.name, context: result.context, created: result.created, recreated: result.recreated, layout: result.layout, nodeSetup: result.nodeSetup },
          (r) => `Cluster ${r.name} is ready (${result.description}). kubectl context: ${r.context}\n`,
        );
      });
    });

  cluster
    .command('delete')
    .description('delete a kind cluster and everything kindling started for it')
    .option('--name <NAME>', 'cluster name', 'kindling')
    .option('--dry-run', 'print what would be deleted and change nothing')
    .addHelpText('after', '\nExamples:\n  $ kindling cluster delete\n  $ kindling cluster delete --name pairs')
    .action(async (opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts };
      const { runCommand } = await import('../run.js');
      await runCommand(cli, flags, async (ctx) => {
        const { validateClusterName } = await import('../../cluster/config.js');
        validateClusterName(opts.name);
        const { deleteCluster } = await import('../../cluster/lifecycle.js');
        await deleteCluster(ctx, opts.name);
      });
    });

  cluster
    .command('list')
    .description("list kind clusters, marking kindling's with their GPU layout")
    .option('--json', 'print the clusters as JSON')
    .addHelpText('after', '\nExamples:\n  $ kindling cluster list\n  $ kindling cluster list --json | jq -r \'.[] | select(.kindling) | .name\'')
    .action(async (opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts };
      const { runCommand } = await import('../run.js');
      await runCommand(cli, flags, async (ctx) => {
        const { listClusters } = await import('../../cluster/lifecycle.js');
        const clusters = await listClusters(ctx);
        ctx.io.result(clusters, (cs) =>
          cs.length === 0
            ? 'No kind clusters.\n'
            : cs.map((c) => `${c.name}${c.kindling ? ' (kindling)' : ''}  ${c.description}`).join('\n') + '\n',
        );
      });
    });

  cluster
    .command('gpus')
    .description("the GPUs each GPU node sees (nvidia-smi inside the node; nvkind's print-gpus), checking that no GPU is on two nodes")
    .option('--name <NAME>', 'cluster name', 'kindling')
    .option('--json', 'print as JSON: {name, nodes: [{node, gpus: [{index, name, uuid}]}], duplicates}')
    .addHelpText('after', '\nExit code 1 when a GPU is visible on more than one node.\n\nExamples:\n  $ kindling cluster gpus\n  $ kindling cluster gpus --name pairs --json')
    .action(async (opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts };
      const { runCommand } = await import('../run.js');
      await runCommand(cli, flags, async (ctx) => {
        const { clusterGpus, assertNoSharedGpus } = await import('../../cluster/lifecycle.js');
        const result = await clusterGpus(ctx, opts.name);
        ctx.io.result(result, (r) =>
          r.nodes
            .map((n) => `${n.node}\n${n.error ? `  (${n.error})\n` : n.gpus.map((g) => `  ${g.index}  ${g.name}  ${g.uuid}\n`).join('') || '  (no GPUs)\n'}`)
            .join(''),
        );
        assertNoSharedGpus(result);
      });
    });
}
