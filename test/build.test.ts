// The committed bundle is what npm install, pre-commit and the Action run: it must match the sources.
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM build script without types
import { bundles, companions } from '../scripts/build.mjs';

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

describe('src/generated', () => {
  it('is generated from the current schemas (run npm run gen when this fails)', async () => {
    // @ts-expect-error: plain ESM script without types
    const { validatorsSource, validatorsTypes, lazyValidatorsSource } = await import('../scripts/gen-validators.mjs');
    expect(readFileSync('src/generated/validators.js', 'utf8') === validatorsSource(), 'validators.js is stale').toBe(true);
    expect(readFileSync('src/generated/validators.d.ts', 'utf8')).toBe(validatorsTypes());
    expect(readFileSync('src/generated/lazy-validators.cjs', 'utf8') === lazyValidatorsSource(), 'lazy-validators.cjs is stale').toBe(true);
  });

  it.each(companions as [string, string][])('%s is shipped beside the bundles as %s (run npm run build)', (from, to) => {
    expect(readFileSync(to, 'utf8') === readFileSync(from, 'utf8'), `${to} is stale`).toBe(true);
  });

  it('the lazy validators are self-contained: they load with no node_modules around them', async () => {
    const { mkdtempSync: mk, copyFileSync: cp } = await import('node:fs');
    const { createRequire } = await import('node:module');
    const dir = mk(join(tmpdir(), 'meshlint-lazy-'));
    cp('dist/lazy-validators.cjs', join(dir, 'lazy-validators.cjs'));
    const loaded = createRequire(join(dir, 'x.js'))('./lazy-validators.cjs') as Record<string, (data: unknown) => boolean>;
    expect(loaded.istioPeerAuthentication({ mtls: { mode: 'STRICT' } })).toBe(true);
    expect(loaded.istioPeerAuthentication({ mtls: { mode: 'STRICTT' } })).toBe(false);
  });
});
