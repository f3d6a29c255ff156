/**
 * Endpoint discovery for `kindling chat` / `kindling bench` (src/client's ClusterEndpointDiscovery):
 * the deployed model named MODEL (its kindling name, model id or served name; the only one when
 * MODEL is left out), its LoadBalancer address, else kindling's port-forward (reused, or started).
 */
import type { Context } from '../core/context.js';
import { ExitCode, UserError } from '../core/errors.js';
import { findEndpoint } from './endpoint.js';
import { findModel } from './service.js';
import { connectServing } from './target.js';

export interface DiscoveredEndpoint {
  url: string;
  servedModel?: string;
  source: string;
}

export async function discoverModelEndpoint(model: string | undefined, ctx: Context): Promise<DiscoveredEndpoint> {
  const target = await connectServing(ctx);
  const context = target.kube.contextName;
  const info = await findModel(ctx, target.kube, { context, ...(model !== undefined ? { nameOrModel: model } : {}) });
  if (!info.ready) {
    throw new UserError(`${info.name} is not ready (${info.readyReplicas}/${info.replicas}${info.state ? `, ${info.state}` : ''}).`, {
      fix: [`kindling model deploy ${info.model}  # waits for it and shows why it is not starting`, `kindling model logs ${info.name}`],
      exitCode: ExitCode.failed,
    });
  }
  const ep = await findEndpoint(ctx, target.kube, {
    name: info.name,
    namespace: info.namespace,
    lbWaitMs: 5_000,
    context,
    ...(ctx.kubeTarget.kubeconfig ? { kubeconfig: ctx.kubeTarget.kubeconfig } : {}),
  });
  if (!ep) throw new UserError(`${info.name} has no Service.`, { fix: `kindling model deploy ${info.model}`, exitCode: ExitCode.failed });
  if (ep.note) ctx.io.info(ep.note);
  return {
    url: ep.url,
    servedModel: info.servedModelName,
    source: ep.via === 'port-forward' ? `kindling's port-forward to ${info.namespace}/${info.name}` : `the ${ep.via === 'loadbalancer' ? 'LoadBalancer' : 'NodePort'} of ${info.namespace}/${info.name}`,
  };
}
