import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configureDaemonJson, daemonJsonState } from '../../../src/host/daemon-json.js';
import { UserError } from '../../../src/core/errors.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../fixtures/host', name), 'utf8');

/** What `nvidia-ctk runtime configure --runtime=docker --set-as-default --cdi.enabled` writes on an empty file. */
const NVIDIA_CTK_OUTPUT = `{
    "default-runtime": "nvidia",
    "features": {
        "cdi": true
    },
    "runtimes": {
        "nvidia": {
            "args": [],
            "path": "nvidia-container-runtime"
        }
    }
}
`;

describe('daemon.json editor', () => {
  it('configures a missing or empty file with the same content as nvidia-ctk (up to key order)', () => {
    for (const input of [undefined, '', '{}\n']) {
      const out = configureDaemonJson(input)!;
      expect(JSON.parse(out)).toEqual(JSON.parse(NVIDIA_CTK_OUTPUT));
      expect(out.endsWith('}\n')).toBe(true);
      expect(out).toContain('\n    "runtimes"');
    }
  });

  it('keeps unrelated keys, their values, their order and the file\'s indentation', () => {
    const before = fixture('daemon-registry-mirrors.json');
    const out = configureDaemonJson(before)!;
    const parsed = JSON.parse(out) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['registry-mirrors', 'log-driver', 'log-opts', 'data-root', 'runtimes', 'default-runtime', 'features']);
    expect(parsed['log-opts']).toEqual({ 'max-size': '10m', 'max-file': '3' });
    expect(out).toContain('\n  "registry-mirrors"');
    expect(daemonJsonState(out)).toEqual({ hasNvidiaRuntime: true, defaultRuntime: 'nvidia', cdi: true });
  });

  it('returns undefined when already configured (nothing to write)', () => {
    expect(configureDaemonJson(NVIDIA_CTK_OUTPUT)).toBeUndefined();
  });

  it('keeps an existing nvidia runtime entry and other runtimes, and only sets what is missing', () => {
    const before = JSON.stringify({ 'default-runtime': 'runc', runtimes: { nvidia: { path: '/usr/bin/nvidia-container-runtime', runtimeArgs: [] }, crun: { path: '/usr/bin/crun' } } });
    const out = JSON.parse(configureDaemonJson(before)!) as Record<string, any>;
    expect(out.runtimes.nvidia).toEqual({ path: '/usr/bin/nvidia-container-runtime', runtimeArgs: [] });
    expect(out.runtimes.crun).toEqual({ path: '/usr/bin/crun' });
    expect(out['default-runtime']).toBe('nvidia');
    expect(out.features).toEqual({ cdi: true });
  });

  it('refuses invalid JSON with a fix instead of overwriting it', () => {
    expect(() => configureDaemonJson('{ "a": 1,, }')).toThrow(UserError);
  });
});
