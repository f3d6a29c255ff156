/**
 * Downloads that end up on the host: fetched with curl into a private temp directory, checked
 * against the SHA-256 pinned in src/core/versions.ts, and only then moved into place with
 * `install -m 0755`. Every file of a batch is downloaded and verified before any is installed, so
 * a mismatch aborts with nothing installed, and the temp directory is always removed.
 *
 * Mirrors: `--mirror URL` (or KINDLING_MIRROR) replaces each pinned binary's base URL, keeping its
 * path (`URL/v0.32.0/kind-linux-amd64`, `URL/v1.36.1/bin/linux/amd64/kubectl`,
 * `URL/helm-v3.19.0-linux-amd64.tar.gz`). A mirror serving its own builds (and tests) can replace
 * the pinned checksums with a JSON file named in KINDLING_PINS_FILE:
 *   { "kind": { "sha256": { "amd64": "<hex>" } }, "helm": { "sha256": { "amd64": "<hex>" } } }
 * kindling says so whenever such a file is in use.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Context } from '../core/context.js';
import { UserError, ExitCode } from '../core/errors.js';
import type { Arch, PinnedBinary } from '../core/versions.js';
import { sha256 } from './backup.js';

export const INSTALL_DIR = '/usr/local/bin';

export interface DownloadItem {
  name: string;
  version: string;
  url: string;
  sha256: string;
  /** File name inside the temp directory. */
  fileName: string;
  /** Member to extract from a .tar.gz. */
  archiveMember?: string;
  /** Where the executable goes (/usr/local/bin/<name>). */
  dest: string;
}

export interface PinsOverride {
  file: string;
  pins: Record<string, { sha256?: Partial<Record<Arch, string>> }>;
}

/** Reads KINDLING_PINS_FILE when set. */
export async function loadPinsOverride(ctx: Context): Promise<PinsOverride | undefined> {
  const file = ctx.env.KINDLING_PINS_FILE;
  if (file === undefined || file === '') return undefined;
  let pins: unknown;
  try {
    pins = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UserError(`KINDLING_PINS_FILE=${file} could not be read as JSON: ${(error as Error).message}`, {
      fix: 'Unset KINDLING_PINS_FILE to use the checksums pinned in kindling, or fix the file.',
    });
  }
  if (typeof pins !== 'object' || pins === null || Array.isArray(pins)) {
    throw new UserError(`KINDLING_PINS_FILE=${file} must hold a JSON object such as {"kind": {"sha256": {"amd64": "…"}}}.`);
  }
  return { file, pins: pins as PinsOverride['pins'] };
}

/** The mirror base: --mirror, else KINDLING_MIRROR, else none (official URLs). */
export function mirrorBase(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const value = flag ?? env.KINDLING_MIRROR;
  if (value === undefined || value.trim() === '') return undefined;
  return value.trim().replace(/\/+$/, '');
}

export function downloadItem(bin: PinnedBinary, arch: Arch, mirror: string | undefined, override?: PinsOverride): DownloadItem {
  const path = bin.path[arch];
  const pinned = override?.pins[bin.name]?.sha256?.[arch] ?? bin.sha256[arch];
  return {
    name: bin.name,
    version: bin.version,
    url: `${mirror ?? bin.baseUrl}/${path}`,
    sha256: pinned.toLowerCase(),
    fileName: basename(path),
    ...(bin.archiveMember ? { archiveMember: bin.archiveMember[arch] } : {}),
    dest: `${INSTALL_DIR}/${bin.name}`,
  };
}

export function curlArgv(url: string, output: string): string[] {
  return ['curl', '-fsSL', '--retry', '3', '--connect-timeout', '30', '-o', output, url];
}

/** A fresh private temp directory (host path) for downloads; removed by the caller. */
export async function makeTempDir(ctx: Context): Promise<string> {
  const hostPath = `/tmp/kindling-download-${ctx.dryRun ? 'XXXXXX' : randomBytes(6).toString('hex')}`;
  if (!ctx.dryRun) {
    await mkdir(ctx.files.real('/tmp'), { recursive: true });
    // mode 0700 and no `recursive`: fails if the name exists (nobody can pre-create it for us).
    await mkdir(ctx.files.real(hostPath), { mode: 0o700 });
  }
  return hostPath;
}

export async function removeTempDir(ctx: Context, hostPath: string): Promise<void> {
  if (!ctx.dryRun) await rm(ctx.files.real(hostPath), { recursive: true, force: true });
}

/** SHA-256 of a downloaded host file. */
export async function fileSha256(ctx: Context, hostPath: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(await readFile(ctx.files.real(hostPath))).digest('hex');
}

/**
 * Downloads, verifies and installs a batch. In --dry-run the curl/tar/install commands are
 * recorded and the checksum check is a plan note.
 */
export async function installVerified(ctx: Context, items: DownloadItem[], onProgress?: (text: string) => void): Promise<void> {
  if (items.length === 0) return;
  const tmp = await makeTempDir(ctx);
  try {
    for (const item of items) {
      onProgress?.(`downloading ${item.name} ${item.version}`);
      await ctx.runner.run({
        argv: curlArgv(item.url, `${tmp}/${item.fileName}`),
        mutating: true,
        timeoutMs: 15 * 60_000,
        description: `download ${item.name} ${item.version}`,
        fix: `Check the network, or use a mirror: kindling host setup --mirror <URL> (it must serve ${item.url.split('/').slice(3).join('/')} under the same path)`,
      });
    }
    for (const item of items) {
      const file = `${tmp}/${item.fileName}`;
      if (ctx.dryRun) {
        ctx.plan.note(`verify SHA-256 of ${file} is ${item.sha256} (else stop: nothing installed)`);
        continue;
      }
      const actual = await fileSha256(ctx, file);
      if (actual !== item.sha256) {
        throw new UserError(`SHA-256 mismatch for ${item.name} ${item.version} downloaded from ${item.url}: expected ${item.sha256}, got ${actual}. Nothing was installed.`, {
          exitCode: ExitCode.failed,
          fix: [
            'Retry (a download cut short gives another checksum): kindling host setup',
            'If you use a mirror (--mirror / KINDLING_MIRROR), check that it serves the official file',
          ],
        });
      }
    }
    for (const item of items) {
      if (item.archiveMember === undefined) continue;
      await ctx.runner.run({
        argv: ['tar', '-xzf', `${tmp}/${item.fileName}`, '-C', tmp, item.archiveMember],
        mutating: true,
        description: `extract ${item.archiveMember}`,
      });
    }
    for (const item of items) {
      const src = item.archiveMember === undefined ? `${tmp}/${item.fileName}` : `${tmp}/${item.archiveMember}`;
      onProgress?.(`installing ${item.dest}`);
      await ctx.runner.run({
        argv: ['install', '-m', '0755', src, item.dest],
        mutating: true,
        root: true,
        description: `install ${item.name} ${item.version}`,
      });
    }
  } finally {
    await removeTempDir(ctx, tmp);
  }
}

/** Downloads one file into a temp dir the caller owns (no checksum: used for the apt key, which is checked by fingerprint). */
export async function downloadTo(ctx: Context, url: string, tmp: string, fileName: string, description: string): Promise<string> {
  const file = `${tmp}/${fileName}`;
  await ctx.runner.run({ argv: curlArgv(url, file), mutating: true, timeoutMs: 5 * 60_000, description });
  return file;
}

