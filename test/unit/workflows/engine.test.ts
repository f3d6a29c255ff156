import { describe, expect, it } from 'vitest';
import { ExternalError, InterruptedError } from '../../../src/core/errors.js';
import { renderTimings, runWorkflow, type Phase, type PhaseContext } from '../../../src/workflows/engine.js';
import { testContext } from '../../helpers/context.js';

/** A fake phase over a shared world: done when world[id] is set; run sets it (through a mutating command). */
function fakePhase(id: string, world: Record<string, boolean>, extra: Partial<Phase> = {}): Phase {
  return {
    id,
    title: `phase ${id}`,
    isDone: async () => (world[id] ? { reason: `${id} exists` } : false),
    run: async (ctx: PhaseContext) => {
      await ctx.runner.run({ argv: ['make', id], mutating: true });
      if (!ctx.dryRun) world[id] = true;
    },
    ...extra,
  };
}

describe('workflow engine', () => {
  it('runs phases in order and skips those whose outcome holds', async () => {
    const world: Record<string, boolean> = { b: true };
    const ctx = testContext([{ match: ['make', '...'] }]);
    const result = await runWorkflow(ctx, ['a', 'b', 'c'].map((id) => fakePhase(id, world)));
    expect(ctx.runner.commandLines).toEqual(['make a', 'make c']);
    expect(result.phases.map((p) => [p.id, p.status])).toEqual([
      ['a', 'done'],
      ['b', 'skipped'],
      ['c', 'done'],
    ]);
    expect(result.phases[1]?.detail).toBe('b exists');
  });

  it('a rerun on a complete world runs no mutating command', async () => {
    const world: Record<string, boolean> = {};
    const phases = ['a', 'b'].map((id) => fakePhase(id, world));
    await runWorkflow(testContext([{ match: ['make', '...'] }]), phases);
    const again = testContext([]);
    const result = await runWorkflow(again, phases);
    expect(again.runner.mutatingCalls).toEqual([]);
    expect(result.phases.every((p) => p.status === 'skipped')).toBe(true);
  });

  it('a failure stops the workflow; a rerun resumes at the failed phase', async () => {
    const world: Record<string, boolean> = {};
    const phases = ['a', 'b', 'c'].map((id) => fakePhase(id, world));
    const first = testContext([
      { match: ['make', 'a'] },
      { match: ['make', 'b'], exitCode: 1, stderr: 'boom' },
    ]);
    const error = await runWorkflow(first, phases).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    const records = (error as { phases: { id: string; status: string }[] }).phases;
    expect(records.map((r) => r.status)).toEqual(['done', 'failed', 'not-started']);
    const second = testContext([{ match: ['make', '...'] }]);
    await runWorkflow(second, phases);
    expect(second.runner.commandLines).toEqual(['make b', 'make c']);
  });

  it('Ctrl-C: InterruptedError naming the half-done phase and the ones not started', async () => {
    const world: Record<string, boolean> = {};
    const controller = new AbortController();
    const ctx = { ...testContext([{ match: ['make', '...'] }]), signal: controller.signal };
    const phases = [
      fakePhase('a', world),
      fakePhase('b', world, {
        run: async () => {
          controller.abort();
          throw new InterruptedError('Interrupted while running: make b');
        },
        halfDone: () => 'cluster "lab": created, GPU setup of worker2 not finished',
      }),
      fakePhase('c', world),
    ];
    const error = (await runWorkflow(ctx, phases).catch((e: unknown) => e)) as InterruptedError;
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error.exitCode).toBe(130);
    expect(error.message).toContain('phase b');
    expect(error.leftHalfDone).toEqual(['cluster "lab": created, GPU setup of worker2 not finished', 'phase c: not started']);
  });

  it('dry-run: planned phases record actions; later phases plan without probing', async () => {
    const world: Record<string, boolean> = { a: true };
    const probed: string[] = [];
    const phases = ['a', 'b', 'c'].map((id) =>
      fakePhase(id, world, {
        isDone: async () => {
          probed.push(id);
          return world[id] ? { reason: 'exists' } : false;
        },
      }),
    );
    phases.push(fakePhase('host-level', world, { probeAfterPlanned: true, isDone: async () => (probed.push('host-level'), false) }));
    const ctx = testContext([], { dryRun: true });
    const result = await runWorkflow(ctx, phases);
    expect(probed).toEqual(['a', 'b', 'host-level']);
    expect(result.phases.map((p) => p.status)).toEqual(['skipped', 'planned', 'planned', 'planned']);
    expect(ctx.plan.render()).toBe('# ── phase b ──\n1. $ make b\n# ── phase c ──\n2. $ make c\n# ── phase host-level ──\n3. $ make host-level\n');
    expect(world).toEqual({ a: true });
  });

  it('prefetch: every probe starts at once; after a phase did work, later phases probe again', async () => {
    const world: Record<string, boolean> = { a: true, c: true };
    const probes: string[] = [];
    const phases = ['a', 'b', 'c'].map((id) =>
      fakePhase(id, world, {
        isDone: async () => {
          probes.push(id);
          return world[id] ? { reason: 'there' } : false;
        },
      }),
    );
    const ctx = testContext([{ match: ['make', '...'] }]);
    const result = await runWorkflow(ctx, phases, { prefetch: true });
    // a, b, c probed early; c probed again after b changed something.
    expect(probes).toEqual(['a', 'b', 'c', 'c']);
    expect(result.phases.map((p) => p.status)).toEqual(['skipped', 'done', 'skipped']);
    // A complete world: one probe each, nothing run.
    probes.length = 0;
    const again = testContext([]);
    await runWorkflow(again, phases, { prefetch: true });
    expect(probes).toEqual(['a', 'b', 'c']);
    expect(again.runner.calls).toEqual([]);
  });

  it('prefetch: a read-only phase that ran does not invalidate the early probes', async () => {
    const world: Record<string, boolean> = { b: true };
    let probesOfB = 0;
    const phases = [
      { ...fakePhase('check', world), readOnly: true, isDone: async () => false as const, run: async () => 'ok' },
      fakePhase('b', world, { isDone: async () => (probesOfB++, { reason: 'there' }) }),
    ];
    await runWorkflow(testContext([]), phases, { prefetch: true });
    expect(probesOfB).toBe(1);
  });

  it('renders a timing table', () => {
    const text = renderTimings({
      phases: [
        { id: 'a', title: 'Preflight', status: 'done', durationMs: 1200 },
        { id: 'b', title: 'Cluster', status: 'skipped', durationMs: 30, detail: 'exists' },
      ],
      totalMs: 1230,
    });
    expect(text.split('\n')).toEqual([
      'PHASE      STATUS        TIME  DETAIL',
      'Preflight  done          1.2s',
      'Cluster    already done  30ms  exists',
      'total                    1.2s',
    ]);
  });
});
