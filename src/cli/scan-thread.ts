// A large scan runs in one worker thread whose young generation is bounded (issue 13: peak memory). V8 grows a
// thread's semi-spaces to 16 MB each on a long allocation-heavy run, some 20-25 MB of a large scan's peak that buys
// no speed; the bound cannot be set once Node has started (--max-semi-space-size is a start flag), but a Worker takes
// it as a resource limit. The executable decides before it loads the program, from the arguments alone, so a run on
// a few files starts as before and never loads node:worker_threads. The thread runs the executable again with the
// same arguments, environment and working folder; it writes the process's standard output and error itself, with
// writeSync (src/cli/standard-output.ts), so both reach their destinations in the order written, one destination
// (`2>&1`) included; its exit code is the process's. MESHLINT_SCAN_THREAD=0 runs every scan on the main thread.
import { statSync } from 'node:fs';
import { tty, v8, vm, workerThreads } from '../lazy-packages.js';
import { guardOutput } from './output-guard.js';

/** The environment variable that turns the scan thread off (`0`). */
export const SCAN_THREAD_ENV = 'MESHLINT_SCAN_THREAD';
const SCAN_ROLE = 'meshlint-scan';
/**
 * The thread's young generation. Measured on the memory shapes (peak RSS, CPU): 12 MB takes the semi-spaces' share
 * off the peak at the CPU of the unbounded heap; smaller costs more scavenges for a few MB less.
 */
export const SCAN_YOUNG_GENERATION_MB = 12;
/** Explicit files of more bytes than this together make a large scan (a folder always does). */
export const LARGE_SCAN_BYTES = 4 * 1024 * 1024;

/**
 * The options whose value is the next argument, as `meshlint --help` shows them (a test holds the two together),
 * but --context, whose folder is scanned. The executable decides before the program, and its parser, is loaded.
 */
export const OPTIONS_WITH_VALUES: ReadonlySet<string> = new Set([
  ...['-f', '--format', '-o', '--output', '--fail-on', '-c', '--config', '--stdin-filename', '--baseline'],
  ...['--write-baseline', '--explain', '--max-file-size', '--cache-location', '-j', '--jobs', '--max-warnings'],
  ...['--rule', '--disable-rule', '--print-config'],
]);

/**
 * Whether the arguments ask for a large scan: a path names a folder, or the files they name hold more than
 * LARGE_SCAN_BYTES. Options' values are not paths (`-o report.json` from a previous run is no input). Never for
 * standard input (`-`, which the thread would not see) nor the language server.
 */
export function isLargeScan(args: readonly string[]): boolean {
  if (args.includes('-') || args.includes('--lsp')) return false;
  let bytes = 0;
  /** After `--`, every argument is a path. */
  let onlyPaths = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!onlyPaths && arg.startsWith('-')) {
      onlyPaths = arg === '--';
      if (OPTIONS_WITH_VALUES.has(arg)) i++;
      continue;
    }
    let stats: ReturnType<typeof statSync>;
    try {
      stats = statSync(arg, { throwIfNoEntry: false });
    } catch {
      continue;
    }
    if (stats?.isDirectory()) return true;
    if (stats?.isFile()) bytes += stats.size;
  }
  return bytes > LARGE_SCAN_BYTES;
}

/** Whether this thread is the scan thread: it writes the program's code cache as the main thread would. */
export function isScanThread(): boolean {
  return (workerThreads().workerData as { role?: string } | null)?.role === SCAN_ROLE;
}

/**
 * Runs the scan of `args` in the scan thread when it is large and this is the process's main thread, not on a
 * terminal (colours, progress and the terminal's width are the main thread's streams'); returns whether it did.
 * `entry`: the executable's URL, which the thread runs.
 */
export function startScanThread(entry: URL, args: readonly string[], env: NodeJS.ProcessEnv): boolean {
  if (env[SCAN_THREAD_ENV] === '0' || !isLargeScan(args)) return false;
  const { isMainThread, Worker } = workerThreads();
  if (!isMainThread || tty().isatty(1) || tty().isatty(2)) return false;
  // The thread's own Node streams (stdout, stderr: true) are not piped to this process's: Node would make those
  // streams now, which turns a pipe's descriptor non-blocking for the thread's direct writes too. The program
  // writes neither; what Node itself writes there (a warning) is passed on when it comes.
  const thread = new Worker(entry, {
    argv: [...args],
    workerData: { role: SCAN_ROLE },
    resourceLimits: { maxYoungGenerationSizeMb: SCAN_YOUNG_GENERATION_MB },
    stdout: true,
    stderr: true,
  });
  let guarded = false;
  const passOn = (stream: () => NodeJS.WriteStream) => (chunk: Buffer) => {
    // A reader gone (EPIPE) or a full disk is handled as the program would.
    if (!guarded) guardOutput();
    guarded = true;
    stream().write(chunk);
  };
  thread.stdout.on(
    'data',
    passOn(() => process.stdout),
  );
  thread.stderr.on(
    'data',
    passOn(() => process.stderr),
  );
  // The thread's own failures end as the program's do (start.ts): one line, exit 2, the stack only with
  // MESHLINT_DEBUG. Unheard, Node would print the stack and exit 1, which a gate reads as "findings".
  let failed = false;
  thread.on('error', (error: Error) => {
    failed = true;
    process.stderr.write(`meshlint: internal error: ${error?.message ?? error}. Please report it.\n`);
    if (env.MESHLINT_DEBUG) process.stderr.write(`${error?.stack}\n`);
    process.exitCode = 2;
  });
  thread.on('exit', (code) => {
    if (process.exitCode !== 2 && !failed) process.exitCode = code;
  });
  return true;
}

/**
 * From how many findings the collection pays: what locate and the report add grows with the findings (requests,
 * ranges, the report's text), on top of what the rules left. The shapes of issue 13 have 40,000-84,000 (deck-40k
 * 145 -> 138 MB, generated-50k ~178 -> ~170 MB); the corpus (23 MB of text, 8,866 findings) paid ~0.1 s of CPU
 * for ~5 MB of a peak that is no figure of issue 13.
 */
const MANY_FINDINGS = 20_000;

/**
 * One full garbage collection of the scan thread, between the rules and locate (issue 13). V8's last full
 * collection of a large scan falls at the start of the rules; what the rules promote and drop (decision texts,
 * per-resource views) otherwise stays in the old generation through locate and the report, on top of what those
 * add: generated-50k's peak 185 -> ~180 MB, for some 30-60 ms. Only the scan thread (a large scan) does it, and only
 * when the findings are many (see MANY_FINDINGS). No documented API forces a collection without a warning
 * (vm.measureMemory's eager mode prints an ExperimentalWarning), so the `gc` function is taken from a fresh context
 * made while --expose-gc is on, and the flag is turned off again before any other context (a custom rule's) is made.
 */
export function collectScanGarbage(findingCount: number): void {
  // A small scan's node:worker_threads, which telling the thread loads, stays unloaded (test/startup.test.ts).
  if (findingCount < MANY_FINDINGS || !isScanThread()) return;
  v8().setFlagsFromString('--expose-gc');
  const collect = vm().runInNewContext('gc') as () => void;
  v8().setFlagsFromString('--no-expose-gc');
  collect();
}
