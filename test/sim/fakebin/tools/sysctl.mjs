// Fake `sysctl -w KEY=VALUE…` / `sysctl -n KEY`: inotify limits live in /proc/sys/fs/inotify/* of the
// simulated root (and state.inotify).
import { exists, read, write } from './_hostfs.mjs';

const path = (key) => `/proc/sys/${key.replace(/\./g, '/')}`;

export async function handle(call, sim) {
  const args = call.args;
  if (args[0] === '-w') {
    let stdout = '';
    for (const kv of args.slice(1)) {
      const [key, value] = kv.split('=');
      if (!key || value === undefined) return { stderr: `sysctl: "${kv}" must be of the form name=value\n`, exitCode: 1, mutating: true };
      write(sim, path(key), `${value}\n`);
      if (key === 'fs.inotify.max_user_watches') sim.state.inotify.maxUserWatches = Number(value);
      if (key === 'fs.inotify.max_user_instances') sim.state.inotify.maxUserInstances = Number(value);
      stdout += `${key} = ${value}\n`;
    }
    return { stdout, mutating: true };
  }
  const key = args.filter((a) => !a.startsWith('-')).at(-1);
  if (!key || !exists(sim, path(key))) return { stderr: `sysctl: cannot stat ${path(key ?? '')}: No such file or directory\n`, exitCode: 255 };
  const v = read(sim, path(key)).trim();
  return { stdout: args.includes('-n') ? `${v}\n` : `${key} = ${v}\n` };
}
