// A large scan runs in one worker thread with a bounded young generation (src/cli/scan-thread.ts); a small one on the
// main thread without loading node:worker_threads. These tests run the committed executable with a probe, loaded in
// every thread (node --require), that writes at exit which thread it was and what it loaded: the executable itself
// says nothing about where it ran.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  isLargeScan,
  LARGE_SCAN_BYTES,
  OPTIONS_WITH_VALUES,
  SCAN_THREAD_ENV,
  SCAN_YOUNG_GENERATION_MB,
} from '../src/cli/scan-thread.js';
import { privilegedDeployment, secureDeployment, tempRepo } from './helpers.js';

const BIN = resolve('dist/meshlint.cjs');

const PROBE = `'use strict';
const vm = require('node:vm');
const scripts = [];
vm.Script = class extends vm.Script {
  constructor(code, options) { super(code, options); scripts.push(options?.filename); }
};
process.on('exit', () => {
  const workerThreadsLoaded = process.moduleLoadList.includes('NativeModule worker_threads');
  const threads = workerThreadsLoaded ? require('node:worker_threads') : undefined;
  const thread = {
    workerThreadsLoaded,
    threadId: threads?.threadId ?? 0,
    role: threads?.workerData?.role,
    youngGenerationMb: threads?.isMainThread === false ? threads.resourceLimits.maxYoungGenerationSizeMb : undefined,
    programLoaded: [...Object.keys(require.cache), ...scripts].some((file) => file?.endsWith('meshlint-main.cjs')),
  };
  require('node:fs').writeFileSync(process.env.MESHLINT_PROBE_OUT + '.' + thread.threadId, JSON.stringify(thread));
});
`;
const work = mkdtempSync(join(tmpdir(), 'meshlint-scan-thread-'));
const probe = join(work, 'probe.cjs');
writeFileSync(probe, PROBE);
const probes = mkdtempSync(join(work, 'threads-'));

interface Thread {
  readonly workerThreadsLoaded: boolean;
  readonly threadId: number;
  readonly role?: string;
  readonly youngGenerationMb?: number;
  /** Whether the program (dist/meshlint-main.cjs) was loaded in this thread. */
  readonly programLoaded: boolean;
}

/**
 * Runs the executable in `cwd` (output to pipes, as CI reads it); what it wrote, its code, and its threads.
 * `output`: a descriptor both go to, or 'joined': one pipe for both (`2>&1`), read as stdout.
 */
function run(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}, output?: number | 'joined') {
  for (const name of readdirSync(probes)) rmSync(join(probes, name));
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    MESHLINT_PROBE_OUT: join(probes, 'thread'),
    XDG_CACHE_HOME: join(work, 'cache'),
    ...env,
  };
  delete childEnv.NODE_OPTIONS;
  delete childEnv.FORCE_COLOR;
  const command = [process.execPath, '--require', probe, BIN, ...args];
  const joined = output === 'joined';
  const child = spawnSync(
    joined ? 'sh' : command[0],
    joined ? ['-c', 'exec "$@" 2>&1', 'sh', ...command] : command.slice(1),
    {
      cwd,
      env: childEnv,
      encoding: 'utf8',
      input: '',
      stdio: typeof output === 'number' ? ['pipe', output, output] : 'pipe',
    },
  );
  const threads = readdirSync(probes)
    .map((name) => JSON.parse(readFileSync(join(probes, name), 'utf8')) as Thread)
    .sort((a, b) => a.threadId - b.threadId);
  return { code: child.status, stdout: child.stdout, stderr: child.stderr, threads };
}

const scanThreads = (threads: readonly Thread[]) => threads.filter((thread) => thread.role === 'meshlint-scan');
const off = { [SCAN_THREAD_ENV]: '0' };

const repo = tempRepo({
  'apps/web.yaml': privilegedDeployment('web').text,
  'apps/api.yaml': secureDeployment('api'),
});
const cleanRepo = tempRepo({ 'apps/api.yaml': secureDeployment('api') });

describe('the scan thread', () => {
  it('runs a folder scan, with a bounded young generation, and writes what the main thread would', () => {
    const threaded = run(['.', '-f', 'json'], repo);
    expect(threaded.threads).toEqual([
      expect.objectContaining({ threadId: 0, programLoaded: false }),
      expect.objectContaining({
        role: 'meshlint-scan',
        youngGenerationMb: SCAN_YOUNG_GENERATION_MB,
        programLoaded: true,
      }),
    ]);
    const unthreaded = run(['.', '-f', 'json'], repo, off);
    expect(unthreaded.threads).toEqual([expect.objectContaining({ threadId: 0, programLoaded: true })]);
    expect(threaded.code).toBe(1);
    expect(JSON.parse(threaded.stdout).findings.length).toBeGreaterThan(0);
    expect([threaded.code, threaded.stdout, threaded.stderr]).toEqual([
      unthreaded.code,
      unthreaded.stdout,
      unthreaded.stderr,
    ]);
  });

  it('gives the same output and exit code as the main thread: findings, none, -j threads, errors, help', () => {
    const cases: [string[], string][] = [
      [['.'], repo],
      [['apps', '-f', 'sarif', '--fail-on', 'none'], repo],
      [['.', '-f', 'json'], cleanRepo],
      [['.', '-f', 'json', '-j', '2'], repo],
      [['.', '--no-such-option'], repo],
      [['.', '--config', 'missing.yaml'], repo],
      [['.', 'missing-folder'], repo],
      [['.', '--help'], repo],
    ];
    const codes = new Set<number | null>();
    for (const [args, cwd] of cases) {
      const threaded = run(args, cwd);
      const unthreaded = run(args, cwd, off);
      expect(scanThreads(threaded.threads), args.join(' ')).toHaveLength(1);
      expect(scanThreads(unthreaded.threads), args.join(' ')).toHaveLength(0);
      expect([threaded.code, threaded.stdout, threaded.stderr], args.join(' ')).toEqual([
        unthreaded.code,
        unthreaded.stdout,
        unthreaded.stderr,
      ]);
      codes.add(threaded.code);
    }
    expect([...codes].sort()).toEqual([0, 1, 2]);
  });

  it('is not started for a scan of a few files: node:worker_threads is not even loaded', () => {
    const oneFile = run(['apps/web.yaml', '-f', 'json'], repo);
    expect(oneFile.code).toBe(1);
    expect(oneFile.threads).toEqual([expect.objectContaining({ threadId: 0, workerThreadsLoaded: false })]);
  });

  it('writes one destination (2>&1: a pipe, a file) in the order of a run on the main thread', () => {
    // Notices on standard error (links not followed), then a report of some size on standard output, to one pipe.
    const noisy = tempRepo({
      ...Object.fromEntries(
        Array.from({ length: 200 }, (_, i) => [`apps/web-${i}.yaml`, privilegedDeployment(`web-${i}`).text]),
      ),
      'apps/broken.yaml': 'kind: [unclosed\n',
    });
    for (const i of [1, 2, 3]) symlinkSync('nowhere', join(noisy, `apps/dangling-${i}.yaml`));
    for (const args of [['.'], ['.', '-f', 'json']]) {
      const threaded = run(args, noisy, {}, 'joined');
      const unthreaded = run(args, noisy, off, 'joined');
      expect(scanThreads(threaded.threads)).toHaveLength(1);
      expect(scanThreads(unthreaded.threads)).toHaveLength(0);
      expect(threaded.stdout).toMatch(/^meshlint: notice: apps\/dangling-1\.yaml: skipped: dangling symbolic link/);
      expect(threaded.stdout.length).toBeGreaterThan(70_000);
      expect([threaded.code, threaded.stdout]).toEqual([unthreaded.code, unthreaded.stdout]);
    }
    const files = ['threaded', 'unthreaded'].map((name) => join(work, `both-${name}.txt`));
    files.forEach((file, i) => {
      const fd = openSync(file, 'w');
      const both = run(['.', '-f', 'json'], noisy, i === 0 ? {} : off, fd);
      closeSync(fd);
      expect(scanThreads(both.threads)).toHaveLength(i === 0 ? 1 : 0);
    });
    expect(readFileSync(files[0], 'utf8')).toBe(readFileSync(files[1], 'utf8'));
  });

  it('ends as the program does when the thread itself fails: one line, exit 2, no stack', () => {
    // A module loaded in every thread that throws in the scan thread only: the thread fails before the program runs.
    const failing = join(work, 'fail-in-thread.cjs');
    writeFileSync(failing, "if (!require('node:worker_threads').isMainThread) throw new Error('thread failed');\n");
    const failed = spawnSync(process.execPath, ['--require', failing, BIN, '.', '-f', 'json'], {
      cwd: repo,
      env: { ...process.env, XDG_CACHE_HOME: join(work, 'cache'), MESHLINT_DEBUG: '' },
      encoding: 'utf8',
      input: '',
    });
    expect(failed.status).toBe(2);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toBe('meshlint: internal error: thread failed. Please report it.\n');
  });

  it('is not started for standard input', () => {
    const piped = spawnSync(process.execPath, [BIN, '-', '.', '-f', 'json'], {
      cwd: repo,
      input: privilegedDeployment('stdin').text,
      encoding: 'utf8',
    });
    expect(piped.status).toBe(1);
    expect(piped.stdout).toContain('stdin');
    expect(isLargeScan(['-', '.'])).toBe(false);
  });
});

describe('isLargeScan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshlint-large-'));
  const sized = (name: string, bytes: number) => {
    const file = join(dir, name);
    writeFileSync(file, '');
    truncateSync(file, bytes);
    return file;
  };
  const half = sized('half.yaml', LARGE_SCAN_BYTES / 2);
  const other = sized('other.yaml', LARGE_SCAN_BYTES / 2 + 1);

  it('is a folder, or files of more than LARGE_SCAN_BYTES together', () => {
    expect(isLargeScan([dir])).toBe(true);
    expect(isLargeScan(['-f', 'json', half])).toBe(false);
    expect(isLargeScan([half, '-f', 'json', other])).toBe(true);
    expect(isLargeScan([join(dir, 'missing.yaml'), half])).toBe(false);
  });

  it("does not count options' values: -o's report, a configuration or a baseline is no input", () => {
    expect(isLargeScan(['-o', other, half])).toBe(false);
    expect(isLargeScan(['--baseline', other, '-c', dir, half])).toBe(false);
    expect(isLargeScan(['--stats', other, half])).toBe(true);
    expect(isLargeScan(['--context', dir, half])).toBe(true);
    expect(isLargeScan(['--', '-o', dir])).toBe(true);
  });

  it("knows every option that takes a value from the program's own help (but --context, whose folder is scanned)", () => {
    const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' }).stdout;
    const shown = [...help.matchAll(/^ {2}(?:(-\w), )?(--[\w-]+) <[^>]+>/gm)].flatMap(([, short, long]) =>
      long === '--context' ? [] : short ? [short, long] : [long],
    );
    expect(shown.length).toBeGreaterThan(10);
    expect(new Set(shown)).toEqual(OPTIONS_WITH_VALUES);
  });

  it('is never standard input nor the language server', () => {
    expect(isLargeScan([dir, '-'])).toBe(false);
    expect(isLargeScan(['--lsp', dir])).toBe(false);
  });
});
