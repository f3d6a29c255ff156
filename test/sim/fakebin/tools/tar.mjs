// Fake `tar -xzf ARCHIVE -C DIR MEMBER…`: extracts members of a sim archive (curl.mjs) in the simulated root.
import { exists, read, write } from './_hostfs.mjs';

export async function handle(call, sim) {
  const args = call.args;
  let file;
  let dir = '/';
  const members = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (/^-?x?z?v?f$/.test(a) || a === '-xzf' || a === '-xf') file = args[++i];
    else if (a === '-C') dir = args[++i];
    else if (!a.startsWith('-')) members.push(a);
  }
  if (!file || !exists(sim, file)) return { stderr: `tar: ${file}: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n`, exitCode: 2, mutating: true };
  const text = read(sim, file);
  if (!text.startsWith('sim-archive ')) {
    return { stderr: 'gzip: stdin: not in gzip format\ntar: Child returned status 1\ntar: Error is not recoverable: exiting now\n', exitCode: 2, mutating: true };
  }
  const url = text.slice('sim-archive '.length).trim();
  for (const m of members) write(sim, `${dir}/${m}`, `#!/bin/sh\n# sim file ${m} from ${url}\n`, 0o644);
  return { mutating: true };
}
