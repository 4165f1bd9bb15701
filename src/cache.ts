// --cache: what parsing produced for each file (values, problems, resolved locations), keyed by the hash of its
// bytes, in one file invalidated as a whole when meshlint's version, the configuration or the rule set changes.
// A warm run of an unchanged repository parses no YAML at all.
//
// Parsed values are the manifests' contents, secrets included, so no entry is stored in the clear: each is encrypted
// (AES-256-GCM) with a key derived from the file's own text. A warm run reads the file anyway (to hash it), so it
// can decrypt what it needs; the cache file alone, without the repository, yields nothing. The key is derived in
// another domain than the hash that indexes the entry, so the index does not give the key away. Files are 0600.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
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

/** An entry as stored: encrypted with the key of its file's text. */
interface Sealed {
  readonly iv: Uint8Array;
  readonly tag: Uint8Array;
  readonly sealed: Uint8Array;
  /** Entry facts the save needs without decrypting: how many locations it holds. */
  readonly locationCount: number;
}

interface Stored {
  readonly key: string;
  readonly entries: Record<string, Sealed>;
}

function keyOf(text: string): Buffer {
  return createHash('sha256').update('meshlint/cache/entry-key/v1\0').update(text).digest();
}

function seal(entry: Entry, text: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(text), iv);
  const sealed = Buffer.concat([cipher.update(serialize(entry)), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), sealed, locationCount: entry.locations.length };
}

/** The entry, or undefined when the text is not the one it was sealed with (or the entry is damaged). */
function unseal(stored: Sealed, text: string): Entry | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(text), stored.iv);
    decipher.setAuthTag(stored.tag);
    return deserialize(Buffer.concat([decipher.update(stored.sealed), decipher.final()])) as Entry;
  } catch {
    return undefined;
  }
}

/** The last run's whole result, in a small file of its own, for when every file is as it was. */
interface StoredRun {
  readonly key: string;
  readonly runKey: string;
  readonly result: LintResult;
  /** Files the run read beyond the discovered ones (a kustomize build's env files, bases elsewhere), by hash. */
  readonly inputs?: readonly (readonly [string, string])[];
  /** Size, modification time and hash of each file of that run, by path: what a later run need not read again. */
  readonly stamps?: Record<string, FileStamp>;
}

/** What tells, without reading a file, that it holds the bytes it held before (as ESLint's cache does). */
export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
  readonly hash: string;
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
  writeFileSync(temporary, data, { mode: 0o600 });
  renameSync(temporary, path);
}

export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 40);
}

export class ScanCache {
  readonly #path: string;
  readonly #key: string;
  #previousEntries: Record<string, Sealed> | undefined;
  readonly #current = new Map<string, SourceFile>();

  private constructor(path: string, key: string) {
    this.#path = path;
    this.#key = key;
  }

  /** The per-file entries, read on first need (a reused run never needs them). */
  get #previous(): Record<string, Sealed> {
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

  #storedRun: StoredRun | undefined | null = null;

  /** The last run as stored (read once), when it was made with the same version, rules and configuration. */
  get #lastRun(): StoredRun | undefined {
    if (this.#storedRun === null) {
      this.#storedRun = undefined;
      try {
        const stored = deserialize(readFileSync(`${this.#path}.run`)) as StoredRun;
        if (stored?.key === this.#key) this.#storedRun = stored;
      } catch {
        // none, or unreadable: scan
      }
    }
    return this.#storedRun;
  }

  /** The hash of a file's bytes as the last run saw them, when its size and modification time are unchanged. */
  knownHash(path: string, size: number, mtimeMs: number): string | undefined {
    const stamp = this.#lastRun?.stamps?.[path];
    return stamp && stamp.size === size && stamp.mtimeMs === mtimeMs ? stamp.hash : undefined;
  }

  /**
   * The whole result of the last run, if it scanned exactly these files with exactly these bytes (and the other
   * files it read, recorded with it, are unchanged too).
   */
  previousRun(runKey: string): LintResult | undefined {
    try {
      const stored = this.#lastRun;
      if (
        stored &&
        stored.runKey === runKey &&
        (stored.inputs ?? []).every(([path, hash]) => hashOfFile(path) === hash)
      ) {
        // Rules are code, not data: the stored result names them by id.
        const byId = new Map(this.#rules.map((rule) => [rule.id, rule]));
        const rules = (stored.result.rules as unknown as string[])
          .map((id) => byId.get(id))
          .filter((rule) => rule !== undefined);
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
      .update(
        JSON.stringify({
          version: VERSION,
          rules: rules.map((r) => r.id),
          config: {
            rules: [...config.rules],
            ignore: config.ignore,
            settings: config.settings,
            customRules: config.custom.key,
          },
        }),
      )
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
    const stored = this.#previous[hash];
    const entry = stored && unseal(stored, text);
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
      if (!entry || entry.locationCount !== memo.of(file).size) return false;
    }
    return true;
  }

  /**
   * Writes the files of this run (and only them, with their locations from the run's memo) and, given a run key,
   * the run's result; atomically. Failing to write is not an error of the scan: the message is returned for a notice.
   */
  save(
    runKey: string | undefined,
    result: LintResult,
    memo: LocationMemo,
    inputs: readonly string[] = [],
    stamps: Record<string, FileStamp> = {},
  ): string | undefined {
    try {
      mkdirSync(dirname(this.#path), { recursive: true, mode: 0o700 });
      if (!this.#unchanged(memo)) {
        const entries: Record<string, Sealed> = {};
        for (const [hash, file] of this.#current) {
          const { path: _path, text, ...data } = toFileData(file);
          entries[hash] = seal({ data, locations: [...memo.of(file)] }, text);
        }
        writeAtomically(this.#path, serialize({ key: this.#key, entries } satisfies Stored));
      }
      if (runKey) {
        const run: StoredRun = {
          key: this.#key,
          runKey,
          result: { ...result, rules: result.rules.map((rule) => rule.id) as unknown as LintResult['rules'] },
          ...(inputs.length ? { inputs: inputs.map((path) => [path, hashOfFile(path)] as const) } : {}),
          stamps,
        };
        writeAtomically(`${this.#path}.run`, serialize(run));
      }
      return undefined;
    } catch (error) {
      return `cannot write the cache ${this.#path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    }
  }
}
