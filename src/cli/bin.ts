#!/usr/bin/env node
// The executable: loads the program (meshlint-main.cjs beside it) through the code cache, then starts it. Parser
// threads run this file too. Run only as the build's dist/meshlint.cjs: every start reads and compiles it, so it
// holds only what every run needs; the replay of a stored report (src/cli/replay.ts) is a file of its own beside it,
// dist/meshlint-replay.cjs, required only when the arguments name a cache.
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Program from './start.js';
import type * as Replay from './replay.js';
import { loadScript } from './code-cache.js';
import { startScanThread } from './scan-thread.js';
import { VERSION } from '../version.js';

/** Written by the build: the SHA-256 of meshlint-main.cjs. */
declare const MESHLINT_MAIN_HASH: string;

/** The file beside the executable that the build makes of src/cli/replay.ts. */
const REPLAY_SCRIPT = 'meshlint-replay.cjs';

/**
 * Whether the arguments may name a cache: only then is a stored report looked for. Broader than the program's
 * parser (an option's value that looks like one only costs loading the replay, which then finds no record).
 */
const mayUseCache = (argv: readonly string[]): boolean =>
  argv.some((arg) => arg === '--cache' || arg.startsWith('--cache-location'));

const args = process.argv.slice(2);
// The program's id: a report stored by another build is never replayed.
const program = `${VERSION} ${MESHLINT_MAIN_HASH}`;
// A warm --cache run with nothing changed replays the last run's report without loading the program (see
// src/cli/replay.ts); parser threads (started with their own arguments) never name a cache.
const replayed = mayUseCache(args)
  ? (createRequire(import.meta.url)(`./${REPLAY_SCRIPT}`) as typeof Replay).replayStoredReport({
      program,
      argv: args,
      cwd: process.cwd(),
      env: process.env,
    })
  : undefined;
// A bare `--version` (how editors and hooks check an install) is answered as the program would, without loading it;
// a reader that has gone already (EPIPE) is no error, as for the program.
if (replayed !== undefined) process.exitCode = replayed;
else if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  try {
    writeSync(1, `${VERSION}\n`);
  } catch {}
} else if (!startScanThread(new URL(import.meta.url), args, process.env)) {
  const loaded = loadScript(new URL('./meshlint-main.cjs', import.meta.url), {
    scriptHash: MESHLINT_MAIN_HASH,
    env: process.env,
  });
  (loaded.exports as typeof Program).start(new URL(import.meta.url), loaded.scanned, program);
}
