// A leaf: the executable uses it before the program is loaded (the default --cache location, see src/cli/replay.ts).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const repositoryRoots = new Map<string, string>();

/** The top level of the git work tree holding `cwd` (the folder with `.git`), else `cwd` itself. */
export function repositoryRoot(cwd: string): string {
  const start = resolve(cwd);
  let root = repositoryRoots.get(start);
  if (root === undefined) {
    root = start;
    for (let dir = start; ; dir = dirname(dir)) {
      if (existsSync(join(dir, '.git'))) {
        root = dir;
        break;
      }
      if (dirname(dir) === dir) break;
    }
    repositoryRoots.set(start, root);
  }
  return root;
}
