// Shared helpers of the host-setup fakes: coreutils act on the simulated root (host paths under sim.root).
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// A path already inside the fake root (kindling's KINDLING_CACHE_DIR in the simulator is one) is used as is.
export const real = (sim, p) => (p === sim.root || p.startsWith(`${sim.root}/`) ? p : join(sim.root, p));
export const exists = (sim, p) => existsSync(real(sim, p));
export const read = (sim, p) => readFileSync(real(sim, p), 'utf8');
export function write(sim, p, content, mode) {
  mkdirSync(dirname(real(sim, p)), { recursive: true });
  writeFileSync(real(sim, p), content);
  if (mode !== undefined) chmodSync(real(sim, p), mode);
}
export function copy(sim, from, to, mode) {
  mkdirSync(dirname(real(sim, to)), { recursive: true });
  copyFileSync(real(sim, from), real(sim, to));
  if (mode !== undefined) chmodSync(real(sim, to), mode);
}
export const move = (sim, from, to) => {
  mkdirSync(dirname(real(sim, to)), { recursive: true });
  renameSync(real(sim, from), real(sim, to));
};
export const remove = (sim, p, recursive) => rmSync(real(sim, p), { force: true, recursive: Boolean(recursive) });
export const mkdir = (sim, p, parents, mode) => mkdirSync(real(sim, p), { recursive: Boolean(parents), ...(mode === undefined ? {} : { mode }) });
export const isDir = (sim, p) => existsSync(real(sim, p)) && statSync(real(sim, p)).isDirectory();

/** The tools host setup installs into /usr/local/bin, and how a download names its version. */
export const HOST_BINARIES = ['kind', 'kubectl', 'helm'];
export const versionIn = (text) => /v\d+\.\d+\.\d+/.exec(text)?.[0] ?? '';
