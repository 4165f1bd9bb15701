// The process around main(): a parser thread, or the command line bound to this process's streams. Everything
// testable lives in main.ts. Bundled as dist/meshlint-main.cjs, which bin.ts loads.
import { isParserWorker, runParserWorker } from '../parse/pool.js';
import { MANIFEST_PARSE_OPTIONS } from '../model/kubernetes/reader.js';
import { main } from './main.js';

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A reader that stops early (`meshlint ... | head -1`) closes the pipe: stop writing, quietly, with the exit code
 * the scan earned. Any other write error (a full disk) is one line on stderr and exit 2.
 */
function guardOutput(): void {
  let reported = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      process.stdout.destroy();
      return;
    }
    if (!reported) {
      reported = true;
      process.stderr.write(`meshlint: cannot write the report to standard output (${error.code ?? error.message}).\n`);
    }
    process.exitCode = 2;
    process.stdout.destroy();
  });
  process.stderr.on('error', () => process.stderr.destroy());
}

/** `entry`: the executable's own module, which parser threads run; `onScanned`: called once a scan has run. */
export function start(entry: URL, onScanned?: () => void): void {
  if (isParserWorker()) runParserWorker(MANIFEST_PARSE_OPTIONS);
  else run(entry, onScanned);
}

function run(entry: URL, onScanned?: () => void): void {
  guardOutput();
  main({
    argv: process.argv.slice(2),
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    readStdin,
    workerUrl: entry,
    onScanned,
  }).then(
    (code) => {
      // A write error already decided the exit code (2).
      if (process.exitCode !== 2) process.exitCode = code;
    },
    (error: unknown) => {
      // A bug, not bad input: say so in one line (the stack only with MESHLINT_DEBUG).
      process.stderr.write(`meshlint: internal error: ${(error as Error)?.message ?? error}. Please report it.\n`);
      if (process.env.MESHLINT_DEBUG) process.stderr.write(`${(error as Error)?.stack}\n`);
      process.exitCode = 2;
    },
  );
}
