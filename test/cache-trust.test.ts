// --cache as something a run can trust: written by this user's meshlint only, for this build, telling this run's
// notices and timings, leaving nothing behind, and kept outside the repository by default.
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { cacheKeyFile, defaultCacheLocation } from '../src/cache.js';
import { userCacheDir } from '../src/user-cache-dir.js';
import { scan } from '../src/scan.js';
import { FORMATS } from '../src/report/index.js';
import { runCli, tempRepo } from './helpers.js';

const pod = (name: string, extra = '') =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  hostPID: true\n  containers:\n    - name: app\n      image: nginx\n${extra}`;

/** A user of their own: a cache folder nobody else uses. */
const newUser = (): NodeJS.ProcessEnv => ({ XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'meshlint-user-')) });

const MAGIC_BYTES = 'meshlint-cache/v2\n'.length;
const MAC_BYTES = 32;

/** A stored run rewritten as someone without this user's key would: findings emptied, MAC of their own key. */
function forge(file: string, mac: 'another key' | 'kept'): void {
  const bytes = readFileSync(file);
  const stored = deserialize(bytes.subarray(MAGIC_BYTES + MAC_BYTES)) as { result: { findings: unknown[] } };
  expect(stored.result.findings.length).toBeGreaterThan(0);
  stored.result.findings = [];
  const body = serialize(stored);
  const tag =
    mac === 'kept'
      ? bytes.subarray(MAGIC_BYTES, MAGIC_BYTES + MAC_BYTES)
      : createHmac('sha256', randomBytes(32)).update('meshlint/cache/run\0').update(body).digest();
  writeFileSync(file, Buffer.concat([bytes.subarray(0, MAGIC_BYTES), tag, body]));
}

const statsOf = (stderr: string) =>
  JSON.parse(/meshlint: stats (.*)/.exec(stderr)![1]) as { cache: { reused: string; ignored?: string } };

describe('--cache: authenticated', () => {
  it.each(['another key', 'kept'] as const)(
    'ignores a cache forged to pass (findings emptied, MAC: %s) and lints again',
    async (mac) => {
      const user = newUser();
      const cwd = tempRepo({ 'pod.yaml': pod('web') });
      const args = ['--cache-location', '.meshlint-cache/c.bin', '-f', 'compact', '--stats', '.'];
      const cold = await runCli(args, cwd, '', user);
      expect(cold.code).toBe(1);
      const warm = await runCli(args, cwd, '', user);
      expect(statsOf(warm.stderr).cache).toEqual({ reused: 'result' });
      forge(join(cwd, '.meshlint-cache/c.bin.run'), mac);
      const forged = await runCli(args, cwd, '', user);
      expect(forged.code).toBe(1);
      expect(forged.stdout).toBe(cold.stdout);
      const { cache } = statsOf(forged.stderr);
      expect(cache.reused).not.toBe('result');
      expect(cache.ignored).toMatch(/was not written by this user's meshlint/);
      // Not noise: said under --stats, not as a notice of every run.
      expect(forged.stderr).not.toMatch(/notice/);
    },
  );

  it("ignores another user's (or machine's) genuine cache, and re-makes it with this user's key", async () => {
    const cwd = tempRepo({ 'pod.yaml': pod('web') });
    const args = ['--cache-location', 'c.bin', '-f', 'compact', '--stats', '.'];
    const [alice, bob] = [newUser(), newUser()];
    await runCli(args, cwd, '', alice);
    expect(statsOf((await runCli(args, cwd, '', alice)).stderr).cache.reused).toBe('result');
    const byBob = await runCli(args, cwd, '', bob);
    expect(statsOf(byBob.stderr).cache).toMatchObject({ reused: 'nothing', ignored: expect.stringMatching(/c\.bin/) });
    expect(statsOf((await runCli(args, cwd, '', bob)).stderr).cache).toEqual({ reused: 'result' });
    // Now Bob's: Alice's runs ignore it in turn.
    expect(statsOf((await runCli(args, cwd, '', alice)).stderr).cache.ignored).toBeDefined();
  });

  it('makes the key 0600 in a 0700 folder, narrows a wider folder of its own, and never uses a key others can read', async () => {
    const user = newUser();
    const dir = userCacheDir(user);
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    // What a first run killed while making its key left behind (a process that is gone).
    writeFileSync(join(dir, 'key.99999999.0a1b2c.tmp'), 'half');
    const cwd = tempRepo({ 'pod.yaml': pod('web') });
    await runCli(['--cache', '.'], cwd, '', user);
    expect(readdirSync(dir).filter((name) => name.startsWith('key'))).toEqual(['key']);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(cacheKeyFile(user)).mode & 0o777).toBe(0o600);
    expect(statSync(cacheKeyFile(user)).size).toBe(32);
    chmodSync(cacheKeyFile(user), 0o644);
    const exposed = await runCli(['--cache', '-f', 'compact', '.'], cwd, '', user);
    expect(exposed.code).toBe(1);
    expect(exposed.stderr).toMatch(/notice: the cache is not used: its key .* may be read by other users/);
  });

  it('makes one key when several runs start at once', async () => {
    const user = newUser();
    const cwd = tempRepo({ 'pod.yaml': pod('web') });
    const bin = resolve('dist/meshlint.cjs');
    const runs = Array.from(
      { length: 4 },
      (_, i) =>
        new Promise<number | null>((done) => {
          const child = spawn(process.execPath, [bin, '--cache-location', `c${i}.bin`, '-f', 'compact', '.'], {
            cwd,
            env: { ...process.env, ...user },
            stdio: 'ignore',
          });
          child.on('exit', done);
        }),
    );
    expect(await Promise.all(runs)).toEqual([1, 1, 1, 1]);
    // The key and nothing of it left over (the folder also holds Node's compile cache of the bundle).
    expect(readdirSync(userCacheDir(user)).filter((name) => name.startsWith('key'))).toEqual(['key']);
    // Every run wrote with the one key that stayed: each cache is reused.
    for (let i = 0; i < 4; i++) {
      const again = spawnSync(process.execPath, [bin, '--cache-location', `c${i}.bin`, '--stats', '.'], {
        cwd,
        env: { ...process.env, ...user },
        encoding: 'utf8',
      });
      expect(statsOf(again.stderr).cache).toEqual({ reused: 'result' });
    }
  });
});

describe('--cache: keyed by the build', () => {
  it('does not reuse results of another build with the same version number', () => {
    const dist = join(mkdtempSync(join(tmpdir(), 'meshlint-dist-')), 'dist');
    mkdirSync(dist);
    for (const file of readdirSync('dist')) copyFileSync(join('dist', file), join(dist, file));
    const cwd = tempRepo({ 'pod.yaml': pod('web') });
    const run = () =>
      spawnSync(process.execPath, [join(dist, 'meshlint.cjs'), '--cache-location', 'c.bin', '-f', 'compact', '.'], {
        cwd,
        env: { ...process.env, ...newUserOnce },
        encoding: 'utf8',
      }).stdout;
    const newUserOnce = newUser();
    expect(run()).toContain("sharing the node's process namespace");
    // A rebuild with a changed rule message: the version number is the same, the build id is not.
    const bundle = readFileSync(join(dist, 'meshlint-main.cjs'), 'utf8');
    const rebuilt = bundle
      .replace('process namespace', 'PID namespace')
      .replace(/meshlint-build:[0-9a-f]{64}/, `meshlint-build:${'1'.repeat(64)}`);
    expect(rebuilt).not.toBe(bundle);
    writeFileSync(join(dist, 'meshlint-main.cjs'), rebuilt);
    expect(run()).toContain("sharing the node's PID namespace");
  });
});

describe('--cache: this run told truly', () => {
  const files = {
    'pod.yaml': pod('web'),
    'big.yaml': pod('big', `# ${'x'.repeat(30_000)}\n`),
    'broken/kustomization.yaml': 'resources:\n  - pod.yaml\npatches:\n  - path: patch.yaml\n',
    'broken/patch.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nope\nspec:\n  replicas: 2\n',
    'broken/pod.yaml': pod('inbase'),
    'chart/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
    'chart/templates/pod.yaml': 'kind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n',
    'bad.yaml': 'x: "a" b\n',
  };

  it.each(FORMATS)('prints the same report and notices warm as cold, and as without a cache (%s)', async (format) => {
    const cwd = tempRepo(files);
    const user = newUser();
    const args = ['-f', format, '--max-file-size', '0.01', '.'];
    const plain = await runCli(args, cwd, '', user);
    expect(plain.stderr).toMatch(/notice: broken\/kustomization\.yaml: kustomization broken could not be built/);
    expect(plain.stderr).toMatch(/notice: chart\/Chart\.yaml: Helm chart chart is not rendered/);
    const cached = [...args, '--cache-location', 'c.bin'];
    const cold = await runCli(cached, cwd, '', user);
    const warm = await runCli(cached, cwd, '', user);
    for (const run of [cold, warm]) expect(run).toEqual(plain);
    // Another size limit, the same files: the finding on the big file names this run's limit.
    const limit = ['-f', format, '--max-file-size', '0.02', '.'];
    const relimited = await runCli([...limit, '--cache-location', 'c.bin'], cwd, '', user);
    expect(relimited).toEqual(await runCli(limit, cwd, '', user));
  });

  it('reuses a result only with the notices of this run: discovery is not replayed', async () => {
    const cwd = tempRepo({ 'a.yaml': pod('a'), '.meshlint.yaml': 'rules: {}\n' });
    const first = await scan({ cwd, paths: ['a.yaml', 'gone.yaml'], cacheLocation: 'c.bin' });
    expect(first.notices.map((n) => n.file)).toEqual(['gone.yaml']);
    const second = await scan({ cwd, paths: ['a.yaml'], cacheLocation: 'c.bin' });
    expect(second.cache?.reused).toBe('result');
    expect(second.notices).toEqual([]);
    const third = await scan({ cwd, paths: ['a.yaml', 'gone.yaml'], cacheLocation: 'c.bin' });
    expect(third.cache?.reused).toBe('result');
    expect(third.notices.map((n) => n.file)).toEqual(['gone.yaml']);
  });

  it('does not replay a notice about a file a build could not read once the file is there', async () => {
    const cwd = tempRepo({
      'app/kustomization.yaml': 'resources:\n  - pod.yaml\nsecretGenerator:\n  - name: db\n    envs:\n      - db.env\n',
      'app/pod.yaml': pod('a'),
    });
    const before = await scan({ cwd, cacheLocation: 'c.bin' });
    expect(before.notices.map((n) => n.message)).toEqual([
      'kustomization app could not be built (env file db.env cannot be read): its files are linted as plain manifests',
    ]);
    writeFileSync(join(cwd, 'app/db.env'), 'username=shop\npassword=Zq8-vR2!mK4@pL7#\n');
    const after = await scan({ cwd, cacheLocation: 'c.bin' });
    expect(after.cache?.reused).not.toBe('result');
    expect(after.notices).toEqual([]);
    expect(after.findings.filter((f) => f.ruleId === 'secret-in-manifest').map((f) => f.file)).toEqual([
      'app/kustomization.yaml',
    ]);
  });

  it('checks the files a build read where this run reads them: a copy of the repository elsewhere', async () => {
    const files = {
      'app/kustomization.yaml': 'resources:\n  - pod.yaml\nsecretGenerator:\n  - name: db\n    envs:\n      - db.env\n',
      'app/pod.yaml': pod('a'),
      'app/db.env': 'username=shop\n',
    };
    const [first, second] = [tempRepo(files), tempRepo(files)];
    const location = join(mkdtempSync(join(tmpdir(), 'meshlint-shared-cache-')), 'c.bin');
    const secrets = (r: Awaited<ReturnType<typeof scan>>) =>
      r.findings.filter((f) => f.ruleId === 'secret-in-manifest');
    expect(secrets(await scan({ cwd: first, cacheLocation: location }))).toEqual([]);
    // The same files elsewhere (another checkout, --staged's export of the index): the same run.
    expect((await scan({ cwd: second, cacheLocation: location })).cache?.reused).toBe('result');
    // The copy's env file changes, the first one's does not: the copy's is the one that counts.
    writeFileSync(join(second, 'app/db.env'), 'username=shop\npassword=Zq8-vR2!mK4@pL7#\n');
    const changed = await scan({ cwd: second, cacheLocation: location });
    expect(changed.cache?.reused).not.toBe('result');
    expect(secrets(changed).map((f) => f.file)).toEqual(['app/kustomization.yaml']);
  });

  it('reuses a result with --staged, whose index is exported to a new folder every time', async () => {
    const cwd = tempRepo({ 'pod.yaml': pod('web') });
    const git = (...args: string[]) => spawnSync('git', args, { cwd, encoding: 'utf8' });
    git('init', '-q');
    git('add', '.');
    const args = ['--staged', '--cache-location', join(cwd, '.git', 'c.bin'), '--stats', '-f', 'compact', '.'];
    const cold = await runCli(args, cwd);
    expect(cold.code).toBe(1);
    const warm = await runCli(args, cwd);
    expect(statsOf(warm.stderr).cache).toEqual({ reused: 'result' });
    expect(warm.stdout).toBe(cold.stdout);
  });

  it('locates rendered Helm output in a template that appeared since the last run', async () => {
    const rendered = `---\n# Source: web/templates/pod.yaml\n${pod('shop')}`;
    const cwd = tempRepo({
      'chart/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
      'out/web.yaml': rendered,
      '.meshlint.yaml': 'rules:\n  networkpolicy-no-default-deny: off\nhelm:\n  charts: ignore\n',
    });
    const privileged = async () =>
      (await scan({ cwd, paths: ['out'], cacheLocation: 'c.bin' })).findings
        .filter((f) => f.ruleId === 'container-privileged')
        .map((f) => f.file);
    expect(await privileged()).toEqual(['out/web.yaml']);
    mkdirSync(join(cwd, 'chart/templates'));
    writeFileSync(join(cwd, 'chart/templates/pod.yaml'), pod('{{ .Release.Name }}'));
    expect(await privileged()).toEqual(['chart/templates/pod.yaml']);
  });

  it('--stats on a reused result prints no rule timings (none ran) and says the result was reused', async () => {
    const cwd = tempRepo({ 'pod.yaml': pod('web') });
    const args = ['--cache-location', 'c.bin', '--stats', '-f', 'compact', '.'];
    const cold = await runCli(args, cwd);
    expect(cold.stderr).toMatch(/meshlint: slowest rules: \S+ \d+ ms/);
    expect(statsOf(cold.stderr).cache).toEqual({ reused: 'nothing' });
    const warm = await runCli(args, cwd);
    expect(warm.stderr).not.toMatch(/slowest rules/);
    expect(warm.stderr).toContain('meshlint: the previous result was reused from the cache: no rule ran this time');
    expect(statsOf(warm.stderr).cache).toEqual({ reused: 'result' });
    expect(JSON.parse(/meshlint: stats (.*)/.exec(warm.stderr)![1]).phasesMs).toHaveProperty('reused');
  });
});

describe('--cache: files', () => {
  it('leaves no temporary file, and removes those of a run killed while writing', async () => {
    const cwd = tempRepo({ 'pod.yaml': pod('web') });
    const args = ['--cache-location', 'cache/c.bin', '-f', 'compact', '.'];
    await runCli(args, cwd);
    writeFileSync(join(cwd, 'pod.yaml'), pod('web2'));
    await runCli(args, cwd);
    expect(readdirSync(join(cwd, 'cache')).sort()).toEqual(['c.bin', 'c.bin.run']);
    // A run killed (SIGKILL) in the middle of writing leaves <name>.<its pid>.tmp behind.
    const killed = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('node:fs');
         fs.writeFileSync('cache/c.bin.' + process.pid + '.tmp', 'half');
         fs.writeFileSync('cache/c.bin.run.' + process.pid + '.tmp', 'half');
         console.log('written');
         setInterval(() => {}, 1000);`,
      ],
      { cwd, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    await new Promise((done) => killed.stdout.once('data', done));
    killed.kill('SIGKILL');
    await new Promise((done) => killed.once('exit', done));
    expect(readdirSync(join(cwd, 'cache')).filter((f) => f.endsWith('.tmp'))).toHaveLength(2);
    await runCli(args, cwd);
    expect(readdirSync(join(cwd, 'cache')).sort()).toEqual(['c.bin', 'c.bin.run']);
  });

  it("keeps the cache in the user's cache folder by default: nothing is written into the repository", async () => {
    const cwd = tempRepo({ 'pod.yaml': pod('web') });
    const user = newUser();
    const before = readdirSync(cwd).sort();
    expect((await runCli(['--cache', '--stats', '.'], cwd, '', user)).code).toBe(1);
    expect(readdirSync(cwd).sort()).toEqual(before);
    expect(existsSync(join(cwd, 'node_modules'))).toBe(false);
    const location = defaultCacheLocation(cwd, user);
    expect(location.startsWith(join(user.XDG_CACHE_HOME!, 'meshlint'))).toBe(true);
    expect(existsSync(location)).toBe(true);
    expect(statsOf((await runCli(['--cache', '--stats', '.'], cwd, '', user)).stderr).cache.reused).toBe('result');
    // Without XDG_CACHE_HOME: ~/.cache/meshlint.
    const home = mkdtempSync(join(tmpdir(), 'meshlint-home-'));
    await runCli(['--cache', '.'], cwd, '', { HOME: home });
    expect(existsSync(defaultCacheLocation(cwd, { HOME: home }))).toBe(true);
    expect(defaultCacheLocation(cwd, { HOME: home }).startsWith(join(home, '.cache', 'meshlint'))).toBe(true);
    expect(readdirSync(cwd).sort()).toEqual(before);
  });
});
