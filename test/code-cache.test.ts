// The executable compiles its program from a code cache in the user's cache folder (src/cli/code-cache.ts). A
// cache file can only save time: whatever it holds (nothing, garbage, a truncated copy, another script's data, a
// folder that cannot be written), a run prints the same bytes and exits with the same code.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CacheMaker, encodeCodeCache, loadScript, readCodeCache, SMALL_SCAN_FILES } from '../src/cli/code-cache.js';
import { ChecksumArea } from '../src/checksum-area.js';
import { tempRepo } from './helpers.js';

const BIN = resolve('dist/meshlint.cjs');
const repo = tempRepo({
  'pod.yaml':
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n      image: nginx\n',
  'more/gw.yaml':
    'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: { name: gw, namespace: edge }\nspec:\n  servers:\n    - port: { number: 80, name: http, protocol: HTTP }\n      hosts: ["*"]\n',
});

function run(cacheHome: string, args: string[] = [], extraEnv: NodeJS.ProcessEnv = {}, cwd = repo) {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: cacheHome, ...extraEnv };
  delete env.NODE_OPTIONS;
  const child = spawnSync(process.execPath, [BIN, '.', '-f', 'json', ...args], { cwd, encoding: 'utf8', env });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

const codeDir = (cacheHome: string) => join(cacheHome, 'meshlint', 'code');
function cacheFiles(cacheHome: string): string[] {
  try {
    return readdirSync(codeDir(cacheHome)).map((name) => join(codeDir(cacheHome), name));
  } catch {
    return [];
  }
}

/** The V8 data of another script, wrapped as a whole cache file is (right magic, right digest). */
function foreignCacheFile(): Uint8Array {
  return encodeCodeCache(new vm.Script('(function () { return 42; })').createCachedData(), CacheMaker.smallScan);
}

describe('the code cache', () => {
  const reference = run(mkdtempSync(join(tmpdir(), 'meshlint-cc-')));

  it('is written by the first run, in the user cache folder, and reused as it is by the next', () => {
    expect(reference.code).toBe(1);
    const home = mkdtempSync(join(tmpdir(), 'meshlint-cc-'));
    expect(run(home)).toEqual(reference);
    const [file] = cacheFiles(home);
    expect(file).toMatch(/main-[0-9a-f]{16}-v\d+\.\d+\.\d+-\w+-[0-9a-f]{8}\.bin$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readCodeCache(file)).toBeDefined();
    const written = readFileSync(file);
    const { mtimeMs } = statSync(file);
    expect(run(home)).toEqual(reference);
    // Accepted: not written again.
    expect(statSync(file).mtimeMs).toBe(mtimeMs);
    expect(readFileSync(file)).toEqual(written);
    // Parser threads load the program through the same file.
    expect(run(home, ['-j', '2'])).toEqual(reference);
    expect(cacheFiles(home)).toEqual([file]);
  });

  it.each([
    ['garbage', () => Buffer.from('not a code cache at all')],
    ['an empty file', () => Buffer.alloc(0)],
    ['a truncated copy', (whole: Buffer) => whole.subarray(0, Math.floor(whole.length / 2))],
    ['a flipped byte', (whole: Buffer) => Buffer.from(whole.map((b, i) => (i === whole.length - 100 ? b ^ 0xff : b)))],
    ["another script's data, well formed", () => foreignCacheFile()],
  ])('in place of %s changes nothing and is replaced by a valid one', (_, corrupt) => {
    const home = mkdtempSync(join(tmpdir(), 'meshlint-cc-'));
    run(home);
    const [file] = cacheFiles(home);
    const whole = readFileSync(file);
    const corrupted = corrupt(whole);
    writeFileSync(file, corrupted);
    expect(run(home)).toEqual(reference);
    expect(readFileSync(file)).not.toEqual(corrupted);
    expect(readCodeCache(file)).toBeDefined();
    expect(run(home)).toEqual(reference);
  });

  it("made by a run that did little, is replaced by the next scan's, which is kept", () => {
    const home = mkdtempSync(join(tmpdir(), 'meshlint-cc-'));
    expect(run(home, ['--version']).code).toBe(0);
    const [file] = cacheFiles(home);
    expect(readCodeCache(file)?.maker).toBe(CacheMaker.little);
    const little = readFileSync(file);
    expect(run(home)).toEqual(reference);
    expect(readCodeCache(file)?.maker).toBe(CacheMaker.smallScan);
    const scanned = readFileSync(file);
    expect(scanned).not.toEqual(little);
    expect(run(home, ['--version']).code).toBe(0);
    expect(run(home)).toEqual(reference);
    expect(readFileSync(file)).toEqual(scanned);
  });

  it("made by a scan of many files, is replaced by the next scan of a few files' (a start that counts), which is kept", () => {
    // V8 deserializes the whole cache at every start: a large scan's cache holds code a small scan never runs.
    const many = tempRepo(
      Object.fromEntries(
        Array.from({ length: SMALL_SCAN_FILES + 1 }, (_, i) => [
          `pods/pod-${i}.yaml`,
          `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-${i}\nspec:\n  containers:\n    - name: app\n      image: nginx\n`,
        ]),
      ),
    );
    const home = mkdtempSync(join(tmpdir(), 'meshlint-cc-'));
    const large = run(home, [], {}, many);
    expect(large.code).toBe(1);
    const [file] = cacheFiles(home);
    expect(readCodeCache(file)?.maker).toBe(CacheMaker.largeScan);
    const ofLarge = readFileSync(file);
    // Compiled with it, the small scan would keep every function of the large one: it removes the file instead.
    expect(run(home)).toEqual(reference);
    expect(cacheFiles(home)).toEqual([]);
    // The next, compiled afresh, writes its own.
    expect(run(home)).toEqual(reference);
    expect(readCodeCache(file)?.maker).toBe(CacheMaker.smallScan);
    const ofSmall = readFileSync(file);
    expect(ofSmall).not.toEqual(ofLarge);
    // Kept: neither a large scan nor a run that did little replaces it.
    expect(run(home, [], {}, many)).toEqual(large);
    expect(run(home, ['--version']).code).toBe(0);
    expect(readFileSync(file)).toEqual(ofSmall);
  });

  it('says where a start went with MESHLINT_STARTUP_TIMES (one line on stderr), and nothing else changes', () => {
    const home = mkdtempSync(join(tmpdir(), 'meshlint-cc-'));
    const timed = (extra: NodeJS.ProcessEnv) => run(home, [], { MESHLINT_STARTUP_TIMES: '1', ...extra });
    const first = timed({});
    const second = timed({});
    const line = /^meshlint: startup ms (\{.*\})$/m;
    expect(JSON.parse(line.exec(first.stderr)![1])).toMatchObject({ compile: expect.any(Number), cacheBytes: 0 });
    const steps = JSON.parse(line.exec(second.stderr)![1]);
    expect(Object.keys(steps)).toEqual([
      'node',
      'readScript',
      'readCache',
      'compileFromCache',
      'loadProgram',
      'main',
      'cacheBytes',
    ]);
    expect(steps.cacheBytes).toBeGreaterThan(0);
    for (const result of [first, second])
      expect({ ...result, stderr: result.stderr.replace(line, '').replace(/^\n/m, '') }).toEqual(reference);
  });

  it('is neither read nor written under NODE_DISABLE_COMPILE_CACHE', () => {
    const home = mkdtempSync(join(tmpdir(), 'meshlint-cc-'));
    expect(run(home, [], { NODE_DISABLE_COMPILE_CACHE: '1' })).toEqual(reference);
    expect(cacheFiles(home)).toEqual([]);
  });

  it('a cache folder that cannot be written costs nothing but the compilation', () => {
    const home = mkdtempSync(join(tmpdir(), 'meshlint-cc-'));
    // A file where the folder would be.
    writeFileSync(join(home, 'meshlint'), '');
    expect(run(home)).toEqual(reference);
    expect(run(home, ['--version']).code).toBe(0);
    expect(readdirSync(home)).toEqual(['meshlint']);
  });

  it('leaves no temporary file behind, with concurrent first runs', async () => {
    const home = mkdtempSync(join(tmpdir(), 'meshlint-cc-'));
    mkdirSync(codeDir(home), { recursive: true });
    const { spawn } = await import('node:child_process');
    const runs = Array.from(
      { length: 3 },
      () =>
        new Promise<number | null>((done) => {
          const env = { ...process.env, XDG_CACHE_HOME: home };
          // (--list-rules loads the program; a bare --version does not.)
          spawn(process.execPath, [BIN, '--list-rules'], { env, stdio: 'ignore' }).on('close', done);
        }),
    );
    expect(await Promise.all(runs)).toEqual([0, 0, 0]);
    const files = cacheFiles(home);
    expect(files).toHaveLength(1);
    expect(readCodeCache(files[0])).toBeDefined();
  });

  // That the program's cache is accepted is checked above (not written again); this checks what the script sees.
  it('runs a script as Node runs a CommonJS file, whatever its characters', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshlint-cc-'));
    const texts = { ascii: 'plain text', other: 'caf\u00e9 \u2603 \u{1f512} \u0000' };
    for (const [name, text] of Object.entries(texts)) {
      const file = join(dir, `${name}.cjs`);
      writeFileSync(
        file,
        `'use strict';\nmodule.exports = { text: ${JSON.stringify(text)}, file: __filename, dir: __dirname, self: this === exports, join: typeof require('node:path').join };`,
      );
      const expected = { text, file, dir: dirname(file), self: true, join: 'function' };
      const options = { scriptHash: name.padEnd(64, '0'), env: {}, cacheDir: join(dir, 'cache') };
      expect(loadScript(pathToFileURL(file), options).exports).toEqual(expected);
    }
  });

  it('reads a file only when its checksum matches its data: any bit flipped, a byte cut or added, is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshlint-cc-'));
    const good = join(dir, 'good.bin');
    const whole = foreignCacheFile();
    writeFileSync(good, whole);
    expect(readCodeCache(good)?.data.length).toBeGreaterThan(0);
    expect(Buffer.from(readCodeCache(good)?.data ?? [])).toEqual(
      Buffer.from(whole.subarray(whole.length - readCodeCache(good)!.data.length)),
    );
    const damaged = (bytes: Uint8Array) => {
      const bad = join(dir, 'bad.bin');
      writeFileSync(bad, bytes);
      return readCodeCache(bad);
    };
    // A bit of every byte after the magic (the checksum, the maker's byte, V8's data), one at a time; every bit of a
    // few.
    for (let offset = 22; offset < whole.length; offset++) {
      for (let bit = 0; bit < 8; bit++) {
        if (bit !== offset % 8 && ![22, 54, 55, 100, whole.length - 1].includes(offset)) continue;
        const bytes = Uint8Array.from(whole);
        bytes[offset] ^= 1 << bit;
        expect(damaged(bytes), `offset ${offset} bit ${bit}`).toBeUndefined();
      }
    }
    expect(damaged(whole.subarray(0, whole.length - 1))).toBeUndefined();
    expect(damaged(Buffer.concat([whole, Buffer.alloc(1)]))).toBeUndefined();
    expect(damaged(Buffer.concat([whole, Buffer.alloc(64)]))).toBeUndefined();
    // Zeros after the magic (a file torn where its blocks were allocated but not written).
    expect(damaged(Buffer.concat([whole.subarray(0, 22), Buffer.alloc(whole.length - 22)]))).toBeUndefined();
    expect(readCodeCache(join(dir, 'missing.bin'))).toBeUndefined();
    // Read into an area that held a larger file before (the program's text, at a start): the same verdicts.
    const reused = (bytes: Uint8Array) => {
      const area = new ChecksumArea(3 * whole.length);
      area.bytes.fill(0xa5);
      const file = join(dir, 'reused.bin');
      writeFileSync(file, bytes);
      return readCodeCache(file, area);
    };
    expect(Buffer.from(reused(whole)?.data ?? [])).toEqual(Buffer.from(readCodeCache(good)!.data));
    const flipped = Uint8Array.from(whole);
    flipped[whole.length - 1] ^= 1;
    expect(reused(flipped)).toBeUndefined();
    expect(reused(whole.subarray(0, whole.length - 1))).toBeUndefined();
  });
});
