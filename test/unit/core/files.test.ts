/** HostFiles: planned host file writes — direct when allowed, through sudo tee when not root, recorded in --dry-run. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testContext } from '../../helpers/context.js';

describe('HostFiles', () => {
  it('writes under the host root and records the file with its content', async () => {
    const ctx = testContext();
    await ctx.files.write('/etc/docker/daemon.json', '{}\n', { root: true, mode: 0o644, description: 'docker config' });
    expect(readFileSync(join(ctx.paths.hostRoot, 'etc/docker/daemon.json'), 'utf8')).toBe('{}\n');
    expect(ctx.plan.entries.map((e) => e.action)).toEqual([
      { kind: 'file', path: '/etc/docker/daemon.json', content: '{}\n', root: true, mode: 0o644, description: 'docker config' },
    ]);
    expect(await ctx.files.read('/etc/docker/daemon.json')).toBe('{}\n');
    expect(await ctx.files.read('/etc/missing')).toBeUndefined();
  });

  it('in --dry-run records the write and changes nothing', async () => {
    const ctx = testContext([], { dryRun: true });
    await ctx.files.write('/etc/sysctl.d/99-kindling-inotify.conf', 'fs.inotify.max_user_instances = 512\n', { root: true });
    expect(existsSync(join(ctx.paths.hostRoot, 'etc/sysctl.d/99-kindling-inotify.conf'))).toBe(false);
    expect(ctx.plan.entries).toHaveLength(1);
    expect(ctx.plan.entries[0]?.executed).toBe(false);
    expect(ctx.plan.render()).toContain('1. [root] write /etc/sysctl.d/99-kindling-inotify.conf\n     fs.inotify.max_user_instances = 512');
  });

  it('not root on a real host: a root file goes through sudo (mkdir -p, tee with the content on stdin, chmod)', async () => {
    const ctx = testContext(
      [
        { match: ['mkdir', '-p', '/etc/docker'] },
        { match: ['tee', '/etc/docker/daemon.json'] },
        { match: ['chmod', '644', '/etc/docker/daemon.json'] },
      ],
      { isRoot: false, hostRoot: '' },
    );
    await ctx.files.write('/etc/docker/daemon.json', '{"default-runtime":"nvidia"}\n', { root: true, mode: 0o644 });
    expect(ctx.runner.calls.map((c) => [c.argv.join(' '), c.root, c.mutating])).toEqual([
      ['mkdir -p /etc/docker', true, true],
      ['tee /etc/docker/daemon.json', true, true],
      ['chmod 644 /etc/docker/daemon.json', true, true],
    ]);
    expect(ctx.runner.calls[1]?.stdin).toBe('{"default-runtime":"nvidia"}\n');
  });
});
