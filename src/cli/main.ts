// The command line: arguments -> scan -> format -> exit code. Exit 0: nothing at or above --fail-on;
// 1: something is; 2: usage or configuration error (in every format).
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { BaselineError, createBaseline, formatBaseline, readBaseline } from '../baseline.js';
import { CONFIG_NAMES, ConfigError, parseConfig, type Config } from '../engine/config.js';
import { formatConfigProblem } from '../engine/config-errors.js';
import type { AnyRule, Severity } from '../engine/rule.js';
import { didYouMean } from '../suggest.js';
import { escapeControl, failsAt, plural } from '../report/summary.js';
import {
  FORMATS,
  POSTURE_FORMATS,
  formatResultChunks,
  inFormatPaths,
  joinedInBatches,
  type Format,
} from '../report/index.js';
import { displayPath, loadScanConfig, repositoryRoot, rulesOf, scan, type ScanResult } from '../scan.js';
import { cacheKeyFile, defaultCacheLocation } from '../cache.js';
import { RULES } from '../../rules/index.js';
import { TOOL_NAME, VERSION } from '../version.js';
import { compareText, maximum } from '../arrays.js';
import { milliseconds } from '../clock.js';
import { selectFindings, unknownRuleIds } from './select.js';
import { processFigures, ReportTape } from './replay.js';
import { collectScanGarbage } from './scan-thread.js';
import type { StagedTree } from './staged.js';

export interface CliIo {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: { write(text: string): unknown; isTTY?: boolean; hasColors?: () => boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Standard input's bytes (decoded as a file's are: UTF-8, or UTF-16 with a byte order mark). */
  readonly readStdin: () => Promise<string | Uint8Array>;
  /** How long a scan runs before a progress line appears on a terminal's stderr (default 1000 ms). */
  readonly progressDelayMs?: number;
  /** The module parser threads run (the bundle); absent in tests that call main() directly. */
  readonly workerUrl?: URL;
  /** Called once a scan has run (the executable then keeps this run's compiled code: see src/cli/code-cache.ts). */
  readonly onScanned?: (files: number) => void;
  /**
   * The program's id, from the executable, which replays a stored report (src/cli/replay.ts): given, a --cache run
   * keeps what it writes for the next. Absent in tests that call main() directly.
   */
  readonly program?: string;
}

const FAIL_ON = ['error', 'warning', 'note', 'none'] as const;

export async function main(caller: CliIo): Promise<number> {
  let io = caller;
  if (io.argv[0] === TEST_RULES) return testRulesCommand(io);
  const program = new Command(TOOL_NAME)
    .description('Static security linter for service-mesh manifests (Kubernetes, Istio, Envoy, Kong, Linkerd).')
    .version(VERSION, '-v, --version')
    .argument('[paths...]', 'files and directories to scan (default: .); - reads standard input')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity')
        .choices(FAIL_ON)
        .default('error'),
    )
    .option('-c, --config <file>', 'configuration file (default: .meshlint.yaml in this directory or a parent)')
    .option('--no-config', 'use no configuration file')
    .option('--stdin-filename <name>', 'the file name to report for standard input', 'stdin.yaml')
    .option('--context <dir>', 'scan and link everything under <dir>, but report only findings in the given files')
    .option(
      '--staged',
      'read manifests from the git index: what the next commit will contain (tracked files with their staged changes; never untracked files or unstaged changes)',
    )
    .option('--baseline <file>', 'report only findings that the baseline file does not record')
    .option('--write-baseline <file>', 'record the reported findings in a baseline file (no message text, no values)')
    .option('--color', 'force colour in the text format')
    .option('--no-color', 'no colour in the text format')
    .option('--no-code-frame', 'text format: no code frame (the offending line, underlined) under each finding')
    .option('--list-rules', 'list the rules and exit')
    .option('--explain <rule-id>', 'print the documentation of a rule and exit')
    .option('--max-file-size <MB>', 'skip files larger than this many megabytes', parseMegabytes, 20)
    .option(
      '--cache',
      'reuse what earlier runs found in unchanged files (kept in $XDG_CACHE_HOME/meshlint, else ~/.cache/meshlint, one folder per repository; never in the repository)',
    )
    .option(
      '--cache-location <path>',
      "where to keep the cache (implies --cache); it is authenticated with a key in the user's cache folder, so a cache written elsewhere is ignored",
    )
    .option('-j, --jobs <n>', 'parser threads (default: none; each costs a heap of its own)', parseCount)
    .option('--stats', 'print scan statistics (files, documents, time, memory) to standard error')
    .option('-q, --quiet', 'report errors only (warnings and notes are neither printed nor counted)')
    .option('--max-warnings <n>', 'exit 1 when there are more than <n> warnings', parseWarnings)
    .option('--rule <id>', 'run only this rule (repeatable); parse errors are always reported', collect, [])
    .option('--disable-rule <id>', 'run every rule but this one (repeatable)', collect, [])
    .option('--print-config <file>', 'print the effective configuration for a file and exit')
    .option('--init', 'write a starter .meshlint.yaml, with the mesh settings inferred from the repository, and exit')
    .option(
      '--fix',
      "apply the rules' mechanical fixes to the files (never to a file with a parse error), then report what is left",
    )
    .option('--fix-dry-run', 'print the fixes as a unified diff instead of applying them (exit 1 when there is one)')
    .option('--lsp', 'run the language server on standard input and output (for editors)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .addHelpText(
      'after',
      `\nCommands:\n  ${TEST_RULES} [dir]  run the examples of the custom rules of [dir]'s configuration (or of the rule files in [dir])`,
    )
    .exitOverride();

  try {
    program.parse(io.argv as string[], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
    }
    throw error;
  }
  const opts = program.opts<{
    format: Format;
    output?: string;
    failOn: (typeof FAIL_ON)[number];
    config?: string | false;
    stdinFilename: string;
    color?: boolean;
    listRules?: boolean;
    explain?: string;
    stats?: boolean;
    maxFileSize: number;
    jobs?: number;
    cache?: boolean;
    cacheLocation?: string;
    context?: string;
    baseline?: string;
    writeBaseline?: string;
    staged?: boolean;
    quiet?: boolean;
    maxWarnings?: number;
    rule: string[];
    disableRule: string[];
    printConfig?: string;
    init?: boolean;
    fix?: boolean;
    fixDryRun?: boolean;
    lsp?: boolean;
    codeFrame: boolean;
  }>();

  if (opts.lsp) {
    // Loaded only here: the server and its protocol library are no part of a scan's start-up.
    const { runLanguageServer } = await import('../lsp/server.js');
    return runLanguageServer({ cwd: io.cwd, workerUrl: io.workerUrl });
  }

  if (opts.listRules || opts.explain !== undefined) {
    // The configuration's custom rules are listed and explained like the built-in ones.
    const rules = configuredRules(io, opts.config);
    if (!rules) return 2;
    if (opts.listRules) {
      const width = maximum(
        rules.map((r) => r.id.length),
        0,
      );
      for (const rule of [...rules].sort((a, b) => compareText(a.id, b.id))) {
        io.stdout.write(
          `${rule.id.padEnd(width)}  ${rule.severity.padEnd(7)}  ${rule.title}${rule.source ? `  (custom: ${rule.source})` : ''}\n`,
        );
      }
      return 0;
    }
    const rule = rules.find((r) => r.id === opts.explain);
    if (!rule) {
      io.stderr.write(
        `${TOOL_NAME}: unknown rule "${opts.explain}"${didYouMean(
          opts.explain!,
          rules.map((r) => r.id),
        )}. Run ${TOOL_NAME} --list-rules for the ids.\n`,
      );
      return 2;
    }
    // The page without the generator's comment, which speaks to whoever edits docs/rules, not to the reader.
    const { renderRuleDoc } = await import('../report/rule-doc.js');
    io.stdout.write(renderRuleDoc(rule, rules).replace(/^<!--.*?-->\n/, ''));
    return 0;
  }
  const selected = [...opts.rule, ...opts.disableRule];
  const selectable = selected.length ? configuredRules(io, opts.config) : RULES;
  if (!selectable) return 2;
  const unknown = unknownRuleIds(selected, selectable);
  if (unknown.length) {
    for (const message of unknown) io.stderr.write(`${TOOL_NAME}: ${message}\n`);
    return 2;
  }
  if (opts.init) return await writeStarterConfig(io);
  if (opts.printConfig !== undefined) {
    const { effectiveConfig } = await import('./config-tools.js');
    try {
      io.stdout.write(`${JSON.stringify(effectiveConfig(io.cwd, opts.printConfig, opts.config, RULES), null, 2)}\n`);
      return 0;
    } catch (error) {
      if (error instanceof ConfigError) {
        writeConfigError(io, error);
        return 2;
      }
      throw error;
    }
  }

  const started = milliseconds();
  const args = program.args;
  const readsStdin = args.includes('-');
  if (readsStdin && opts.context !== undefined) {
    io.stderr.write(
      `${TOOL_NAME}: --context reports files of the repository; it cannot be combined with standard input (-).\n`,
    );
    return 2;
  }
  if (readsStdin && opts.staged) {
    io.stderr.write(`${TOOL_NAME}: --staged reads the git index; it cannot be combined with standard input (-).\n`);
    return 2;
  }
  const fixes = opts.fix || opts.fixDryRun;
  if (fixes && (readsStdin || opts.staged)) {
    io.stderr.write(
      `${TOOL_NAME}: --fix and --fix-dry-run change files of the working tree; they cannot be combined with ${readsStdin ? 'standard input (-)' : '--staged'}.\n`,
    );
    return 2;
  }
  let staged: StagedTree | undefined;
  if (opts.staged) {
    const [{ stagedTree }, { GitError }] = await Promise.all([import('./staged.js'), import('../git.js')]);
    try {
      staged = stagedTree(io.cwd);
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      io.stderr.write(`${TOOL_NAME}: --staged: ${error.message}\n`);
      return 2;
    }
  }
  // With --staged the scan reads the exported index: the same relative paths, under another root.
  const inTree = (path: string) => (staged ? staged.map(path) : path);
  // A path that does not exist is a typo, not an empty repository: it must not pass.
  const missing = [...(opts.context !== undefined ? [opts.context] : []), ...args.filter((a) => a !== '-')].filter(
    (p) => !pathExists(resolve(staged?.cwd ?? io.cwd, inTree(p))),
  );
  if (missing.length) {
    for (const path of missing) io.stderr.write(`${TOOL_NAME}: no such file or directory: ${escapeControl(path)}\n`);
    return 2;
  }
  let result: ScanResult;
  // The progress line is for the terminal of this run only: never recorded.
  const progress = progressLine(caller, started);
  const cacheLocation =
    opts.cacheLocation !== undefined || opts.cache
      ? resolve(io.cwd, opts.cacheLocation ?? defaultCacheLocation(repositoryRoot(io.cwd), io.env))
      : undefined;
  // A run that reads only files, changes none and writes only its report may be replayed (see src/cli/replay.ts).
  const tape =
    io.program !== undefined &&
    cacheLocation !== undefined &&
    !readsStdin &&
    !staged &&
    !fixes &&
    opts.writeBaseline === undefined &&
    opts.context === undefined
      ? new ReportTape()
      : undefined;
  if (tape) io = { ...io, stdout: tape.recording(io.stdout, 1), stderr: tape.recording(io.stderr, 2) };
  const stdinText = readsStdin ? await io.readStdin() : undefined;
  const runScan = () =>
    scan({
      cwd: staged?.cwd ?? io.cwd,
      paths: (opts.context !== undefined
        ? [opts.context]
        : readsStdin
          ? args.filter((a) => a !== '-')
          : args.length
            ? args
            : undefined
      )?.map(inTree),
      reportOnly: opts.context !== undefined ? args.map(inTree) : undefined,
      configPath: typeof opts.config === 'string' && staged ? staged.mapConfig(opts.config) : opts.config,
      stdin:
        stdinText !== undefined
          ? {
              text: stdinText,
              filename: opts.stdinFilename,
              defaultName: program.getOptionValueSource('stdinFilename') === 'default',
            }
          : undefined,
      maxFileBytes: opts.maxFileSize * 1024 * 1024,
      onProgress: progress.update,
      workers: opts.jobs,
      workerUrl: io.workerUrl,
      cacheLocation,
      cacheKeyFile: cacheKeyFile(io.env),
      baseline: opts.baseline !== undefined ? readBaseline(resolve(io.cwd, opts.baseline), opts.baseline) : undefined,
      posture: POSTURE_FORMATS.has(opts.format),
      excerpts: opts.format === 'text' && opts.codeFrame,
      afterRules: collectScanGarbage,
    });
  const select = (scanned: ScanResult): ScanResult => ({
    ...scanned,
    findings: selectFindings(scanned.findings, { only: opts.rule, disabled: opts.disableRule, errorsOnly: opts.quiet }),
  });
  try {
    result = select(await runScan());
    io.onScanned?.(result.stats.files);
    if (fixes) {
      const { planFixes, unifiedDiff, writeFixes } = await import('../fix.js');
      const plan = planFixes(result.findings, io.cwd);
      for (const { file, reason } of plan.skipped) io.stderr.write(`${TOOL_NAME}: not fixed: ${file}: ${reason}.\n`);
      if (opts.fixDryRun) {
        for (const f of plan.files) io.stdout.write(unifiedDiff(f.file, f.before, f.after));
        return plan.files.length > 0 ? 1 : 0;
      }
      writeFixes(plan, io.cwd);
      const applied = plan.files.reduce((n, f) => n + f.applied, 0);
      io.stderr.write(`${TOOL_NAME}: fixed ${plural(applied, 'finding')} in ${plural(plan.files.length, 'file')}.\n`);
      // What is left, as a scan of the fixed files reports it.
      if (plan.files.length > 0) result = select(await runScan());
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      writeConfigError(io, error);
      return 2;
    }
    if (error instanceof BaselineError) {
      io.stderr.write(`${TOOL_NAME}: baseline error: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    progress.clear();
    staged?.remove();
  }
  if (result.baselined.length) {
    io.stderr.write(
      `${TOOL_NAME}: ${plural(result.baselined.length, 'finding')} recorded in the baseline ${opts.baseline} not reported.\n`,
    );
  }
  if (opts.writeBaseline !== undefined) {
    // Every current finding, including those the --baseline matched: regenerating a baseline keeps the accepted
    // findings that remain, drops the fixed ones and accepts the new ones.
    const baseline = createBaseline([...result.findings, ...result.baselined]);
    if (!writeOutput(io, opts.writeBaseline, formatBaseline(baseline))) return 2;
    io.stderr.write(
      `${TOOL_NAME}: wrote ${baseline.findings.reduce((n, e) => n + e.count, 0)} findings to the baseline ${opts.writeBaseline}.\n`,
    );
  }

  // Notices name files as the report does (relative to the repository root in the formats of tools).
  for (const notice of inFormatPaths(opts.format, result, io.cwd, repositoryRoot(io.cwd)).notices) {
    io.stderr.write(
      `${TOOL_NAME}: notice: ${notice.file ? `${escapeControl(notice.file)}: ` : ''}${escapeControl(notice.message)}\n`,
    );
  }
  const color = opts.output === undefined && opts.format === 'text' && wantsColor(opts.color, io);
  const report = await formatResultChunks(opts.format, result, {
    color,
    cwd: io.cwd,
    root: repositoryRoot(io.cwd),
    codeFrame: opts.codeFrame,
  });
  if (opts.output !== undefined) {
    if (!writeOutput(io, opts.output, report, tape)) return 2;
  } else {
    for (const batch of joinedInBatches(report)) io.stdout.write(batch);
  }
  if (opts.stats) writeStats(caller, result, started, tape);
  // Writing a baseline accepts today's findings: an adoption script under `set -e` goes on.
  if (opts.writeBaseline !== undefined) return 0;
  let code = exitCode(result, opts.failOn);
  if (code === 0 && opts.maxWarnings !== undefined) {
    const warnings = result.findings.filter((f) => !f.suppression && f.severity === 'warning').length;
    if (warnings > opts.maxWarnings) {
      io.stderr.write(`${TOOL_NAME}: ${plural(warnings, 'warning')}, more than --max-warnings ${opts.maxWarnings}.\n`);
      code = 1;
    }
  }
  tape?.save({
    context: {
      program: io.program!,
      argv: io.argv,
      cwd: io.cwd,
      env: io.env,
      terminals: [io.stdout.isTTY === true, io.stderr.isTTY === true],
    },
    location: cacheLocation!,
    keyFile: cacheKeyFile(io.env),
    inputs:
      result.inputs && opts.baseline !== undefined
        ? new Map([...result.inputs, [resolve(io.cwd, opts.baseline), undefined]])
        : result.inputs,
    code,
  });
  return code;
}

/** Writes a report or baseline file, creating its folder; false (after saying why) when it cannot. */
function writeOutput(io: CliIo, file: string, text: string | Iterable<string>, tape?: ReportTape): boolean {
  const target = resolve(io.cwd, file);
  let fd: number | undefined;
  try {
    mkdirSync(dirname(target), { recursive: true });
    fd = openSync(target, 'w');
    for (const batch of joinedInBatches(typeof text === 'string' ? [text] : text)) {
      writeFileSync(fd, batch);
      tape?.file(target, batch);
    }
    return true;
  } catch (error) {
    io.stderr.write(`${TOOL_NAME}: cannot write ${file} (${(error as NodeJS.ErrnoException).code ?? error}).\n`);
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function writeStarterConfig(io: CliIo): Promise<number> {
  const target = resolve(io.cwd, '.meshlint.yaml');
  const { starterConfig } = await import('./config-tools.js');
  const text = await starterConfig(io.cwd);
  try {
    writeFileSync(target, text, { flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    io.stderr.write(
      code === 'EEXIST'
        ? `${TOOL_NAME}: .meshlint.yaml exists already; nothing written.\n`
        : `${TOOL_NAME}: cannot write .meshlint.yaml (${code ?? error}).\n`,
    );
    return 2;
  }
  io.stdout.write(text);
  io.stderr.write(`${TOOL_NAME}: wrote .meshlint.yaml.\n`);
  return 0;
}

function collect(value: string, previous: string[]): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean),
  ];
}

function parseWarnings(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of warnings (0 or more)');
  return n;
}

function pathExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The built-in rules and the configuration's custom rules; undefined (after saying why) when the configuration is invalid. */
function configuredRules(io: CliIo, configPath: string | false | undefined): readonly AnyRule[] | undefined {
  try {
    return rulesOf(loadScanConfig(io.cwd, configPath));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    writeConfigError(io, error);
    return undefined;
  }
}

const TEST_RULES = 'test-rules';

/**
 * `meshlint test-rules [dir]`: the custom rules of dir's .meshlint.yaml (default: the configuration found from the
 * working directory), or, when dir has no configuration, the rule files under dir. Exit 1 when an example fails.
 */
async function testRulesCommand(io: CliIo): Promise<number> {
  const command = new Command(`${TOOL_NAME} ${TEST_RULES}`)
    .description(
      'Run the examples of custom rules: each invalid example must yield exactly its "# expect:" markers, each valid one nothing.',
    )
    .argument(
      '[dir]',
      'a folder with a .meshlint.yaml, or a folder of custom rule files (default: the configuration of the working directory)',
    )
    .option('-c, --config <file>', 'configuration file whose custom rules to test')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride();
  try {
    command.parse(io.argv.slice(1) as string[], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.code === 'commander.helpDisplayed' ? 0 : 2;
    throw error;
  }
  const dir = command.args[0];
  const { config: configPath } = command.opts<{ config?: string }>();
  let config: Config;
  try {
    config = loadTestedConfig(io.cwd, dir, configPath);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    writeConfigError(io, error);
    return 2;
  }
  if (config.custom.rules.length === 0) {
    io.stderr.write(
      `${TOOL_NAME}: no custom rules in ${dir ?? config.path ?? 'this directory'} (customRules: or customRulesDir: in .meshlint.yaml, or a folder of rule files).\n`,
    );
    return 2;
  }
  const { failedCount, formatRuleTests, testRules } = await import('../custom-rules/test-rules.js');
  const tests = testRules(config.custom.rules, rulesOf(config));
  io.stdout.write(formatRuleTests(tests));
  return failedCount(tests) > 0 ? 1 : 0;
}

function loadTestedConfig(cwd: string, dir: string | undefined, configPath: string | undefined): Config {
  if (configPath !== undefined || dir === undefined) return loadScanConfig(cwd, configPath);
  const absolute = resolve(cwd, dir);
  if (!existsSync(absolute) || !statSync(absolute).isDirectory()) throw new ConfigError(`${dir}: no such folder.`);
  const config = CONFIG_NAMES.map((name) => join(absolute, name)).find((path) => existsSync(path));
  if (config) return loadScanConfig(cwd, config);
  // A folder of rule files without a configuration: read as if a configuration there said customRulesDir: .
  return parseConfig('customRulesDir: .\n', RULES, posix.join(displayPath(cwd, absolute), CONFIG_NAMES[0]), absolute);
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new InvalidArgumentError('expected a whole number from 0 to 64');
  return n;
}

function parseMegabytes(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number of megabytes');
  return n;
}

/** "files done / total" on a terminal's stderr once a scan has run for a second; never in the report, never when piped. */
function progressLine(
  io: CliIo,
  started: number,
): { update: (done: number, total: number) => void; clear: () => void } {
  let shown = false;
  let lastDrawn = 0;
  const delay = io.progressDelayMs ?? 1000;
  return {
    update(done, total) {
      if (!io.stderr.isTTY) return;
      const now = milliseconds();
      if (now - started < delay || (shown && now - lastDrawn < 100 && done < total)) return;
      io.stderr.write(`\r${TOOL_NAME}: ${done}/${total} files`);
      shown = true;
      lastDrawn = now;
    },
    clear() {
      if (shown) io.stderr.write('\r\x1b[K');
    },
  };
}

export function exitCode(result: Pick<ScanResult, 'findings'>, failOn: Severity | 'none'): number {
  return failsAt(result.findings, failOn) ? 1 : 0;
}

/** --color/--no-color win; then FORCE_COLOR, then NO_COLOR, then whether stdout is a terminal that shows colour. */
function wantsColor(flag: boolean | undefined, io: CliIo): boolean {
  if (flag !== undefined && io.argv.some((a) => a === '--color' || a === '--no-color')) return flag;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (io.env.NO_COLOR) return false;
  return Boolean(io.stdout.isTTY && (io.stdout.hasColors?.() ?? true));
}

/** --stats; a replay of this run (`tape`) prints its own figures with the counts of this scan. */
function writeStats(io: CliIo, result: ScanResult, started: number, tape?: ReportTape): void {
  const counts = { ...result.stats, findings: result.findings.length };
  tape?.stats(counts);
  const stats = {
    ...counts,
    ...processFigures(started),
    phasesMs: result.phases,
    ...(result.cache ? { cache: result.cache } : {}),
  };
  io.stderr.write(`${TOOL_NAME}: stats ${JSON.stringify(stats)}\n`);
  if (result.cache?.reused === 'result')
    io.stderr.write(`${TOOL_NAME}: the previous result was reused from the cache: no rule ran this time\n`);
  const slowest = result.ruleTimes
    .slice(0, 5)
    .map(([id, ms]) => `${id} ${ms.toFixed(0)} ms`)
    .join(', ');
  if (slowest) io.stderr.write(`${TOOL_NAME}: slowest rules: ${slowest}\n`);
}

/** One line per problem, so that every one is named (and an editor can jump to each). */
function writeConfigError(io: CliIo, error: ConfigError): void {
  for (const problem of error.problems)
    io.stderr.write(`${TOOL_NAME}: configuration error: ${formatConfigProblem(problem)}\n`);
}
