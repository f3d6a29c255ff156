// Fake `kind` — so far only `kind version` (host setup and doctor read it; real output shape:
// "kind v0.32.0 go1.24.3 linux/amd64"). The version is state.tools.kind. Extend with cluster verbs as needed.
export async function handle(call, sim) {
  if (call.args[0] === 'version' || call.args[0] === '--version') {
    const arch = sim.state.os.arch === 'aarch64' ? 'arm64' : 'amd64';
    return { stdout: `kind ${sim.state.tools.kind} go1.24.3 linux/${arch}\n` };
  }
  return { stderr: `sim: kind ${call.args.join(' ')} is not simulated yet\n`, exitCode: 1 };
}
