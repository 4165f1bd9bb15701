// The committed bundle is what npm install, pre-commit and the Action run: it must match the sources.
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM build script without types
import { cliBuildOptions } from '../scripts/build.mjs';

describe('dist/meshlint.mjs', () => {
  it('is the current build of src/ (run npm run build when this fails)', async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'meshlint-build-')), 'meshlint.mjs');
    await build({ ...cliBuildOptions, outfile, logLevel: 'silent' });
    expect(readFileSync(outfile, 'utf8') === readFileSync('dist/meshlint.mjs', 'utf8'), 'dist/meshlint.mjs is stale').toBe(true);
  });
});

describe('src/generated/validators.js', () => {
  it('is generated from the current schemas (run npm run gen when this fails)', async () => {
    // @ts-expect-error: plain ESM script without types
    const { validatorsSource, validatorsTypes } = await import('../scripts/gen-validators.mjs');
    expect(readFileSync('src/generated/validators.js', 'utf8') === validatorsSource(), 'validators.js is stale').toBe(true);
    expect(readFileSync('src/generated/validators.d.ts', 'utf8')).toBe(validatorsTypes());
  });
});
