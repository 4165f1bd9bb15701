// The language server's model of a workspace folder: every manifest parsed once, open documents' unsaved text in
// place of the disk's, and the graph kept between edits. An edit parses that one file again and lints it against
// the kept graph (FocusedGraph), keeping the indexes it cannot have changed (WorkspaceGraph); `rebuild` starts from
// a graph built afresh. This is the only module of the server that talks to the scan pipeline.
import { statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { CONFIG_NAMES, ConfigError, defaultConfig, findConfig, loadConfig, type Config } from '../engine/config.js';
import type { AnyRule } from '../engine/rule.js';
import { lintStaged, type LintResult } from '../engine/run.js';
import { readResources } from '../model/graph.js';
import type { Resource } from '../model/resource.js';
import { parseAll, ParserPool, readAndParse } from '../parse/pool.js';
import { parseSource, type SourceFile } from '../parse/source.js';
import { LocationMemo } from '../location/memo.js';
import { MANIFEST_PARSE_OPTIONS } from '../model/kubernetes/reader.js';
import { DEFAULT_MAX_FILE_BYTES, discover, displayPath, MANIFEST_EXTENSIONS, rulesOf } from '../scan.js';
import { RULES } from '../../rules/index.js';
import { dependenciesOf, FocusedGraph, WorkspaceGraph } from './focus.js';

export interface WorkspaceOptions {
  /** The workspace folder: discovery root, and what paths are shown relative to. */
  readonly root: string;
  readonly rules?: readonly AnyRule[];
  /** The module parser threads run (the bundle); without it the workspace is parsed on this thread. */
  readonly workerUrl?: URL;
  /** A configuration file, or `false` for none; default: .meshlint.yaml from the root upwards. */
  readonly configPath?: string | false;
}

interface Entry {
  readonly file: SourceFile;
  readonly resources: readonly Resource[];
}

export class Workspace {
  readonly root: string;
  /** The built-in rules (the configuration may add custom ones: `rules`). */
  readonly #builtIn: readonly AnyRule[];
  config: Config;
  /** Why the configuration file could not be used (the defaults apply meanwhile), with its location. */
  configErrors: readonly {
    readonly file: string;
    readonly line: number;
    readonly column: number;
    readonly message: string;
  }[] = [];
  readonly #workerUrl?: URL;
  readonly #configPath?: string | false;
  readonly #entries = new Map<string, Entry>();
  /** What discovery found (absolute paths), and when it ran. */
  #discovered = new Set<string>();
  #discoveredAt = 0;
  /** Unsaved text of open documents, by absolute path. */
  readonly #open = new Map<string, string>();
  #graph: WorkspaceGraph;
  /** Whether the graph kept indexes across edits since it was built afresh. */
  #stale = false;
  /** Locations already resolved, kept between lints (started afresh with the graph). */
  #locations = new LocationMemo();

  constructor(options: WorkspaceOptions) {
    this.root = resolve(options.root);
    this.#builtIn = options.rules ?? RULES;
    this.#workerUrl = options.workerUrl;
    this.#configPath = options.configPath;
    this.config = this.#readConfig();
    this.#graph = new WorkspaceGraph([], []);
  }

  /** Every rule the configuration runs: the built-in ones and its custom rules. */
  get rules(): readonly AnyRule[] {
    return rulesOf(this.config, this.#builtIn);
  }

  /** The indexes the current graph holds (built, or kept from before the last edit). */
  get indexes(): string[] {
    return this.#graph.indexes;
  }

  /** Discovers and parses the workspace (parser threads for a large one). */
  async load(): Promise<void> {
    this.#entries.clear();
    this.#discoveredAt = Date.now();
    const found = await discover(['.'], this.root, this.config, []);
    this.#discovered = new Set(found);
    const jobs = found.map((absolute) => ({ absolute, shown: displayPath(this.root, absolute) }));
    const options = { maxBytes: DEFAULT_MAX_FILE_BYTES, workerUrl: this.#workerUrl, parse: MANIFEST_PARSE_OPTIONS };
    const pool = ParserPool.start(options);
    try {
      const outcomes = await parseAll(jobs, options, pool);
      outcomes.forEach((outcome, i) => {
        const absolute = jobs[i].absolute;
        const open = this.#open.get(absolute);
        const file =
          open !== undefined ? this.#parse(absolute, open) : outcome.kind === 'file' ? outcome.file : undefined;
        if (file) this.#entries.set(absolute, { file, resources: readResources([file]) });
      });
    } finally {
      pool?.close();
    }
    for (const [absolute, text] of this.#open) {
      if (!this.#entries.has(absolute) && this.lints(absolute))
        this.#entries.set(absolute, this.#entry(absolute, text));
    }
    this.rebuild();
  }

  /** Whether meshlint lints this path (a manifest extension, not the configuration, not ignored by it). */
  lints(absolute: string): boolean {
    const name = absolute.split(/[\\/]/).pop() ?? '';
    if (this.isConfigFile(absolute) || !MANIFEST_EXTENSIONS.includes(name.split('.').pop()?.toLowerCase() ?? ''))
      return false;
    if (this.#discovered.has(absolute)) return true;
    // As with --context: a file of the workspace that discovery skipped (config `ignore`, .gitignore) is skipped;
    // files outside the workspace, and those created since discovery ran (or not saved yet), are linted.
    const rel = relative(this.root, absolute);
    if (rel.startsWith('..') || isAbsolute(rel)) return true;
    try {
      const born = statSync(absolute).birthtimeMs;
      return born === 0 || born >= this.#discoveredAt;
    } catch {
      return true;
    }
  }

  /** .meshlint.yaml, and the custom rule files it names: configuration, read again when they change. */
  isConfigFile(absolute: string): boolean {
    return CONFIG_NAMES.includes(absolute.split(/[\\/]/).pop() ?? '') || this.config.custom.files.includes(absolute);
  }

  /** An open document's text (`undefined`: closed, back to the disk's). Returns whether the file is linted. */
  setText(absolute: string, text: string | undefined): boolean {
    if (text === undefined) this.#open.delete(absolute);
    else this.#open.set(absolute, text);
    return this.#replace(absolute);
  }

  /** A file changed, appeared or disappeared on disk (open documents keep their unsaved text). */
  diskChanged(absolute: string): boolean {
    if (this.#open.has(absolute)) return false;
    return this.#replace(absolute);
  }

  /** Reads the configuration again; the caller then lints everything again. */
  reloadConfig(): void {
    this.config = this.#readConfig();
  }

  file(absolute: string): SourceFile | undefined {
    return this.#entries.get(absolute)?.file;
  }

  get files(): readonly SourceFile[] {
    return [...this.#entries.values()].map((e) => e.file);
  }

  absolutePath(shown: string): string {
    return resolve(this.root, shown);
  }

  /** Findings of these files, judged against the whole kept graph. */
  lint(absolutes: readonly string[]): LintResult {
    const entries = absolutes.map((a) => this.#entries.get(a)).filter((e): e is Entry => e !== undefined);
    const files = entries.map((e) => e.file);
    const graph = new FocusedGraph(
      this.#graph,
      files,
      entries.flatMap((e) => e.resources),
    );
    return lintStaged({ files, rules: this.rules, config: this.config, graph, locations: this.#locations }).finish();
  }

  /** Findings of every file (on a graph built afresh when edits kept indexes). */
  lintAll(): LintResult {
    if (this.#stale) this.rebuild();
    const files = this.files;
    return lintStaged({
      files,
      rules: this.rules,
      config: this.config,
      graph: this.#graph,
      locations: this.#locations,
    }).finish();
  }

  #replace(absolute: string): boolean {
    const before = this.#entries.get(absolute);
    let after: Entry | undefined;
    if (this.lints(absolute)) {
      const text = this.#open.get(absolute);
      after = text !== undefined ? this.#entry(absolute, text) : this.#fromDisk(absolute);
    }
    if (after) this.#entries.set(absolute, after);
    else this.#entries.delete(absolute);
    if (!before && !after) return false;
    const touched = dependenciesOf([...(before?.resources ?? []), ...(after?.resources ?? [])]);
    this.#graph = new WorkspaceGraph(this.#allResources(), this.files, this.#graph, touched);
    // Indexes kept across edits are a shortcut; the next lintAll starts from a graph built afresh.
    this.#stale = true;
    return after !== undefined;
  }

  /** Starts from a graph built afresh (no index kept from before the edits). */
  rebuild(): void {
    this.#graph = new WorkspaceGraph(this.#allResources(), this.files);
    this.#locations = new LocationMemo();
    this.#stale = false;
  }

  #allResources(): Resource[] {
    return [...this.#entries.values()].flatMap((e) => e.resources);
  }

  #parse(absolute: string, text: string): SourceFile {
    return parseSource(displayPath(this.root, absolute), text, MANIFEST_PARSE_OPTIONS);
  }

  #entry(absolute: string, text: string): Entry {
    const file = this.#parse(absolute, text);
    return { file, resources: readResources([file]) };
  }

  #fromDisk(absolute: string): Entry | undefined {
    const outcome = readAndParse(
      { absolute, shown: displayPath(this.root, absolute) },
      DEFAULT_MAX_FILE_BYTES,
      MANIFEST_PARSE_OPTIONS,
    );
    return outcome.kind === 'file' ? { file: outcome.file, resources: readResources([outcome.file]) } : undefined;
  }

  #readConfig(): Config {
    this.configErrors = [];
    const path =
      this.#configPath === false
        ? undefined
        : this.#configPath !== undefined
          ? resolve(this.root, this.#configPath)
          : findConfig(this.root);
    if (!path) return defaultConfig(this.root);
    try {
      return loadConfig(path, this.#builtIn, displayPath(this.root, path));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      // Problems in a custom rule file are shown on that file; the others on the configuration file.
      this.configErrors = error.problems.map((p) => ({
        file: p.file === undefined ? path : resolve(this.root, p.file),
        line: p.line ?? 1,
        column: p.column ?? 1,
        message: p.message,
      }));
      return defaultConfig(this.root);
    }
  }
}
