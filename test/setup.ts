// Every test process keeps what meshlint writes to the user's cache folder (the --cache key, default cache
// locations) in a temporary folder of its own, never in the home directory of whoever runs the tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'meshlint-xdg-cache-'));
