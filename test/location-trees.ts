// Location trees read without the YAML library (the lean reader's, the JSON reader's) against the library's own tree:
// every path of a document, located with each target, must give the same offsets.
import { expect } from 'vitest';
import { locateOffsets, type LocatedOffsets, type LocationTree, type Path } from '../src/location/locate.js';

/** Every path of a value, plus a missing key and a missing index below each collection. */
export function* pathsOf(value: unknown, path: (string | number)[] = []): Generator<(string | number)[]> {
  yield path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* pathsOf(value[i], [...path, i]);
    yield [...path, value.length];
  } else if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) yield* pathsOf((value as Record<string, unknown>)[key], [...path, key]);
    yield [...path, 'missing-key', 'below'];
  }
}

interface LocatedDocument {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly value: unknown;
}

/**
 * Reads a document's tree with `read` (whole, or for some paths) and expects every path of its value to be located in
 * it, with each target, as in the library's tree (`library`, built only when asked for): in the whole tree, in the
 * trees of every path, of every other path, and of each path alone (at most 40, spread over the document). A tree for
 * some paths must be built in the same cases as the whole tree. Returns whether `read` built one; `located` counts the
 * locations compared.
 */
export function expectLibraryLocations(
  name: string,
  text: string,
  document: LocatedDocument,
  library: () => LocationTree,
  read: (paths?: readonly Path[]) => LocationTree | undefined,
  tally: { located: number },
): boolean {
  const tree = read();
  const paths = [...pathsOf(document.value)];
  const forPaths = (asked: (string | number)[][]) => {
    const pruned = read(asked);
    expect(pruned === undefined, `${name} #${document.index}: pruned tree built alike`).toBe(tree === undefined);
    return pruned;
  };
  if (!tree) {
    forPaths(paths.slice(0, 1));
    return false;
  }
  const libraryTree = library();
  // The library's answers, found once for all the trees compared (by path index, then target).
  const expected: LocatedOffsets[][] = [];
  const compare = (located: LocationTree, p: number, how: string) => {
    const path = paths[p];
    expected[p] ??= TARGETS.map((target) =>
      locateOffsets(text, libraryTree, document.start, document.end, path, target),
    );
    TARGETS.forEach((target, t) => {
      tally.located++;
      const lean = locateOffsets(text, located, document.start, document.end, path, target);
      // (expect only on a difference: hundreds of thousands of calls to it took a minute)
      if (!sameOffsets(lean, expected[p][t]))
        expect(lean, `${name} #${document.index} ${JSON.stringify(path)} ${target} (${how})`).toStrictEqual(
          expected[p][t],
        );
    });
  };
  paths.forEach((_, p) => compare(tree, p, 'whole tree'));
  const all = forPaths(paths)!;
  paths.forEach((_, p) => compare(all, p, 'tree of every path'));
  const everyOther = forPaths(paths.filter((_, p) => p % 2 === 1))!;
  paths.forEach((_, p) => p % 2 === 1 && compare(everyOther, p, 'tree of every other path'));
  const step = Math.max(1, Math.ceil(paths.length / 40));
  for (let p = 0; p < paths.length; p += step) compare(forPaths([paths[p]])!, p, 'tree of this path');
  return true;
}

const TARGETS = ['key', 'value', 'pair'] as const;

function sameOffsets(a: LocatedOffsets, b: LocatedOffsets): boolean {
  return (
    a.start === b.start &&
    a.end === b.end &&
    a.missing.length === b.missing.length &&
    a.missing.every((segment, i) => segment === b.missing[i])
  );
}
