// Fake `nvidia-smi`: answers from state.gpus / state.driver in the real output shapes captured on an
// H100 host (test/fixtures/gpu/h100-x1). state.driver.loaded === false simulates an installed but
// unloaded driver; an empty state.gpus prints "No devices were found" as the real tool does.
const FAILED = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n";

const UNITS = { 'memory.total': 'MiB', 'memory.used': 'MiB', 'memory.free': 'MiB', 'memory.reserved': 'MiB', 'power.limit': 'W', 'power.draw': 'W', 'temperature.gpu': '', 'utilization.gpu': '%' };

function fieldValue(gpu, driver, field, nounits) {
  const u = (v, unit) => (nounits || !unit ? String(v) : `${v} ${unit}`);
  switch (field) {
    case 'index': return String(gpu.index);
    case 'uuid': case 'gpu_uuid': return gpu.uuid;
    case 'name': case 'gpu_name': return gpu.name;
    case 'memory.total': return u(gpu.memoryMiB, 'MiB');
    case 'memory.used': return u(0, 'MiB');
    case 'memory.free': return u(gpu.memoryMiB - 480, 'MiB');
    case 'memory.reserved': return u(480, 'MiB');
    case 'driver_version': return driver.version;
    case 'compute_cap': return gpu.computeCap;
    case 'mig.mode.current': case 'mig.mode.pending': return gpu.migMode ?? 'Disabled';
    case 'pci.bus_id': case 'gpu_bus_id': return gpu.busId;
    case 'power.limit': return u('700.00', 'W');
    case 'power.draw': return u('72.51', 'W');
    case 'temperature.gpu': return '36';
    case 'utilization.gpu': return u(0, '%');
    case 'count': return 'COUNT';
    case 'persistence_mode': return 'Enabled';
    default: return undefined;
  }
}

function table(state) {
  const d = state.driver;
  const rows = state.gpus.map((g) => {
    const name = g.name.length > 28 ? g.name.slice(0, 25) + '...' : g.name;
    return [
      `| ${String(g.index).padStart(3)}  ${name.padEnd(28)}   On  |   ${g.busId} Off |                    0 |`,
      `| N/A   36C    P0             72W /  700W |       0MiB / ${String(g.memoryMiB).padStart(6)}MiB |      0%      Default |`,
      `|                                         |                        |             ${(g.migMode ?? 'Disabled').padStart(8)} |`,
      '+-----------------------------------------+------------------------+----------------------+',
    ].join('\n');
  });
  return [
    'Mon Nov 23 23:07:47 2026       ',
    '+-----------------------------------------------------------------------------------------+',
    `| NVIDIA-SMI ${d.version.padEnd(22)} Driver Version: ${d.version.padEnd(14)} CUDA Version: ${d.cudaVersion.padEnd(9)}|`,
    '+-----------------------------------------+------------------------+----------------------+',
    '| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |',
    '| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |',
    '|                                         |                        |               MIG M. |',
    '|=========================================+========================+======================|',
    ...rows,
    '',
    '+-----------------------------------------------------------------------------------------+',
    '| Processes:                                                                              |',
    '|  GPU   GI   CI              PID   Type   Process name                        GPU Memory |',
    '|        ID   ID                                                               Usage      |',
    '|=========================================================================================|',
    '|  No running processes found                                                             |',
    '+-----------------------------------------------------------------------------------------+',
    '',
  ].join('\n');
}

export async function handle(call, sim) {
  const state = sim.state;
  const args = call.args;
  if (!state.driver?.installed || state.driver.loaded === false) return { stdout: FAILED, exitCode: 9 };
  let gpus = state.gpus ?? [];
  const idArg = args.find((a) => a.startsWith('--id=')) ?? (args.includes('-i') ? `--id=${args[args.indexOf('-i') + 1]}` : undefined);
  if (idArg) {
    const ids = idArg.slice(5).split(',');
    gpus = gpus.filter((g) => ids.includes(String(g.index)) || ids.includes(g.uuid) || ids.includes(g.busId));
  }
  if (args.includes('-mig') || args.includes('--multi-instance-gpu')) {
    const mode = args[args.indexOf(args.includes('-mig') ? '-mig' : '--multi-instance-gpu') + 1];
    for (const g of gpus) g.migMode = mode === '1' ? 'Enabled' : 'Disabled';
    return { stdout: gpus.map((g) => `${mode === '1' ? 'Enabled' : 'Disabled'} MIG Mode for GPU ${g.busId}\n`).join('') + 'All done.\n', mutating: true };
  }
  if ((state.gpus ?? []).length === 0) return { stdout: 'No devices were found\n', exitCode: 6 };
  if (args.includes('-L') || args.includes('--list-gpus')) {
    return { stdout: gpus.map((g) => `GPU ${g.index}: ${g.name} (UUID: ${g.uuid})\n`).join('') };
  }
  const query = args.find((a) => a.startsWith('--query-gpu='));
  if (query) {
    const fields = query.slice('--query-gpu='.length).split(',');
    const format = (args.find((a) => a.startsWith('--format=')) ?? '--format=csv').slice('--format='.length).split(',');
    if (!format.includes('csv')) return { stdout: '"--format" requires a value of "csv"\n', exitCode: 2 };
    const nounits = format.includes('nounits');
    for (const f of fields) {
      if (fieldValue(gpus[0] ?? state.gpus[0], state.driver, f, nounits) === undefined) return { stdout: `Field "${f}" is not a valid field to query.\n\n`, exitCode: 2 };
    }
    const lines = [];
    if (!format.includes('noheader')) lines.push(fields.map((f) => (UNITS[f] && !nounits ? `${f} [${UNITS[f]}]` : f)).join(', '));
    for (const g of gpus) lines.push(fields.map((f) => (f === 'count' ? String(gpus.length) : fieldValue(g, state.driver, f, nounits))).join(', '));
    return { stdout: lines.join('\n') + '\n' };
  }
  if (args.length === 0) return { stdout: table(state) };
  return { stdout: `Unknown option: ${args[0]}\n`, exitCode: 2 };
}
