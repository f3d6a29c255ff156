/**
 * The real-GPU layer's captures (test/fixtures/gpu/h100-x1-kindling, taken on an H100 host) hold
 * the `doctor --json` contract and the judging of real host facts in place.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { judgeHost, type DoctorJson } from '../../../src/host/doctor.js';
import type { HostFacts } from '../../../src/host/facts.js';

const dir = new URL('../../fixtures/gpu/h100-x1-kindling/', import.meta.url);
const captured = JSON.parse(readFileSync(new URL('doctor.json', dir), 'utf8')) as DoctorJson;

describe('kindling doctor on a real H100 host', () => {
  it('printed the documented object: ok, checks, gpus, host', () => {
    expect(Object.keys(captured).sort()).toEqual(['checks', 'gpus', 'host', 'ok']);
    expect(captured.ok).toBe(false);
    for (const c of captured.checks) {
      expect(Object.keys(c).every((k) => ['id', 'title', 'status', 'detail', 'fix'].includes(k))).toBe(true);
      expect(['pass', 'warn', 'fail', 'skip']).toContain(c.status);
      if (c.status === 'fail' || c.status === 'warn') expect(c.fix, c.id).toBeTruthy();
    }
  });

  it('found the GPU as nvidia-smi describes it', () => {
    expect(captured.gpus).toEqual([
      {
        index: 0,
        uuid: 'GPU-e362d3af-cf5f-c996-2d72-db54370677a3',
        name: 'NVIDIA H100 80GB HBM3',
        memoryMiB: 81559,
        driverVersion: '580.159.04',
        computeCap: '9.0',
        migMode: 'Disabled',
        busId: '00000000:00:06.0',
      },
    ]);
  });

  it('judging the captured host facts again gives the same verdicts', () => {
    const checks = judgeHost(captured.host as unknown as HostFacts);
    expect(checks.map((c) => [c.id, c.status])).toEqual(captured.checks.map((c) => [c.id, c.status]));
    const byId = new Map(checks.map((c) => [c.id, c]));
    expect(byId.get('nvidia-driver')?.status).toBe('pass');
    // The host had max_user_watches above kind's recommendation but max_user_instances=128 below it.
    expect(byId.get('inotify')?.status).toBe('warn');
    expect(byId.get('docker-client')?.fix).toBe('kindling host setup');
  });

  it('`up` stopped at preflight there, and `up --dry-run` planned the whole flow', () => {
    const up = readFileSync(new URL('up.txt', dir), 'utf8');
    expect(up).toMatch(/Preflight: \d+ host checks failed; nothing was changed/);
    const plan = readFileSync(new URL('up-dry-run.txt', dir), 'utf8');
    for (const mark of ['$ kind create cluster --name kindling --config -', 'helm upgrade --install gpu-operator', 'docker run --detach --name kindling-cloud-provider-kind', 'Deployment default/deepseek-r1-distill-qwen-1-5b']) {
      expect(plan).toContain(mark);
    }
  });
});
