// `npm run bench` figure: a no-op `kindling up` on the simulated 4-GPU host (everything already in
// place): its wall time (median of 3 runs of the built CLI; target <= 1.5 s) and the number of
// mutating commands it ran (fake-tool journal) plus mutating Kubernetes API requests (target 0).
// The simulated host (test/sim, TypeScript) is bundled with esbuild on the fly, as scripts/gen-schema.mjs does.
import { build } from 'esbuild';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

async function loadScenarios() {
  // Next to the harness: it finds its fake tools relative to its own location.
  const dir = join(root, 'test', 'sim');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `.bench-noop-up-${process.pid}.mjs`);
  await build({
    entryPoints: [join(root, 'test/sim/scenarios-up.ts')],
    outfile: out,
    bundle: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    logLevel: 'warning',
  });
  try {
    return await import(pathToFileURL(out).href);
  } finally {
    rmSync(out, { force: true });
  }
}

export async function runNoopUpBench({ runs = 3 } = {}) {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: npm run build first');
  const { createUpSim, upScenario } = await loadScenarios();
  const u = await createUpSim(upScenario(4));
  try {
    const first = await u.up();
    if (first.exitCode !== 0) throw new Error(`the first up failed (exit ${first.exitCode}):\n${first.stderr.split('\n').slice(-15).join('\n')}`);
    const walls = [];
    let mutating = 0;
    for (let i = 0; i < runs; i++) {
      u.sim.clearJournal();
      u.kube.clearRequests();
      const r = await u.up();
      if (r.exitCode !== 0) throw new Error(`the no-op up failed (exit ${r.exitCode}):\n${r.stderr.split('\n').slice(-15).join('\n')}`);
      walls.push(r.durationMs / 1000);
      if (process.env.BENCH_VERBOSE) console.error(r.stdout.split('\n').filter((l) => /^(PHASE|Preflight|Cluster|Image|NVIDIA|Load|Model|Smoke|total)/.test(l)).join('\n'));
      mutating = Math.max(mutating, u.sim.mutatingCalls().length + u.kube.mutatingCount());
    }
    walls.sort((a, b) => a - b);
    const median = walls[Math.floor(walls.length / 2)];
    return {
      lines: [`up.noop_wall_s = ${median.toFixed(2)} (target <= 1.5)`, `up.noop_mutating_commands = ${mutating} (target 0)`],
      wallS: median,
      mutating,
    };
  } finally {
    await u.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await runNoopUpBench();
  for (const l of r.lines) console.log(l);
}
