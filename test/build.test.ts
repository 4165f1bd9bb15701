// The committed bundle is what npm install, pre-commit and the Action run: it must match the sources.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM build script without types
import * as buildScript from '../scripts/build.mjs';
import { LAZY_PACKAGES } from '../src/lazy-packages.js';

const { buildDist, companions, LAZY_PACKAGES: BUILT_LAZY_PACKAGES, NOTICES_NAME, stampBuildId } = buildScript;

// One fresh build of everything into a temporary folder, compared file by file with dist/.
let fresh: { dir: string; names: string[] } | undefined;
async function freshBuild(): Promise<{ dir: string; names: string[] }> {
  if (!fresh) {
    const dir = mkdtempSync(join(tmpdir(), 'meshlint-build-'));
    fresh = { dir, names: (await buildDist(dir)) as string[] };
  }
  return fresh;
}

describe('the build id', () => {
  it('is written into the program and the Action, and changes with any byte of the code, the version aside', () => {
    const idOf = (text: string) => /meshlint-build:([0-9a-f]{64})/.exec(text)?.[1];
    for (const file of ['dist/meshlint-main.cjs', 'dist/action.mjs']) {
      expect(idOf(readFileSync(file, 'utf8'))).toMatch(/^[0-9a-f]{64}$/);
      expect(idOf(readFileSync(file, 'utf8'))).not.toBe('0'.repeat(64));
    }
    const placeholder = `x = "meshlint-build:${'0'.repeat(64)}";`;
    const stamp = (text: string) =>
      idOf([...(stampBuildId(new Map([['a.cjs', text]]), []) as Map<string, string>).values()][0]);
    expect(stamp(placeholder)).not.toBe(stamp(`${placeholder} `));
    expect(stamp(placeholder)).toBe(stamp(placeholder));
  });
});

describe('dist/', () => {
  it('holds exactly the files a build writes (run npm run build when this fails)', async () => {
    const { names } = await freshBuild();
    expect(readdirSync('dist').sort()).toEqual(names);
    expect(names).toEqual(
      expect.arrayContaining([
        'meshlint.cjs',
        'meshlint.mjs',
        'meshlint-main.cjs',
        'action.mjs',
        NOTICES_NAME,
        ...LAZY_PACKAGES.map((name) => `lazy-${name}.cjs`),
      ]),
    );
  });

  it('every file is the current build of src/ (run npm run build when this fails)', async () => {
    const { dir, names } = await freshBuild();
    const stale = names.filter((name) => !readFileSync(join(dir, name)).equals(readFileSync(join('dist', name))));
    expect(stale, `stale in dist/: ${stale.join(', ')}`).toEqual([]);
  }, 60_000);

  it('the executable, and its former name, are files that run on their own (pre-commit runs them so)', () => {
    for (const name of ['meshlint.cjs', 'meshlint.mjs']) {
      expect(statSync(join('dist', name)).mode & 0o111, name).toBe(0o111);
      expect(readFileSync(join('dist', name), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    }
  });

  it("keeps the CLI's program ASCII (one byte a character: quicker to load; write other characters as \\u escapes)", () => {
    const text = readFileSync('dist/meshlint-main.cjs', 'latin1');
    const offending = [...text.matchAll(/[^\x00-\x7f]+/g)].map((m) =>
      text.slice(Math.max(0, m.index - 40), m.index + 10),
    );
    expect(offending).toEqual([]);
  });

  it('ships the license of every bundled package (run npm run build when this fails)', () => {
    const notices = readFileSync(join('dist', NOTICES_NAME), 'utf8');
    // The packages the CLI cannot run without, and those it loads lazily, are named with their license text.
    for (const name of ['yaml@', 'ajv@', 'commander@', 'globby@', 're2js@']) expect(notices).toContain(`\n${name}`);
    expect(notices).toContain('Permission is hereby granted');
    expect(readFileSync('LICENSE', 'utf8')).toContain('Apache License');
  });

  it('the build ships every package the sources load lazily', () => {
    expect(BUILT_LAZY_PACKAGES).toEqual([...LAZY_PACKAGES]);
  });

  it.each([...LAZY_PACKAGES])(
    'dist/lazy-%s.cjs is self-contained: it loads with no node_modules around it',
    async (name) => {
      const dir = mkdtempSync(join(tmpdir(), 'meshlint-lazy-'));
      copyFileSync(join('dist', `lazy-${name}.cjs`), join(dir, `lazy-${name}.cjs`));
      const loaded = createRequire(join(dir, 'x.js'))(`./lazy-${name}.cjs`) as Record<string, unknown>;
      expect(Object.keys(loaded).length).toBeGreaterThan(0);
      if (name === 're2js') {
        const { RE2JS } = loaded as unknown as typeof import('re2js');
        expect(RE2JS.compile('^a+$').matcher('aaa').find()).toBe(true);
      } else {
        const { Ajv } = loaded as unknown as typeof import('ajv');
        expect(new Ajv().compile({ type: 'integer' })(1.5)).toBe(false);
      }
    },
  );
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
      expect(readFileSync(join('dist', to), 'utf8') === readFileSync(from, 'utf8'), `${to} is stale`).toBe(true);
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
        'dist/meshlint-main.cjs',
        'dist/lazy-validators.cjs',
        ...LAZY_PACKAGES.map((name) => `dist/lazy-${name}.cjs`),
        'dist/THIRD-PARTY-NOTICES.txt',
        'LICENSE',
        'schemas/config.schema.json',
      ]),
    );
    expect(files).not.toContain('dist/action.mjs');
    expect(files.filter((f) => /^(src|test|fixtures|node_modules)\//.test(f))).toEqual([]);
  });
});
