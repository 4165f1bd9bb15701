// The executable. Everything testable lives in main.ts; this only binds it to the process.
import './compile-cache.js';
import { isParserWorker, runParserWorker } from '../parse/pool.js';
import { MANIFEST_PARSE_OPTIONS } from '../model/kubernetes/reader.js';
import { main } from './main.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

if (isParserWorker()) {
  runParserWorker(MANIFEST_PARSE_OPTIONS);
} else {
  run();
}

function run(): void {
main({
  argv: process.argv.slice(2),
  cwd: process.cwd(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  readStdin,
  workerUrl: new URL(import.meta.url),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A bug, not bad input: say so in one line (the stack only with MESHLINT_DEBUG).
    process.stderr.write(`meshlint: internal error: ${(error as Error)?.message ?? error}. Please report it.\n`);
    if (process.env.MESHLINT_DEBUG) process.stderr.write(`${(error as Error)?.stack}\n`);
    process.exitCode = 2;
  },
);
}
