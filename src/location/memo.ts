// Locations resolved once per file, document, path and target. A lint run owns one memo and hands it to whatever
// resolves locations ahead of it (parser threads) and to the --cache, which keeps it with each file's parse.
import {
  locate,
  locationKey,
  type LocatableDocument,
  type LocatableText,
  type Located,
  type Path,
  type Target,
} from './locate.js';

export class LocationMemo {
  readonly #byFile = new Map<LocatableText, Map<string, Located>>();

  /** The locations known for a file, by `locationKey`; empty when none is. */
  of(file: LocatableText): ReadonlyMap<string, Located> {
    return this.#byFile.get(file) ?? new Map();
  }

  has(file: LocatableText, key: string): boolean {
    return this.#byFile.get(file)?.has(key) ?? false;
  }

  set(file: LocatableText, key: string, located: Located): void {
    let known = this.#byFile.get(file);
    if (!known) this.#byFile.set(file, (known = new Map()));
    known.set(key, located);
  }

  /** Repeated questions, and a warm --cache run, need no syntax tree. */
  locate(file: LocatableText, document: LocatableDocument, path: Path, target: Target = 'pair'): Located {
    const key = locationKey(document.index, path, target);
    const known = this.#byFile.get(file)?.get(key);
    if (known) return known;
    const located = locate(file, document, path, target);
    this.set(file, key, located);
    return located;
  }
}
