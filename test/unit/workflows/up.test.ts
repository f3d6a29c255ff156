import { describe, expect, it } from 'vitest';
import { InterruptedError, UserError } from '../../../src/core/errors.js';
import { parseKindlingConfig, resolveConfig, mergeUpFlags, type ResolvedConfig } from '../../../src/workflows/config.js';
import { renderUpSummary, up, type PreflightCheck, type UpServices } from '../../../src/workflows/up.js';
import type { ProcessRunner } from '../../../src/core/runner.js';
import { testContext, type TestContext } from '../../helpers/context.js';

const PASS: PreflightCheck[] = [{ id: 'os', title: 'Operating system', status: 'pass', detail: 'Ubuntu 24.04' }];
const NO_GPU: PreflightCheck[] = [
  ...PASS,
  { id: 'nvidia-driver', title: 'NVIDIA driver', status: 'fail', detail: 'nvidia-smi not found', fix: 'kindling host setup --driver <VERSION>' },
  { id: 'gpus', title: 'GPUs', status: 'fail', detail: 'no GPUs visible', fix: 'kindling host setup --driver <VERSION>' },
  { id: 'kind', title: 'kind', status: 'fail', detail: 'kind not found', fix: 'kindling host setup' },
];

/** Fake services over a world of flags; each phase runs one mutating command when not done. */
function fakeServices(world: Record<string, boolean>, checks: PreflightCheck[] = PASS, gpuCount = 4, hooks: { onModelRun?: (ctx: TestContext) => void } = {}): UpServices {
  const phase = (id: string) => ({
    isDone: async () => (world[id] ? { reason: `${id} in place` } : false),
    run: async (ctx: { runner: ProcessRunner; dryRun: boolean }) => {
      await ctx.runner.run({ argv: ['make', id], mutating: true });
      if (!ctx.dryRun) world[id] = true;
    },
  });
  return {
    preflight: async () => ({ checks, gpus: Array.from({ length: gpuCount }, (_, index) => ({ index, name: 'H100', memoryMiB: 81559 })) }),
    hostSetup: async (ctx) => {
      await ctx.runner.run({ argv: ['make', 'host'], mutating: true });
    },
    imageCache: phase('cache'),
    cluster: { ...phase('cluster'), halfDone: (_c, config) => `cluster ${config.clusterName}: GPU setup unfinished` },
    gpuOperator: phase('operator'),
    loadBalancer: phase('lb'),
    model: {
      target: (_ctx, _config, m) => ({ config: m, name: 'm', namespace: 'default', servedModelName: m.id }),
      isDone: async () => (world.model ? { reason: 'ready' } : false),
      run: async (ctx) => {
        hooks.onModelRun?.(ctx as unknown as TestContext);
        await ctx.runner.run({ argv: ['make', 'model'], mutating: true });
        if (!ctx.dryRun) world.model = true;
      },
      endpoint: async () => ({ url: 'http://172.18.0.9', via: 'loadbalancer' }),
      smokeTest: async () => 'answered',
    },
  };
}

const config = (yaml = '', flags = {}): ResolvedConfig => resolveConfig(mergeUpFlags(parseKindlingConfig(yaml), flags));

describe('kindling up (composition)', () => {
  it('runs every phase in order, then a rerun changes nothing', async () => {
    const world: Record<string, boolean> = {};
    const ctx = testContext([{ match: ['make', '...'] }]);
    const result = await up(ctx, config(), fakeServices(world));
    expect(ctx.runner.commandLines).toEqual(['make cluster', 'make cache', 'make operator', 'make lb', 'make model']);
    expect(result.phases.map((p) => p.id)).toEqual(['preflight', 'cluster', 'image-cache', 'gpu-operator', 'load-balancer', 'model:m', 'smoke-test']);
    expect(result.models[0]?.endpoint?.url).toBe('http://172.18.0.9');
    const again = testContext([]);
    const second = await up(again, config(), fakeServices(world));
    expect(again.runner.mutatingCalls).toEqual([]);
    expect(second.phases.filter((p) => p.status === 'done').map((p) => p.id)).toEqual(['preflight', 'smoke-test']);
    const text = renderUpSummary(second);
    expect(text).toContain('endpoint: http://172.18.0.9/v1');
    expect(text).toContain("curl http://172.18.0.9/v1/chat/completions -H 'Content-Type: application/json'");
    expect(text).toContain('chat:     kindling chat m');
    expect(text).toMatch(/PHASE\s+STATUS\s+TIME/);
  });

  it('preflight failures: all listed with fixes, exit 2, nothing changed', async () => {
    const ctx = testContext([]);
    const error = (await up(ctx, config(), fakeServices({}, NO_GPU, 0)).catch((e: unknown) => e)) as UserError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('3 host checks failed');
    expect(error.details.join('\n')).toContain('✗ NVIDIA driver: nvidia-smi not found');
    expect(error.details.join('\n')).toContain('✗ kind: kind not found');
    expect(error.fix).toEqual(['kindling host setup --driver <VERSION>', 'kindling host setup', 'kindling up --fix   # runs `kindling host setup` first']);
    expect(ctx.plan.entries).toEqual([]);
  });

  it('--dry-run on a host without GPUs: failures become a note, every phase is planned', async () => {
    const ctx = testContext([], { dryRun: true });
    const result = await up(ctx, config('', { numGpus: 4 }), fakeServices({}, NO_GPU, 0));
    expect(result.gpus).toHaveLength(4);
    expect(result.phases.map((p) => `${p.id}:${p.status}`)).toEqual(['preflight:planned', 'cluster:planned', 'image-cache:planned', 'gpu-operator:planned', 'load-balancer:planned', 'model:m:planned', 'smoke-test:planned']);
    const plan = ctx.plan.render();
    expect(plan).toMatch(/^# ── Preflight: host checks ──\n# On this host these checks fail: nvidia-driver \(nvidia-smi not found\); gpus/);
    expect(plan).toContain('# Previewing a host with 4 GPUs (--num-gpus)');
    expect(plan.indexOf('make cluster')).toBeLessThan(plan.indexOf('make model'));
    expect(renderUpSummary(result)).toContain('On this host these checks fail');
  });

  it('--num-gpus without --dry-run is refused before anything runs', async () => {
    const ctx = testContext([]);
    await expect(up(ctx, config('', { numGpus: 4 }), fakeServices({}))).rejects.toThrow(/only previews/);
  });

  it('--fix runs host setup first, after a confirmation (none without a TTY and --yes)', async () => {
    const refused = testContext([]);
    await expect(up(refused, config('', { fix: true }), fakeServices({}))).rejects.toThrow(/not confirmed/);
    expect(refused.runner.calls).toEqual([]);
    const yes = testContext([{ match: ['make', '...'] }], { assumeYes: true });
    await up(yes, config('', { fix: true }), fakeServices({}));
    expect(yes.runner.commandLines[0]).toBe('make host');
  });

  it('a model needing more GPUs than a worker gets is refused at preflight', async () => {
    const ctx = testContext([]);
    const error = (await up(ctx, config('models:\n  - id: Qwen/Qwen2.5-72B-Instruct\n    gpus: 4\n'), fakeServices({})).catch((e: unknown) => e)) as UserError;
    expect(error.message).toMatch(/asks for 4 GPUs per replica, but each worker gets at most 1/);
    expect(error.fix[0]).toBe('kindling up --gpus-per-node 4');
    expect(ctx.runner.calls).toEqual([]);
  });

  it('Ctrl-C during the model start: InterruptedError lists what was half-done; the rerun resumes there', async () => {
    const world: Record<string, boolean> = {};
    const controller = new AbortController();
    const ctx = { ...testContext([{ match: ['make', '...'] }]), signal: controller.signal };
    const services = fakeServices(world, PASS, 4, {
      onModelRun: () => {
        controller.abort();
        throw new InterruptedError('Interrupted while running: make model');
      },
    });
    const error = (await up(ctx, config(), services).catch((e: unknown) => e)) as InterruptedError;
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error.leftHalfDone[0]).toMatch(/^model m: manifests applied, pods still starting/);
    expect(error.leftHalfDone[1]).toMatch(/^Smoke test .*: not started$/);
    const again = testContext([{ match: ['make', '...'] }]);
    await up(again, config(), fakeServices(world));
    expect(again.runner.commandLines).toEqual(['make model']);
  });
});
