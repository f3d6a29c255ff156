/**
 * The resource types the fake API server knows (its discovery documents): the built-in kinds
 * kindling uses, plus whatever a test or plugin registers (CRDs). Applying a
 * CustomResourceDefinition registers its kind too, as a real API server does.
 */

export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  kind: string;
  /** Plural resource name used in URLs (e.g. 'deployments'). */
  plural: string;
  namespaced: boolean;
  /** Subresources served: 'status' (separate status updates), 'log' (pods). */
  subresources?: string[];
  shortNames?: string[];
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const BUILTIN_RESOURCES: ResourceType[] = [
  // core/v1
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, subresources: ['status'], shortNames: ['ns'] },
  { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, subresources: ['status'], shortNames: ['no'] },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, subresources: ['status', 'log'], shortNames: ['po'] },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, subresources: ['status'], shortNames: ['svc'] },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  { group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'] },
  { group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true, subresources: ['status'], shortNames: ['pvc'] },
  { group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', namespaced: false, subresources: ['status'], shortNames: ['pv'] },
  { group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', namespaced: true, shortNames: ['ep'] },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'] },
  // apps/v1
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, subresources: ['status'], shortNames: ['deploy'] },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true, subresources: ['status'], shortNames: ['ds'] },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, subresources: ['status'], shortNames: ['rs'] },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true, subresources: ['status'], shortNames: ['sts'] },
  // others kindling uses
  { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', namespaced: true, subresources: ['status'] },
  { group: 'node.k8s.io', version: 'v1', kind: 'RuntimeClass', plural: 'runtimeclasses', namespaced: false },
  { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', namespaced: false, shortNames: ['sc'] },
  { group: 'nvidia.com', version: 'v1', kind: 'ClusterPolicy', plural: 'clusterpolicies', namespaced: false, subresources: ['status'] },
  { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false, subresources: ['status'], shortNames: ['crd'] },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
];

export function apiVersionOf(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The APIResourceList document of one group/version (what client-node's object API reads). */
export function resourceList(types: ResourceType[], group: string, version: string): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const t of types.filter((r) => r.group === group && r.version === version)) {
    resources.push({
      name: t.plural,
      singularName: t.kind.toLowerCase(),
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: VERBS,
      ...(t.shortNames ? { shortNames: t.shortNames } : {}),
    });
    for (const sub of t.subresources ?? []) {
      resources.push({
        name: `${t.plural}/${sub}`,
        singularName: '',
        namespaced: t.namespaced,
        kind: sub === 'log' ? 'Pod' : t.kind,
        verbs: sub === 'log' ? ['get'] : ['get', 'patch', 'update'],
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources };
}

/** The resource types a CustomResourceDefinition object declares (every served version). */
export function typesFromCrd(crd: Record<string, unknown>): ResourceType[] {
  const spec = (crd.spec ?? {}) as {
    group?: string;
    names?: { kind?: string; plural?: string; shortNames?: string[] };
    scope?: string;
    versions?: { name: string; served?: boolean; subresources?: { status?: unknown } }[];
  };
  if (!spec.group || !spec.names?.kind || !spec.names.plural) return [];
  return (spec.versions ?? [])
    .filter((v) => v.served !== false)
    .map((v) => ({
      group: spec.group as string,
      version: v.name,
      kind: spec.names?.kind as string,
      plural: spec.names?.plural as string,
      namespaced: spec.scope !== 'Cluster',
      ...(v.subresources?.status !== undefined ? { subresources: ['status'] } : {}),
      ...(spec.names?.shortNames ? { shortNames: spec.names.shortNames } : {}),
    }));
}
