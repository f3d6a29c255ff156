/**
 * Names and paths shared by the cluster module and the modules that build on it (serving mounts
 * the node cache into pods; addons find GPU workers by label).
 */

/** Default kind cluster name. */
export const DEFAULT_CLUSTER_NAME = 'kindling';

/** Where the host cache directory (ctx.paths.hostCacheDir) appears inside every GPU worker node. */
export const NODE_CACHE_DIR = '/var/lib/kindling/cache';

/** Label kindling puts on every GPU worker (nvkind's examples do the same). */
export const GPU_PRESENT_LABEL = 'nvidia.com/gpu.present';

/** nvkind's GPU injection: an extraMount of /dev/null at this directory + '/<index|all>'. */
export const DEVICE_MOUNT_DIR = '/var/run/nvidia-container-devices';

/** Where kindling stores the rendered config inside the cluster (nvkind used default/nvkind-cluster-config). */
export const CONFIGMAP_NAMESPACE = 'kube-system';
export const CONFIGMAP_NAME = 'kindling-cluster-config';

/** Docker labels kind puts on node containers. */
export const KIND_CLUSTER_LABEL = 'io.x-k8s.kind.cluster';
export const KIND_ROLE_LABEL = 'io.x-k8s.kind.role';

/** Docker label kindling puts on containers it starts for a cluster (LB controller …); `delete` removes them. */
export const KINDLING_CLUSTER_LABEL = 'io.kindling.cluster';

/** kubeconfig context of a kind cluster. */
export function kindContext(name: string): string {
  return `kind-${name}`;
}
