/**
 * The helm calls kindling makes, and parsers for their JSON output (helm v3 and v4 print the same
 * shapes: `repo list -o json` → [{name,url}], `list -o json` → [{name,namespace,revision,updated,
 * status,chart,app_version}], `get values -o json` → the user-supplied values or null).
 */
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';
import { helmTargetArgs, type AddonTarget } from './target.js';

export interface HelmRepo {
  name: string;
  url: string;
}

export interface HelmRelease {
  name: string;
  namespace: string;
  revision: string;
  status: string;
  chart: string;
  app_version?: string;
  updated?: string;
}

const HELM_FIX = 'kindling host setup   # installs helm (pinned)';

export async function helmRepos(ctx: Context): Promise<HelmRepo[]> {
  const r = await ctx.runner.run({ argv: ['helm', 'repo', 'list', '-o', 'json'], mutating: false, allowFailure: true, fix: HELM_FIX });
  // helm 3 before 3.9 says "no repositories to show" (exit 1) even with -o json.
  if (r.exitCode !== 0) {
    if (/no repositories/i.test(r.stderr + r.stdout)) return [];
    throw new UserError(`helm repo list failed: ${r.stderr.trim()}`, { fix: HELM_FIX, exitCode: 1 });
  }
  return parseJsonArray<HelmRepo>(r.stdout, 'helm repo list');
}

export function normalizeUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The release, or undefined when helm does not know it. */
export async function helmRelease(ctx: Context, target: AddonTarget, name: string, namespace: string): Promise<HelmRelease | undefined> {
  const r = await ctx.runner.run({
    // `--all` is gone in helm v4; these three state flags exist in v3 and v4 and cover every live state.
    argv: ['helm', 'list', '--namespace', namespace, '--filter', `^${name}$`, '--deployed', '--failed', '--pending', '-o', 'json', ...helmTargetArgs(target)],
    mutating: false,
    fix: HELM_FIX,
  });
  return parseJsonArray<HelmRelease>(r.stdout, 'helm list').find((x) => x.name === name);
}

/** User-supplied values of a release (null/{} when none). */
export async function helmValues(ctx: Context, target: AddonTarget, name: string, namespace: string): Promise<Record<string, unknown>> {
  const r = await ctx.runner.run({
    argv: ['helm', 'get', 'values', name, '--namespace', namespace, '-o', 'json', ...helmTargetArgs(target)],
    mutating: false,
  });
  const text = r.stdout.trim();
  if (text === '' || text === 'null') return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function parseJsonArray<T>(text: string, what: string): T[] {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'null') return [];
  try {
    const v = JSON.parse(trimmed) as unknown;
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    throw new UserError(`Could not read the output of ${what} as JSON.`, { details: [trimmed.slice(0, 300)], exitCode: 1 });
  }
}

/** Deep equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ka = Object.keys(a as object).sort();
  const kb = Object.keys(b as object).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
