/**
 * The Kubernetes calls serving makes, as one small interface: the services take a `ServingKube`,
 * the CLI gives them `servingKube(kube)` over src/core/kube.ts, and unit tests give them an
 * in-memory fake (test/unit/serving/fake-serving-kube.ts).
 */
import type { Writable } from 'node:stream';
import { stringify } from 'yaml';
import type { Context } from '../core/context.js';
import { FIELD_MANAGER, describe, type Kube, type KubeObject, type ListOptions } from '../core/kube.js';
import { REDACTED } from '../core/secrets.js';

export interface PodLogOptions {
  container?: string;
  tailLines?: number;
  previous?: boolean;
  /** Kubelet RFC3339 timestamps at the start of every line. */
  timestamps?: boolean;
}

export interface ServingKube {
  /** The kubeconfig context in use (for messages and `--context` in fixes). */
  readonly contextName: string;
  get<T extends KubeObject>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T | undefined>;
  list<T extends KubeObject>(apiVersion: string, kind: string, options?: ListOptions): Promise<T[]>;
  /** Server-side apply, recorded in the plan (not sent in --dry-run). */
  apply<T extends KubeObject>(object: T, description?: string): Promise<T>;
  /** Applies a Secret; the plan records it with its values replaced by ***. */
  applySecret(object: KubeObject, description?: string): Promise<void>;
  delete(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, description?: string): Promise<void>;
  podLogs(namespace: string, pod: string, options?: PodLogOptions): Promise<string>;
  /** Streams a pod's log to `out` until the container stops or `signal` aborts. */
  followLogs(namespace: string, pod: string, out: Writable, options: { container?: string; tailLines?: number; signal: AbortSignal }): Promise<void>;
}

export function servingKube(kube: Kube, ctx: Pick<Context, 'plan'>): ServingKube {
  return {
    get contextName() {
      return kube.contextName;
    },
    get: (apiVersion, kind, name, namespace) => kube.get(apiVersion, kind, name, namespace),
    list: (apiVersion, kind, options) => kube.list(apiVersion, kind, options),
    apply: (object, description) => kube.apply(object, description),
    delete: (object, description) => kube.delete(object, description),
    async applySecret(object, description) {
      ctx.plan.record({
        kind: 'manifest',
        verb: 'apply',
        object: describe(object),
        yaml: stringify(redactSecret(object)),
        target: kube.contextName,
        ...(description ? { description } : {}),
      });
      if (ctx.plan.dryRun) return;
      const objects = kube.lib.KubernetesObjectApi.makeApiClient(kube.config);
      try {
        await objects.patch(object, undefined, undefined, FIELD_MANAGER, true, kube.lib.PatchStrategy.ServerSideApply);
      } catch (error) {
        // The message of an API error never holds the Secret's data; wrap it like every other call.
        throw kube.wrap(`apply ${describe(object)}`, error);
      }
    },
    async podLogs(namespace, pod, options = {}) {
      if (!options.timestamps) return kube.logs(namespace, pod, options);
      const core = kube.api(kube.lib.CoreV1Api);
      try {
        return await core.readNamespacedPodLog({
          name: pod,
          namespace,
          timestamps: true,
          ...(options.container ? { container: options.container } : {}),
          ...(options.tailLines ? { tailLines: options.tailLines } : {}),
          ...(options.previous ? { previous: true } : {}),
        });
      } catch {
        // Not started yet, or no previous container: no log.
        return '';
      }
    },
    async followLogs(namespace, pod, out, options) {
      const log = new kube.lib.Log(kube.config);
      await new Promise<void>((resolve, reject) => {
        log
          .log(namespace, pod, options.container ?? 'vllm', out, {
            follow: true,
            ...(options.tailLines !== undefined ? { tailLines: options.tailLines } : {}),
          })
          .then((controller) => {
            const stop = () => {
              controller.abort();
              resolve();
            };
            if (options.signal.aborted) stop();
            options.signal.addEventListener('abort', stop, { once: true });
            out.on('finish', resolve);
            out.on('close', resolve);
          })
          .catch(reject);
      });
    },
  };
}

/** A copy of a Secret whose data and stringData values are ***. */
export function redactSecret(object: KubeObject): KubeObject {
  const copy = JSON.parse(JSON.stringify(object)) as KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> };
  for (const field of ['data', 'stringData'] as const) {
    const values = copy[field];
    if (values) for (const key of Object.keys(values)) values[key] = REDACTED;
  }
  return copy;
}
