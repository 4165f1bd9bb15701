// The committed bundle is what npm install, pre-commit and the Action run: it must match the sources.
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM build script without types
import { buildBundle, bundles, companions, NOTICES_FILE, thirdPartyNotices } from '../scripts/build.mjs';

type Built = { files: Map<string, string> };

describe.each((bundles as { outfile: string }[]).map((b) => [b.outfile, b] as const))('%s', (committed, options) => {
  it('is the current build of src/ (run npm run build when this fails)', async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'meshlint-build-')), 'bundle.mjs');
    const { files } = (await buildBundle({ ...options, logLevel: 'silent' }, { outfile, write: false })) as Built;
    expect(files.get(outfile) === readFileSync(committed, 'utf8'), `${committed} is stale`).toBe(true);
  });
});

it('writes into each bundle a build id that changes with any byte of the code, the version number aside', async () => {
  const idOf = (text: string) => /meshlint-build:([0-9a-f]{64})/.exec(text)?.[1];
  const committed = idOf(readFileSync('dist/meshlint.mjs', 'utf8'));
  expect(committed).toMatch(/^[0-9a-f]{64}$/);
  expect(committed).not.toBe('0'.repeat(64));
  // A one-byte change of the code (here: a banner comment) gives the bundle another id.
  const [cli] = bundles as { outfile: string; banner: { js: string } }[];
  const outfile = join(mkdtempSync(join(tmpdir(), 'meshlint-build-')), 'bundle.mjs');
  const changed = { ...cli, banner: { js: `${cli.banner.js}\n//x` }, logLevel: 'silent' };
  const { files } = (await buildBundle(changed, { outfile, write: false })) as Built;
  const rebuilt = idOf(files.get(outfile)!);
  expect(rebuilt).toMatch(/^[0-9a-f]{64}$/);
  expect(rebuilt).not.toBe(committed);
});

it('ships the license of every bundled package beside the bundles (run npm run build when this fails)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshlint-notices-'));
  const metafiles = [];
  for (const [i, options] of (bundles as object[]).entries()) {
    metafiles.push(
      (await build({ ...options, outfile: join(dir, `${i}.mjs`), metafile: true, logLevel: 'silent' })).metafile,
    );
  }
  const notices = readFileSync(NOTICES_FILE, 'utf8');
  expect(notices === thirdPartyNotices(metafiles), `${NOTICES_FILE} is stale`).toBe(true);
  // The packages the CLI cannot run without are named with their license text.
  for (const name of ['yaml@', 'ajv@', 'commander@', 'globby@']) expect(notices).toContain(`\n${name}`);
  expect(notices).toContain('Permission is hereby granted');
  expect(readFileSync('LICENSE', 'utf8')).toContain('Apache License');
});

it('builds both the CLI and the Action', () => {
  expect((bundles as { outfile: string }[]).map((b) => b.outfile)).toEqual(['dist/meshlint.mjs', 'dist/action.mjs']);
});

describe('src/generated', () => {
  it('is generated from the current schemas (run npm run gen when this fails)', async () => {
    // @ts-expect-error: plain ESM script without types
    const { validatorsSource, validatorsTypes, lazyValidatorsSource } = await import('../scripts/gen-validators.mjs');
    expect(readFileSync('src/generated/validators.js', 'utf8') === validatorsSource(), 'validators.js is stale').toBe(
      true,
    );
    expect(readFileSync('src/generated/validators.d.ts', 'utf8')).toBe(validatorsTypes());
    expect(
      readFileSync('src/generated/lazy-validators.cjs', 'utf8') === lazyValidatorsSource(),
      'lazy-validators.cjs is stale',
    ).toBe(true);
  });

  it.each(companions as [string, string][])(
    '%s is shipped beside the bundles as %s (run npm run build)',
    (from, to) => {
      expect(readFileSync(to, 'utf8') === readFileSync(from, 'utf8'), `${to} is stale`).toBe(true);
    },
  );

  it('the lazy validators are self-contained: they load with no node_modules around them', async () => {
    const { mkdtempSync: mk, copyFileSync: cp } = await import('node:fs');
    const { createRequire } = await import('node:module');
    const dir = mk(join(tmpdir(), 'meshlint-lazy-'));
    cp('dist/lazy-validators.cjs', join(dir, 'lazy-validators.cjs'));
    const loaded = createRequire(join(dir, 'x.js'))('./lazy-validators.cjs') as Record<
      string,
      (data: unknown) => boolean
    >;
    expect(loaded.istioPeerAuthentication({ mtls: { mode: 'STRICT' } })).toBe(true);
    expect(loaded.istioPeerAuthentication({ mtls: { mode: 'STRICTT' } })).toBe(false);
  });
});

describe('the npm package', () => {
  it('publishes what the CLI runs and nothing it never loads', async () => {
    const { execFileSync } = await import('node:child_process');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      dependencies?: object;
      bin: Record<string, string>;
    };
    // The CLI is a self-contained bundle: an install pulls no other package.
    expect(pkg.dependencies ?? {}).toEqual({});
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as { files: { path: string }[] }[];
    const files = packed.files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        pkg.bin.meshlint,
        'dist/lazy-validators.cjs',
        'dist/THIRD-PARTY-NOTICES.txt',
        'LICENSE',
        'schemas/config.schema.json',
      ]),
    );
    expect(files).not.toContain('dist/action.mjs');
    expect(files.filter((f) => /^(src|test|fixtures|node_modules)\//.test(f))).toEqual([]);
  });
});
