// Fake `uname`: kernel name, release and machine from state.os (GNU coreutils output order).
export async function handle(call, sim) {
  const os = sim.state.os;
  const values = { s: 'Linux', n: 'gpu-host', r: os.kernel, v: '#85-Ubuntu SMP PREEMPT_DYNAMIC Thu Sep 18 15:26:59 UTC 2025', m: os.arch, p: os.arch, i: os.arch, o: 'GNU/Linux' };
  const flags = new Set();
  for (const a of call.args) {
    if (a === '-a' || a === '--all') 'snrvmpio'.split('').forEach((c) => flags.add(c));
    else if (a === '--kernel-name') flags.add('s');
    else if (a === '--kernel-release') flags.add('r');
    else if (a === '--machine') flags.add('m');
    else if (/^-[snrvmpio]+$/.test(a)) a.slice(1).split('').forEach((c) => flags.add(c));
    else return { stderr: `uname: invalid option -- '${a.replace(/^-+/, '')}'\nTry 'uname --help' for more information.\n`, exitCode: 1 };
  }
  if (flags.size === 0) flags.add('s');
  const out = 'snrvmpio'.split('').filter((c) => flags.has(c)).map((c) => values[c]);
  return { stdout: out.join(' ') + '\n' };
}
