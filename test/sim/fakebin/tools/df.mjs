// Fake `df`: free space of the simulated filesystems. `df -B1 --output=avail PATH` answers
// state.disk.availBytes (default 500 GiB); other forms print a one-line table.
export async function handle(call, sim) {
  const avail = sim.state.disk?.availBytes ?? 500 * 1024 ** 3;
  const size = sim.state.disk?.sizeBytes ?? 2 * 1024 ** 4;
  if (call.args.includes('--output=avail')) return { stdout: `      Avail\n${avail}\n` };
  const path = call.args.filter((a) => !a.startsWith('-')).pop() ?? '/';
  return { stdout: `Filesystem     1B-blocks          Used        Available Use% Mounted on\n/dev/nvme0n1p2 ${size} ${size - avail} ${avail}  ${Math.round(((size - avail) / size) * 100)}% ${path.startsWith(sim.root) ? path.slice(sim.root.length) || '/' : path}\n` };
}
