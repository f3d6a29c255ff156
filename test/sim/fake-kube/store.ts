/**
 * The object store of one fake cluster: typed objects in memory with resourceVersion, generation,
 * uid, minimal managedFields, watch history, pod logs and hooks for plugins. The HTTP layer
 * (server.ts) maps requests onto these methods; plugins and tests call them directly.
 */
import { randomUUID } from 'node:crypto';
import {
  BUILTIN_RESOURCES,
  apiVersionOf,
  splitApiVersion,
  typesFromCrd,
  type ResourceType,
} from './resources.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, type Obj } from './selectors.js';

export type { Obj };

export interface KubeObj extends Obj {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    ownerReferences?: { uid: string; kind: string; name: string }[];
    [k: string]: unknown;
  };
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  object: KubeObj;
  resourceVersion: number;
  resource: ResourceType;
}

export interface WriteInfo {
  /** What the client did: create (POST), update (PUT), apply (SSA), patch (merge/strategic/json). */
  operation: 'create' | 'update' | 'apply' | 'patch';
  subresource?: string;
  /** 'api' for client requests, 'plugin' for writes made by plugins or tests through the store. */
  source: 'api' | 'plugin';
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** An API error answered as a Status object. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  toStatus(): Obj {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, details: this.details, code: this.code };
  }
}

export const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

function isPlainObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch (null deletes). Also used for strategic-merge patches (lists replace). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const out: Obj = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Leaf paths of an applied configuration (lists are atomic leaves). */
function leafPaths(v: unknown, prefix: string[] = []): string[][] {
  if (!isPlainObject(v) || Object.keys(v).length === 0) return [prefix];
  return Object.entries(v).flatMap(([k, child]) => leafPaths(child, [...prefix, k]));
}

function deletePath(obj: Obj, path: string[]): void {
  const parents: Obj[] = [];
  let cur: Obj = obj;
  for (const p of path.slice(0, -1)) {
    const next = cur[p];
    if (!isPlainObject(next)) return;
    parents.push(cur);
    cur = next;
  }
  delete cur[path[path.length - 1] as string];
  // prune emptied maps (not metadata itself)
  for (let i = path.length - 2; i >= 1; i--) {
    const parent = parents[i] as Obj;
    const child = parent[path[i] as string];
    if (isPlainObject(child) && Object.keys(child).length === 0) delete parent[path[i] as string];
  }
}

function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function specPart(obj: Obj): string {
  const { metadata: _m, status: _s, ...rest } = obj;
  return JSON.stringify(rest);
}

type Hook<A extends unknown[]> = (...args: A) => void;

export class KubeStore {
  readonly types: ResourceType[] = [...BUILTIN_RESOURCES];
  private rv = 1;
  private readonly objects = new Map<string, Map<string, KubeObj>>();
  private readonly lastApplied = new Map<string, Map<string, Obj>>();
  private readonly history: StoreEvent[] = [];
  private readonly watchers = new Set<(e: StoreEvent) => void>();
  private readonly logs = new Map<string, { lines: string[]; listeners: Set<(line: string) => void> }>();
  private readonly appliedHooks: Hook<[KubeObj, WriteInfo]>[] = [];
  private readonly deletedHooks: Hook<[KubeObj]>[] = [];

  constructor(
    readonly name = 'default',
    private readonly clock: () => number = Date.now,
  ) {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      this.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    }
  }

  get resourceVersion(): number {
    return this.rv;
  }

  // ---- types ---------------------------------------------------------------------------------

  registerType(type: ResourceType): void {
    const i = this.types.findIndex((t) => t.group === type.group && t.version === type.version && t.kind === type.kind);
    if (i >= 0) this.types[i] = type;
    else this.types.push(type);
  }

  typeFor(apiVersion: string, kind: string): ResourceType {
    const { group, version } = splitApiVersion(apiVersion);
    const t = this.types.find((r) => r.group === group && r.version === version && r.kind === kind);
    if (!t) throw new KubeApiError(404, 'NotFound', `the server could not find the requested resource (kind ${kind} in ${apiVersion})`);
    return t;
  }

  typeForPlural(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((r) => r.group === group && r.version === version && r.plural === plural);
  }

  // ---- hooks ---------------------------------------------------------------------------------

  onApplied(fn: Hook<[KubeObj, WriteInfo]>): void {
    this.appliedHooks.push(fn);
  }

  onDeleted(fn: Hook<[KubeObj]>): void {
    this.deletedHooks.push(fn);
  }

  /** Watch every change; returns an unsubscribe function. */
  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  /** Changes after resourceVersion `rv` still in the history (for watches that resume). */
  eventsSince(rv: number): StoreEvent[] {
    return this.history.filter((e) => e.resourceVersion > rv);
  }

  // ---- reads ---------------------------------------------------------------------------------

  private bucket(t: ResourceType): Map<string, KubeObj> {
    const key = `${t.group}/${t.plural}`;
    let b = this.objects.get(key);
    if (!b) {
      b = new Map();
      this.objects.set(key, b);
    }
    return b;
  }

  private static key(t: ResourceType, name: string, namespace?: string): string {
    return t.namespaced ? `${namespace ?? 'default'}/${name}` : name;
  }

  private objKey(t: ResourceType, name: string, namespace?: string): string {
    return `${t.group}/${t.plural}/${KubeStore.key(t, name, namespace)}`;
  }

  /** A copy of the object, or undefined. */
  get(apiVersion: string, kind: string, name: string, namespace?: string): KubeObj | undefined {
    const t = this.typeFor(apiVersion, kind);
    return this.getByType(t, name, namespace);
  }

  getByType(t: ResourceType, name: string, namespace?: string): KubeObj | undefined {
    const o = this.bucket(t).get(KubeStore.key(t, name, namespace));
    return o ? this.present(o, t) : undefined;
  }

  /** Copies of the matching objects, sorted by namespace then name. */
  list(apiVersion: string, kind: string, options: ListOptions = {}): KubeObj[] {
    return this.listByType(this.typeFor(apiVersion, kind), options);
  }

  listByType(t: ResourceType, options: ListOptions = {}): KubeObj[] {
    const labels = parseLabelSelector(options.labelSelector);
    const fields = parseFieldSelector(options.fieldSelector);
    return [...this.bucket(t).values()]
      .filter((o) => !t.namespaced || options.namespace === undefined || o.metadata.namespace === options.namespace)
      .filter((o) => matchesLabels(o.metadata.labels, labels) && matchesFields(o, fields))
      .sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`))
      .map((o) => this.present(o, t));
  }

  /** Every object of every type (copies). */
  all(): KubeObj[] {
    return [...this.objects.values()].flatMap((b) => [...b.values()].map((o) => clone(o)));
  }

  /** Objects come back with the apiVersion they are stored under. */
  private present(o: KubeObj, t: ResourceType): KubeObj {
    const c = clone(o);
    c.apiVersion = apiVersionOf(t);
    c.kind = t.kind;
    return c;
  }

  // ---- writes --------------------------------------------------------------------------------

  private checkNamespace(t: ResourceType, namespace: string | undefined): void {
    if (!t.namespaced) return;
    const ns = namespace ?? 'default';
    if (!this.bucket(this.typeFor('v1', 'Namespace')).has(ns)) {
      throw new KubeApiError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
    }
  }

  private commit(t: ResourceType, obj: KubeObj, type: WatchEventType): KubeObj {
    this.rv += 1;
    obj.metadata.resourceVersion = String(this.rv);
    const b = this.bucket(t);
    const key = KubeStore.key(t, obj.metadata.name, obj.metadata.namespace);
    if (type === 'DELETED') b.delete(key);
    else b.set(key, obj);
    const event: StoreEvent = { type, object: this.present(obj, t), resourceVersion: this.rv, resource: t };
    this.history.push(event);
    if (this.history.length > 20_000) this.history.splice(0, 5_000);
    for (const w of [...this.watchers]) w(event);
    if (t.kind === 'CustomResourceDefinition' && type !== 'DELETED') for (const crdType of typesFromCrd(obj)) this.registerType(crdType);
    return this.present(obj, t);
  }

  private fresh(t: ResourceType, obj: KubeObj): KubeObj {
    const o = clone(obj);
    o.apiVersion = apiVersionOf(t);
    o.kind = t.kind;
    if (!o.metadata.name && typeof o.metadata.generateName === 'string') {
      o.metadata.name = `${o.metadata.generateName}${randomUUID().slice(0, 5)}`;
    }
    if (!o.metadata.name) throw new KubeApiError(422, 'Invalid', `${t.kind} "": metadata.name: Required value: name or generateName is required`);
    if (t.namespaced) o.metadata.namespace = o.metadata.namespace ?? 'default';
    else delete o.metadata.namespace;
    o.metadata.uid = randomUUID();
    o.metadata.creationTimestamp = timestamp(this.clock());
    o.metadata.generation = 1;
    delete o.metadata.deletionTimestamp;
    return o;
  }

  private fireApplied(obj: KubeObj, info: WriteInfo): void {
    for (const h of this.appliedHooks) h(clone(obj), info);
  }

  private managed(o: KubeObj, manager: string | undefined, operation: string, subresource?: string): void {
    if (!manager) return;
    const entries = (o.metadata.managedFields as Obj[] | undefined) ?? [];
    const rest = entries.filter((e) => !(e.manager === manager && e.operation === operation && (e.subresource ?? '') === (subresource ?? '')));
    o.metadata.managedFields = [
      ...rest,
      { manager, operation, apiVersion: o.apiVersion, time: timestamp(this.clock()), fieldsType: 'FieldsV1', ...(subresource ? { subresource } : {}) },
    ];
  }

  /** POST: 409 when it exists. */
  create(obj: KubeObj, opts: { fieldManager?: string; source?: 'api' | 'plugin' } = {}): KubeObj {
    const t = this.typeFor(obj.apiVersion, obj.kind);
    const o = this.fresh(t, obj);
    this.checkNamespace(t, o.metadata.namespace);
    if (this.bucket(t).has(KubeStore.key(t, o.metadata.name, o.metadata.namespace))) {
      throw new KubeApiError(409, 'AlreadyExists', `${t.plural}${t.group ? `.${t.group}` : ''} "${o.metadata.name}" already exists`, { name: o.metadata.name, kind: t.plural });
    }
    this.managed(o, opts.fieldManager ?? (opts.source === 'plugin' ? undefined : 'unknown'), 'Update');
    const out = this.commit(t, o, 'ADDED');
    this.fireApplied(out, { operation: 'create', source: opts.source ?? 'plugin' });
    return out;
  }

  /** Create or replace without checks (plugins, tests, setup). */
  put(obj: KubeObj): KubeObj {
    const t = this.typeFor(obj.apiVersion, obj.kind);
    const existing = this.bucket(t).get(KubeStore.key(t, obj.metadata.name, t.namespaced ? (obj.metadata.namespace ?? 'default') : undefined));
    if (!existing) return this.create(obj, { source: 'plugin' });
    const o = clone(obj);
    o.metadata = { ...o.metadata, uid: existing.metadata.uid, creationTimestamp: existing.metadata.creationTimestamp, generation: existing.metadata.generation };
    if (t.namespaced) o.metadata.namespace = existing.metadata.namespace;
    if (specPart(o) !== specPart(existing)) o.metadata.generation = (existing.metadata.generation ?? 1) + 1;
    const out = this.commit(t, o, 'MODIFIED');
    this.fireApplied(out, { operation: 'update', source: 'plugin' });
    return out;
  }

  /** PUT (main resource or /status): 404 when missing, 409 on a stale resourceVersion. */
  replace(obj: KubeObj, opts: { subresource?: string; fieldManager?: string; source?: 'api' | 'plugin' } = {}): KubeObj {
    const t = this.typeFor(obj.apiVersion, obj.kind);
    const existing = this.requireExisting(t, obj.metadata.name, obj.metadata.namespace);
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== existing.metadata.resourceVersion) {
      throw new KubeApiError(409, 'Conflict', `Operation cannot be fulfilled on ${t.plural} "${obj.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    let o: KubeObj;
    if (opts.subresource === 'status') {
      o = clone(existing);
      o.status = clone(obj.status);
    } else {
      o = clone(obj);
      o.metadata = { ...o.metadata, uid: existing.metadata.uid, creationTimestamp: existing.metadata.creationTimestamp, generation: existing.metadata.generation, managedFields: existing.metadata.managedFields };
      if (t.namespaced) o.metadata.namespace = existing.metadata.namespace;
      if (t.subresources?.includes('status')) o.status = clone(existing.status);
      if (specPart(o) !== specPart(existing)) o.metadata.generation = (existing.metadata.generation ?? 1) + 1;
    }
    this.managed(o, opts.fieldManager ?? 'unknown', 'Update', opts.subresource);
    return this.write(t, existing, o, { operation: 'update', ...(opts.subresource ? { subresource: opts.subresource } : {}), source: opts.source ?? 'plugin' });
  }

  /**
   * Server-side apply: creates the object, or merges the applied configuration into it (maps merge,
   * lists replace); fields this field manager applied before and no longer applies are removed.
   * The main resource never changes `status` when the type has a status subresource, and /status
   * changes only `status`. A no-op apply writes nothing (resourceVersion unchanged).
   */
  apply(
    obj: KubeObj,
    opts: { fieldManager?: string; subresource?: string; force?: boolean; source?: 'api' | 'plugin' } = {},
  ): KubeObj {
    const t = this.typeFor(obj.apiVersion, obj.kind);
    const manager = opts.fieldManager ?? 'unknown';
    const ns = t.namespaced ? (obj.metadata.namespace ?? 'default') : undefined;
    const hasStatusSub = t.subresources?.includes('status') ?? false;
    let applied: Obj = clone(obj);
    delete (applied.metadata as Obj).resourceVersion;
    delete (applied.metadata as Obj).managedFields;
    if (opts.subresource === 'status') applied = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata.name }, status: obj.status };
    else if (hasStatusSub) delete applied.status;
    const key = this.objKey(t, obj.metadata.name, ns);
    const managerKey = `${manager}|${opts.subresource ?? ''}`;
    const existing = this.bucket(t).get(KubeStore.key(t, obj.metadata.name, ns));
    if (!existing) {
      if (opts.subresource === 'status') throw this.notFound(t, obj.metadata.name);
      this.checkNamespace(t, ns);
      const o = this.fresh(t, applied as KubeObj);
      this.managed(o, manager, 'Apply');
      this.rememberApplied(key, managerKey, applied);
      const out = this.commit(t, o, 'ADDED');
      this.fireApplied(out, { operation: 'apply', source: opts.source ?? 'api' });
      return out;
    }
    const previous = this.lastApplied.get(key)?.get(managerKey);
    let merged = mergePatch(existing, stripNulls(applied)) as KubeObj;
    if (previous) {
      const now = new Set(leafPaths(applied).map((p) => p.join('\u0000')));
      for (const p of leafPaths(previous)) {
        if (p[0] === 'apiVersion' || p[0] === 'kind' || (p[0] === 'metadata' && (p[1] === 'name' || p[1] === 'namespace'))) continue;
        if (!now.has(p.join('\u0000'))) deletePath(merged, p);
      }
    }
    merged.metadata = { ...merged.metadata, name: existing.metadata.name, uid: existing.metadata.uid, creationTimestamp: existing.metadata.creationTimestamp, resourceVersion: existing.metadata.resourceVersion };
    if (t.namespaced) merged.metadata.namespace = existing.metadata.namespace;
    if (hasStatusSub && opts.subresource !== 'status') merged.status = clone(existing.status);
    if (hasStatusSub && existing.status === undefined && opts.subresource !== 'status') delete merged.status;
    if (specPart(merged) !== specPart(existing)) merged.metadata.generation = (existing.metadata.generation ?? 1) + 1;
    this.rememberApplied(key, managerKey, applied);
    merged = clone(merged);
    this.managed(merged, manager, 'Apply', opts.subresource);
    return this.write(t, existing, merged, { operation: 'apply', ...(opts.subresource ? { subresource: opts.subresource } : {}), source: opts.source ?? 'api' });
  }

  /** JSON merge patch (also strategic merge and, simplified, JSON patch via `patchJson`). */
  patch(
    apiVersion: string,
    kind: string,
    name: string,
    namespace: string | undefined,
    patch: Obj,
    opts: { subresource?: string; fieldManager?: string; source?: 'api' | 'plugin' } = {},
  ): KubeObj {
    const t = this.typeFor(apiVersion, kind);
    const existing = this.requireExisting(t, name, namespace);
    return this.patchWith(t, existing, (o) => mergePatch(o, patch) as KubeObj, opts);
  }

  /** RFC 6902 JSON patch (add, replace, remove, test). */
  patchJson(
    apiVersion: string,
    kind: string,
    name: string,
    namespace: string | undefined,
    ops: { op: string; path: string; value?: unknown }[],
    opts: { subresource?: string; fieldManager?: string; source?: 'api' | 'plugin' } = {},
  ): KubeObj {
    const t = this.typeFor(apiVersion, kind);
    const existing = this.requireExisting(t, name, namespace);
    return this.patchWith(t, existing, (o) => applyJsonPatch(o, ops), opts);
  }

  private patchWith(
    t: ResourceType,
    existing: KubeObj,
    fn: (o: KubeObj) => KubeObj,
    opts: { subresource?: string; fieldManager?: string; source?: 'api' | 'plugin' },
  ): KubeObj {
    const hasStatusSub = t.subresources?.includes('status') ?? false;
    let o = fn(clone(existing));
    if (opts.subresource === 'status') {
      const s = o.status;
      o = clone(existing);
      o.status = s;
    } else if (hasStatusSub) o.status = clone(existing.status);
    if (o.status === undefined) delete o.status;
    o.metadata = { ...o.metadata, name: existing.metadata.name, uid: existing.metadata.uid, creationTimestamp: existing.metadata.creationTimestamp };
    if (t.namespaced) o.metadata.namespace = existing.metadata.namespace;
    if (specPart(o) !== specPart(existing)) o.metadata.generation = (existing.metadata.generation ?? 1) + 1;
    this.managed(o, opts.fieldManager ?? (opts.source === 'plugin' ? undefined : 'unknown'), 'Update', opts.subresource);
    return this.write(t, existing, o, { operation: 'patch', ...(opts.subresource ? { subresource: opts.subresource } : {}), source: opts.source ?? 'plugin' });
  }

  /** Plugin helper: merge `status` into an object's status (a JSON merge patch of /status). */
  setStatus(apiVersion: string, kind: string, name: string, namespace: string | undefined, status: Obj): KubeObj {
    return this.patch(apiVersion, kind, name, namespace, { status }, { subresource: 'status', source: 'plugin' });
  }

  /** Plugin helper: change an object in place with a function. */
  update(apiVersion: string, kind: string, name: string, namespace: string | undefined, mutate: (o: KubeObj) => void): KubeObj {
    const t = this.typeFor(apiVersion, kind);
    const existing = this.requireExisting(t, name, namespace);
    const o = clone(existing);
    mutate(o);
    if (specPart(o) !== specPart(existing)) o.metadata.generation = (existing.metadata.generation ?? 1) + 1;
    return this.write(t, existing, o, { operation: 'update', source: 'plugin' });
  }

  private write(t: ResourceType, existing: KubeObj, o: KubeObj, info: WriteInfo): KubeObj {
    const comparable = (x: KubeObj) => {
      const c = clone(x);
      delete c.metadata.resourceVersion;
      delete c.metadata.managedFields;
      return JSON.stringify(c);
    };
    if (comparable(o) === comparable(existing)) {
      // Nothing changed: no write, no event (managedFields time is not worth a new version).
      return this.present(existing, t);
    }
    const out = this.commit(t, o, 'MODIFIED');
    this.fireApplied(out, info);
    return out;
  }

  private requireExisting(t: ResourceType, name: string, namespace?: string): KubeObj {
    const o = this.bucket(t).get(KubeStore.key(t, name, namespace));
    if (!o) throw this.notFound(t, name);
    return o;
  }

  private notFound(t: ResourceType, name: string): KubeApiError {
    const what = `${t.plural}${t.group ? `.${t.group}` : ''}`;
    return new KubeApiError(404, 'NotFound', `${what} "${name}" not found`, { name, group: t.group, kind: t.plural });
  }

  /**
   * DELETE: removes the object at once (no finalizers); a Namespace takes every object in it along,
   * and objects owned (ownerReferences) by a deleted object go too (background GC).
   */
  delete(apiVersion: string, kind: string, name: string, namespace?: string): KubeObj {
    const t = this.typeFor(apiVersion, kind);
    return this.deleteByType(t, name, namespace);
  }

  deleteByType(t: ResourceType, name: string, namespace?: string): KubeObj {
    const existing = this.requireExisting(t, name, namespace);
    const gone = clone(existing);
    gone.metadata.deletionTimestamp = timestamp(this.clock());
    const out = this.commit(t, gone, 'DELETED');
    this.lastApplied.delete(this.objKey(t, name, existing.metadata.namespace));
    for (const h of this.deletedHooks) h(clone(out));
    if (t.kind === 'Namespace' && t.group === '') {
      for (const other of this.types.filter((r) => r.namespaced)) {
        for (const o of [...this.bucket(other).values()]) {
          if (o.metadata.namespace === name && this.bucket(other).has(KubeStore.key(other, o.metadata.name, name))) this.deleteByType(other, o.metadata.name, name);
        }
      }
      for (const key of [...this.logs.keys()]) if (key.startsWith(`${name}/`)) this.logs.delete(key);
    }
    const uid = existing.metadata.uid;
    for (const other of this.types) {
      for (const o of [...this.bucket(other).values()]) {
        if (o.metadata.ownerReferences?.some((r) => r.uid === uid) && this.bucket(other).has(KubeStore.key(other, o.metadata.name, o.metadata.namespace))) {
          this.deleteByType(other, o.metadata.name, o.metadata.namespace);
        }
      }
    }
    if (t.kind === 'Pod' && t.group === '') {
      for (const [key, entry] of this.logs) {
        if (key.startsWith(`${existing.metadata.namespace}/${name}/`)) for (const l of entry.listeners) l('\u0000end');
      }
    }
    return out;
  }

  private rememberApplied(key: string, managerKey: string, applied: Obj): void {
    let m = this.lastApplied.get(key);
    if (!m) {
      m = new Map();
      this.lastApplied.set(key, m);
    }
    m.set(managerKey, clone(applied));
  }

  // ---- logs ----------------------------------------------------------------------------------

  private logEntry(namespace: string, pod: string, container: string, previous = false) {
    const key = `${namespace}/${pod}/${container}${previous ? '#previous' : ''}`;
    let e = this.logs.get(key);
    if (!e) {
      e = { lines: [], listeners: new Set() };
      this.logs.set(key, e);
    }
    return e;
  }

  /** Appends a line to a container's log (followers get it at once). */
  appendLog(namespace: string, pod: string, container: string, line: string): void {
    const e = this.logEntry(namespace, pod, container);
    e.lines.push(line);
    for (const l of e.listeners) l(line);
  }

  /** Moves the current log to `previous` (a container restart) and starts an empty one. */
  restartContainerLog(namespace: string, pod: string, container: string): void {
    const cur = this.logEntry(namespace, pod, container);
    this.logEntry(namespace, pod, container, true).lines = [...cur.lines];
    cur.lines = [];
  }

  logLines(namespace: string, pod: string, container: string, previous = false): string[] {
    return [...this.logEntry(namespace, pod, container, previous).lines];
  }

  /** Containers that have a log for a pod. */
  logContainers(namespace: string, pod: string): string[] {
    return [...this.logs.keys()]
      .filter((k) => k.startsWith(`${namespace}/${pod}/`) && !k.endsWith('#previous'))
      .map((k) => k.slice(`${namespace}/${pod}/`.length));
  }

  followLog(namespace: string, pod: string, container: string, fn: (line: string) => void): () => void {
    const e = this.logEntry(namespace, pod, container);
    e.listeners.add(fn);
    return () => e.listeners.delete(fn);
  }
}

function stripNulls(v: unknown): unknown {
  // In an apply configuration, null means "not set by me": drop it before merging.
  if (Array.isArray(v)) return v.map(stripNulls);
  if (!isPlainObject(v)) return v;
  const out: Obj = {};
  for (const [k, child] of Object.entries(v)) if (child !== null) out[k] = stripNulls(child);
  return out;
}

function applyJsonPatch(doc: KubeObj, ops: { op: string; path: string; value?: unknown }[]): KubeObj {
  const root: Obj = clone(doc);
  for (const op of ops) {
    const parts = op.path.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop();
    if (last === undefined) throw new KubeApiError(422, 'Invalid', `invalid JSON patch path ${op.path}`);
    let cur: unknown = root;
    for (const p of parts) {
      cur = Array.isArray(cur) ? cur[Number(p)] : (cur as Obj | undefined)?.[p];
      if (cur === undefined) throw new KubeApiError(422, 'Invalid', `JSON patch: path ${op.path} does not exist`);
    }
    if (op.op === 'add' || op.op === 'replace') {
      if (Array.isArray(cur)) {
        if (last === '-') cur.push(clone(op.value));
        else if (op.op === 'add') cur.splice(Number(last), 0, clone(op.value));
        else cur[Number(last)] = clone(op.value);
      } else (cur as Obj)[last] = clone(op.value);
    } else if (op.op === 'remove') {
      if (Array.isArray(cur)) cur.splice(Number(last), 1);
      else delete (cur as Obj)[last];
    } else if (op.op === 'test') {
      const v = Array.isArray(cur) ? cur[Number(last)] : (cur as Obj)[last];
      if (JSON.stringify(v) !== JSON.stringify(op.value)) throw new KubeApiError(422, 'Invalid', `JSON patch test failed at ${op.path}`);
    } else throw new KubeApiError(422, 'Invalid', `JSON patch op ${op.op} is not supported by the fake API server`);
  }
  return root as KubeObj;
}
