// The esbuild options of the CLI bundle: used by scripts/build.mjs, and by the start-up graph test
// (test/unit/core/startup-graph.test.ts), so that the test checks the bundle that ships.
export function cliBuildOptions({ outdir, version, absWorkingDir }) {
  return {
    entryPoints: ['src/cli/main.ts'],
    outdir,
    outbase: 'src',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    ...(absWorkingDir ? { absWorkingDir } : {}),
    define: { __KINDLING_VERSION__: JSON.stringify(version) },
    // Some CommonJS dependencies call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __kindlingCreateRequire } from 'node:module'; const require = __kindlingCreateRequire(import.meta.url);" },
  };
}
