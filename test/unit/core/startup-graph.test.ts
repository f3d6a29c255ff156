/**
 * Start-up budget (`kindling --help` ≤ 1.35× `node -e 0`, see bench/startup.mjs): the modules that the
 * CLI entry loads statically may only be commander, the program, the command registrations and the
 * few core modules the entry needs. Everything else (Kubernetes client, zod, yaml, services …) must be
 * behind a dynamic import() inside an action. This bundles src/cli/main.ts with scripts/build.mjs's own
 * options (in memory) and walks the static import graph of the entry chunk.
 */
import { build, type BuildOptions, type Metafile } from 'esbuild';
// @ts-expect-error plain ESM build script without types
import { cliBuildOptions } from '../../../scripts/build-options.mjs';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../sim/harness.js';

/** Source modules allowed in the static graph of the entry (besides commander). */
const ALLOWED_SRC = [/^src\/cli\/main\.ts$/, /^src\/cli\/program\.ts$/, /^src\/cli\/commands\/[^/]+\.ts$/, /^src\/core\/secrets\.ts$/];
const ALLOWED_PACKAGES = ['commander', '@commander-js/extra-typings'];

function staticClosure(meta: Metafile, entry: string): { inputs: string[]; chunks: string[] } {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const out = queue.shift()!;
    if (seen.has(out)) continue;
    seen.add(out);
    for (const imp of meta.outputs[out]?.imports ?? []) {
      if (imp.kind === 'import-statement' && !imp.external) queue.push(imp.path);
    }
  }
  const inputs = [...seen].flatMap((o) => Object.keys(meta.outputs[o]?.inputs ?? {}));
  return { inputs, chunks: [...seen] };
}

describe('start-up import graph', () => {
  it('kindling --help statically loads only commander, the program and its registrations', async () => {
    const result = await build({
      ...(cliBuildOptions({ outdir: 'dist-graph-test', version: '0.0.0-test', absWorkingDir: repoRoot }) as BuildOptions),
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const { inputs, chunks } = staticClosure(result.metafile, 'dist-graph-test/cli/main.js');
    const packages = new Set(
      inputs
        .filter((i) => i.includes('node_modules/'))
        .map((i) => {
          const rest = i.slice(i.lastIndexOf('node_modules/') + 'node_modules/'.length).split('/');
          return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
        }),
    );
    expect([...packages].sort()).toEqual(ALLOWED_PACKAGES.filter((p) => packages.has(p)).sort());
    expect(packages.has('commander')).toBe(true);
    const src = inputs.filter((i) => i.startsWith('src/'));
    const offenders = src.filter((i) => !ALLOWED_SRC.some((re) => re.test(i)));
    expect(offenders, `statically imported by the CLI entry (use a dynamic import() inside the action): ${offenders.join(', ')}`).toEqual([]);
    for (const heavy of ['@kubernetes/client-node', 'zod', 'yaml', 'execa', 'undici', 'openai']) expect(packages.has(heavy), heavy).toBe(false);
    // A handful of files at most: each one is a module load on every start.
    expect(chunks.length).toBeLessThanOrEqual(4);
  });
});
