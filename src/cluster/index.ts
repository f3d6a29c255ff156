/**
 * The cluster services, for `kindling cluster …` and the `up`/`down` workflows.
 * Import lazily (`await import('../cluster/index.js')`): this pulls in the kind config and
 * template code.
 */
export { renderClusterConfig, hostGpuCount, validateClusterName, NVKIND_DEFAULT_VALUES, type ClusterConfigOptions, type RenderedClusterConfig } from './config.js';
export { createCluster, waitNodesReady, DEFAULT_READY_WAIT_MS, type CreateClusterOptions, type CreateClusterResult } from './create.js';
export {
  clusterExists,
  clusterGpus,
  assertNoSharedGpus,
  deleteCluster,
  describeCluster,
  listClusters,
  registerClusterDeleteHook,
  type ClusterDeleteHook,
  type ClusterDescription,
  type ClusterGpus,
  type ClusterListEntry,
} from './lifecycle.js';
export { planGpuGroups, buildKindConfig, layoutFromConfig, mapNodes, gpuNodes, describeLayout, type ClusterLayout, type LayoutNode } from './layout.js';
export { setupGpuNodes, planNodeSteps, probeNode, type NodeState, type NodeStep, type NodeStepId } from './node-setup.js';
export * from './constants.js';

/** `planClusterLayout` = the GPU groups for a set of flags (alias kept for the up workflow). */
export { planGpuGroups as planClusterLayout } from './layout.js';
