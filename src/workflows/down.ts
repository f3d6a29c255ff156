/**
 * `kindling down`: port-forwards to the cluster stopped, the cluster deleted, the LoadBalancer
 * controller stopped when no other kindling cluster needs it (its load-balancer containers of this
 * cluster removed either way). Host caches — model weights, compile cache, the image caches — stay
 * unless --purge, so the next `up` is fast. Clusters kindling did not create are never touched.
 * `host restore` (host configuration) stays separate.
 */
import type { Context } from '../core/context.js';
import type { PlannedAction } from '../core/plan.js';
import { UserError } from '../core/errors.js';
import { formatTable } from '../core/style.js';
import { cacheContainerName, removeImageCache, UPSTREAMS } from './image-cache.js';

export interface DownOptions {
  name: string;
  purge: boolean;
  cacheDir: string;
}

export interface DownResult {
  name: string;
  dryRun: boolean;
  clusterDeleted: boolean;
  portForwardsStopped: number;
  loadBalancer: 'stopped' | 'kept (other kindling clusters use it)' | 'not running';
  loadBalancerContainersRemoved: number;
  purged: string[];
  kept: string[];
  otherClusters: string[];
  /** --dry-run: the planned actions, in order. */
  plan?: PlannedAction[];
}

/** The kindling fingerprint of a node container: the host cache mount every kindling GPU worker gets. */
const NODE_CACHE_MOUNT = '/var/lib/kindling/cache';

/**
 * Was this kind cluster made by kindling? Its stored config ConfigMap says so; when the API does not
 * answer (a half-built cluster), the node containers' mounts do (kindling mounts the host cache dir).
 */
export async function isKindlingCluster(ctx: Context, name: string): Promise<boolean> {
  const { connectCluster, readStoredConfig, kindNodes } = await import('../cluster/kind.js');
  const kube = await connectCluster(ctx, name).catch(() => undefined);
  const stored = await readStoredConfig(kube).catch(() => undefined);
  if (stored) return true;
  const nodes = await kindNodes(ctx, name).catch(() => [] as string[]);
  if (nodes.length === 0) return false;
  const r = await ctx.runner.run({
    argv: ['docker', 'inspect', '--format', '{{range .Mounts}}{{.Destination}} {{end}}', ...nodes],
    mutating: false,
    allowFailure: true,
  });
  return r.stdout.split(/\s+/).includes(NODE_CACHE_MOUNT);
}

export async function down(ctx: Context, options: DownOptions): Promise<DownResult> {
  const { kindClusters } = await import('../cluster/kind.js');
  const { deleteCluster } = await import('../cluster/lifecycle.js');
  const { stopPortForwards } = await import('../serving/endpoint.js');
  const lb = await import('../addons/load-balancer.js');
  const { name } = options;
  const context = `kind-${name}`;

  const clusters = await kindClusters(ctx);
  const exists = clusters.includes(name);
  if (exists && !(await isKindlingCluster(ctx, name))) {
    throw new UserError(`kind cluster '${name}' was not created by kindling: not touching it.`, {
      details: ['It has no kindling config (ConfigMap kube-system/kindling-cluster-config) and its nodes do not mount kindling\'s cache.'],
      fix: [`kind delete cluster --name ${name}   # if you really mean to delete it`, 'kindling cluster list'],
    });
  }
  const others: string[] = [];
  for (const c of clusters) {
    if (c !== name && (await isKindlingCluster(ctx, c))) others.push(c);
  }

  const portForwardsStopped = await ctx.io.step('Port-forwards', async (s) => {
    const n = await stopPortForwards(ctx, { context });
    if (n === 0) s.skip('none running');
    else s.done(`${n} stopped`);
    return n;
  });

  let clusterDeleted = false;
  if (exists) {
    const r = await deleteCluster(ctx, name);
    clusterDeleted = r.deletedCluster;
  } else {
    await ctx.io.step(`Cluster ${name}`, async (s) => s.skip('does not exist'));
  }

  let loadBalancer: DownResult['loadBalancer'] = 'not running';
  let loadBalancerContainersRemoved = 0;
  await ctx.io.step('LoadBalancer controller', async (s) => {
    if (others.length === 0) {
      const stopped = await lb.stopLoadBalancer(ctx);
      loadBalancer = stopped ? 'stopped' : 'not running';
    } else {
      loadBalancer = 'kept (other kindling clusters use it)';
    }
    loadBalancerContainersRemoved = await lb.removeLoadBalancerLeftovers(ctx, name);
    const detail = [loadBalancer, loadBalancerContainersRemoved ? `${loadBalancerContainersRemoved} load-balancer container(s) of ${name} removed` : ''].filter((x) => x).join('; ');
    if (loadBalancer === 'not running' && loadBalancerContainersRemoved === 0) s.skip('not running');
    else s.done(detail);
  });

  const purged: string[] = [];
  const kept: string[] = [];
  if (options.purge) {
    await ctx.io.step('Host caches (--purge)', async (s) => {
      if (others.length > 0) {
        ctx.io.warn(`Not purging the host caches: kindling clusters ${others.join(', ')} still use them. Run \`kindling down --purge\` for each.`);
        kept.push(options.cacheDir);
        s.skip('still used by other clusters');
        return;
      }
      const removed = await removeImageCache(ctx);
      if (removed > 0) purged.push(`${removed} image cache container(s)`);
      await ctx.runner.run({ argv: ['rm', '-rf', '--', options.cacheDir], mutating: true, root: true, description: 'model weights, compile cache, image caches, toolkit packages' });
      purged.push(options.cacheDir);
      s.done(`removed ${purged.join(', ')}`);
    });
  } else {
    kept.push(`${options.cacheDir} (model weights, vLLM compile cache, image caches)`);
    kept.push(`image cache containers ${UPSTREAMS.map(cacheContainerName).join(', ')}`);
  }

  return {
    name,
    dryRun: ctx.dryRun,
    clusterDeleted: exists && (clusterDeleted || ctx.dryRun),
    portForwardsStopped,
    loadBalancer,
    loadBalancerContainersRemoved,
    purged,
    kept,
    otherClusters: clusters.filter((c) => c !== name),
    ...(ctx.dryRun ? { plan: ctx.plan.toJSON().actions } : {}),
  };
}

export function renderDownResult(r: DownResult): string {
  if (r.dryRun) return '';
  const rows = [
    ['cluster', r.clusterDeleted ? `${r.name} deleted` : `${r.name} did not exist`],
    ['port-forwards', r.portForwardsStopped ? `${r.portForwardsStopped} stopped` : 'none'],
    ['LoadBalancer controller', r.loadBalancer + (r.loadBalancerContainersRemoved ? ` (${r.loadBalancerContainersRemoved} LB containers removed)` : '')],
    ...(r.purged.length > 0 ? [['purged', r.purged.join(', ')]] : []),
    ...r.kept.map((k) => ['kept', k]),
    ...(r.otherClusters.length > 0 ? [['other kind clusters (untouched)', r.otherClusters.join(', ')]] : []),
  ];
  const tail = r.purged.length === 0 ? '\nThe next `kindling up` reuses the cached images and weights. Host configuration stays: `kindling host restore` undoes it.' : '';
  return `${formatTable(['', ''], rows).split('\n').slice(1).join('\n')}${tail}`;
}
