// A warm --cache run with nothing changed replays the last run's report, stderr and exit code without loading the
// program (src/cli/replay.ts). These tests run the committed executable: the replay is taken only when nothing that
// could change the output changed, and gives the bytes a full run gives.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheLocationOf, storedReportFile } from '../src/cli/replay.js';
import { privilegedDeployment, tempRepo } from './helpers.js';

const DIST = resolve('dist');
const BIN = join(DIST, 'meshlint.cjs');

/**
 * Loaded before the executable (node --require), in every thread (a large scan runs in a thread of its own, see
 * src/cli/scan-thread.ts): writes at exit the files and Node modules the thread loaded, into a file of its own.
 */
const PROBE = `'use strict';
const before = new Set(process.moduleLoadList);
const vm = require('node:vm');
const scripts = [];
vm.Script = class extends vm.Script {
  constructor(code, options) { super(code, options); scripts.push(options?.filename); }
};
process.on('exit', () => {
  const builtins = process.moduleLoadList.filter((entry) => !before.has(entry) && entry.startsWith('NativeModule '));
  const out = process.env.MESHLINT_PROBE_OUT + '.' + require('node:worker_threads').threadId;
  require('node:fs').writeFileSync(out, JSON.stringify({ files: [...Object.keys(require.cache), ...scripts], builtins }));
});
`;
const work = mkdtempSync(join(tmpdir(), 'meshlint-replay-'));
const probe = join(work, 'probe.cjs');
writeFileSync(probe, PROBE);
const probes = mkdtempSync(join(work, 'loaded-'));
const probeOut = join(probes, 'loaded');

/** What the process's threads loaded, together (each probe's file is removed once read). */
function loadedByThreads(): { files: (string | undefined)[]; builtins: string[] } {
  const loaded = { files: [] as (string | undefined)[], builtins: [] as string[] };
  for (const name of readdirSync(probes)) {
    const thread = JSON.parse(readFileSync(join(probes, name), 'utf8')) as typeof loaded;
    loaded.files.push(...thread.files);
    loaded.builtins.push(...thread.builtins);
    rmSync(join(probes, name));
  }
  return loaded;
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether the program (dist/meshlint-main.cjs) was loaded: a replay never loads it. */
  readonly programLoaded: boolean;
  /** Whether node:v8 was loaded (what the stored result is deserialized with). */
  readonly v8Loaded: boolean;
  /** What --stats said the cache gave ('report' for a replay), when --stats was given. */
  readonly reused?: string;
}

function run(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, bin = BIN): Run {
  const child = spawnSync(process.execPath, ['--require', probe, bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, MESHLINT_PROBE_OUT: probeOut, ...env },
  });
  const loaded = loadedByThreads();
  const stats = /meshlint: stats (.*)/.exec(child.stderr)?.[1];
  return {
    code: child.status,
    stdout: child.stdout,
    stderr: child.stderr,
    programLoaded: loaded.files.some((file) => file?.endsWith('meshlint-main.cjs')),
    v8Loaded: loaded.builtins.includes('NativeModule v8'),
    reused: stats ? (JSON.parse(stats) as { cache?: { reused: string } }).cache?.reused : undefined,
  };
}

/** What a run wrote, without the figures of --stats (time, memory: never the same twice). */
const withoutFigures = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => !/^meshlint: (stats |slowest rules|the previous (result|report) was)/.test(line))
    .join('\n');

const HOUR_AGO = Date.now() / 1000 - 3600;

/** Every file and folder under `dir` (itself included) modified an hour ago: settled, as a checkout's files are. */
function settle(dir: string): void {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true }))
    utimesSync(join(entry.parentPath, entry.name), HOUR_AGO, HOUR_AGO);
  utimesSync(dir, HOUR_AGO, HOUR_AGO);
}

/** A repository of settled files, a user of its own (cache key, default cache folder), and the arguments of a run. */
function setup(extra: Record<string, string> = {}) {
  const cwd = tempRepo({
    'apps/web.yaml': privilegedDeployment('web').text,
    'apps/api.yaml': privilegedDeployment('api').text,
    ...extra,
  });
  settle(cwd);
  const env = { XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'meshlint-replay-user-')) };
  return { cwd, env };
}

const JSON_ARGS = ['.', '-f', 'json', '--cache', '--stats'];

describe('--cache: the stored report of an unchanged run', () => {
  it('is replayed byte for byte without loading the program: standard output, -o file, stderr, exit code, any -j', () => {
    const { cwd, env } = setup();
    const uncached = run(['.', '-f', 'json', '-j', '0'], cwd, env);
    expect(uncached.code).toBe(1);
    for (const jobs of ['0', '2']) {
      const args = [...JSON_ARGS, '-j', jobs];
      const cold = run(args, cwd, env);
      expect(cold.programLoaded).toBe(true);
      expect(cold.reused).not.toBe('report');
      const warm = run(args, cwd, env);
      expect(warm.reused).toBe('report');
      expect(cold.v8Loaded).toBe(true);
      // Neither the program nor the stored result (read with node:v8) is loaded.
      expect(warm.programLoaded).toBe(false);
      expect(warm.v8Loaded).toBe(false);
      expect(warm.stderr).toContain('meshlint: the previous report was replayed from the cache');
      for (const replayed of [cold, warm]) {
        expect(replayed.stdout).toBe(uncached.stdout);
        expect(replayed.code).toBe(1);
        expect(withoutFigures(replayed.stderr)).toBe(withoutFigures(uncached.stderr));
      }
    }
    // To a file: the file is written again (even when removed), with the same bytes.
    const output = join(work, 'out', 'report.json');
    const args = ['.', '-f', 'json', '--cache', '-o', output];
    expect(run(args, cwd, env).programLoaded).toBe(true);
    rmSync(output);
    const warm = run(args, cwd, env);
    expect(warm.programLoaded).toBe(false);
    expect(warm.code).toBe(1);
    expect(warm.stdout).toBe('');
    expect(readFileSync(output, 'utf8')).toBe(uncached.stdout);
  });

  it('keeps the exit code and the lines on stderr of the run (--max-warnings, notices)', () => {
    const { cwd, env } = setup({
      'apps/notes.yaml': 'key: [unclosed\n',
      'apps/escalating.yaml': privilegedDeployment('esc')
        .text.replace('privileged: true', 'privileged: false')
        .replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: true'),
    });
    const args = ['.', '-f', 'compact', '--cache', '--fail-on', 'none', '--max-warnings', '0'];
    const cold = run(args, cwd, env);
    const warm = run(args, cwd, env);
    expect(warm.programLoaded).toBe(false);
    expect(warm.code).toBe(cold.code);
    expect(warm.stdout).toBe(cold.stdout);
    expect(warm.stderr).toBe(cold.stderr);
    expect(cold.stderr).toMatch(/more than --max-warnings 0/);
  });

  it('is kept 0600, encrypted: no finding text in clear', () => {
    const { cwd, env } = setup();
    const location = join(mkdtempSync(join(tmpdir(), 'meshlint-replay-loc-')), 'c.bin');
    run(['.', '-f', 'json', '--cache-location', location], cwd, env);
    const stored = storedReportFile(location);
    expect(statSync(stored).mode & 0o777).toBe(0o600);
    const bytes = readFileSync(stored, 'latin1');
    expect(bytes).not.toContain('privileged');
    expect(bytes).not.toContain('web.yaml');
  });

  it('is found where the program keeps the cache (the arguments read as the program reads them)', () => {
    const cwd = '/somewhere/repo';
    const env = { XDG_CACHE_HOME: '/cache' };
    expect(cacheLocationOf(['.', '--cache-location', 'c/x.bin'], cwd, env)).toBe('/somewhere/repo/c/x.bin');
    expect(cacheLocationOf(['.', '--cache-location=/a/b.bin', '--cache'], cwd, env)).toBe('/a/b.bin');
    expect(cacheLocationOf(['.', '--cache'], cwd, env)).toMatch(/^\/cache\/meshlint\/[0-9a-f]{16}\/cache\.bin$/);
    expect(cacheLocationOf(['.', '--', '--cache'], cwd, env)).toBeUndefined();
    expect(cacheLocationOf(['.'], cwd, env)).toBeUndefined();
  });
});

describe('--cache: a stored report is not replayed when anything that could change it changed', () => {
  /** A repository whose report is stored (the second run replays it), and the run to repeat. */
  function recorded(args = JSON_ARGS, extra: Record<string, string> = {}) {
    const { cwd, env } = setup(extra);
    const again = (changed: { args?: readonly string[]; env?: NodeJS.ProcessEnv; bin?: string } = {}) =>
      run(changed.args ?? args, cwd, { ...env, ...changed.env }, changed.bin);
    const cold = again();
    expect(again().reused).toBe('report');
    return { cwd, env, cold, again };
  }

  /** The run after a change: the program ran, and said what a run without any cache says. */
  function expectFresh(changed: Run, cwd: string, env: NodeJS.ProcessEnv, args = JSON_ARGS): void {
    expect(changed.programLoaded).toBe(true);
    expect(changed.reused).not.toBe('report');
    const truth = run(
      args.filter((arg) => arg !== '--cache'),
      cwd,
      env,
    );
    expect(changed.stdout).toBe(truth.stdout);
    expect(changed.code).toBe(truth.code);
  }

  it('a file changed, even to the same size', () => {
    const { cwd, env, cold, again } = recorded();
    const file = join(cwd, 'apps/web.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('privileged: true', 'privileged: fals'));
    const changed = again();
    expectFresh(changed, cwd, env);
    expect(changed.stdout).not.toBe(cold.stdout);
  });

  it('a file added, a file removed', () => {
    const { cwd, env, cold, again } = recorded();
    writeFileSync(join(cwd, 'apps/db.yaml'), privilegedDeployment('db').text);
    const added = again();
    expectFresh(added, cwd, env);
    expect(added.stdout).toContain('apps/db.yaml');
    settle(cwd);
    again();
    expect(again().reused).toBe('report');
    unlinkSync(join(cwd, 'apps/db.yaml'));
    unlinkSync(join(cwd, 'apps/api.yaml'));
    const removed = again();
    expectFresh(removed, cwd, env);
    expect(removed.stdout).not.toContain('apps/api.yaml');
    expect(removed.stdout).not.toBe(cold.stdout);
  });

  it('the configuration, or a configuration appearing above the working folder', () => {
    const { cwd, env, again } = recorded();
    writeFileSync(
      join(cwd, '.meshlint.yaml'),
      'rules:\n  networkpolicy-no-default-deny: off\n  container-privileged: off\n',
    );
    expectFresh(again(), cwd, env);
    settle(cwd);
    again();
    expect(again().reused).toBe('report');
    // Run from a folder below: the configuration is looked for upwards.
    const below = join(cwd, 'apps');
    const args = ['.', '-f', 'json', '--cache', '--stats'];
    const first = run(args, below, env);
    expect(first.programLoaded).toBe(true);
    expect(run(args, below, env).reused).toBe('report');
    unlinkSync(join(cwd, '.meshlint.yaml'));
    expectFresh(run(args, below, env), below, env, args);
  });

  it('an ignore file', () => {
    const { cwd, env, cold, again } = recorded();
    writeFileSync(join(cwd, '.gitignore'), 'apps/api.yaml\n');
    const changed = again();
    expectFresh(changed, cwd, env);
    expect(changed.stdout).not.toBe(cold.stdout);
  });

  it('a kustomize base outside the scanned folder', () => {
    const args = ['overlay', '-f', 'json', '--cache', '--stats'];
    const { cwd, env, cold, again } = recorded(args, {
      'overlay/kustomization.yaml': 'resources:\n  - ../base\n',
      'base/kustomization.yaml': 'resources:\n  - web.yaml\n',
      'base/web.yaml': privilegedDeployment('web').text,
    });
    expect(cold.stdout).toContain('privileged');
    const file = join(cwd, 'base/web.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('privileged: true', 'privileged: fals'));
    const changed = again();
    expectFresh(changed, cwd, env, args);
    expect(changed.stdout).not.toBe(cold.stdout);
  });

  it('a Helm chart added anywhere under the working folder (rendered output is located in its templates)', () => {
    const args = ['out', '-f', 'json', '--cache', '--stats'];
    const rendered = privilegedDeployment('web')
      .text.split(/^---$/m)
      .map((document) => `# Source: shop/templates/web.yaml\n${document.trim()}\n`)
      .join('---\n');
    const { cwd, env, cold, again } = recorded(args, { 'out/rendered.yaml': rendered });
    expect(cold.stdout).toContain('out/rendered.yaml');
    mkdirSync(join(cwd, 'charts/shop/templates'), { recursive: true });
    writeFileSync(join(cwd, 'charts/shop/Chart.yaml'), 'apiVersion: v2\nname: shop\nversion: 0.1.0\n');
    writeFileSync(join(cwd, 'charts/shop/templates/web.yaml'), privilegedDeployment('web').text);
    const changed = again();
    expectFresh(changed, cwd, env, args);
    expect(changed.stdout).toContain('charts/shop/templates/web.yaml');
  });

  it('an option, the environment, the terminal format settings', () => {
    const { cwd, env, again } = recorded();
    expectFresh(again({ args: [...JSON_ARGS, '--fail-on', 'none'] }), cwd, env, [...JSON_ARGS, '--fail-on', 'none']);
    expect(again({ env: { GITHUB_ACTIONS: 'true' } }).programLoaded).toBe(true);
    const text = ['.', '--cache', '--stats'];
    const plain = run(text, cwd, env);
    expect(run(text, cwd, env).reused).toBe('report');
    const coloured = run(text, cwd, { ...env, FORCE_COLOR: '1' });
    expect(coloured.programLoaded).toBe(true);
    expect(coloured.stdout).not.toBe(plain.stdout);
    expect(coloured.stdout).toContain('\x1b[');
  });

  it('another build of meshlint', () => {
    const { again } = recorded();
    // The same program under another id, as a rebuilt executable has.
    const copy = mkdtempSync(join(tmpdir(), 'meshlint-replay-dist-'));
    cpSync(DIST, copy, { recursive: true });
    const bin = join(copy, 'meshlint.cjs');
    const text = readFileSync(bin, 'utf8');
    const hash = /[0-9a-f]{64}/.exec(text)![0];
    writeFileSync(bin, text.split(hash).join(hash.replace(/^./, hash[0] === '0' ? '1' : '0')));
    expect(again({ bin }).programLoaded).toBe(true);
  });

  it('a record changed by anyone without the key', () => {
    const { cwd, env, cold, again } = recorded();
    const location = cacheLocationOf(JSON_ARGS, cwd, env)!;
    const stored = readFileSync(storedReportFile(location));
    stored[stored.length - 10] ^= 1;
    writeFileSync(storedReportFile(location), stored);
    const changed = again();
    expect(changed.programLoaded).toBe(true);
    expect(changed.stdout).toBe(cold.stdout);
  });

  it('is not kept when an input changed a moment ago (it could change again within the same stamp)', () => {
    const cwd = tempRepo({ 'web.yaml': privilegedDeployment('web').text });
    const env = { XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'meshlint-replay-user-')) };
    run(JSON_ARGS, cwd, env);
    expect(existsSync(storedReportFile(cacheLocationOf(JSON_ARGS, cwd, env)!))).toBe(false);
    expect(run(JSON_ARGS, cwd, env).programLoaded).toBe(true);
  });

  it('runs that read standard input, change files or write a baseline keep nothing', () => {
    const { cwd, env } = setup();
    for (const args of [
      ['-', '--cache'],
      ['.', '--cache', '--write-baseline', join(work, 'baseline.json')],
      ['.', '--cache', '--fix-dry-run'],
    ]) {
      run(args, cwd, env);
      expect(existsSync(storedReportFile(cacheLocationOf(args, cwd, env)!))).toBe(false);
    }
  });
});
