// The command line's standard output and error. Node makes process.stdout and process.stderr when first read, and
// for a pipe (how a pre-commit hook, an editor or CI reads meshlint) that loads net and its socket classes: ~2 ms of
// every start, for writes that are synchronous on Linux anyway. These write with writeSync while the descriptor
// takes it. Node's stream is made only when a write would block (EAGAIN: a non-blocking pipe that is full) or a
// terminal's colours are asked for; from then on every write goes through it, in order. The scan thread
// (src/cli/scan-thread.ts) waits for the reader instead: a worker's stream reaches the descriptor through the main
// thread, after the thread's later direct writes to the other one, which would reorder `2>&1`. Errors are treated
// as src/cli/output-guard.ts treats them on Node's streams.
import { fstatSync, writeSync } from 'node:fs';
import { tty, workerThreads } from '../lazy-packages.js';
import type { CliIo } from './main.js';
import { guardStderr, guardStdout, onStdoutError } from './output-guard.js';

type OutputStream = CliIo['stdout'];

/** What the scan thread waits on (never notified) between writes a full non-blocking pipe refuses, and how long. */
const READER_WAIT = new Int32Array(new SharedArrayBuffer(4));
const READER_WAIT_MS = 1;

/** Standard output and error as the command line writes them (Node's streams where writeSync would not do). */
export function standardOutput(): { stdout: OutputStream; stderr: OutputStream } {
  // Windows' consoles and pipes are Node's own business.
  if (process.platform === 'win32') return { stdout: process.stdout, stderr: process.stderr };
  const stderr = directOutput(
    2,
    () => process.stderr,
    guardStderr,
    () => {},
  );
  const stdout = directOutput(
    1,
    () => process.stdout,
    guardStdout,
    (error) => onStdoutError(error, stderr),
  );
  return { stdout, stderr };
}

/**
 * One of them. Its state is in this closure, not in the object: src/cli/replay.ts's ReportTape records a stream
 * through an object whose prototype it is.
 */
function directOutput(
  fd: 1 | 2,
  nodeStream: () => NodeJS.WriteStream,
  guard: (stream: NodeJS.WriteStream) => void,
  onError: (error: NodeJS.ErrnoException) => void,
): OutputStream {
  /** Node's stream, once made: every write goes through it. */
  let made: NodeJS.WriteStream | undefined;
  /** Set by a write that failed: nothing more is written. */
  let closed = false;
  let terminal: boolean | undefined;
  const stream = () => {
    if (!made) {
      made = nodeStream();
      guard(made);
    }
    return made;
  };
  return {
    write(text: string): boolean {
      if (made) return made.write(text);
      if (closed) return false;
      const bytes = Buffer.from(text);
      let written = 0;
      while (written < bytes.length) {
        try {
          written += writeSync(fd, bytes, written);
        } catch (error) {
          const { code } = error as NodeJS.ErrnoException;
          if (code === 'EAGAIN') {
            // Asked only here: a start never loads node:worker_threads for this.
            if (workerThreads().isMainThread) return stream().write(bytes.subarray(written));
            Atomics.wait(READER_WAIT, 0, 0, READER_WAIT_MS);
            continue;
          }
          closed = true;
          // No such descriptor: Node's stream would be one that drops what it is given.
          if (code !== 'EBADF') onError(error as NodeJS.ErrnoException);
          return false;
        }
      }
      return true;
    },
    /** As Node's stream says: only a terminal is one (a character device such as /dev/null is asked). */
    get isTTY(): boolean {
      if (made) return made.isTTY === true;
      terminal ??= isTerminal(fd);
      return terminal;
    },
    hasColors: () => stream().hasColors?.() ?? true,
  };
}

function isTerminal(fd: number): boolean {
  try {
    return fstatSync(fd).isCharacterDevice() && tty().isatty(fd);
  } catch {
    return false;
  }
}
