/**
 * The resumable workflow engine behind `kindling up`.
 *
 * A workflow is an ordered list of phases. Each phase has a read-only probe (`isDone`) that says
 * whether its outcome already holds, and a `run` that brings it about. Phases run in order; a
 * phase whose outcome holds is skipped (shown as such, with the reason). There is no separate
 * journal of what was done: the probes read the real state, so a rerun after a failure or Ctrl-C
 * continues exactly where the world is, and a rerun on a complete setup runs nothing mutating.
 *
 * In --dry-run, a phase that would run is "planned": its `run` records its actions in ctx.plan
 * instead of doing them. Phases after a planned one cannot probe what does not exist yet (no
 * cluster, say): they see `upstreamPlanned` and plan without probing.
 *
 * Ctrl-C aborts ctx.signal; the runner stops the running child. The engine turns that into an
 * InterruptedError listing what was left half-done (the running phase) and what never started.
 */
import type { Context } from '../core/context.js';
import { InterruptedError, KindlingError } from '../core/errors.js';
import type { StepHandle } from '../core/io.js';
import { formatDuration, formatTable } from '../core/style.js';

export interface PhaseContext extends Context {
  /** true in --dry-run once an earlier phase was planned rather than done. */
  readonly upstreamPlanned: boolean;
}

export type DoneResult = false | { reason: string };
export type PhaseOutcome = void | string | { unchanged: string };

export interface Phase {
  id: string;
  title: string;
  /** Read-only probe: does the outcome already hold? Return the reason (shown) or false. */
  isDone(ctx: PhaseContext): Promise<DoneResult>;
  /**
   * Brings the outcome about. Every external effect goes through ctx (runner, files, kube).
   * Returns a detail line, or `{ unchanged }` when it found everything in place (services that are
   * idempotent themselves can leave `isDone` to say false and report it here).
   */
  run(ctx: PhaseContext, step: StepHandle): Promise<PhaseOutcome>;
  /** What is left half-done when this phase is interrupted (default: "<title>: started, not finished"). */
  halfDone?(ctx: PhaseContext): string;
  /** Its `run` changes nothing (a check, a smoke test): it does not invalidate later phases' early probes. */
  readOnly?: boolean;
  /** In dry-run, probe even when an earlier phase was planned (default false: what it would probe may not exist yet). */
  probeAfterPlanned?: boolean;
}

export type PhaseStatus = 'done' | 'skipped' | 'planned' | 'failed' | 'interrupted' | 'not-started';

export interface PhaseRecord {
  id: string;
  title: string;
  status: PhaseStatus;
  durationMs: number;
  detail?: string;
}

export interface WorkflowResult {
  phases: PhaseRecord[];
  totalMs: number;
}

/** Runs phases in order. Throws the phase's error (InterruptedError with what was half-done on Ctrl-C). */
export async function runWorkflow(
  ctx: Context,
  phases: Phase[],
  options: { onRecord?: (r: PhaseRecord) => void; prefetch?: boolean } = {},
): Promise<WorkflowResult> {
  const records: PhaseRecord[] = [];
  const started = performance.now();
  let upstreamPlanned = false;
  // Early probes: all "already done?" checks start at once (they are read-only), and a phase uses
  // its early answer only while nothing before it has changed anything; after the first phase that
  // did work, later phases probe again. A rerun on a complete setup then costs the slowest probe,
  // not the sum of them.
  const early = new Map<Phase, Promise<{ ok: DoneResult } | { error: unknown }>>();
  if (options.prefetch && !ctx.dryRun) {
    for (const phase of phases) {
      early.set(
        phase,
        phase.isDone({ ...ctx, upstreamPlanned: false }).then(
          (ok) => ({ ok }),
          (error: unknown) => ({ error }),
        ),
      );
    }
  }
  let changedSomething = false;
  for (const [index, phase] of phases.entries()) {
    const pctx: PhaseContext = { ...ctx, upstreamPlanned };
    const t0 = performance.now();
    const record: PhaseRecord = { id: phase.id, title: phase.title, status: 'done', durationMs: 0 };
    try {
      if (ctx.signal.aborted) throw new InterruptedError();
      await ctx.io.step(phase.title, async (step) => {
        const mayProbe = !(ctx.dryRun && upstreamPlanned && phase.probeAfterPlanned !== true);
        const marker = ctx.plan.entries.length;
        if (ctx.dryRun) ctx.plan.note(`── ${phase.title} ──`);
        const prefetched = changedSomething ? undefined : early.get(phase);
        let done: DoneResult = false;
        if (prefetched) {
          const r = await prefetched;
          if ('error' in r) throw r.error;
          done = r.ok;
        } else if (mayProbe) done = await phase.isDone(pctx);
        if (done) {
          record.status = 'skipped';
          record.detail = done.reason;
          step.skip(done.reason);
          // A skipped phase leaves no heading in the plan (unless its probe noted something).
          if (ctx.dryRun && ctx.plan.entries.length === marker + 1) ctx.plan.entries.splice(marker, 1);
          return;
        }
        const detail = await phase.run(pctx, step);
        if (ctx.signal.aborted) throw new InterruptedError();
        if (typeof detail === 'object' && detail !== null && !ctx.dryRun) {
          record.status = 'skipped';
          record.detail = detail.unchanged;
          step.skip(detail.unchanged);
        } else if (ctx.dryRun) {
          const actions = ctx.plan.entries.slice(marker + 1).filter((e) => e.action.kind !== 'note').length;
          record.status = 'planned';
          const said = typeof detail === 'string' && detail !== '' ? detail : typeof detail === 'object' && detail !== null ? detail.unchanged : '';
          record.detail = actions === 0 ? said || 'nothing to change' : `${actions} planned action${actions === 1 ? '' : 's'}${said ? ` (${said})` : ''}`;
          step.done(actions === 0 ? record.detail : `planned: ${record.detail}`);
          if (actions > 0) upstreamPlanned = true;
        } else if (typeof detail === 'string' && detail !== '') {
          record.detail = detail;
          step.done(detail);
        }
      });
      record.durationMs = performance.now() - t0;
      records.push(record);
      options.onRecord?.(record);
      if (record.status === 'done' && !phase.readOnly) changedSomething = true;
    } catch (error) {
      record.durationMs = performance.now() - t0;
      const interrupted = error instanceof InterruptedError || ctx.signal.aborted;
      record.status = interrupted ? 'interrupted' : 'failed';
      records.push(record);
      options.onRecord?.(record);
      for (const rest of phases.slice(index + 1)) {
        records.push({ id: rest.id, title: rest.title, status: 'not-started', durationMs: 0 });
      }
      if (interrupted) {
        const leftHalfDone = [
          phase.halfDone?.(pctx) ?? `${phase.title}: started, not finished`,
          ...phases.slice(index + 1).map((p) => `${p.title}: not started`),
        ];
        const message = `Stopped during "${phase.title}". Run the same command again to resume.`;
        throw Object.assign(new InterruptedError(message, leftHalfDone), { phases: records });
      }
      if (error instanceof KindlingError || error instanceof Error) {
        Object.assign(error, { phases: records });
      }
      throw error;
    }
  }
  return { phases: records, totalMs: performance.now() - started };
}

/** The per-phase timing table printed at the end of `up`. */
export function renderTimings(result: Pick<WorkflowResult, 'phases' | 'totalMs'>): string {
  const label: Record<PhaseStatus, string> = {
    done: 'done',
    skipped: 'already done',
    planned: 'planned',
    failed: 'FAILED',
    interrupted: 'interrupted',
    'not-started': 'not started',
  };
  const rows = result.phases.map((p) => [
    p.title,
    label[p.status],
    p.status === 'not-started' ? '-' : formatDuration(p.durationMs),
    p.detail ?? '',
  ]);
  rows.push(['total', '', formatDuration(result.totalMs), '']);
  return formatTable(['PHASE', 'STATUS', 'TIME', 'DETAIL'], rows);
}
