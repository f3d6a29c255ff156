// Fake `rm [-f] [-r] PATH…` in the simulated root.
import { exists, remove } from './_hostfs.mjs';

export async function handle(call, sim) {
  const flags = call.args.filter((a) => a.startsWith('-')).join('');
  const paths = call.args.filter((a) => !a.startsWith('-'));
  for (const p of paths) {
    if (!exists(sim, p) && !flags.includes('f')) return { stderr: `rm: cannot remove '${p}': No such file or directory\n`, exitCode: 1, mutating: true };
    remove(sim, p, flags.includes('r') || flags.includes('R'));
  }
  return { mutating: true };
}
