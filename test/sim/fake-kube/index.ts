/**
 * The fake Kubernetes API server of the simulated host. See server.ts for what it serves and
 * README-like notes; plugins live in ./plugins/ (one file per behaviour, owned by their authors).
 */
export {
  FakeKube,
  KUBERNETES_VERSION,
  emitEvent,
  kubeconfigObject,
  mergeKubeconfigFile,
  nodeObject,
  startFakeKube,
  type FakeKubeOptions,
  type FakeKubePlugin,
  type FakeKubePluginApi,
  type FakeRequest,
  type FakeResponse,
  type SimNodeSpec,
} from './server.js';
export { KubeApiError, KubeStore, clone, mergePatch, type KubeObj, type StoreEvent, type WriteInfo } from './store.js';
export { BUILTIN_RESOURCES, type ResourceType } from './resources.js';
export { attachFakeKube, FAKE_KUBE_FILE } from './sim.js';
