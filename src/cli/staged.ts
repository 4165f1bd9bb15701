// --staged: what the next commit will contain. The index's manifests (and configuration and .gitignore files) are
// exported to a temporary tree that mirrors the repository, and the scan runs there from the folder that mirrors
// the working directory, so relative paths, discovery and the reported paths are the same as in the repository.
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { exportStaged, GitError, gitTopLevel } from '../git.js';

export interface StagedTree {
  /** The working directory's counterpart in the exported tree. */
  readonly cwd: string;
  /** A path given on the command line, as the scan must see it (absolute paths inside the repository are moved). */
  map(path: string): string;
  /** An explicit --config: the staged file when the index has it, else the file of the working tree. */
  mapConfig(path: string): string;
  remove(): void;
}

export function stagedTree(cwd: string): StagedTree {
  const topLevel = gitTopLevel(cwd);
  if (!topLevel) throw new GitError('not inside a git repository');
  const root = mkdtempSync(join(tmpdir(), 'meshlint-staged-'));
  try {
    exportStaged(topLevel, root);
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  const top = realpathSync(topLevel);
  const fromTop = relative(top, realpathSync(cwd));
  const mirroredCwd = join(root, fromTop);
  mkdirSync(mirroredCwd, { recursive: true }); // a folder with no tracked manifest is still where the scan runs
  const moveInside = (path: string) => {
    const absolute = resolve(cwd, path);
    const rel = relative(top, existsSync(absolute) ? realpathSync(absolute) : absolute);
    return rel.startsWith('..') || isAbsolute(rel) ? absolute : join(root, rel);
  };
  return {
    cwd: mirroredCwd,
    map: (path) => (isAbsolute(path) ? moveInside(path) : path),
    mapConfig: (path) => {
      const staged = moveInside(path);
      return existsSync(staged) ? staged : resolve(cwd, path);
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
