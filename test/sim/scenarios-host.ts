/**
 * Simulated hosts for `kindling host setup` / `host restore` (issue 3). They start from
 * buildScenario (a healthy Ubuntu 24.04 GPU host) and take away what setup must add.
 */
import { buildScenario, type Scenario } from './scenario.js';

/** Ubuntu 24.04 with an H100 and a working driver, and nothing else: no Docker, toolkit, tools; low inotify limits. */
export function bareUbuntu(name = 'bare Ubuntu 24.04 with a GPU and driver'): Scenario {
  const s = buildScenario(name, 1);
  s.state.docker.installed = false;
  s.state.docker.running = false;
  s.state.docker.package = '';
  s.state.docker.runtimes = [];
  s.state.docker.defaultRuntime = '';
  s.state.toolkit = { installed: false, version: '' };
  s.state.tools = { kind: null, kubectl: null, helm: null };
  s.state.packages = { [`linux-headers-${s.state.os.kernel}`]: '6.8.0-85.85' };
  s.state.inotify = { maxUserWatches: 122_880, maxUserInstances: 128 };
  s.files = {};
  return s;
}

/** Everything host setup installs and configures is already there (the no-op rerun). */
export function hostComplete(): Scenario {
  return buildScenario('everything present', 1);
}

/** Not root, and no sudo on the host. */
export function notRootNoSudo(): Scenario {
  const s = bareUbuntu('not root, no sudo');
  s.state.user = { uid: 1000, name: 'dev', sudo: false, groups: ['dev'] };
  return s;
}

/** A distribution host setup does not support. */
export function unsupportedOs(id: 'fedora' | 'arch'): Scenario {
  const s = bareUbuntu(`unsupported OS: ${id}`);
  s.state.os = id === 'fedora'
    ? { ...s.state.os, id: 'fedora', versionId: '41', prettyName: 'Fedora Linux 41 (Server Edition)', kernel: '6.11.4-301.fc41.x86_64' }
    : { ...s.state.os, id: 'arch', versionId: '', prettyName: 'Arch Linux', kernel: '6.12.1-arch1-1' };
  return s;
}

export const hostPresets = { bareUbuntu, hostComplete, notRootNoSudo, unsupportedOs } as const;
