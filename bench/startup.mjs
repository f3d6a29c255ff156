// Start-up benchmark: `node bin/kindling.js --help` against `node -e 0`, medians of interleaved runs
// (the machines are noisy: both are measured in the same run, alternating). Target ratio <= 1.35.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const STARTUP_TARGET = 1.35;

function timeOnce(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return ms;
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Returns { name, value, line }; `runs` interleaved pairs after 2 warm-up pairs. */
export async function runStartupBench({ runs = 21 } = {}) {
  const help = [];
  const bare = [];
  for (let i = 0; i < runs + 2; i++) {
    const a = timeOnce(['-e', '0']);
    const b = timeOnce(['bin/kindling.js', '--help']);
    if (i >= 2) {
      bare.push(a);
      help.push(b);
    }
  }
  const mh = median(help);
  const mb = median(bare);
  const ratio = mh / mb;
  const line = `startup.help_vs_node = ${ratio.toFixed(2)} (target <= ${STARTUP_TARGET}; median ${Math.round(mh)} ms vs ${Math.round(mb)} ms, ${runs} interleaved runs)`;
  return { name: 'startup.help_vs_node', value: ratio, target: STARTUP_TARGET, line };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runStartupBench();
  console.log(r.line);
}
