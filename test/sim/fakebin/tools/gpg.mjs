// Fake `gpg`: `--show-keys --with-colons FILE` lists the key a sim key file (curl.mjs) names, in gpg's
// colon format (pub/fpr/uid records); `--dearmor -o OUT IN` writes the keyring.
import { exists, read, write } from './_hostfs.mjs';

export async function handle(call, sim) {
  const args = call.args;
  const files = args.filter((a, i) => !a.startsWith('-') && args[i - 1] !== '-o' && args[i - 1] !== '--output');
  if (args.includes('--show-keys')) {
    const file = files.at(-1);
    if (!file || !exists(sim, file)) return { stderr: `gpg: can't open '${file}': No such file or directory\n`, exitCode: 2 };
    const fpr = /\b[0-9A-F]{40}\b/.exec(read(sim, file))?.[0];
    if (!fpr) return { stderr: 'gpg: no valid OpenPGP data found.\n', exitCode: 2 };
    return {
      stdout:
        `pub:-:4096:1:${fpr.slice(-16)}:1504552549:::-:::scESC::::::23::0:\n` +
        `fpr:::::::::${fpr}:\n` +
        'uid:-::::1504552549::F9AA42E1C77A7A8DA9ADA4CFB69B3E0C1C36EAD7::NVIDIA CORPORATION (Open Source Projects) <cudatools@nvidia.com>::::::::::0:\n',
    };
  }
  if (args.includes('--dearmor')) {
    const oi = Math.max(args.indexOf('-o'), args.indexOf('--output'));
    const out = oi >= 0 ? args[oi + 1] : undefined;
    const input = files.at(-1);
    if (!input || !exists(sim, input)) return { stderr: `gpg: can't open '${input}': No such file or directory\n`, exitCode: 2, mutating: true };
    if (!out) return { stdout: `dearmored ${read(sim, input)}`, mutating: true };
    write(sim, out, `dearmored ${read(sim, input)}`, 0o644);
    return { mutating: true };
  }
  return { stderr: `gpg: unsupported in the simulator: ${args.join(' ')}\n`, exitCode: 2 };
}
