// Fake `dpkg-query -W [-f=FORMAT] PKG…` over state.packages (FORMAT fields: ${Package} ${Version}
// ${db:Status-Abbrev} ${Status}; escapes \t \n as dpkg-query reads them). Unknown packages: message
// on stderr and exit 1, the way dpkg-query reports them.
export async function handle(call, sim) {
  let format = '${Package}\t${Version}\n';
  const names = [];
  for (let i = 0; i < call.args.length; i++) {
    const a = call.args[i];
    if (a.startsWith('-f=') || a.startsWith('--showformat=')) format = a.slice(a.indexOf('=') + 1);
    else if (a === '-f' || a === '--showformat') format = call.args[++i];
    else if (a === '-W' || a === '--show') continue;
    else names.push(a);
  }
  format = format.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  let stdout = '';
  let stderr = '';
  for (const n of names) {
    const v = sim.state.packages[n];
    if (v === undefined) {
      stderr += `dpkg-query: no packages found matching ${n}\n`;
      continue;
    }
    stdout += format
      .replaceAll('${Package}', n)
      .replaceAll('${Version}', v)
      .replaceAll('${db:Status-Abbrev}', 'ii ')
      .replaceAll('${Status}', 'install ok installed');
  }
  return { stdout, stderr, exitCode: stderr === '' ? 0 : 1 };
}
