// The Action as the runner runs it: `node dist/action.mjs` (the committed bundle action.yml names) in a simulated
// Actions environment: INPUT_* variables with action.yml's defaults, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
// GITHUB_WORKSPACE (a temporary repository, also the working directory) and for changed-only a git history and
// an event payload. Asserts on the workflow commands printed, the outputs file, the summary and the exit code.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { privilegedDeployment, secureDeployment, tempRepo, writeFiles } from './helpers.js';

const BUNDLE = resolve('dist/action.mjs');
const actionYml = parse(readFileSync('action.yml', 'utf8')) as {
  runs: { using: string; main: string };
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
};

interface Run {
  code: number | null;
  stdout: string;
  commands: string[];
  outputs: Record<string, string>;
  summary: string;
  workspace: string;
}

function runAction(workspace: string, inputs: Record<string, string> = {}, env: Record<string, string> = {}): Run {
  const dir = mkdtempSync(join(tmpdir(), 'meshlint-runner-'));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const inputEnv: Record<string, string> = {};
  for (const [name, spec] of Object.entries(actionYml.inputs))
    inputEnv[`INPUT_${name.toUpperCase()}`] = spec.default ?? '';
  for (const [name, value] of Object.entries(inputs)) inputEnv[`INPUT_${name.toUpperCase()}`] = value;
  const child = spawnSync(process.execPath, [BUNDLE], {
    cwd: workspace,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: 'a'.repeat(40),
      ...inputEnv,
      ...env,
    },
  });
  expect(child.stderr, 'nothing on stderr').toBe('');
  return {
    code: child.status,
    stdout: child.stdout,
    commands: child.stdout.split('\n').filter((l) => l.startsWith('::')),
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    workspace,
  };
}

/** The GITHUB_OUTPUT file: `name<<delimiter`, value lines, `delimiter` (what @actions/core writes). */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]);
    if (!m) continue;
    const end = lines.indexOf(m[2], i + 1);
    outputs[m[1]] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return outputs;
}

/** `::error title=...,file=...::message` -> level, properties, message (un-escaped). */
function parseCommand(line: string): { level: string; props: Record<string, string>; message: string } {
  const m = /^::(\w+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!m) throw new Error(`not a workflow command: ${line}`);
  const unescape = (s: string) =>
    s.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
  const props = Object.fromEntries(
    (m[2] ?? '')
      .split(',')
      .filter(Boolean)
      .map((p) => {
        const [k, ...v] = p.split('=');
        return [k, unescape(v.join('='))];
      }),
  );
  return { level: m[1], props, message: unescape(m[3]) };
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  }).trim();
}

describe('action.yml', () => {
  it('runs the committed bundle on node24 and declares the contract inputs and outputs', () => {
    expect(actionYml.runs).toEqual({ using: 'node24', main: 'dist/action.mjs' });
    expect(existsSync(actionYml.runs.main)).toBe(true);
    expect(Object.keys(actionYml.inputs)).toEqual(
      expect.arrayContaining(['paths', 'config', 'fail-on', 'sarif-file', 'html-file', 'annotations', 'changed-only']),
    );
    expect(actionYml.inputs['html-file'].default).toBe('meshlint.html');
    expect(actionYml.inputs.annotations.default).toBe('true');
    expect(Object.keys(actionYml.outputs)).toEqual(['findings', 'errors', 'warnings', 'sarif-file', 'html-file']);
  });
});

describe('dist/action.mjs in a simulated runner', () => {
  // 12 privileged workloads (12 errors, over the cap of 10), one with a warning too, and a clean one.
  const files: Record<string, string> = { 'k8s/web.yaml': secureDeployment('web') };
  for (let i = 1; i <= 12; i++)
    files[`k8s/db-${String(i).padStart(2, '0')}.yaml`] = privilegedDeployment(`db${i}`).text;
  files['k8s/db-01.yaml'] = files['k8s/db-01.yaml'].replace('serviceAccountName: db1', 'serviceAccountName: default');

  it('annotates the most severe first, capped at 10 per level, writes SARIF, outputs, a job summary, and fails the step', () => {
    const run = runAction(tempRepo(files));
    expect(run.code).toBe(1);
    const annotations = run.commands.map(parseCommand);
    expect(annotations.map((a) => a.level)).toEqual([...Array(10).fill('error'), 'warning']);
    const first = annotations[0];
    expect(first.props).toEqual({
      title: 'container-privileged',
      file: 'k8s/db-01.yaml',
      line: String(privilegedDeployment('db1').line),
      endLine: String(privilegedDeployment('db1').line),
      col: expect.stringMatching(/^\d+$/),
      endColumn: expect.stringMatching(/^\d+$/),
    });
    expect(first.message).toMatch(/^Container "app" of Deployment default\/db1 runs privileged/);
    expect(annotations[10].props.title).toBe('workload-default-service-account');

    expect(run.outputs).toEqual({
      findings: '13',
      errors: '12',
      warnings: '1',
      'sarif-file': 'meshlint.sarif',
      'html-file': 'meshlint.html',
    });
    const html = readFileSync(join(run.workspace, 'meshlint.html'), 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<dt>Errors</dt><dd>12</dd>');
    expect(html).toContain('"id":"Deployment/default/db1"');
    expect(run.summary).toContain(
      'The HTML posture report (mTLS map, who may call whom, entry points, every finding) is meshlint.html in the workspace',
    );
    const sarif = JSON.parse(readFileSync(join(run.workspace, 'meshlint.sarif'), 'utf8')) as {
      runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
    };
    expect(sarif.runs[0].results).toHaveLength(13);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toMatch(/^k8s\/db-\d\d\.yaml$/);

    expect(run.summary).toContain('<h2>meshlint</h2>');
    expect(run.summary).toContain('13 problems (12 errors, 1 warning, 0 notes) in 12 files (13 files, ');
    expect(run.summary).toContain('2 more findings (2 errors) are not annotated');
    expect(run.summary).toMatch(/<tr><td>🔴 error<\/td><td>12<\/td><\/tr>/);
    expect(run.summary).toMatch(
      /<td><a href="https:\/\/github\.com\/meshlint\/meshlint\/blob\/v\d+\.\d+\.\d+\/docs\/rules\/container-privileged\.md"><code>container-privileged<\/code><\/a><\/td><td>error<\/td><td>12<\/td>/,
    );
    expect(run.summary).toContain(
      `<a href="https://github.com/acme/shop/blob/${'a'.repeat(40)}/k8s/db-01.yaml#L${privilegedDeployment('db1').line}">`,
    );
    expect(run.summary).toContain('The step fails: there are findings at or above fail-on (error).');
    expect(run.summary.match(/<tr>/g)).toHaveLength(4 + 3 + 14);
  });

  it('passes on a clean repository and with fail-on none; annotations false prints none', () => {
    const clean = runAction(tempRepo({ 'k8s/web.yaml': secureDeployment('web') }));
    expect(clean).toMatchObject({
      code: 0,
      commands: [],
      outputs: {
        findings: '0',
        errors: '0',
        warnings: '0',
        'sarif-file': 'meshlint.sarif',
        'html-file': 'meshlint.html',
      },
    });
    expect(clean.summary).toContain('No problems (1 file, 2 resources scanned)');

    const lenient = runAction(tempRepo(files), {
      'fail-on': 'none',
      annotations: 'false',
      'sarif-file': 'out/lint.sarif',
      'html-file': '',
      paths: 'k8s/db-02.yaml\nk8s/web.yaml',
    });
    expect(lenient.code).toBe(0);
    expect(lenient.commands).toEqual([]);
    expect(lenient.outputs).toEqual({
      findings: '1',
      errors: '1',
      warnings: '0',
      'sarif-file': 'out/lint.sarif',
      'html-file': '',
    });
    expect(existsSync(join(lenient.workspace, 'meshlint.html'))).toBe(false);
    expect(lenient.summary).not.toContain('HTML posture report');
    expect(existsSync(join(lenient.workspace, 'out/lint.sarif'))).toBe(true);
    expect(lenient.summary).not.toContain('not annotated');
  });

  it('fails fail-on warning on a warning only, and reads config and baseline relative to the workspace', () => {
    const workspace = tempRepo({
      ...files,
      'ci/meshlint.yaml': 'rules:\n  container-privileged: "off"\n  networkpolicy-no-default-deny: off\n',
    });
    const run = runAction(workspace, { config: 'ci/meshlint.yaml', 'fail-on': 'warning' });
    expect(run.code).toBe(1);
    expect(run.outputs).toMatchObject({ findings: '1', errors: '0', warnings: '1' });
    const ok = runAction(workspace, { config: 'ci/meshlint.yaml' });
    expect(ok.code).toBe(0);
    spawnSync(process.execPath, [resolve('dist/meshlint.cjs'), '--write-baseline', 'baseline.json', '.'], {
      cwd: workspace,
    });
    const baselined = runAction(workspace, { baseline: 'baseline.json' });
    expect(baselined).toMatchObject({ code: 0, commands: [], outputs: { findings: '0' } });
    expect(baselined.summary).toContain('13 findings recorded in the baseline baseline.json are not reported.');
  });

  it('still sets its outputs and exit code when the summary file cannot be written', () => {
    const run = runAction(
      tempRepo(files),
      {},
      { GITHUB_STEP_SUMMARY: join(tmpdir(), 'meshlint-no-such-dir', 'summary') },
    );
    expect(run.code).toBe(1);
    expect(run.outputs.findings).toBe('13');
    expect(run.stdout).toContain('meshlint: no job summary: Unable to access summary file');
  });

  it('warns when the paths hold no manifest (a typo must not pass silently)', () => {
    const run = runAction(tempRepo(files), { paths: 'k8z' });
    expect(run.code).toBe(0);
    expect(run.commands).toEqual(['::warning::meshlint: no manifest found in k8z: check the paths input.']);
    expect(run.stdout).toContain('meshlint: notice: k8z: skipped: no such file or directory');
  });

  it('reports bad inputs with exit code 2', () => {
    const run = runAction(tempRepo(files), { 'fail-on': 'sometimes' });
    expect(run.code).toBe(2);
    expect(run.commands).toEqual([
      '::error::meshlint: input fail-on must be error, warning, note or none, not "sometimes"',
    ]);
    const badConfig = runAction(tempRepo({ ...files, '.meshlint.yaml': 'rules: [\n' }));
    expect(badConfig.code).toBe(2);
    expect(badConfig.commands[0]).toMatch(/^::error::meshlint: \.meshlint\.yaml:\d+:\d+: /);
    const badBool = runAction(tempRepo(files), { annotations: 'yes' });
    expect(badBool.code).toBe(2);
  });

  it('changed-only reports the files the pull request changes, judged against the whole repository', () => {
    const workspace = tempRepo(files);
    git(workspace, 'init', '-q', '-b', 'main');
    git(workspace, 'add', '-A');
    git(workspace, 'commit', '-qm', 'base');
    const base = git(workspace, 'rev-parse', 'HEAD');
    git(workspace, 'checkout', '-qb', 'feature');
    writeFiles(workspace, {
      'k8s/web.yaml': privilegedDeployment('web').text, // changed: now privileged
      'k8s/new.yaml': privilegedDeployment('new').text, // added
      'README.md': 'not a manifest',
    });
    git(workspace, 'rm', '-q', 'k8s/db-12.yaml'); // deleted: not reported
    git(workspace, 'add', '-A');
    git(workspace, 'commit', '-qm', 'change');
    const event = join(mkdtempSync(join(tmpdir(), 'meshlint-event-')), 'event.json');
    const head = git(workspace, 'rev-parse', 'HEAD');
    writeFileSync(event, JSON.stringify({ pull_request: { base: { sha: base, ref: 'main' }, head: { sha: head } } }));

    const run = runAction(
      workspace,
      { 'changed-only': 'true' },
      { GITHUB_EVENT_PATH: event, GITHUB_EVENT_NAME: 'pull_request', GITHUB_BASE_REF: 'main' },
    );
    expect(run.code).toBe(1);
    expect(run.commands.map((c) => parseCommand(c).props.file).sort()).toEqual(['k8s/new.yaml', 'k8s/web.yaml']);
    expect(run.outputs).toMatchObject({ findings: '2', errors: '2' });
    expect(run.stdout).toContain(`meshlint: changed-only: 2 changed manifests against ${base} (of 3 changed files)`);
    expect(run.summary).toContain('Only findings in the 2 manifests this pull request changes are reported');
    expect(run.summary).toContain('in 2 files (13 files,'); // the whole repository was the context
    expect(run.summary).toContain(`<a href="https://github.com/acme/shop/blob/${head}/k8s/new.yaml#L`); // the head commit, not the merge commit

    // Without the base commit in the clone: a warning, and every file is reported.
    writeFileSync(event, JSON.stringify({ pull_request: { base: { sha: 'b'.repeat(40) } } }));
    const shallow = runAction(
      workspace,
      { 'changed-only': 'true', annotations: 'false' },
      { GITHUB_EVENT_PATH: event },
    );
    expect(shallow.commands).toHaveLength(1);
    expect(shallow.commands[0]).toMatch(
      /^::warning::meshlint: changed-only: git diff --name-only b{40}\.\.\.HEAD failed.*fetch-depth: 0/,
    );
    expect(shallow.outputs.findings).toBe('14');

    // Not a pull request: every file is reported.
    const push = runAction(workspace, { 'changed-only': 'true', annotations: 'false' }, { GITHUB_EVENT_NAME: 'push' });
    expect(push.outputs.findings).toBe('14');
    expect(push.stdout).toContain('changed-only: not a pull request event');
  });

  it('changed-only: lines reports only findings on the lines the pull request adds', () => {
    const old = privilegedDeployment('db');
    const workspace = tempRepo({ 'k8s/db.yaml': old.text, 'k8s/web.yaml': secureDeployment('web') });
    git(workspace, 'init', '-q', '-b', 'main');
    git(workspace, 'add', '-A');
    git(workspace, 'commit', '-qm', 'base');
    const base = git(workspace, 'rev-parse', 'HEAD');
    git(workspace, 'checkout', '-qb', 'feature');
    // The old privileged container is untouched (a line is added far above it); web.yaml turns privileged.
    writeFiles(workspace, {
      'k8s/db.yaml': `# owner: data team\n${old.text}`,
      'k8s/web.yaml': secureDeployment('web').replace(
        'securityContext: { readOnlyRootFilesystem: true',
        'securityContext: { privileged: true, readOnlyRootFilesystem: true',
      ),
    });
    git(workspace, 'commit', '-qam', 'change');
    const event = join(mkdtempSync(join(tmpdir(), 'meshlint-event-')), 'event.json');
    writeFileSync(event, JSON.stringify({ pull_request: { base: { sha: base } } }));
    const lines = runAction(workspace, { 'changed-only': 'lines' }, { GITHUB_EVENT_PATH: event });
    expect(lines.commands.map((c) => `${parseCommand(c).props.file} ${parseCommand(c).props.title}`)).toEqual([
      'k8s/web.yaml container-privileged',
    ]);
    expect(lines.summary).toContain('Only findings on the lines this pull request adds or changes');
    // The same change per file re-reports the old finding of db.yaml.
    const files = runAction(workspace, { 'changed-only': 'files' }, { GITHUB_EVENT_PATH: event });
    expect(files.commands.map((c) => parseCommand(c).props.file).sort()).toEqual(['k8s/db.yaml', 'k8s/web.yaml']);
    expect(runAction(workspace, { 'changed-only': 'sometimes' }, { GITHUB_EVENT_PATH: event }).code).toBe(2);
  });
});
