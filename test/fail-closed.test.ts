// Fail closed: input meshlint cannot read is a located parse-error or a counted notice, never silence, never a
// stack trace, never the end of the rest of the scan; and the report reaches its reader intact or not at all.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../src/parse/source.js';
import { parseAll, ParserPool } from '../src/parse/pool.js';
import { scan } from '../src/scan.js';
import { formatResult, FORMATS } from '../src/report/index.js';
import { lintTexts, runCli, tempRepo } from './helpers.js';
import { encodedFiles } from './yaml-constructs.js';

const BUNDLE = resolve('dist/meshlint.cjs');
const POD = (name: string, extra = '') =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n    - name: c\n      image: x\n      securityContext:\n        privileged: true\n${extra}`;

function findingsOf(text: string, name = 'f.yaml') {
  return lintTexts({ [name]: text }).findings.map((f) => `${f.range.startLine}:${f.range.startColumn} ${f.ruleId}`);
}

describe('reading what Kubernetes reads', () => {
  it('applies a merge key after an explicit key as go-yaml does: the merged value wins', () => {
    const text = POD('m').replace('privileged: true', 'privileged: false\n        <<: {privileged: true}');
    // Located where the value that wins is written: in the merged map.
    expect(findingsOf(text)).toContain('11:14 container-privileged');
    const before = POD('m').replace('privileged: true', '<<: {privileged: true}\n        privileged: false');
    expect(findingsOf(before).filter((f) => f.endsWith('container-privileged'))).toEqual([]);
  });

  it('keeps reading YAML 1.1 after a %YAML 1.2 directive in an earlier part', () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n%YAML 1.2\n---\n${POD('d').replace('privileged: true', 'privileged: on')}`;
    expect(findingsOf(text).filter((f) => f.endsWith('container-privileged'))).toEqual(['15:9 container-privileged']);
  });

  it('points a broken quoted scalar in the middle document at its opening quote and still reads the third', () => {
    const text = `${POD('a')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "broken\n---\n${POD('c')}`;
    const findings = findingsOf(text).filter((f) => /parse-error|container-privileged/.test(f));
    expect(findings).toEqual(['10:9 container-privileged', '15:9 parse-error', '26:9 container-privileged']);
  });

  it('reads what kubectl accepts and the strict parser does not: under-indented quoted lines, lone CR, many aliases', () => {
    const quoted = POD('q', '      command: ["sh", "-c", "echo a very long\n  command line"]\n');
    expect(findingsOf(quoted)).toContain('10:9 container-privileged');
    expect(findingsOf(POD('cr').replace(/\n/g, '\r'))).toContain('10:9 container-privileged');
    const aliases = `${POD('al')}      args: &a [x]\n      env: [${Array.from({ length: 150 }, () => '*a').join(', ')}]\n`;
    expect(findingsOf(aliases).filter((f) => f.endsWith('parse-error'))).toEqual([]);
  });

  it('notes each leniency it shares with kubectl where the construct is, as stricter YAML tools reject it', () => {
    const notes = (text: string) => findingsOf(text).filter((f) => f.endsWith('yaml-portability'));
    // The first continuation line indented no deeper than its key (line 13), not the deeper one (line 12).
    const quoted = POD('q', '      command: ["sh", "-c", "echo a very long\n        command line\n      continued"]\n');
    expect(notes(quoted)).toEqual(['13:7 yaml-portability']);
    expect(notes(POD('q2', '      command: ["sh", "-c", "echo a\n        b"]\n'))).toEqual([]);
    // Lone CR: once per file, on its first line.
    expect(notes(POD('cr').replace(/\n/g, '\r'))).toEqual(['1:1 yaml-portability']);
    expect(notes(POD('crlf').replace(/\n/g, '\r\n'))).toEqual([]);
    expect(notes('{"apiVersion": "v1",\r"kind": "ConfigMap",\r"metadata": {"name": "j"}}\r')).toEqual([]);
    // More than 100 expansions of one anchor: at the 101st alias (line 112); 100 are portable.
    const aliases = (n: number) => `${POD('al')}      args: [&a x${',\n        *a'.repeat(n)}]\n`;
    expect(notes(aliases(150))).toEqual(['112:9 yaml-portability']);
    expect(notes(aliases(100))).toEqual([]);
  });

  it('rejects what kubectl rejects: a JSON manifest with a trailing comma, .inf', () => {
    expect(findingsOf('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"},}\n', 'p.json')).toEqual([
      '1:63 parse-error',
    ]);
    expect(findingsOf('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: i}\ndata: {x: .inf}\n')).toEqual([
      '4:11 parse-error',
    ]);
  });

  it('reads UTF-16 files with a byte order mark, from disk and from standard input', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(POD('u16'), 'utf16le')]);
    expect(lintTexts({ 'u.yaml': utf16 }).findings.map((f) => f.ruleId)).toContain('container-privileged');
    const dir = tempRepo({});
    const result = await scan({ cwd: dir, configPath: false, stdin: { text: utf16, filename: 'stdin.yaml' } });
    expect(result.findings.some((f) => f.ruleId === 'container-privileged')).toBe(true);
  });

  it('reports UTF-32 files as Kubernetes rejects them: a located parse-error that names the encoding, also on standard input', async () => {
    for (const [name, bytes] of Object.entries(encodedFiles()).filter(([n]) => n.startsWith('utf32'))) {
      const dir = tempRepo({ [name]: bytes });
      for (const result of [
        await scan({ cwd: dir, paths: ['.'] }),
        await scan({ cwd: dir, configPath: false, stdin: { text: bytes, filename: 'stdin.yaml' } }),
      ]) {
        expect(
          result.notices.filter((n) => n.notLinted),
          name,
        ).toEqual([]);
        const errors = result.findings.filter((f) => f.ruleId === 'parse-error');
        expect(
          errors.map((f) => `${f.range.startLine}:${f.range.startColumn}`),
          name,
        ).toEqual(['1:1']);
        expect(errors[0]!.message).toMatch(/^The file is UTF-32(LE|BE) .*Kubernetes does not decode UTF-32/);
      }
    }
  });

  it('survives collections far beyond argument-spread limits', () => {
    const args = Array.from({ length: 130_000 }, (_, i) => `        - a${i}`).join('\n');
    const text = `${POD('big')}      args:\n${args}\n`;
    expect(findingsOf(text)).toContain('10:9 container-privileged');
  });
});

describe('nothing passes silently', () => {
  it('a path that does not exist is exit 2, for paths and --context', async () => {
    const dir = tempRepo({ 'ok.yaml': POD('ok') });
    const missing = await runCli(['nonexist-dir/'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('meshlint: no such file or directory: nonexist-dir/\n');
    expect((await runCli(['--context', 'nope', 'ok.yaml'], dir)).code).toBe(2);
    expect((await runCli(['--context', '.', 'gone.yaml'], dir)).code).toBe(2);
  });

  it('a file over the size limit is a parse-error, not a pass', async () => {
    const dir = tempRepo({ 'big.yaml': `# ${'x'.repeat(2 * 1024 * 1024)}\n` });
    const result = await runCli(['--max-file-size', '1', '-f', 'compact', '.'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^big\.yaml:1:1: error: The file is 2\.0 MB, over the 1 MB limit per file/m);
  });

  it('every format counts the files that were not linted', async () => {
    const dir = tempRepo({
      'ok.yaml': POD('ok'),
      'chart.yaml': 'metadata:\n  name: {{ .Values.name }}\n',
      'blob.yaml': Buffer.from([0x61, 0, 0x62]),
    });
    const result = await scan({ cwd: dir });
    const shown = Object.fromEntries(
      await Promise.all(
        FORMATS.map(async (format) => [format, await formatResult(format, result, { color: false, cwd: dir })]),
      ),
    );
    expect(shown.text).toMatch(/2 files not linted/);
    expect(shown.compact).toMatch(/^meshlint: 2 files not linted: blob\.yaml, chart\.yaml$/m);
    expect(JSON.parse(shown.json).summary.notLinted).toBe(2);
    expect(shown.github).toMatch(/^::warning title=meshlint::2 files not linted/m);
    expect(JSON.parse(shown.gitlab).filter((i: { check_name: string }) => i.check_name === 'not-linted')).toHaveLength(
      2,
    );
    if ('html' in shown) expect(shown.html).toMatch(/; 2 files not linted\./);
    const notifications = JSON.parse(shown.sarif).runs[0].invocations[0].toolExecutionNotifications;
    expect(notifications.filter((n: { level: string }) => n.level === 'warning')).toHaveLength(2);
  });

  it('escapes control characters of values and file names in the line formats', async () => {
    const dir = tempRepo({ 'e\u001b[31m.yaml': POD('p').replace('name: c', 'name: "c\\e[2Jx"') });
    for (const format of ['text', 'compact', 'github']) {
      const result = await runCli(['-f', format, '.'], dir);
      expect(result.stdout, format).not.toMatch(/\u001b/);
      expect(result.stdout, format).toMatch(/e\\u001b\[31m\.yaml/);
    }
  });

  it('lints files with a backslash in their name and symlinked files in directory scans', async () => {
    const dir = tempRepo({ 'a\\b.yaml': POD('bs'), 'real/r.yaml': POD('real') });
    mkdirSync(join(dir, 'k8s'));
    symlinkSync(join(dir, 'real', 'r.yaml'), join(dir, 'k8s', 'link.yaml'));
    const result = await scan({ cwd: dir, paths: ['.'] });
    const files = new Set(result.findings.filter((f) => f.ruleId === 'container-privileged').map((f) => f.file));
    expect([...files].sort()).toEqual(['a\\b.yaml', 'k8s/link.yaml', 'real/r.yaml']);
  });

  it('follows symbolic links in directory scans as kubectl -R does, and counts every one it does not follow', async () => {
    const dir = tempRepo({
      'scan/plain.yaml': POD('plain'),
      'outside/t.yaml': POD('target'),
      'real/r.yaml': POD('real'),
    });
    const scanDir = join(dir, 'scan');
    symlinkSync('../outside/t.yaml', join(scanDir, 'file-link.yaml'));
    symlinkSync('../real', join(scanDir, 'dir-link'));
    symlinkSync('../real', join(scanDir, 'dir-link.yaml'));
    symlinkSync('..', join(scanDir, 'parent-link'));
    symlinkSync('nothing.yaml', join(scanDir, 'dangling.yaml'));
    symlinkSync('loop-b.yaml', join(scanDir, 'loop-a.yaml'));
    symlinkSync('loop-a.yaml', join(scanDir, 'loop-b.yaml'));
    symlinkSync('nothing', join(scanDir, 'dangling-not-a-manifest'));
    // .gitignore applies to links as to files: an ignored link is neither read nor noticed.
    writeFileSync(join(scanDir, '.gitignore'), 'ignored-link\n');
    symlinkSync('../real', join(scanDir, 'ignored-link'));
    const result = await scan({ cwd: scanDir, paths: ['.'] });
    const podsLinted = new Set(
      result.findings.filter((f) => f.ruleId === 'container-privileged').map((f) => f.resource?.name),
    );
    expect([...podsLinted].sort()).toEqual(['plain', 'target']);
    const notices = result.notices.filter((n) => n.notLinted).map((n) => `${n.file}: ${n.message}`);
    expect(notices.sort()).toEqual([
      'dangling.yaml: skipped: dangling symbolic link (its target does not exist)',
      'dir-link.yaml: skipped: symbolic link to a directory, not followed (kubectl -R does not follow it either)',
      'dir-link: skipped: symbolic link to a directory, not followed (kubectl -R does not follow it either)',
      'loop-a.yaml: skipped: symbolic link loop (too many levels of symbolic links)',
      'loop-b.yaml: skipped: symbolic link loop (too many levels of symbolic links)',
      'parent-link: skipped: symbolic link to a directory, not followed (kubectl -R does not follow it either)',
    ]);
    // kubectl, where installed, reads exactly these objects and fails on the links meshlint counts as not linted.
    const kubectl = spawnSync('kubectl', ['label', '--local', '-f', '.', '-R', 'a=b', '-o', 'name'], {
      cwd: scanDir,
      encoding: 'utf8',
    });
    if (kubectl.error) return void console.warn('kubectl is not on PATH: its reading of the links is not compared');
    expect(kubectl.stdout.trim().split('\n').sort()).toEqual(['pod/plain', 'pod/target']);
    expect(kubectl.stderr).toMatch(/dangling\.yaml: no such file/);
    expect(kubectl.stderr).toMatch(/loop-a\.yaml: too many levels of symbolic links/);
    expect(kubectl.stderr).toMatch(/dir-link\.yaml: is a directory/);
  });

  it('reads the configuration only from a regular file', async () => {
    const dir = tempRepo({ 'ok.yaml': POD('ok') });
    execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
    const started = Date.now();
    const result = await runCli(['-c', 'fifo.yaml', 'ok.yaml'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not a regular file/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a parser thread that runs out of its heap is noticed: its files are parsed here, and the process waits for them', () => {
    const dir = tempRepo({ 'a.yaml': POD('a') });
    const hungry = `data:text/javascript,${encodeURIComponent("import { parentPort } from 'node:worker_threads'; parentPort.on('message', () => { const a = []; for (;;) a.push(new Array(1e6).fill(1)); });")}`;
    const script = `
      import { parseAll, ParserPool } from ${JSON.stringify(resolve('src/parse/pool.ts'))};
      const jobs = [{ absolute: ${JSON.stringify(join(dir, 'a.yaml'))}, shown: 'a.yaml' }];
      const options = { maxBytes: 1e7, workers: 1 };
      const pool = ParserPool.start({ ...options, workerUrl: new URL(${JSON.stringify(hungry)}) });
      const outcomes = await parseAll(jobs, options, pool);
      pool.close();
      console.log(outcomes.map((o) => o.kind + ':' + o.file.documents?.length).join(','));`;
    writeFileSync(join(dir, 'run.mts'), script);
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(dir, 'run.mts')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stdout.trim()).toBe('file:1');
  });
});

describe('output that cannot be written', () => {
  it('stops quietly when the reader closes the pipe', async () => {
    const child = spawn(process.execPath, [BUNDLE, '--list-rules'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('writes the whole report to a pipe that is full and does not block (Node takes the rest, in order)', async () => {
    const args = [BUNDLE, '--no-config', '-f', 'json', 'examples', 'fixtures'];
    const dir = tempRepo({});
    const expectedFile = join(dir, 'report.json');
    spawnSync(process.execPath, [...args, '-o', expectedFile]);
    const expected = readFileSync(expectedFile, 'utf8');
    expect(expected.length).toBeGreaterThan(256 * 1024); // beyond what a pipe holds
    // meshlint inherits the parent's standard output (the pipe read here), which the parent then makes non-blocking
    // (as Node's stream for a pipe does; a child started afterwards would get it blocking again); nothing is read
    // until meshlint has met the full pipe.
    const parent = `require('node:child_process').spawn(process.execPath, ${JSON.stringify(args)}, { stdio: 'inherit' }); process.stdout;`;
    const child = spawn(process.execPath, ['-e', parent], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.pause();
    await new Promise((done) => setTimeout(done, 1500));
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stdout.resume();
    await new Promise((done) => child.on('close', done));
    expect(stdout.length).toBe(expected.length);
    expect(stdout === expected).toBe(true);
  });

  it('exits 2 with one line when the disk is full', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const run = spawnSync(process.execPath, [BUNDLE, '--no-config', '-f', 'json', 'examples'], {
        stdio: ['ignore', full, 'pipe'],
        encoding: 'utf8',
      });
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split('\n')).toEqual(['meshlint: cannot write the report to standard output (ENOSPC).']);
    } finally {
      closeSync(full);
    }
  });
});

describe('parseSource limits', () => {
  it('reports nesting beyond the limit on the document', () => {
    const deep = `a: ${'{b: '.repeat(1100)}1${'}'.repeat(1100)}\n`;
    const file = parseSource('deep.yaml', deep);
    expect(file.problems.map((p) => p.code)).toEqual(['parse-error']);
    expect(file.documents[0]?.value).toBeUndefined();
  });

  it('parses a file too large for a parser thread here, once, and only the others on the threads', async () => {
    const big = Array.from({ length: 20_000 }, (_, i) => POD(`p${i}`)).join('---\n');
    expect(big.length).toBeGreaterThan(2.5 * 1024 * 1024); // the pool's limit per thread file
    const dir = tempRepo({ 'a.yaml': POD('a'), 'big.yaml': big, 'z.yaml': POD('z') });
    const jobs = ['a.yaml', 'big.yaml', 'z.yaml'].map((shown) => ({ absolute: join(dir, shown), shown }));
    const options = { maxBytes: 1e8, workers: 1 };
    // A thread that answers every file it is sent with a notice naming it: what reached a thread shows.
    const recording = new URL(
      `data:text/javascript,${encodeURIComponent("import { parentPort } from 'node:worker_threads'; parentPort.on('message', ({ tasks }) => parentPort.postMessage(tasks.map((job) => ({ kind: 'notice', file: job.shown, message: 'sent to a thread', notLinted: true }))));")}`,
    );
    const pool = ParserPool.start({ ...options, workerUrl: recording })!;
    const outcomes = await parseAll(jobs, options, pool);
    pool.close();
    expect(
      outcomes.map((o) =>
        o.kind === 'file' ? `${o.file.path}: ${o.file.documents.length} documents` : `${o.file}: ${o.message}`,
      ),
    ).toEqual(['a.yaml: sent to a thread', 'big.yaml: 20000 documents', 'z.yaml: sent to a thread']);
  });

  it('parses on threads that die with the same result as here (pool fallback)', async () => {
    const dir = tempRepo({ 'a.yaml': POD('a') });
    const jobs = [{ absolute: join(dir, 'a.yaml'), shown: 'a.yaml' }];
    const options = { maxBytes: 1e7, workers: 1 };
    const exiting = new URL(
      `data:text/javascript,${encodeURIComponent("import { parentPort } from 'node:worker_threads'; parentPort.on('message', () => process.exit(3));")}`,
    );
    const pool = ParserPool.start({ ...options, workerUrl: exiting })!;
    const outcomes = await parseAll(jobs, options, pool);
    pool.close();
    expect(outcomes.map((o) => o.kind)).toEqual(['file']);
  });
});
