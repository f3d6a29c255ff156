// `npm run bench` figure: nvkind-style GPU node setup of 8 workers against 1 worker on the simulated
// host, with a fixed delay on every command run inside a node (docker exec …). kindling sets nodes up
// in parallel, so the 8-worker setup should take about as long as the 1-worker one (target <= 1.5).
// Both runs are on the same 8-GPU host, so each node does the same work (one probe exec, then toolkit,
// runtime, restart, params, and removing the other 7 GPUs' device nodes): the 1-worker cluster is
// `--gpus 0`. The phase is timed from the fake-tool journal: first `docker exec` start → last
// `docker exec` end.
// The simulated host (test/sim, TypeScript) is bundled with esbuild on the fly, as noop-up.mjs does.
import { build } from 'esbuild';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

async function loadSim() {
  const dir = join(root, 'node_modules', '.cache');
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, `kindling-bench-node-setup-entry-${process.pid}.ts`);
  // The harness finds fakebin/ next to itself: the bundle must live in test/sim/ (removed after import).
  const out = join(root, 'test', 'sim', `.bench-node-setup-${process.pid}.mjs`);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(
    entry,
    [
      `export { createSimHost } from ${JSON.stringify(join(root, 'test/sim/harness.ts'))};`,
      `export { attachFakeKube } from ${JSON.stringify(join(root, 'test/sim/fake-kube/index.ts'))};`,
      `export { clusterScenario, seedToolkitCache } from ${JSON.stringify(join(root, 'test/sim/scenarios-cluster.ts'))};`,
    ].join('\n'),
  );
  try {
    await build({ entryPoints: [entry], outfile: out, bundle: true, format: 'esm', platform: 'node', packages: 'external', logLevel: 'warning' });
    return await import(pathToFileURL(out).href);
  } finally {
    rmSync(entry, { force: true });
    rmSync(out, { force: true });
  }
}

async function setupSeconds(lib, workers, delayMs) {
  const hostGpus = 8;
  const scenario = lib.clusterScenario(hostGpus, `bench: ${workers} GPU workers on an ${hostGpus}-GPU host`);
  scenario.delays.push({ match: '^docker exec ', ms: delayMs });
  const sim = lib.createSimHost(scenario);
  const kube = await lib.attachFakeKube(sim);
  try {
    lib.seedToolkitCache(sim);
    const args = workers === hostGpus ? [] : ['--gpus', [...Array(workers).keys()].join(',')];
    const r = await sim.runCli(['cluster', 'create', ...args], { timeoutMs: 300_000 });
    if (r.exitCode !== 0) throw new Error(`cluster create with ${workers} GPU workers failed (exit ${r.exitCode}):\n${r.stderr.split('\n').slice(-12).join('\n')}`);
    const execs = sim.journal().filter((e) => e.tool === 'docker' && e.args[0] === 'exec' && !e.args.includes('--query-gpu=index,name,uuid'));
    const nodes = new Set(execs.map((e) => e.args[1])).size;
    if (nodes !== workers) throw new Error(`expected node commands on ${workers} workers, saw ${nodes}`);
    const mutating = execs.filter((e) => e.mutating).length;
    const start = Math.min(...execs.map((e) => e.start));
    const end = Math.max(...execs.map((e) => e.end));
    return { seconds: (end - start) / 1000, commands: execs.length, mutating };
  } finally {
    await kube.close();
    sim.dispose();
  }
}

export async function runNodeSetupBench({ delayMs = 1000 } = {}) {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: npm run build first');
  const lib = await loadSim();
  const one = await setupSeconds(lib, 1, delayMs);
  const eight = await setupSeconds(lib, 8, delayMs);
  const ratio = eight.seconds / one.seconds;
  return {
    lines: [
      `cluster.node_setup_8_vs_1 = ${ratio.toFixed(2)} (target <= 1.5)`,
      `# node setup on an 8-GPU host: 1 worker (--gpus 0) ${one.seconds.toFixed(1)} s (${one.commands} node commands), 8 workers ${eight.seconds.toFixed(1)} s (${eight.commands} node commands), ${delayMs} ms per node command`,
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runNodeSetupBench();
  for (const l of r.lines) console.log(l);
}
