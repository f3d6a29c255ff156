// Generates schema/kindling.schema.json from the zod schema in src/workflows/config.ts (the same
// JSON `kindling schema` prints). Run: node scripts/gen-schema.mjs  (--check: fail when it differs).
// test/unit/workflows/schema-file.test.ts fails when the committed file is stale.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = join(root, 'schema', 'kindling.schema.json');
// Inside the repository, so the external packages (zod, yaml) resolve from node_modules.
const cacheDir = join(root, 'node_modules', '.cache');
const out = join(cacheDir, `kindling-schema-${process.pid}.mjs`);
mkdirSync(cacheDir, { recursive: true });
try {
  await build({
    entryPoints: [join(root, 'src/workflows/config.ts')],
    outfile: out,
    bundle: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    logLevel: 'warning',
  });
  const { kindlingJsonSchema } = await import(pathToFileURL(out).href);
  const text = `${JSON.stringify(kindlingJsonSchema(), null, 2)}\n`;
  if (process.argv.includes('--check')) {
    const current = readFileSync(target, 'utf8');
    if (current !== text) {
      process.stderr.write('schema/kindling.schema.json is stale: run node scripts/gen-schema.mjs\n');
      process.exitCode = 1;
    }
  } else {
    mkdirSync(join(root, 'schema'), { recursive: true });
    writeFileSync(target, text);
    process.stdout.write(`wrote ${target}\n`);
  }
} finally {
  rmSync(out, { force: true });
}
