// The options and outputs users of ESLint, actionlint and kube-linter reach for, run as a user runs them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planAnnotations } from '../src/report/github.js';
import { jobSummary } from '../src/report/job-summary.js';
import type { Finding } from '../src/engine/run.js';
import { RULES } from '../rules/index.js';
import { REDACTED_LINE } from '../src/excerpts.js';
import { FORMATS } from '../src/report/index.js';
import { privilegedDeployment, runCli, secureDeployment, tempRepo } from './helpers.js';

// One error (container-privileged), one warning (container-no-limits) in bad.yaml; good.yaml is clean.
const BAD = `apiVersion: v1
kind: Pod
metadata:
  name: bad
spec:
  serviceAccountName: bad
  containers:
    - name: app
      image: registry.local/app:1.0@sha256:4f5f2c2a6a4e1b1f9d0b54bc7b3e4d6e0c4a4f6b5d1a1f0e2c3b4a5d6e7f8a9b
      securityContext: { privileged: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true, seccompProfile: { type: RuntimeDefault }, capabilities: { drop: [ALL] } }
`;

const rulesOf = (stdout: string) => [...stdout.matchAll(/\[([a-z0-9-]+)\]$/gm)].map((m) => m[1]).sort();

describe('selecting what is reported', () => {
  it('--quiet reports errors only, and the exit code follows', async () => {
    const cwd = tempRepo({ 'bad.yaml': BAD });
    const all = await runCli(['-f', 'compact', '.'], cwd);
    expect(rulesOf(all.stdout)).toEqual(['container-no-limits', 'container-privileged']);
    const quiet = await runCli(['-f', 'compact', '--quiet', '.'], cwd);
    expect(rulesOf(quiet.stdout)).toEqual(['container-privileged']);
    expect(quiet.code).toBe(1);
  });

  it('--rule runs only the named rules, --disable-rule all but them; parse errors always show', async () => {
    const cwd = tempRepo({ 'bad.yaml': BAD, 'broken.yaml': 'a: [1, 2\n' });
    const only = await runCli(['-f', 'compact', '--rule', 'container-no-limits', '.'], cwd);
    expect(rulesOf(only.stdout)).toEqual(['container-no-limits', 'parse-error']);
    expect(only.code).toBe(1); // the parse error is an error
    const without = await runCli(['-f', 'compact', '--disable-rule', 'container-privileged,parse-error', '.'], cwd);
    expect(rulesOf(without.stdout)).toEqual(['container-no-limits', 'parse-error']);
  });

  it('an unknown rule id is a usage error with a suggestion', async () => {
    const cwd = tempRepo({ 'bad.yaml': BAD });
    const run = await runCli(['--rule', 'container-privilegd', '.'], cwd);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown rule "container-privilegd" (did you mean "container-privileged"?)');
  });

  it('--max-warnings fails a run whose warnings pass --fail-on but exceed the budget', async () => {
    const cwd = tempRepo({ 'bad.yaml': BAD });
    expect((await runCli(['--fail-on', 'none', '--max-warnings', '1', '.'], cwd)).code).toBe(0);
    const over = await runCli(['--fail-on', 'none', '--max-warnings', '0', '.'], cwd);
    expect(over.code).toBe(1);
    expect(over.stderr).toContain('1 warning, more than --max-warnings 0');
    expect((await runCli(['--max-warnings', 'many', '.'], cwd)).code).toBe(2);
  });
});

describe('the text summary', () => {
  it('counts the files with findings apart from the files scanned, and lists every rule with its page', async () => {
    const cwd = tempRepo({
      'bad.yaml': BAD,
      'good.yaml': secureDeployment('good'),
      'more.yaml': secureDeployment('more'),
    });
    const run = await runCli(['.'], cwd);
    expect(run.stdout).toContain('✖ 2 problems (1 error, 1 warning, 0 notes) in 1 file (3 files, 5 resources scanned)');
    expect(run.stdout).toMatch(
      /^ {2}container-no-limits {3}\s+1 {2}https:\/\/github\.com\/meshlint\/meshlint\/blob\/v\d+\.\d+\.\d+\/docs\/rules\/container-no-limits\.md$/m,
    );
    expect(run.stdout).toMatch(/^ {2}container-privileged\s+1 {2}https:/m);
  });
});

describe('files the CLI writes', () => {
  it('-o creates the folder of the report', async () => {
    const cwd = tempRepo({ 'bad.yaml': BAD });
    const run = await runCli(['-f', 'sarif', '-o', 'reports/deep/meshlint.sarif', '.'], cwd);
    expect(run.code).toBe(1);
    expect(JSON.parse(readFileSync(join(cwd, 'reports/deep/meshlint.sarif'), 'utf8')).version).toBe('2.1.0');
  });

  it('--write-baseline exits 0 with findings, and 2 when it cannot write', async () => {
    const cwd = tempRepo({ 'bad.yaml': BAD, file: 'not a folder' });
    expect((await runCli(['--write-baseline', 'b/base.json', '.'], cwd)).code).toBe(0);
    expect(existsSync(join(cwd, 'b/base.json'))).toBe(true);
    const blocked = await runCli(['--write-baseline', 'file/base.json', '.'], cwd);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toContain('cannot write file/base.json');
  });
});

describe('--explain', () => {
  it('prints the page without the generator comment', async () => {
    const run = await runCli(['--explain', 'container-privileged'], tempRepo({}));
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith('# container-privileged\n')).toBe(true);
    expect(run.stdout).not.toContain('<!--');
  });

  it('suggests the id a typo meant', async () => {
    const run = await runCli(['--explain', 'container-privilegd'], tempRepo({}));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('(did you mean "container-privileged"?)');
  });
});

describe('--print-config and --init', () => {
  it('print the severity and options every rule runs with for a file, and whether it is ignored', async () => {
    const cwd = tempRepo({
      '.meshlint.yaml':
        'rules:\n  container-no-limits: off\n  mtls-not-strict: warning\nignore:\n  - vendor/**\nmesh:\n  rootNamespace: mesh-root\n',
    });
    const kept = await runCli(['--print-config', 'k8s/app.yaml'], cwd);
    expect(kept.code).toBe(0);
    const config = JSON.parse(kept.stdout);
    expect(config).toMatchObject({
      file: 'k8s/app.yaml',
      configFile: '.meshlint.yaml',
      ignored: false,
      mesh: { rootNamespace: 'mesh-root', assumeInjected: false },
    });
    expect(config.rules['container-no-limits']).toEqual({ severity: 'off' });
    expect(config.rules['mtls-not-strict']).toEqual({ severity: 'warning' });
    expect(config.rules['container-privileged']).toEqual({ severity: 'error' });
    expect(Object.keys(config.rules)).toHaveLength(RULES.length);
    expect(JSON.parse((await runCli(['--print-config', 'vendor/lib/x.yaml'], cwd)).stdout).ignored).toBe(true);
  });

  it('--init infers the mesh settings from the repository and never overwrites a configuration', async () => {
    const cwd = tempRepo({
      '.meshlint.yml': '',
      'k8s/policy.yaml':
        'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: { name: default, namespace: shop }\nspec: { mtls: { mode: STRICT } }\n',
      'k8s/operator.yaml':
        'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: { name: mesh, namespace: istio-system }\nspec:\n  meshConfig:\n    rootNamespace: mesh-root\n',
    });
    const run = await runCli(['--init'], cwd);
    expect(run.code).toBe(0);
    const written = readFileSync(join(cwd, '.meshlint.yaml'), 'utf8');
    expect(written).toMatch(
      /^ {2}rootNamespace: mesh-root {3}# rootNamespace of the mesh config in IstioOperator istio-system\/mesh/m,
    );
    expect(written).toMatch(/^ {2}assumeInjected: true {3}# no Namespace objects, but 1 Istio resource/m);
    // The starter file is a valid configuration.
    expect((await runCli(['--config', '.meshlint.yaml', '--print-config', 'x.yaml'], cwd)).code).toBe(0);
    const again = await runCli(['--init'], cwd);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists already');
  });

  it('--init reads the root namespace from the istio ConfigMap, and not from an application ConfigMap named istio', async () => {
    const configMap = (namespace: string, root: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: istio, namespace: ${namespace} }\ndata:\n  mesh: |\n    rootNamespace: ${root}\n`;
    const cwd = tempRepo({
      '.meshlint.yml': '',
      'mesh.yaml': configMap('istio-system', 'root-from-mesh'),
      'app.yaml': configMap('shop', 'other'),
    });
    expect((await runCli(['--init'], cwd)).code).toBe(0);
    expect(readFileSync(join(cwd, '.meshlint.yaml'), 'utf8')).toMatch(
      /^ {2}rootNamespace: root-from-mesh {3}# rootNamespace of the mesh config in ConfigMap istio-system\/istio/m,
    );
  });
});

describe('annotations and the job summary', () => {
  const finding = (ruleId: string, i: number): Finding => ({
    ruleId,
    severity: 'error',
    message: `${ruleId} ${i}`,
    file: `f${i}.yaml`,
    path: [],
    related: [],
    fingerprint: `${ruleId}${i}`,
    range: { startLine: i + 1, startColumn: 1, endLine: i + 1, endColumn: 2 },
  });
  const rules = RULES.filter((r) =>
    ['container-privileged', 'container-mutable-image', 'mtls-not-strict'].includes(r.id),
  );
  const findings = [
    ...Array.from({ length: 12 }, (_, i) => finding('container-privileged', i)),
    finding('container-mutable-image', 20),
    ...Array.from({ length: 3 }, (_, i) => finding('mtls-not-strict', 30 + i)),
  ];

  it('share the ten error slots among the rules, most severe rule first', () => {
    const plan = planAnnotations({ findings, rules });
    const annotated = plan.annotations.map((a) => a.finding.ruleId);
    expect(annotated).toHaveLength(10);
    expect(new Set(annotated)).toEqual(new Set(['container-privileged', 'container-mutable-image', 'mtls-not-strict']));
    expect(annotated.filter((id) => id === 'mtls-not-strict')).toHaveLength(3);
    expect(plan.omitted.map((f) => f.ruleId)).toEqual(Array(6).fill('container-privileged'));
  });

  it('name the rules left out, and the SARIF file only when one was written', () => {
    const plan = planAnnotations({ findings, rules });
    const text = (sarifFile?: string) =>
      JSON.stringify(
        jobSummary(
          { findings, rules, stats: { files: 16, documents: 16, unreadDocuments: 0, resources: 16 } },
          { plan, sarifFile },
        ),
      );
    expect(text('meshlint.sarif')).toContain('Not annotated: container-privileged (6)');
    expect(text('meshlint.sarif')).toContain('the SARIF report meshlint.sarif has them all');
    expect(text(undefined)).not.toContain('SARIF');
  });
});

describe('privileged workloads (sanity of the fixture helpers)', () => {
  it('are errors', async () => {
    const cwd = tempRepo({ 'db.yaml': privilegedDeployment('db').text });
    expect((await runCli(['-f', 'compact', '.'], cwd)).stdout).toContain('[container-privileged]');
  });
});

describe('added lines of a diff', () => {
  it('are read from the hunk headers of git diff -U0, per file', async () => {
    const { parseAddedLines, touchesAddedLine } = await import('../src/git.js');
    const diff = [
      'diff --git a/k8s/a.yaml b/k8s/a.yaml',
      '--- a/k8s/a.yaml',
      '+++ b/k8s/a.yaml',
      '@@ -3,0 +4,2 @@ spec:',
      '+  a: 1',
      '+  b: 2',
      '@@ -10 +12 @@',
      '-x',
      '+y',
      '@@ -20,3 +23,0 @@',
      '-gone',
      'diff --git a/new.yaml b/new.yaml',
      '--- /dev/null',
      '+++ b/new.yaml',
      '@@ -0,0 +1,3 @@',
      '+a',
      '+b',
      '+c',
    ].join('\n');
    const added = parseAddedLines(diff);
    expect(added.get('k8s/a.yaml')).toEqual([
      [4, 5],
      [12, 12],
    ]);
    expect(added.get('new.yaml')).toEqual([[1, 3]]);
    expect(touchesAddedLine({ startLine: 5, endLine: 5 }, added.get('k8s/a.yaml'))).toBe(true);
    expect(touchesAddedLine({ startLine: 6, endLine: 11 }, added.get('k8s/a.yaml'))).toBe(false);
    expect(touchesAddedLine({ startLine: 11, endLine: 13 }, added.get('k8s/a.yaml'))).toBe(true);
    expect(touchesAddedLine({ startLine: 1, endLine: 1 }, undefined)).toBe(false);
  });
});

describe('paths', () => {
  it('are relative to the working directory in text and compact, and to the repository root in SARIF, GitLab and GitHub', async () => {
    const { mkdirSync } = await import('node:fs');
    const repo = tempRepo({ 'k8s/db.yaml': privilegedDeployment('db').text });
    mkdirSync(join(repo, '.git'));
    mkdirSync(join(repo, 'tools'));
    const fromSibling = await runCli(['-f', 'compact', '../k8s'], join(repo, 'tools'));
    expect(fromSibling.stdout).toMatch(/^\.\.\/k8s\/db\.yaml:\d+:\d+: error: /m);
    const inside = join(repo, 'k8s');
    expect((await runCli(['-f', 'compact', '.'], inside)).stdout).toMatch(/^db\.yaml:\d+/m);
    const gitlab = JSON.parse((await runCli(['-f', 'gitlab', '.'], inside)).stdout) as { location: { path: string } }[];
    expect(gitlab.map((i) => i.location.path)).toContain('k8s/db.yaml');
    const sarif = JSON.parse((await runCli(['-f', 'sarif', '.'], inside)).stdout);
    expect(sarif.runs[0].originalUriBaseIds['%SRCROOT%'].uri).toBe(`file://${repo}/`);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({
      uri: 'k8s/db.yaml',
      uriBaseId: '%SRCROOT%',
    });
    expect((await runCli(['-f', 'github', '.'], inside)).stdout).toContain('file=k8s/db.yaml,');
  });

  it.each(FORMATS)(
    'inside notices and messages are those of the findings (%s): a kustomization, a Helm chart, a build',
    async (format) => {
      const { mkdirSync } = await import('node:fs');
      const pod = (name: string) =>
        `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  hostPID: true\n  containers:\n    - name: app\n      image: nginx\n`;
      const repo = tempRepo({
        'shop/broken/kustomization.yaml': 'resources:\n  - pod.yaml\npatches:\n  - path: patch.yaml\n',
        'shop/broken/patch.yaml':
          'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nope\nspec:\n  replicas: 2\n',
        'shop/broken/pod.yaml': pod('a'),
        'shop/chart/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
        'shop/built/kustomization.yaml': 'resources:\n  - pod.yaml\n',
        'shop/built/pod.yaml': pod('b'),
      });
      mkdirSync(join(repo, '.git'));
      mkdirSync(join(repo, 'tools'));
      const { stdout, stderr } = await runCli(['-f', format, '--no-config', '../shop'], join(repo, 'tools'));
      // The formats of tools name files from the repository root; the others from the working directory.
      const base = ['sarif', 'gitlab', 'github'].includes(format) ? 'shop/' : '../shop/';
      const output = `${stdout}\n${stderr}`.replaceAll('\\/', '/');
      expect(stderr).toContain(
        `meshlint: notice: ${base}broken/kustomization.yaml: kustomization ${base}broken could not`,
      );
      expect(stderr).toContain(
        `meshlint: notice: ${base}chart/Chart.yaml: Helm chart ${base}chart is not rendered by meshlint, so its templates are not linted: render it (helm template ${base}chart | meshlint -)`,
      );
      if (format !== 'html') expect(stdout).toContain(`${base}built/pod.yaml`);
      expect(stdout).toContain(`(built by ${base}built)`);
      if (base === 'shop/') expect(output).not.toContain('../shop');
      else expect(output.match(/(?<![./])shop\//g) ?? []).toEqual([]);
      if (format === 'sarif') {
        const notes = JSON.parse(stdout).runs[0].invocations[0].toolExecutionNotifications.map(
          (n: { message: { text: string } }) => n.message.text,
        );
        expect(notes).toContain(
          'shop/broken/kustomization.yaml: kustomization shop/broken could not be built (patch for Deployment nope: no such resource): its files are linted as plain manifests',
        );
      }
    },
  );
});

describe('--staged', () => {
  const namespace =
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: { istio-injection: enabled }\n';
  const strict =
    'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: { name: default, namespace: shop }\nspec: { mtls: { mode: STRICT } }\n';
  const inShop = (text: string) =>
    text.replaceAll('metadata:\n  name: web\n', 'metadata:\n  name: web\n  namespace: shop\n');

  it('judges what the commit will contain: untracked files and unstaged changes do not count', async () => {
    const { execFileSync } = await import('node:child_process');
    const { writeFileSync } = await import('node:fs');
    const repo = tempRepo({ 'k8s/namespace.yaml': namespace });
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: repo,
        encoding: 'utf8',
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@e',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@e',
        },
      });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'base');
    writeFileSync(join(repo, 'k8s/web.yaml'), inShop(secureDeployment('web')));
    git('add', 'k8s/web.yaml');
    writeFileSync(join(repo, 'strict.yaml'), strict); // untracked: not part of the commit

    const worktree = await runCli(['-f', 'compact', '--context', '.', 'k8s/web.yaml'], repo);
    expect(rulesOf(worktree.stdout)).toEqual([]); // the untracked policy makes the working tree look fine
    const staged = await runCli(['-f', 'compact', '--staged', '--context', '.', 'k8s/web.yaml'], repo);
    expect(rulesOf(staged.stdout)).toEqual(['mtls-not-strict']);
    expect(staged.stdout).toMatch(/^k8s\/web\.yaml:\d+:\d+: error: /m);

    // Staged privileged, then fixed in the working tree only: the commit still holds the privileged container.
    writeFileSync(join(repo, 'k8s/web.yaml'), inShop(privilegedDeployment('web').text));
    git('add', 'k8s/web.yaml');
    writeFileSync(join(repo, 'k8s/web.yaml'), inShop(secureDeployment('web')));
    const unstaged = await runCli(
      ['-f', 'compact', '--staged', '--context', '.', join(repo, 'k8s/web.yaml')],
      join(repo, 'k8s'),
    );
    expect(rulesOf(unstaged.stdout)).toContain('container-privileged');
    expect(unstaged.stdout).toMatch(/^web\.yaml:\d+:\d+: error: .*\[container-privileged\]$/m);
    expect(unstaged.code).toBe(1);
  });

  it('builds kustomizations from the index, generator sources included', async () => {
    const { execFileSync } = await import('node:child_process');
    const repo = tempRepo({
      'base/kustomization.yaml':
        'resources:\n  - web.yaml\nconfigMapGenerator:\n  - name: web\n    envs:\n      - web.env\n',
      'base/web.env': 'MODE=server\n',
      'base/web.yaml': secureDeployment('web'),
      'prod/Kustomization': 'resources:\n  - ../base\npatches:\n  - path: privileged.yaml\n',
      'prod/privileged.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          securityContext:\n            privileged: true\n',
    });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
    git('init', '-q');
    git('add', '-A');
    const staged = await runCli(['-f', 'compact', '--staged', '--context', '.', 'prod/privileged.yaml'], repo);
    expect(staged.stderr).not.toContain('could not be built');
    expect(rulesOf(staged.stdout)).toEqual(['container-privileged']);
    expect(staged.stdout).toMatch(
      /^prod\/privileged\.yaml:11:\d+: error: .*\(built by prod\) \[container-privileged\]$/m,
    );
  });

  it('outside a git repository is a usage error', async () => {
    const run = await runCli(['--staged', '.'], tempRepo({ 'a.yaml': secureDeployment('a') }));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--staged: not inside a git repository');
  });
});

describe('suppressions naming an unknown rule', () => {
  it('are reported in the annotation form as in the comment form, each with the id it most likely meant', async () => {
    const pod = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: p',
      '  annotations:',
      '    meshlint.io/ignore: "container-privileged,workload-defualt-service-account"',
      'spec:',
      '  # meshlint-disable-next-line container-priviledged -- reviewed',
      '  hostPID: true',
      '  containers: []',
      '',
    ].join('\n');
    const result = await runCli(
      ['-f', 'json', '--rule', 'suppression-unknown-rule', 'p.yaml'],
      tempRepo({ 'p.yaml': pod }),
    );
    const findings = (JSON.parse(result.stdout) as { findings: { ruleId: string; line: number; message: string }[] })
      .findings;
    expect(findings.map((f) => [f.ruleId, f.line, f.message])).toEqual([
      [
        'suppression-unknown-rule',
        6,
        'Suppression names unknown rule "workload-defualt-service-account" (did you mean "workload-default-service-account"?); it suppresses nothing. Check the id with meshlint --list-rules.',
      ],
      [
        'suppression-unknown-rule',
        8,
        'Suppression names unknown rule "container-priviledged" (did you mean "container-privileged"?); it suppresses nothing. Check the id with meshlint --list-rules.',
      ],
    ]);
  });
});

describe('code frames in the text format', () => {
  const pod =
    'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: n}\nspec:\n  serviceAccountName: p\n  containers:\n    - name: a\n      image: reg.local/a@sha256:4f5f2c2a6a4e1b1f9d0b54bc7b3e4d6e0c4a4f6b5d1a1f0e2c3b4a5d6e7f8a9b0\n      securityContext:\n        privileged: true\n';

  it('shows the line with the range underlined and the rule documentation link; --no-code-frame turns the frame off', async () => {
    const cwd = tempRepo({ 'p.yaml': pod });
    const on = await runCli(['--no-config', '--rule', 'container-privileged', 'p.yaml'], cwd);
    const lines = on.stdout.split('\n');
    const at = lines.findIndex((l) => l.includes('container-privileged') && l.includes('10:9'));
    expect(lines.slice(at + 1, at + 4)).toEqual([
      '     10 |         privileged: true',
      '        |         ^^^^^^^^^^^^^^^^',
      `        = https://github.com/meshlint/meshlint/blob/v${JSON.parse(readFileSync('package.json', 'utf8')).version}/docs/rules/container-privileged.md`,
    ]);
    const off = await runCli(['--no-config', '--rule', 'container-privileged', '--no-code-frame', 'p.yaml'], cwd);
    expect(off.stdout).not.toContain(' | ');
    expect(off.stdout).not.toContain('^^^');
    expect(off.stdout).toContain('container-privileged');
  });

  it('masks the line of a parse error, underlines to the end of the line for a range that goes on, and frames a reused --cache result', async () => {
    const tabbed = tempRepo({ 'p.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n\tcontainers: []\n' });
    const parse = await runCli(['--no-config', 'p.yaml'], tabbed);
    expect(parse.stdout).toContain(`     5 | ${REDACTED_LINE}\n`);
    const block = tempRepo({
      'c.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    meshlint.io/ignore: >-\n      container-privilegd\n',
    });
    const folded = await runCli(['--no-config', '--rule', 'suppression-unknown-rule', 'c.yaml'], block);
    expect(folded.stdout).toMatch(/ 6 \| {5}meshlint\.io\/ignore: >-\n {7}\| {25}\^\^\n/);
    const cwd = tempRepo({ 'p.yaml': pod });
    const first = await runCli(['--no-config', '--cache', '--rule', 'container-privileged', 'p.yaml'], cwd);
    const second = await runCli(['--no-config', '--cache', '--rule', 'container-privileged', 'p.yaml'], cwd);
    expect(first.stdout).toContain('^^^^^^^^^^^^^^^^');
    expect(second.stdout).toBe(first.stdout);
  });
});
