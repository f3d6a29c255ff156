// Fake `sudo`: `--version` only. In the simulator kindling itself runs as the test's user (root in CI),
// so its runner never prefixes sudo; whether the simulated user may use sudo is state.user.sudo (the
// shim is on PATH only then), which is what kindling checks.
export async function handle(call) {
  if (call.args[0] === '--version' || call.args[0] === '-V') return { stdout: 'Sudo version 1.9.15p5\n' };
  return { stderr: `sudo: not supported in the simulator: ${call.args.join(' ')}\n`, exitCode: 1 };
}
