// Locating while a document is read. The lean reader builds a location tree of the nodes that paths lead to; on a file
// of tens of thousands of findings (a decK file of routes, an Envoy bootstrap of clusters) that tree held them all
// until the last path was located, long enough for V8 to move it to the old generation, where it stayed as garbage
// until the process ended. Here each path is located as soon as the sequence entry it goes through has been read, and
// the reader drops the entry's nodes at once (see readLocationTree): the tree holds one entry at a time.
import { locateOffsets, NOTHING_MISSING, type LocationTree, type Path, type Target } from './locate.js';

/**
 * Paths of one document to locate as it is read; the offsets of each, by its index, once read. A path may be given
 * as a base and the path below it (`bases`: a finding's resource and its path in it), read as one path without
 * being made (on a decK file of 40,000 routes, the paths made from them were ~4 MB kept through the read).
 */
export class LocatedAsRead {
  /** The paths' indexes in path order (see comparePaths): the paths below a sequence entry are a run of it. */
  readonly #order: number[];
  /**
   * For path i at 3i, 3i + 1, 3i + 2: its offsets once located (start -1: not yet), and how many of its segments were
   * found. (One array: a document of a few findings makes one, not three.)
   */
  readonly #located: Int32Array;

  constructor(
    readonly text: string,
    readonly documentStart: number,
    readonly documentEnd: number,
    readonly paths: readonly Path[],
    readonly targets: readonly Target[],
    readonly bases?: readonly Path[],
  ) {
    this.#order = paths
      .map((_, i) => i)
      .sort((a, b) => compareJoined(bases?.[a] ?? NO_BASE, paths[a], bases?.[b] ?? NO_BASE, paths[b]));
    this.#located = new Int32Array(3 * paths.length);
    for (let i = 0; i < paths.length; i++) this.#located[3 * i] = -1;
  }

  /**
   * What the reader keeps of the document (see fast.ts Wanted): the same as wantedPaths(paths), found in the paths'
   * order as the reader goes, not a tree of their segments made before it starts (on a decK file of 40,000 routes
   * that tree was ~14 MB, all of it kept until the last path was located).
   */
  wanted(): PathsBelow {
    return new PathsBelow(this.#order, this, 0, this.#order.length, 0);
  }

  /** Path `i`'s length (its base's and its own). */
  lengthOf(i: number): number {
    return (this.bases?.[i].length ?? 0) + this.paths[i].length;
  }

  /** Path `i`'s segment at `depth` (below its length). */
  segment(i: number, depth: number): string | number {
    const base = this.bases?.[i] ?? NO_BASE;
    return depth < base.length ? base[depth] : this.paths[i][depth - base.length];
  }

  /** Path `i` whole (made when its base is not empty). */
  path(i: number): Path {
    return joinPath(this.bases?.[i] ?? NO_BASE, this.paths[i]);
  }

  /**
   * The reader has read a sequence entry (its node: `node`), of which it kept `wanted` (what `wanted()` gave for it):
   * every path that goes on below it is located in it. Whether nothing more needs the entry (no path ends at it).
   */
  entryRead(wanted: unknown, node: unknown): boolean {
    if (!(wanted instanceof PathsBelow)) return true;
    const { order, depth } = wanted;
    let endsHere = false;
    let tree: LocationTree | undefined;
    for (let k = wanted.from; k < wanted.to; k++) {
      const i = order[k];
      const length = this.lengthOf(i);
      // (Text is no index to locating: such a path stops at the sequence, and is located when the tree is read.)
      if (typeof this.segment(i, depth - 1) !== 'number') continue;
      if (length === depth) endsHere = true;
      else if (this.#located[3 * i] === -1) {
        tree ??= { contents: node };
        // Below its base: the path itself is read from the right segment, nothing made (else the path whole).
        const base = this.bases?.[i] ?? NO_BASE;
        const [path, from] = depth >= base.length ? [this.paths[i], depth - base.length] : [this.path(i), depth];
        const located = locateOffsets(
          this.text,
          tree,
          this.documentStart,
          this.documentEnd,
          path,
          this.targets[i],
          from,
        );
        this.#located[3 * i] = located.start;
        this.#located[3 * i + 1] = located.end;
        this.#located[3 * i + 2] = length - located.missing.length;
      }
    }
    return !endsHere;
  }

  /** Every path unlocated again: the document was declined by the reader that located some (another reads it). */
  forget(): void {
    for (let i = 0; i < this.paths.length; i++) this.#located[3 * i] = -1;
  }

  /** Whether path `i` was located while the document was read (then `start`, `end` and `missing` tell where). */
  located(i: number): boolean {
    return this.#located[3 * i] !== -1;
  }
  start(i: number): number {
    return this.#located[3 * i];
  }
  end(i: number): number {
    return this.#located[3 * i + 1];
  }
  missing(i: number): Path {
    const found = this.#located[3 * i + 2];
    const base = this.bases?.[i] ?? NO_BASE;
    if (found === base.length + this.paths[i].length) return NOTHING_MISSING;
    return found >= base.length ? this.paths[i].slice(found - base.length) : this.path(i).slice(found);
  }
}

const NO_BASE: Path = Object.freeze([]);

/** A base then a path, as one array of exact size (the path itself when the base is empty). */
export function joinPath(base: Path, path: Path): Path {
  if (base.length === 0) return path;
  const out: (string | number)[] = new Array(base.length + path.length);
  for (let k = 0; k < base.length; k++) out[k] = base[k];
  for (let k = 0; k < path.length; k++) out[base.length + k] = path[k];
  return out;
}

/** The paths of a run of `order` that share their first `depth` segments: what is kept below a node at that path. */
class PathsBelow {
  constructor(
    readonly order: readonly number[],
    readonly paths: LocatedAsRead,
    readonly from: number,
    readonly to: number,
    readonly depth: number,
  ) {}

  /** The paths that go on with `key` (as a WantedSegments node answers). */
  get(key: string): PathsBelow | undefined {
    const { order, paths, depth } = this;
    // The key as a segment compares (see compareSegments): a sequence's keys are its indexes' texts.
    const index = indexOf(key);
    const segment = index >= 0 ? index : key;
    // (Paths ending at this node sort first, then by the segment after it.)
    let lo = this.from;
    let hi = this.to;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const i = order[mid];
      if (paths.lengthOf(i) <= depth || compareSegments(paths.segment(i, depth), segment) < 0) lo = mid + 1;
      else hi = mid;
    }
    const first = lo;
    hi = this.to;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareSegments(paths.segment(order[mid], depth), segment) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return first === lo ? undefined : new PathsBelow(order, paths, first, lo, depth + 1);
  }
}

/** Paths by their segments (see compareSegments), a path before the longer ones it starts. */
export function comparePaths(a: Path, b: Path): number {
  return compareJoined(NO_BASE, a, NO_BASE, b);
}

/** As comparePaths, of two paths each given as a base then a path below it (see LocatedAsRead). */
export function compareJoined(aBase: Path, a: Path, bBase: Path, b: Path): number {
  // (Two paths in one resource: their bases are one array.)
  if (aBase === bBase) {
    const shorter = Math.min(a.length, b.length);
    for (let k = 0; k < shorter; k++) {
      const order = compareSegments(a[k], b[k]);
      if (order !== 0) return order;
    }
    return a.length - b.length;
  }
  const aLength = aBase.length + a.length;
  const bLength = bBase.length + b.length;
  const shorter = Math.min(aLength, bLength);
  for (let k = 0; k < shorter; k++) {
    const x = k < aBase.length ? aBase[k] : a[k - aBase.length];
    const y = k < bBase.length ? bBase[k] : b[k - bBase.length];
    const order = compareSegments(x, y);
    if (order !== 0) return order;
  }
  return aLength - bLength;
}

/**
 * A total order of segments in which two segments are equal exactly when their texts are (a map key matches a
 * segment by its text, `String(segment)`; a sequence index by that text too): indexes (a non-negative integer, or
 * its decimal text) by value, before every other segment, those by text.
 */
function compareSegments(a: string | number, b: string | number): number {
  if (a === b) return 0;
  if (isIndex(a) && isIndex(b)) return (a as number) - (b as number);
  const x = indexOf(a);
  const y = indexOf(b);
  if (x >= 0 || y >= 0) return x < 0 ? 1 : y < 0 ? -1 : x - y;
  const p = String(a);
  const q = String(b);
  return p < q ? -1 : p > q ? 1 : 0;
}

function isIndex(segment: string | number): boolean {
  return typeof segment === 'number' && (segment | 0) === segment && segment >= 0;
}

/** The segment as a sequence index when it is one or is its decimal text (no leading zero), else -1. */
function indexOf(segment: string | number): number {
  if (typeof segment === 'number') return Number.isSafeInteger(segment) && segment >= 0 ? segment : -1;
  const length = segment.length;
  if (length === 0 || length > 15) return -1;
  const first = segment.charCodeAt(0);
  if (first < 48 || first > 57 || (first === 48 && length > 1)) return -1;
  for (let k = 1; k < length; k++) {
    const c = segment.charCodeAt(k);
    if (c < 48 || c > 57) return -1;
  }
  return Number(segment);
}
