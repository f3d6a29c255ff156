// Fake `chmod MODE PATH…` in the simulated root.
import { chmodSync } from 'node:fs';
import { exists, real } from './_hostfs.mjs';

export async function handle(call, sim) {
  const [mode, ...paths] = call.args.filter((a) => a !== '-R');
  for (const p of paths) {
    if (!exists(sim, p)) return { stderr: `chmod: cannot access '${p}': No such file or directory\n`, exitCode: 1, mutating: true };
    chmodSync(real(sim, p), Number.parseInt(mode, 8));
  }
  return { mutating: true };
}
