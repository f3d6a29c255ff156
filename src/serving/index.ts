/**
 * Serving's public surface for `up`, `status`, `down` and `chat`: import from here.
 */
export { buildModelManifests, buildTokenSecret, renderManifestsYaml, vllmArgs, MANAGED_SELECTOR, type ModelManifests } from './manifests.js';
export { DEFAULT_MODEL, estimateModelSize, podSizing, resolveModelSpec, type ModelRequest, type ModelSpec } from './spec.js';
export { connectServing, clusterFacts, NODE_CACHE_DIR, DEFAULT_CLUSTER_CONTEXT, type ServingTarget } from './target.js';
export { servingKube, type ServingKube } from './kube-api.js';
export { watchModelStart, type WatchResult } from './watch.js';
export { findEndpoint, smokeTest, stopPortForwards, listPortForwards, type ModelEndpoint, type SmokeResult } from './endpoint.js';
export { parseVllmLogLine, parsePodEvent, PhaseTracker, renderPhaseSummary, type PhaseSummary } from './phases.js';
export { classifyFailure, type Failure } from './failures.js';
export {
  deleteModel,
  deployModel,
  findModel,
  listModels,
  modelLogs,
  modelStatus,
  prepareModelSpec,
  renderDeployResult,
  renderModelList,
  type DeployOptions,
  type DeployResult,
  type ModelInfo,
} from './service.js';
