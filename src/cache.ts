// --cache: what parsing produced for each file (values, problems, resolved locations), keyed by the hash of its
// bytes, in one file invalidated as a whole when the running build of meshlint (src/build-id.ts), the configuration
// or the rule set changes. A warm run of an unchanged repository parses no YAML at all.
//
// Parsed values are the manifests' contents, secrets included, so no entry is stored in the clear: each is encrypted
// (AES-256-GCM) with a key derived from the file's own text. A warm run reads the file anyway (to hash it), so it
// can decrypt what it needs; the cache file alone, without the repository, yields nothing. The key is derived in
// another domain than the hash that indexes the entry, so the index does not give the key away. Files are 0600.
//
// A cache file says what the findings are, so a forged one (committed to a repository, say, with its findings
// emptied) would pass anything: every file is authenticated with an HMAC whose key is kept in the user's cache
// directory, outside any repository, made on first use. A cache written with another key (another user, another
// machine) or changed since is ignored, and the run lints afresh.
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { fromFileData, toFileData, type SourceFile, type SourceFileData } from './parse/source.js';
import type { Located } from './location/locate.js';
import type { LocationMemo } from './location/memo.js';
import type { Config } from './engine/config.js';
import type { AnyRule } from './engine/rule.js';
import type { LintResult } from './engine/run.js';
import { plainFinding } from './engine/message.js';
import { buildId } from './build-id.js';
import { cacheKey, removeLeftovers } from './cache-key.js';
import { writeAtomically } from './atomic-write.js';
import { v8, crypto } from './lazy-packages.js';

export { cacheKey, cacheKeyFile, defaultCacheLocation } from './cache-key.js';

const MAGIC = Buffer.from('meshlint-cache/v2\n');
const MAC_BYTES = 32;

function macOf(key: Buffer, role: string, body: Uint8Array): Buffer {
  return crypto().createHmac('sha256', key).update(`meshlint/cache/${role}\0`).update(body).digest();
}

/** The file's contents with their MAC, so that only a holder of the key can write what a later run believes. */
function authenticated(key: Buffer, role: string, value: unknown): Buffer {
  const body = v8().serialize(value);
  return Buffer.concat([MAGIC, macOf(key, role, body), body]);
}

/** What a cache file holds, 'missing', or 'forged' (another key, changed, damaged); nothing unauthenticated is decoded. */
function readAuthenticated(key: Buffer, role: string, path: string): unknown {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return MISSING;
  }
  const start = MAGIC.length + MAC_BYTES;
  if (bytes.length < start || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return FORGED;
  const body = bytes.subarray(start);
  if (!crypto().timingSafeEqual(bytes.subarray(MAGIC.length, start), macOf(key, role, body))) return FORGED;
  try {
    return v8().deserialize(body);
  } catch {
    return FORGED;
  }
}

const MISSING = Symbol('missing');
const FORGED = Symbol('forged');

function sameStamps(a: Record<string, FileStamp>, b: Record<string, FileStamp>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((path) => {
    const [x, y] = [a[path], b[path]];
    return y !== undefined && x.size === y.size && x.mtimeMs === y.mtimeMs && x.hash === y.hash;
  });
}

/** How a run used the cache, for --stats. */
export interface CacheUse {
  /** 'result': the previous run's whole result; 'files': parses of unchanged files; 'nothing': all linted afresh. */
  readonly reused: 'result' | 'files' | 'nothing';
  /** Why a cache file that was there was not used. */
  readonly ignored?: string;
}

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
  return crypto().createHash('sha256').update('meshlint/cache/entry-key/v1\0').update(text).digest();
}

function seal(entry: Entry, text: string): Sealed {
  const iv = crypto().randomBytes(12);
  const cipher = crypto().createCipheriv('aes-256-gcm', keyOf(text), iv);
  const sealed = Buffer.concat([cipher.update(v8().serialize(entry)), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), sealed, locationCount: entry.locations.length };
}

/** The entry, or undefined when the text is not the one it was sealed with (or the entry is damaged). */
function unseal(stored: Sealed, text: string): Entry | undefined {
  try {
    const decipher = crypto().createDecipheriv('aes-256-gcm', keyOf(text), stored.iv);
    decipher.setAuthTag(stored.tag);
    return v8().deserialize(Buffer.concat([decipher.update(stored.sealed), decipher.final()])) as Entry;
  } catch {
    return undefined;
  }
}

/** The last run's whole result, in a small file of its own, for when every file is as it was. */
interface StoredRun {
  readonly key: string;
  readonly runKey: string;
  readonly result: LintResult;
  /**
   * Files the run read beyond the discovered ones (a kustomize build's env files, bases elsewhere), by hash; paths
   * relative to the working directory, like the discovered files' (a repository checked out elsewhere, or the
   * index exported by --staged, is the same run).
   */
  readonly inputs?: readonly (readonly [string, string])[];
  /** Size, modification time and hash of each file of that run, by path: what a later run need not read again. */
  readonly stamps?: Record<string, FileStamp>;
  /**
   * When the run searched for Helm charts: what it found (charts relative to the working directory, `cwd`). A chart
   * added anywhere it searched changes the result (see previousChartSearch).
   */
  readonly chartSearch?: ChartSearch & { readonly cwd?: string };
  /**
   * Environment variables the run read (kustomize env files), each with the digest of its value keyed with the
   * user's cache key (a value may be a secret: the digest tells nothing without the key).
   */
  readonly environment?: readonly (readonly [string, string])[];
}

/**
 * A search for Helm charts in the scanned paths' scope: the charts found (absolute, sorted) and every folder and
 * ignore file it covered (absolute), with its stamp (see src/file-stamp.ts) taken before the search.
 */
export interface ChartSearch {
  /** The folders searched (absolute, see chartScope in src/scan.ts); absent in a search stored before they were told. */
  readonly scope?: readonly string[];
  readonly charts: readonly string[];
  readonly folders: readonly (readonly [string, string])[];
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

export function hashBytes(bytes: Uint8Array): string {
  return crypto().createHash('sha256').update(bytes).digest('hex').slice(0, 40);
}

/** Where a scan may keep the files a directory expansion found, with what tells that they are still the same. */
export interface ListingStore {
  listing(query: string): DirectoryListing | undefined;
  keepListing(query: string, listing: DirectoryListing): void;
}

export interface DirectoryListing {
  /** The regular files found (absolute). */
  readonly files: readonly string[];
  /** Every directory walked and every ignore file that may apply, with its stamp (see stampOf). */
  readonly stamps: readonly (readonly [string, string])[];
}

/** Where the cache lives and the file holding the key that authenticates it (see cacheKey). */
export interface CacheFiles {
  readonly location: string;
  readonly keyFile: string;
}

interface StoredListing {
  readonly key: string;
  readonly query: string;
  readonly listing: DirectoryListing;
}

export class ScanCache implements ListingStore {
  readonly #path: string;
  readonly #key: string;
  readonly #secret: Buffer;
  readonly #rules: readonly AnyRule[];
  readonly #cwd: string;
  #previousEntries: Record<string, Sealed> | undefined;
  readonly #current = new Map<string, SourceFile>();
  /** Why a cache file that was there could not be used. */
  #ignored: string | undefined;

  private constructor(path: string, key: string, secret: Buffer, rules: readonly AnyRule[], cwd: string) {
    this.#path = path;
    this.#key = key;
    this.#secret = secret;
    this.#rules = rules;
    this.#cwd = cwd;
  }

  /** A stored file of this cache, when it was written with this user's key and for this build and configuration. */
  #read<T extends { key: string }>(role: string, path: string): T | undefined {
    const stored = readAuthenticated(this.#secret, role, path);
    if (stored === MISSING) return undefined;
    if (stored === FORGED) {
      this.#ignored ??= `${path} was not written by this user's meshlint (another user's or machine's key) or was changed since: ignored`;
      return undefined;
    }
    const value = stored as T | undefined;
    if (value?.key === this.#key) return value;
    this.#ignored ??= `${path} was written by another build of meshlint or for another configuration: not reused`;
    return undefined;
  }

  #write(path: string, role: string, value: Stored | StoredRun | StoredListing): void {
    writeAtomically(path, authenticated(this.#secret, role, value));
  }

  /** The per-file entries, read on first need (a reused run never needs them). */
  get #previous(): Record<string, Sealed> {
    this.#previousEntries ??= this.#read<Stored>('entries', this.#path)?.entries ?? {};
    return this.#previousEntries;
  }

  #storedRun: StoredRun | undefined | null = null;

  /** The last run as stored (read once), when it was made with the same build, rules and configuration. */
  get #lastRun(): StoredRun | undefined {
    if (this.#storedRun === null) this.#storedRun = this.#read<StoredRun>('run', `${this.#path}.run`);
    return this.#storedRun;
  }

  /** The files a directory expansion found last time, if it was this one (the caller checks the stamps). */
  listing(query: string): DirectoryListing | undefined {
    const stored = this.#read<StoredListing>('listing', `${this.#path}.list`);
    return stored?.query === query ? stored.listing : undefined;
  }

  keepListing(query: string, listing: DirectoryListing): void {
    try {
      mkdirSync(dirname(this.#path), { recursive: true, mode: 0o700 });
      this.#write(`${this.#path}.list`, 'listing', { key: this.#key, query, listing });
    } catch {
      // not kept: the next run expands the directories again
    }
  }

  /** Why a cache that was there was not used, if so. */
  get ignored(): string | undefined {
    return this.#ignored;
  }

  /** Whether any file was restored from the cache this run. */
  restoredAny = false;

  /** The hash of a file's bytes as the last run saw them, when its size and modification time are unchanged. */
  knownHash(path: string, size: number, mtimeMs: number): string | undefined {
    const stamp = this.#lastRun?.stamps?.[path];
    return stamp && stamp.size === size && stamp.mtimeMs === mtimeMs ? stamp.hash : undefined;
  }

  /** The files the last run read beyond the discovered ones (absolute), which previousRun checked. */
  previousInputs(): string[] {
    return (this.#lastRun?.inputs ?? []).map(([path]) => resolve(this.#cwd, path));
  }

  /** The digest of an environment variable's value (unset is a value of its own), keyed with the user's key. */
  #environmentDigest(name: string): string {
    const value = process.env[name];
    return crypto()
      .createHmac('sha256', this.#secret)
      .update(`meshlint/cache/environment\0${name}\0${value === undefined ? 'unset' : `set\0${value}`}`)
      .digest('hex');
  }

  /**
   * What the last run's search for Helm charts found (absolute), if it searched; `madeHere` when that run worked in
   * this working directory (its charts are stored relative to it: from another one they name other paths).
   */
  previousChartSearch(): (ChartSearch & { readonly madeHere: boolean }) | undefined {
    const search = this.#lastRun?.chartSearch;
    if (!search) return undefined;
    const charts = search.charts.map((path) => resolve(this.#cwd, path));
    return { scope: search.scope, charts, folders: search.folders, madeHere: search.cwd === this.#cwd };
  }

  /**
   * The whole result of the last run, if it scanned exactly these files with exactly these bytes (and the other
   * files it read, recorded with it, are unchanged too). Its notices are those of the lint: the caller adds the ones
   * of this run's discovery.
   */
  previousRun(runKey: string, stamps: Record<string, FileStamp> = {}): LintResult | undefined {
    try {
      const stored = this.#lastRun;
      if (
        stored &&
        stored.runKey === runKey &&
        (stored.inputs ?? []).every(([path, hash]) => hashOfFile(resolve(this.#cwd, path)) === hash) &&
        (stored.environment ?? []).every(([name, digest]) => this.#environmentDigest(name) === digest)
      ) {
        // Rules are code, not data: the stored result names them by id.
        const byId = new Map(this.#rules.map((rule) => [rule.id, rule]));
        const rules = (stored.result.rules as unknown as string[])
          .map((id) => byId.get(id))
          .filter((rule) => rule !== undefined);
        // Files touched but unchanged (a checkout) were read and hashed this time: keep their new stamps, so that
        // the next run need not read them again.
        if (!sameStamps(stored.stamps ?? {}, stamps)) {
          try {
            this.#write(`${this.#path}.run`, 'run', { ...stored, stamps });
          } catch {
            // a cache that cannot be written is still read: the next run reads those files again
          }
        }
        return { ...stored.result, rules };
      }
    } catch {
      // damaged: scan
    }
    return undefined;
  }

  /**
   * Opens the cache; a missing, outdated or foreign one starts empty. Leftovers of a run killed while writing it
   * are removed. Throws (with a message for a notice) when the user's key cannot be had.
   */
  static open(files: CacheFiles, config: Config, rules: readonly AnyRule[], cwd: string): ScanCache {
    const secret = cacheKey(files.keyFile);
    const key = crypto()
      .createHash('sha256')
      .update(
        JSON.stringify({
          build: buildId(),
          rules: rules.map((r) => r.id),
          config: {
            rules: [...config.rules],
            ignore: config.ignore,
            settings: config.settings,
            kustomize: config.kustomize,
            helm: config.helm,
            customRules: config.custom.key,
          },
        }),
      )
      .digest('hex');
    const name = basename(files.location);
    removeLeftovers(dirname(files.location), [`${name}.run`, `${name}.list`, `${name}.out`, name]);
    return new ScanCache(files.location, key, secret, rules, cwd);
  }

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
    this.restoredAny = true;
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
    read: { chartSearch?: ChartSearch; environment?: readonly string[] } = {},
  ): string | undefined {
    const { chartSearch, environment } = read;
    try {
      mkdirSync(dirname(this.#path), { recursive: true, mode: 0o700 });
      if (!this.#unchanged(memo) || this.#ignored) {
        const entries: Record<string, Sealed> = {};
        for (const [hash, file] of this.#current) {
          const { path: _path, text, ...data } = toFileData(file);
          entries[hash] = seal({ data, locations: [...memo.of(file)] }, text);
        }
        this.#write(this.#path, 'entries', { key: this.#key, entries } satisfies Stored);
      }
      if (runKey) {
        const run: StoredRun = {
          key: this.#key,
          runKey,
          result: {
            ...result,
            // Each message as text: a finding renders its message when read (a copy of its fields has none).
            findings: result.findings.map(plainFinding),
            rules: result.rules.map((rule) => rule.id) as unknown as LintResult['rules'],
          },
          ...(inputs.length
            ? { inputs: inputs.map((path) => [relative(this.#cwd, path), hashOfFile(path)] as const) }
            : {}),
          stamps,
          ...(chartSearch
            ? {
                chartSearch: {
                  scope: chartSearch.scope,
                  charts: chartSearch.charts.map((path) => relative(this.#cwd, path)),
                  folders: chartSearch.folders,
                  cwd: this.#cwd,
                },
              }
            : {}),
          ...(environment?.length
            ? { environment: environment.map((name) => [name, this.#environmentDigest(name)] as const) }
            : {}),
        };
        this.#write(`${this.#path}.run`, 'run', run);
      }
      return undefined;
    } catch (error) {
      return `cannot write the cache ${this.#path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    }
  }
}
