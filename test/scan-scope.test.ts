// What a scan reads is bounded by what it scans, never by the working directory (issue 13: "no cost may grow faster
// than the input, whatever its shape"): discovery's .gitignore files and the search for Helm charts (src/scan.ts
// discover, directoryGlob, chartScope).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discover, scan } from '../src/scan.js';
import { defaultConfig } from '../src/engine/config.js';
import { tempRepo, writeFiles } from './helpers.js';

const BIN = resolve('dist/meshlint.cjs');

const pod = (name: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  hostPID: true\n  containers:\n    - name: app\n      image: nginx\n`;
const template =
  'apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  hostPID: true\n  containers:\n    - name: app\n      image: nginx\n';
const CHART = 'apiVersion: v2\nname: web\nversion: 0.1.0\n';
const RENDERED = `---\n# Source: web/templates/pod.yaml\n${pod('shop')}`;
const GIT = { '.git/HEAD': 'ref: refs/heads/main\n' };

/**
 * Loaded in every thread (node --require): records each path below MESHLINT_PROBE_WATCH that fs is asked about, and
 * how many times each folder there is read.
 */
const PROBE = `'use strict';
const fs = require('node:fs');
const watched = process.env.MESHLINT_PROBE_WATCH;
const touched = new Set();
const reads = {};
const seen = (path, name) => {
  const absolute = require('node:path').resolve(String(path instanceof URL ? path.pathname : path));
  if (!absolute.startsWith(watched)) return;
  touched.add(absolute);
  if (name.startsWith('readdir') || name.startsWith('opendir')) reads[absolute] = (reads[absolute] ?? 0) + 1;
};
for (const name of ['readdir', 'readdirSync', 'opendir', 'opendirSync', 'stat', 'statSync', 'lstat', 'lstatSync',
  'access', 'accessSync', 'existsSync', 'readFile', 'readFileSync', 'open', 'openSync']) {
  const original = fs[name];
  fs[name] = function (path, ...rest) { seen(path, name); return original.call(this, path, ...rest); };
}
for (const name of ['readdir', 'opendir', 'stat', 'lstat', 'readFile', 'open', 'access']) {
  const original = fs.promises[name];
  fs.promises[name] = function (path, ...rest) { seen(path, name); return original.call(this, path, ...rest); };
}
process.on('exit', () => {
  const threadId = require('node:worker_threads').threadId;
  fs.writeFileSync(process.env.MESHLINT_PROBE_OUT + '.' + threadId, JSON.stringify({ touched: [...touched], reads }));
});
`;
const work = mkdtempSync(join(tmpdir(), 'meshlint-scope-'));
const probe = join(work, 'probe.cjs');
writeFileSync(probe, PROBE);

interface Probed {
  /** The paths below the watched folder that any thread asked fs about. */
  readonly touched: string[];
  /** How many times each folder there was read (all threads). */
  readonly reads: Record<string, number>;
  readonly stdout: string;
}

/** Runs the executable in `cwd` with the probe (and `input` on standard input). */
function touchedBelow(watch: string, args: readonly string[], cwd: string, input?: string): Probed {
  const out = mkdtempSync(join(work, 'out-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MESHLINT_PROBE_WATCH: watch,
    MESHLINT_PROBE_OUT: join(out, 'thread'),
    XDG_CACHE_HOME: join(work, 'cache'),
  };
  delete env.NODE_OPTIONS;
  const child = spawnSync(process.execPath, ['--require', probe, BIN, ...args], { cwd, env, encoding: 'utf8', input });
  expect(child.stderr).not.toMatch(/internal error|Error:/);
  const touched: string[] = [];
  const reads: Record<string, number> = {};
  for (const name of ['thread.0', 'thread.1']) {
    let thread: Omit<Probed, 'stdout'>;
    try {
      thread = JSON.parse(readFileSync(join(out, name), 'utf8'));
    } catch {
      continue;
    }
    touched.push(...thread.touched);
    for (const [path, count] of Object.entries(thread.reads)) reads[path] = (reads[path] ?? 0) + count;
  }
  return { touched, reads, stdout: child.stdout };
}

describe('a scan reads what it scans, not the working directory', () => {
  it('never reads a folder of a large unrelated tree beside the scanned one (.gitignore, Helm charts)', () => {
    const cwd = tempRepo({}, 'meshlint-cwd-');
    // An unrelated tree in the working directory: folders, .gitignore files and a chart rendered output could name.
    const unrelated: Record<string, string> = {};
    for (let i = 0; i < 20; i++) {
      unrelated[`unrelated/d${i}/deep/x.txt`] = 'x';
      unrelated[`unrelated/d${i}/.gitignore`] = 'nothing\n';
    }
    writeFiles(cwd, {
      ...unrelated,
      'unrelated/web/Chart.yaml': CHART,
      'unrelated/web/templates/pod.yaml': template,
      'scanned/plain.yaml': pod('plain'),
      'scanned/rendered.yaml': RENDERED,
    });
    const args = ['scanned', '-f', 'json', '--no-config'];
    const run = touchedBelow(join(cwd, 'unrelated'), args, cwd);
    expect(run.touched).toEqual([]);
    // The chart beside the scan is not the rendered output's: its findings stay where they are.
    const files = JSON.parse(run.stdout).findings.map((f: { file: string }) => f.file);
    expect(files).toContain('scanned/rendered.yaml');
    expect(files.some((file: string) => file.startsWith('unrelated/'))).toBe(false);
    // The probe sees what it should: a scan of the working directory reads that tree.
    expect(touchedBelow(join(cwd, 'unrelated'), ['.', '-f', 'json', '--no-config'], cwd).touched).not.toEqual([]);
  });

  it('locates rendered output in a chart of the git work tree holding it, from any working directory', async () => {
    const repo = tempRepo({
      ...GIT,
      'charts/web/Chart.yaml': CHART,
      'charts/web/templates/pod.yaml': template,
      'out/web.yaml': RENDERED,
    });
    const elsewhere = tempRepo({}, 'meshlint-elsewhere-');
    // Where the hostPID finding (container-privileged) is located, as an absolute path.
    const located = async (cwd: string, path: string) =>
      (await scan({ cwd, paths: [path], configPath: false })).findings
        .filter((f) => f.ruleId === 'container-privileged')
        .map((f) => resolve(cwd, f.file));
    const inTemplate = [join(repo, 'charts/web/templates/pod.yaml')];
    expect(await located(repo, 'out')).toEqual(inTemplate);
    expect(await located(join(repo, 'out'), '.')).toEqual(inTemplate);
    expect(await located(elsewhere, join(repo, 'out'))).toEqual(inTemplate);
  });
});

describe('.gitignore files as git reads them, whatever the working directory', () => {
  const names = (files: readonly string[], dir: string) => files.map((file) => relative(dir, file)).sort();

  it('in a git work tree: those of the scanned folder and below, and above it up to the root', async () => {
    const repo = tempRepo({
      ...GIT,
      '.gitignore': 'top.yaml\n',
      'k8s/.gitignore': 'mid.yaml\n',
      'k8s/apps/.gitignore': 'low.yaml\n',
      'k8s/apps/top.yaml': pod('a'),
      'k8s/apps/mid.yaml': pod('b'),
      'k8s/apps/low.yaml': pod('c'),
      'k8s/apps/kept.yaml': pod('d'),
      'other/.gitignore': 'kept.yaml\n',
    });
    const elsewhere = tempRepo({}, 'meshlint-elsewhere-');
    const apps = join(repo, 'k8s/apps');
    for (const [cwd, path] of [
      [repo, 'k8s/apps'],
      [apps, '.'],
      [join(repo, 'other'), '../k8s/apps'],
      [elsewhere, apps],
    ])
      expect(names(await discover([path], cwd, defaultConfig(cwd), []), apps), `${cwd} ${path}`).toEqual(['kept.yaml']);
  });

  it("outside one: those of the scanned folder and below (the working directory's play no part)", async () => {
    const dir = tempRepo({
      '.gitignore': 'a.yaml\n',
      'k8s/a.yaml': pod('a'),
      'k8s/b.yaml': pod('b'),
      'beside/.gitignore': 'b.yaml\n',
      'beside/a.yaml': pod('a'),
      'beside/b.yaml': pod('b'),
    });
    const k8s = join(dir, 'k8s');
    const beside = join(dir, 'beside');
    expect(names(await discover(['k8s'], dir, defaultConfig(dir), []), k8s)).toEqual(['a.yaml', 'b.yaml']);
    expect(names(await discover(['.'], k8s, defaultConfig(k8s), []), k8s)).toEqual(['a.yaml', 'b.yaml']);
    // A folder above the working directory has its own .gitignore files read.
    expect(names(await discover(['../beside'], k8s, defaultConfig(k8s), []), beside)).toEqual(['a.yaml']);
  });

  it("outside one, below a configuration file: from the configuration's folder down, its ignore as written", async () => {
    const dir = tempRepo({
      '.meshlint.yaml': 'ignore:\n  - "sub/gen/**"\n',
      '.gitignore': 'x.yaml\n',
      'sub/a.yaml': pod('a'),
      'sub/x.yaml': pod('x'),
      'sub/gen/b.yaml': pod('b'),
    });
    mkdirSync(join(dir, 'sub/empty'));
    for (const [cwd, path] of [
      [dir, 'sub'],
      [join(dir, 'sub'), '.'],
      [join(dir, 'sub/empty'), '..'],
    ]) {
      const result = await scan({ cwd, paths: [path] });
      expect(result.findings.map((f) => relative(dir, resolve(cwd, f.file))).sort(), `${cwd} ${path}`).toContain(
        join('sub/a.yaml'),
      );
      expect(
        result.findings.some((f) => /x\.yaml|gen/.test(f.file)),
        `${cwd} ${path}`,
      ).toBe(false);
    }
  });
});

describe('the Helm chart search walks only what discovery did not', () => {
  // Where the hostPID finding of the rendered pod is reported (the template when its chart was found).
  const locatedIn = (stdout: string) =>
    (JSON.parse(stdout).findings as { ruleId: string; file: string }[])
      .filter((f) => f.ruleId === 'container-privileged')
      .map((f) => f.file);
  // Folders, .gitignore files and a chart in the scanned folder.
  const scannedTree = (prefix: string): Record<string, string> => {
    const files: Record<string, string> = {
      [`${prefix}charts/web/Chart.yaml`]: CHART,
      [`${prefix}charts/web/templates/pod.yaml`]: template,
    };
    for (let i = 0; i < 6; i++) {
      files[`${prefix}apps/a${i}/deep/x.yaml`] = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a${i}\n`;
      files[`${prefix}apps/a${i}/.gitignore`] = 'nothing\n';
    }
    return files;
  };

  it('reads each scanned folder as often as a scan of the same folders with no rendered output, cache or not', () => {
    for (const cache of [false, true]) {
      const dir = tempRepo({}, 'meshlint-charts-');
      writeFiles(dir, { ...scannedTree('scanned/'), 'scanned/out/web.yaml': RENDERED });
      const args = ['scanned', '-f', 'json', '--no-config', ...(cache ? ['--cache', '--cache-location'] : [])];
      const scanned = join(dir, 'scanned');
      // Outside a work tree and a configuration's folder the scope is the scanned folder: discovery walked it all.
      const rendered = touchedBelow(scanned, cache ? [...args, join(dir, 'cache-a')] : args, dir);
      expect(locatedIn(rendered.stdout)).toEqual(['scanned/charts/web/templates/pod.yaml']);
      writeFileSync(join(scanned, 'out/web.yaml'), pod('plain'));
      const plain = touchedBelow(scanned, cache ? [...args, join(dir, 'cache-b')] : args, dir);
      expect(locatedIn(plain.stdout)).toEqual(['scanned/out/web.yaml']);
      expect(Object.keys(plain.reads).length, `cache ${cache}`).toBeGreaterThan(12);
      expect(rendered.reads, `cache ${cache}`).toEqual(plain.reads);
    }
  });

  it('with --cache, a run that lints again uses the last search while nothing searched changed: no folder read', () => {
    const dir = tempRepo({}, 'meshlint-charts-');
    writeFiles(dir, { ...scannedTree('scanned/'), 'scanned/out/web.yaml': RENDERED });
    const scanned = join(dir, 'scanned');
    // Settled (see SETTLED_MS): the listing and the search are kept, and trusted by the next run.
    const past = new Date(Date.now() - 3_600_000);
    const settle = (path: string) => {
      for (const entry of readdirSync(path, { withFileTypes: true }))
        if (entry.isDirectory()) settle(join(path, entry.name));
        else utimesSync(join(path, entry.name), past, past);
      utimesSync(path, past, past);
    };
    settle(scanned);
    const args = ['scanned', '-f', 'json', '--no-config', '--cache', '--cache-location', join(dir, 'cache')];
    const cold = touchedBelow(scanned, args, dir);
    expect(locatedIn(cold.stdout)).toEqual(['scanned/charts/web/templates/pod.yaml']);
    // Another file's bytes change (its folder does not): the lint runs again, discovery reuses its listing.
    writeFileSync(join(scanned, 'apps/a0/deep/x.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b0\n');
    const warm = touchedBelow(scanned, args, dir);
    expect(locatedIn(warm.stdout)).toEqual(['scanned/charts/web/templates/pod.yaml']);
    expect(warm.touched).toContain(join(scanned, 'apps/a0/deep/x.yaml'));
    expect(warm.reads).toEqual({});
    // From another working directory the stored charts (relative to the first one) are not taken as they are.
    const elsewhere = touchedBelow(scanned, ['.', ...args.slice(1)], scanned);
    expect(locatedIn(elsewhere.stdout)).toEqual(['charts/web/templates/pod.yaml']);
  });

  it('in a git work tree: the scanned folder is not read again, the rest of the tree is searched', () => {
    const repo = tempRepo({ ...GIT, ...scannedTree('k8s/'), 'k8s/out/web.yaml': RENDERED });
    writeFiles(repo, { 'charts/api/Chart.yaml': CHART.replace('web', 'api'), 'other/deep/x.txt': 'x' });
    const args = ['k8s', '-f', 'json', '--no-config'];
    const rendered = touchedBelow(repo, args, repo);
    expect(locatedIn(rendered.stdout)).toEqual(['k8s/charts/web/templates/pod.yaml']);
    writeFileSync(join(repo, 'k8s/out/web.yaml'), pod('plain'));
    const plain = touchedBelow(repo, args, repo);
    const inK8s = (reads: Record<string, number>) =>
      Object.entries(reads).filter(([path]) => path === join(repo, 'k8s') || path.startsWith(join(repo, 'k8s/')));
    expect(inK8s(rendered.reads)).toEqual(inK8s(plain.reads));
    // The rest of the work tree is the search's own.
    expect(rendered.reads[join(repo, 'other/deep')]).toBeGreaterThan(0);
    expect(plain.reads[join(repo, 'other/deep')]).toBeUndefined();
  });
});

describe('standard input: the chart search has a scope only where the text is placed', () => {
  const located = (stdout: string) =>
    (JSON.parse(stdout).findings as { ruleId: string; file: string }[])
      .filter((f) => f.ruleId === 'container-privileged')
      .map((f) => f.file);
  const chart = { 'web/Chart.yaml': CHART, 'web/templates/pod.yaml': template };

  it('outside a work tree and a configuration folder, under the default name: no folder is read', () => {
    const cwd = tempRepo({}, 'meshlint-stdin-');
    const unrelated: Record<string, string> = {};
    for (let i = 0; i < 10; i++) unrelated[`d${i}/deep/x.txt`] = 'x';
    writeFiles(cwd, { ...unrelated, ...chart });
    const run = touchedBelow(cwd, ['-', '-f', 'json', '--no-config'], cwd, RENDERED);
    expect(run.reads).toEqual({});
    expect(located(run.stdout)).toEqual(['stdin.yaml']);
    // A name given places the text: its folder is searched.
    const named = touchedBelow(
      cwd,
      ['-', '-f', 'json', '--no-config', '--stdin-filename', 'web/out.yaml'],
      cwd,
      RENDERED,
    );
    expect(located(named.stdout)).toEqual(['web/templates/pod.yaml']);
    expect(named.reads[join(cwd, 'd0/deep')]).toBeUndefined();
    // The working directory that is itself a chart (`helm template . | meshlint -` there) is searched.
    const inChart = touchedBelow(cwd, ['-', '-f', 'json', '--no-config'], join(cwd, 'web'), RENDERED);
    expect(located(inChart.stdout)).toEqual(['templates/pod.yaml']);
    expect(Object.keys(inChart.reads).length).toBeGreaterThan(0);
    for (const folder of Object.keys(inChart.reads)) expect(folder.startsWith(join(cwd, 'web'))).toBe(true);
  });

  it('in a git work tree or a configuration folder: that is searched, default name or not', () => {
    const repo = tempRepo({ ...GIT, ...chart });
    mkdirSync(join(repo, 'sub'));
    const run = touchedBelow(repo, ['-', '-f', 'json', '--no-config'], join(repo, 'sub'), RENDERED);
    expect(located(run.stdout)).toEqual(['../web/templates/pod.yaml']);
    const configured = tempRepo({ '.meshlint.yaml': 'rules: {}\n', ...chart });
    mkdirSync(join(configured, 'sub'));
    const config = touchedBelow(configured, ['-', '-f', 'json'], join(configured, 'sub'), RENDERED);
    expect(located(config.stdout).map((file) => resolve(configured, 'sub', file))).toEqual([
      join(configured, 'web/templates/pod.yaml'),
    ]);
  });
});
