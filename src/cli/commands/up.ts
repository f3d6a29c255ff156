/**
 * `kindling up`: the one command. preflight → image cache → cluster → GPU Operator →
 * LoadBalancer → model(s) → smoke test → summary; resumable, idempotent, --dry-run prints the plan.
 */
import type { Command } from '@commander-js/extra-typings';
import type { CliEnv } from '../cli-env.js';

export function registerUp(program: Command, cli: CliEnv): void {
  program
    .command('up')
    .description('bring everything up: host checks → kind cluster with GPUs → GPU Operator → LoadBalancer → vLLM model → smoke test (safe to run again: it resumes)')
    .option('-f, --file <FILE>', 'kindling.yaml with the cluster, addons and models (flags override it)')
    .option('--model <ID>', 'model to serve (default deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B)')
    .option('--name <NAME>', 'cluster name (default kindling)')
    .option('--gpus-per-node <N>', 'GPUs per worker node (default 1: one worker per GPU)')
    .option('--gpus <LIST>', 'use only these GPU indices, e.g. 0,1')
    .option('--num-gpus <N>', 'with --dry-run: preview the plan for a host with N GPUs')
    .option('--fix', 'run `kindling host setup` first (asks unless --yes)')
    .option('--dry-run', 'print the whole ordered plan (every command and manifest) and change nothing')
    .option('-y, --yes', 'answer yes to confirmations')
    .option('--json', 'print the result (phases, endpoints, timings) as JSON')
    .option('--no-registry-cache', 'do not run the host pull-through image cache (images are then pulled by each new cluster)')
    .addHelpText(
      'after',
      `
Examples:
  $ kindling up                                   # everything, with the default model
  $ kindling up --dry-run --num-gpus 4            # the plan for a 4-GPU host, nothing changed
  $ kindling up --model Qwen/Qwen2.5-7B-Instruct --gpus-per-node 2
  $ kindling up -f kindling.yaml --yes            # as the file says (kindling schema prints its schema)
  $ kindling up --fix --yes                       # install/configure the host first

Exit codes: 0 up, 1 a phase failed (run again to resume), 2 preflight or bad input (nothing changed), 130 interrupted (run again to resume).`,
    )
    .action(async (opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts };
      const { runCommand } = await import('../run.js');
      await runCommand(cli, flags, async (ctx) => {
        const { UserError } = await import('../../core/errors.js');
        const { z } = await import('zod');
        const count = (min: number) => z.coerce.number().int().min(min);
        const parsed = z
          .object({
            file: z.string().min(1).optional(),
            model: z.string().min(1).optional(),
            name: z.string().min(1).optional(),
            gpusPerNode: count(1).optional(),
            gpus: z
              .string()
              .regex(/^\d+(,\d+)*$/, 'must be GPU indices separated by commas, e.g. 0,1')
              .transform((s) => s.split(',').map(Number))
              .optional(),
            numGpus: count(0).max(64).optional(),
            fix: z.boolean().optional(),
            registryCache: z.boolean().optional(),
          })
          .safeParse(opts);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const flag = `--${String(issue?.path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
          throw new UserError(`Invalid ${flag}: ${issue?.message ?? 'bad value'}`, { fix: 'kindling up --help' });
        }
        const { loadConfigFile, mergeUpFlags, resolveConfig } = await import('../../workflows/config.js');
        const { registryCache, ...upFlags } = parsed.data;
        const fileConfig = upFlags.file ? await loadConfigFile(upFlags.file) : {};
        if (registryCache === false) fileConfig.cluster = { ...fileConfig.cluster, registryCache: false };
        const config = resolveConfig(mergeUpFlags(fileConfig, upFlags));
        const { up, renderUpSummary } = await import('../../workflows/up.js');
        const { realUpServices } = await import('../../workflows/services.js');
        const result = await up(ctx, config, realUpServices());
        ctx.io.result(result, renderUpSummary);
      });
    });
}
