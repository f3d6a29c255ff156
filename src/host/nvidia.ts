/**
 * NVIDIA driver and GPU discovery: `nvidia-smi --query-gpu=… --format=csv` (with `nvidia-smi -L` as a
 * fallback for drivers that lack a queried field), parsed into GpuInfo. Parsers are pure and tested on
 * the real H100 captures in test/fixtures/gpu/.
 */
import type { Context } from '../core/context.js';
import { ExternalError, UserError } from '../core/errors.js';

export interface GpuInfo {
  /** nvidia-smi's index (the number used in /dev/nvidia<index> and NVIDIA_VISIBLE_DEVICES). */
  index: number;
  uuid: string;
  name: string;
  /** Total memory in MiB; 0 when unknown (the `nvidia-smi -L` fallback). */
  memoryMiB: number;
  /** '' when unknown. */
  driverVersion: string;
  /** e.g. '9.0'; '' when unknown. */
  computeCap: string;
  /** 'Disabled' | 'Enabled' | '[N/A]' (GPUs without MIG); '' when unknown. */
  migMode: string;
  /** PCI bus id, e.g. '00000000:00:06.0'; '' when unknown. */
  busId: string;
}

/** The fields kindling queries; the same query as the captured fixture (test/fixtures/gpu/h100-x1/query-gpu.csv). */
export const QUERY_GPU_FIELDS = [
  'index',
  'uuid',
  'name',
  'memory.total',
  'memory.used',
  'memory.free',
  'driver_version',
  'compute_cap',
  'mig.mode.current',
  'pci.bus_id',
  'power.limit',
] as const;

export const QUERY_GPU_ARGV = ['nvidia-smi', `--query-gpu=${QUERY_GPU_FIELDS.join(',')}`, '--format=csv'] as const;
export const LIST_GPUS_ARGV = ['nvidia-smi', '-L'] as const;

/** How to install a driver when none is found (host setup installs one only when asked). */
export const DRIVER_FIX = 'kindling host setup --driver <VERSION>   (e.g. --driver 580.159.04; or your distribution\'s package: sudo ubuntu-drivers install)';

/**
 * Parses `nvidia-smi --query-gpu=… --format=csv` output. Columns are found by their header name
 * (units such as " [MiB]" stripped), so the parser also reads `--format=csv,nounits` and any field order.
 * Without a header (`noheader`), QUERY_GPU_FIELDS order is assumed.
 */
export function parseQueryGpuCsv(text: string): GpuInfo[] {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length === 0) return [];
  const split = (line: string) => line.split(',').map((c) => c.trim());
  let header: string[];
  let rows: string[];
  const first = lines[0] ?? '';
  if (/^index\b|\buuid\b/.test(first) && !/^\d/.test(first)) {
    header = split(first).map((h) => h.replace(/\s*\[[^\]]*\]$/, ''));
    rows = lines.slice(1);
  } else {
    header = [...QUERY_GPU_FIELDS];
    rows = lines;
  }
  const col = (name: string) => header.indexOf(name);
  const gpus: GpuInfo[] = [];
  for (const row of rows) {
    const cells = split(row);
    // A GPU name never contains a comma in practice; if one did, the extra cells belong to `name`.
    if (cells.length > header.length && col('name') >= 0) {
      const extra = cells.length - header.length;
      cells.splice(col('name'), extra + 1, cells.slice(col('name'), col('name') + extra + 1).join(', '));
    }
    const get = (name: string) => {
      const i = col(name);
      const v = i >= 0 ? (cells[i] ?? '') : '';
      return isNotAvailable(v) ? '' : v;
    };
    const index = Number.parseInt(get('index'), 10);
    if (!Number.isFinite(index)) continue;
    const mig = col('mig.mode.current') >= 0 ? (cells[col('mig.mode.current')] ?? '') : '';
    gpus.push({
      index,
      uuid: get('uuid'),
      name: get('name'),
      memoryMiB: parseMiB(get('memory.total')),
      driverVersion: get('driver_version'),
      computeCap: get('compute_cap'),
      migMode: mig,
      busId: get('pci.bus_id'),
    });
  }
  return gpus.sort((a, b) => a.index - b.index);
}

/** Parses `nvidia-smi -L`: "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-…)". MIG device lines are skipped. */
export function parseNvidiaSmiL(text: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^GPU (\d+): (.+?) \(UUID: ([^)]+)\)\s*$/.exec(line.trim());
    if (!m) continue;
    gpus.push({
      index: Number(m[1]),
      name: m[2] ?? '',
      uuid: m[3] ?? '',
      memoryMiB: 0,
      driverVersion: '',
      computeCap: '',
      migMode: '',
      busId: '',
    });
  }
  return gpus;
}

/** The driver version from /proc/driver/nvidia/version ("NVRM version: … Kernel Module for x86_64  580.159.04  Release Build …"). */
export function parseProcDriverVersion(text: string): string | undefined {
  const m = /NVRM version:.*?\s(\d+\.\d+(?:\.\d+)?)\s/.exec(text);
  return m?.[1];
}

function isNotAvailable(v: string): boolean {
  return v === '' || /^\[?(N\/A|Not Supported|Unknown Error|Insufficient Permissions|Requested functionality has been deprecated)\]?$/i.test(v);
}

function parseMiB(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(MiB|GiB)?$/i.exec(v);
  if (!m) return 0;
  const n = Number(m[1]);
  return Math.round(m[2]?.toLowerCase() === 'gib' ? n * 1024 : n);
}

export type GpuProbe =
  | { status: 'ok'; gpus: GpuInfo[]; driverVersion: string; source: 'query-gpu' | 'list' }
  /** nvidia-smi is not on PATH. */
  | { status: 'missing' }
  /** nvidia-smi ran but failed (driver not loaded, version mismatch …). */
  | { status: 'failed'; message: string };

/** Runs nvidia-smi (read-only) and never throws for a missing or broken driver. */
export async function probeGpus(ctx: Context): Promise<GpuProbe> {
  let query;
  try {
    query = await ctx.runner.run({ argv: QUERY_GPU_ARGV, mutating: false, allowFailure: true, timeoutMs: 120_000 });
  } catch (error) {
    if (error instanceof ExternalError && error.notFound) return { status: 'missing' };
    if (error instanceof ExternalError) return { status: 'failed', message: ctx.redactor.redact(error.message) };
    throw error;
  }
  const noDevices = /No devices were found/i.test(query.stdout + query.stderr);
  if (query.exitCode === 0 || noDevices) {
    const gpus = noDevices ? [] : parseQueryGpuCsv(query.stdout);
    if (gpus.length > 0 || noDevices) {
      return { status: 'ok', gpus, driverVersion: gpus[0]?.driverVersion ?? (await driverFromProc(ctx)) ?? '', source: 'query-gpu' };
    }
  }
  // Older drivers reject a field ("Field "compute_cap" is not a valid field to query."): fall back to -L.
  let list;
  try {
    list = await ctx.runner.run({ argv: LIST_GPUS_ARGV, mutating: false, allowFailure: true, timeoutMs: 120_000 });
  } catch (error) {
    if (error instanceof ExternalError) return { status: 'failed', message: ctx.redactor.redact(error.message) };
    throw error;
  }
  if (list.exitCode === 0) {
    const gpus = parseNvidiaSmiL(list.stdout);
    const driverVersion = (await driverFromProc(ctx)) ?? '';
    return { status: 'ok', gpus: gpus.map((g) => ({ ...g, driverVersion })), driverVersion, source: 'list' };
  }
  const message = firstLine(query.stdout + '\n' + query.stderr) || firstLine(list.stdout + '\n' + list.stderr) || `nvidia-smi exited with ${query.exitCode}`;
  return { status: 'failed', message: ctx.redactor.redact(message) };
}

async function driverFromProc(ctx: Context): Promise<string | undefined> {
  const text = await ctx.files.read('/proc/driver/nvidia/version');
  return text === undefined ? undefined : parseProcDriverVersion(text);
}

function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
}

/**
 * The host's GPUs, for cluster layouts. Throws UserError (exit 2) when the NVIDIA driver is missing or
 * nvidia-smi fails; returns [] when nvidia-smi reports no devices.
 */
export async function discoverGpus(ctx: Context): Promise<GpuInfo[]> {
  const probe = await probeGpus(ctx);
  if (probe.status === 'missing') {
    throw new UserError('No NVIDIA driver found: nvidia-smi is not on PATH.', { fix: DRIVER_FIX });
  }
  if (probe.status === 'failed') {
    throw new UserError(`nvidia-smi failed: ${probe.message}`, {
      fix: ['sudo modprobe nvidia   (or reboot after a driver install)', 'kindling doctor'],
    });
  }
  return probe.gpus;
}
