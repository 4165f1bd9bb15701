import { existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import { join, relative } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { discover, scan } from '../src/scan.js';
import type { DirectoryListing } from '../src/cache.js';
import { defaultConfig } from '../src/engine/config.js';
import { formatSarif } from '../src/report/sarif.js';
import { tempRepo } from './helpers.js';
import { checksummed, rand } from './secret-samples.js';

const pod = (name: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  hostPID: true\n  containers:\n    - name: app\n      image: nginx\n`;

describe('--cache', () => {
  it('gives the same findings warm as cold, and notices a changed file', async () => {
    const cwd = tempRepo({
      'a.yaml': pod('a'),
      'b.yaml': pod('b'),
      'broken.yaml': 'x: "a" b\n',
      '.meshlint.yaml': 'rules:\n  container-no-limits: off\n',
    });
    const cold = await scan({ cwd, cacheLocation: '.cache/m.bin' });
    expect(existsSync(join(cwd, '.cache/m.bin'))).toBe(true);
    const warm = await scan({ cwd, cacheLocation: '.cache/m.bin' });
    expect(formatSarif(warm, { cwd })).toBe(formatSarif(cold, { cwd }));
    expect(warm.findings.length).toBeGreaterThan(4);

    writeFileSync(join(cwd, 'b.yaml'), `# moved down\n\n${pod('b')}`);
    const changed = await scan({ cwd, cacheLocation: '.cache/m.bin' });
    const lines = (r: typeof cold, file: string) =>
      r.findings.filter((f) => f.file === file).map((f) => f.range.startLine);
    expect(lines(changed, 'b.yaml')).toEqual(lines(cold, 'b.yaml').map((l) => l + 2));
    expect(lines(changed, 'a.yaml')).toEqual(lines(cold, 'a.yaml'));
  });

  it('reuses the whole previous result only while every file is byte for byte the same', async () => {
    const cwd = tempRepo({ 'a.yaml': pod('a'), 'b.yaml': pod('b') });
    const cold = await scan({ cwd, cacheLocation: 'c.bin' });
    expect(cold.phases).not.toHaveProperty('reused');
    const warm = await scan({ cwd, cacheLocation: 'c.bin' });
    expect(warm.phases).toHaveProperty('reused');
    expect(formatSarif(warm, { cwd })).toBe(formatSarif(cold, { cwd }));
    expect(warm.rules.map((r) => r.id)).toEqual(cold.rules.map((r) => r.id));
    writeFileSync(join(cwd, 'c.yaml'), pod('c'));
    const added = await scan({ cwd, cacheLocation: 'c.bin' });
    expect(added.phases).not.toHaveProperty('reused');
    expect(added.findings.some((f) => f.file === 'c.yaml')).toBe(true);
    writeFileSync(join(cwd, 'c.yaml'), pod('c').replace('hostPID: true', 'hostPID: false'));
    const edited = await scan({ cwd, cacheLocation: 'c.bin' });
    expect(edited.phases).not.toHaveProperty('reused');
    expect(edited.findings.some((f) => f.file === 'c.yaml' && f.ruleId === 'container-privileged')).toBe(false);
  });

  it('tells unchanged files by size and modification time, without reading them (as ESLint does)', async () => {
    const cwd = tempRepo({ 'a.yaml': pod('a'), 'b.yaml': pod('b') });
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const name of ['a.yaml', 'b.yaml']) utimesSync(join(cwd, name), hourAgo, hourAgo);
    const cold = await scan({ cwd, cacheLocation: 'c.bin' });
    const names = (r: typeof cold) => [
      ...new Set(r.findings.filter((f) => f.file === 'a.yaml').map((f) => f.resource?.name)),
    ];
    expect(names(cold)).toEqual(['a']);
    // Same size, same modification time: the stamp says unchanged, so the file is not read and the result is reused.
    writeFileSync(join(cwd, 'a.yaml'), pod('z'));
    utimesSync(join(cwd, 'a.yaml'), hourAgo, hourAgo);
    const trusted = await scan({ cwd, cacheLocation: 'c.bin' });
    expect(trusted.phases).toHaveProperty('reused');
    expect(names(trusted)).toEqual(['a']);
    // A new modification time: read, hashed and linted again.
    const now = new Date();
    utimesSync(join(cwd, 'a.yaml'), now, now);
    const edited = await scan({ cwd, cacheLocation: 'c.bin' });
    expect(edited.phases).not.toHaveProperty('reused');
    expect(names(edited)).toEqual(['z']);
    expect(statSync(join(cwd, 'a.yaml')).size).toBe(pod('a').length);
  });

  it('keeps the new stamps of files touched but unchanged (a checkout), so that the next run need not read them', async () => {
    const cwd = tempRepo({ 'a.yaml': pod('a'), 'b.yaml': pod('b') });
    const touch = (name: string, when: Date) => utimesSync(join(cwd, name), when, when);
    const [hourAgo, twoHoursAgo] = [new Date(Date.now() - 3_600_000), new Date(Date.now() - 7_200_000)];
    for (const name of ['a.yaml', 'b.yaml']) touch(name, hourAgo);
    await scan({ cwd, cacheLocation: 'c.bin' });
    // Touched, same bytes: read, found unchanged, the result reused, and the new times kept.
    for (const name of ['a.yaml', 'b.yaml']) touch(name, twoHoursAgo);
    expect((await scan({ cwd, cacheLocation: 'c.bin' })).cache?.reused).toBe('result');
    // Now the new stamp is trusted without reading: a same-size change with the same time goes unseen (as in ESLint).
    writeFileSync(join(cwd, 'a.yaml'), pod('z'));
    touch('a.yaml', twoHoursAgo);
    const trusted = await scan({ cwd, cacheLocation: 'c.bin' });
    expect(trusted.cache?.reused).toBe('result');
    expect(trusted.findings.some((f) => f.resource?.name === 'z')).toBe(false);
  });

  it('does not trust the stamp of a file modified just now (it may change again within the same time)', async () => {
    const cwd = tempRepo({ 'a.yaml': pod('a') });
    const now = new Date();
    utimesSync(join(cwd, 'a.yaml'), now, now);
    await scan({ cwd, cacheLocation: 'c.bin' });
    writeFileSync(join(cwd, 'a.yaml'), pod('z'));
    utimesSync(join(cwd, 'a.yaml'), now, now);
    const again = await scan({ cwd, cacheLocation: 'c.bin' });
    expect(again.phases).not.toHaveProperty('reused');
    expect(again.findings.some((f) => f.resource?.name === 'z')).toBe(true);
  });

  it('starts afresh when the configuration changes', async () => {
    const cwd = tempRepo({ 'a.yaml': pod('a'), '.meshlint.yaml': 'rules:\n  container-privileged: warning\n' });
    await scan({ cwd, cacheLocation: 'c.bin' });
    writeFileSync(join(cwd, '.meshlint.yaml'), 'rules:\n  container-privileged: off\n');
    const after = await scan({ cwd, cacheLocation: 'c.bin' });
    expect(after.findings.map((f) => f.ruleId)).not.toContain('container-privileged');
  });

  it('stores no secret value, and is readable by its owner only', async () => {
    const password = `${rand(10)}!${rand(10)}`;
    const token = checksummed('ghp_');
    const manifest = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata:\n  DB_PASSWORD: "${password}"\n  gh: ${token}\n  app.properties: |\n    a=1\n    db.password=${password}\n`;
    const cwd = tempRepo({ 'cm.yaml': manifest, 'b.yaml': pod('b') });
    const cold = await scan({ cwd, cacheLocation: 'c/m.bin' });
    writeFileSync(join(cwd, 'b.yaml'), pod('b2')); // a warm run that restores cm.yaml from its entry
    const warm = await scan({ cwd, cacheLocation: 'c/m.bin' });
    expect(warm.phases).not.toHaveProperty('reused');
    expect(warm.findings.filter((f) => f.file === 'cm.yaml')).toEqual(
      cold.findings.filter((f) => f.file === 'cm.yaml'),
    );
    expect(warm.findings.filter((f) => f.ruleId === 'secret-hardcoded').length).toBeGreaterThanOrEqual(3);
    for (const file of ['c/m.bin', 'c/m.bin.run']) {
      const bytes = readFileSync(join(cwd, file));
      for (const secret of [password, token, token.slice(4, 20), password.slice(0, 10)]) {
        expect(bytes.includes(secret)).toBe(false);
        expect(bytes.includes(Buffer.from(secret, 'utf16le'))).toBe(false);
      }
      expect(statSync(join(cwd, file)).mode & 0o777).toBe(0o600);
    }
  });

  it('ignores a corrupt cache file', async () => {
    const cwd = tempRepo({ 'a.yaml': pod('a'), 'c.bin': 'not a cache' });
    const result = await scan({ cwd, cacheLocation: 'c.bin', configPath: false });
    expect(result.findings.some((f) => f.ruleId === 'container-privileged')).toBe(true);
  });

  it('reuses a run with kustomize builds until a file a build read changes, env files included', async () => {
    const cwd = tempRepo({
      'app/kustomization.yaml': 'resources:\n  - pod.yaml\nsecretGenerator:\n  - name: db\n    envs:\n      - db.env\n',
      'app/pod.yaml': pod('a'),
      'app/db.env': 'username=shop\n',
    });
    const cold = await scan({ cwd, cacheLocation: 'c.bin' });
    expect(cold.findings.some((f) => f.ruleId === 'secret-in-manifest')).toBe(false);
    const warm = await scan({ cwd, cacheLocation: 'c.bin' });
    expect(warm.phases).toHaveProperty('reused');
    writeFileSync(join(cwd, 'app/db.env'), 'username=shop\npassword=Zq8-vR2!mK4@pL7#\n');
    const changed = await scan({ cwd, cacheLocation: 'c.bin' });
    expect(changed.phases).not.toHaveProperty('reused');
    expect(changed.findings.filter((f) => f.ruleId === 'secret-in-manifest').map((f) => f.file)).toEqual([
      'app/kustomization.yaml',
    ]);
  });

  it('does not reuse a run whose kustomize env file takes a value from the environment once that value changes', async () => {
    const cwd = tempRepo({
      'app/kustomization.yaml': 'resources:\n  - pod.yaml\nsecretGenerator:\n  - name: db\n    envs:\n      - db.env\n',
      'app/pod.yaml': pod('a'),
      'app/db.env': 'username=shop\nMESHLINT_TEST_DB_PASSWORD\n',
    });
    const secrets = (r: Awaited<ReturnType<typeof scan>>) =>
      r.findings.filter((f) => f.ruleId === 'secret-in-manifest');
    try {
      process.env.MESHLINT_TEST_DB_PASSWORD = 'changeme';
      expect(secrets(await scan({ cwd, cacheLocation: 'c.bin' }))).toEqual([]);
      expect((await scan({ cwd, cacheLocation: 'c.bin' })).phases).toHaveProperty('reused');
      process.env.MESHLINT_TEST_DB_PASSWORD = 'Zq8-vR2!mK4@pL7#';
      const changed = await scan({ cwd, cacheLocation: 'c.bin' });
      expect(changed.phases).not.toHaveProperty('reused');
      expect(secrets(changed).map((f) => f.file)).toEqual(['app/kustomization.yaml']);
      // The value is not in the cache file, in clear or as a plain hash.
      expect(readFileSync(join(cwd, 'c.bin.run'), 'latin1')).not.toContain('Zq8-vR2!mK4@pL7#');
    } finally {
      delete process.env.MESHLINT_TEST_DB_PASSWORD;
    }
  });

  // Rendered Helm output (out/web.yaml) and the chart it may be located in.
  const template =
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  hostPID: true\n  containers:\n    - name: app\n      image: nginx\n';
  const CHART = 'apiVersion: v2\nname: web\nversion: 0.1.0\n';
  const HELM_CONFIG =
    'rules:\n  container-no-limits: off\n  container-mutable-image: off\n  networkpolicy-no-default-deny: off\nhelm:\n  charts: ignore\n';
  const line = (r: Awaited<ReturnType<typeof scan>>) =>
    r.findings.filter((f) => f.ruleId === 'container-privileged').map((f) => `${f.file}:${f.range.startLine}`);

  it('reuses a run with rendered Helm output until a template it is located in changes', async () => {
    const cwd = tempRepo({
      'chart/Chart.yaml': CHART,
      'chart/templates/pod.yaml': template,
      'out/web.yaml': `---\n# Source: web/templates/pod.yaml\n${pod('shop')}`,
      '.meshlint.yaml': HELM_CONFIG,
    });
    const cold = await scan({ cwd, paths: ['out'], cacheLocation: 'c.bin' });
    expect(line(cold)).toEqual(['chart/templates/pod.yaml:6']);
    expect((await scan({ cwd, paths: ['out'], cacheLocation: 'c.bin' })).phases).toHaveProperty('reused');
    writeFileSync(join(cwd, 'chart/templates/pod.yaml'), `# a comment\n${template}`);
    const changed = await scan({ cwd, paths: ['out'], cacheLocation: 'c.bin' });
    expect(changed.phases).not.toHaveProperty('reused');
    expect(line(changed)).toEqual(['chart/templates/pod.yaml:7']);
  });

  it('does not reuse a run with rendered Helm output once a chart it may be located in is added', async () => {
    const cwd = tempRepo({
      'out/web.yaml': `---\n# Source: web/templates/pod.yaml\n${pod('shop')}`,
      '.meshlint.yaml': HELM_CONFIG,
    });
    const cold = await scan({ cwd, paths: ['out'], cacheLocation: 'c.bin' });
    expect(line(cold)).toEqual(['out/web.yaml:8']);
    expect((await scan({ cwd, paths: ['out'], cacheLocation: 'c.bin' })).phases).toHaveProperty('reused');
    mkdirSync(join(cwd, 'chart/templates'), { recursive: true });
    writeFileSync(join(cwd, 'chart/Chart.yaml'), CHART);
    writeFileSync(join(cwd, 'chart/templates/pod.yaml'), template);
    const added = await scan({ cwd, paths: ['out'], cacheLocation: 'c.bin' });
    expect(added.phases).not.toHaveProperty('reused');
    expect(line(added)).toEqual(['chart/templates/pod.yaml:6']);
  });
});

describe('--cache: the directory listing', () => {
  const hourAgo = new Date(Date.now() - 3_600_000);
  const age = (cwd: string, paths: readonly string[]) => {
    for (const path of paths) utimesSync(join(cwd, path), hourAgo, hourAgo);
  };
  const store = () => {
    const kept = new Map<string, DirectoryListing>();
    return { kept, listing: (query: string) => kept.get(query), keepListing: kept.set.bind(kept) };
  };
  const names = (cwd: string, files: string[]) => files.map((file) => relative(cwd, file));

  it('expands directories from the listing kept last time while no folder or ignore file changed', async () => {
    const cwd = tempRepo({ 'k8s/deep/a.yaml': pod('a'), 'k8s/b.yaml': pod('b') });
    const folders = ['k8s/deep', 'k8s', '.'];
    age(cwd, folders);
    const listings = store();
    const config = defaultConfig(cwd);
    expect(names(cwd, await discover(['k8s'], cwd, config, [], listings))).toEqual(['k8s/b.yaml', 'k8s/deep/a.yaml']);
    expect(listings.kept.size).toBe(1);
    // Reused without a walk: a file the listing names is reported though it was never there.
    const [query, kept] = [...listings.kept][0];
    listings.kept.set(query, { ...kept, files: [...kept.files, join(cwd, 'k8s/listed.yaml')] });
    expect(names(cwd, await discover(['k8s'], cwd, config, [], listings))).toContain('k8s/listed.yaml');
    // A file added deep down moves its folder's stamp: expanded afresh.
    writeFileSync(join(cwd, 'k8s/deep/c.yaml'), pod('c'));
    expect(names(cwd, await discover(['k8s'], cwd, config, [], listings))).toEqual([
      'k8s/b.yaml',
      'k8s/deep/a.yaml',
      'k8s/deep/c.yaml',
    ]);
    // Just modified: no listing kept, so the next run expands again too.
    expect(names(cwd, await discover(['k8s'], cwd, config, [], listings))).not.toContain('k8s/listed.yaml');
    age(cwd, folders);
    await discover(['k8s'], cwd, config, [], listings);
    rmSync(join(cwd, 'k8s/deep/a.yaml'));
    expect(names(cwd, await discover(['k8s'], cwd, config, [], listings))).toEqual(['k8s/b.yaml', 'k8s/deep/c.yaml']);
  });

  it('sees a .gitignore added, or changed in place, anywhere that may apply', async () => {
    // A git work tree: the .gitignore files above the scanned folder apply up to its root.
    const cwd = tempRepo({
      'k8s/deep/a.yaml': pod('a'),
      'k8s/b.yaml': pod('b'),
      'k8s/deep/.gitignore': 'nothing\n',
      '.git/HEAD': 'ref: refs/heads/main\n',
    });
    age(cwd, ['k8s/deep', 'k8s', '.', 'k8s/deep/.gitignore']);
    const listings = store();
    const config = defaultConfig(cwd);
    expect(await discover(['k8s'], cwd, config, [], listings)).toHaveLength(2);
    // The folders untouched; the file's size and modification time the same: only its change time tells.
    writeFileSync(join(cwd, 'k8s/deep/.gitignore'), 'a.yaml\n\n');
    age(cwd, ['k8s/deep/.gitignore']);
    expect(names(cwd, await discover(['k8s'], cwd, config, [], listings))).toEqual(['k8s/b.yaml']);
    // A .gitignore made above the scanned folder (in the working directory, which is not walked).
    writeFileSync(join(cwd, 'k8s/deep/.gitignore'), '');
    age(cwd, ['k8s/deep/.gitignore']);
    expect(await discover(['k8s'], cwd, config, [], listings)).toHaveLength(2);
    writeFileSync(join(cwd, '.gitignore'), 'b.yaml\n');
    age(cwd, ['.gitignore']);
    expect(names(cwd, await discover(['k8s'], cwd, config, [], listings))).toEqual(['k8s/deep/a.yaml']);
  });

  it('believes a kept listing only under its MAC (checked before it is decoded)', async () => {
    const cwd = tempRepo({ 'k8s/a.yaml': pod('a') });
    age(cwd, ['k8s/a.yaml', 'k8s', '.meshlint.yaml', '.']);
    const dir = tempRepo({});
    const [cacheLocation, cacheKeyFile] = [join(dir, 'c.bin'), join(dir, 'key')];
    const cold = await scan({ cwd, cacheLocation, cacheKeyFile, paths: ['k8s'] });
    expect(cold.findings.some((f) => f.file === 'k8s/a.yaml')).toBe(true);
    // The listing emptied: stamps and files.
    const bytes = readFileSync(`${cacheLocation}.list`);
    const start = 'meshlint-cache/v2\n'.length + 32;
    const stored = deserialize(bytes.subarray(start));
    const body = serialize({ ...stored, listing: { files: [], stamps: [] } });
    const mac = (key: Buffer) => createHmac('sha256', key).update('meshlint/cache/listing\0').update(body).digest();
    writeFileSync(`${cacheLocation}.list`, Buffer.concat([bytes.subarray(0, start - 32), mac(randomBytes(32)), body]));
    const forged = await scan({ cwd, cacheLocation, cacheKeyFile, paths: ['k8s'] });
    expect(forged.findings.some((f) => f.file === 'k8s/a.yaml')).toBe(true);
    expect(forged.cache?.ignored).toMatch(/was not written by this user's meshlint/);
    // The control: the same listing under this user's key is believed.
    writeFileSync(
      `${cacheLocation}.list`,
      Buffer.concat([bytes.subarray(0, start - 32), mac(readFileSync(cacheKeyFile)), body]),
    );
    const believed = await scan({ cwd, cacheLocation, cacheKeyFile, paths: ['k8s'] });
    expect(believed.findings.some((f) => f.file === 'k8s/a.yaml')).toBe(false);
  });

  it('gives the same result cold and warm with the listing kept beside the cache', async () => {
    const cwd = tempRepo({ 'k8s/deep/a.yaml': pod('a'), 'k8s/b.yaml': pod('b') });
    age(cwd, ['k8s/deep/a.yaml', 'k8s/b.yaml', 'k8s/deep', 'k8s', '.meshlint.yaml', '.']);
    const cacheLocation = join(tempRepo({}), 'c.bin');
    const cold = await scan({ cwd, cacheLocation });
    expect(existsSync(`${cacheLocation}.list`)).toBe(true);
    const warm = await scan({ cwd, cacheLocation });
    expect(warm.cache?.reused).toBe('result');
    expect(formatSarif(warm, { cwd })).toBe(formatSarif(cold, { cwd }));
    writeFileSync(join(cwd, 'k8s/deep/c.yaml'), pod('c'));
    expect((await scan({ cwd, cacheLocation })).findings.some((f) => f.file === 'k8s/deep/c.yaml')).toBe(true);
  });
});
