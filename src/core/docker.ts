/**
 * Small helpers over the docker CLI that several modules share (through the process runner).
 */
import type { ProcessRunner } from './runner.js';

/**
 * Lists containers (running or not) matching `filters` (`docker ps --filter`), one record per
 * container with the asked Go-template `fields` (e.g. `{ name: '{{.Names}}' }`). A Docker that
 * cannot answer lists nothing: callers treat that as "none exist yet".
 */
export async function listContainers<K extends string>(
  runner: ProcessRunner,
  filters: string[],
  fields: Record<K, string>,
): Promise<Record<K, string>[]> {
  const keys = Object.keys(fields) as K[];
  const r = await runner.run({
    argv: ['docker', 'ps', '--all', ...filters.flatMap((f) => ['--filter', f]), '--format', keys.map((k) => fields[k]).join('\t')],
    mutating: false,
    allowFailure: true,
  });
  if (r.exitCode !== 0) return [];
  return r.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const values = line.split('\t');
      return Object.fromEntries(keys.map((k, i) => [k, (values[i] ?? '').trim()])) as Record<K, string>;
    });
}
