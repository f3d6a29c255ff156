import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where kindling keeps its state and caches. KINDLING_HOST_ROOT prefixes every host file path
 * (/etc/…, /proc/…, /sys/…) — the simulated host in test/sim points it at a fake root.
 */
export interface KindlingPaths {
  /** Prefix for host paths such as /etc/docker/daemon.json; '' on a real host. */
  hostRoot: string;
  /** kindling's own state: backups, pid files, logs (~/.local/state/kindling or $KINDLING_STATE_DIR). */
  stateDir: string;
  /** Host cache mounted into every GPU worker: model weights, vLLM compile cache, toolkit packages. */
  hostCacheDir: string;
}

export function resolvePaths(env: NodeJS.ProcessEnv): KindlingPaths {
  const hostRoot = env.KINDLING_HOST_ROOT ?? '';
  const home = env.HOME ?? homedir();
  const stateDir = env.KINDLING_STATE_DIR ?? join(env.XDG_STATE_HOME ?? join(home, '.local', 'state'), 'kindling');
  const hostCacheDir = env.KINDLING_CACHE_DIR ?? '/var/lib/kindling/cache';
  return { hostRoot, stateDir, hostCacheDir };
}

/** The real location of a host path, honouring KINDLING_HOST_ROOT. */
export function hostPath(paths: Pick<KindlingPaths, 'hostRoot'>, absolute: string): string {
  return paths.hostRoot === '' ? absolute : join(paths.hostRoot, absolute);
}
