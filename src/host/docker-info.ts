/**
 * `docker info --format '{{json .}}'`: parsed into what doctor, host setup and up need — server
 * version, runtimes, default runtime, storage root, rootless, Docker Desktop / WSL, cgroup version.
 * The same call answers whether the daemon is reachable (exit 1 and "Cannot connect to the Docker
 * daemon …" on stderr with current clients; `ServerErrors` in the JSON with older ones) and, through
 * `ClientInfo`, the client version.
 */
import type { Context } from '../core/context.js';
import { ExternalError } from '../core/errors.js';

/** The exact argv kindling uses (proved against a real daemon in test/docker/doctor-docker.test.ts). */
export const DOCKER_INFO_ARGV = ['docker', 'info', '--format', '{{json .}}'] as const;
export const DOCKER_CLIENT_VERSION_ARGV = ['docker', 'version', '--format', '{{.Client.Version}}'] as const;

export interface DockerInfo {
  serverVersion: string;
  /** Registered runtime names (keys of `Runtimes`), sorted. */
  runtimes: string[];
  defaultRuntime: string;
  /** Storage root, e.g. /var/lib/docker (rootless: ~/.local/share/docker). */
  rootDir: string;
  storageDriver: string;
  /** `SecurityOptions` contains `name=rootless`. */
  rootless: boolean;
  /** `OperatingSystem` is "Docker Desktop". */
  desktop: boolean;
  /** The daemon's kernel is a WSL2 kernel (…-microsoft-standard-WSL2). */
  wsl: boolean;
  operatingSystem: string;
  kernelVersion: string;
  /** '1' | '2' | '' (old daemons do not say). */
  cgroupVersion: string;
  cgroupDriver: string;
  cpus: number;
  memoryBytes: number;
  /** `ServerErrors` (older clients report an unreachable daemon here). */
  serverErrors: string[];
  warnings: string[];
  /** From `ClientInfo.Version`; '' when the client does not report it. */
  clientVersion: string;
}

type Json = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const strList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Parses the JSON document; throws SyntaxError on malformed JSON. */
export function parseDockerInfo(text: string): DockerInfo {
  const raw = JSON.parse(text.trim()) as Json;
  const runtimes = raw.Runtimes && typeof raw.Runtimes === 'object' ? Object.keys(raw.Runtimes).sort() : [];
  const security = strList(raw.SecurityOptions);
  const operatingSystem = str(raw.OperatingSystem);
  const kernelVersion = str(raw.KernelVersion);
  const client = (raw.ClientInfo ?? {}) as Json;
  return {
    serverVersion: str(raw.ServerVersion),
    runtimes,
    defaultRuntime: str(raw.DefaultRuntime),
    rootDir: str(raw.DockerRootDir),
    storageDriver: str(raw.Driver),
    rootless: security.some((o) => o.split(',').includes('name=rootless')),
    desktop: /docker desktop/i.test(operatingSystem),
    wsl: isWslKernel(kernelVersion),
    operatingSystem,
    kernelVersion,
    cgroupVersion: str(raw.CgroupVersion),
    cgroupDriver: str(raw.CgroupDriver),
    cpus: num(raw.NCPU),
    memoryBytes: num(raw.MemTotal),
    serverErrors: strList(raw.ServerErrors),
    warnings: strList(raw.Warnings),
    clientVersion: str(client.Version),
  };
}

export function isWslKernel(kernel: string): boolean {
  return /microsoft|wsl/i.test(kernel);
}

export type DaemonProblem = 'down' | 'permission' | 'other';

export type DockerProbe =
  | { status: 'missing' }
  | { status: 'ok'; info: DockerInfo }
  | { status: 'unreachable'; problem: DaemonProblem; message: string; clientVersion: string };

/** Classifies the daemon error text of the docker client. */
export function classifyDaemonError(text: string): DaemonProblem {
  if (/permission denied while trying to connect to the Docker daemon/i.test(text)) return 'permission';
  if (/Cannot connect to the Docker daemon|Is the docker daemon running|error during connect|dial unix .*docker\.sock/i.test(text)) return 'down';
  return 'other';
}

/** Runs `docker info` (read-only); never throws for a missing client or an unreachable daemon. */
export async function probeDocker(ctx: Context): Promise<DockerProbe> {
  let result;
  try {
    result = await ctx.runner.run({ argv: DOCKER_INFO_ARGV, mutating: false, allowFailure: true, timeoutMs: 60_000 });
  } catch (error) {
    if (error instanceof ExternalError && error.notFound) return { status: 'missing' };
    if (error instanceof ExternalError) {
      return { status: 'unreachable', problem: 'other', message: ctx.redactor.redact(error.message), clientVersion: '' };
    }
    throw error;
  }
  let info: DockerInfo | undefined;
  try {
    info = result.stdout.trim() === '' ? undefined : parseDockerInfo(result.stdout);
  } catch {
    info = undefined;
  }
  const errors = [...(info?.serverErrors ?? []), ...result.stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '')];
  if (result.exitCode === 0 && info && info.serverVersion !== '' && (info.serverErrors.length === 0)) {
    return { status: 'ok', info };
  }
  const message = errors.find((e) => classifyDaemonError(e) !== 'other') ?? errors[0] ?? `docker info exited with ${result.exitCode}`;
  let clientVersion = info?.clientVersion ?? '';
  if (clientVersion === '') {
    const v = await ctx.runner.run({ argv: DOCKER_CLIENT_VERSION_ARGV, mutating: false, allowFailure: true, timeoutMs: 60_000 });
    clientVersion = v.stdout.trim().split('\n')[0] ?? '';
  }
  return { status: 'unreachable', problem: classifyDaemonError(message), message: ctx.redactor.redact(message), clientVersion };
}
