/**
 * Backups of every host file `host setup` changes, in `<stateDir>/backups/`: the original bytes
 * (`files/<path with / as __>`) and `manifest.json` with, per file, whether it existed before, its
 * SHA-256 before and after kindling's change, its mode and when. A file is backed up once: a later
 * setup keeps the first original and updates `sha256After`. `host restore` reads the same manifest.
 * The state directory is kindling's own, so it is written directly (never in --dry-run).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../core/context.js';
import { isNotFound } from '../core/files.js';

export interface BackupEntry {
  path: string;
  existedBefore: boolean;
  /** null when the file did not exist. */
  sha256Before: string | null;
  /** What kindling wrote (null until the write happened). */
  sha256After: string | null;
  /** File mode before (octal number), null when it did not exist. */
  modeBefore: number | null;
  /** Name of the copy under backups/files/, null when the file did not exist. */
  backupFile: string | null;
  /** When the backup was taken (ISO 8601). */
  time: string;
  /** When kindling last wrote the file. */
  changed: string | null;
}

export interface BackupManifest {
  version: 1;
  entries: BackupEntry[];
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function backupDir(ctx: Pick<Context, 'paths'>): string {
  return join(ctx.paths.stateDir, 'backups');
}

export function manifestPath(ctx: Pick<Context, 'paths'>): string {
  return join(backupDir(ctx), 'manifest.json');
}

export async function readManifest(ctx: Pick<Context, 'paths'>): Promise<BackupManifest> {
  try {
    const parsed = JSON.parse(await readFile(manifestPath(ctx), 'utf8')) as BackupManifest;
    return { version: 1, entries: Array.isArray(parsed.entries) ? parsed.entries : [] };
  } catch (error) {
    if (isNotFound(error)) return { version: 1, entries: [] };
    throw error;
  }
}

export async function writeManifest(ctx: Pick<Context, 'paths'>, manifest: BackupManifest): Promise<void> {
  await mkdir(backupDir(ctx), { recursive: true, mode: 0o700 });
  await writeFile(manifestPath(ctx), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
}

export function backupFileName(path: string): string {
  return path.replace(/^\/+/, '').replace(/\//g, '__');
}

export async function readBackup(ctx: Pick<Context, 'paths'>, entry: BackupEntry): Promise<string | undefined> {
  if (entry.backupFile === null) return undefined;
  return readFile(join(backupDir(ctx), 'files', entry.backupFile), 'utf8');
}

/**
 * Writes a host file (as root) after backing up its original: the one way host setup changes a
 * configuration file. In --dry-run only the plan gets the write (and a note about the backup).
 */
export async function writeWithBackup(
  ctx: Context,
  path: string,
  content: string,
  options: { description: string; mode?: number },
): Promise<void> {
  const before = await ctx.files.read(path);
  if (ctx.dryRun) {
    ctx.plan.note(`back up ${path} (${before === undefined ? 'does not exist yet: restore deletes it' : 'original kept for kindling host restore'}) in ${backupDir(ctx)}`);
    await ctx.files.write(path, content, { root: true, description: options.description, ...(options.mode === undefined ? {} : { mode: options.mode }) });
    return;
  }
  const manifest = await readManifest(ctx);
  let entry = manifest.entries.find((e) => e.path === path);
  const now = new Date().toISOString();
  if (!entry) {
    let modeBefore: number | null = null;
    let backupFile: string | null = null;
    if (before !== undefined) {
      modeBefore = (await stat(ctx.files.real(path))).mode & 0o7777;
      backupFile = backupFileName(path);
      await mkdir(join(backupDir(ctx), 'files'), { recursive: true, mode: 0o700 });
      await writeFile(join(backupDir(ctx), 'files', backupFile), before, { mode: 0o600 });
    }
    entry = {
      path,
      existedBefore: before !== undefined,
      sha256Before: before === undefined ? null : sha256(before),
      sha256After: null,
      modeBefore,
      backupFile,
      time: now,
      changed: null,
    };
    manifest.entries.push(entry);
    // The manifest is saved before the change, so a failed write still leaves the original restorable.
    await writeManifest(ctx, manifest);
  }
  const mode = options.mode ?? entry.modeBefore ?? 0o644;
  await ctx.files.write(path, content, { root: true, description: options.description, mode });
  entry.sha256After = sha256(content);
  entry.changed = new Date().toISOString();
  await writeManifest(ctx, manifest);
}

/** Removes the whole backup store (after a complete restore). */
export async function clearBackups(ctx: Pick<Context, 'paths'>): Promise<void> {
  await rm(backupDir(ctx), { recursive: true, force: true });
}
