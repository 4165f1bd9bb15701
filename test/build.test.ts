// The committed bundle is what npm install, pre-commit and the Action run: it must match the sources.
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM build script without types
import { bundles } from '../scripts/build.mjs';

describe.each((bundles as { outfile: string }[]).map((b) => [b.outfile, b] as const))('%s', (committed, options) => {
  it('is the current build of src/ (run npm run build when this fails)', async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'meshlint-build-')), 'bundle.mjs');
    await build({ ...options, outfile, logLevel: 'silent' });
    expect(readFileSync(outfile, 'utf8') === readFileSync(committed, 'utf8'), `${committed} is stale`).toBe(true);
  });
});

it('builds both the CLI and the Action', () => {
  expect((bundles as { outfile: string }[]).map((b) => b.outfile)).toEqual(['dist/meshlint.mjs', 'dist/action.mjs']);
});

describe('src/generated/validators.js', () => {
  it('is generated from the current schemas (run npm run gen when this fails)', async () => {
    // @ts-expect-error: plain ESM script without types
    const { validatorsSource, validatorsTypes } = await import('../scripts/gen-validators.mjs');
    expect(readFileSync('src/generated/validators.js', 'utf8') === validatorsSource(), 'validators.js is stale').toBe(true);
    expect(readFileSync('src/generated/validators.d.ts', 'utf8')).toBe(validatorsTypes());
  });
});
