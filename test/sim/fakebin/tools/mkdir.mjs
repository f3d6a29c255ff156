// Fake `mkdir [-p] [-m MODE] DIR…` in the simulated root.
import { exists, mkdir } from './_hostfs.mjs';

export async function handle(call, sim) {
  let parents = false;
  let mode;
  const dirs = [];
  for (let i = 0; i < call.args.length; i++) {
    const a = call.args[i];
    if (a === '-p') parents = true;
    else if (a === '-m') mode = Number.parseInt(call.args[++i], 8);
    else dirs.push(a);
  }
  for (const d of dirs) {
    if (exists(sim, d) && !parents) return { stderr: `mkdir: cannot create directory '${d}': File exists\n`, exitCode: 1, mutating: true };
    mkdir(sim, d, true, mode);
  }
  return { mutating: true };
}
