// Fake `helm` — so far only `helm version [--short]` (host setup and doctor read it; real shapes:
// "v3.19.0+g3d8990f" and version.BuildInfo{…}). The version is state.tools.helm. Extend as needed.
export async function handle(call, sim) {
  if (call.args[0] === 'version') {
    const v = sim.state.tools.helm;
    if (call.args.includes('--short')) return { stdout: `${v}+g3d8990f\n` };
    return { stdout: `version.BuildInfo{Version:"${v}", GitCommit:"3d8990f0836691f0229297773f3524598f46bda6", GitTreeState:"clean", GoVersion:"go1.24.7"}\n` };
  }
  return { stderr: `sim: helm ${call.args.join(' ')} is not simulated yet\n`, exitCode: 1 };
}
