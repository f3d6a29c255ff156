/**
 * Watching a vLLM Deployment start: polls its newest pod, the pod's events and its log (with the
 * kubelet's timestamps), feeds a PhaseTracker, shows the current phase live, prints each phase as
 * it ends, and stops at Ready, at a failure that waiting will not fix (classified, with its fix),
 * or at the timeout. Polling (every `pollMs`) rather than watches keeps it simple and robust
 * through API-server hiccups; the cost is a few small GETs per second.
 */
import type { Context } from '../core/context.js';
import { InterruptedError, UserError, ExitCode } from '../core/errors.js';
import type { KubeObject } from '../core/kube.js';
import { formatDuration } from '../core/style.js';
import { classifyFailure, type ContainerStatusLike, type Failure } from './failures.js';
import type { ServingKube } from './kube-api.js';
import { CONTAINER_NAME, LABEL_MODEL } from './manifests.js';
import { compareSignals, parsePodEvent, parseVllmLogLine, PhaseTracker, splitLogLine, type PhaseSummary, type TimedSignal } from './phases.js';

export interface PodObj extends KubeObject {
  metadata: KubeObject['metadata'] & { creationTimestamp?: string | Date; deletionTimestamp?: string | Date; uid?: string };
  spec?: { nodeName?: string };
  status?: {
    phase?: string;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string; lastTransitionTime?: string | Date }>;
    containerStatuses?: ContainerStatusLike[];
  };
}

export interface EventObj extends KubeObject {
  involvedObject?: { kind?: string; name?: string; uid?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  eventTime?: string | Date;
  firstTimestamp?: string | Date;
  lastTimestamp?: string | Date;
}

export interface WatchOptions {
  name: string;
  namespace: string;
  model: string;
  gpus: number;
  timeoutMs: number;
  contextFlag?: string;
  /** Poll period (default 1000 ms). */
  pollMs?: number;
  /** How long a non-fatal problem (no GPU allocatable yet) may last before it fails the wait. */
  graceMs?: number;
}

export interface WatchResult {
  ready: boolean;
  pod?: string;
  node?: string;
  summary: PhaseSummary;
}

const time = (v: string | Date | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const t = v instanceof Date ? v.getTime() : Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
};

/** Pods of a model, newest first, without those being deleted. */
export async function modelPods(kube: ServingKube, namespace: string, name: string): Promise<PodObj[]> {
  const pods = await kube.list<PodObj>('v1', 'Pod', { namespace, labelSelector: `${LABEL_MODEL}=${name}` });
  return pods
    .filter((p) => p.metadata.deletionTimestamp === undefined)
    .sort((a, b) => (time(b.metadata.creationTimestamp) ?? 0) - (time(a.metadata.creationTimestamp) ?? 0));
}

/** One pod's observations so far: which events and log lines were already fed to the tracker. */
class PodWatch {
  readonly tracker: PhaseTracker;
  private readonly seenEvents = new Set<string>();
  private logLines = 0;
  private logRestart = -1;
  private readonly signalled = new Set<string>();
  events: EventObj[] = [];
  logTail: string[] = [];
  printed = 0;

  constructor(readonly pod: PodObj) {
    this.tracker = new PhaseTracker(time(pod.metadata.creationTimestamp) ?? Date.now());
  }

  async poll(kube: ServingKube, namespace: string, pod: PodObj): Promise<void> {
    const now = Date.now();
    const signals: TimedSignal[] = [];
    const once = (key: string, at: number | undefined, signal: TimedSignal['signal']) => {
      if (this.signalled.has(key)) return;
      this.signalled.add(key);
      signals.push({ at: at ?? now, signal });
    };

    const events = await kube.list<EventObj>('v1', 'Event', { namespace, fieldSelector: `involvedObject.name=${pod.metadata.name}` });
    this.events = events.filter((e) => e.involvedObject?.kind === undefined || e.involvedObject.kind === 'Pod');
    for (const e of this.events.sort((a, b) => eventTime(a) - eventTime(b))) {
      const key = `${e.metadata.name}/${e.count ?? 1}`;
      if (this.seenEvents.has(key)) continue;
      this.seenEvents.add(key);
      const s = parsePodEvent({ ...(e.reason ? { reason: e.reason } : {}), ...(e.message ? { message: e.message } : {}) });
      // The container's own startedAt (below) is more precise than the event's 1-second timestamp.
      if (s?.type === 'container-started') continue;
      if (s) signals.push({ at: eventTime(e) || now, signal: s });
    }
    const cond = (type: string) => pod.status?.conditions?.find((c) => c.type === type && c.status === 'True');
    const scheduled = cond('PodScheduled');
    if (scheduled) once('scheduled', time(scheduled.lastTransitionTime), { type: 'scheduled', ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}) });
    const status = pod.status?.containerStatuses?.find((c) => c.name === CONTAINER_NAME) ?? pod.status?.containerStatuses?.[0];
    const started = time(status?.state?.running?.startedAt);
    if (started !== undefined) once('started', started, { type: 'container-started' });

    // The log of the current container instance, with the kubelet's timestamps.
    const restart = status?.restartCount ?? 0;
    if (restart !== this.logRestart) {
      this.logRestart = restart;
      this.logLines = 0;
    }
    if (status?.state?.running || status?.state?.terminated) {
      const text = await kube.podLogs(namespace, pod.metadata.name, { container: CONTAINER_NAME, timestamps: true });
      const lines = text.split('\n').filter((l) => l !== '');
      for (const raw of lines.slice(this.logLines)) {
        const s = parseVllmLogLine(raw);
        if (s) signals.push({ at: splitLogLine(raw).at ?? now, signal: s });
      }
      this.logLines = Math.max(this.logLines, lines.length);
      this.logTail = lines.slice(-60).map((l) => splitLogLine(l).message || l);
    }
    if ((restart > 0 || status?.state?.terminated) && this.logTail.length === 0) {
      const prev = await kube.podLogs(namespace, pod.metadata.name, { container: CONTAINER_NAME, previous: true, tailLines: 60 });
      this.logTail = prev.split('\n').filter((l) => l !== '');
    } else if (restart > 0 && status?.state?.waiting) {
      const prev = await kube.podLogs(namespace, pod.metadata.name, { container: CONTAINER_NAME, previous: true, tailLines: 60 });
      const prevLines = prev.split('\n').filter((l) => l !== '');
      if (prevLines.length > 0) this.logTail = prevLines;
    }
    const ready = cond('Ready');
    if (ready && status?.ready !== false) once('ready', time(ready.lastTransitionTime), { type: 'ready' });

    signals.sort(compareSignals);
    for (const s of signals) this.tracker.observe(s);
  }
}

function eventTime(e: EventObj): number {
  return time(e.lastTimestamp) ?? time(e.eventTime) ?? time(e.firstTimestamp) ?? 0;
}

/**
 * Waits for the model's newest pod to be Ready, showing the phases. Throws UserError (exit 1)
 * with the classified cause and its fix when start-up fails, or at the timeout.
 */
export async function watchModelStart(ctx: Context, kube: ServingKube, options: WatchOptions): Promise<WatchResult> {
  const pollMs = options.pollMs ?? 1000;
  const graceMs = options.graceMs ?? 120_000;
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let watch: PodWatch | undefined;
  let problemSince: number | undefined;
  let warned: string | undefined;
  let lastFailure: Failure | undefined;

  return ctx.io.step(`Starting ${options.model}`, async (step) => {
    for (;;) {
      if (ctx.signal.aborted) throw new InterruptedError('Interrupted while waiting for vLLM to start.', [`kindling model deploy ${options.model} (resumes the wait)`]);
      const pods = await modelPods(kube, options.namespace, options.name);
      const pod = pods[0];
      if (pod) {
        if (!watch || watch.pod.metadata.name !== pod.metadata.name) watch = new PodWatch(pod);
        await watch.poll(kube, options.namespace, pod);
        printFinishedPhases(ctx, watch);
        if (watch.tracker.ready) {
          const summary = watch.tracker.summary();
          step.done(`ready in ${formatDuration(summary.totalMs ?? 0)}${pod.spec?.nodeName ? ` on ${pod.spec.nodeName}` : ''}`);
          return { ready: true, pod: pod.metadata.name, ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}), summary };
        }
        const failure = classifyFailure({
          model: options.model,
          name: options.name,
          namespace: options.namespace,
          gpus: options.gpus,
          ...(pod.status?.conditions ? { conditions: pod.status.conditions } : {}),
          events: watch.events.map((e) => ({ ...(e.reason ? { reason: e.reason } : {}), ...(e.message ? { message: e.message } : {}), ...(e.type ? { type: e.type } : {}) })),
          containers: pod.status?.containerStatuses ?? [],
          logTail: watch.logTail,
          ...(options.contextFlag ? { contextFlag: options.contextFlag } : {}),
        });
        lastFailure = failure;
        if (failure) {
          problemSince ??= Date.now();
          if (failure.fatal || Date.now() - problemSince >= graceMs) throw failureError(failure, watch.tracker.summary(Date.now()));
          if (warned !== failure.kind) {
            warned = failure.kind;
            ctx.io.warn(`${failure.message} Waiting up to ${formatDuration(graceMs)} for it to clear.`);
          }
          step.update(`${failure.kind}: ${failure.message.slice(0, 120)}`);
        } else {
          problemSince = undefined;
          step.update(watch.tracker.describe(Date.now()));
        }
      } else {
        step.update('waiting for the Deployment to create a pod');
      }
      if (Date.now() >= deadline) {
        if (lastFailure) throw failureError(lastFailure, watch?.tracker.summary(Date.now()));
        const phase = watch?.tracker.current?.title ?? (watch ? 'waiting for a node' : 'no pod yet');
        throw new UserError(`${options.model} did not become ready within ${formatDuration(options.timeoutMs)} (still in: ${phase}).`, {
          details: watch ? summaryLines(watch.tracker.summary(Date.now())) : [],
          fix: [
            `kindling model logs ${options.name}${options.contextFlag ? ` ${options.contextFlag}` : ''}`,
            `kindling model deploy ${options.model} --timeout 60m  # it keeps starting in the cluster; this waits again`,
          ],
          exitCode: ExitCode.failed,
        });
      }
      await sleep(pollMs, ctx.signal);
    }
  });
}

/** Prints each phase once it has ended ("✓ weights download 8m28s — …"), in order. */
function printFinishedPhases(ctx: Context, watch: PodWatch): void {
  const records = watch.tracker.records;
  while (watch.printed < records.length) {
    const r = records[watch.printed];
    if (!r || r.end === undefined) break;
    ctx.io.info(`  ${r.title}: ${formatDuration(r.end - r.start)}${r.detail ? ` — ${r.detail}` : ''}`);
    watch.printed += 1;
  }
}

function summaryLines(summary: PhaseSummary): string[] {
  return summary.phases.map((p) => `${p.title}: ${p.durationMs === null ? '—' : formatDuration(p.durationMs)}${p.detail ? ` (${p.detail})` : ''}`);
}

export function failureError(failure: Failure, summary?: PhaseSummary): UserError {
  return new UserError(failure.message, {
    details: [...failure.details, ...(summary && summary.phases.length > 0 ? ['', 'Start-up so far:', ...summaryLines(summary).map((l) => `  ${l}`)] : [])],
    fix: failure.fix,
    exitCode: ExitCode.failed,
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
