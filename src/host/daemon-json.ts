/**
 * /etc/docker/daemon.json: reading it and making the edit `nvidia-ctk runtime configure
 * --runtime=docker --set-as-default --cdi.enabled` makes — an `nvidia` runtime, `default-runtime:
 * nvidia`, `features.cdi: true` — while keeping every other key, its value and the key order.
 * kindling writes the edit itself (instead of running nvidia-ctk) so that `--dry-run` can show the
 * file's exact new content and the original can be backed up first.
 */
import { UserError } from '../core/errors.js';

export const DAEMON_JSON_PATH = '/etc/docker/daemon.json';

/** What nvidia-ctk writes for the runtime entry (toolkit 1.14 … 1.18). */
export const NVIDIA_RUNTIME_ENTRY = { args: [] as string[], path: 'nvidia-container-runtime' };

type JsonObject = Record<string, unknown>;

export interface DaemonJsonState {
  /** An `nvidia` runtime is registered. */
  hasNvidiaRuntime: boolean;
  defaultRuntime: string | undefined;
  cdi: boolean;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses daemon.json text ('' or whitespace = empty object, as Docker treats a missing file). */
export function parseDaemonJson(text: string | undefined, path = DAEMON_JSON_PATH): JsonObject {
  if (text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${path} is not valid JSON (${(error as Error).message}); Docker cannot start with it either.`, {
      fix: `Fix or remove ${path}, then run kindling host setup again`,
    });
  }
  if (!isObject(value)) {
    throw new UserError(`${path} must hold a JSON object.`, { fix: `Fix ${path}, then run kindling host setup again` });
  }
  return value;
}

export function daemonJsonState(text: string | undefined): DaemonJsonState {
  const json = parseDaemonJson(text);
  const runtimes = isObject(json.runtimes) ? json.runtimes : {};
  const features = isObject(json.features) ? json.features : {};
  return {
    hasNvidiaRuntime: isObject(runtimes.nvidia) && typeof runtimes.nvidia.path === 'string' && runtimes.nvidia.path !== '',
    defaultRuntime: typeof json['default-runtime'] === 'string' ? json['default-runtime'] : undefined,
    cdi: features.cdi === true,
  };
}

/** The indentation the file uses (first indented line), default 4 spaces like nvidia-ctk. */
function detectIndent(text: string | undefined): string | number {
  const m = text === undefined ? null : /\n([ \t]+)["}\]]/.exec(text);
  return m?.[1] ?? 4;
}

/**
 * The daemon.json content with the NVIDIA runtime configured, or `undefined` when the file already
 * has it (nothing to write). Unrelated keys and their order are kept; new keys are appended.
 * An existing `nvidia` runtime entry (a different path such as /usr/bin/nvidia-container-runtime,
 * extra args) is kept as it is.
 */
export function configureDaemonJson(text: string | undefined): string | undefined {
  const state = daemonJsonState(text);
  if (state.hasNvidiaRuntime && state.defaultRuntime === 'nvidia' && state.cdi) return undefined;
  const json = parseDaemonJson(text);
  if (!state.hasNvidiaRuntime) {
    const runtimes = isObject(json.runtimes) ? json.runtimes : {};
    runtimes.nvidia = { ...NVIDIA_RUNTIME_ENTRY, args: [] };
    json.runtimes = runtimes;
  }
  json['default-runtime'] = 'nvidia';
  const features = isObject(json.features) ? json.features : {};
  features.cdi = true;
  json.features = features;
  return `${JSON.stringify(json, null, detectIndent(text))}\n`;
}
