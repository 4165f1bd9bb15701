// The pre-commit hook with the real pre-commit (Debian package `pre-commit`; .ci/run installs it). A hook
// repository is made from this working tree (package.json, package-lock.json, .pre-commit-hooks.yaml and the
// committed bundle, in one commit: pre-commit clones it by path and installs it with npm, `language: node`), then
// a user repository uses it: a staged insecure manifest fails the commit with the finding's file:line, a secure
// one passes, and an insecure file that is not staged is context, not reported.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { privilegedDeployment, secureDeployment, writeFiles } from './helpers.js';

const version = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' });
const available = version.status === 0;
if (!available) {
  console.warn(
    'SKIPPED test/pre-commit.test.ts: pre-commit is not installed (apt-get install -y pre-commit, or pip install pre-commit); .ci/run installs it.',
  );
}

const gitEnv = {
  GIT_AUTHOR_NAME: 'meshlint test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'meshlint test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

describe.skipIf(!available)(`pre-commit hook (${version.stdout?.trim() || 'pre-commit missing'})`, () => {
  // meshlint: language node (pre-commit installs the package); meshlint-system-node: language script (the bundle
  // run with the Node.js on PATH, nothing installed).
  it.each(['meshlint', 'meshlint-system-node'])(
    '%s fails a commit that stages an insecure manifest with file:line, and passes a secure one',
    (hookId) => {
      const root = mkdtempSync(join(tmpdir(), 'meshlint-pre-commit-'));
      const env = {
        ...process.env,
        ...gitEnv,
        PRE_COMMIT_HOME: join(root, 'cache'),
        PRE_COMMIT_COLOR: 'never',
        NO_COLOR: '1',
      };
      const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();

      // The hook repository: what a tag of this repository holds, as far as pre-commit needs it.
      const hook = join(root, 'hook');
      mkdirSync(join(hook, 'dist'), { recursive: true });
      // The CLI is the executable and the files it loads from beside it: all of dist/.
      const dist = readdirSync('dist').map((name) => `dist/${name}`);
      for (const file of ['package.json', 'package-lock.json', '.pre-commit-hooks.yaml', ...dist])
        copyFileSync(file, join(hook, file));
      git(hook, 'init', '-q');
      git(hook, 'add', '-A');
      git(hook, 'commit', '-qm', 'meshlint hook');
      const rev = git(hook, 'rev-parse', 'HEAD');

      // The user's repository.
      const repo = join(root, 'repo');
      mkdirSync(repo);
      git(repo, 'init', '-q');
      writeFileSync(
        join(repo, '.pre-commit-config.yaml'),
        `repos:\n  - repo: ${hook}\n    rev: ${rev}\n    hooks:\n      - id: ${hookId}\n`,
      );
      git(repo, 'add', '.pre-commit-config.yaml');
      git(repo, 'commit', '-qm', 'pre-commit config', '--no-verify');
      const install = spawnSync('pre-commit', ['install', '--install-hooks'], {
        cwd: repo,
        env,
        encoding: 'utf8',
        timeout: 300_000,
      });
      expect(install.status, `${install.stdout}\n${install.stderr}`).toBe(0);
      const commit = (message: string) =>
        spawnSync('git', ['commit', '-m', message], { cwd: repo, env, encoding: 'utf8', timeout: 120_000 });

      // Staged insecure manifest: the commit fails and names file:line:col of the finding.
      const insecure = privilegedDeployment('db');
      writeFiles(repo, { 'k8s/db.yaml': insecure.text });
      git(repo, 'add', 'k8s/db.yaml');
      const failed = commit('add db');
      const output = `${failed.stdout}${failed.stderr}`;
      expect(failed.status, output).toBe(1);
      expect(output).toMatch(/meshlint\.+Failed/);
      expect(output).toMatch(
        new RegExp(
          `^k8s/db\\.yaml:${insecure.line}:\\d+: error: Container "app" of Deployment default/db runs privileged.*\\[container-privileged\\]$`,
          'm',
        ),
      );
      expect(() => git(repo, 'rev-parse', '--verify', '-q', 'HEAD~1')).toThrow(); // nothing was committed

      // Secure manifest staged; an insecure file that is not staged is context only: the commit passes.
      writeFiles(repo, {
        'k8s/db.yaml': secureDeployment('db'),
        'scratch/draft.yaml': privilegedDeployment('draft').text,
      });
      git(repo, 'add', 'k8s/db.yaml');
      const passed = commit('add db, hardened');
      expect(passed.status, `${passed.stdout}${passed.stderr}`).toBe(0);
      expect(`${passed.stdout}${passed.stderr}`).toMatch(/meshlint\.+Passed/);
      expect(git(repo, 'log', '-1', '--format=%s')).toBe('add db, hardened');

      // A workload staged into a meshed namespace; a STRICT PeerAuthentication lies untracked beside it. The commit
      // does not contain the policy, so the workload would run without STRICT mTLS: the hook fails.
      writeFiles(repo, {
        'k8s/namespace.yaml':
          'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: { istio-injection: enabled }\n',
      });
      git(repo, 'add', 'k8s/namespace.yaml');
      expect(commit('namespace').status).toBe(0);
      writeFiles(repo, {
        'k8s/web.yaml': secureDeployment('web').replaceAll(
          'metadata:\n  name: web\n',
          'metadata:\n  name: web\n  namespace: shop\n',
        ),
        'mesh/strict.yaml':
          'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: { name: default, namespace: shop }\nspec: { mtls: { mode: STRICT } }\n',
      });
      git(repo, 'add', 'k8s/web.yaml');
      const untrackedPolicy = commit('add web');
      expect(untrackedPolicy.status, `${untrackedPolicy.stdout}${untrackedPolicy.stderr}`).toBe(1);
      expect(`${untrackedPolicy.stdout}${untrackedPolicy.stderr}`).toMatch(
        /^k8s\/web\.yaml:\d+:\d+: error: .*\[mtls-not-strict\]$/m,
      );
      // Staged with the workload, the policy is part of the commit: it passes.
      git(repo, 'add', 'mesh/strict.yaml');
      const withPolicy = commit('add web with its policy');
      expect(withPolicy.status, `${withPolicy.stdout}${withPolicy.stderr}`).toBe(0);
    },
    400_000,
  );
});
