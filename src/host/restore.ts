/**
 * `kindling host restore`: puts back every host file `host setup` changed, byte for byte, from the
 * backups in `<stateDir>/backups/` (backup.ts) — or deletes the files that did not exist before —
 * then restarts Docker when its daemon.json was among them. A file changed by someone else since
 * kindling wrote it is left alone (with a warning) unless --force.
 * Packages and binaries host setup installed stay installed: restore undoes configuration only.
 */
import type { Context } from '../core/context.js';
import { ExitCode, UserError } from '../core/errors.js';
import { clearBackups, readBackup, readManifest, sha256, writeManifest, type BackupEntry } from './backup.js';
import { DAEMON_JSON_PATH } from './daemon-json.js';
import { INOTIFY_SYSCTL_PATH } from './setup.js';
import { onPath } from './facts.js';

export interface RestoreOptions {
  /** Restore files even when they changed after kindling wrote them. */
  force?: boolean;
}

export interface RestoreOutcome {
  path: string;
  action: 'restored' | 'deleted' | 'unchanged' | 'kept (changed since)';
  detail: string;
}

export interface RestoreResult {
  dryRun: boolean;
  files: RestoreOutcome[];
  dockerRestarted: boolean;
  notes: string[];
}

export async function hostRestore(ctx: Context, options: RestoreOptions = {}): Promise<RestoreResult> {
  const manifest = await readManifest(ctx);
  const result: RestoreResult = { dryRun: ctx.dryRun, files: [], dockerRestarted: false, notes: [] };
  if (manifest.entries.length === 0) {
    ctx.io.result(result, () => 'Nothing to restore: kindling host setup has not changed any file on this host (no backups).');
    return result;
  }
  const remaining: BackupEntry[] = [];
  let dockerTouched = false;
  for (const entry of [...manifest.entries].reverse()) {
    await ctx.io.step(`Restore ${entry.path}`, async (h) => {
      const current = await ctx.files.read(entry.path);
      const currentSha = current === undefined ? null : sha256(current);
      if (currentSha === entry.sha256Before) {
        h.skip('already as before');
        result.files.push({ path: entry.path, action: 'unchanged', detail: 'already as before host setup' });
        return;
      }
      if (entry.sha256After !== null && currentSha !== entry.sha256After && !options.force) {
        h.skip('changed since kindling wrote it: kept (use --force)');
        result.files.push({ path: entry.path, action: 'kept (changed since)', detail: 'changed after kindling wrote it; restore with --force' });
        remaining.push(entry);
        return;
      }
      if (entry.existedBefore) {
        const original = await readBackup(ctx, entry);
        if (original === undefined || sha256(original) !== entry.sha256Before) {
          throw new UserError(`The backup of ${entry.path} is missing or damaged; nothing more was restored.`, {
            exitCode: ExitCode.failed,
            fix: `Check the backups in ${ctx.paths.stateDir}/backups/ by hand`,
          });
        }
        await ctx.files.write(entry.path, original, { root: true, mode: entry.modeBefore ?? 0o644, description: 'the original, byte for byte' });
        h.done('restored');
        result.files.push({ path: entry.path, action: 'restored', detail: 'original content put back' });
      } else {
        await ctx.files.remove(entry.path, { root: true, description: 'did not exist before kindling host setup' });
        h.done('deleted (did not exist before)');
        result.files.push({ path: entry.path, action: 'deleted', detail: 'did not exist before host setup' });
      }
      if (entry.path === DAEMON_JSON_PATH) dockerTouched = true;
      if (entry.path === INOTIFY_SYSCTL_PATH) result.notes.push('The raised inotify limits stay in effect until the next reboot.');
    });
  }
  if (dockerTouched && (await onPath(ctx.env, 'systemctl')) && (await onPath(ctx.env, 'docker'))) {
    await ctx.io.step('Restart Docker', async (h) => {
      await ctx.runner.run({
        argv: ['systemctl', 'restart', 'docker'],
        mutating: true,
        root: true,
        timeoutMs: 180_000,
        description: 'load the restored daemon.json',
        fix: 'sudo journalctl -u docker --no-pager -n 50',
      });
      h.done(ctx.dryRun ? 'planned' : 'restarted');
    });
    result.dockerRestarted = true;
  }
  if (!ctx.dryRun) {
    if (remaining.length === 0) await clearBackups(ctx);
    else await writeManifest(ctx, { version: 1, entries: remaining.reverse() });
  }
  ctx.io.result(result, renderRestore);
  return result;
}

function renderRestore(r: RestoreResult): string {
  const lines = r.files.map((f) => `${f.path}: ${f.action}`);
  if (r.dockerRestarted) lines.push(r.dryRun ? 'Docker would be restarted.' : 'Docker restarted.');
  for (const n of r.notes) lines.push(`Note: ${n}`);
  return lines.join('\n');
}
