/**
 * `kindling host setup` / `host restore` end to end: the built CLI against simulated hosts
 * (scenarios-host.ts). Downloads come from the fake curl (deterministic content per URL), so the
 * tests pin those files' SHA-256s through KINDLING_PINS_FILE — the documented override for mirrors
 * serving their own builds; without it, kindling's real pins must (and do) reject the fake files.
 * Run `npm run build` first.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOST_BINARIES } from '../../src/core/versions.js';
import { simHostsPerTest, type SimHost } from './harness.js';
import { bareUbuntu, hostComplete, notRootNoSudo, unsupportedOs } from './scenarios-host.js';
// @ts-expect-error plain ESM fake without types
import { simDownloadContent } from './fakebin/tools/curl.mjs';

const host = simHostsPerTest();

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const content = simDownloadContent as (url: string) => string;

/** A pins file matching what the fake curl serves for the official URLs (amd64). */
function pinsFile(h: SimHost, tamper?: string): string {
  const pins: Record<string, { sha256: { amd64: string } }> = {};
  for (const b of HOST_BINARIES) {
    const digest = sha(content(`${b.baseUrl}/${b.path.amd64}`));
    pins[b.name] = { sha256: { amd64: b.name === tamper ? digest.replace(/^./, (c) => (c === '0' ? '1' : '0')) : digest } };
  }
  const file = join(h.dir, 'pins.json');
  writeFileSync(file, JSON.stringify(pins));
  return file;
}

const lines = (h: SimHost) => h.journal().map((e) => e.line);
const mutating = (h: SimHost) => h.mutatingCalls().map((e) => e.line);

describe('kindling host setup on a bare Ubuntu 24.04 GPU host', () => {
  it('--dry-run prints the ordered plan with [root] marks and file contents, and changes nothing', async () => {
    const h = host(bareUbuntu());
    const r = await h.runCli(['host', 'setup', '--dry-run']);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.exitCode).toBe(0);
    expect(h.mutatingCalls()).toEqual([]);
    const plan = r.stdout;
    const order = [
      'apt-get -o DPkg::Lock::Timeout=300 update',
      'apt-get install -y -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confold docker.io',
      'https://nvidia.github.io/libnvidia-container/gpgkey',
      '[root] $ gpg --batch --yes --dearmor -o /usr/share/keyrings/nvidia-container-toolkit-keyring.gpg',
      '[root] write /etc/apt/sources.list.d/nvidia-container-toolkit.list',
      'nvidia-container-toolkit=1.18.1-1',
      '[root] write /etc/docker/daemon.json',
      '[root] write /etc/nvidia-container-runtime/config.toml',
      '[root] $ systemctl restart docker',
      'kind-linux-amd64',
      '[root] $ install -m 0755 /tmp/kindling-download-XXXXXX/kind-linux-amd64 /usr/local/bin/kind',
      '[root] $ sysctl -w fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512',
      '[root] write /etc/sysctl.d/99-kindling-inotify.conf',
    ];
    let at = -1;
    for (const needle of order) {
      const i = plan.indexOf(needle, at + 1);
      expect(i, `plan should contain, in order: ${needle}\n${plan}`).toBeGreaterThan(at);
      at = i;
    }
    expect(plan).toContain('"default-runtime": "nvidia"');
    expect(plan).not.toMatch(/libnvidia-container\/experimental/);
    expect(plan).toContain("deb [signed-by=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg] https://nvidia.github.io/libnvidia-container/stable/deb/$(ARCH) /");
    expect(h.readHostFile('/etc/docker/daemon.json')).toBeUndefined();
    expect(existsSync(join(h.stateDir, 'backups'))).toBe(false);
  });

  it('runs the full plan in order, ends healthy, and a second run changes nothing', async () => {
    const h = host(bareUbuntu());
    const env = { KINDLING_PINS_FILE: pinsFile(h) };
    const r = await h.runCli(['host', 'setup', '--yes'], { env });
    expect(r.stderr + r.stdout).not.toMatch(/Error:/);
    expect(r.exitCode).toBe(0);
    const m = mutating(h);
    const idx = (re: RegExp) => m.findIndex((l) => re.test(l));
    const steps = [
      /^apt-get .*update$/,
      /^apt-get install .* docker\.io$/,
      /^curl .*gpgkey/,
      /^gpg .*--dearmor/,
      /^apt-get .*update$/,
      /^apt-get install .*nvidia-container-toolkit=1\.18\.1-1/,
      /^systemctl restart docker$/,
      /^curl .*kind-linux-amd64$/,
      /^curl .*kubectl$/,
      /^curl .*helm-v3\.19\.0-linux-amd64\.tar\.gz$/,
      /^tar -xzf/,
      /^install -m 0755 .* \/usr\/local\/bin\/kind$/,
      /^install -m 0755 .* \/usr\/local\/bin\/kubectl$/,
      /^install -m 0755 .* \/usr\/local\/bin\/helm$/,
      /^sysctl -w/,
    ];
    let last = -1;
    for (const re of steps) {
      const i = m.findIndex((l, j) => j > last && re.test(l));
      expect(i, `journal should have, in order: ${re}\n${m.join('\n')}`).toBeGreaterThan(last);
      last = i;
    }
    expect(idx(/usermod/)).toBe(-1); // root: no group change
    const st = h.state();
    expect(st.tools).toEqual({ kind: 'v0.32.0', kubectl: 'v1.36.1', helm: 'v3.19.0' });
    expect(st.docker.defaultRuntime).toBe('nvidia');
    expect(h.readHostFile('/etc/nvidia-container-runtime/config.toml')).toMatch(/^accept-nvidia-visible-devices-as-volume-mounts = true$/m);
    expect(h.readHostFile('/etc/sysctl.d/99-kindling-inotify.conf')).toContain('fs.inotify.max_user_watches = 524288');
    expect(readdirSync(join(h.root, 'tmp'))).toEqual([]);
    expect(r.stdout).toContain('Doctor: the host is ready');

    h.clearJournal();
    const again = await h.runCli(['host', 'setup', '--yes'], { env });
    expect(again.exitCode).toBe(0);
    expect(mutating(h)).toEqual([]);
    expect(again.stdout).toContain('Nothing to do');
  });
});

describe('kindling host setup: resume, checksums, root, OS', () => {
  it('is a no-op on a complete host: no mutating call, says nothing to do', async () => {
    const h = host(hostComplete());
    const r = await h.runCli(['host', 'setup']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(mutating(h)).toEqual([]);
    expect(r.stdout).toContain('Nothing to do');
  });

  it('a checksum mismatch aborts with nothing installed and no temp file left', async () => {
    const h = host(bareUbuntu());
    h.setState((s) => {
      s.tools = { kind: null, kubectl: 'v1.36.1', helm: 'v3.19.0' };
    });
    const r = await h.runCli(['host', 'setup', '--yes'], { env: { KINDLING_PINS_FILE: pinsFile(h, 'kind') } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/SHA-256 mismatch for kind v0\.32\.0/);
    expect(r.stderr).toContain('Nothing was installed');
    expect(lines(h).some((l) => l.startsWith('install '))).toBe(false);
    expect(existsSync(join(h.root, 'usr/local/bin/kind'))).toBe(false);
    expect(readdirSync(join(h.root, 'tmp'))).toEqual([]);
    expect(h.state().tools.kind).toBeNull();
  });

  it('kindling\'s own pins reject files that are not the official ones', async () => {
    const h = host(bareUbuntu());
    const r = await h.runCli(['host', 'setup', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/SHA-256 mismatch for kind v0\.32\.0 downloaded from https:\/\/github\.com\/kubernetes-sigs\/kind\/releases\/download\/v0\.32\.0\/kind-linux-amd64: expected 50030de2/);
    expect(existsSync(join(h.root, 'usr/local/bin/kind'))).toBe(false);
  });

  it('apt failing half-way names the command; the rerun resumes without redoing earlier steps', async () => {
    const scenario = bareUbuntu();
    scenario.faults.push({ match: '^apt-get install .*nvidia-container-toolkit', exitCode: 100, times: 1, stderr: 'E: Failed to fetch https://nvidia.github.io/libnvidia-container/stable/deb/amd64/./libnvidia-container1_1.18.1-1_amd64.deb  Connection failed [IP: 185.199.108.153 443]\nE: Unable to fetch some archives, maybe run apt-get update or try with --fix-missing?\n' });
    const h = host(scenario);
    const env = { KINDLING_PINS_FILE: pinsFile(h) };
    const r = await h.runCli(['host', 'setup', '--yes'], { env });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/Command failed with exit code 100: apt-get install -y .*nvidia-container-toolkit=1\.18\.1-1/);
    expect(r.stderr).toContain('Unable to fetch some archives');
    expect(h.state().packages['docker.io']).toBeDefined();
    h.clearJournal();
    const again = await h.runCli(['host', 'setup', '--yes'], { env });
    expect(again.stderr + again.stdout).not.toMatch(/Error:/);
    expect(again.exitCode).toBe(0);
    const m = mutating(h);
    expect(m.some((l) => / docker\.io$/.test(l))).toBe(false);
    expect(m.some((l) => /--dearmor/.test(l))).toBe(false);
    expect(m.some((l) => /nvidia-container-toolkit=1\.18\.1-1/.test(l))).toBe(true);
  });

  it('not root and no sudo: a clear error listing what needs root; nothing changed', async () => {
    const h = host(notRootNoSudo());
    const r = await h.runCli(['host', 'setup', '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/dev is not root and sudo is not installed/);
    expect(r.stderr).toContain('Docker Engine');
    expect(r.stderr).toContain('NVIDIA Container Toolkit 1.18.1');
    expect(mutating(h)).toEqual([]);
    expect(existsSync(join(h.stateDir, 'backups'))).toBe(false);
  });

  it.each(['fedora', 'arch'] as const)('unsupported OS (%s): the list of manual steps, nothing changed', async (id) => {
    const h = host(unsupportedOs(id));
    const r = await h.runCli(['host', 'setup', '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/supports Ubuntu 22\.04, Ubuntu 24\.04, Debian 12/);
    expect(r.stderr).toContain('Install these by hand');
    expect(r.stderr).toContain('nvidia-ctk runtime configure --runtime=docker --set-as-default --cdi.enabled');
    expect(r.stderr).toContain('kind-linux-amd64 (SHA-256 50030de2');
    expect(mutating(h)).toEqual([]);
  });

  it('without --yes and without a TTY it refuses to change anything and says to pass --yes', async () => {
    const h = host(bareUbuntu());
    const r = await h.runCli(['host', 'setup']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--yes');
    expect(mutating(h)).toEqual([]);
  });
});

describe('kindling host restore', () => {
  it('puts every changed file back byte for byte (and deletes the new ones), then restarts Docker', async () => {
    const scenario = hostComplete();
    const daemon = '{\n  "registry-mirrors": ["https://mirror.example.cn"],\n  "log-driver": "json-file"\n}\n';
    const toml = scenario.files['/etc/nvidia-container-runtime/config.toml']!.replace('accept-nvidia-visible-devices-as-volume-mounts = true\n', '');
    scenario.files['/etc/docker/daemon.json'] = daemon;
    scenario.files['/etc/nvidia-container-runtime/config.toml'] = toml;
    scenario.state.docker.defaultRuntime = 'runc';
    scenario.state.inotify = { maxUserWatches: 8192, maxUserInstances: 128 };
    const h = host(scenario);
    const r = await h.runCli(['host', 'setup', '--yes']);
    expect(r.stderr + r.stdout).not.toMatch(/Error:/);
    expect(h.readHostFile('/etc/docker/daemon.json')).toContain('"default-runtime": "nvidia"');
    expect(h.readHostFile('/etc/docker/daemon.json')).toContain('"registry-mirrors"');

    h.clearJournal();
    const dry = await h.runCli(['host', 'restore', '--dry-run']);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain('write /etc/docker/daemon.json');
    expect(dry.stdout).toContain('delete /etc/sysctl.d/99-kindling-inotify.conf');
    expect(dry.stdout).toContain('$ systemctl restart docker');
    expect(mutating(h)).toEqual([]);

    const back = await h.runCli(['host', 'restore']);
    expect(back.stderr).not.toMatch(/Error:/);
    expect(back.exitCode).toBe(0);
    expect(h.readHostFile('/etc/docker/daemon.json')).toBe(daemon);
    expect(h.readHostFile('/etc/nvidia-container-runtime/config.toml')).toBe(toml);
    expect(h.readHostFile('/etc/sysctl.d/99-kindling-inotify.conf')).toBeUndefined();
    expect(mutating(h)).toContain('systemctl restart docker');
    expect(h.state().docker.defaultRuntime).toBe('runc');
    expect(existsSync(join(h.stateDir, 'backups'))).toBe(false);

    const again = await h.runCli(['host', 'restore']);
    expect(again.stdout).toContain('Nothing to restore');
  });
});
