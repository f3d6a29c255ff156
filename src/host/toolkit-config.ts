/**
 * Read side of the NVIDIA Container Toolkit: `nvidia-ctk --version` and the flat TOML of
 * /etc/nvidia-container-runtime/config.toml (only the keys kindling checks; not a TOML parser).
 */
import type { Context } from '../core/context.js';
import { ExternalError } from '../core/errors.js';

/** Read-only probes get a generous timeout: a loaded host (or CI) can be slow to start even `--version`. */
export const PROBE_TIMEOUT_MS = 60_000;

export const TOOLKIT_CONFIG_PATH = '/etc/nvidia-container-runtime/config.toml';
export const VOLUME_MOUNTS_KEY = 'accept-nvidia-visible-devices-as-volume-mounts';
export const NVIDIA_CTK_VERSION_ARGV = ['nvidia-ctk', '--version'] as const;

/** "NVIDIA Container Toolkit CLI version 1.18.1\ncommit: …" → "1.18.1". */
export function parseNvidiaCtkVersion(text: string): string | undefined {
  return /version\s+v?(\d+\.\d+\.\d+(?:[-~.+][0-9A-Za-z.-]+)?)/i.exec(text)?.[1];
}

/**
 * Reads `key = value` pairs of a simple TOML file into "section.key" → value (strings unquoted,
 * booleans and numbers as text). Commented-out lines are ignored.
 */
export function readTomlKeys(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let section = '';
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      section = (header[1] ?? '').replace(/"/g, '');
      continue;
    }
    const kv = /^("?)([A-Za-z0-9_.-]+)\1\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    let value = (kv[3] ?? '').trim();
    if (value.startsWith('"')) {
      const end = value.indexOf('"', 1);
      value = end > 0 ? value.slice(1, end) : value.slice(1);
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    out.set(section === '' ? (kv[2] ?? '') : `${section}.${kv[2] ?? ''}`, value);
  }
  return out;
}

export interface ToolkitConfig {
  /** Top-level `accept-nvidia-visible-devices-as-volume-mounts`; false when absent (its default). */
  volumeMounts: boolean;
  /** `[nvidia-container-cli] no-cgroups` (needed for rootless Docker). */
  noCgroups: boolean;
  /** `[nvidia-container-runtime] mode` (auto, legacy, cdi, jit-cdi …); '' when unset. */
  mode: string;
}

export function parseToolkitConfig(text: string): ToolkitConfig {
  const keys = readTomlKeys(text);
  return {
    volumeMounts: keys.get(VOLUME_MOUNTS_KEY) === 'true',
    noCgroups: keys.get('nvidia-container-cli.no-cgroups') === 'true',
    mode: keys.get('nvidia-container-runtime.mode') ?? '',
  };
}

export type ToolkitProbe =
  | { installed: false }
  | { installed: true; version: string; config: ToolkitConfig | undefined; configPath: string };

export async function probeToolkit(ctx: Context): Promise<ToolkitProbe> {
  let version = '';
  try {
    const r = await ctx.runner.run({ argv: NVIDIA_CTK_VERSION_ARGV, mutating: false, allowFailure: true, timeoutMs: PROBE_TIMEOUT_MS });
    version = parseNvidiaCtkVersion(r.stdout + '\n' + r.stderr) ?? '';
  } catch (error) {
    if (error instanceof ExternalError && error.notFound) return { installed: false };
    // Timed out (a loaded host): installed, version unknown — the check says so instead of failing doctor.
    if (!(error instanceof ExternalError)) throw error;
  }
  const text = await ctx.files.read(TOOLKIT_CONFIG_PATH);
  return { installed: true, version, config: text === undefined ? undefined : parseToolkitConfig(text), configPath: TOOLKIT_CONFIG_PATH };
}
