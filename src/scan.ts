// The one entry point every front end uses: paths -> files -> documents -> graph -> findings.
import { type Dirent, existsSync, readdirSync, readFileSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseSource, sourceText, type SourceFile } from './parse/source.js';
import { locateAll, parseAll, ParserPool, type ParseJob, type ParseOutcome } from './parse/pool.js';
import {
  cacheKeyFile,
  hashBytes,
  ScanCache,
  type CacheUse,
  type ChartSearch,
  type FileStamp,
  type ListingStore,
} from './cache.js';
import { lintStaged, settingsFor, type Finding, type LintResult, type Notice } from './engine/run.js';
import { CONFIG_NAMES, defaultConfig, findConfig, loadConfig, type Config } from './engine/config.js';
import type { AnyRule } from './engine/rule.js';
import { applyBaseline, type Baseline } from './baseline.js';
import { LocationMemo } from './location/memo.js';
import { MANIFEST_PARSE_OPTIONS } from './model/kubernetes/reader.js';
import { findingExcerpts, secretRuleIds, type Excerpts } from './excerpts.js';
import { isKustomizationFile } from './kustomize/names.js';
import { CHART_FILE, chartIndex, chartNotices } from './helm/charts.js';
import type { Posture, PostureDraft } from './posture.js';
import { NO_CUSTOM_RULES } from './custom-rules/load.js';
import { RULES } from '../rules/index.js';
import { appendAll, sameItems } from './arrays.js';
import { milliseconds } from './clock.js';
import { isSettled, SETTLED_MS, stampOf, stampOfStats } from './file-stamp.js';
import { repositoryRoot } from './repository-root.js';
import { crypto } from './lazy-packages.js';

export { repositoryRoot };

export const MANIFEST_EXTENSIONS = ['yaml', 'yml', 'json'];
export const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024;

export interface ScanOptions {
  /** Files and directories to scan (default: the working directory). */
  readonly paths?: readonly string[];
  readonly cwd?: string;
  /** A config file; otherwise .meshlint.yaml is looked up from cwd upwards. `false` uses none. */
  readonly configPath?: string | false;
  /**
   * Text read from stdin, scanned as `filename`. `defaultName`: the name is not the user's (the command line's
   * default), so it says nothing of where the text belongs: its folder is no scope of the Helm chart search.
   */
  readonly stdin?: { readonly text: string | Uint8Array; readonly filename: string; readonly defaultName?: boolean };
  readonly rules?: readonly AnyRule[];
  /**
   * Called once the rules have run, before locating, with the number of findings they made: the command line's scan
   * thread collects its garbage there when they are many (collectScanGarbage in src/cli/scan-thread.ts).
   */
  readonly afterRules?: (findingCount: number) => void;
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
  /** The file holding the key that authenticates the cache (default: in the user's cache directory, see cacheKeyFile). */
  readonly cacheKeyFile?: string;
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
  /**
   * Also compute the mesh's posture (mTLS per port, authorization, entry points, excerpts) for reports that show it
   * (the HTML format). A --cache run then re-runs the rules instead of reusing a whole previous result.
   */
  readonly posture?: boolean;
  /** Also give the source lines of the reported findings, lines holding a secret masked (the text format's code frames). */
  readonly excerpts?: boolean;
}

export interface ScanResult extends LintResult {
  /** Milliseconds per phase (discover, parse, rules, locate, finish), for --stats. */
  readonly phases?: Readonly<Record<string, number>>;
  readonly config: Config;
  /** The active findings a baseline matched and removed from `findings` (none without a baseline). */
  readonly baselined: readonly Finding[];
  /** Present when `posture` was asked for. */
  readonly posture?: Posture;
  /** Present when `excerpts` was asked for: see src/excerpts.ts. */
  readonly excerpts?: Excerpts;
  /** With a cache: what it gave this run (for --stats). */
  readonly cache?: CacheUse;
  /**
   * With a cache: every path whose stamp vouches that a rerun reads the same input (files scanned, folders walked,
   * ignore files, configuration files looked for, kustomize and Helm inputs), for a stored report (see
   * src/cli/replay.ts). Absent when the scan cannot name them all (standard input, reportOnly, custom rule files,
   * symbolic links found). With each, its stamp when the scan read it, if it did.
   */
  readonly inputs?: Watched;
}

/** Inputs of a run (absolute paths), each with its stamp taken before it was read (undefined: not taken). */
export type Watched = Map<string, string | undefined>;

/** Adds an input; a stamp given replaces none. */
function watch(watched: Watched | undefined, path: string, stamp?: string): void {
  if (watched && (stamp !== undefined || !watched.has(path))) watched.set(path, stamp);
}

/** What one scan carries from stage to stage. */
interface Run {
  readonly cwd: string;
  readonly rules: readonly AnyRule[];
  readonly config: Config;
  /** Notices of discovery and reading (a lint's own notices follow them). */
  readonly notices: Notice[];
  /** Those of discovery: never stored with a cached result, since they are this run's (its paths). */
  readonly discoveryNotices: Set<Notice>;
  /** Files read beyond the discovered ones (kustomize builds), recorded with a cached run. */
  readonly inputs: string[];
  /** The run's locations: filled from the cache and by parser threads, used when findings are located. */
  readonly locations: LocationMemo;
  readonly cache?: ScanCache;
  /** Set with `reportOnly`: which files to report. */
  readonly reported?: ReportFilter;
  readonly maxBytes: number;
  /** Milliseconds per phase, for --stats. */
  readonly phases: Record<string, number>;
  /** Ends the current phase under this name. */
  phase(name: string): void;
  /** The text of every file read, by the path findings name (for excerpts). */
  readonly texts: Map<string, string>;
  /** With `posture`: the posture drawn from the lint's graph, finished once the findings are filtered. */
  posture?: PostureDraft;
  /** Every input of the run by path (see ScanResult.inputs); undefined once it cannot be told. */
  watched?: Watched;
  /** Environment variables the lint read (kustomize env files), recorded with a cached run. */
  environment?: readonly string[];
  /** Set when the lint searched for Helm charts (see chartScope): what it found (see ChartSearch). */
  chartSearch?: ChartSearch;
  /** The directories discovery walked this run, with the charts it met there (the chart search reuses them). */
  walked?: readonly WalkedDirectory[];
}

/**
 * Stages: discover (paths -> manifest files), load (the cache: the whole previous result, or files parsed before),
 * parse (the rest, on parser threads when large), then the lint (graph, rules, locate, suppress: see lintStaged),
 * filter (`reportOnly`, baseline).
 */
export async function scan(options: ScanOptions = {}): Promise<ScanResult> {
  const run = startRun(options);
  const jobs = await discoverJobs(run, options);
  // The last run searched for Helm charts: one added since changes where findings are located (its inputs name only
  // the charts it found), and its result is not reused. While the scope is the same and no folder searched changed,
  // the charts are the same; otherwise they are searched again.
  const search = run.cache?.previousChartSearch();
  const scope = search && chartScope(run.cwd, run.config, options);
  const searchedSame =
    search !== undefined &&
    search.scope !== undefined &&
    sameItems(search.scope, scope!) &&
    search.folders.every(([path, stamp]) => isSettled(stamp) && stampOf(path) === stamp);
  // Unchanged, the last search serves this run's lint too (which would otherwise search again), when its charts name
  // the same files from here.
  if (searchedSame && search.madeHere) run.chartSearch = search;
  const chartsChanged =
    search !== undefined &&
    !searchedSame &&
    !sameItems(search.charts, (run.chartSearch = await searchCharts(scope!, run.config, run.walked, true)).charts);
  const loaded = loadCached(run, jobs, options, chartsChanged);
  let result = loaded.previous;
  let parsed: ParsedFiles | undefined;
  if (jobs) run.phase('discover');
  if (!result) parsed = await parseFiles(run, jobs, loaded, options);
  if (jobs) options.onProgress?.(jobs.length, jobs.length);
  if (result && run.cache) {
    appendAll(run.inputs, run.cache.previousInputs());
    // The folders searched, as stamped by that run (or this one, which searched again).
    for (const [path, stamp] of (run.chartSearch ?? search)?.folders ?? []) watch(run.watched, path, stamp);
  }
  if (result) {
    // The lint's notices were stored with the result; discovery's are this run's. No rule ran: no rule timings.
    result = { ...result, notices: [...run.discoveryNotices, ...result.notices], ruleTimes: [] };
    run.phase('reused');
  } else {
    run.phase('parse');
    result = saveCached(run, loaded, parsed!, await lintFiles(run, parsed!, options));
  }
  return filterFindings(run, result, options);
}

/** The configuration a scan in `cwd` uses: the given file, none (`false`), or .meshlint.yaml from cwd upwards. */
export function loadScanConfig(cwd: string, configPath?: string | false, builtIn: readonly AnyRule[] = RULES): Config {
  const path = configPath === false ? undefined : configPath ? resolve(cwd, configPath) : findConfig(cwd);
  return path ? loadConfig(path, builtIn, displayPath(cwd, path)) : defaultConfig(cwd);
}

/** Every rule a scan with this configuration knows: the built-in ones, then its custom rules. */
export function rulesOf(config: Config, builtIn: readonly AnyRule[] = RULES): readonly AnyRule[] {
  return config.custom.rules.length ? [...builtIn, ...config.custom.rules] : builtIn;
}

function startRun(options: ScanOptions): Run {
  const cwd = resolve(options.cwd ?? process.cwd());
  const config = loadScanConfig(cwd, options.configPath, options.rules);
  const rules = rulesOf(config, options.rules);
  const phases: Record<string, number> = {};
  let mark = milliseconds();
  const notices: Notice[] = [];
  const watched =
    options.cacheLocation && !options.stdin && !options.reportOnly && config.custom === NO_CUSTOM_RULES
      ? new Map(lookedUpFrom(cwd, options.configPath).map((path) => [path, undefined]))
      : undefined;
  return {
    watched,
    cwd,
    rules,
    config,
    notices,
    discoveryNotices: new Set(),
    texts: new Map(),
    inputs: [],
    locations: new LocationMemo(),
    cache: options.cacheLocation ? openCache(options, cwd, config, rules, notices) : undefined,
    reported: options.reportOnly ? reportFilter(options.reportOnly, cwd) : undefined,
    maxBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    phases,
    phase(name) {
      const now = milliseconds();
      phases[name] = Math.round(now - mark);
      mark = now;
    },
  };
}

/** The cache, or none (with a notice saying why) when the user's key to it cannot be had. */
function openCache(
  options: ScanOptions,
  cwd: string,
  config: Config,
  rules: readonly AnyRule[],
  notices: Notice[],
): ScanCache | undefined {
  const location = resolve(cwd, options.cacheLocation!);
  const keyFile = options.cacheKeyFile ?? cacheKeyFile(process.env);
  try {
    return ScanCache.open({ location, keyFile }, config, rules, cwd);
  } catch (error) {
    notices.push({
      message: `the cache is not used: its key ${keyFile} cannot be had (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    });
    return undefined;
  }
}

/**
 * What a scan looks for above its working folder: the configuration files (or the one it is given), and the .git
 * that makes a folder the repository's root (display paths). One appearing or changing changes the run.
 */
function lookedUpFrom(cwd: string, configPath: string | false | undefined): string[] {
  const candidates = typeof configPath === 'string' ? [resolve(cwd, configPath)] : [];
  for (let dir = cwd; ; dir = dirname(dir)) {
    candidates.push(join(dir, '.git'));
    if (configPath === undefined) for (const name of CONFIG_NAMES) candidates.push(join(dir, name));
    if (dirname(dir) === dir) return candidates;
  }
}

/** The paths to scan: as given; the working directory when none are and nothing comes from standard input. */
function scanPaths(options: ScanOptions): readonly string[] {
  return options.paths ?? (options.stdin ? [] : ['.']);
}

/** Stage discover: the manifest files to read; undefined when there is nothing to discover (standard input only). */
async function discoverJobs(run: Run, options: ScanOptions): Promise<ParseJob[] | undefined> {
  const paths = scanPaths(options);
  if (paths.length === 0 && !options.reportOnly?.length) return undefined;
  const before = run.notices.length;
  const discovered = await discover(
    [...paths, ...(run.reported?.dirs ?? [])],
    run.cwd,
    run.config,
    run.notices,
    run.cache,
    run.watched,
  );
  if (run.watched && discovered.unwatchable) run.watched = undefined;
  run.walked = discovered.walked;
  for (const path of discovered) watch(run.watched, path);
  for (const notice of run.notices.slice(before)) run.discoveryNotices.add(notice);
  if (run.reported) addReportedFiles(discovered, run.reported.files, paths, run.cwd);
  return discovered.map((absolute) => ({ absolute, shown: displayPath(run.cwd, absolute) }));
}

interface Loaded {
  /** The previous run's whole result, when it scanned exactly these files with exactly these bytes. */
  readonly previous?: LintResult;
  readonly runKey?: string;
  /** Files parsed before (by job index), their locations restored into the run's memo. */
  readonly restored: readonly (SourceFile | undefined)[];
  /** The hash of each job's bytes (by job index), when the cache is on. */
  readonly hashOf: ReadonlyMap<number, string>;
  /** Size, modification time and hash of the files, for the next run (see FileStamp). */
  readonly stamps?: Record<string, FileStamp>;
}

/** Stage load: what the cache holds for these files. */
function loadCached(
  run: Run,
  jobs: readonly ParseJob[] | undefined,
  options: ScanOptions,
  chartsChanged: boolean,
): Loaded {
  const restored: (SourceFile | undefined)[] = new Array(jobs?.length ?? 0);
  const hashOf = new Map<number, string>();
  const cache = run.cache;
  if (!cache || !jobs) return { restored, hashOf };
  // A file whose size and modification time are those of the last run is not read: its hash is the stored one.
  const bytesOf = new Map<number, Buffer>();
  const stamps: Record<string, FileStamp> = {};
  const settledBefore = Date.now() - SETTLED_MS;
  // A file that is not read is keyed by why (its size over the limit, its error), which its notice or finding says.
  const unread = new Map<number, string>();
  jobs.forEach((job, i) => {
    const stats = regularFileStats(job.absolute, run.maxBytes);
    if (typeof stats === 'string') return void unread.set(i, stats); // parsed later, which reports why
    watch(run.watched, job.absolute, stampOfStats(stats));
    let hash = cache.knownHash(job.shown, stats.size, stats.mtimeMs);
    if (hash === undefined) {
      const bytes = readIfRegular(job.absolute, run.maxBytes);
      if (!bytes) return;
      bytesOf.set(i, bytes);
      hash = hashBytes(bytes);
    }
    hashOf.set(i, hash);
    if (stats.mtimeMs < settledBefore) stamps[job.shown] = { size: stats.size, mtimeMs: stats.mtimeMs, hash };
  });
  // The same files with the same bytes (and the same version, rules and configuration: the cache's own key) give
  // the same findings, cross-file rules included: reuse the whole previous result.
  // Files read beyond these (kustomize inputs, Helm templates and charts) are recorded with the run (run.inputs)
  // and checked by previousRun.
  const runKey = options.stdin
    ? undefined
    : runKeyOf(
        run,
        jobs.map((job, i) => [job.shown, hashOf.get(i) ?? unread.get(i) ?? '']),
      );
  // A stored result holds no posture: a run that needs one lints again (from the files parsed before).
  const previous = runKey && !options.posture && !chartsChanged ? cache.previousRun(runKey, stamps) : undefined;
  if (!previous) {
    jobs.forEach((job, i) => {
      if (!hashOf.has(i)) return;
      // Files trusted by their stamp are read now, and their hash is of what was read.
      const bytes = bytesOf.get(i) ?? readIfRegular(job.absolute, run.maxBytes);
      if (!bytes) return void hashOf.delete(i);
      const hash = bytesOf.has(i) ? hashOf.get(i)! : hashBytes(bytes);
      hashOf.set(i, hash);
      const text = sourceText(bytes);
      run.texts.set(job.shown, text);
      restored[i] = cache.restore(hash, job.shown, text, run.locations);
    });
  }
  return { previous, runKey, restored, hashOf, stamps };
}

interface ParsedFiles {
  readonly files: readonly SourceFile[];
  /** The hash of each file's bytes, for the cache. */
  readonly hashes: ReadonlyMap<SourceFile, string>;
  /** The parser threads, kept to locate the findings. */
  readonly pool?: ParserPool;
}

/** Stage parse: standard input, then every file the cache did not hold; unreadable files become notices. */
async function parseFiles(
  run: Run,
  jobs: readonly ParseJob[] | undefined,
  loaded: Loaded,
  options: ScanOptions,
): Promise<ParsedFiles> {
  const files: SourceFile[] = [];
  const hashes = new Map<SourceFile, string>();
  if (options.stdin) {
    const file = parseSource(options.stdin.filename, options.stdin.text, MANIFEST_PARSE_OPTIONS);
    files.push(file);
    run.texts.set(file.path, file.text);
  }
  if (!jobs) return { files, hashes };
  const missing = jobs.map((_, i) => i).filter((i) => loaded.restored[i] === undefined);
  const parseOptions = {
    maxBytes: run.maxBytes,
    parse: MANIFEST_PARSE_OPTIONS,
    workers: options.workers,
    workerUrl: options.workerUrl,
    releaseUnusedTexts: !run.cache,
    onProgress:
      options.onProgress && ((done: number) => options.onProgress!(jobs.length - missing.length + done, jobs.length)),
  };
  const pool = ParserPool.start(parseOptions);
  const parsed = await parseAll(
    missing.map((i) => jobs[i]),
    parseOptions,
    pool,
  );
  const outcomes = loaded.restored.map((file): ParseOutcome | undefined => file && { kind: 'file', file });
  missing.forEach((i, k) => (outcomes[i] = parsed[k]));
  outcomes.forEach((outcome, i) => {
    if (outcome!.kind === 'notice')
      return void run.notices.push({ file: outcome!.file, message: outcome!.message, notLinted: true });
    files.push(outcome!.file);
    run.texts.set(outcome!.file.path, outcome!.file.text);
    const hash = loaded.hashOf.get(i);
    if (hash) hashes.set(outcome!.file, hash);
  });
  return { files, hashes, pool };
}

/**
 * The lint: kustomize builds and rendered Helm output first, then graph and rules, then locate (on the parser
 * threads when there are some), suppress and sort.
 */
async function lintFiles(run: Run, parsed: ParsedFiles, options: ScanOptions): Promise<LintResult> {
  const files = [...parsed.files];
  const display = (absolute: string) => displayPath(run.cwd, absolute);
  // The builder is loaded only for a scan that has a kustomization.
  const kustomize =
    run.config.kustomize.enabled && files.some((file) => isKustomizationFile(file.path))
      ? (await import('./kustomize/index.js')).buildKustomizations(files, {
          cwd: run.cwd,
          display,
          maxFileBytes: run.maxBytes,
        })
      : undefined;
  if (kustomize) {
    files.push(...kustomize.extraFiles);
    run.notices.push(...kustomize.notices);
    run.inputs.push(...kustomize.inputs);
    run.environment = kustomize.environment;
    run.phase('build');
  }
  if (run.config.helm.attributeToTemplates && files.some((file) => file.text.includes('# Source: '))) {
    run.chartSearch ??= await searchCharts(
      chartScope(run.cwd, run.config, options),
      run.config,
      run.walked,
      run.cache !== undefined,
    );
    run.inputs.push(...(await attributeHelmOutput(files, run.cwd, run.chartSearch.charts)));
    for (const [path, stamp] of run.chartSearch.folders) watch(run.watched, path, stamp);
  }
  const staged = lintStaged({
    files,
    rules: run.rules,
    config: run.config,
    locations: run.locations,
    builds: kustomize?.builds,
    consumed: kustomize?.consumed,
    root: run.cwd,
  });
  run.phase('rules');
  options.afterRules?.(staged.findingCount);
  if (options.posture) {
    const { draftPosture } = await import('./posture.js');
    try {
      run.posture = draftPosture(
        staged.graph,
        parsed.files,
        settingsFor(staged.graph, run.config.settings),
        run.locations,
      );
    } catch (error) {
      run.notices.push({ message: postureProblem(error) });
    }
    run.phase('posture');
  }
  // Every location the findings (and the posture's sites) need, one document at a time; the threads that parsed
  // files rebuild the library's syntax trees the lean reader cannot give, in parallel. Kept in the run's memo only
  // for what reads it later (the cache stores it, the posture's sites read it); the findings take theirs as found.
  const located = await locateAll(
    run.posture ? [...staged.requests, ...run.posture.requests] : staged.requests,
    parsed.pool,
    run.cache || run.posture ? run.locations : undefined,
  );
  parsed.pool?.close();
  run.phase('locate');
  const linted = staged.finish(located);
  run.phase('finish');
  const notices = [...run.notices, ...linted.notices];
  return {
    ...linted,
    notices:
      run.config.helm.charts === 'notice'
        ? chartNotices(
            files.map((f) => f.path),
            notices,
            run.cwd,
            display,
          )
        : notices,
  };
}

/**
 * Where rendered Helm output's charts are looked for (the same answer from any working directory): for each scanned
 * path (a file's folder; standard input's file is named from the working directory), the git work tree holding it,
 * else the folder of the configuration file in use when it holds the path, else the path's folder itself, except
 * for standard input under the default name (the working directory may be /tmp or a home folder: it is searched
 * only as part of a work tree or the configuration's folder, or when it is itself a chart, as for `helm template . |
 * meshlint -` in a chart's folder). Sorted, none inside another.
 */
function chartScope(cwd: string, config: Config, options: ScanOptions): string[] {
  const folders: { folder: string; placed: boolean }[] = [];
  for (const path of [...scanPaths(options), ...(options.reportOnly ?? [])]) {
    const absolute = resolve(cwd, path);
    try {
      folders.push({ folder: statSync(absolute).isDirectory() ? absolute : dirname(absolute), placed: true });
    } catch {
      // not scanned
    }
  }
  if (options.stdin)
    folders.push({ folder: dirname(resolve(cwd, options.stdin.filename)), placed: !options.stdin.defaultName });
  const scope = folders.flatMap(
    ({ folder, placed }) =>
      workTreeOf(folder) ??
      (config.path && isWithin(config.root, folder)
        ? resolve(config.root)
        : placed || existsSync(join(folder, CHART_FILE))
          ? folder
          : []),
  );
  return [...new Set(scope)].sort().filter((dir, i, all) => !all.some((other, j) => j !== i && isInside(other, dir)));
}

/**
 * The Helm charts in the scope (absolute, sorted), which rendered output may be located in, and, when `stamped` (the
 * cache keeps the search), every folder and ignore file the search covered, stamped before it ran: a chart added
 * anywhere there changes one of them. A directory discovery walked in the scope (see reusableWalks) is not read
 * again: its folders' stamps and its charts are discovery's; only the rest of the scope is walked and globbed.
 */
async function searchCharts(
  scope: readonly string[],
  config: Config,
  walked: readonly WalkedDirectory[] | undefined,
  stamped: boolean,
): Promise<ChartSearch> {
  const folders: (readonly [string, string])[] = [];
  const charts: string[] = [];
  for (const dir of scope) {
    const glob = directoryGlob(dir, config);
    const reused = reusableWalks(dir, glob, walked ?? []);
    for (const walk of reused) {
      appendAll(folders, walk.stamps);
      for (const chart of walk.charts) if (!hasHiddenFolder(dir, chart)) charts.push(chart);
    }
    if (reused.some((walk) => walk.directory === dir)) continue;
    const skipped = new Set(reused.map((walk) => walk.directory));
    if (stamped) appendAll(folders, walkDirectories(glob.cwd, glob.root, true, skipped).stamps);
    const { globby } = await import('globby');
    const found = await globby(`${toGlobBase(glob.root || '.')}**/${CHART_FILE}`, {
      cwd: glob.cwd,
      gitignore: true,
      // The directories reused are not searched again (nor their .gitignore files, which apply only in them).
      ignore: [...glob.ignore, ...[...skipped].map((walked) => `${toGlobBase(relative(glob.cwd, walked))}**`)],
      followSymbolicLinks: false,
      suppressErrors: true,
    });
    for (const path of found) charts.push(resolve(glob.cwd, path));
  }
  if (stamped) for (const path of ancestorIgnoreFiles(scope)) folders.push([path, stampOf(path)]);
  return { scope, charts: charts.sort(), folders };
}

/**
 * The directories discovery walked in scope folder `dir` (none inside another) whose listing gives the charts a
 * search of `dir` finds there: globby read the same .gitignore files for them (expanded from the same cwd, or in the
 * same git work tree, whose root anchors every .gitignore either way), and no folder between `dir` and them is one
 * the search passes by (hidden: the search does not list dot folders; node_modules and .git; coverage and
 * flow-typed, whose .gitignore files globby never reads). Hidden folders below them are left out by the caller.
 */
function reusableWalks(dir: string, glob: DirectoryGlob, walked: readonly WalkedDirectory[]): WalkedDirectory[] {
  const workTree = workTreeOf(glob.cwd);
  const reusable = walked.filter(
    (walk) =>
      isWithin(dir, walk.directory) &&
      (walk.cwd === glob.cwd || (workTree !== undefined && workTreeOf(walk.cwd) === workTree)) &&
      !relative(dir, walk.directory)
        .split(sep)
        .some((name) => name.startsWith('.') || SEARCH_PASSES_BY.has(name)),
  );
  return reusable.filter((walk) => !reusable.some((other) => isInside(other.directory, walk.directory)));
}

/** Folders whose content the chart search never lists (its ignore patterns, globby's own for .gitignore files). */
const SEARCH_PASSES_BY = new Set(['node_modules', 'coverage', 'flow-typed']);

/** Whether a folder between `dir` and the file starts with a dot (globby lists none with `dot` off). */
function hasHiddenFolder(dir: string, file: string): boolean {
  return relative(dir, dirname(file))
    .split(sep)
    .some((name) => name.startsWith('.'));
}

/** The inputs of a run: those watched, and the files its lint read beyond them (stamped when recorded). */
function inputsOf(watched: Watched, read: readonly string[]): Watched {
  for (const path of read) watch(watched, path);
  return watched;
}

/**
 * Rendered Helm output: documents whose `# Source:` template exists under cwd are located in that template
 * (`chartFiles`: the charts under cwd). Returns the charts and templates read or looked for.
 */
async function attributeHelmOutput(
  files: readonly SourceFile[],
  cwd: string,
  chartFiles: readonly string[],
): Promise<string[]> {
  if (chartFiles.length === 0) return [];
  const { attributeRendered } = await import('./helm/rendered.js');
  // Templates looked for and missing count too: one that appears later changes where findings are located.
  const looked = new Set<string>();
  const templates = attributeRendered(
    files,
    chartIndex(chartFiles),
    (absolute) => displayPath(cwd, absolute),
    (absolute) => {
      looked.add(absolute);
      try {
        return statSync(absolute).isFile();
      } catch {
        return false;
      }
    },
  );
  return [...new Set([...chartFiles, ...templates, ...looked])];
}

/** Keeps this run's files, locations and result in the cache; a failure to write is a notice. */
function saveCached(run: Run, loaded: Loaded, parsed: ParsedFiles, result: LintResult): LintResult {
  if (!run.cache) return result;
  for (const [file, hash] of parsed.hashes) run.cache.remember(hash, file);
  const stored = { ...result, notices: result.notices.filter((n) => !run.discoveryNotices.has(n)) };
  const problem = run.cache.save(loaded.runKey, stored, run.locations, run.inputs, loaded.stamps, {
    chartSearch: run.chartSearch,
    environment: run.environment,
  });
  return problem ? { ...result, notices: [...result.notices, { message: problem }] } : result;
}

/** Stage filter: only the files to report (`reportOnly`), and not what the baseline records. */
function filterFindings(run: Run, result: LintResult, options: ScanOptions): ScanResult {
  let findings = result.findings;
  let notices = result.notices;
  if (run.reported) {
    const { has } = run.reported;
    findings = findings.filter((f) => has(f.file));
    notices = notices.filter((n) => n.file === undefined || has(n.file));
  }
  let baselined: readonly Finding[] = [];
  if (options.baseline) ({ findings, matched: baselined } = applyBaseline(findings, options.baseline));
  let posture: Posture | undefined;
  const secretRules = secretRuleIds(run.rules);
  // Every finding of the run (suppressed and baselined ones too) hides the lines of its secrets.
  // A result reused whole from the cache read no file: the few with findings are read for their lines.
  const textOf = (path: string) => run.texts.get(path) ?? textOfFile(resolve(run.cwd, path), run.maxBytes);
  const excerpts = options.excerpts ? findingExcerpts(textOf, result.findings, findings, secretRules) : undefined;
  if (run.posture) {
    try {
      posture = run.posture.finish(result.findings, findings, secretRules);
    } catch (error) {
      notices = [...notices, { message: postureProblem(error) }];
    }
    run.phase('sites');
  }
  return {
    ...result,
    findings,
    notices,
    config: run.config,
    baselined,
    phases: run.phases,
    ...(run.cache ? { cache: cacheUse(run.cache, run.phases) } : {}),
    ...(run.watched ? { inputs: inputsOf(run.watched, run.inputs) } : {}),
    ...(posture ? { posture } : {}),
    ...(excerpts ? { excerpts } : {}),
  };
}

function cacheUse(cache: ScanCache, phases: Record<string, number>): CacheUse {
  const reused = 'reused' in phases ? 'result' : cache.restoredAny ? 'files' : 'nothing';
  return { reused, ...(cache.ignored ? { ignored: cache.ignored } : {}) };
}

function postureProblem(error: unknown): string {
  return `internal error while drawing the mesh's posture: ${(error as Error)?.message ?? error}; the report shows the findings without it. Please report this.`;
}

/**
 * What the whole result depends on beyond the cache's key: the size limit and each file's bytes, by the path shown
 * (relative to the working directory; absolute outside the repository, as reports show it).
 */
function runKeyOf(run: Run, files: readonly (readonly [string, string])[]): string {
  return crypto()
    .createHash('sha256')
    .update(JSON.stringify({ maxBytes: run.maxBytes, files }))
    .digest('hex');
}

interface ReportFilter {
  readonly files: readonly string[];
  readonly dirs: readonly string[];
  readonly has: (file: string) => boolean;
}

/** Which shown paths `reportOnly` selects: the files themselves, and everything under the directories. */
function reportFilter(reportOnly: readonly string[], cwd: string): ReportFilter {
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
function addReportedFiles(
  discovered: string[],
  reportOnly: readonly string[],
  contextPaths: readonly string[],
  cwd: string,
): void {
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

/** Size and modification time of a file to read, or why it will not be read (not a file, its size, an error). */
function regularFileStats(path: string, maxBytes: number): Stats | string {
  try {
    const stats = statSync(path);
    if (!stats.isFile()) return 'unread: not a file';
    return stats.size <= maxBytes ? stats : `unread: ${stats.size} bytes`;
  } catch (error) {
    return `unread: ${(error as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}

function readIfRegular(path: string, maxBytes: number): Buffer | undefined {
  try {
    const stats = statSync(path);
    return stats.isFile() && stats.size <= maxBytes ? readFileSync(path) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Expands paths into manifest files: directories recursively (.gitignore honoured), files as given. Each directory
 * is expanded from itself, never from the working directory (issue 13: no cost may follow anything but the input):
 * the .gitignore files read are those in it and below, and those above it up to the root of the git work tree that
 * holds it (as git reads them; outside a work tree, none above it). The working directory only shapes the paths
 * shown.
 */
export async function discover(
  paths: readonly string[],
  cwd: string,
  config: Config,
  notices: Notice[],
  listings?: ListingStore,
  watched?: Watched,
): Promise<string[] & { unwatchable?: boolean; walked?: WalkedDirectory[] }> {
  const found = new Set<string>();
  let unwatchable = false;
  const roots: string[] = [];
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    watch(watched, absolute);
    let stats: ReturnType<typeof statSync>;
    try {
      stats = statSync(absolute);
    } catch {
      notices.push({ file: path, message: 'skipped: no such file or directory', notLinted: true });
      continue;
    }
    if (stats.isDirectory()) {
      if (!roots.includes(absolute)) roots.push(absolute);
    } else found.add(absolute);
  }
  if (roots.length > 0) {
    // Custom rule files are configuration, like .meshlint.yaml: never linted as manifests.
    const ruleFiles = new Set(config.custom.files);
    const globs = roots.map((root) => directoryGlob(root, config));
    const query = JSON.stringify(globs);
    const listed = listings?.listing(query);
    if (listed && listed.stamps.every(([path, stamp]) => stampOf(path) === stamp)) {
      for (const [path, stamp] of listed.stamps) watch(watched, path, stamp);
      for (const path of listed.files) if (!ruleFiles.has(path)) found.add(path);
      return Object.assign([...found].sort(), { unwatchable });
    }
    // Stamped before globby reads them: a directory changed after its stamp has another one next time.
    const walks = globs.map((glob) => walkDirectories(glob.cwd, glob.root, listings !== undefined));
    const ancestorStamps = listings
      ? ancestorIgnoreFiles(roots).map((path) => [path, stampOf(path)] as [string, string])
      : [];
    // Loaded only when a directory must be expanded: a run on named files (pre-commit, an editor) starts faster.
    const { globbySync } = await import('globby');
    const stamps = [...walks.flatMap((walk) => walk.stamps), ...ancestorStamps];
    for (const [path, stamp] of stamps) watch(watched, path, stamp);
    const files: string[] = [];
    const noticed = new Set<string>();
    const walked = roots.map(
      (directory, i): WalkedDirectory => ({ directory, cwd: globs[i].cwd, stamps: walks[i].stamps, charts: [] }),
    );
    globs.forEach((glob, i) => {
      // Relative paths (with absolute: true a backslash in a file name becomes a separator). kubectl -R reads a
      // linked manifest file and never descends a linked directory (filepath.Walk): neither does this, and every
      // link it does not read is a notice, never silence.
      const options = {
        cwd: glob.cwd,
        gitignore: true,
        ignore: glob.ignore,
        dot: true,
        onlyFiles: false,
        followSymbolicLinks: false,
        suppressErrors: true,
        objectMode: true,
      } as const;
      // Synchronous: the same answer as globby(), but its .gitignore filter stats every match to tell directories,
      // which costs far less as statSync than as thousands of pending promises (most of a warm --cache run).
      const matches = globbySync(glob.patterns, options);
      // Links to directories have any name: found by a walk that reads directories only (globby's .gitignore
      // filter costs more per entry than the walk), and then passed through the same filters as everything else.
      const { links } = walks[i];
      if (links.length > 0) unwatchable = true;
      const linkedDirectories = links
        .filter((path) => !isManifestName(basename(path)) && linkTarget(resolve(glob.cwd, path)) === 'directory')
        .map(globLiteral);
      if (linkedDirectories.length > 0)
        appendAll(matches, globbySync(linkedDirectories, { ...options, expandDirectories: false }));
      for (const match of matches) {
        const absolute = resolve(glob.cwd, match.path);
        if (match.dirent.isFile()) {
          files.push(absolute);
          if (match.name === CHART_FILE) walked[i].charts.push(absolute);
        } else if (match.dirent.isSymbolicLink()) {
          const target = linkTarget(absolute);
          if (target === 'file') files.push(absolute);
          else if (!noticed.has(absolute)) {
            noticed.add(absolute);
            notices.push({
              file: displayPath(cwd, absolute),
              message: `skipped: ${LINK_PROBLEMS[target]}`,
              notLinted: true,
            });
          }
        }
      }
    });
    if (listings && !unwatchable && stamps.every(([, stamp]) => isSettled(stamp)))
      listings.keepListing(query, { files, stamps });
    for (const path of files) if (!ruleFiles.has(path)) found.add(path);
    return Object.assign([...found].sort(), { unwatchable, walked });
  }
  return Object.assign([...found].sort(), { unwatchable });
}

/**
 * A directory discovery walked (a scanned one): from which cwd globby expanded it, every folder walked and
 * .gitignore file seen with its stamp (when stamped), and the charts (`Chart.yaml` files, not links) it listed.
 */
interface WalkedDirectory {
  readonly directory: string;
  readonly cwd: string;
  readonly stamps: readonly [string, string][];
  readonly charts: string[];
}

/** How globby expands one scanned directory: from `cwd`, the patterns naming `root` (relative to cwd) and below. */
interface DirectoryGlob {
  readonly cwd: string;
  readonly root: string;
  readonly patterns: readonly string[];
  readonly ignore: string[];
}

/**
 * The directory's own glob. It runs from the directory itself, which bounds globby's search for .gitignore files
 * (from its cwd down, then up to the git work tree's root), except from the folder of the configuration file in use
 * when that folder holds the directory and either
 * - the configuration has `ignore` patterns: they are relative to its folder, and fast-glob matches patterns against
 *   paths relative to its cwd, so they match as written; or
 * - no git work tree holds the directory: outside one, the configuration's folder is the project's root, and the
 *   .gitignore files from there down apply (as they did when meshlint ran from there).
 */
function directoryGlob(directory: string, config: Config): DirectoryGlob {
  const configRoot = resolve(config.root);
  const fromConfig =
    config.path !== undefined &&
    isInside(configRoot, directory) &&
    (config.ignore.length > 0 || workTreeOf(directory) === undefined);
  const cwd = fromConfig ? configRoot : directory;
  const root = relative(cwd, directory);
  const base = toGlobBase(root || '.');
  const configBase = relative(cwd, configRoot);
  // A configuration above or beside the directory (and not its cwd) has no pattern that can name a file in it.
  const configApplies = configBase === '' || isInside(cwd, configRoot);
  return {
    cwd,
    root,
    // A kustomization may be a YAML file without extension, named Kustomization.
    patterns: [`${base}**/*.{${MANIFEST_EXTENSIONS.join(',')}}`, `${base}**/Kustomization`],
    ignore: [
      '**/node_modules/**',
      '**/.git/**',
      ...CONFIG_NAMES.map((name) => `**/${name}`),
      ...(configApplies ? config.ignore.map((p) => toGlobBase(configBase || '.') + p.replace(/^\.?\//, '')) : []),
    ],
  };
}

/** The root of the git work tree holding `dir` (the folder with .git), if one does. */
function workTreeOf(dir: string): string | undefined {
  const root = repositoryRoot(dir);
  return existsSync(join(root, '.git')) ? root : undefined;
}

/**
 * The .gitignore files (and .git folders, which decide which parent .gitignore files globby reads) in every folder
 * above the scanned directories.
 */
function ancestorIgnoreFiles(roots: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const start of roots)
    for (let dir = start; !folders.has(dir); dir = dirname(dir)) {
      folders.add(dir);
      if (dirname(dir) === dir) break;
    }
  return [...folders].flatMap((dir) => [join(dir, '.gitignore'), join(dir, '.git')]);
}

/**
 * Symbolic links under `root` (relative to cwd, as globby gives paths), not descending node_modules or .git, nor the
 * `skipped` folders (absolute); and, when `stamped` (for a kept listing), every folder walked and .gitignore file
 * seen (absolute), each stamped before it is read.
 */
function walkDirectories(
  cwd: string,
  root: string,
  stamped: boolean,
  skipped?: ReadonlySet<string>,
): { links: string[]; stamps: [string, string][] } {
  const links: string[] = [];
  const stamps: [string, string][] = [];
  const stamp = (path: string) => {
    if (stamped) stamps.push([path, stampOf(path)]);
  };
  const pending = [root];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    let entries: Dirent[];
    stamp(resolve(cwd, dir));
    try {
      entries = readdirSync(resolve(cwd, dir), { withFileTypes: true });
    } catch {
      continue; // unreadable: globby does not list it either
    }
    for (const entry of entries) {
      const isLink = entry.isSymbolicLink();
      if (entry.name === '.gitignore') stamp(resolve(cwd, dir, entry.name));
      if (!isLink && (!entry.isDirectory() || entry.name === 'node_modules' || entry.name === '.git')) continue;
      const path = dir ? `${dir.split(sep).join('/')}/${entry.name}` : entry.name;
      if (isLink) links.push(path);
      else if (!skipped?.size || !skipped.has(resolve(cwd, path))) pending.push(path);
    }
  }
  return { links, stamps };
}

/** A manifest by its name, as kubectl -R picks files (extensions compared as written) or a kustomization. */
function isManifestName(name: string): boolean {
  return name === 'Kustomization' || MANIFEST_EXTENSIONS.some((extension) => name.endsWith(`.${extension}`));
}

const LINK_PROBLEMS = {
  directory: 'symbolic link to a directory, not followed (kubectl -R does not follow it either)',
  dangling: 'dangling symbolic link (its target does not exist)',
  loop: 'symbolic link loop (too many levels of symbolic links)',
  special: 'symbolic link to something that is not a regular file',
  unreadable: 'symbolic link that cannot be followed (permission denied)',
} as const;

/** What a symbolic link resolves to; the operating system's own limit ends a loop (ELOOP). */
function linkTarget(path: string): 'file' | keyof typeof LINK_PROBLEMS {
  try {
    const stats = statSync(path);
    return stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'special';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'dangling' : code === 'ELOOP' ? 'loop' : 'unreadable';
  }
}

function toGlobBase(dir: string): string {
  const posix = dir.split(sep).join('/');
  // A directory named "k8s[prod]" or "a(b)" is a path, not a pattern.
  return posix === '.' ? '' : `${globLiteral(posix.replace(/\/$/, ''))}/`;
}

/** A path as a glob pattern that matches only itself. */
function globLiteral(path: string): string {
  return path.replace(/[()*?[\]{}|!+@\\]/g, '\\$&');
}

/**
 * Paths shown to users: relative to cwd with forward slashes (`../shop/web.yaml` for a file of the same repository
 * above cwd); absolute only for a file outside both cwd and the repository that holds cwd.
 */
export function displayPath(cwd: string, absolute: string): string {
  const slash = absolute.lastIndexOf(sep);
  if (slash <= 0) return displayPathOf(cwd, absolute);
  // Files of one folder share its display: path.relative once per folder, not per file (thousands in a scan).
  const folder = absolute.slice(0, slash);
  if (displayFolders.cwd !== cwd) {
    displayFolders.cwd = cwd;
    displayFolders.shown.clear();
  }
  let shown = displayFolders.shown.get(folder);
  if (shown === undefined) {
    shown = displayPathOf(cwd, `${folder}${sep}_`).slice(0, -1);
    displayFolders.shown.set(folder, shown);
  }
  return `${shown}${absolute.slice(slash + 1)}`;
}

const displayFolders = { cwd: '', shown: new Map<string, string>() };

function displayPathOf(cwd: string, absolute: string): string {
  const rel = relative(cwd, absolute);
  if (rel && !isAbsolute(rel) && (!rel.startsWith('..') || isWithin(repositoryRoot(cwd), absolute)))
    return rel.split(sep).join('/');
  return absolute.split(sep).join('/');
}

function isWithin(dir: string, absolute: string): boolean {
  const rel = relative(dir, absolute);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** A file's text as the parse saw it: none when it could not be read, empty when over the size limit (not read). */
function textOfFile(absolute: string, maxBytes: number): string | undefined {
  const bytes = readIfRegular(absolute, maxBytes);
  if (bytes) return sourceText(bytes);
  try {
    const stats = statSync(absolute);
    return stats.isFile() && stats.size > maxBytes ? '' : undefined;
  } catch {
    return undefined;
  }
}
