// A leaf: the launcher uses it (for the code cache) before the program is loaded, and the result cache uses it too.
import { closeSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { crypto } from './lazy-packages.js';

/**
 * Writes a file so that a reader sees the old one or the new one, never half of it: a temporary file
 * (`<path>.<pid>.<random>.tmp`, 0600) renamed over the path. `data` may be a function: it is then called only once the
 * temporary file exists, so that nothing is serialised where the file cannot be written (a read-only home); or a
 * list of pieces, written one after the other (no copy of them all into one buffer).
 * Throws what failed, after removing the temporary file.
 */
export function writeAtomically(path: string, data: Uint8Array | readonly Uint8Array[] | (() => Uint8Array)): void {
  const temporary = `${path}.${process.pid}.${crypto().randomBytes(6).toString('hex')}.tmp`;
  let fd: number | undefined;
  try {
    fd = openSync(temporary, 'wx', 0o600);
    for (const piece of typeof data === 'function' ? [data()] : Array.isArray(data) ? data : [data as Uint8Array])
      writeFileSync(fd, piece);
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
}
