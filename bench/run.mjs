// `npm run bench`: runs every known bench module that exists and prints one line per figure.
// Each module exports one async function returning { line } or { lines } (or an array of them).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BENCHES = [
  ['startup.mjs', 'runStartupBench'],
  ['client-overhead.mjs', 'runClientOverheadBench'],
  ['node-setup.mjs', 'runNodeSetupBench'],
  ['noop-up.mjs', 'runNoopUpBench'],
];

let failed = false;
for (const [file, fn] of BENCHES) {
  const path = fileURLToPath(new URL(file, import.meta.url));
  if (!existsSync(path)) {
    console.log(`# ${file}: not present, skipped`);
    continue;
  }
  try {
    const mod = await import(new URL(file, import.meta.url).href);
    if (typeof mod[fn] !== 'function') {
      console.log(`# ${file}: does not export ${fn}, skipped`);
      continue;
    }
    const result = await mod[fn]();
    for (const r of [result].flat()) {
      if (r === undefined || r === null) continue;
      if (typeof r === 'string') console.log(r);
      else for (const line of [r.lines ?? r.line].flat()) if (line) console.log(line);
    }
  } catch (error) {
    failed = true;
    console.log(`# ${file}: failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
process.exitCode = failed ? 1 : 0;
