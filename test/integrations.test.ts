// The integration surfaces of the CLI: --context (changed files judged against the whole repository),
// --format github (workflow commands), --format gitlab (code quality report), baselines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { RULES } from '../rules/index.js';
import { createBaseline, formatBaseline, parseBaseline } from '../src/baseline.js';
import { defineRule, inFamily, yaml } from '../src/engine/rule.js';
import type { Finding } from '../src/engine/run.js';
import { obj } from '../src/model/values.js';
import { escapeData, escapeProperty, formatGithub, planAnnotations } from '../src/report/github.js';
import { gitlabSeverity } from '../src/report/gitlab.js';
import { changedManifests, pullRequestBase } from '../src/git.js';
import { scan } from '../src/scan.js';
import { privilegedDeployment, runCli, secureDeployment, tempRepo, writeFiles } from './helpers.js';

// A cross-file rule for the test: a Policy whose selector matches no workload of its namespace.
const orphanPolicy = inFamily(
  'test',
  defineRule({
    id: 'test-orphan-policy',
    title: 'Policies must select a workload',
    severity: 'error',
    securitySeverity: 5,
    tags: ['security'],
    description:
      'Test rule: reports a Policy whose selector matches no workload in its namespace (needs the whole repository).',
    remediation: 'Fix the selector.',
    messages: { orphan: '{{resource}} selects no workload.' },
    examples: { invalid: {}, valid: {} },
    check({ graph, report }) {
      for (const policy of graph.ofKind('Policy')) {
        const selector = obj(obj(policy.body.spec).selector);
        if (graph.selectWorkloads(policy.namespace, selector).length === 0)
          report({ resource: policy, path: ['spec', 'selector'], messageId: 'orphan' });
      }
    },
  }),
);

const policy = (app: string) => yaml`
  apiVersion: test.meshlint.io/v1
  kind: Policy
  metadata:
    name: allow-${app}
  spec:
    selector:
      matchLabels: { app: ${app} }
`;

describe('--context <dir> <files...>', () => {
  const repo = () =>
    tempRepo({
      'policies/web.yaml': policy('web'),
      'policies/ghost.yaml': policy('ghost'),
      'apps/web.yaml': secureDeployment('web'),
      'apps/db.yaml': privilegedDeployment('db').text,
    });

  it('links the whole context into the graph: a policy staged alone is judged against workloads in other files', async () => {
    const cwd = repo();
    const rules = [orphanPolicy];
    const alone = await scan({ cwd, paths: ['policies/web.yaml'], rules, configPath: false });
    expect(alone.findings.map((f) => f.ruleId)).toEqual(['test-orphan-policy']);
    const inContext = await scan({ cwd, paths: ['.'], reportOnly: ['policies/web.yaml'], rules, configPath: false });
    expect(inContext.findings).toEqual([]);
    expect(inContext.stats.files).toBe(4);
    const orphan = await scan({
      cwd,
      paths: ['.'],
      reportOnly: ['policies/ghost.yaml', 'policies/web.yaml'],
      rules,
      configPath: false,
    });
    expect(orphan.findings.map((f) => `${f.file}:${f.ruleId}`)).toEqual(['policies/ghost.yaml:test-orphan-policy']);
  });

  it('reports only findings in the given files (CLI)', async () => {
    const cwd = repo();
    const all = await runCli(['--format', 'compact', '.'], cwd);
    expect(all.stdout).toContain('apps/db.yaml:');
    const onlyWeb = await runCli(['--format', 'compact', '--context', '.', 'apps/web.yaml', 'policies/web.yaml'], cwd);
    expect(onlyWeb).toMatchObject({ code: 0, stdout: '' });
    const onlyDb = await runCli(['--format', 'compact', '--context', '.', './apps/db.yaml'], cwd);
    expect(onlyDb.code).toBe(1);
    expect(
      onlyDb.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(':')[0]),
    ).toEqual(['apps/db.yaml']);
    expect(onlyDb.stdout).toContain('[container-privileged]');
  });

  it('reports nothing without files, honours the config ignore inside the context, scans files outside it', async () => {
    const cwd = repo();
    writeFiles(cwd, {
      '.meshlint.yaml': 'ignore:\n  - apps/db.yaml\n',
      'outside/x.yaml': privilegedDeployment('x').text,
    });
    expect(await runCli(['--format', 'compact', '--context', 'apps'], cwd)).toMatchObject({ code: 0, stdout: '' });
    expect(await runCli(['--format', 'compact', '--context', 'apps', 'apps/db.yaml'], cwd)).toMatchObject({
      code: 0,
      stdout: '',
    });
    const outside = await runCli(['--format', 'compact', '--context', 'apps', 'outside/x.yaml'], cwd);
    expect(outside.code).toBe(1);
    expect(outside.stdout).toMatch(/^outside\/x\.yaml:\d+:\d+: error: .*\[container-privileged\]$/m);
  });

  it('accepts absolute file paths (lint-staged passes them) and reports them relative to the working directory', async () => {
    const cwd = repo();
    const { code, stdout } = await runCli(['--format', 'compact', '--context', '.', join(cwd, 'apps/db.yaml')], cwd);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^apps\/db\.yaml:\d+:\d+: error: /);
  });

  it('reports everything under a directory given as a file to report', async () => {
    const cwd = repo();
    writeFiles(cwd, { 'outside/x.yaml': privilegedDeployment('x').text });
    const apps = await runCli(['--format', 'compact', '--context', '.', 'apps'], cwd);
    expect(
      new Set(
        apps.stdout
          .trim()
          .split('\n')
          .map((l) => l.split(':')[0]),
      ),
    ).toEqual(new Set(['apps/db.yaml']));
    const outside = await runCli(['--format', 'compact', '--context', 'apps', 'outside/'], cwd);
    expect(
      new Set(
        outside.stdout
          .trim()
          .split('\n')
          .map((l) => l.split(':')[0]),
      ),
    ).toEqual(new Set(['outside/x.yaml']));
  });

  it('refuses standard input with exit code 2', async () => {
    const result = await runCli(['--context', '.', '-'], tempRepo({}), 'kind: Pod\n');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--context');
  });
});

describe('changed files for changed-only (src/git.ts)', () => {
  it('takes the base from the event payload, else origin/$GITHUB_BASE_REF', () => {
    const dir = tempRepo({
      'pr.json': JSON.stringify({ pull_request: { base: { sha: 'c'.repeat(40) } } }),
      'bad.json': JSON.stringify({ pull_request: { base: { sha: '--output=x' } } }),
      'broken.json': '{',
    });
    expect(pullRequestBase({ GITHUB_EVENT_PATH: join(dir, 'pr.json'), GITHUB_BASE_REF: 'main' })).toBe('c'.repeat(40));
    expect(pullRequestBase({ GITHUB_EVENT_PATH: join(dir, 'bad.json'), GITHUB_BASE_REF: 'main' })).toBe('origin/main');
    expect(pullRequestBase({ GITHUB_EVENT_PATH: join(dir, 'broken.json'), GITHUB_BASE_REF: 'release/1.x' })).toBe(
      'origin/release/1.x',
    );
    expect(pullRequestBase({ GITHUB_EVENT_PATH: join(dir, 'missing.json') })).toBeUndefined();
    expect(pullRequestBase({})).toBeUndefined();
  });

  it('keeps the changed manifests inside the scanned paths', () => {
    const changed = [
      'k8s/a.yaml',
      'k8s/b.yml',
      'k8s/c.json',
      'k8s/README.md',
      'k8s/x.YAML',
      'docs/d.yaml',
      'istio/gw.yaml',
      'k8s-old/e.yaml',
    ];
    expect(changedManifests(changed, ['k8s', 'istio/gw.yaml'], '/repo')).toEqual([
      'k8s/a.yaml',
      'k8s/b.yml',
      'k8s/c.json',
      'istio/gw.yaml',
    ]);
    expect(changedManifests(changed, ['.'], '/repo')).toEqual([
      'k8s/a.yaml',
      'k8s/b.yml',
      'k8s/c.json',
      'docs/d.yaml',
      'istio/gw.yaml',
      'k8s-old/e.yaml',
    ]);
  });
});

describe('--format github', () => {
  it('prints workflow commands with file, line, endLine, col, endColumn and the rule id as title', async () => {
    const cwd = tempRepo({ 'deploy/db.yaml': privilegedDeployment('db').text });
    const { line } = privilegedDeployment('db');
    const { code, stdout } = await runCli(['--format', 'github', '.'], cwd);
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^::error file=deploy/db\\.yaml,line=${line},endLine=${line},col=\\d+,endColumn=\\d+,title=container-privileged::Container "app" of Deployment default/db runs privileged`,
      ),
    );
    const json = JSON.parse((await runCli(['--format', 'json', '.'], cwd)).stdout) as {
      findings: { column: number; endColumn: number }[];
    };
    expect(lines[0]).toContain(`col=${json.findings[0].column},endColumn=${json.findings[0].endColumn},`);
  });

  it('escapes data and properties as the runner un-escapes them', () => {
    expect(escapeData('100% done\r\nnext: a,b')).toBe('100%25 done%0D%0Anext: a,b');
    expect(escapeProperty('dir,x/a:b%.yaml\n')).toBe('dir%2Cx/a%3Ab%25.yaml%0A');
    const finding = fakeFinding({ file: 'we,ird:dir/100%.yaml', message: 'line one\nline two 50%' });
    expect(formatGithub({ findings: [finding], rules: RULES })).toBe(
      '::error file=we%2Cird%3Adir/100%25.yaml,line=3,endLine=3,col=5,endColumn=9,title=container-privileged::line one%0Aline two 50%25\n',
    );
  });

  it('omits columns on a multi-line range (GitHub ignores them there)', () => {
    const finding = fakeFinding({ range: { startLine: 3, startColumn: 5, endLine: 6, endColumn: 2 } });
    expect(formatGithub({ findings: [finding], rules: RULES })).toMatch(
      /^::error file=x\.yaml,line=3,endLine=6,title=container-privileged::/,
    );
  });

  it('annotates the most severe first, at most 10 per level, and lists the rest in the log', () => {
    const findings: Finding[] = [];
    for (let i = 1; i <= 14; i++)
      findings.push(fakeFinding({ severity: 'note', ruleId: 'suppression-without-reason', line: i }));
    for (let i = 1; i <= 12; i++)
      findings.push(fakeFinding({ severity: 'warning', ruleId: 'container-no-limits', line: 100 + i }));
    for (let i = 1; i <= 11; i++)
      findings.push(
        fakeFinding({
          severity: 'error',
          ruleId: i % 2 ? 'container-writable-rootfs' : 'container-privileged',
          line: 200 + i,
        }),
      );
    findings.push(fakeFinding({ severity: 'error', ruleId: 'container-privileged', line: 999, suppressed: true }));
    const plan = planAnnotations({ findings, rules: RULES });
    expect(plan.annotations.map((a) => a.level)).toEqual([
      ...Array(10).fill('error'),
      ...Array(10).fill('warning'),
      ...Array(10).fill('notice'),
    ]);
    // container-privileged (security severity 9) before container-writable-rootfs (6): all 5 privileged ones come first.
    expect(plan.annotations.slice(0, 5).map((a) => a.properties.title)).toEqual(Array(5).fill('container-privileged'));
    expect(plan.annotations.slice(0, 5).map((a) => a.properties.startLine)).toEqual([202, 204, 206, 208, 210]);
    expect(plan.omitted.map((f) => `${f.severity}:${f.range.startLine}`)).toEqual([
      'error:211',
      'warning:111',
      'warning:112',
      'note:11',
      'note:12',
      'note:13',
      'note:14',
    ]);
    const out = formatGithub({ findings, rules: RULES }).trimEnd().split('\n');
    expect(out.filter((l) => l.startsWith('::'))).toHaveLength(30);
    expect(out[30]).toBe(
      'meshlint: 7 more findings (1 error, 2 warnings and 4 notes) not annotated: GitHub shows at most 10 annotations of each severity per step.',
    );
    expect(out.slice(31)).toHaveLength(7);
    expect(out[31]).toBe('  x.yaml:211:5: error: msg [container-writable-rootfs]');
  });
});

describe('--format gitlab', () => {
  // Written from GitLab's documented fields (docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format):
  // an array of issues; description, check_name, fingerprint (unique), severity (info|minor|major|critical|blocker),
  // location.path (relative), location.lines.begin (or location.positions.begin.line; we emit lines).
  const schema = {
    type: 'array',
    items: {
      type: 'object',
      required: ['description', 'check_name', 'fingerprint', 'severity', 'location'],
      properties: {
        description: { type: 'string', minLength: 1 },
        check_name: { type: 'string', minLength: 1 },
        fingerprint: { type: 'string', pattern: '^[0-9a-f]{32}$' },
        severity: { enum: ['info', 'minor', 'major', 'critical', 'blocker'] },
        location: {
          type: 'object',
          required: ['path', 'lines'],
          properties: {
            path: { type: 'string', pattern: '^(?!/)(?!\\./)[^\\\\]+$' },
            lines: {
              type: 'object',
              required: ['begin'],
              properties: { begin: { type: 'integer', minimum: 1 } },
              additionalProperties: false,
            },
          },
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    },
    uniqueItems: true,
  };

  it('is a code quality report GitLab accepts, with unique fingerprints', async () => {
    const cwd = tempRepo({
      'deploy/db.yaml': privilegedDeployment('db').text,
      'deploy/web.yaml': secureDeployment('web'),
      'deploy/broken.yaml': 'a: [\n---\nb: {\n',
      'deploy/sup.yaml': suppressedAt(privilegedDeployment('s')),
    });
    const { code, stdout } = await runCli(['--format', 'gitlab', '.'], cwd);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as {
      check_name: string;
      fingerprint: string;
      severity: string;
      location: { path: string };
    }[];
    const validate = new Ajv({ allErrors: true }).compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(new Set(report.map((i) => i.fingerprint)).size).toBe(report.length);
    expect(
      report.find((i) => i.check_name === 'container-privileged' && i.location.path === 'deploy/db.yaml')?.severity,
    ).toBe('blocker');
    expect(report.some((i) => i.location.path === 'deploy/web.yaml')).toBe(false);
    expect(report.filter((i) => i.location.path === 'deploy/broken.yaml').length).toBeGreaterThan(1);
    // The suppressed finding is not in the report; the suppression without a reason is (as info).
    expect(
      report.filter((i) => i.location.path === 'deploy/sup.yaml').map((i) => `${i.check_name}:${i.severity}`),
    ).toContain('suppression-without-reason:info');
    expect(report.some((i) => i.location.path === 'deploy/sup.yaml' && i.check_name === 'container-privileged')).toBe(
      false,
    );
    expect(JSON.parse((await runCli(['--format', 'gitlab', 'deploy/web.yaml'], cwd)).stdout)).toEqual([]);
  });

  it('maps severities: note info, warning minor, error major, critical with high and blocker with critical security severity', () => {
    expect(['note', 'warning', 'error'].map((s) => gitlabSeverity(s as Finding['severity'], 5))).toEqual([
      'info',
      'minor',
      'major',
    ]);
    expect([6.9, 7, 8.9, 9, 10].map((n) => gitlabSeverity('error', n))).toEqual([
      'major',
      'critical',
      'critical',
      'blocker',
      'blocker',
    ]);
    expect(gitlabSeverity('warning', 9.5)).toBe('minor');
  });
});

describe('baselines', () => {
  it('keep accepted findings quiet after lines are inserted above them, and still report a new finding', async () => {
    const before = privilegedDeployment('db');
    const cwd = tempRepo({ 'deploy/db.yaml': before.text, 'deploy/web.yaml': secureDeployment('web') });
    const first = await runCli(['--format', 'compact', '--write-baseline', 'meshlint-baseline.json', '.'], cwd);
    // Writing a baseline accepts the findings: an adoption script under `set -e` goes on.
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`deploy/db.yaml:${before.line}:`);
    const baselineText = readFileSync(join(cwd, 'meshlint-baseline.json'), 'utf8');
    expect(parseBaseline(baselineText, 'b').findings.map((e) => e.ruleId)).toEqual(['container-privileged']);

    // Unchanged: nothing to report.
    expect(await runCli(['--format', 'compact', '--baseline', 'meshlint-baseline.json', '.'], cwd)).toMatchObject({
      code: 0,
      stdout: '',
    });

    // Ten lines inserted above the finding: it moved, it is still the accepted one.
    const moved = privilegedDeployment('db', 10);
    expect(moved.line).toBe(before.line + 10);
    writeFiles(cwd, { 'deploy/db.yaml': moved.text });
    const withoutBaseline = await runCli(['--format', 'compact', '.'], cwd);
    expect(withoutBaseline.stdout).toContain(`deploy/db.yaml:${moved.line}:`);
    const afterMove = await runCli(['--format', 'compact', '--baseline', 'meshlint-baseline.json', '.'], cwd);
    expect(afterMove).toMatchObject({ code: 0, stdout: '' });
    expect(afterMove.stderr).toContain('1 finding recorded in the baseline meshlint-baseline.json not reported');

    // A new finding (another workload made privileged) is reported; the accepted one still is not.
    writeFiles(cwd, { 'deploy/web.yaml': privilegedDeployment('web').text });
    const withNew = await runCli(['--format', 'compact', '--baseline', 'meshlint-baseline.json', '.'], cwd);
    expect(withNew.code).toBe(1);
    expect(withNew.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^deploy\/web\.yaml:\d+:\d+: error: .*\[container-privileged\]$/),
    ]);
  });

  it('regenerated over itself, keeps the accepted findings that remain, drops the fixed ones, accepts the new ones', async () => {
    const cwd = tempRepo({
      'a.yaml': privilegedDeployment('a').text,
      'b.yaml': privilegedDeployment('b').text,
      'c.yaml': secureDeployment('c'),
    });
    await runCli(['--write-baseline', 'b.json', '.'], cwd);
    const files = () =>
      (JSON.parse(readFileSync(join(cwd, 'b.json'), 'utf8')) as { findings: { file: string }[] }).findings.map(
        (e) => e.file,
      );
    expect(files()).toEqual(['a.yaml', 'b.yaml']);
    writeFiles(cwd, { 'b.yaml': secureDeployment('b'), 'c.yaml': privilegedDeployment('c').text });
    const run = await runCli(['--format', 'compact', '--baseline', 'b.json', '--write-baseline', 'b.json', '.'], cwd);
    expect(run.stdout).toMatch(/^c\.yaml:/); // reported against the old baseline
    expect(files()).toEqual(['a.yaml', 'c.yaml']);
  });

  it('holds only rule ids, files, fingerprints and counts: no message text, no values', async () => {
    const secret = 'c3VwZXItc2VjcmV0LXBhc3N3b3Jk';
    const cwd = tempRepo({
      'deploy/db.yaml': privilegedDeployment('db').text.replace(
        'name: app',
        `name: app\n          env: [{ name: PASSWORD, value: ${secret} }]`,
      ),
      'deploy/broken.yaml': `password: ${secret}\nx: [\n`,
    });
    await runCli(['--write-baseline', 'b.json', '.'], cwd);
    const text = readFileSync(join(cwd, 'b.json'), 'utf8');
    const baseline = JSON.parse(text) as { formatVersion: number; tool: string; findings: Record<string, unknown>[] };
    expect(Object.keys(baseline)).toEqual(['formatVersion', 'tool', 'findings']);
    expect(baseline.findings.length).toBeGreaterThan(1);
    for (const entry of baseline.findings)
      expect(Object.keys(entry)).toEqual(['ruleId', 'file', 'fingerprint', 'count']);
    expect(text).not.toContain(secret);
    expect(text).not.toMatch(/privileged \(|Container "app"|PASSWORD|message/);
  });

  it('counts findings that share a fingerprint: one more than recorded is new', () => {
    const a = fakeFinding({ line: 1 });
    const b = fakeFinding({ line: 9 });
    const baseline = createBaseline([a]);
    expect(baseline.findings).toEqual([{ ruleId: a.ruleId, file: a.file, fingerprint: a.fingerprint, count: 1 }]);
    expect(createBaseline([a, b]).findings[0].count).toBe(2);
    expect(parseBaseline(formatBaseline(createBaseline([a, b])), 'x')).toEqual(createBaseline([a, b]));
  });

  it('rejects a file that is not a baseline with exit code 2', async () => {
    const cwd = tempRepo({ 'a.yaml': secureDeployment('a'), 'bad.json': '{"findings": 3}', 'broken.json': '{' });
    for (const file of ['bad.json', 'broken.json', 'missing.json']) {
      const result = await runCli(['--baseline', file, '.'], cwd);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`baseline error: ${file}`);
    }
  });
});

/** The text with a reason-less suppression comment above the privileged line. */
function suppressedAt({ text, line }: { text: string; line: number }): string {
  const lines = text.split('\n');
  lines.splice(line - 1, 0, '          # meshlint-disable-next-line container-privileged');
  return lines.join('\n');
}

function fakeFinding(f: {
  file?: string;
  message?: string;
  line?: number;
  severity?: Finding['severity'];
  ruleId?: string;
  range?: Finding['range'];
  suppressed?: boolean;
}): Finding {
  const line = f.line ?? 3;
  return {
    ruleId: f.ruleId ?? 'container-privileged',
    severity: f.severity ?? 'error',
    message: f.message ?? 'msg',
    file: f.file ?? 'x.yaml',
    range: f.range ?? { startLine: line, startColumn: 5, endLine: line, endColumn: 9 },
    path: [],
    related: [],
    fingerprint: 'f'.repeat(32),
    ...(f.suppressed ? { suppression: { via: 'comment' as const } } : {}),
  };
}
