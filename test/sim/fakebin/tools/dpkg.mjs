// Fake `dpkg --print-architecture`.
export async function handle(call, sim) {
  if (call.args[0] === '--print-architecture') return { stdout: sim.state.os.arch === 'aarch64' ? 'arm64\n' : 'amd64\n' };
  return { stderr: `dpkg: unsupported in the simulator: ${call.args.join(' ')}\n`, exitCode: 2 };
}
