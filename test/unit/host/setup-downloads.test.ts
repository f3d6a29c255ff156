/**
 * Verified downloads and backups, with the strict FakeRunner: curl "downloads" by writing into the
 * temp host root, so checksums, the temp directory and the backup manifest are real.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandSpec } from '../../../src/core/runner.js';
import { HELM_BINARY, KIND_BINARY } from '../../../src/core/versions.js';
import { readManifest, writeWithBackup } from '../../../src/host/backup.js';
import { downloadItem, installVerified, loadPinsOverride, mirrorBase } from '../../../src/host/downloads.js';
import { hostRestore } from '../../../src/host/restore.js';
import { testContext, type TestContext } from '../../helpers/context.js';

const sha = (t: string) => createHash('sha256').update(t).digest('hex');

/** curl writes `body(url)` to its -o path in the host root. */
function curlWrites(getCtx: () => TestContext, body: (url: string) => string) {
  return {
    match: ['curl', '...'] as string[],
    effect: (spec: CommandSpec) => {
      const out = spec.argv[spec.argv.indexOf('-o') + 1] ?? '';
      const real = getCtx().files.real(out);
      mkdirSync(dirname(real), { recursive: true });
      writeFileSync(real, body(spec.argv.at(-1) ?? ''));
    },
  };
}

describe('installVerified', () => {
  it('downloads and verifies every file before installing any, and removes the temp dir', async () => {
    let ctx!: TestContext;
    const kind = { ...downloadItem(KIND_BINARY, 'amd64', undefined), sha256: sha('kind bytes') };
    const helm = { ...downloadItem(HELM_BINARY, 'amd64', undefined), sha256: sha('helm archive') };
    ctx = testContext([
      curlWrites(() => ctx, (url) => (url.endsWith('.tar.gz') ? 'helm archive' : 'kind bytes')),
      { match: ['tar', '...'] },
      { match: ['install', '...'] },
    ]);
    await installVerified(ctx, [kind, helm]);
    const lines = ctx.runner.commandLines.map((l) => l.replace(/kindling-download-[0-9a-f]+/g, 'T'));
    expect(lines).toEqual([
      `curl -fsSL --retry 3 --connect-timeout 30 -o /tmp/T/kind-linux-amd64 ${KIND_BINARY.baseUrl}/v0.32.0/kind-linux-amd64`,
      'curl -fsSL --retry 3 --connect-timeout 30 -o /tmp/T/helm-v3.19.0-linux-amd64.tar.gz https://get.helm.sh/helm-v3.19.0-linux-amd64.tar.gz',
      'tar -xzf /tmp/T/helm-v3.19.0-linux-amd64.tar.gz -C /tmp/T linux-amd64/helm',
      'install -m 0755 /tmp/T/kind-linux-amd64 /usr/local/bin/kind',
      'install -m 0755 /tmp/T/linux-amd64/helm /usr/local/bin/helm',
    ]);
    expect(ctx.runner.calls.filter((c) => c.argv[0] === 'install').every((c) => c.root === true)).toBe(true);
    expect(readdirSync(ctx.files.real('/tmp'))).toEqual([]);
  });

  it('a mismatch in the second file stops before any install and leaves no temp file', async () => {
    let ctx!: TestContext;
    const kind = { ...downloadItem(KIND_BINARY, 'amd64', undefined), sha256: sha('kind bytes') };
    const helm = downloadItem(HELM_BINARY, 'amd64', undefined); // the real pin: the fake bytes cannot match
    ctx = testContext([curlWrites(() => ctx, (url) => (url.endsWith('.tar.gz') ? 'not helm' : 'kind bytes'))]);
    await expect(installVerified(ctx, [kind, helm])).rejects.toThrow(
      `SHA-256 mismatch for helm v3.19.0 downloaded from https://get.helm.sh/helm-v3.19.0-linux-amd64.tar.gz: expected ${HELM_BINARY.sha256.amd64}, got ${sha('not helm')}. Nothing was installed.`,
    );
    expect(ctx.runner.commandLines.some((l) => l.startsWith('install') || l.startsWith('tar'))).toBe(false);
    expect(readdirSync(ctx.files.real('/tmp'))).toEqual([]);
  });

  it('KINDLING_PINS_FILE replaces pins; mirrors replace the base URL', async () => {
    const dir = testContext().paths.stateDir;
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'pins.json');
    writeFileSync(file, JSON.stringify({ kind: { sha256: { amd64: 'AB'.repeat(32) } } }));
    const ctx = testContext([], { env: { KINDLING_PINS_FILE: file } });
    const pins = await loadPinsOverride(ctx);
    expect(downloadItem(KIND_BINARY, 'amd64', mirrorBase('https://m.example/x/', {}), pins)).toMatchObject({
      url: 'https://m.example/x/v0.32.0/kind-linux-amd64',
      sha256: 'ab'.repeat(32),
    });
    expect(downloadItem(KIND_BINARY, 'arm64', undefined, pins).sha256).toBe(KIND_BINARY.sha256.arm64);
    writeFileSync(file, '[1]');
    await expect(loadPinsOverride(ctx)).rejects.toThrow(/must hold a JSON object/);
  });
});

describe('backups and restore', () => {
  it('keeps the first original across two writes, and restore puts it back byte for byte', async () => {
    const ctx = testContext([{ match: ['systemctl', 'restart', 'docker'] }], { env: {} });
    const original = '{\n  "log-driver": "json-file"\n}\n';
    mkdirSync(dirname(ctx.files.real('/etc/docker/daemon.json')), { recursive: true });
    writeFileSync(ctx.files.real('/etc/docker/daemon.json'), original, { mode: 0o600 });
    await writeWithBackup(ctx, '/etc/docker/daemon.json', '{"a":1}\n', { description: 'test' });
    await writeWithBackup(ctx, '/etc/docker/daemon.json', '{"a":2}\n', { description: 'test' });
    await writeWithBackup(ctx, '/etc/sysctl.d/99-kindling-inotify.conf', 'x = 1\n', { description: 'test' });
    const m = await readManifest(ctx);
    expect(m.entries).toHaveLength(2);
    expect(m.entries[0]).toMatchObject({ path: '/etc/docker/daemon.json', existedBefore: true, sha256Before: sha(original), sha256After: sha('{"a":2}\n'), modeBefore: 0o600 });
    expect(m.entries[1]).toMatchObject({ path: '/etc/sysctl.d/99-kindling-inotify.conf', existedBefore: false, sha256Before: null, backupFile: null });
    expect(typeof m.entries[0]?.time).toBe('string');

    await hostRestore(ctx);
    expect(readFileSync(ctx.files.real('/etc/docker/daemon.json'), 'utf8')).toBe(original);
    expect(existsSync(ctx.files.real('/etc/sysctl.d/99-kindling-inotify.conf'))).toBe(false);
    expect((await readManifest(ctx)).entries).toEqual([]);
  });

  it('leaves a file changed by someone else after kindling wrote it, unless --force', async () => {
    const ctx = testContext([], { env: {} });
    await writeWithBackup(ctx, '/etc/sysctl.d/99-kindling-inotify.conf', 'x = 1\n', { description: 'test' });
    writeFileSync(ctx.files.real('/etc/sysctl.d/99-kindling-inotify.conf'), 'edited by hand\n');
    const r = await hostRestore(ctx);
    expect(r.files[0]?.action).toBe('kept (changed since)');
    expect(readFileSync(ctx.files.real('/etc/sysctl.d/99-kindling-inotify.conf'), 'utf8')).toBe('edited by hand\n');
    await hostRestore(ctx, { force: true });
    expect(existsSync(ctx.files.real('/etc/sysctl.d/99-kindling-inotify.conf'))).toBe(false);
  });

  it('in --dry-run plans the writes and touches neither files nor backups', async () => {
    const ctx = testContext([], { dryRun: true });
    await writeWithBackup(ctx, '/etc/docker/daemon.json', '{}\n', { description: 'test' });
    expect(ctx.plan.render()).toContain('[root] write /etc/docker/daemon.json');
    expect(existsSync(join(ctx.paths.stateDir, 'backups'))).toBe(false);
    expect(existsSync(ctx.files.real('/etc/docker/daemon.json'))).toBe(false);
  });
});
