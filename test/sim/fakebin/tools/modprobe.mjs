// Fake `modprobe nvidia`: loads when a driver is installed.
export async function handle(call, sim) {
  const mod = call.args.filter((a) => !a.startsWith('-')).at(-1);
  if (mod?.startsWith('nvidia') && !sim.state.driver.installed) {
    return { stderr: `modprobe: FATAL: Module ${mod} not found in directory /lib/modules/${sim.state.os.kernel}\n`, exitCode: 1, mutating: true };
  }
  return { mutating: true };
}
