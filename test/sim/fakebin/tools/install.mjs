// Fake `install -m MODE SRC DEST`: copies in the simulated root; a kind/kubectl/helm put into
// /usr/local/bin becomes an installed tool (state.tools, a shim on PATH) with the version its download names.
import { basename, dirname } from 'node:path';
import { copy, exists, read, HOST_BINARIES, versionIn } from './_hostfs.mjs';

export async function handle(call, sim) {
  const args = [...call.args];
  let mode = 0o755;
  const paths = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-m') mode = Number.parseInt(args[++i], 8);
    else if (args[i] === '-o' || args[i] === '-g') i++;
    else paths.push(args[i]);
  }
  const [src, dest] = paths;
  if (!src || !dest) return { stderr: 'install: missing file operand\n', exitCode: 1 };
  if (!exists(sim, src)) return { stderr: `install: cannot stat '${src}': No such file or directory\n`, exitCode: 1, mutating: true };
  copy(sim, src, dest, mode);
  const name = basename(dest);
  if (dirname(dest) === '/usr/local/bin' && HOST_BINARIES.includes(name)) {
    sim.state.tools[name] = versionIn(read(sim, dest)) || 'unknown';
    sim.install(name);
  }
  return { mutating: true };
}
