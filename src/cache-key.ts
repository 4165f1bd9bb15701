// The --cache's key and folder: a leaf, which the executable uses before the program is loaded (to replay a stored
// report, see src/cli/replay.ts) and the result cache uses too.
import {
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { userCacheDir } from './user-cache-dir.js';
import { crypto } from './lazy-packages.js';

/**
 * Where --cache keeps a repository's cache by default: in the user's cache directory, in a folder named by the hash
 * of the repository's root (so that nothing is written into the repository, and no node_modules/ appears in one
 * that has none).
 */
export function defaultCacheLocation(root: string, env: NodeJS.ProcessEnv): string {
  const folder = crypto().createHash('sha256').update(resolve(root)).digest('hex').slice(0, 16);
  return join(userCacheDir(env), folder, 'cache.bin');
}

/** The file holding the key that authenticates this user's cache files. */
export function cacheKeyFile(env: NodeJS.ProcessEnv): string {
  return join(userCacheDir(env), 'key');
}

const KEY_BYTES = 32;

/**
 * The user's cache key, made on first use: 32 random bytes in a 0600 file of a 0700 folder. Race-safe: the key is
 * written whole to a file of this process's own, then linked to its name, which fails when another run made one
 * first (whose key is then used). Throws (with a message for a notice) when the key cannot be made or is not the
 * user's alone.
 */
export function cacheKey(file: string): Buffer {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  ownedPrivately(dir, statSync(dir), 0o077, () => chmodSync(dir, 0o700));
  try {
    return readKey(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  removeLeftovers(dir, [basename(file)]);
  const temporary = `${file}.${process.pid}.${crypto().randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, crypto().randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // EEXIST: another run made the key first. Where hard links are not supported, a rename (which may replace a
    // key made at the same moment: the other run's cache is then re-made once).
    if (code !== 'EEXIST') renameSync(temporary, file);
  } finally {
    try {
      unlinkSync(temporary);
    } catch {
      // renamed
    }
  }
  return readKey(file);
}

export function readKey(file: string): Buffer {
  const fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    const stats = fstatSync(fd);
    ownedPrivately(file, stats, 0o077);
    const key = Buffer.alloc(KEY_BYTES);
    if (!stats.isFile() || stats.size !== KEY_BYTES || readSync(fd, key, 0, KEY_BYTES, 0) !== KEY_BYTES)
      throw new Error(`${file} is not a cache key`);
    return key;
  } finally {
    closeSync(fd);
  }
}

/** Throws unless `path` belongs to this user and no one else may use it; a folder of ours that is wider is narrowed. */
function ownedPrivately(
  path: string,
  stats: { uid: number; mode: number },
  forbidden: number,
  narrow?: () => void,
): void {
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) throw new Error(`${path} belongs to another user`);
  if (uid === undefined || (stats.mode & forbidden) === 0) return;
  if (!narrow) throw new Error(`${path} may be read by other users`);
  narrow();
}

/**
 * Removes temporary files that a run killed while writing left beside `files` (`<name>.<pid>.tmp`, or
 * `<name>.<pid>.<random>.tmp`): those of a process that is gone, or older than any write takes.
 */
export function removeLeftovers(dir: string, files: readonly string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const owner = files.find((file) => name.startsWith(`${file}.`));
    if (!owner || !name.endsWith('.tmp')) continue;
    const [pid, ...rest] = name.slice(owner.length + 1, -'.tmp'.length).split('.');
    if (!/^\d+$/.test(pid) || rest.length > 1) continue;
    const file = join(dir, name);
    try {
      if (processIsGone(Number(pid)) || Date.now() - statSync(file).mtimeMs > 60_000) unlinkSync(file);
    } catch {
      // gone already, or not ours to remove
    }
  }
}

function processIsGone(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
