// Loads the CLI's program (dist/meshlint-main.cjs, one CommonJS script) so that it is compiled once per machine,
// not at every start. Where Node has a module compile cache (22.1+), Node's: turned on, then the script is
// required. Node 20 has none: V8's code cache, kept in the user's cache folder (never in the repository), in a
// file named by the script's hash and Node's version, checked by its own checksum before V8 sees it (V8 does not
// check the data itself: a flipped byte crashes it). A missing,
// corrupted, foreign or stale cache file only costs the compilation it would have saved: it is ignored (V8 also
// rejects data made by another V8 or for another source) and replaced when the run ends. The cache holds what the
// run that made it compiled, and V8 deserializes all of it at every start (the time grows with its size): the one
// kept is what a scan of a few files compiles, the start that counts (an editor, a pre-commit hook). So a run that
// did little (--version, --help) makes a cache the next scan replaces, and a scan of many files (whose start hardly
// counts) one that the next scan of a few files removes (compiled with it, that scan holds all its functions too):
// the scan after that compiles afresh and writes its own, which is kept.
import { isAscii } from 'node:buffer';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { writeAtomically } from '../atomic-write.js';
import { CHECKSUM_BYTES, ChecksumArea } from '../checksum-area.js';
import { fnv1a } from '../fnv1a.js';
import { userCacheDir } from '../user-cache-dir.js';
import { isScanThread } from './scan-thread.js';
import { workerThreads } from '../lazy-packages.js';

const MAGIC = Buffer.from('meshlint code cache 3\n');
/** The magic and the checksum. */
const HEADER_BYTES = MAGIC.length + CHECKSUM_BYTES;

/** What loadScript gives: the script's exports, and how the script says what this run did. */
export interface LoadedScript {
  readonly exports: unknown;
  /** Says that the run scanned (that many files): what it compiled may be what the cache should hold. */
  readonly scanned: (files: number) => void;
}

/**
 * What the run that made a cache did, in the order of preference (a run replaces a cache made by a lesser one): it
 * did little, it scanned many files, or it scanned a few (at most SMALL_SCAN_FILES).
 */
export const CacheMaker = { little: 0, largeScan: 1, smallScan: 2 } as const;
export type CacheMaker = (typeof CacheMaker)[keyof typeof CacheMaker];

/** The most files a scan whose compiled code the cache should hold scans (a pre-commit hook's, an editor's). */
export const SMALL_SCAN_FILES = 20;

/** A cache file's content: the data V8 made, and what the run that made it did. */
export interface CodeCache {
  readonly data: Buffer;
  readonly maker: CacheMaker;
}

export interface LoadOptions {
  /** The script's SHA-256 (hex), which the build writes into the executable: it names the cache file. */
  readonly scriptHash: string;
  readonly env: NodeJS.ProcessEnv;
  /** Where the cache file is kept (default: the user's cache folder); tests use their own. */
  readonly cacheDir?: string;
}

/** Runs a CommonJS script and returns its exports, compiled from a code cache where there is one. */
export function loadScript(script: URL, options: LoadOptions): LoadedScript {
  const filename = fileURLToPath(script);
  const withCache = module as typeof module & { enableCompileCache?: () => unknown };
  const required = () => ({ exports: createRequire(filename)(filename) as unknown, scanned: () => {} });
  // Node's switch for its own cache turns this one off as well.
  if (options.env.NODE_DISABLE_COMPILE_CACHE) return required();
  if (typeof withCache.enableCompileCache === 'function') {
    withCache.enableCompileCache();
    return required();
  }
  return runCached(filename, options);
}

/**
 * The code cache file of a script: named by its hash, Node's version and architecture, and Node's options (V8
 * rejects data made under other flags: runs with and without, say, NODE_OPTIONS=--max-old-space-size=4096 would
 * otherwise replace each other's file at every run).
 */
export function codeCacheFile(options: LoadOptions): string {
  const dir = options.cacheDir ?? join(userCacheDir(options.env), 'code');
  // (FNV-1a: enough to tell flag sets apart, two that collide only replace each other's file.)
  const flags = (fnv1a(`${process.execArgv.join('\0')}\0${options.env.NODE_OPTIONS ?? ''}`) >>> 0)
    .toString(16)
    .padStart(8, '0');
  return join(dir, `main-${options.scriptHash.slice(0, 16)}-${process.version}-${process.arch}-${flags}.bin`);
}

function runCached(filename: string, options: LoadOptions): LoadedScript {
  const times = options.env.MESHLINT_STARTUP_TIMES ? startupTimes() : undefined;
  // One area for both files: the script's bytes are in the string once it is made; the cache's are read over them.
  const area = checksumArea();
  const source = readWrapped(filename, area);
  times?.mark('readScript');
  const cacheFile = codeCacheFile(options);
  const cached = area && readCodeCache(cacheFile, area);
  times?.mark('readCache');
  const compiled = new vm.Script(source, { filename, cachedData: cached?.data });
  // Nothing holds the area from here (its memory is the size of the program's text, for the whole run otherwise).
  const cacheBytes = cached?.data.length ?? 0;
  const cachedBy = cached !== undefined && !compiled.cachedDataRejected ? cached.maker : undefined;
  let maker: CacheMaker = CacheMaker.little;
  times?.mark(cachedBy !== undefined ? 'compileFromCache' : 'compile');
  // At exit, the functions this run compiled are in the data too; parser threads only read the file (asked last:
  // a run that keeps the file never loads node:worker_threads).
  process.once('exit', () => {
    if ((cachedBy !== undefined && maker <= cachedBy) || !(workerThreads().isMainThread || isScanThread())) return;
    // This run's data would hold every function of the large scan's too (they came with it): the file is removed,
    // and the next run, compiled afresh, writes its own.
    if (cachedBy === CacheMaker.largeScan) removeCodeCache(cacheFile);
    else writeCodeCache(cacheFile, compiled, maker);
  });
  const loaded = { exports: {} as unknown };
  const wrapper = compiled.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(loaded.exports, loaded.exports, createRequire(filename), loaded, filename, dirname(filename));
  times?.mark('loadProgram');
  if (times) process.once('exit', () => times.print(cacheBytes));
  const scanned = (files: number) =>
    void (maker = files <= SMALL_SCAN_FILES ? CacheMaker.smallScan : CacheMaker.largeScan);
  return { exports: loaded.exports, scanned };
}

/** Node's wrapper of a CommonJS file (module.wrap's): the script sees require, module, exports as it would there. */
const [WRAPPER_HEAD, WRAPPER_TAIL] = module.wrap('\0').split('\0');

/**
 * The script's text in Node's wrapper, read between the wrapper's two parts into one flat string: module.wrap(text)
 * makes a string of three parts, which V8 copies into one before it compiles (~1.3 ms for the 1.7 MB program). The
 * build keeps the script ASCII: read as such, it is a one-byte string, half the memory and quicker to read and check
 * than UTF-8 decoded into two bytes a character. Any other text is decoded as UTF-8, as Node would.
 */
function readWrapped(filename: string, area: ChecksumArea | undefined): string {
  const fd = openSync(filename, 'r');
  try {
    // As readFileSync reads a file: the size it has when opened.
    const end = WRAPPER_HEAD.length + fstatSync(fd).size;
    const into = area?.resize(end + WRAPPER_TAIL.length);
    const bytes = into ? Buffer.from(into.buffer, 0, into.length) : Buffer.allocUnsafe(end + WRAPPER_TAIL.length);
    let at = bytes.write(WRAPPER_HEAD, 'latin1');
    for (let got = 1; at < end && got > 0; at += got) got = readSync(fd, bytes, at, end - at, null);
    const wrapped = bytes.subarray(0, at + bytes.write(WRAPPER_TAIL, at, 'latin1'));
    return wrapped.toString(isAscii(wrapped) ? 'latin1' : 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** An area to read files into and check, or undefined where WebAssembly cannot run (node --jitless): no cache then. */
function checksumArea(): ChecksumArea | undefined {
  try {
    return new ChecksumArea(0);
  } catch {
    return undefined;
  }
}

/**
 * With MESHLINT_STARTUP_TIMES set, where a start's time goes (for work on it; a line on stderr at exit): Node's own
 * start and the executable until it reads the program, then each step of loading it, then the run (`main`).
 */
function startupTimes() {
  const times: Record<string, number> = { node: performance.now() };
  let last = times.node;
  return {
    mark(step: string) {
      const now = performance.now();
      times[step] = now - last;
      last = now;
    },
    print(cacheBytes: number) {
      times.main = performance.now() - last;
      const rounded = Object.fromEntries(Object.entries(times).map(([step, ms]) => [step, Math.round(ms * 10) / 10]));
      try {
        writeSync(2, `meshlint: startup ms ${JSON.stringify({ ...rounded, cacheBytes })}\n`);
      } catch {}
    },
  };
}

/**
 * A cache file's bytes: magic, the checksum of what follows (src/checksum-area.ts), what the run that made it did
 * (1 byte), V8's data.
 */
export function encodeCodeCache(data: Uint8Array, maker: CacheMaker): Uint8Array {
  const area = new ChecksumArea(HEADER_BYTES + 1 + data.length);
  area.bytes.set(MAGIC);
  area.bytes[HEADER_BYTES] = maker;
  area.bytes.set(data, HEADER_BYTES + 1);
  area.bytes.set(area.checksum(HEADER_BYTES), MAGIC.length);
  return area.bytes;
}

/**
 * The cache in a file, when the file is whole (its checksum matches); otherwise undefined. The file is read into
 * the checksum's memory (`area`'s, when given), and V8 reads its data there: no copy.
 */
export function readCodeCache(file: string, area?: ChecksumArea): CodeCache | undefined {
  try {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      if (area) area.resize(size);
      else area = new ChecksumArea(size);
      for (let read = 0, got = 1; read < area.bytes.length && got > 0; read += got)
        got = readSync(fd, area.bytes, read, area.bytes.length - read, read);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const bytes = area.bytes;
  if (bytes.length <= HEADER_BYTES + 1 || !MAGIC.equals(bytes.subarray(0, MAGIC.length))) return undefined;
  if (!Buffer.from(area.checksum(HEADER_BYTES)).equals(bytes.subarray(MAGIC.length, HEADER_BYTES))) return undefined;
  const maker = bytes[HEADER_BYTES] as CacheMaker;
  if (maker > CacheMaker.smallScan) return undefined;
  return {
    data: Buffer.from(bytes.buffer, bytes.byteOffset + HEADER_BYTES + 1, bytes.length - HEADER_BYTES - 1),
    maker,
  };
}

/** Removes a cache file; any failure is silent (the file then stays as it is, still valid). */
function removeCodeCache(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {}
}

/** Writes the script's code cache, atomically (a reader sees the old file or the new one); any failure is silent. */
function writeCodeCache(file: string, compiled: vm.Script, maker: CacheMaker): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeAtomically(file, () => encodeCodeCache(compiled.createCachedData(), maker));
  } catch {
    // The next run compiles again, as this one did.
  }
}
