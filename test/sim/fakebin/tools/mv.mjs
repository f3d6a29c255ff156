// Fake `mv SRC DEST` in the simulated root.
import { exists, move } from './_hostfs.mjs';

export async function handle(call, sim) {
  const paths = call.args.filter((a) => !a.startsWith('-'));
  const [src, dest] = paths;
  if (!src || !dest) return { stderr: 'mv: missing file operand\n', exitCode: 1 };
  if (!exists(sim, src)) return { stderr: `mv: cannot stat '${src}': No such file or directory\n`, exitCode: 1 };
  move(sim, src, dest);
  return { mutating: true };
}
