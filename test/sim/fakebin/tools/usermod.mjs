// Fake `usermod -aG GROUP USER`: adds USER to state.groups[GROUP] (what `getent group` shows). The
// current session's groups (state.user.groups, what `id -Gn` shows) change only after a new login.
export async function handle(call, sim) {
  const gi = call.args.findIndex((a) => a === '-aG' || a === '-G' || a === '-a');
  const group = call.args.includes('-aG') ? call.args[call.args.indexOf('-aG') + 1] : call.args[call.args.indexOf('-G') + 1];
  const user = call.args.at(-1);
  if (gi < 0 || !group || !user) return { stderr: 'Usage: usermod [options] LOGIN\n', exitCode: 2 };
  sim.state.groups ??= {};
  if (!(group in sim.state.groups) && !(group === 'docker' && sim.state.docker.installed)) {
    return { stderr: `usermod: group '${group}' does not exist\n`, exitCode: 6, mutating: true };
  }
  const members = (sim.state.groups[group] ??= []);
  if (!members.includes(user)) members.push(user);
  return { mutating: true };
}
