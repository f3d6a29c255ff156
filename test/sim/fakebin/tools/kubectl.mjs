// Fake `kubectl` — so far only `kubectl version --client -o json` (host setup and doctor read it; the
// JSON shape of kubectl 1.36). The version is state.tools.kubectl. Extend as needed.
export async function handle(call, sim) {
  const a = call.args.join(' ');
  if (call.args.includes('port-forward')) return (await import('./_port-forward.mjs')).portForward(call, sim);
  if (a.startsWith('version') && a.includes('--client')) {
    const v = sim.state.tools.kubectl;
    const [, major, minor] = /^v(\d+)\.(\d+)/.exec(v) ?? [];
    const info = {
      clientVersion: { major, minor, gitVersion: v, gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean', buildDate: '2026-05-15T00:00:00Z', goVersion: 'go1.26.2', compiler: 'gc', platform: `linux/${sim.state.os.arch === 'aarch64' ? 'arm64' : 'amd64'}` },
      kustomizeVersion: 'v5.7.1',
    };
    return { stdout: a.includes('-o json') || a.includes('--output=json') ? `${JSON.stringify(info, null, 2)}\n` : `Client Version: ${v}\nKustomize Version: v5.7.1\n` };
  }
  return { stderr: `sim: kubectl ${a} is not simulated yet\n`, exitCode: 1 };
}
