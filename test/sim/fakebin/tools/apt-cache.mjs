// Fake `apt-cache show [--no-all-versions] PKG` / `apt-cache policy PKG`: Ubuntu has nvidia-driver-<major>[-server]
// packages (scenario.options.aptCache can list others, name → version); Debian has none of them.
export async function handle(call, sim) {
  const verb = call.args.find((a) => !a.startsWith('-'));
  const name = call.args.filter((a) => !a.startsWith('-')).at(-1);
  const extra = sim.scenario.options?.aptCache ?? {};
  let version = extra[name];
  if (!version && sim.state.os.id === 'ubuntu' && /^nvidia-driver-(535|550|570|575|580)(-server)?$/.test(name)) {
    const major = /^nvidia-driver-(\d+)/.exec(name)[1];
    version = `${major}.95.05-0ubuntu0.${sim.state.os.versionId}.2`;
  }
  if (verb === 'show') {
    if (!version) return { stderr: `N: Unable to locate package ${name}\nE: No packages found\n`, exitCode: 100 };
    return { stdout: `Package: ${name}\nArchitecture: amd64\nVersion: ${version}\nPriority: optional\nSection: restricted/misc\nSource: nvidia-graphics-drivers-${name.replace(/^nvidia-driver-/, '')}\n\n` };
  }
  if (verb === 'policy') {
    if (!version) return { stdout: '' };
    const installed = sim.state.packages[name] ?? '(none)';
    return { stdout: `${name}:\n  Installed: ${installed}\n  Candidate: ${version}\n` };
  }
  return { stderr: `E: unsupported in the simulator: apt-cache ${call.args.join(' ')}\n`, exitCode: 100 };
}
