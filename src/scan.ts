// The one entry point every front end uses: paths -> files -> documents -> graph -> findings.
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { globby } from 'globby';
import { parseSource, type SourceFile } from './parse/source.js';
import { lint, type LintResult, type Notice } from './engine/run.js';
import { defaultConfig, findConfig, loadConfig, type Config } from './engine/config.js';
import type { AnyRule } from './engine/rule.js';
import { RULES } from '../rules/index.js';

export const MANIFEST_EXTENSIONS = ['yaml', 'yml', 'json'];
export const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024;

export interface ScanOptions {
  /** Files and directories to scan (default: the working directory). */
  readonly paths?: readonly string[];
  readonly cwd?: string;
  /** A config file; otherwise .meshlint.yaml is looked up from cwd upwards. `false` uses none. */
  readonly configPath?: string | false;
  /** Text read from stdin, scanned as `stdinFilename`. */
  readonly stdin?: { readonly text: string; readonly filename: string };
  readonly rules?: readonly AnyRule[];
  /** Files larger than this are skipped with a notice (default 20 MB). */
  readonly maxFileBytes?: number;
  /** Called after each file is read, for progress displays. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ScanResult extends LintResult {
  readonly config: Config;
}

export async function scan(options: ScanOptions = {}): Promise<ScanResult> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const rules = options.rules ?? RULES;
  const configPath = options.configPath === false ? undefined : options.configPath ? resolve(cwd, options.configPath) : findConfig(cwd);
  const config = configPath ? loadConfig(configPath, rules, displayPath(cwd, configPath)) : defaultConfig(cwd);

  const notices: Notice[] = [];
  const files: SourceFile[] = [];
  if (options.stdin) {
    files.push(parseSource(options.stdin.filename, options.stdin.text));
  }
  const paths = options.paths ?? (options.stdin ? [] : ['.']);
  if (paths.length > 0) {
    const discovered = await discover(paths, cwd, config, notices);
    const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    let done = 0;
    for (const absolute of discovered) {
      const shown = displayPath(cwd, absolute);
      options.onProgress?.(done++, discovered.length);
      try {
        const stats = statSync(absolute);
        if (!stats.isFile()) {
          // A FIFO or device named *.yaml would block or never end: never read one.
          notices.push({ file: shown, message: 'skipped: not a regular file' });
          continue;
        }
        const size = stats.size;
        if (size > maxBytes) {
          notices.push({ file: shown, message: `skipped: ${(size / 1048576).toFixed(1)} MB is over the ${(maxBytes / 1048576).toFixed(0)} MB limit` });
          continue;
        }
        files.push(parseSource(shown, readFileSync(absolute)));
      } catch (error) {
        notices.push({ file: shown, message: `skipped: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` });
      }
    }
  }
  if (paths.length > 0) options.onProgress?.(files.length, files.length);
  const result = lint({ files, rules, config });
  return { ...result, notices: [...notices, ...result.notices], config };
}

/** Expands paths into manifest files: directories recursively (.gitignore honoured), files as given. */
export async function discover(paths: readonly string[], cwd: string, config: Config, notices: Notice[]): Promise<string[]> {
  const found = new Set<string>();
  const patterns: string[] = [];
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    let stats;
    try {
      stats = statSync(absolute);
    } catch {
      notices.push({ file: path, message: 'skipped: no such file or directory' });
      continue;
    }
    if (stats.isDirectory()) patterns.push(toGlobBase(relative(cwd, absolute) || '.') + `**/*.{${MANIFEST_EXTENSIONS.join(',')}}`);
    else found.add(absolute);
  }
  if (patterns.length > 0) {
    const ignore = ['**/node_modules/**', '**/.git/**', ...config.ignore.map((p) => toGlobBase(relative(cwd, resolve(config.root, '.')) || '.') + p.replace(/^\.?\//, ''))];
    const matches = await globby(patterns, { cwd, gitignore: true, ignore, dot: true, absolute: true, followSymbolicLinks: false, suppressErrors: true });
    for (const match of matches) found.add(resolve(match));
  }
  return [...found].sort();
}

function toGlobBase(dir: string): string {
  const posix = dir.split(sep).join('/');
  return posix === '.' ? '' : `${posix.replace(/\/$/, '')}/`;
}

/** Paths shown to users: relative to cwd with forward slashes, absolute when outside it. */
export function displayPath(cwd: string, absolute: string): string {
  const rel = relative(cwd, absolute);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : absolute.split(sep).join('/');
}
