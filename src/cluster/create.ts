/**
 * `kindling cluster create`: kind create (config on stdin), the stored config, nvkind's GPU node
 * setup in parallel, RuntimeClass `nvidia`, and a wait until every node is Ready. A second create
 * with the same config resumes what is missing (and changes nothing when all is in place); with a
 * different config it refuses unless --recreate.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from '../core/context.js';
import { ExitCode, InterruptedError, UserError } from '../core/errors.js';
import type { Kube, KubeObject } from '../core/kube.js';
import { renderClusterConfig, type ClusterConfigOptions, type RenderedClusterConfig } from './config.js';
import { kindContext } from './constants.js';
import { configMapObject, connectCluster, ensureObject, kind, kindClusters, kindNodes, readStoredConfig } from './kind.js';
import { describeLayout, gpuNodes, mapNodes, type ClusterLayout } from './layout.js';
import { deleteCluster } from './lifecycle.js';
import { setupGpuNodes, type NodeSetupResult } from './node-setup.js';

export interface CreateClusterOptions extends ClusterConfigOptions {
  /** --retain: keep node containers when kind create fails. */
  retain?: boolean;
  /** --wait: passed to kind, and how long kindling waits for every node to be Ready (default 5m). */
  waitMs?: number;
  /** The --wait text as given (passed to kind as is). */
  waitText?: string;
  /** --recreate: delete and recreate an existing cluster whose config differs. */
  recreate?: boolean;
}

export interface CreateClusterResult {
  name: string;
  context: string;
  /** kind create ran (false: the cluster existed and was resumed or already complete). */
  created: boolean;
  recreated: boolean;
  layout: ClusterLayout;
  nodeSetup: NodeSetupResult[];
  description: string;
}

export const DEFAULT_READY_WAIT_MS = 5 * 60_000;

export async function createCluster(ctx: Context, options: CreateClusterOptions, rendered?: RenderedClusterConfig): Promise<CreateClusterResult> {
  const r = rendered ?? (await renderClusterConfig(ctx, options));
  for (const w of r.warnings) ctx.io.warn(w);
  const { name, layout } = r;
  const context = kindContext(name);

  let exists = (await kindClusters(ctx)).includes(name);
  let recreated = false;
  if (exists) {
    await ctx.io.step(`Compare cluster ${name} with the config`, async (s) => {
      const nodes = await kindNodes(ctx, name);
      const kube = await connectCluster(ctx, name).catch(() => undefined);
      const stored = await readStoredConfig(kube);
      const sameNodes = nodes.length === layout.nodes.length && layout.nodes.every((n) => nodes.includes(n.name));
      const differs = stored ? stored.config !== r.yaml : !sameNodes;
      if (!differs) {
        s.done(stored ? 'same config: resuming' : 'no stored config; the nodes match: resuming');
        return;
      }
      if (!options.recreate) {
        throw new UserError(`Cluster '${name}' already exists with a different config.`, {
          details: stored
            ? configDiff(stored.config, r.yaml)
            : [`it has nodes ${nodes.join(', ')}; the config asks for ${layout.nodes.map((n) => n.name).join(', ')}`],
          fix: [`kindling cluster create --name ${name} --recreate   (deletes the cluster and creates it again)`, `kindling cluster config --name ${name}   (shows the new config)`],
        });
      }
      s.done('different config: recreating');
      await deleteCluster(ctx, name);
      exists = false;
      recreated = true;
    });
  }

  let created = false;
  if (!exists) {
    await ctx.io.step(`Create kind cluster ${name} (${describeLayout(layout)})`, async (s) => {
      s.update('kind create cluster');
      await kind(ctx, ['create', 'cluster', '--name', name, '--config', '-', ...(options.retain ? ['--retain'] : []), ...(options.waitText ? ['--wait', options.waitText] : [])], {
        mutating: true,
        stdin: r.yaml,
        timeoutMs: 20 * 60_000,
        description: `kind cluster with ${layout.nodes.length} nodes`,
      });
    });
    created = true;
  }
  // In --dry-run the cluster may not exist: plan for fresh nodes, record the manifests.
  const planOnly = ctx.dryRun && !exists;
  const kube = planOnly ? undefined : await connectCluster(ctx, name);

  await ctx.io.step('Store the cluster config', async (s) => {
    const cm = configMapObject(r.yaml, layout);
    const changed = await ensureObject(ctx, kube, cm, (e) => JSON.stringify((e as KubeObject & { data?: unknown }).data) === JSON.stringify(cm.data), context, 'the rendered kind config, for `cluster gpus` and later creates');
    if (!changed) s.skip('unchanged');
  });

  if (!planOnly) mapNodes(layout, await kindNodes(ctx, name));
  const nodeSetup = await setupGpuNodes(ctx, {
    cluster: name,
    nodes: gpuNodes(layout).map((n) => ({ name: n.name, gpus: n.gpus })),
    hostGpuCount: layout.hostGpuCount,
    hostCacheDir: options.cacheDir ?? ctx.paths.hostCacheDir,
    ...(planOnly ? { planOnly: true } : {}),
  });

  await ctx.io.step('RuntimeClass nvidia', async (s) => {
    const rc: KubeObject = { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'nvidia' }, handler: 'nvidia' };
    const changed = await ensureObject(ctx, kube, rc, (e) => (e as KubeObject & { handler?: string }).handler === 'nvidia', context, 'pods with runtimeClassName: nvidia get GPUs');
    if (!changed) s.skip('present');
  });

  if (kube && !ctx.dryRun) await waitNodesReady(ctx, kube, layout, options.waitMs ?? DEFAULT_READY_WAIT_MS);

  return { name, context, created, recreated, layout, nodeSetup, description: describeLayout(layout) };
}

/** A few lines saying how two configs differ (line-based). */
export function configDiff(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const out: string[] = [];
  const max = Math.max(a.length, b.length);
  for (let i = 0; i < max && out.length < 12; i++) {
    if (a[i] === b[i]) continue;
    if (a[i] !== undefined) out.push(`- ${a[i]}`);
    if (b[i] !== undefined) out.push(`+ ${b[i]}`);
  }
  return ['stored config (-) vs new config (+), first differences:', ...out];
}

interface NodeObject extends KubeObject {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/** Waits until every node of the layout reports Ready=True. */
export async function waitNodesReady(ctx: Context, kube: Kube, layout: ClusterLayout, timeoutMs: number): Promise<void> {
  await ctx.io.step(`Wait for ${layout.nodes.length} nodes to be Ready`, async (s) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const nodes = await kube.list<NodeObject>('v1', 'Node');
      const notReady = layout.nodes.filter((n) => {
        const node = nodes.find((x) => x.metadata.name === n.name);
        return node?.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True';
      });
      if (notReady.length === 0) {
        s.done(`${layout.nodes.length}/${layout.nodes.length} Ready`);
        return;
      }
      s.update(`${layout.nodes.length - notReady.length}/${layout.nodes.length} Ready`);
      if (Date.now() >= deadline) {
        throw new UserError(`Nodes not Ready after ${Math.round(timeoutMs / 1000)}s: ${notReady.map((n) => n.name).join(', ')}.`, {
          details: notReady.map((n) => {
            const c = nodes.find((x) => x.metadata.name === n.name)?.status?.conditions?.find((x) => x.type === 'Ready');
            return `${n.name}: ${c ? `${c.reason ?? c.status}: ${c.message ?? ''}` : 'not registered'}`;
          }),
          fix: [`kubectl --context ${kube.contextName} describe node ${notReady[0]?.name ?? ''}`, `kindling cluster create --name ${layout.name} --wait 10m`],
          exitCode: ExitCode.failed,
        });
      }
      try {
        await sleep(Math.min(1000, Math.max(50, deadline - Date.now())), undefined, { signal: ctx.signal });
      } catch {
        throw new InterruptedError('Interrupted while waiting for nodes to be Ready.', [`cluster ${layout.name}: created; run \`kindling cluster create --name ${layout.name}\` to finish`]);
      }
    }
  });
}
