/**
 * `kindling model deploy|render|list|logs|delete`: serve models with vLLM on the cluster.
 */
import { Command, Option } from '@commander-js/extra-typings';
import type { CliEnv } from '../cli-env.js';
import type { Context } from '../../core/context.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The spec flags `deploy` and `render` share. */
function specOptions<T extends Command<[string | undefined]>>(cmd: T) {
  return cmd
    .option('--name <NAME>', 'Kubernetes name of the Deployment/Service (default: from the model id)')
    .option('--gpus <N>', 'GPUs per replica = tensor-parallel size (all on one node)', '1')
    .option('--replicas <N>', 'number of vLLM pods', '1')
    .option('--image <IMAGE>', 'vLLM image (default: the pinned vllm/vllm-openai release)')
    .option('--max-model-len <N>', "context length (default: the model's own); lower it when the KV cache does not fit")
    .option('--served-model-name <NAME>', 'model id clients use (default: the model id)')
    .option('--vllm-arg <ARG>', 'extra vLLM argument, repeatable (e.g. --vllm-arg=--gpu-memory-utilization=0.85)', collect)
    .option('-n, --namespace <NS>', 'namespace', 'default')
    .addOption(new Option('--expose <MODE>', 'how the Service is exposed').choices(['lb', 'nodeport', 'none'] as const).default('lb' as const))
    .addOption(new Option('--cache <MODE>', 'model cache: host (the cluster\'s host cache dir) or pvc (default: host on kindling clusters, pvc elsewhere)').choices(['host', 'pvc'] as const))
    .option('--hf-token-env <VAR>', 'environment variable holding the Hugging Face token (default: HF_TOKEN when set)')
    .addOption(new Option('--model-source <SOURCE>', 'where weights come from').choices(['hf', 'modelscope'] as const).default('hf' as const))
    .option('--context <CONTEXT>', 'kubeconfig context (default: kind-kindling when present, else the current one)')
    .option('--kubeconfig <FILE>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)');
}

interface SpecFlags {
  name?: string;
  gpus: string;
  replicas: string;
  image?: string;
  maxModelLen?: string;
  servedModelName?: string;
  vllmArg?: string[];
  namespace: string;
  expose: 'lb' | 'nodeport' | 'none';
  cache?: 'host' | 'pvc';
  hfTokenEnv?: string;
  modelSource: 'hf' | 'modelscope';
}

/** Flags → ModelRequest, with zod checks on the numbers (bad input: exit 2, nothing applied). */
async function toRequest(model: string | undefined, opts: SpecFlags) {
  const { z } = await import('zod');
  const { UserError } = await import('../../core/errors.js');
  const int = (flag: string, value: string | undefined, min: number) => {
    if (value === undefined) return undefined;
    const r = z.coerce.number().int().safeParse(value.trim() === '' ? 'x' : value);
    if (!r.success || !/^-?\d+$/.test(value.trim())) throw new UserError(`Invalid ${flag}: '${value}' is not a whole number.`, { fix: `kindling model deploy --help` });
    if (r.data < min) throw new UserError(`Invalid ${flag}: ${r.data} (must be at least ${min}).`, { fix: `kindling model deploy ${model ?? ''} ${flag} ${Math.max(min, 1)}`.replace(/\s+/g, ' ') });
    return r.data;
  };
  const gpus = int('--gpus', opts.gpus, 1);
  const replicas = int('--replicas', opts.replicas, 0);
  const maxModelLen = int('--max-model-len', opts.maxModelLen, 16);
  return {
    ...(model !== undefined ? { model } : {}),
    ...(opts.name ? { name: opts.name } : {}),
    ...(gpus !== undefined ? { gpus } : {}),
    ...(replicas !== undefined ? { replicas } : {}),
    ...(opts.image ? { image: opts.image } : {}),
    ...(maxModelLen !== undefined ? { maxModelLen } : {}),
    ...(opts.servedModelName ? { servedModelName: opts.servedModelName } : {}),
    vllmArgs: opts.vllmArg ?? [],
    namespace: opts.namespace,
    expose: opts.expose,
    ...(opts.cache ? { cache: opts.cache } : {}),
    ...(opts.hfTokenEnv ? { hfTokenEnv: opts.hfTokenEnv } : {}),
    modelSource: opts.modelSource,
  };
}

async function connect(ctx: Context) {
  const { connectServing } = await import('../../serving/target.js');
  return connectServing(ctx);
}

function pollMs(ctx: Context): number | undefined {
  return ctx.env.KINDLING_POLL_MS ? Number(ctx.env.KINDLING_POLL_MS) : undefined;
}

export function registerModel(program: Command, cli: CliEnv): void {
  const model = program
    .command('model')
    .description('serve models with vLLM: deploy, render, list, logs, delete')
    .addHelpText(
      'after',
      `
Examples:
  $ kindling model deploy                                    # deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B on 1 GPU
  $ kindling model deploy Qwen/Qwen3-8B --gpus 2 --max-model-len 32768
  $ kindling model render Qwen/Qwen3-8B > qwen.yaml          # the manifests, nothing applied
  $ kindling model list
  $ kindling model logs deepseek-r1-distill-qwen-1-5b -f
  $ kindling model delete deepseek-r1-distill-qwen-1-5b`,
    );

  specOptions(
    model
      .command('deploy')
      .description('deploy a model with vLLM, watch it start (phases with timings), find its endpoint and smoke-test it')
      .argument('[MODEL]', 'Hugging Face model id org/name, or an absolute path in the pod', undefined),
  )
    .option('--no-wait', 'apply and return at once (no watch, endpoint or smoke test)')
    .option('--timeout <DURATION>', "how long to wait for ready (default: the model's start-up budget + 20m for the image)")
    .option('--lb-wait <DURATION>', 'how long to wait for a LoadBalancer address before using a port-forward', '30s')
    .option('--dry-run', 'print the manifests and actions without changing anything')
    .option('--json', 'print the result (phases, endpoint, smoke test) as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ kindling model deploy
  $ HF_TOKEN=hf_… kindling model deploy meta-llama/Llama-3.1-8B-Instruct --max-model-len 16384
  $ HF_ENDPOINT=https://hf-mirror.com kindling model deploy Qwen/Qwen3-0.6B
  $ kindling model deploy Qwen/Qwen3-0.6B --model-source modelscope
  $ kindling model deploy Qwen/Qwen3-8B --context my-cluster --cache pvc --expose nodeport
  $ kindling model deploy --vllm-arg=--max-num-batched-tokens=1024 --vllm-arg=--enforce-eager

The HF token is read from $HF_TOKEN (or --hf-token-env VAR) and stored in a Secret; it is never
put in the manifests, the plan or the logs. HF_ENDPOINT is passed through to the pod.`,
    )
    .action(async (modelId, opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts };
      const { runCommand } = await import('../run.js');
      await runCommand(cli, flags, async (ctx) => {
        const request = await toRequest(modelId, opts);
        const { parseDuration } = await import('../../core/duration.js');
        const timeoutMs = opts.timeout ? parseDuration(opts.timeout, '--timeout') : undefined;
        const lbWaitMs = parseDuration(opts.lbWait, '--lb-wait');
        const { prepareModelSpec, deployModel, renderDeployResult } = await import('../../serving/service.js');
        const target = await connect(ctx);
        const { spec } = await prepareModelSpec(ctx, target.kube, request);
        const poll = pollMs(ctx);
        const result = await deployModel(ctx, target.kube, spec, {
          wait: opts.wait,
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          lbWaitMs,
          context: target.kube.contextName,
          ...(ctx.kubeTarget.kubeconfig ? { kubeconfig: ctx.kubeTarget.kubeconfig } : {}),
          contextFlag: target.contextFlag,
          ...(opts.hfTokenEnv ? { hfTokenEnv: opts.hfTokenEnv } : {}),
          ...(poll !== undefined ? { pollMs: poll } : {}),
        });
        if (ctx.dryRun) {
          if (ctx.io.json) ctx.io.result({ ...result, plan: ctx.plan.toJSON() }, () => '');
          return;
        }
        ctx.io.result(result, (r) => renderDeployResult(r, target.contextFlag));
      });
    });

  specOptions(
    model
      .command('render')
      .description('print the manifests deploy would apply, as YAML (nothing applied, no secret values)')
      .argument('[MODEL]', 'Hugging Face model id org/name, or an absolute path in the pod', undefined),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ kindling model render > vllm.yaml && kubectl apply -f vllm.yaml
  $ kindling model render Qwen/Qwen3-8B --gpus 2 --cache pvc --expose nodeport

Without --context, render talks to no cluster: the cache defaults to host (a kindling cluster).
With --context it reads the cluster to pick the cache mode and check --gpus.`,
    )
    .action(async (modelId, opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts };
      const { runCommand } = await import('../run.js');
      await runCommand(cli, flags, async (ctx) => {
        const request = await toRequest(modelId, opts);
        const { prepareModelSpec } = await import('../../serving/service.js');
        const { renderManifestsYaml } = await import('../../serving/manifests.js');
        const target = flags.context ? await connect(ctx) : undefined;
        const { spec } = await prepareModelSpec(ctx, target?.kube, request);
        ctx.io.out(renderManifestsYaml(spec));
      });
    });

  model
    .command('list')
    .description('models kindling deployed: name, model, GPUs, readiness, endpoint')
    .option('-n, --namespace <NS>', 'only this namespace (default: all)')
    .option('--json', 'print the list as JSON')
    .option('--context <CONTEXT>', 'kubeconfig context (default: kind-kindling when present, else the current one)')
    .option('--kubeconfig <FILE>', 'kubeconfig file')
    .addHelpText('after', `\nExamples:\n  $ kindling model list\n  $ kindling model list --json | jq '.[].endpoint'`)
    .action(async (opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts };
      const { runCommand } = await import('../run.js');
      await runCommand(cli, flags, async (ctx) => {
        const { listModels, renderModelList } = await import('../../serving/service.js');
        const target = await connect(ctx);
        const models = await listModels(ctx, target.kube, { context: target.kube.contextName, ...(opts.namespace ? { namespace: opts.namespace } : {}) });
        ctx.io.result(models, renderModelList);
      });
    });

  model
    .command('logs')
    .description("the vLLM log of a model's newest pod")
    .argument('<NAME>', 'model name (kindling model list)')
    .option('-f, --follow', 'stream the log until Ctrl-C')
    .option('--tail <N>', 'only the last N lines')
    .option('-p, --previous', 'the log of the previous (crashed) container')
    .option('-n, --namespace <NS>', 'namespace', 'default')
    .option('--context <CONTEXT>', 'kubeconfig context')
    .option('--kubeconfig <FILE>', 'kubeconfig file')
    .addHelpText('after', `\nExamples:\n  $ kindling model logs deepseek-r1-distill-qwen-1-5b -f\n  $ kindling model logs my-model --previous --tail 50`)
    .action(async (name, opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts };
      const { runCommand } = await import('../run.js');
      await runCommand(cli, flags, async (ctx) => {
        const { UserError } = await import('../../core/errors.js');
        const tail = opts.tail === undefined ? undefined : Number(opts.tail);
        if (tail !== undefined && (!Number.isInteger(tail) || tail < 1)) throw new UserError(`Invalid --tail: '${opts.tail}'.`, { fix: `kindling model logs ${name} --tail 100` });
        const { modelLogs } = await import('../../serving/service.js');
        const target = await connect(ctx);
        await modelLogs(ctx, target.kube, { name, namespace: opts.namespace, follow: opts.follow ?? false, ...(tail ? { tailLines: tail } : {}), previous: opts.previous ?? false });
      });
    });

  model
    .command('delete')
    .description("delete a model's Deployment, Service and token Secret, and stop its port-forward (the weights cache is kept)")
    .argument('<NAME>', 'model name (kindling model list)')
    .option('-n, --namespace <NS>', 'namespace', 'default')
    .option('--purge', "also delete the model's cache PVC (--cache pvc)")
    .option('--dry-run', 'print what would be deleted')
    .option('--json', 'print the result as JSON')
    .option('--context <CONTEXT>', 'kubeconfig context')
    .option('--kubeconfig <FILE>', 'kubeconfig file')
    .addHelpText('after', `\nExamples:\n  $ kindling model delete deepseek-r1-distill-qwen-1-5b\n  $ kindling model delete my-model --purge`)
    .action(async (name, opts, cmd) => {
      const flags = { ...cmd.optsWithGlobals(), ...opts };
      const { runCommand } = await import('../run.js');
      await runCommand(cli, flags, async (ctx) => {
        const { deleteModel } = await import('../../serving/service.js');
        const target = await connect(ctx);
        const result = await ctx.io.step(`Deleting ${name}`, async (s) => {
          const r = await deleteModel(ctx, target.kube, { context: target.kube.contextName, name, namespace: opts.namespace, purgeCache: opts.purge ?? false });
          if (r.deleted.length === 0 && r.portForwardsStopped === 0) s.skip('nothing to delete');
          else s.done(`${r.deleted.length} object(s)${r.portForwardsStopped ? `, ${r.portForwardsStopped} port-forward(s) stopped` : ''}`);
          return r;
        });
        if (ctx.dryRun) return;
        ctx.io.result(result, (r) =>
          r.deleted.length === 0 ? `No model '${name}' in namespace ${opts.namespace}: nothing to delete.` : `Deleted ${r.deleted.join(', ')}. Cached weights are kept.`,
        );
      });
    });
}
