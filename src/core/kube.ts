/**
 * Kubernetes access for every domain module: one connection per target (--context/--kubeconfig),
 * server-side apply with field manager `kindling`, reads that return undefined on 404, deletes that
 * tolerate 404, watches and logs. Writes are planned actions: recorded (as manifests) in --dry-run.
 * @kubernetes/client-node is imported lazily: it is large, and only commands that talk to a
 * cluster pay for it.
 */
import type * as k8s from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { Context, KubeTarget } from './context.js';
import { UserError } from './errors.js';

export const FIELD_MANAGER = 'kindling';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [key: string]: unknown;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export class Kube {
  private constructor(
    readonly lib: typeof k8s,
    readonly config: k8s.KubeConfig,
    private readonly objects: k8s.KubernetesObjectApi,
    private readonly ctx: Pick<Context, 'plan' | 'io'>,
    readonly target: KubeTarget,
  ) {}

  static async connect(ctx: Pick<Context, 'plan' | 'io'>, target: KubeTarget): Promise<Kube> {
    const lib = await import('@kubernetes/client-node');
    const config = new lib.KubeConfig();
    try {
      if (target.kubeconfig) config.loadFromFile(target.kubeconfig);
      else config.loadFromDefault();
    } catch (error) {
      throw new UserError(`Cannot read the kubeconfig${target.kubeconfig ? ` ${target.kubeconfig}` : ''}: ${(error as Error).message}`, {
        fix: 'Pass --kubeconfig FILE, or create a cluster with `kindling cluster create`.',
      });
    }
    if (target.context) {
      if (!config.getContexts().some((c) => c.name === target.context)) {
        throw new UserError(`The kubeconfig has no context '${target.context}'.`, {
          fix: [`kubectl config get-contexts`, `kindling cluster list`],
        });
      }
      config.setCurrentContext(target.context);
    }
    return new Kube(lib, config, lib.KubernetesObjectApi.makeApiClient(config), ctx, target);
  }

  get contextName(): string {
    return this.config.getCurrentContext();
  }

  /** Server-side apply (force, field manager kindling). Recorded in the plan; not sent in --dry-run. */
  async apply<T extends KubeObject>(object: T, description?: string): Promise<T> {
    this.ctx.plan.record({
      kind: 'manifest',
      verb: 'apply',
      object: describe(object),
      yaml: stringify(object),
      target: this.contextName,
      ...(description ? { description } : {}),
    });
    if (this.ctx.plan.dryRun) return object;
    return this.call(`apply ${describe(object)}`, () =>
      this.objects.patch(object, undefined, undefined, FIELD_MANAGER, true, this.lib.PatchStrategy.ServerSideApply),
    ) as Promise<T>;
  }

  async get<T extends KubeObject>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T | undefined> {
    try {
      return (await this.objects.read({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } })) as unknown as T;
    } catch (error) {
      if (statusCode(error) === 404) return undefined;
      throw this.wrap(`get ${kind} ${name}`, error);
    }
  }

  async list<T extends KubeObject>(apiVersion: string, kind: string, options: ListOptions = {}): Promise<T[]> {
    try {
      const list = await this.objects.list(
        apiVersion,
        kind,
        options.namespace,
        undefined,
        undefined,
        undefined,
        options.fieldSelector,
        options.labelSelector,
      );
      return list.items as unknown as T[];
    } catch (error) {
      // A kind whose CRD is not installed yet lists as empty.
      if (statusCode(error) === 404 || /Unrecognized API version and kind/.test(String((error as Error).message))) return [];
      throw this.wrap(`list ${kind}`, error);
    }
  }

  /** Deletes an object; a missing one is fine. Recorded in the plan. */
  async delete(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, description?: string): Promise<void> {
    this.ctx.plan.record({
      kind: 'manifest',
      verb: 'delete',
      object: describe(object),
      yaml: stringify({ apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, namespace: object.metadata.namespace } }),
      target: this.contextName,
      ...(description ? { description } : {}),
    });
    if (this.ctx.plan.dryRun) return;
    try {
      await this.objects.delete(object as k8s.KubernetesObject, undefined, undefined, undefined, undefined, 'Background');
    } catch (error) {
      if (statusCode(error) === 404) return;
      throw this.wrap(`delete ${describe(object)}`, error);
    }
  }

  /** Pod log text (not followed). */
  async logs(namespace: string, pod: string, options: { container?: string; tailLines?: number; previous?: boolean } = {}): Promise<string> {
    const core = this.config.makeApiClient(this.lib.CoreV1Api);
    try {
      return await core.readNamespacedPodLog({
        name: pod,
        namespace,
        ...(options.container ? { container: options.container } : {}),
        ...(options.tailLines ? { tailLines: options.tailLines } : {}),
        ...(options.previous ? { previous: true } : {}),
      });
    } catch (error) {
      if (statusCode(error) === 404 || statusCode(error) === 400) return '';
      throw this.wrap(`logs ${namespace}/${pod}`, error);
    }
  }

  /** A typed API client for the calls the generic object API does not cover. */
  api<T extends k8s.ApiType>(apiClass: new (config: k8s.Configuration) => T): T {
    return this.config.makeApiClient(apiClass);
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.wrap(what, error);
    }
  }

  /** Connection failures become a UserError with the fix; API errors keep the server's message. */
  wrap(what: string, error: unknown): Error {
    const message = errorMessage(error);
    if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|socket hang up|connect ETIMEDOUT/.test(message)) {
      return new UserError(`Cannot reach the Kubernetes API of context '${this.contextName}' (${what}): ${message}`, {
        fix: ['kindling status', 'kindling cluster create'],
        exitCode: 1,
      });
    }
    return new UserError(`Kubernetes API error (${what}): ${message}`, { exitCode: 1 });
  }
}

export function describe(object: Pick<KubeObject, 'kind' | 'metadata'>): string {
  const ns = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind} ${ns}${object.metadata.name}`;
}

export function statusCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; statusCode?: unknown; response?: { statusCode?: unknown } };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  if (typeof e.response?.statusCode === 'number') return e.response.statusCode;
  return undefined;
}

function errorMessage(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const e = error as { body?: unknown; message?: string };
  if (typeof e.body === 'string') {
    try {
      const parsed = JSON.parse(e.body) as { message?: string };
      if (parsed.message) return parsed.message;
    } catch {
      /* not JSON */
    }
  }
  if (typeof e.body === 'object' && e.body !== null && typeof (e.body as { message?: unknown }).message === 'string') {
    return (e.body as { message: string }).message;
  }
  return e.message ?? String(error);
}
