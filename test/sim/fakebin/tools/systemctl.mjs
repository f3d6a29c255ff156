// Fake `systemctl is-enabled|is-active|enable|start|restart|stop docker` of the simulated Docker
// (state.docker.installed/enabled/running). Starting or restarting Docker loads /etc/docker/daemon.json
// into the daemon model (docker.mjs applyDaemonJson), so `docker info` shows what a real restart shows.
import { applyDaemonJson } from './docker.mjs';

const NO_UNIT = (u) => `Failed to get unit file state for ${u}.service: No such file or directory\n`;

export async function handle(call, sim) {
  const [verb, unitArg] = call.args.filter((a) => !a.startsWith('-'));
  const unit = (unitArg ?? '').replace(/\.service$/, '');
  const d = sim.state.docker;
  if (unit !== 'docker' && unit !== 'containerd') return { stderr: NO_UNIT(unit), exitCode: verb === 'is-active' ? 3 : 1 };
  const enabled = d.enabled ?? d.installed;
  switch (verb) {
    case 'is-enabled':
      if (!d.installed) return { stderr: NO_UNIT(unit), exitCode: 1 };
      return { stdout: enabled ? 'enabled\n' : 'disabled\n', exitCode: enabled ? 0 : 1 };
    case 'is-active':
      return { stdout: d.installed && d.running ? 'active\n' : 'inactive\n', exitCode: d.installed && d.running ? 0 : 3 };
    case 'enable':
      if (!d.installed) return { stderr: `Failed to enable unit: Unit file ${unit}.service does not exist.\n`, exitCode: 1, mutating: true };
      d.enabled = true;
      return { stderr: `Synchronizing state of ${unit}.service with SysV service script with /usr/lib/systemd/systemd-sysv-install.\nExecuting: /usr/lib/systemd/systemd-sysv-install enable ${unit}\n`, mutating: true };
    case 'start':
    case 'restart': {
      if (!d.installed) return { stderr: `Failed to ${verb} ${unit}.service: Unit ${unit}.service not found.\n`, exitCode: 5, mutating: true };
      const r = applyDaemonJson(sim);
      if (!r.ok) {
        d.running = false;
        return { stderr: `Job for ${unit}.service failed because the control process exited with error code.\nSee "systemctl status ${unit}.service" and "journalctl -xeu ${unit}.service" for details.\n`, exitCode: 1, mutating: true };
      }
      d.running = true;
      return { mutating: true };
    }
    case 'stop':
      d.running = false;
      return { mutating: true };
    default:
      return { stderr: `systemctl: unsupported in the simulator: ${call.args.join(' ')}\n`, exitCode: 1 };
  }
}
