#!/usr/bin/env node
// The executable: as little as possible before the rest loads. The compile cache (where Node has one) is turned on
// first, so that the code loaded after it - everything, through the dynamic import below - is compiled once per
// machine rather than at every start.
import './compile-cache.js';

const { start } = await import('./start.js');
// Parser threads run this file too: it stays the entry whatever chunk the rest is split into.
start(new URL(import.meta.url));
