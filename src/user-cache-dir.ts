// Near a leaf: the executable's loader uses it before anything else of meshlint is loaded.
import { isAbsolute, join } from 'node:path';
import { os } from './lazy-packages.js';

/** meshlint's folder in the user's cache directory: $XDG_CACHE_HOME/meshlint, else ~/.cache/meshlint. */
export function userCacheDir(env: NodeJS.ProcessEnv): string {
  // The XDG base directory specification: a relative XDG_CACHE_HOME is invalid and ignored.
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(env.HOME || os().homedir(), '.cache'), 'meshlint');
}
