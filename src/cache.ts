// --cache: what parsing produced for each file (values, problems, resolved locations), keyed by the hash of its
// bytes, in one file invalidated as a whole when meshlint's version, the configuration or the rule set changes.
// A warm run of an unchanged repository parses no YAML at all.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { fromFileData, toFileData, type SourceFile, type SourceFileData } from './parse/source.js';
import type { Config } from './engine/config.js';
import type { AnyRule } from './engine/rule.js';
import { VERSION } from './version.js';

export const DEFAULT_CACHE_LOCATION = join('node_modules', '.cache', 'meshlint', 'cache.bin');

interface Entry {
  readonly data: Omit<SourceFileData, 'path' | 'text'>;
  readonly locations: [string, SourceFile['locations'] extends Map<string, infer V> ? V : never][];
}

interface Stored {
  readonly key: string;
  readonly entries: Record<string, Entry>;
}

export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 40);
}

export class ScanCache {
  readonly #path: string;
  readonly #key: string;
  readonly #previous: Record<string, Entry>;
  readonly #current = new Map<string, SourceFile>();

  private constructor(path: string, key: string, previous: Record<string, Entry>) {
    this.#path = path;
    this.#key = key;
    this.#previous = previous;
  }

  /** Opens the cache at `path`; a missing, unreadable or outdated one starts empty. */
  static open(path: string, config: Config, rules: readonly AnyRule[]): ScanCache {
    const key = createHash('sha256')
      .update(JSON.stringify({ version: VERSION, rules: rules.map((r) => r.id), config: { rules: [...config.rules], ignore: config.ignore, settings: config.settings } }))
      .digest('hex');
    let previous: Record<string, Entry> = {};
    try {
      const stored = deserialize(readFileSync(path)) as Stored;
      if (stored?.key === key && stored.entries) previous = stored.entries;
    } catch {
      // no cache yet, or one from another format: start afresh
    }
    return new ScanCache(path, key, previous);
  }

  /** The file as parsed before, if these exact bytes were seen; `text` is what parseSource reads from them. */
  restore(hash: string, path: string, text: string): SourceFile | undefined {
    const entry = this.#previous[hash];
    if (!entry) return undefined;
    const file = fromFileData({ ...entry.data, path, text });
    for (const [key, located] of entry.locations) file.locations.set(key, located);
    return file;
  }

  /** Marks a file (by the hash of its bytes) to be kept; its locations are taken when the cache is saved. */
  remember(hash: string, file: SourceFile): void {
    this.#current.set(hash, file);
  }

  /** Same files as the stored cache and no location resolved anew: nothing to write. */
  #unchanged(): boolean {
    const previous = Object.keys(this.#previous);
    if (previous.length !== this.#current.size) return false;
    for (const [hash, file] of this.#current) {
      const entry = this.#previous[hash];
      if (!entry || entry.locations.length !== file.locations.size) return false;
    }
    return true;
  }

  /** Writes the files of this run (and only them), atomically. Failing to write is not an error of the scan. */
  save(): string | undefined {
    if (this.#unchanged()) return undefined;
    const entries: Record<string, Entry> = {};
    for (const [hash, file] of this.#current) {
      const { path: _path, text: _text, ...data } = toFileData(file);
      entries[hash] = { data, locations: [...file.locations] };
    }
    try {
      mkdirSync(dirname(this.#path), { recursive: true });
      const temporary = `${this.#path}.${process.pid}.tmp`;
      writeFileSync(temporary, serialize({ key: this.#key, entries } satisfies Stored));
      renameSync(temporary, this.#path);
      return undefined;
    } catch (error) {
      return `cannot write the cache ${this.#path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    }
  }
}
