#!/usr/bin/env node
// The executable: loads the program (meshlint-main.cjs beside it) through the code cache, then starts it. Parser
// threads run this file too.
import type * as Program from './start.js';
import { loadScript } from './code-cache.js';

/** Written by the build: the SHA-256 of meshlint-main.cjs. */
declare const MESHLINT_MAIN_HASH: string;

const loaded = loadScript(new URL('./meshlint-main.cjs', import.meta.url), {
  scriptHash: MESHLINT_MAIN_HASH,
  env: process.env,
});
(loaded.exports as typeof Program).start(new URL(import.meta.url), loaded.typical);
