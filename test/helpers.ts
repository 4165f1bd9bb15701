import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseSource } from '../src/parse/source.js';
import { defaultConfig } from '../src/engine/config.js';
import { lint } from '../src/engine/run.js';
import { RULES } from '../rules/index.js';

/** Writes files into a fresh temporary directory and returns its path. */
export function tempRepo(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'meshlint-test-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** Lints in-memory files with every rule and the default config. */
export function lintTexts(files: Record<string, string | Uint8Array>) {
  return lint({ files: Object.entries(files).map(([name, text]) => parseSource(name, text)), rules: RULES, config: defaultConfig('.') });
}

export const PINNED = 'nginx:1.27@sha256:4f5f2c2a6a4e1b1f9d0b54bc7b3e4d6e0c4a4f6b5d1a1f0e2c3b4a5d6e7f8a9b0';
