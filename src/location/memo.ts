// Locations resolved once per file, document, path and target. A lint run owns one memo and hands it to whatever
// resolves locations ahead of it (parser threads) and to the --cache, which keeps it with each file's parse.
import {
  locate,
  locationKey,
  NOTHING_MISSING,
  type LocatableDocument,
  type LocatableText,
  type Located,
  type Path,
  type Range,
  type Target,
} from './locate.js';

/**
 * What the memo keeps of a location: its range alone when the path was found whole (nearly every location), else the
 * Located. (A Located object each was ~40 bytes more per location, kept for the run.)
 */
type Kept = Range | Located;

function located(kept: Kept): Located {
  return 'missing' in kept ? kept : { range: kept, missing: NOTHING_MISSING };
}

export class LocationMemo {
  readonly #byFile = new Map<LocatableText, Map<string, Kept>>();

  /** The locations known for a file, by `locationKey`; empty when none is. (A copy: for the cache, not for look-ups.) */
  of(file: LocatableText): ReadonlyMap<string, Located> {
    const out = new Map<string, Located>();
    for (const [key, kept] of this.#byFile.get(file) ?? []) out.set(key, located(kept));
    return out;
  }

  has(file: LocatableText, key: string): boolean {
    return this.#byFile.get(file)?.has(key) ?? false;
  }

  set(file: LocatableText, key: string, found: Located): void {
    let known = this.#byFile.get(file);
    if (!known) this.#byFile.set(file, (known = new Map()));
    known.set(key, found.missing.length === 0 ? found.range : found);
  }

  /** Repeated questions, and a warm --cache run, need no syntax tree. */
  locate(file: LocatableText, document: LocatableDocument, path: Path, target: Target = 'pair'): Located {
    return located(this.#find(file, document, path, target));
  }

  /** The range of `locate`'s answer (no object made for it). */
  rangeOf(file: LocatableText, document: LocatableDocument, path: Path, target: Target = 'pair'): Range {
    const kept = this.#find(file, document, path, target);
    return 'missing' in kept ? kept.range : kept;
  }

  #find(file: LocatableText, document: LocatableDocument, path: Path, target: Target): Kept {
    const key = locationKey(document.index, path, target);
    const known = this.#byFile.get(file)?.get(key);
    if (known) return known;
    const found = locate(file, document, path, target);
    this.set(file, key, found);
    return found.missing.length === 0 ? found.range : found;
  }
}
