// Fake `tee [-a] PATH`: writes stdin to the file in the simulated root and echoes it.
import { exists, read, write } from './_hostfs.mjs';

export async function handle(call, sim) {
  const append = call.args.includes('-a');
  const paths = call.args.filter((a) => !a.startsWith('-'));
  for (const p of paths) write(sim, p, (append && exists(sim, p) ? read(sim, p) : '') + call.stdin);
  return { stdout: call.stdin, mutating: true };
}
