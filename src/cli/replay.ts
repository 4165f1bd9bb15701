// A warm --cache run with nothing changed writes what the last run wrote, without loading the program: the report
// (to standard output or the -o file), the lines on standard error and the exit code of the last run are kept beside
// the cache (`<cache>.out`), with everything that could change them. The executable replays them when the run is
// the same: the same build of meshlint and of Node, the same arguments, working folder, environment and terminals,
// and every input (the files scanned, the folders walked, ignore files, configuration files looked for, kustomize
// and Helm inputs, the baseline) with the same stamp (kind, size, modification and change times: see
// src/file-stamp.ts), as ESLint's cache tells an unchanged file. Anything else, or anything uncertain, runs the
// program, which lints (from the cache) and keeps a new record.
//
// The record is kept as the cache is (src/cache.ts): encrypted (AES-256-GCM) and authenticated (HMAC-SHA-256) with
// keys derived from the user's cache key, 0600 in a 0700 folder. The report it holds is what was written, secrets
// redacted as in every report. A leaf: the executable requires it (built on its own as dist/meshlint-replay.cjs)
// before the program, when the arguments name a cache.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeAtomically } from '../atomic-write.js';
import { cacheKey, cacheKeyFile, defaultCacheLocation, readKey } from '../cache-key.js';
import { milliseconds } from '../clock.js';
import { isSettled, stampOf } from '../file-stamp.js';
import { crypto, tty } from '../lazy-packages.js';
import { repositoryRoot } from '../repository-root.js';
import { TOOL_NAME } from '../version.js';
import { guardOutput } from './output-guard.js';

/** What a run is, beyond its inputs: a record is replayed only for a run with the same. */
export interface RunContext {
  /** The program that wrote the record (the executable knows its hash): another build never replays it. */
  readonly program: string;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Whether standard output and standard error are terminals (colour, and what a terminal is shown). */
  readonly terminals: readonly [boolean, boolean];
}

const MAGIC = Buffer.from('meshlint-report/v1\n');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAC_BYTES = 32;

/** The digest of everything of a run but its inputs. Node's own flags and version too: they may change output. */
export function runKey(context: RunContext): string {
  const env = Object.entries(context.env)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return crypto()
    .createHash('sha256')
    .update(
      JSON.stringify({
        program: context.program,
        node: [process.version, process.arch, process.platform, process.execArgv],
        argv: context.argv,
        cwd: context.cwd,
        env,
        terminals: context.terminals,
      }),
    )
    .digest('hex');
}

/** Where the record of a cache is kept. */
export function storedReportFile(cacheLocation: string): string {
  return `${cacheLocation}.out`;
}

/**
 * The cache location a run with these arguments uses, read from them without the program's parser; undefined
 * without --cache. A misreading costs a replay only: a record names the location it was written for, by the program.
 */
export function cacheLocationOf(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): string | undefined {
  let location: string | undefined;
  let cache = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') break;
    if (arg === '--cache') cache = true;
    else if (arg === '--cache-location') location = argv[++i];
    else if (arg.startsWith('--cache-location=')) location = arg.slice('--cache-location='.length);
  }
  if (location !== undefined) return resolve(cwd, location);
  return cache ? resolve(cwd, defaultCacheLocation(repositoryRoot(cwd), env)) : undefined;
}

/** One write of a run, in order: to standard output (1) or error (2), the -o file, or where --stats printed. */
type Write =
  | { readonly to: 1 | 2; readonly bytes: number }
  | { readonly file: string; readonly bytes: number }
  | { readonly stats: Record<string, unknown> };

interface Header {
  readonly key: string;
  readonly location: string;
  readonly code: number;
  /** Every input, absolute, with its stamp when the record was made. */
  readonly stamps: readonly (readonly [string, string])[];
  readonly writes: readonly Write[];
}

function keysOf(secret: Buffer): { cipher: Buffer; mac: Buffer } {
  const derive = (role: string) =>
    crypto().createHmac('sha256', secret).update(`meshlint/cache/report/${role}`).digest();
  return { cipher: derive('cipher'), mac: derive('mac') };
}

/** The file's pieces: magic, MAC, then the body (IV, GCM tag, the plain pieces encrypted one by one). */
function seal(secret: Buffer, plain: readonly Buffer[]): Buffer[] {
  const keys = keysOf(secret);
  const iv = crypto().randomBytes(IV_BYTES);
  const cipher = crypto().createCipheriv('aes-256-gcm', keys.cipher, iv);
  const sealed = plain.map((piece) => cipher.update(piece));
  sealed.push(cipher.final());
  const body = [iv, cipher.getAuthTag(), ...sealed];
  const mac = crypto().createHmac('sha256', keys.mac);
  for (const piece of body) mac.update(piece);
  return [MAGIC, mac.digest(), ...body];
}

/** The plain record, or undefined unless its MAC (and its cipher's tag) say this user's meshlint wrote it. */
function unseal(secret: Buffer, bytes: Buffer): Buffer | undefined {
  const start = MAGIC.length + MAC_BYTES;
  if (bytes.length < start + IV_BYTES + TAG_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const keys = keysOf(secret);
  const body = bytes.subarray(start);
  if (
    !crypto().timingSafeEqual(
      bytes.subarray(MAGIC.length, start),
      crypto().createHmac('sha256', keys.mac).update(body).digest(),
    )
  )
    return undefined;
  try {
    const decipher = crypto().createDecipheriv('aes-256-gcm', keys.cipher, body.subarray(0, IV_BYTES));
    decipher.setAuthTag(body.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    // GCM gives everything from update(): no copy of the report into a concatenation.
    const plain = decipher.update(body.subarray(IV_BYTES + TAG_BYTES));
    decipher.final();
    return plain;
  } catch {
    return undefined;
  }
}

/** The figures of --stats that are this process's own (time, CPU, memory). */
export function processFigures(started: number): { wallSeconds: number; cpuSeconds: number; peakRssMb: number } {
  const usage = process.resourceUsage();
  return {
    wallSeconds: +((milliseconds() - started) / 1000).toFixed(3),
    cpuSeconds: +((usage.userCPUTime + usage.systemCPUTime) / 1e6).toFixed(3),
    peakRssMb: +(usage.maxRSS / 1024).toFixed(1),
  };
}

const REPLAYED_LINE = `${TOOL_NAME}: the previous report was replayed from the cache: no file was read, no rule ran\n`;

/**
 * Replays the stored report of the cache this run names, when it was made by this program for the same run and no
 * input changed; returns the exit code to end with, or undefined (nothing written) to run the program.
 */
export function replayStoredReport(context: Omit<RunContext, 'terminals'>): number | undefined {
  const started = milliseconds();
  const location = cacheLocationOf(context.argv, context.cwd, context.env);
  if (location === undefined) return undefined;
  let plain: Buffer | undefined;
  try {
    plain = unseal(readKey(cacheKeyFile(context.env)), readFileSync(storedReportFile(location)));
  } catch {
    return undefined; // no record, or no key: the program says why, if it matters
  }
  if (!plain) return undefined;
  let header: Header;
  try {
    const length = plain.readUInt32LE(0);
    header = JSON.parse(plain.subarray(4, 4 + length).toString('utf8')) as Header;
    plain = plain.subarray(4 + length);
  } catch {
    return undefined;
  }
  if (header.location !== location) return undefined;
  const terminals: [boolean, boolean] = [tty().isatty(1), tty().isatty(2)];
  if (header.key !== runKey({ ...context, terminals })) return undefined;
  for (const [path, stamp] of header.stamps) if (stampOf(path) !== stamp) return undefined;
  let offset = 0;
  const pieces = header.writes.map((write) => {
    const bytes = 'bytes' in write ? plain.subarray(offset, (offset += write.bytes)) : undefined;
    return { write, bytes };
  });
  // Files first: one that cannot be written now leaves the program to say so, with nothing written before it.
  for (const { write, bytes } of pieces) {
    if (!('file' in write)) continue;
    try {
      mkdirSync(dirname(write.file), { recursive: true });
      writeFileSync(write.file, bytes!);
    } catch {
      return undefined;
    }
  }
  guardOutput();
  for (const { write, bytes } of pieces) {
    if ('to' in write) (write.to === 1 ? process.stdout : process.stderr).write(bytes!);
    else if ('stats' in write) {
      const stats = {
        ...write.stats,
        ...processFigures(started),
        phasesMs: { replay: Math.round(milliseconds() - started) },
        cache: { reused: 'report' },
      };
      process.stderr.write(`${TOOL_NAME}: stats ${JSON.stringify(stats)}\n${REPLAYED_LINE}`);
    }
  }
  return header.code;
}

/** What a run that may be replayed writes, as it writes it; kept (see save) once the run has ended. */
export class ReportTape {
  readonly #writes: { write: Write; chunks: Buffer[] }[] = [];

  /** A stream of the run whose writes are recorded. */
  recording<S extends { write(text: string): unknown }>(stream: S, to: 1 | 2): S {
    const tape = this;
    return Object.assign(Object.create(stream) as S, {
      write(text: string) {
        tape.#add({ to, bytes: 0 }, text);
        return stream.write(text);
      },
    });
  }

  /** A piece of the -o file (absolute path). */
  file(path: string, text: string): void {
    this.#add({ file: path, bytes: 0 }, text);
  }

  /** Where --stats printed its figures: the replay prints its own, with these counts of the scan. */
  stats(counts: Record<string, unknown>): void {
    this.#writes.push({ write: { stats: counts }, chunks: [] });
  }

  #add(write: { to: 1 | 2; bytes: 0 } | { file: string; bytes: 0 }, text: string): void {
    const last = this.#writes.at(-1);
    const same =
      last &&
      (('to' in write && 'to' in last.write && last.write.to === write.to) ||
        ('file' in write && 'file' in last.write && last.write.file === write.file));
    (same ? last : this.#writes[this.#writes.push({ write, chunks: [] }) - 1]).chunks.push(Buffer.from(text, 'utf8'));
  }

  /**
   * Keeps the record beside the cache, when every input is settled (see src/file-stamp.ts: a file changed in the
   * same instant as the run read it might hide behind its stamp); otherwise removes an earlier one. Never fails the
   * run: a record not kept only costs the next run a lint from the cache.
   */
  save(run: {
    context: RunContext;
    location: string;
    keyFile: string;
    /**
     * Every input (absolute), with its stamp taken before it was read where the scan took one (others are stamped
     * now); undefined when the scan cannot name them all.
     */
    inputs: ReadonlyMap<string, string | undefined> | undefined;
    code: number;
  }): void {
    const file = storedReportFile(run.location);
    try {
      const stamps = run.inputs && [...run.inputs].map(([path, stamp]) => [path, stamp ?? stampOf(path)] as const);
      if (!stamps || !stamps.every(([, stamp]) => isSettled(stamp))) {
        rmSync(file, { force: true });
        return;
      }
      const writes = this.#writes.map(({ write, chunks }) =>
        'stats' in write ? write : { ...write, bytes: chunks.reduce((n, chunk) => n + chunk.length, 0) },
      );
      const header: Header = { key: runKey(run.context), location: run.location, code: run.code, stamps, writes };
      const head = Buffer.from(JSON.stringify(header), 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32LE(head.length);
      const plain = [length, head, ...this.#writes.flatMap(({ chunks }) => chunks)];
      writeAtomically(file, seal(cacheKey(run.keyFile), plain));
    } catch {
      try {
        rmSync(file, { force: true });
      } catch {
        // the record stays; its stamps no longer match a changed input
      }
    }
  }
}
