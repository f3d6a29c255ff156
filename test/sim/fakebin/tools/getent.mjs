// Fake `getent group NAME`: the docker group exists once Docker is installed (or state.groups has it).
export async function handle(call, sim) {
  const [db, name] = call.args;
  if (db !== 'group') return { exitCode: 2 };
  const s = sim.state;
  const groups = s.groups ?? {};
  if (name === 'docker' && !(name in groups) && !s.docker.installed) return { exitCode: 2 };
  const members = groups[name] ?? (s.user.groups.includes(name) && s.user.uid !== 0 ? [s.user.name] : []);
  return { stdout: `${name}:x:${name === 'docker' ? 988 : 1001}:${members.join(',')}\n` };
}
