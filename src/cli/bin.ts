#!/usr/bin/env node
// The executable: loads the program (meshlint-main.cjs beside it) through the code cache, then starts it. Parser
// threads run this file too.
import { writeSync } from 'node:fs';
import type * as Program from './start.js';
import { loadScript } from './code-cache.js';
import { VERSION } from '../version.js';

/** Written by the build: the SHA-256 of meshlint-main.cjs. */
declare const MESHLINT_MAIN_HASH: string;

const args = process.argv.slice(2);
// A bare `--version` (how editors and hooks check an install) is answered as the program would, without loading it;
// a reader that has gone already (EPIPE) is no error, as for the program.
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  try {
    writeSync(1, `${VERSION}\n`);
  } catch {}
} else {
  const loaded = loadScript(new URL('./meshlint-main.cjs', import.meta.url), {
    scriptHash: MESHLINT_MAIN_HASH,
    env: process.env,
  });
  (loaded.exports as typeof Program).start(new URL(import.meta.url), loaded.typical);
}
