// --cache: what parsing produced for each file (values, problems, resolved locations), keyed by the hash of its
// bytes, in one file invalidated as a whole when meshlint's version, the configuration or the rule set changes.
// A warm run of an unchanged repository parses no YAML at all.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { fromFileData, toFileData, type SourceFile, type SourceFileData } from './parse/source.js';
import type { Located } from './location/locate.js';
import type { LocationMemo } from './location/memo.js';
import type { Config } from './engine/config.js';
import type { AnyRule } from './engine/rule.js';
import type { LintResult } from './engine/run.js';
import { VERSION } from './version.js';

export const DEFAULT_CACHE_LOCATION = join('node_modules', '.cache', 'meshlint', 'cache.bin');

interface Entry {
  readonly data: Omit<SourceFileData, 'path' | 'text'>;
  readonly locations: [string, Located][];
}

interface Stored {
  readonly key: string;
  readonly entries: Record<string, Entry>;
}

/** The last run's whole result, in a small file of its own, for when every file is as it was. */
interface StoredRun {
  readonly key: string;
  readonly runKey: string;
  readonly result: LintResult;
  /** Files the run read beyond the discovered ones (a kustomize build's env files, bases elsewhere), by hash. */
  readonly inputs?: readonly (readonly [string, string])[];
}

/** The hash of a file's bytes, or '' when it cannot be read. */
function hashOfFile(path: string): string {
  try {
    return hashBytes(readFileSync(path));
  } catch {
    return '';
  }
}

function writeAtomically(path: string, data: Uint8Array): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}

export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 40);
}

export class ScanCache {
  readonly #path: string;
  readonly #key: string;
  #previousEntries: Record<string, Entry> | undefined;
  readonly #current = new Map<string, SourceFile>();

  private constructor(path: string, key: string) {
    this.#path = path;
    this.#key = key;
  }

  /** The per-file entries, read on first need (a reused run never needs them). */
  get #previous(): Record<string, Entry> {
    if (!this.#previousEntries) {
      this.#previousEntries = {};
      try {
        const stored = deserialize(readFileSync(this.#path)) as Stored;
        if (stored?.key === this.#key && stored.entries) this.#previousEntries = stored.entries;
      } catch {
        // no cache yet, or one from another format: start afresh
      }
    }
    return this.#previousEntries;
  }

  /**
   * The whole result of the last run, if it scanned exactly these files with exactly these bytes (and the other
   * files it read, recorded with it, are unchanged too).
   */
  previousRun(runKey: string): LintResult | undefined {
    try {
      const stored = deserialize(readFileSync(`${this.#path}.run`)) as StoredRun;
      if (stored?.key === this.#key && stored.runKey === runKey && (stored.inputs ?? []).every(([path, hash]) => hashOfFile(path) === hash)) {
        // Rules are code, not data: the stored result names them by id.
        const byId = new Map(this.#rules.map((rule) => [rule.id, rule]));
        const rules = (stored.result.rules as unknown as string[]).map((id) => byId.get(id)).filter((rule) => rule !== undefined);
        return { ...stored.result, rules };
      }
    } catch {
      // none, or unreadable: scan
    }
    return undefined;
  }

  /** Opens the cache at `path`; a missing, unreadable or outdated one starts empty. */
  static open(path: string, config: Config, rules: readonly AnyRule[]): ScanCache {
    const key = createHash('sha256')
      .update(JSON.stringify({ version: VERSION, rules: rules.map((r) => r.id), config: { rules: [...config.rules], ignore: config.ignore, settings: config.settings, customRules: config.custom.key } }))
      .digest('hex');
    const cache = new ScanCache(path, key);
    cache.#rules = rules;
    return cache;
  }

  #rules: readonly AnyRule[] = [];

  /**
   * The file as parsed before, if these exact bytes were seen; `text` is what parseSource reads from them. Its
   * locations go into the run's memo.
   */
  restore(hash: string, path: string, text: string, memo: LocationMemo): SourceFile | undefined {
    const entry = this.#previous[hash];
    if (!entry) return undefined;
    const file = fromFileData({ ...entry.data, path, text });
    for (const [key, located] of entry.locations) memo.set(file, key, located);
    return file;
  }

  /** Marks a file (by the hash of its bytes) to be kept; its locations are taken when the cache is saved. */
  remember(hash: string, file: SourceFile): void {
    this.#current.set(hash, file);
  }

  /** Same files as the stored cache and no location resolved anew: nothing to write. */
  #unchanged(memo: LocationMemo): boolean {
    const previous = Object.keys(this.#previous);
    if (previous.length !== this.#current.size) return false;
    for (const [hash, file] of this.#current) {
      const entry = this.#previous[hash];
      if (!entry || entry.locations.length !== memo.of(file).size) return false;
    }
    return true;
  }

  /**
   * Writes the files of this run (and only them, with their locations from the run's memo) and, given a run key,
   * the run's result; atomically. Failing to write is not an error of the scan: the message is returned for a notice.
   */
  save(runKey: string | undefined, result: LintResult, memo: LocationMemo, inputs: readonly string[] = []): string | undefined {
    try {
      mkdirSync(dirname(this.#path), { recursive: true });
      if (!this.#unchanged(memo)) {
        const entries: Record<string, Entry> = {};
        for (const [hash, file] of this.#current) {
          const { path: _path, text: _text, ...data } = toFileData(file);
          entries[hash] = { data, locations: [...memo.of(file)] };
        }
        writeAtomically(this.#path, serialize({ key: this.#key, entries } satisfies Stored));
      }
      if (runKey) {
        const run: StoredRun = {
          key: this.#key,
          runKey,
          result: { ...result, rules: result.rules.map((rule) => rule.id) as unknown as LintResult['rules'] },
          ...(inputs.length ? { inputs: inputs.map((path) => [path, hashOfFile(path)] as const) } : {}),
        };
        writeAtomically(`${this.#path}.run`, serialize(run));
      }
      return undefined;
    } catch (error) {
      return `cannot write the cache ${this.#path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    }
  }
}
