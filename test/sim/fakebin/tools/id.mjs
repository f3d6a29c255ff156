// Fake `id`: the simulated user (state.user: uid, name, groups).
export async function handle(call, sim) {
  const u = sim.state.user;
  const gid = (g, i) => (g === 'root' ? 0 : g === 'sudo' ? 27 : g === 'docker' ? 999 : g === u.name ? u.uid : 1000 + i);
  const a = call.args.join(' ');
  const groups = u.groups.length > 0 ? u.groups : [u.name];
  if (a === '-u') return { stdout: `${u.uid}\n` };
  if (a === '-un' || a === '-nu' || a === '-u -n' || a === '-n -u') return { stdout: `${u.name}\n` };
  if (a === '-g') return { stdout: `${gid(groups[0], 0)}\n` };
  if (a === '-gn' || a === '-ng') return { stdout: `${groups[0]}\n` };
  if (a === '-G') return { stdout: groups.map(gid).join(' ') + '\n' };
  if (a === '-Gn' || a === '-nG') return { stdout: groups.join(' ') + '\n' };
  if (a === '') {
    return { stdout: `uid=${u.uid}(${u.name}) gid=${gid(groups[0], 0)}(${groups[0]}) groups=${groups.map((g, i) => `${gid(g, i)}(${g})`).join(',')}\n` };
  }
  return { stderr: `id: unsupported in the simulator: ${a}\n`, exitCode: 1 };
}
