// Bundles the CLI with esbuild. Code splitting keeps each command (and @kubernetes/client-node)
// in its own chunk, so `kindling --help` loads only the program and its command registrations.
// The bundle is minified (smaller main chunk → faster start-up; see bench/startup.mjs) with linked
// source maps. It is built into a temporary folder and swapped into dist/ at the end, so a CLI
// started while a build runs (tests, other terminals) never sees a half-written dist/.
import { build } from 'esbuild';
import { cliBuildOptions } from './build-options.mjs';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const dist = fileURLToPath(new URL('../dist', import.meta.url));
const tmp = `${dist}.tmp-${process.pid}`;
const old = `${dist}.old-${process.pid}`;

rmSync(tmp, { recursive: true, force: true });
try {
  await build(cliBuildOptions({ outdir: tmp, version: pkg.version }));
} catch (error) {
  rmSync(tmp, { recursive: true, force: true });
  throw error;
}
if (existsSync(dist)) renameSync(dist, old);
renameSync(tmp, dist);
rmSync(old, { recursive: true, force: true });
