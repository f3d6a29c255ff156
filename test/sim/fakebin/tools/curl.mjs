// Fake `curl -fsSL … -o FILE URL`: writes deterministic content for the URL into the simulated root.
// Binaries: "#!/bin/sh\n# sim download of <url>\n"; .tar.gz archives: "sim-archive <url>\n" (see tar.mjs);
// NVIDIA's /gpgkey: an armored-looking block naming the key's fingerprint (scenario.options.gpgFingerprint
// overrides it, to test a wrong key). The sim tests compute checksums with simDownloadContent().
import { write } from './_hostfs.mjs';

export const NVIDIA_KEY_FINGERPRINT = 'C95B321B61E88C1809C4F759DDCAE044F796ECB0';

export function simDownloadContent(url, options = {}) {
  if (url.endsWith('/gpgkey')) {
    return `-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nsim key ${options.gpgFingerprint ?? NVIDIA_KEY_FINGERPRINT}\n-----END PGP PUBLIC KEY BLOCK-----\n`;
  }
  if (url.endsWith('.tar.gz')) return `sim-archive ${url}\n`;
  return `#!/bin/sh\n# sim download of ${url}\n`;
}

export async function handle(call, sim) {
  const args = call.args;
  let out;
  let url;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-o' || a === '--output') out = args[++i];
    else if (a === '--retry' || a === '--connect-timeout' || a === '-H' || a === '--max-time') i++;
    else if (!a.startsWith('-')) url = a;
  }
  if (!url) return { stderr: 'curl: no URL specified\n', exitCode: 2 };
  const content = simDownloadContent(url, sim.scenario.options ?? {});
  if (!out) return { stdout: content };
  write(sim, out, content);
  return { mutating: true };
}
