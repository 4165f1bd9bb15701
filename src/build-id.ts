// What code is running, for keys that must change whenever the code does (the --cache): a version number does not,
// since a rebuilt bundle with a changed rule keeps it.
//
// The build (scripts/build.mjs) writes into each bundle the hash of everything it ships: the bundle's files with
// this placeholder in place, and the files it loads from beside itself. Run from the sources (tests, tsx), the id is
// the hash of the source tree instead.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crypto } from './lazy-packages.js';

/** Replaced by the build with `meshlint-build:` and 64 hex digits; the same length, so nothing else moves. */
const EMBEDDED = 'meshlint-build:0000000000000000000000000000000000000000000000000000000000000000';

let sourceId: string | undefined;

/** The id of the running code: the build's hash in a bundle, else the hash of the source tree. */
export function buildId(): string {
  // Written so that the check holds no copy of the placeholder for the build to replace.
  if (!EMBEDDED.endsWith(`:${'0'.repeat(64)}`)) return EMBEDDED;
  sourceId ??= sourceTreeHash(fileURLToPath(new URL('..', import.meta.url)));
  return sourceId;
}

/** The hash of every file under src/ and rules/ of the checkout at `root`, and of its package.json. */
function sourceTreeHash(root: string): string {
  const hash = crypto().createHash('sha256').update('meshlint/source-tree/v1\0');
  const add = (relative: string) => {
    hash
      .update(relative)
      .update('\0')
      .update(readFileSync(join(root, relative)))
      .update('\0');
  };
  for (const top of ['src', 'rules']) {
    const files = readdirSync(join(root, top), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(root.length))
      .sort();
    for (const file of files) add(file);
  }
  add('package.json');
  return `source:${hash.digest('hex')}`;
}
