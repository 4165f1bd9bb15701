#!/usr/bin/env node
// The executable: loads the program (meshlint-main.cjs beside it) through the code cache, then starts it. Parser
// threads run this file too.
import { writeSync } from 'node:fs';
import type * as Program from './start.js';
import { loadScript } from './code-cache.js';
import { VERSION } from '../version.js';
import { mayUseCache, replayStoredReport } from './replay.js';

/** Written by the build: the SHA-256 of meshlint-main.cjs. */
declare const MESHLINT_MAIN_HASH: string;

const args = process.argv.slice(2);
// The program's id: a report stored by another build is never replayed.
const program = `${VERSION} ${MESHLINT_MAIN_HASH}`;
// A warm --cache run with nothing changed replays the last run's report without loading the program (see
// src/cli/replay.ts); parser threads (started with their own arguments) never name a cache.
const replayed = mayUseCache(args)
  ? replayStoredReport({ program, argv: args, cwd: process.cwd(), env: process.env })
  : undefined;
// A bare `--version` (how editors and hooks check an install) is answered as the program would, without loading it;
// a reader that has gone already (EPIPE) is no error, as for the program.
if (replayed !== undefined) process.exitCode = replayed;
else if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  try {
    writeSync(1, `${VERSION}\n`);
  } catch {}
} else {
  const loaded = loadScript(new URL('./meshlint-main.cjs', import.meta.url), {
    scriptHash: MESHLINT_MAIN_HASH,
    env: process.env,
  });
  (loaded.exports as typeof Program).start(new URL(import.meta.url), loaded.typical, program);
}
