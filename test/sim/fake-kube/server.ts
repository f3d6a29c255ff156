/**
 * A fake Kubernetes API server for the simulated host (TESTING.md §2): in-process HTTP on
 * 127.0.0.1:0 that the real @kubernetes/client-node (and kubectl) talk to.
 *
 * - Several clusters, one store each: the cluster `default` at `${url}`, and `name` at
 *   `${url}/clusters/<name>` (the fake `kind` registers and removes them through `/_sim/…`).
 * - Discovery, GET/LIST (label and field selectors), WATCH (JSON lines, resourceVersion), POST, PUT,
 *   PATCH (server-side apply, merge, strategic merge, JSON patch), DELETE (namespaces and owners
 *   cascade), `/status`, pod logs (`follow=true` streams), events.
 * - A request log (`requests`) and `mutatingCount()` for assertions.
 * - Plugins (`use(plugin)`) script cluster behaviour: see FakeKubePluginApi.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { apiVersionOf, resourceList, type ResourceType } from './resources.js';
import { SelectorError, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { KubeApiError, KubeStore, clone, type KubeObj, type Obj, type StoreEvent, type WriteInfo } from './store.js';

export { KubeStore, KubeApiError, type KubeObj, type WriteInfo, type StoreEvent };
export type { ResourceType };

export const KUBERNETES_VERSION = 'v1.36.1';

export interface FakeRequest {
  cluster: string;
  method: string;
  /** Path inside the cluster (without the /clusters/<name> prefix). */
  path: string;
  query: Record<string, string>;
  contentType?: string;
  /** Parsed body (JSON or YAML), or the raw text when it did not parse. */
  body?: unknown;
  /** HTTP status answered. */
  status?: number;
  time: number;
}

export interface FakeResponse {
  status: number;
  body: unknown;
  contentType?: string;
}

export interface FakeKubePluginApi {
  /** The cluster this instance of the plugin serves. */
  cluster: string;
  store: KubeStore;
  /** `applied`: every write (client or plugin) with how it was made; `deleted`; `tick` every tickMs;
   * `request`: see every client request first; return a FakeResponse to answer it yourself. */
  on(event: 'applied', fn: (obj: KubeObj, info: WriteInfo) => void): void;
  on(event: 'deleted', fn: (obj: KubeObj) => void): void;
  on(event: 'tick', fn: (nowMs: number) => void): void;
  on(event: 'request', fn: (req: FakeRequest) => FakeResponse | undefined): void;
  /** Records a core/v1 Event about `obj`. */
  emitEvent(obj: Pick<KubeObj, 'apiVersion' | 'kind' | 'metadata'>, reason: string, message: string, type?: 'Normal' | 'Warning'): KubeObj;
  appendLog(namespace: string, pod: string, container: string, line: string): void;
  /** Wall clock (ms since the epoch). */
  now(): number;
  /** ms since this cluster was created. */
  elapsed(): number;
  /** Timers that are cleared when the cluster or server goes away. */
  after(ms: number, fn: () => void): void;
  every(ms: number, fn: () => void): void;
  /** `options.pluginOptions` of startFakeKube (scenario knobs). */
  options: Record<string, unknown>;
}

export type FakeKubePlugin = (api: FakeKubePluginApi) => void | { close?: () => void };

export interface SimNodeSpec {
  name: string;
  role: 'control-plane' | 'worker';
  labels?: Record<string, string>;
  /** Ready condition; default true. */
  ready?: boolean;
  /** Extra allocatable/capacity (e.g. { 'nvidia.com/gpu': '1' }). */
  resources?: Record<string, string>;
}

export interface FakeKubeOptions {
  /** Clusters to create at start besides `default` (e.g. ['kindling']). */
  clusters?: string[];
  plugins?: FakeKubePlugin[];
  /** Period of the `tick` event (default 25 ms). */
  tickMs?: number;
  pluginOptions?: Record<string, unknown>;
  /** Refuse namespaced writes into a missing namespace, as the real server does (default true). */
  strictNamespaces?: boolean;
}

interface ClusterState {
  name: string;
  store: KubeStore;
  created: number;
  timers: Set<NodeJS.Timeout>;
  tick: ((now: number) => void)[];
  request: ((req: FakeRequest) => FakeResponse | undefined)[];
  closers: (() => void)[];
  responses: Set<ServerResponse>;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class FakeKube {
  readonly requests: FakeRequest[] = [];
  private readonly clusters = new Map<string, ClusterState>();
  private readonly plugins: FakeKubePlugin[] = [];
  private tickTimer: NodeJS.Timeout | undefined;
  url = '';

  constructor(
    private readonly server: Server,
    private readonly options: FakeKubeOptions,
  ) {}

  /** The store of the `default` cluster. */
  get store(): KubeStore {
    return this.cluster('default');
  }

  /** The store of a cluster (throws when it does not exist). */
  cluster(name: string): KubeStore {
    const c = this.clusters.get(name);
    if (!c) throw new Error(`fake-kube: no cluster '${name}' (have: ${[...this.clusters.keys()].join(', ')})`);
    return c.store;
  }

  hasCluster(name: string): boolean {
    return this.clusters.has(name);
  }

  clusterNames(): string[] {
    return [...this.clusters.keys()];
  }

  /** Base URL of a cluster's API. */
  clusterUrl(name = 'default'): string {
    return name === 'default' ? this.url : `${this.url}/clusters/${encodeURIComponent(name)}`;
  }

  /** Creates a cluster (idempotent) with Node objects; plugins attach to it. */
  addCluster(name: string, nodes: SimNodeSpec[] = []): KubeStore {
    let c = this.clusters.get(name);
    if (!c) {
      const store = new KubeStore(name);
      c = { name, store, created: Date.now(), timers: new Set(), tick: [], request: [], closers: [], responses: new Set() };
      this.clusters.set(name, c);
      for (const p of this.plugins) this.attach(c, p);
    }
    for (const n of nodes) c.store.put(nodeObject(n));
    return c.store;
  }

  removeCluster(name: string): boolean {
    const c = this.clusters.get(name);
    if (!c) return false;
    this.clusters.delete(name);
    for (const t of c.timers) clearTimeout(t);
    for (const close of c.closers) close();
    for (const r of c.responses) r.destroy();
    return true;
  }

  /** Adds a plugin to every cluster, now and later. */
  use(plugin: FakeKubePlugin): this {
    this.plugins.push(plugin);
    for (const c of this.clusters.values()) this.attach(c, plugin);
    return this;
  }

  /** Client requests that change something (POST, PUT, PATCH, DELETE), optionally for one cluster. */
  mutatingCount(cluster?: string): number {
    return this.mutatingRequests(cluster).length;
  }

  mutatingRequests(cluster?: string): FakeRequest[] {
    return this.requests.filter((r) => MUTATING.has(r.method) && (cluster === undefined || r.cluster === cluster));
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /** A kubeconfig (YAML) whose context `contextName` points at `cluster`. */
  kubeconfigFor(contextName: string, cluster = 'default'): string {
    return stringifyYaml(kubeconfigObject(contextName, this.clusterUrl(cluster)));
  }

  /** Writes (merging into an existing file) a kubeconfig context pointing at `cluster`. */
  writeKubeconfig(path: string, contextName: string, cluster = 'default'): void {
    mergeKubeconfigFile(path, contextName, this.clusterUrl(cluster));
  }

  /** Ends every open watch and log stream (clients see the connection close). */
  closeStreams(cluster?: string): void {
    for (const c of this.clusters.values()) {
      if (cluster !== undefined && c.name !== cluster) continue;
      for (const r of c.responses) r.end();
      c.responses.clear();
    }
  }

  async close(): Promise<void> {
    if (this.tickTimer) clearInterval(this.tickTimer);
    for (const name of [...this.clusters.keys()]) this.removeCluster(name);
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- internals -----------------------------------------------------------------------------

  startTicking(): void {
    this.tickTimer = setInterval(() => {
      const now = Date.now();
      for (const c of this.clusters.values()) for (const fn of c.tick) safe(() => fn(now));
    }, this.options.tickMs ?? 25);
    this.tickTimer.unref();
  }

  private attach(c: ClusterState, plugin: FakeKubePlugin): void {
    const api: FakeKubePluginApi = {
      cluster: c.name,
      store: c.store,
      on: ((event: string, fn: (...a: never[]) => unknown) => {
        if (event === 'applied') c.store.onApplied(fn as (o: KubeObj, i: WriteInfo) => void);
        else if (event === 'deleted') c.store.onDeleted(fn as (o: KubeObj) => void);
        else if (event === 'tick') c.tick.push(fn as (n: number) => void);
        else if (event === 'request') c.request.push(fn as (r: FakeRequest) => FakeResponse | undefined);
        else throw new Error(`fake-kube: unknown plugin event '${event}'`);
      }) as FakeKubePluginApi['on'],
      emitEvent: (obj, reason, message, type = 'Normal') => emitEvent(c.store, obj, reason, message, type),
      appendLog: (ns, pod, container, line) => c.store.appendLog(ns, pod, container, line),
      now: () => Date.now(),
      elapsed: () => Date.now() - c.created,
      after: (ms, fn) => {
        const t = setTimeout(() => {
          c.timers.delete(t);
          if (this.clusters.get(c.name) === c) safe(fn);
        }, ms);
        t.unref();
        c.timers.add(t);
      },
      every: (ms, fn) => {
        const t = setInterval(() => {
          if (this.clusters.get(c.name) === c) safe(fn);
        }, ms);
        t.unref();
        c.timers.add(t);
      },
      options: this.options.pluginOptions ?? {},
    };
    const handle = plugin(api);
    if (handle && typeof handle.close === 'function') c.closers.push(handle.close);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    let path = url.pathname;
    const query = Object.fromEntries(url.searchParams.entries());
    const raw = await readBody(req);
    if (path.startsWith('/_sim/')) return this.handleAdmin(req.method ?? 'GET', path, raw, res);
    let clusterName = 'default';
    const m = /^\/clusters\/([^/]+)(\/.*)?$/.exec(path);
    if (m) {
      clusterName = decodeURIComponent(m[1] as string);
      path = m[2] ?? '/';
    }
    const c = this.clusters.get(clusterName);
    if (!c) {
      // A deleted (or never created) cluster: like a dead endpoint, the connection just drops.
      req.socket.destroy();
      return;
    }
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
    const record: FakeRequest = {
      cluster: clusterName,
      method: req.method ?? 'GET',
      path,
      query,
      ...(contentType ? { contentType } : {}),
      ...(raw !== '' ? { body: parseBody(raw) } : {}),
      time: Date.now(),
    };
    this.requests.push(record);
    const send = (status: number, body: unknown, type = 'application/json') => {
      record.status = status;
      res.writeHead(status, { 'content-type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    try {
      for (const hook of c.request) {
        const answer = hook(record);
        if (answer) return send(answer.status, answer.body, answer.contentType);
      }
      const out = this.route(c, record, res);
      if (out === 'streaming') {
        record.status = 200;
        return;
      }
      send(out.status, out.body, out.contentType);
    } catch (error) {
      if (error instanceof KubeApiError) return send(error.code, error.toStatus());
      if (error instanceof SelectorError) return send(400, new KubeApiError(400, 'BadRequest', error.message).toStatus());
      send(500, new KubeApiError(500, 'InternalError', `fake-kube: ${(error as Error).stack ?? String(error)}`).toStatus());
    }
  }

  private handleAdmin(method: string, path: string, raw: string, res: ServerResponse): void {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const m = /^\/_sim\/clusters(?:\/([^/]+))?(?:\/(nodes))?$/.exec(path);
    if (!m) return reply(404, { error: 'unknown admin path' });
    const name = m[1] ? decodeURIComponent(m[1]) : undefined;
    if (!name) return reply(200, { clusters: this.clusterNames() });
    if (method === 'POST') {
      const body = (raw ? JSON.parse(raw) : {}) as { nodes?: SimNodeSpec[] };
      this.addCluster(name, body.nodes ?? []);
      return reply(200, { url: this.clusterUrl(name) });
    }
    if (method === 'DELETE') return reply(200, { deleted: this.removeCluster(name) });
    if (method === 'GET') return reply(this.hasCluster(name) ? 200 : 404, { exists: this.hasCluster(name), url: this.clusterUrl(name) });
    reply(405, { error: 'method not allowed' });
  }

  private route(c: ClusterState, r: FakeRequest, res: ServerResponse): FakeResponse | 'streaming' {
    const store = c.store;
    const p = r.path.replace(/\/+$/, '') || '/';
    const ok = (body: unknown): FakeResponse => ({ status: 200, body });
    if (p === '/version') {
      const [, major, minor] = /^v(\d+)\.(\d+)/.exec(KUBERNETES_VERSION) ?? [];
      return ok({ major, minor, gitVersion: KUBERNETES_VERSION, gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean', buildDate: '2026-05-15T00:00:00Z', goVersion: 'go1.25.9', compiler: 'gc', platform: 'linux/amd64' });
    }
    if (p === '/healthz' || p === '/readyz' || p === '/livez') return { status: 200, body: 'ok', contentType: 'text/plain' };
    if (p === '/api') return ok({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '172.18.0.2:6443' }] });
    if (p === '/apis') return ok({ kind: 'APIGroupList', apiVersion: 'v1', groups: groupList(store.types) });
    const seg = p.split('/').filter((s) => s !== '').map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (seg[0] === 'api' && seg[1]) {
      group = '';
      version = seg[1];
      rest = seg.slice(2);
    } else if (seg[0] === 'apis' && seg[1]) {
      group = seg[1];
      if (!seg[2]) {
        const g = groupList(store.types).find((x) => x.name === group);
        if (!g) throw new KubeApiError(404, 'NotFound', 'the server could not find the requested resource');
        return ok({ kind: 'APIGroup', apiVersion: 'v1', ...g });
      }
      version = seg[2];
      rest = seg.slice(3);
    } else throw new KubeApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (!store.types.some((t) => t.group === group && t.version === version)) {
      throw new KubeApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (rest.length === 0) return ok(resourceList(store.types, group, version));

    // [namespaces/<ns>/]<plural>[/<name>[/<subresource>]]
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3 && store.typeForPlural(group, version, rest[2] as string)?.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural, name, subresource] = rest as [string, string | undefined, string | undefined];
    const type = store.typeForPlural(group, version, plural);
    if (!type) throw new KubeApiError(404, 'NotFound', 'the server could not find the requested resource');
    const apiVersion = apiVersionOf(type);
    const body = r.body as KubeObj | undefined;

    if (subresource !== undefined && !(type.subresources ?? []).includes(subresource)) {
      throw new KubeApiError(404, 'NotFound', 'the server could not find the requested resource');
    }

    switch (r.method) {
      case 'GET': {
        if (name === undefined) {
          if (r.query.watch === 'true' || r.query.watch === '1') return this.watch(c, type, namespace, r, res);
          const items = store
            .listByType(type, {
              ...(namespace !== undefined ? { namespace } : {}),
              ...(r.query.labelSelector ? { labelSelector: r.query.labelSelector } : {}),
              ...(r.query.fieldSelector ? { fieldSelector: r.query.fieldSelector } : {}),
            })
            .map(({ apiVersion: _a, kind: _k, ...item }) => item);
          return ok({ kind: `${type.kind}List`, apiVersion, metadata: { resourceVersion: String(store.resourceVersion) }, items });
        }
        if (subresource === 'log') return this.podLog(c, namespace ?? 'default', name, r, res);
        const o = store.getByType(type, name, namespace);
        if (!o) throw new KubeApiError(404, 'NotFound', `${type.plural}${type.group ? `.${type.group}` : ''} "${name}" not found`, { name, group: type.group, kind: type.plural });
        return ok(o);
      }
      case 'POST': {
        if (name !== undefined || !body || typeof body !== 'object') throw new KubeApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
        const obj = withIdentity(body, type, namespace, body.metadata?.name);
        return { status: 201, body: store.create(obj, { ...(r.query.fieldManager ? { fieldManager: r.query.fieldManager } : {}), source: 'api' }) };
      }
      case 'PUT': {
        if (name === undefined || !body) throw new KubeApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
        this.checkName(body, name);
        return ok(store.replace(withIdentity(body, type, namespace, name), { ...(subresource ? { subresource } : {}), ...(r.query.fieldManager ? { fieldManager: r.query.fieldManager } : {}), source: 'api' }));
      }
      case 'PATCH': {
        if (name === undefined || body === undefined) throw new KubeApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
        const ct = r.contentType ?? '';
        const manager = r.query.fieldManager;
        if (ct === 'application/apply-patch+yaml' || ct === 'application/apply-patch+cbor') {
          if (!manager) throw new KubeApiError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
          if (typeof body !== 'object' || Array.isArray(body)) throw new KubeApiError(400, 'BadRequest', 'error decoding YAML: not an object');
          this.checkName(body, name);
          if (body.kind !== type.kind || (body.apiVersion !== apiVersion && body.apiVersion !== undefined)) {
            if (subresource !== 'status') throw new KubeApiError(400, 'BadRequest', `the body kind/apiVersion ${String(body.apiVersion)}/${String(body.kind)} does not match ${apiVersion}/${type.kind}`);
          }
          const obj = withIdentity(body, type, namespace, name);
          return ok(store.apply(obj, { fieldManager: manager, force: r.query.force === 'true', ...(subresource ? { subresource } : {}), source: 'api' }));
        }
        const opts = { ...(subresource ? { subresource } : {}), ...(manager ? { fieldManager: manager } : {}), source: 'api' as const };
        if (ct === 'application/json-patch+json') {
          return ok(store.patchJson(apiVersion, type.kind, name, namespace, body as unknown as { op: string; path: string; value?: unknown }[], opts));
        }
        if (ct === 'application/merge-patch+json' || ct === 'application/strategic-merge-patch+json') {
          return ok(store.patch(apiVersion, type.kind, name, namespace, body as Obj, opts));
        }
        throw new KubeApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got '${ct}')`);
      }
      case 'DELETE': {
        if (name === undefined) {
          const victims = store.listByType(type, {
            ...(namespace !== undefined ? { namespace } : {}),
            ...(r.query.labelSelector ? { labelSelector: r.query.labelSelector } : {}),
            ...(r.query.fieldSelector ? { fieldSelector: r.query.fieldSelector } : {}),
          });
          for (const v of victims) store.deleteByType(type, v.metadata.name, v.metadata.namespace);
          return ok({ kind: `${type.kind}List`, apiVersion, metadata: {}, items: victims });
        }
        const gone = store.deleteByType(type, name, namespace);
        return ok({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: type.group, kind: type.plural, uid: gone.metadata.uid } });
      }
      default:
        throw new KubeApiError(405, 'MethodNotAllowed', `method ${r.method} not allowed`);
    }
  }

  private checkName(body: KubeObj, name: string): void {
    if (body.metadata?.name !== undefined && body.metadata.name !== name) {
      throw new KubeApiError(400, 'BadRequest', `the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    }
  }

  private watch(c: ClusterState, type: ResourceType, namespace: string | undefined, r: FakeRequest, res: ServerResponse): 'streaming' {
    const labels = parseLabelSelector(r.query.labelSelector);
    const fields = parseFieldSelector(r.query.fieldSelector);
    const match = (e: StoreEvent) =>
      e.resource.group === type.group &&
      e.resource.plural === type.plural &&
      (namespace === undefined || e.object.metadata.namespace === namespace) &&
      matchesLabels(e.object.metadata.labels, labels) &&
      matchesFields(e.object, fields);
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    c.responses.add(res);
    const write = (e: StoreEvent) => res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
    const rv = r.query.resourceVersion;
    if (rv === undefined || rv === '' || rv === '0') {
      for (const o of c.store.listByType(type, namespace !== undefined ? { namespace } : {})) {
        const e: StoreEvent = { type: 'ADDED', object: o, resourceVersion: Number(o.metadata.resourceVersion), resource: type };
        if (match(e)) write(e);
      }
    } else {
      for (const e of c.store.eventsSince(Number(rv))) if (match(e)) write(e);
    }
    const unsubscribe = c.store.subscribe((e) => {
      if (match(e)) write(e);
    });
    const end = () => {
      unsubscribe();
      c.responses.delete(res);
    };
    res.on('close', end);
    if (r.query.timeoutSeconds) {
      const t = setTimeout(() => res.end(), Number(r.query.timeoutSeconds) * 1000);
      t.unref();
      res.on('close', () => clearTimeout(t));
    }
    return 'streaming';
  }

  private podLog(c: ClusterState, namespace: string, pod: string, r: FakeRequest, res: ServerResponse): FakeResponse | 'streaming' {
    const podObj = c.store.get('v1', 'Pod', pod, namespace);
    if (!podObj) throw new KubeApiError(404, 'NotFound', `pods "${pod}" not found`, { name: pod, kind: 'pods' });
    const declared = (((podObj.spec as Obj | undefined)?.containers as { name: string }[] | undefined) ?? []).map((x) => x.name);
    const known = declared.length > 0 ? declared : c.store.logContainers(namespace, pod);
    let container = r.query.container;
    if (!container) {
      if (known.length > 1) {
        throw new KubeApiError(400, 'BadRequest', `a container name must be specified for pod ${pod}, choose one of: [${known.join(' ')}]`);
      }
      container = known[0] ?? '';
    } else if (declared.length > 0 && !declared.includes(container)) {
      throw new KubeApiError(400, 'BadRequest', `container ${container} is not valid for pod ${pod}`);
    }
    const previous = r.query.previous === 'true';
    let lines = c.store.logLines(namespace, pod, container, previous);
    if (r.query.tailLines !== undefined) lines = lines.slice(Math.max(0, lines.length - Number(r.query.tailLines)));
    if (r.query.follow !== 'true' || previous) {
      return { status: 200, body: lines.map((l) => `${l}\n`).join(''), contentType: 'text/plain' };
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
    c.responses.add(res);
    for (const l of lines) res.write(`${l}\n`);
    const stop = c.store.followLog(namespace, pod, container, (line) => {
      if (line === '\u0000end') res.end();
      else res.write(`${line}\n`);
    });
    res.on('close', () => {
      stop();
      c.responses.delete(res);
    });
    return 'streaming';
  }
}

/** Starts the server on 127.0.0.1 with a random port. */
export async function startFakeKube(options: FakeKubeOptions = {}): Promise<FakeKube> {
  let fake: FakeKube | undefined;
  const server = createServer((req, res) => {
    void fake?.handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  fake = new FakeKube(server, options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.addCluster('default');
  for (const name of options.clusters ?? []) fake.addCluster(name);
  for (const p of options.plugins ?? []) fake.use(p);
  fake.startTicking();
  return fake;
}

// ---- helpers -------------------------------------------------------------------------------------

function safe(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    process.stderr.write(`fake-kube plugin error: ${(error as Error).stack ?? String(error)}\n`);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (data += chunk));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function parseBody(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    try {
      return parseYaml(raw) as unknown;
    } catch {
      return raw;
    }
  }
}

function withIdentity(body: KubeObj, type: ResourceType, namespace: string | undefined, name: string | undefined): KubeObj {
  const o = clone(body);
  o.apiVersion = apiVersionOf(type);
  o.kind = type.kind;
  o.metadata = { ...(o.metadata ?? {}), ...(name !== undefined ? { name } : {}) } as KubeObj['metadata'];
  if (type.namespaced) {
    if (namespace !== undefined && o.metadata.namespace !== undefined && o.metadata.namespace !== namespace) {
      throw new KubeApiError(400, 'BadRequest', `the namespace of the provided object does not match the namespace sent on the request`);
    }
    o.metadata.namespace = namespace ?? o.metadata.namespace ?? 'default';
  }
  return o;
}

function groupList(types: ResourceType[]): { name: string; versions: { groupVersion: string; version: string }[]; preferredVersion: { groupVersion: string; version: string } }[] {
  const groups = new Map<string, string[]>();
  for (const t of types) {
    if (t.group === '') continue;
    const vs = groups.get(t.group) ?? [];
    if (!vs.includes(t.version)) vs.push(t.version);
    groups.set(t.group, vs);
  }
  return [...groups.entries()].map(([name, versions]) => {
    const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
    return { name, versions: vs, preferredVersion: vs[0] as { groupVersion: string; version: string } };
  });
}

export function emitEvent(
  store: KubeStore,
  obj: Pick<KubeObj, 'apiVersion' | 'kind' | 'metadata'>,
  reason: string,
  message: string,
  type: 'Normal' | 'Warning' = 'Normal',
): KubeObj {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const namespace = obj.metadata.namespace ?? 'default';
  return store.create(
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${obj.metadata.name}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
        ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
      },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: 'fake-kube' },
      reportingComponent: 'fake-kube',
    },
    { source: 'plugin' },
  );
}

/** A Node object shaped like a kind node's. */
export function nodeObject(n: SimNodeSpec): KubeObj {
  const controlPlane = n.role === 'control-plane';
  const ready = n.ready ?? true;
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const resources = { cpu: '16', 'ephemeral-storage': '1055762868Ki', memory: '131811328Ki', pods: '110', ...(n.resources ?? {}) };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
        ...(controlPlane ? { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {}),
        ...(n.labels ?? {}),
      },
    },
    spec: {
      podCIDR: '10.244.0.0/24',
      providerID: `kind://docker/${n.name.replace(/-(control-plane|worker\d*)$/, '')}/${n.name}`,
      ...(controlPlane ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {}),
    },
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available', lastHeartbeatTime: now, lastTransitionTime: now },
        { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure', lastHeartbeatTime: now, lastTransitionTime: now },
        { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available', lastHeartbeatTime: now, lastTransitionTime: now },
        ready
          ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }
          : { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized', lastHeartbeatTime: now, lastTransitionTime: now },
      ],
      nodeInfo: {
        architecture: 'amd64',
        containerRuntimeVersion: 'containerd://2.3.1',
        kernelVersion: '6.8.0-85-generic',
        kubeProxyVersion: KUBERNETES_VERSION,
        kubeletVersion: KUBERNETES_VERSION,
        operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
      },
    },
  };
}

export function kubeconfigObject(contextName: string, server: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    // client-node refuses plain http unless skipTLSVerify is set.
    clusters: [{ name: contextName, cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: contextName, user: { token: 'fake-kube-token' } }],
    contexts: [{ name: contextName, context: { cluster: contextName, user: contextName } }],
    'current-context': contextName,
  };
}

/** Adds or replaces `contextName` (cluster, user, context) in a kubeconfig file and makes it current. */
export function mergeKubeconfigFile(path: string, contextName: string, server: string): void {
  const existing = existsSync(path) ? ((parseYaml(readFileSync(path, 'utf8')) as Obj | null) ?? {}) : {};
  const add = kubeconfigObject(contextName, server);
  const merged: Obj = { apiVersion: 'v1', kind: 'Config', preferences: {}, ...existing };
  for (const key of ['clusters', 'users', 'contexts'] as const) {
    const list = ((merged[key] as { name: string }[] | undefined) ?? []).filter((e) => e.name !== contextName);
    merged[key] = [...list, ...(add[key] as unknown[])];
  }
  merged['current-context'] = contextName;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, stringifyYaml(merged));
}
