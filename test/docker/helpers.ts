/**
 * Shared helpers of the real-Docker suite (TESTING.md §3). No image can be pulled here: test images
 * are built from scratch with `docker import` of a tarball holding Debian's busybox-static
 * (/bin/busybox plus applet symlinks). A suite whose prerequisites are missing skips itself and says why:
 *
 *   const docker = await dockerAvailable();
 *   describe.skipIf(!docker.ok)('…', () => { … });   // docker.reason says why when it skips
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, copyFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DockerAvailability {
  ok: boolean;
  /** Why the suite skips (empty when ok). */
  reason: string;
  serverVersion: string;
}

let cached: DockerAvailability | undefined;

/** Whether a Docker daemon answers `docker info` (cached per process). Logs the reason once when it does not. */
export async function dockerAvailable(): Promise<DockerAvailability> {
  if (cached) return cached;
  const r = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    cached = { ok: false, reason: 'no docker client on PATH (.ci/run installs docker.io)', serverVersion: '' };
  } else if (r.status !== 0 || r.stdout.trim() === '') {
    cached = { ok: false, reason: `the Docker daemon does not answer: ${(r.stderr || r.stdout).trim().split('\n')[0] ?? ''} (.ci/run starts dockerd)`, serverVersion: '' };
  } else {
    cached = { ok: true, reason: '', serverVersion: r.stdout.trim() };
  }
  if (!cached.ok) console.warn(`[docker suite] skipped: ${cached.reason}`);
  return cached;
}

/** The busybox applets linked into the test image. */
export const BUSYBOX_APPLETS = [
  'sh', 'ash', 'cat', 'sleep', 'mkdir', 'ls', 'echo', 'true', 'false', 'rm', 'cp', 'mv', 'ln', 'chmod', 'env', 'id', 'uname',
  'ps', 'kill', 'grep', 'sed', 'tail', 'head', 'wc', 'test', '[', 'touch', 'which', 'printf', 'tee', 'dirname', 'basename',
  'readlink', 'stat', 'df', 'du', 'hostname', 'date', 'mount', 'umount', 'nc', 'wget', 'find', 'xargs', 'sort', 'tr', 'cut',
];

export const BUSYBOX_PATH = '/bin/busybox';

/**
 * Makes sure `tag` exists locally: imports a busybox-static root filesystem when it is missing.
 * Throws (with the fix) when /bin/busybox is not there: `apt-get install busybox-static`.
 */
export function ensureBusyboxImage(tag = 'kindling-test/busybox:1'): string {
  const have = spawnSync('docker', ['image', 'inspect', '--format', '{{.Id}}', tag], { encoding: 'utf8' });
  if (have.status === 0) return tag;
  if (!existsSync(BUSYBOX_PATH)) {
    throw new Error(`${BUSYBOX_PATH} is missing: apt-get install -y busybox-static (the docker suite builds its image from it)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'kindling-busybox-'));
  try {
    const rootfs = join(dir, 'rootfs');
    for (const d of ['bin', 'tmp', 'etc', 'proc', 'sys', 'dev', 'root', 'var/run']) mkdirSync(join(rootfs, d), { recursive: true });
    copyFileSync(BUSYBOX_PATH, join(rootfs, 'bin', 'busybox'));
    chmodSync(join(rootfs, 'bin', 'busybox'), 0o755);
    for (const applet of BUSYBOX_APPLETS) symlinkSync('busybox', join(rootfs, 'bin', applet));
    const tar = join(dir, 'rootfs.tar');
    execFileSync('tar', ['-C', rootfs, '-cf', tar, '.']);
    execFileSync('docker', ['import', '--change', 'ENV PATH=/bin', '--change', 'CMD ["/bin/sh"]', tar, tag], { stdio: 'pipe' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return tag;
}

/** Removes containers carrying `label` (cleanup after a test); ignores errors. */
export function removeLabelled(label: string): void {
  const ids = spawnSync('docker', ['ps', '-aq', '--filter', `label=${label}`], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
  if (ids.length > 0) spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
}

/** Runs docker and returns stdout (throws with stderr on failure). */
export function docker(args: string[], options: { input?: string; allowFailure?: boolean } = {}): { stdout: string; stderr: string; status: number } {
  const r = spawnSync('docker', args, { encoding: 'utf8', input: options.input, timeout: 120_000 });
  const result = { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status ?? 1 };
  if (result.status !== 0 && !options.allowFailure) throw new Error(`docker ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result;
}
