// What tells, without reading a file or folder, that it is as it was: a leaf, used by discovery (kept listings) and by
// the executable before the program is loaded (to replay a stored report, see src/cli/replay.ts).
import { type Stats, statSync } from 'node:fs';

// A file modified this recently may change again within the same modification time (git's "racily clean"): its
// stamp is not kept, so that the next run reads and hashes it.
export const SETTLED_MS = 2000;

/**
 * What changes when a directory gains, loses or renames an entry or its permissions change (modification and
 * change times), or when a file's contents or kind change; 'none' when absent.
 */
export function stampOf(path: string): string {
  try {
    // Most paths looked for do not exist (ignore and configuration files): no exception for those.
    const stats = statSync(path, { throwIfNoEntry: false });
    return stats === undefined ? 'none ENOENT' : stampOfStats(stats);
  } catch (error) {
    return `none ${(error as NodeJS.ErrnoException).code}`;
  }
}

/** The stamp of a path, from its stats (taken by whoever read it). */
export function stampOfStats(stats: Stats): string {
  return `${stats.isDirectory() ? 'd' : 'f'} ${stats.size} ${stats.mtimeMs} ${stats.ctimeMs}`;
}

/**
 * A stamp old enough that a later change in the same clock tick cannot hide behind it (see SETTLED_MS). Entries
 * added, removed or renamed and contents changed move the modification time; the change time (permissions) is
 * compared but not required settled: a fresh checkout's folders have a new one.
 */
export function isSettled(stamp: string): boolean {
  const [kind, , mtimeMs] = stamp.split(' ');
  return kind === 'none' || Number(mtimeMs) < Date.now() - SETTLED_MS;
}
