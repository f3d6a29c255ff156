import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kindlingJsonSchema } from '../../../src/workflows/config.js';

describe('schema/kindling.schema.json', () => {
  it('is the schema generated from the zod schema (regenerate: node scripts/gen-schema.mjs)', () => {
    const committed = readFileSync(new URL('../../../schema/kindling.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(`${JSON.stringify(kindlingJsonSchema(), null, 2)}\n`);
  });
});
