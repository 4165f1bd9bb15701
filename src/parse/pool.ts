// Reading and parsing files, on this thread or on parser threads. YAML parsing is nearly all of a scan's time,
// so a large scan parses on worker threads; they send back values and text, never syntax trees (those are
// rebuilt per document, only where a finding needs a location: see fromFileData).
import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker, parentPort, workerData } from 'node:worker_threads';
import { fromFileData, parseSource, toFileData, type SourceFile, type SourceFileData } from './source.js';

export interface ParseJob {
  readonly absolute: string;
  /** The path shown to users. */
  readonly shown: string;
}

export type ParseOutcome =
  | { readonly kind: 'file'; readonly file: SourceFile }
  | { readonly kind: 'notice'; readonly file: string; readonly message: string };

type WireOutcome = { kind: 'file'; data: SourceFileData } | { kind: 'notice'; file: string; message: string };

export const PARSER_ROLE = 'meshlint-parser';

/** Below this much input, starting threads costs more than it saves. */
const MIN_BYTES_FOR_WORKERS = 4 * 1024 * 1024;
const BATCH = 8;

export function readAndParse(job: ParseJob, maxBytes: number): ParseOutcome {
  try {
    const stats = statSync(job.absolute);
    // A FIFO or device named *.yaml would block or never end: never read one.
    if (!stats.isFile()) return { kind: 'notice', file: job.shown, message: 'skipped: not a regular file' };
    if (stats.size > maxBytes) {
      return { kind: 'notice', file: job.shown, message: `skipped: ${(stats.size / 1048576).toFixed(1)} MB is over the ${(maxBytes / 1048576).toFixed(0)} MB limit` };
    }
    return { kind: 'file', file: parseSource(job.shown, readFileSync(job.absolute)) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { kind: 'notice', file: job.shown, message: code === 'ENOENT' ? 'skipped: no such file or directory' : `skipped: cannot read (${code ?? (error as Error).message})` };
  }
}

export interface ParseAllOptions {
  readonly maxBytes: number;
  /** Parser threads: 0 parses here; undefined decides by the amount of input and the cores. */
  readonly workers?: number;
  /** The module a worker runs (the bundle itself); without it, everything is parsed on this thread. */
  readonly workerUrl?: URL;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Reads and parses every job; outcomes come back in job order. */
export async function parseAll(jobs: readonly ParseJob[], options: ParseAllOptions): Promise<ParseOutcome[]> {
  const threads = workerCount(jobs, options);
  if (threads === 0 || !options.workerUrl) {
    return jobs.map((job, i) => {
      options.onProgress?.(i, jobs.length);
      return readAndParse(job, options.maxBytes);
    });
  }
  const outcomes: (ParseOutcome | undefined)[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const runWorker = () =>
    new Promise<void>((resolve) => {
      const worker = new Worker(options.workerUrl!, { workerData: { role: PARSER_ROLE, maxBytes: options.maxBytes } });
      let batch: number[] = [];
      const send = () => {
        batch = [];
        while (batch.length < BATCH && next < jobs.length) batch.push(next++);
        if (batch.length === 0) {
          void worker.terminate();
          resolve();
        } else {
          worker.postMessage(batch.map((i) => jobs[i]));
        }
      };
      worker.on('message', (results: WireOutcome[]) => {
        results.forEach((result, k) => {
          outcomes[batch[k]] = result.kind === 'file' ? { kind: 'file', file: fromFileData(result.data) } : result;
        });
        done += results.length;
        options.onProgress?.(done, jobs.length);
        send();
      });
      // A thread that dies takes nothing with it: its batch is parsed here, and the others go on.
      worker.on('error', () => {
        for (const i of batch) outcomes[i] ??= readAndParse(jobs[i], options.maxBytes);
        batch = [];
        resolve();
      });
      send();
    });
  await Promise.all(Array.from({ length: threads }, runWorker));
  // Anything left (all threads failed) is parsed here.
  return jobs.map((job, i) => outcomes[i] ?? readAndParse(job, options.maxBytes));
}

function workerCount(jobs: readonly ParseJob[], options: ParseAllOptions): number {
  if (options.workers !== undefined) return Math.max(0, Math.floor(options.workers));
  if (jobs.length < 16) return 0;
  let bytes = 0;
  for (const job of jobs) {
    try {
      bytes += statSync(job.absolute).size;
    } catch {
      // reported when the file is read
    }
    if (bytes >= MIN_BYTES_FOR_WORKERS) return Math.min(2, availableParallelism());
  }
  return 0;
}

/** The body of a parser thread: parse each job it is sent and post back plain data. */
export function runParserWorker(): void {
  const { maxBytes } = workerData as { maxBytes: number };
  parentPort!.on('message', (jobs: ParseJob[]) => {
    const results: WireOutcome[] = jobs.map((job) => {
      const outcome = readAndParse(job, maxBytes);
      return outcome.kind === 'file' ? { kind: 'file', data: toFileData(outcome.file) } : outcome;
    });
    parentPort!.postMessage(results);
  });
}

export function isParserWorker(): boolean {
  return (workerData as { role?: string } | null)?.role === PARSER_ROLE;
}
