// Reading and parsing files, on this thread or on parser threads (when asked for: -j). Threads send back values and
// text, never syntax trees (those are rebuilt per document, only where a finding needs a location: see fromFileData).
import { readFileSync, statSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import {
  type DecodedText,
  decodeText,
  documentCount,
  fromFileData,
  parseDocumentText,
  parseSource,
  releaseLeanTree,
  toFileData,
  unreadableFile,
  type ParseOptions,
  type SourceDocument,
  type SourceFile,
  type SourceFileData,
} from './source.js';
import {
  locateOffsets,
  locationKey,
  rangeOfOffsets,
  type LocatedOffsets,
  type LocatableDocument,
  type Path,
  type Range,
  type Target,
} from '../location/locate.js';
import type { LocationMemo } from '../location/memo.js';
import { compareJoined, joinPath, LocatedAsRead } from '../location/as-read.js';
import { workerThreads } from '../lazy-packages.js';

export interface ParseJob {
  readonly absolute: string;
  /** The path shown to users. */
  readonly shown: string;
}

export type ParseOutcome =
  | { readonly kind: 'file'; readonly file: SourceFile }
  | { readonly kind: 'notice'; readonly file: string; readonly message: string; readonly notLinted: true };

type WireOutcome =
  | { kind: 'file'; data: SourceFileData }
  | { kind: 'notice'; file: string; message: string; notLinted: true };

const PARSER_ROLE = 'meshlint-parser';
/**
 * A parser thread's only command-line argument: it tells the thread apart without loading node:worker_threads,
 * which a run without threads never needs (its workerData then confirms).
 */
const PARSER_ARGUMENT = '--meshlint-parser-thread';

const BATCH = 8;
/**
 * A parser thread's heap cap. Without it each thread's heap grows with the largest files it has seen and the
 * process peaks near 550 MB on the corpus; with it, about 350 MB at the same speed (measured). A file too large for
 * the cap makes its thread fail, and that batch is parsed on the main thread.
 */
const WORKER_HEAP_MB = 160;
/**
 * Larger files are parsed on the main thread. A parse holds about 40 times the file's size at its peak (a 4 MB file
 * of Deployments exhausts a 160 MB thread, a 3 MB one does not; measured), and a thread holds its batch's results.
 */
const MAX_THREAD_FILE_BYTES = (WORKER_HEAP_MB / 64) * 1024 * 1024;

/** Where a finding (or a related location) must be located. */
export interface LocationRequest {
  readonly file: SourceFile;
  readonly document: SourceDocument;
  readonly path: Path;
  /**
   * When given, `path` is below it: the location is at base then path (a finding in its resource: see LocatedAsRead).
   * Only locateAll reads it.
   */
  readonly base?: Path;
  readonly target: Target;
  /** Known without locating (a traced location in a file that is not YAML, see TracedLocation.range). */
  readonly range?: Range;
  /** Added to the finding's message (see TracedLocation.note). */
  readonly note?: string;
}

export function readAndParse(job: ParseJob, maxBytes: number, parse: ParseOptions = {}): ParseOutcome {
  try {
    const stats = statSync(job.absolute);
    // A FIFO or device named *.yaml would block or never end: never read one.
    if (!stats.isFile())
      return { kind: 'notice', file: job.shown, message: 'skipped: not a regular file', notLinted: true };
    if (stats.size > maxBytes) return { kind: 'file', file: oversizedFile(job.shown, stats.size, maxBytes) };
    return { kind: 'file', file: parseOrReport(job.shown, readText(job.absolute), parse) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      kind: 'notice',
      file: job.shown,
      message:
        code === 'ENOENT'
          ? 'skipped: no such file or directory'
          : `skipped: cannot read (${code ?? (error as Error).message})`,
      notLinted: true,
    };
  }
}

/**
 * A file's bytes decoded, read in a call of its own: a frame that went on to parse the file would hold the bytes
 * until it returned, long enough for V8 to move them to the old generation, where they stayed until the next full
 * collection (on an 8.7 MB Envoy bootstrap, often the end of the run). Let go of here, they go at the next young one.
 */
function readText(absolute: string): DecodedText {
  return decodeText(readFileSync(absolute));
}

/** Parses, turning a failure of the parser itself into a problem of this file: the rest of the scan goes on. */
function parseOrReport(shown: string, decoded: DecodedText, parse: ParseOptions): SourceFile {
  try {
    return parseSource(shown, decoded, parse);
  } catch (error) {
    return unreadableFile(shown, error);
  }
}

/** A file over the size limit is a finding, not a pass: it was not read, so nothing in it was checked. */
function oversizedFile(shown: string, size: number, maxBytes: number): SourceFile {
  const message = `The file is ${(size / 1048576).toFixed(1)} MB, over the ${+(maxBytes / 1048576).toFixed(2)} MB limit per file (--max-file-size): it was not linted. Raise the limit, or list the file under ignore in .meshlint.yaml.`;
  return unreadableFile(shown, undefined, '', { code: 'parse-error', message, start: 0, end: 0 });
}

export interface ParseAllOptions {
  readonly maxBytes: number;
  /** How files are parsed here; a parser thread is given the same by its entry point (see runParserWorker). */
  readonly parse?: ParseOptions;
  /** Parser threads: none unless asked for (see workerCount). */
  readonly workers?: number;
  /** The module a worker runs (the bundle itself); without it, everything is parsed on this thread. */
  readonly workerUrl?: URL;
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Empty the text of a file that has nothing to lint (see releaseUnusedText) as soon as it is parsed. Only for a
   * caller that reads no file's text but to lint it (a scan without the cache, which seals entries with texts).
   */
  readonly releaseUnusedTexts?: boolean;
}

/**
 * A file where no document was read and no problem found (CustomResourceDefinitions only, or nothing but
 * comments) gives no finding, so nothing reads its text after the parse: it is emptied at once, while the string is
 * still young and a minor collection frees it. Kept, it would stay until the process ends (no full collection runs
 * after the parse); on the corpus such files are a quarter of the bytes.
 */
export function releaseUnusedText(file: SourceFile): SourceFile {
  // documentCount, not documents.length: asking for every document reads the unkept ones again (a million of them).
  if (documentCount(file) === 0 && file.problems.length === 0) file.text = '';
  return file;
}

/** Reads and parses every job, on this thread or a pool's threads; outcomes come back in job order. */
export async function parseAll(
  jobs: readonly ParseJob[],
  options: ParseAllOptions,
  pool?: ParserPool,
): Promise<ParseOutcome[]> {
  const release = (outcome: ParseOutcome): ParseOutcome => {
    if (options.releaseUnusedTexts && outcome.kind === 'file') releaseUnusedText(outcome.file);
    return outcome;
  };
  if (!pool) {
    return jobs.map((job, i) => {
      options.onProgress?.(i, jobs.length);
      return release(readAndParse(job, options.maxBytes, options.parse));
    });
  }
  let done = 0;
  const progress = (count: number) => {
    done += count;
    options.onProgress?.(done, jobs.length);
  };
  // A file too large for a thread's heap is parsed here, once, while the threads parse the rest: sent to a thread,
  // it would kill that thread first and be parsed here anyway.
  const here = jobs.map((job) => sizeOf(job.absolute) > MAX_THREAD_FILE_BYTES);
  const threadJobs = jobs.filter((_, i) => !here[i]);
  // Jobs go out in path order, in small batches to whichever thread is free. (Largest-first was measured: slower,
  // as the biggest values then all cross to this thread at once.)
  const threadOutcomes = pool.run<ParseJob, WireOutcome>(
    'parse',
    threadJobs,
    BATCH,
    (job) => toWire(readAndParse(job, options.maxBytes, options.parse)),
    progress,
  );
  // Kept with its syntax trees, as -j 0 keeps every file: its findings are located without parsing it again (a
  // thread's file has each document with a finding parsed again; dearer in time, cheaper in memory).
  const parsedHere = new Map<ParseJob, ParseOutcome>();
  for (const [i, job] of jobs.entries()) {
    if (!here[i]) continue;
    parsedHere.set(job, release(readAndParse(job, options.maxBytes, options.parse)));
    progress(1);
  }
  const fromThreads = (await threadOutcomes).values();
  return jobs.map((job) => {
    const outcome = parsedHere.get(job);
    if (outcome) return outcome;
    const result = fromThreads.next().value!;
    return release(result.kind === 'file' ? { kind: 'file', file: fromFileData(result.data) } : result);
  });
}

/** What locating needs of one document: its text, and the paths asked for. */
interface LocateTask {
  readonly text: string;
  readonly requests: readonly { readonly path: Path; readonly target: Target }[];
}
type LocateResult = (LocatedOffsets | null)[] | null;

/**
 * The ranges locateAll found, by each request's place among all the requests it read (its ordinal), for a caller that
 * reads the same requests again in the same order (the lint, when it finishes). Without a memo to fill, locateAll
 * makes no memo key per location: on a decK file of 84,000 findings the keys and the memo's table were ~5 MB kept
 * from the locate to the end of the run.
 */
export class LocatedRequests {
  /** Per ordinal: the index of its range, -1 when it was not located here (see rangeOf). */
  readonly #location: Int32Array;
  /** Ranges by location: one per location, shared by the requests that asked for it. */
  readonly #ranges: (Range | undefined)[];

  constructor(location: Int32Array, ranges: (Range | undefined)[]) {
    this.#location = location;
    this.#ranges = ranges;
  }

  /** The range of the request read `ordinal`-th; undefined when locateAll did not locate it (nor a memo knew it). */
  rangeOf(ordinal: number): Range | undefined {
    const at = ordinal < this.#location.length ? this.#location[ordinal] : -1;
    return at === -1 ? undefined : this.#ranges[at];
  }
}

/**
 * Resolves locations ahead, one document at a time: from the lean reader's tree where it reads the document (read
 * in one pass for all of the document's requests, each located as soon as the sequence entry it is in has been read:
 * see LocatedAsRead), else on the pool's threads for documents whose syntax tree this thread has not built (their
 * text is parsed there). The rest is located on demand. Returns the ranges by request (see LocatedRequests); with a
 * memo (a cache keeps it, a posture reads it), they go into it too, and what it knows already is not located again.
 */
export async function locateAll(
  requests: Iterable<LocationRequest>,
  pool: ParserPool | undefined,
  memo: LocationMemo | undefined,
): Promise<LocatedRequests> {
  // The paths and targets asked, not the requests (a caller may make each only to hand it here); a document's are
  // chained by `previous` (the index of its request before, -1 for its first), not kept in arrays of its own: two
  // arrays per document, each grown by a push, cost a scan of 50,000 small documents ~15 MB. The requests are read
  // twice, once to count them, so that these arrays are made at their size: grown by pushes, they were ~9 MB of V8's
  // large-object space on a decK file of 84,000 findings, left as garbage.
  let total = 0;
  let ordinals = 0;
  let withBase = false;
  for (const request of requests) {
    ordinals++;
    if (request.file.origin || request.range) continue;
    total++;
    if (request.base !== undefined) withBase = true;
  }
  const askedPaths: Path[] = new Array(total);
  const askedBases: Path[] | undefined = withBase ? new Array(total) : undefined;
  const askedTargets: Target[] = new Array(total);
  const askedFiles: SourceFile[] = new Array(total);
  const askedOrdinals = new Int32Array(total);
  const previous = new Int32Array(total);
  const lastOf = new Map<SourceDocument, number>();
  let asked = 0;
  let ordinal = -1;
  for (const request of requests) {
    if (++ordinal === ordinals) break; // (each read gives the same requests: never more)
    const { file, document } = request;
    if (file.origin || request.range) continue;
    if (asked === total) break;
    previous[asked] = lastOf.get(document) ?? -1;
    lastOf.set(document, asked);
    askedPaths[asked] = request.path;
    if (askedBases) askedBases[asked] = request.base ?? NO_BASE;
    askedTargets[asked] = request.target;
    askedOrdinals[asked] = ordinal;
    askedFiles[asked++] = file;
  }
  const location = new Int32Array(ordinals).fill(-1);
  // At most one range per request asked: made at that size (see above), holes where requests share a location.
  const ranges: (Range | undefined)[] = new Array(total);
  let located = 0;
  type Wanted = {
    file: SourceFile;
    paths: Path[];
    bases: Path[] | undefined;
    targets: Target[];
    keys: string[] | undefined;
    first: number;
  };
  const entries: [SourceDocument, Wanted][] = [];
  for (const [document, last] of lastOf) {
    // The document's requests in the order asked (of two requests of one location, the first is located): all of them
    // when there is one document (a decK file, an Envoy bootstrap), not a copy.
    const [paths, bases, targets, indexes] =
      lastOf.size === 1
        ? [askedPaths, askedBases, askedTargets, undefined]
        : askedOf(last, previous, askedPaths, askedBases, askedTargets);
    const file = askedFiles[last];
    // A document whose requests all start at its root (most: one resource each) is read by its paths alone: the
    // comparisons and segment reads of a base then a path are for documents that hold resources below their root.
    const ownBases = anyBase(bases) ? bases : undefined;
    const { wanted, slots } = unknownLocations(file, document, paths, ownBases, targets, memo);
    const count = wanted.paths.length;
    if (count === 0) continue;
    const first = located;
    located += count;
    for (let j = 0; j < slots.length; j++) {
      if (slots[j] !== -1) location[askedOrdinals[indexes ? indexes[j] : j]] = first + slots[j];
    }
    const found = (k: number, start: number, end: number, missing: Path) => {
      const range = rangeOfOffsets(file, start, end);
      ranges[first + k] = range;
      if (wanted.keys) memo!.set(file, wanted.keys[k], { range, missing });
    };
    // A document of a few locations: its tree (as small as their paths) is read, then located in.
    // (Few: their paths are made whole.)
    const asRead =
      count < FEW_LOCATIONS
        ? undefined
        : new LocatedAsRead(file.text, document.start, document.end, wanted.paths, wanted.targets, wanted.bases);
    const whole = (k: number) => (wanted.bases ? joinPath(wanted.bases[k], wanted.paths[k]) : wanted.paths[k]);
    const tree = (document as LocatableDocument).leanTreeFor?.(
      asRead || !wanted.bases ? wanted.paths : wanted.paths.map((_, k) => whole(k)),
      asRead,
    );
    if (!tree) {
      if (pool && file.lazy)
        entries.push([document, { file, ...wanted, paths: wanted.paths.map((_, k) => whole(k)), first }]);
      continue;
    }
    for (let k = 0; k < count; k++) {
      if (asRead?.located(k)) found(k, asRead.start(k), asRead.end(k), asRead.missing(k));
      else {
        const o = locateOffsets(file.text, tree, document.start, document.end, whole(k), wanted.targets[k]);
        found(k, o.start, o.end, o.missing);
      }
    }
  }
  lastOf.clear();
  // A document's whole tree built on demand earlier (while rules ran) need not outlive the lint's locations.
  releaseLeanTree();
  const answers = new LocatedRequests(location, ranges);
  if (entries.length === 0 || !pool) return answers;
  const tasks: LocateTask[] = entries.map(([document, { file, paths, targets }]) => ({
    text: file.text.slice(document.start, document.end),
    requests: paths.map((path, k) => ({ path, target: targets[k] })),
  }));
  const results = await pool.run<LocateTask, LocateResult>('locate', tasks, 16, locateTask, () => {});
  entries.forEach(([document, { file, keys, first, paths }], i) => {
    const offsets = results[i];
    if (!offsets) return; // did not parse alone: the main thread locates it (lazily) as before
    for (let k = 0; k < paths.length; k++) {
      const o = offsets[k];
      if (!o) continue;
      const range = rangeOfOffsets(file, o.start + document.start, o.end + document.start);
      ranges[first + k] = range;
      if (keys) memo!.set(file, keys[k], { range, missing: o.missing });
    }
  });
  return answers;
}

/** Fewer locations than this in a document are located in its tree once it is read (see locateAll). */
const FEW_LOCATIONS = 8;

/**
 * One document's paths and targets, in the order asked, and the index of each among all asked: its chain of requests
 * (see locateAll's `previous`).
 */
function askedOf(
  last: number,
  previous: Int32Array,
  askedPaths: readonly Path[],
  askedBases: readonly Path[] | undefined,
  askedTargets: readonly Target[],
): [Path[], Path[] | undefined, Target[], Int32Array] {
  let count = 0;
  for (let i = last; i !== -1; i = previous[i]) count++;
  const paths: Path[] = new Array(count);
  const bases: Path[] | undefined = askedBases && new Array(count);
  const targets: Target[] = new Array(count);
  const indexes = new Int32Array(count);
  for (let i = last; i !== -1; i = previous[i]) {
    paths[--count] = askedPaths[i];
    if (bases) bases[count] = askedBases![i];
    targets[count] = askedTargets[i];
    indexes[count] = i;
  }
  return [paths, bases, targets, indexes];
}

/**
 * The locations of one document asked for that the memo (when there is one) does not know, each once, in path order
 * (see LocatedAsRead), with their memo keys (with a memo); and for each request, the index of its location among
 * them (-1: the memo knows it). (Paths whose segments have the same texts are one location: the first asked is
 * located, as the sort is stable.)
 */
function unknownLocations(
  file: SourceFile,
  document: SourceDocument,
  paths: readonly Path[],
  bases: readonly Path[] | undefined,
  targets: readonly Target[],
  memo: LocationMemo | undefined,
): {
  wanted: { paths: Path[]; bases: Path[] | undefined; targets: Target[]; keys: string[] | undefined };
  slots: Int32Array;
} {
  const slots = new Int32Array(paths.length).fill(-1);
  const base = (i: number) => bases?.[i] ?? NO_BASE;
  // (A memo's key is of the path whole: made only for a memo.)
  const keyOf = (i: number) => memo && locationKey(document.index, joinPath(base(i), paths[i]), targets[i]);
  if (paths.length === 1) {
    const key = keyOf(0);
    if (key !== undefined && memo!.has(file, key))
      return { wanted: { paths: [], bases: undefined, targets: [], keys: [] }, slots };
    slots[0] = 0;
    const wanted = { paths: paths as Path[], bases: bases as Path[] | undefined, targets: targets as Target[] };
    return { wanted: { ...wanted, keys: key === undefined ? undefined : [key] }, slots };
  }
  const samePlace = (a: number, b: number) => compareJoined(base(a), paths[a], base(b), paths[b]);
  const order = paths
    .map((_, i) => i)
    .sort((a, b) => samePlace(a, b) || (targets[a] < targets[b] ? -1 : targets[a] > targets[b] ? 1 : 0));
  // Made at their largest size and cut to what is wanted (grown by pushes, large ones left garbage: see locateAll).
  const wanted = {
    paths: new Array<Path>(order.length),
    bases: bases ? new Array<Path>(order.length) : undefined,
    targets: new Array<Target>(order.length),
    keys: memo ? new Array<string>(order.length) : undefined,
  };
  let last = -1;
  let known = false;
  let count = 0;
  for (const i of order) {
    if (last !== -1 && targets[i] === targets[last] && samePlace(i, last) === 0) {
      if (!known) slots[i] = count - 1;
      continue;
    }
    last = i;
    const key = keyOf(i);
    known = key !== undefined && memo!.has(file, key);
    if (known) continue;
    slots[i] = count;
    wanted.paths[count] = paths[i];
    if (wanted.bases) wanted.bases[count] = base(i);
    wanted.targets[count] = targets[i];
    if (wanted.keys) wanted.keys[count] = key!;
    count++;
  }
  wanted.paths.length = wanted.targets.length = count;
  if (wanted.bases) wanted.bases.length = count;
  if (wanted.keys) wanted.keys.length = count;
  return { wanted, slots };
}

const NO_BASE: Path = Object.freeze([]);

/** Whether some request has a base (see LocationRequest.base). */
function anyBase(bases: readonly Path[] | undefined): bases is readonly Path[] {
  if (bases) for (const base of bases) if (base.length > 0) return true;
  return false;
}

function locateTask(task: LocateTask): LocateResult {
  const ast = parseDocumentText(task.text);
  if (!ast) return null;
  return task.requests.map(({ path, target }) => {
    try {
      return locateOffsets(task.text, ast, 0, task.text.length, path, target);
    } catch {
      return null;
    }
  });
}

/** Threads that parse files and locate paths, kept for one scan; every task falls back to this thread. */
export class ParserPool {
  readonly #workers: Worker[];
  readonly #failed = new Set<Worker>();

  private constructor(workers: Worker[]) {
    this.#workers = workers;
    // Always listened to, so that a thread failing between tasks is recorded rather than thrown.
    for (const worker of workers) {
      worker.on('error', () => this.#failed.add(worker));
      worker.on('exit', () => this.#failed.add(worker));
    }
  }

  /** Starts the threads asked for (`workers`); undefined when none are. */
  static start(options: ParseAllOptions): ParserPool | undefined {
    const count = workerCount(options);
    if (count === 0 || !options.workerUrl) return undefined;
    const workers = Array.from(
      { length: count },
      () =>
        new (workerThreads().Worker)(options.workerUrl!, {
          argv: [PARSER_ARGUMENT],
          workerData: { role: PARSER_ROLE, maxBytes: options.maxBytes },
          resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
        }),
    );
    // Idle threads must not keep the process alive; run() holds them while they have work.
    for (const worker of workers) worker.unref();
    return new ParserPool(workers);
  }

  /**
   * Runs tasks in batches on whichever thread is free; results in task order. A thread that fails hands its batch
   * (and nothing else) to `local`, which computes it here.
   */
  run<T, R>(
    kind: 'parse' | 'locate',
    tasks: readonly T[],
    batchSize: number,
    local: (task: T) => R,
    onBatch: (count: number) => void,
  ): Promise<R[]> {
    const results: R[] = new Array(tasks.length);
    let next = 0;
    const done = new Array<boolean>(tasks.length).fill(false);
    const drive = (worker: Worker) =>
      new Promise<void>((resolve) => {
        if (this.#failed.has(worker)) return resolve();
        let batch: number[] = [];
        const onMessage = (answer: R[]) => {
          answer.forEach((result, k) => {
            results[batch[k]] = result;
            done[batch[k]] = true;
          });
          onBatch(answer.length);
          send();
        };
        // A thread that fails (out of its heap, or worse) or exits stops taking work; what it held is done below.
        // While it works it is ref'd: an unref'd thread that dies leaves nothing to wake this thread, and the
        // process would end with the scan unfinished and no report.
        const onError = () => {
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onError);
          worker.unref();
          this.#failed.add(worker);
          resolve();
        };
        const send = () => {
          batch = [];
          while (batch.length < batchSize && next < tasks.length) batch.push(next++);
          if (batch.length === 0) {
            worker.off('message', onMessage);
            worker.off('error', onError);
            worker.off('exit', onError);
            worker.unref();
            resolve();
          } else {
            worker.postMessage({ kind, tasks: batch.map((i) => tasks[i]) });
          }
        };
        worker.on('message', onMessage);
        worker.once('error', onError);
        worker.once('exit', onError);
        worker.ref();
        send();
      });
    return Promise.all(this.#workers.map(drive)).then(() => {
      for (let i = 0; i < tasks.length; i++) {
        if (!done[i]) results[i] = local(tasks[i]);
      }
      return results;
    });
  }

  close(): void {
    for (const worker of this.#workers) void worker.terminate();
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // reported when the file is read
  }
}

/**
 * Threads are started only when asked for (`workers`, the CLI's -j). Each holds a V8 heap and young generation of
 * its own: on three copies of the corpus (90 MB) two threads raised the peak from 479 to 559 MiB and the CPU by 22%,
 * for no wall time on two busy cores (paired runs); the lean reader made the parse a quarter of a scan's CPU.
 */
function workerCount(options: ParseAllOptions): number {
  return options.workers === undefined ? 0 : Math.max(0, Math.floor(options.workers));
}

/**
 * The body of a parser thread: parse files, or locate paths in documents, as it is sent them; post back plain data.
 * `parse` must be what the scan passes to parseAll (functions do not cross threads, so the entry point gives it).
 */
export function runParserWorker(parse: ParseOptions): void {
  const { parentPort, workerData } = workerThreads();
  const { maxBytes } = workerData as { maxBytes: number };
  parentPort!.on(
    'message',
    (message: { kind: 'parse'; tasks: ParseJob[] } | { kind: 'locate'; tasks: LocateTask[] }) => {
      const results =
        message.kind === 'parse'
          ? message.tasks.map((job) => toWire(readAndParse(job, maxBytes, parse)))
          : message.tasks.map(locateTask);
      parentPort!.postMessage(results);
    },
  );
}

function toWire(outcome: ParseOutcome): WireOutcome {
  return outcome.kind === 'file' ? { kind: 'file', data: toFileData(outcome.file) } : outcome;
}

export function isParserWorker(): boolean {
  return (
    process.argv[2] === PARSER_ARGUMENT &&
    (workerThreads().workerData as { role?: string } | null)?.role === PARSER_ROLE
  );
}
