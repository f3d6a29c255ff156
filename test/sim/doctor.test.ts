/**
 * `kindling doctor` end to end: the built CLI against the simulated host presets (TESTING.md §2),
 * plus CLI basics (help, version, usage errors, plain output, redaction).
 * Run `npm run build` first.
 */
import { describe, expect, it } from 'vitest';
import { simHostsPerTest, type SimHost } from './harness.js';
import { presets, buildScenario } from './scenario.js';

interface Check {
  id: string;
  title: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  detail: string;
  fix?: string;
}
interface DoctorJson {
  ok: boolean;
  checks: Check[];
  gpus: { index: number; uuid: string; name: string; memoryMiB: number; driverVersion: string; computeCap: string; migMode: string; busId: string }[];
  host: Record<string, unknown>;
}

const host = simHostsPerTest();

async function doctorJson(h: SimHost, args: string[] = []): Promise<{ exitCode: number | null; json: DoctorJson; stderr: string }> {
  const r = await h.runCli(['doctor', '--json', ...args]);
  let json: DoctorJson;
  try {
    json = JSON.parse(r.stdout) as DoctorJson;
  } catch {
    throw new Error(`doctor --json did not print JSON (exit ${r.exitCode}):\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return { exitCode: r.exitCode, json, stderr: r.stderr };
}

const check = (json: DoctorJson, id: string): Check => {
  const c = json.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${json.checks.map((x) => x.id).join(', ')}`);
  return c;
};

const failedIds = (json: DoctorJson) => json.checks.filter((c) => c.status === 'fail').map((c) => c.id);

describe('kindling doctor on the simulated host', () => {
  it('healthy host with 1 GPU: exit 0, the real H100 fields, no mutating call', async () => {
    const h = host(presets.healthy1());
    const { exitCode, json } = await doctorJson(h);
    expect(failedIds(json)).toEqual([]);
    expect(exitCode).toBe(0);
    expect(json.ok).toBe(true);
    expect(json.gpus).toHaveLength(1);
    expect(json.gpus[0]).toMatchObject({ index: 0, name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559, driverVersion: '580.159.04', computeCap: '9.0', migMode: 'Disabled' });
    for (const id of ['os', 'arch', 'cgroup', 'root', 'nvidia-driver', 'gpus', 'docker-daemon', 'docker-rootless', 'docker-runtime-nvidia', 'docker-default-runtime', 'nvidia-ctk', 'nvidia-ctk-volume-mounts', 'inotify', 'memory', 'docker-storage']) {
      expect(check(json, id).status, id).toBe('pass');
    }
    expect(check(json, 'nvidia-ctk').detail).toContain('1.18.1');
    expect(check(json, 'nvidia-ctk').detail).toMatch(/≥ 1\.18/);
    expect(h.mutatingCalls()).toEqual([]);
    // The stable JSON object: exactly these top-level keys.
    expect(Object.keys(json).sort()).toEqual(['checks', 'gpus', 'host', 'ok']);
  });

  it('healthy host with 4 GPUs: exit 0 and the JSON lists all four', async () => {
    const h = host(presets.healthy4());
    const { exitCode, json } = await doctorJson(h);
    expect(exitCode).toBe(0);
    expect(json.gpus.map((g) => g.index)).toEqual([0, 1, 2, 3]);
    expect(new Set(json.gpus.map((g) => g.uuid)).size).toBe(4);
    expect(check(json, 'gpus').detail).toContain('4 × NVIDIA H100 80GB HBM3');
  });

  it('no driver: the GPU checks fail with the driver fix, exit 2', async () => {
    const h = host(presets.noDriver());
    const r = await h.runCli(['doctor']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/✗ NVIDIA driver\s+nvidia-smi not found/);
    expect(r.stdout).toMatch(/✗ GPUs/);
    expect(r.stdout).toContain('fix: kindling host setup --driver');
    expect(r.stderr).toContain('nvidia-driver, gpus');
    const { json } = await doctorJson(h);
    expect(failedIds(json)).toEqual(expect.arrayContaining(['nvidia-driver', 'gpus']));
    expect(json.gpus).toEqual([]);
  });

  it('Docker daemon down: docker-daemon fails with the start command; dependent checks skip', async () => {
    const h = host(presets.dockerDown());
    const { exitCode, json } = await doctorJson(h);
    expect(exitCode).toBe(2);
    expect(failedIds(json)).toEqual(['docker-daemon']);
    expect(check(json, 'docker-daemon').detail).toContain('Cannot connect to the Docker daemon');
    expect(check(json, 'docker-daemon').fix).toBe('sudo systemctl start docker');
    expect(check(json, 'docker-client').status).toBe('pass');
    expect(check(json, 'docker-client').detail).toBe('28.2.2');
    for (const id of ['docker-rootless', 'docker-storage', 'docker-runtime-nvidia', 'docker-default-runtime']) expect(check(json, id).status).toBe('skip');
  });

  it('Docker daemon down on a host without systemd: the fix starts dockerd directly', async () => {
    const s = presets.dockerDown();
    s.files['/proc/1/comm'] = 'bash\n';
    const h = host(s);
    const { json } = await doctorJson(h);
    expect(check(json, 'docker-daemon').fix).toBe('sudo sh -c "dockerd > /var/log/dockerd.log 2>&1 &"');
  });

  it('toolkit installed but not configured: runtime, default runtime and volume mounts fail with the seed commands', async () => {
    const h = host(presets.toolkitNotConfigured());
    const { exitCode, json } = await doctorJson(h);
    expect(exitCode).toBe(2);
    expect(failedIds(json).sort()).toEqual(['docker-default-runtime', 'docker-runtime-nvidia', 'nvidia-ctk-volume-mounts']);
    expect(check(json, 'docker-runtime-nvidia').fix).toContain('sudo nvidia-ctk runtime configure --runtime=docker --set-as-default --cdi.enabled');
    expect(check(json, 'docker-default-runtime').detail).toContain("'runc'");
    expect(check(json, 'nvidia-ctk-volume-mounts').fix).toBe('sudo nvidia-ctk config --set accept-nvidia-visible-devices-as-volume-mounts=true --in-place');
  });

  it('the fixes work: applying them on the simulated host makes doctor pass', async () => {
    const h = host(presets.toolkitNotConfigured());
    // What the user would run (through the fakes), then a Docker restart (the daemon rereads daemon.json).
    const { applyDaemonJson } = (await import(new URL('./fakebin/tools/docker.mjs', import.meta.url).href)) as { applyDaemonJson: (sim: unknown) => unknown };
    const { handle } = (await import(new URL('./fakebin/tools/nvidia-ctk.mjs', import.meta.url).href)) as { handle: (call: unknown, sim: unknown) => Promise<unknown> };
    const state = h.state();
    const sim = { state, readHostFile: (p: string) => h.readHostFile(p), writeHostFile: (p: string, c: string) => h.writeHostFile(p, c) };
    await handle({ args: ['runtime', 'configure', '--runtime=docker', '--set-as-default', '--cdi.enabled'] }, sim);
    await handle({ args: ['config', '--set', 'accept-nvidia-visible-devices-as-volume-mounts=true', '--in-place'] }, sim);
    applyDaemonJson(sim);
    h.setState((s) => Object.assign(s, state));
    const { exitCode, json } = await doctorJson(h);
    expect(failedIds(json)).toEqual([]);
    expect(exitCode).toBe(0);
  });

  it('rootless Docker: docker-rootless fails with the rootful fix', async () => {
    const h = host(presets.rootlessDocker());
    const { exitCode, json } = await doctorJson(h);
    expect(exitCode).toBe(2);
    expect(failedIds(json)).toEqual(['docker-rootless']);
    expect(check(json, 'docker-rootless').fix).toContain('sudo systemctl enable --now docker');
    expect(check(json, 'root').status).toBe('pass');
    expect(check(json, 'root').detail).toContain('through sudo');
  });

  it('Docker Desktop and WSL2: GPUs do not reach kind nodes there', async () => {
    const desktop = buildScenario('Docker Desktop', 1);
    desktop.state.docker.desktop = true;
    const a = await doctorJson(host(desktop));
    expect(a.exitCode).toBe(2);
    expect(check(a.json, 'docker-desktop')).toMatchObject({ status: 'fail' });
    expect(check(a.json, 'docker-desktop').detail).toContain('Docker Desktop');
    const wsl = buildScenario('WSL2', 1);
    wsl.state.os.kernel = '6.6.87.2-microsoft-standard-WSL2';
    const b = await doctorJson(host(wsl));
    expect(check(b.json, 'kernel').status).toBe('warn');
    expect(check(b.json, 'docker-desktop').status).toBe('fail');
    expect(check(b.json, 'docker-desktop').detail).toContain('WSL2');
  });

  it('kind missing: the kind check fails with kindling host setup', async () => {
    const h = host(presets.kindMissing());
    const { exitCode, json } = await doctorJson(h);
    expect(exitCode).toBe(2);
    expect(failedIds(json)).toEqual(['kind']);
    expect(check(json, 'kind').fix).toBe('kindling host setup');
  });

  it('user not in the docker group: the daemon check says permission denied and gives the group fix', async () => {
    const s = buildScenario('docker group missing', 1);
    s.state.user = { uid: 1000, name: 'dev', sudo: true, groups: ['dev'] };
    const h = host(s);
    const { json } = await doctorJson(h);
    expect(check(json, 'docker-daemon').status).toBe('fail');
    expect(check(json, 'docker-daemon').fix).toContain('usermod -aG docker');
  });

  it('low disk, old toolkit, MIG and small inotify limits are reported with their fixes', async () => {
    const s = buildScenario('odd host', 2);
    s.state.disk = { availBytes: 10 * 1024 ** 3 };
    s.state.toolkit.version = '1.19.1';
    s.state.inotify = { maxUserWatches: 8192, maxUserInstances: 128 };
    s.state.gpus[1]!.migMode = 'Enabled';
    const h = host(s);
    const { exitCode, json } = await doctorJson(h);
    expect(exitCode).toBe(2);
    expect(check(json, 'docker-storage').status).toBe('fail');
    expect(check(json, 'docker-storage').detail).toMatch(/10\.0 GiB free at \/var\/lib\/docker/);
    expect(check(json, 'nvidia-ctk').status).toBe('warn');
    expect(check(json, 'nvidia-ctk').fix).toContain('nvidia-container-toolkit=1.18.1-1');
    expect(check(json, 'inotify').fix).toBe('sudo sysctl -w fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512');
    expect(check(json, 'gpus').status).toBe('warn');
    expect(check(json, 'gpus').fix).toBe('sudo nvidia-smi -i 1 -mig 0');
  });

  it('--deep runs the seed GPU-in-container checks (docker run pulls the image: mutating)', async () => {
    const h = host(presets.healthy4());
    const { exitCode, json } = await doctorJson(h, ['--deep']);
    expect(exitCode).toBe(0);
    expect(check(json, 'gpu-in-container')).toMatchObject({ status: 'pass', detail: '4 GPU(s) visible (docker run --runtime=nvidia)' });
    expect(check(json, 'gpu-volume-mount').status).toBe('pass');
    const runs = h.mutatingCalls().map((e) => e.line);
    expect(runs).toEqual([
      'docker run --rm --runtime=nvidia -e NVIDIA_VISIBLE_DEVICES=all ubuntu:24.04 nvidia-smi -L',
      'docker run --rm -v /dev/null:/var/run/nvidia-container-devices/all ubuntu:24.04 nvidia-smi -L',
    ]);
    expect(h.state().docker.images).toContain('ubuntu:24.04');
  });

  it('--deep on a host whose toolkit ignores volume mounts: gpu-volume-mount fails with the config fix', async () => {
    const h = host(presets.toolkitNotConfigured());
    h.setState((s) => {
      s.docker.runtimes = ['io.containerd.runc.v2', 'nvidia', 'runc'];
      s.docker.defaultRuntime = 'nvidia';
    });
    const { json } = await doctorJson(h, ['--deep']);
    expect(check(json, 'gpu-in-container').status).toBe('pass');
    expect(check(json, 'gpu-volume-mount').status).toBe('fail');
    expect(check(json, 'gpu-volume-mount').fix).toContain('accept-nvidia-visible-devices-as-volume-mounts=true');
  });

  it('human output: grouped, aligned, marks, fix lines and a one-line summary; no ANSI without a TTY', async () => {
    const h = host(presets.toolkitNotConfigured());
    const r = await h.runCli(['doctor'], { env: { NO_COLOR: '' } });
    expect(r.stdout).not.toMatch(/\x1b\[/);
    expect(r.stderr).not.toMatch(/\x1b\[/);
    const lines = r.stdout.trimEnd().split('\n');
    for (const group of ['Host', 'NVIDIA', 'Docker', 'Kubernetes tools']) expect(lines).toContain(group);
    expect(lines.at(-1)).toMatch(/^✗ Not ready for GPU kind clusters: \d+ passed, \d+ warnings?, 3 failed\.$/);
    // Details start in the same column for every check line.
    const checkLines = lines.filter((l) => /^ {2}[✓!✗-] /.test(l));
    const columns = new Set(checkLines.map((l) => l.search(/\S/u) + l.slice(4).search(/ {2}\S/) + 4));
    expect(columns.size).toBe(1);
    const idx = lines.findIndex((l) => l.includes('nvidia runtime registered'));
    expect(lines[idx + 1]).toMatch(/^ {6}fix: sudo nvidia-ctk runtime configure/);
  });
});

describe('CLI basics (built binary)', () => {
  it('--version prints the package version; --help lists doctor with examples', async () => {
    const h = host(presets.healthy1());
    const v = await h.runCli(['--version']);
    expect(v.exitCode).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await h.runCli(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('doctor');
    expect(help.stdout).toContain('Examples:');
  });

  it('every registered command (and subcommand) has --help with examples', async () => {
    const h = host(presets.healthy1());
    // Names listed under "Commands:" in a help text.
    const listed = (help: string) => {
      const section = help.split(/^Commands:\n/m)[1]?.split(/\n\S/)[0] ?? '';
      return [...section.matchAll(/^ {2}([a-z][a-z0-9-]*)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    };
    const top = await h.runCli(['--help']);
    const queue = listed(top.stdout).map((c) => [c]);
    expect(queue.map((q) => q[0])).toContain('doctor');
    const withoutExamples: string[] = [];
    let seen = 0;
    while (queue.length > 0) {
      const path = queue.shift()!;
      const r = await h.runCli([...path, '--help']);
      seen += 1;
      expect(r.exitCode, path.join(' ')).toBe(0);
      if (!/Examples:\n\s+\$ /.test(r.stdout)) withoutExamples.push(`kindling ${path.join(' ')}`);
      for (const sub of listed(r.stdout)) queue.push([...path, sub]);
    }
    expect(seen).toBeGreaterThan(1);
    expect(withoutExamples, 'commands whose --help has no "Examples:" section').toEqual([]);
  });

  it('unknown command and unknown flag are usage errors: exit 2 with a hint', async () => {
    const h = host(presets.healthy1());
    const a = await h.runCli(['doctr']);
    expect(a.exitCode).toBe(2);
    expect(a.stderr).toMatch(/unknown command 'doctr'/);
    expect(a.stderr).toMatch(/Did you mean doctor\?|--help/);
    const b = await h.runCli(['doctor', '--bogus']);
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toMatch(/unknown option '--bogus'/);
    expect(b.stderr).toContain('--help');
    expect(h.journal()).toEqual([]);
  });

  it('JSON mode prints only JSON on stdout, progress on stderr', async () => {
    const h = host(presets.noDriver());
    const r = await h.runCli(['doctor', '--json']);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
    expect(r.stderr).toContain('Checking the host');
  });

  it('secrets are redacted from errors', async () => {
    const s = presets.dockerDown();
    // The daemon error text carries a token (as a misconfigured DOCKER_HOST URL might).
    s.faults.push({ match: '^docker info', exitCode: 1, stderr: 'error during connect: Get "https://user:hf_abcdefghijklmnopqrstuvwxyz@10.0.0.1:2376/v1.50/info": dial tcp: i/o timeout\n' });
    const h = host(s);
    const r = await h.runCli(['doctor']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout + r.stderr).not.toContain('hf_abcdefghijklmnopqrstuvwxyz');
    expect(r.stdout).toContain('***');
  });
});
