// The one entry point every front end uses: paths -> files -> documents -> graph -> findings.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { parseSource, sourceText, type SourceFile } from './parse/source.js';
import { locateAll, parseAll, ParserPool, type ParseOutcome } from './parse/pool.js';
import { hashBytes, ScanCache } from './cache.js';
import { lintStaged, type Finding, type LintResult, type Notice } from './engine/run.js';
import { CONFIG_NAMES, defaultConfig, findConfig, loadConfig, type Config } from './engine/config.js';
import type { AnyRule } from './engine/rule.js';
import { applyBaseline, type Baseline } from './baseline.js';
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
  /** Called as files are read, for progress displays. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Parser threads: 0 parses on this thread; default: decided by the amount of input. */
  readonly workers?: number;
  /** The module parser threads run (the CLI bundle); without it everything is parsed on this thread. */
  readonly workerUrl?: URL;
  /** Where to keep the --cache (relative to cwd); no cache when absent. */
  readonly cacheLocation?: string;
  /**
   * Report only findings located in these files (relative to cwd), while `paths` are scanned and linked into the
   * graph as their context (`--context <dir> <files...>`, pre-commit's staged files, a pull request's changed
   * files). A listed file outside every context path is scanned as well; one inside a context directory that
   * discovery skips (config `ignore`, .gitignore, not a manifest extension) is skipped. A listed directory reports
   * the files under it (and is discovered like a path). An empty list reports nothing.
   */
  readonly reportOnly?: readonly string[];
  /** Findings recorded in a baseline (`--baseline`) are dropped; see src/baseline.ts. */
  readonly baseline?: Baseline;
}

export interface ScanResult extends LintResult {
  /** Milliseconds per phase (discover, parse, rules, locate, finish), for --stats. */
  readonly phases?: Readonly<Record<string, number>>;
  readonly config: Config;
  /** The active findings a baseline matched and removed from `findings` (none without a baseline). */
  readonly baselined: readonly Finding[];
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
  const cache = options.cacheLocation ? ScanCache.open(resolve(cwd, options.cacheLocation), config, rules) : undefined;
  const hashes = new Map<SourceFile, string>();
  let pool: ParserPool | undefined;
  const phases: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round(now - mark);
    mark = now;
  };
  const reported = options.reportOnly ? reportFilter(options.reportOnly, cwd) : undefined;
  let result: LintResult | undefined;
  let runKey: string | undefined;
  if (paths.length > 0 || options.reportOnly?.length) {
    const discovered = await discover([...paths, ...(reported?.dirs ?? [])], cwd, config, notices);
    if (reported) addReportedFiles(discovered, reported.files, paths, cwd);
    const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    const jobs = discovered.map((absolute) => ({ absolute, shown: displayPath(cwd, absolute) }));
    const outcomes: (ParseOutcome | undefined)[] = new Array(jobs.length);
    const hashOf = new Map<number, string>();
    const textOf = new Map<number, string>();
    if (cache) {
      jobs.forEach((job, i) => {
        const bytes = readIfRegular(job.absolute, maxBytes);
        if (!bytes) return; // parsed below, which reports why it cannot be read
        hashOf.set(i, hashBytes(bytes));
        textOf.set(i, sourceText(bytes));
      });
      // The same files with the same bytes (and the same version, rules and configuration: the cache's own key)
      // give the same findings, cross-file rules included: reuse the whole previous result.
      if (!options.stdin) {
        runKey = runKeyOf(jobs.map((job, i) => [job.shown, hashOf.get(i) ?? '']));
        result = cache.previousRun(runKey);
      }
      if (!result) {
        jobs.forEach((job, i) => {
          const hash = hashOf.get(i);
          const file = hash ? cache.restore(hash, job.shown, textOf.get(i)!) : undefined;
          if (file) outcomes[i] = { kind: 'file', file };
        });
      }
    }
    phase('discover');
    if (!result) {
      const missing = jobs.map((_, i) => i).filter((i) => outcomes[i] === undefined);
      const parseOptions = {
        maxBytes,
        workers: options.workers,
        workerUrl: options.workerUrl,
        onProgress: options.onProgress && ((done: number) => options.onProgress!(jobs.length - missing.length + done, jobs.length)),
      };
      pool = ParserPool.start(missing.map((i) => jobs[i]), parseOptions);
      const parsed = await parseAll(missing.map((i) => jobs[i]), parseOptions, pool);
      missing.forEach((i, k) => (outcomes[i] = parsed[k]));
      outcomes.forEach((outcome, i) => {
        if (outcome!.kind === 'file') {
          files.push(outcome!.file);
          const hash = hashOf.get(i);
          if (hash) hashes.set(outcome!.file, hash);
        } else {
          notices.push({ file: outcome!.file, message: outcome!.message });
        }
      });
    }
    options.onProgress?.(jobs.length, jobs.length);
  }
  if (result) {
    phase('reused');
  } else {
    phase('parse');
    const staged = lintStaged({ files, rules, config, root: cwd });
    phase('rules');
    if (pool) {
      // The threads that parsed the files rebuild the syntax trees the findings need, in parallel.
      await locateAll(staged.requests, pool);
      pool.close();
    }
    phase('locate');
    const linted = staged.finish();
    result = { ...linted, notices: [...notices, ...linted.notices] };
    phase('finish');
    if (cache) {
      for (const [file, hash] of hashes) cache.remember(hash, file);
      const problem = cache.save(runKey, result);
      if (problem) result = { ...result, notices: [...result.notices, { message: problem }] };
    }
  }
  let findings = result.findings;
  let allNotices = result.notices;
  if (reported) {
    findings = findings.filter((f) => reported.has(f.file));
    allNotices = allNotices.filter((n) => n.file === undefined || reported.has(n.file));
  }
  let baselined: readonly Finding[] = [];
  if (options.baseline) ({ findings, matched: baselined } = applyBaseline(findings, options.baseline));
  return { ...result, findings, notices: allNotices, config, baselined, phases };
}

function runKeyOf(files: readonly (readonly [string, string])[]): string {
  return createHash('sha256').update(JSON.stringify(files)).digest('hex');
}

/** Which shown paths `reportOnly` selects: the files themselves, and everything under the directories. */
function reportFilter(reportOnly: readonly string[], cwd: string): { files: string[]; dirs: string[]; has: (file: string) => boolean } {
  const files: string[] = [];
  const dirs: string[] = [];
  for (const entry of reportOnly) {
    let isDir = false;
    try {
      isDir = statSync(resolve(cwd, entry)).isDirectory();
    } catch {
      // a missing file: nothing to report there
    }
    (isDir ? dirs : files).push(entry);
  }
  const shownFiles = new Set(files.map((f) => displayPath(cwd, resolve(cwd, f))));
  const absoluteDirs = dirs.map((d) => resolve(cwd, d));
  const has = (file: string) => shownFiles.has(file) || absoluteDirs.some((dir) => isInside(dir, resolve(cwd, file)));
  return { files, dirs, has };
}

/**
 * Adds the files to report that discovery of the context paths did not reach: those outside every context path.
 * A file inside a context directory that discovery skipped stays skipped (ignored there for a reason).
 */
function addReportedFiles(discovered: string[], reportOnly: readonly string[], contextPaths: readonly string[], cwd: string): void {
  const found = new Set(discovered);
  const contextDirs: string[] = [];
  for (const path of contextPaths) {
    const absolute = resolve(cwd, path);
    try {
      if (statSync(absolute).isDirectory()) contextDirs.push(absolute);
    } catch {
      // reported by discover
    }
  }
  for (const file of reportOnly) {
    const absolute = resolve(cwd, file);
    if (found.has(absolute)) continue;
    if (contextDirs.some((dir) => isInside(dir, absolute))) continue;
    try {
      if (!statSync(absolute).isFile()) continue;
    } catch {
      continue;
    }
    found.add(absolute);
    discovered.push(absolute);
  }
  discovered.sort();
}

function isInside(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function readIfRegular(path: string, maxBytes: number): Buffer | undefined {
  try {
    const stats = statSync(path);
    return stats.isFile() && stats.size <= maxBytes ? readFileSync(path) : undefined;
  } catch {
    return undefined;
  }
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
    const ignore = ['**/node_modules/**', '**/.git/**', ...CONFIG_NAMES.map((name) => `**/${name}`), ...config.ignore.map((p) => toGlobBase(relative(cwd, resolve(config.root, '.')) || '.') + p.replace(/^\.?\//, ''))];
    // Loaded only when a directory must be expanded: a run on named files (pre-commit, an editor) starts faster.
    const { globby } = await import('globby');
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
