// The process around main(): a parser thread, or the command line bound to this process's streams. Everything
// testable lives in main.ts. Bundled as dist/meshlint-main.cjs, which bin.ts loads.
import { isParserWorker, runParserWorker } from '../parse/pool.js';
import { MANIFEST_PARSE_OPTIONS } from '../model/kubernetes/reader.js';
import { main } from './main.js';
import { standardOutput } from './standard-output.js';

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * `entry`: the executable's own module, which parser threads run; `onScanned`: called once a scan has run, with
 * the number of files it scanned;
 * `program`: the program's id, under which a --cache run keeps its report for the executable to replay.
 */
export function start(entry: URL, onScanned?: (files: number) => void, program?: string): void {
  if (isParserWorker()) runParserWorker(MANIFEST_PARSE_OPTIONS);
  else run(entry, onScanned, program);
}

function run(entry: URL, onScanned?: (files: number) => void, program?: string): void {
  const { stdout, stderr } = standardOutput();
  main({
    argv: process.argv.slice(2),
    cwd: process.cwd(),
    env: process.env,
    stdout,
    stderr,
    readStdin,
    workerUrl: entry,
    onScanned,
    program,
  }).then(
    (code) => {
      // A write error already decided the exit code (2).
      if (process.exitCode !== 2) process.exitCode = code;
    },
    (error: unknown) => {
      // A bug, not bad input: say so in one line (the stack only with MESHLINT_DEBUG).
      stderr.write(`meshlint: internal error: ${(error as Error)?.message ?? error}. Please report it.\n`);
      if (process.env.MESHLINT_DEBUG) stderr.write(`${(error as Error)?.stack}\n`);
      process.exitCode = 2;
    },
  );
}
