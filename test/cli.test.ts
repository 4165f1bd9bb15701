// The CLI as users run it: the committed bundle in a child process.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../rules/index.js';
import { tempRepo, PINNED } from './helpers.js';

const BIN = resolve('dist/meshlint.cjs');

function run(
  args: string[],
  options: { cwd?: string; input?: string; env?: Record<string, string>; bin?: string } = {},
) {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: undefined,
    FORCE_COLOR: undefined,
    ...options.env,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const child = spawnSync(process.execPath, [options.bin ?? BIN, ...args], {
    cwd: options.cwd,
    input: options.input ?? '',
    encoding: 'utf8',
    env: env as NodeJS.ProcessEnv,
  });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

const clean = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  serviceAccountName: web
  containers:
    - name: app
      image: ${PINNED}
      securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true, seccompProfile: { type: RuntimeDefault }, capabilities: { drop: [ALL] } }
      resources: { limits: { cpu: 1, memory: 1Gi } }
`;
const onlyWarning = clean.replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: true');
const withError = clean.replace('spec:\n', 'spec:\n  hostPID: true\n');

describe('exit codes', () => {
  it('is 0 with nothing at or above --fail-on, 1 with something, in every format', () => {
    const dir = tempRepo({ 'clean.yaml': clean, 'warn/w.yaml': onlyWarning, 'err/e.yaml': withError });
    for (const format of ['text', 'compact', 'json', 'sarif']) {
      expect(run(['clean.yaml', '-f', format], { cwd: dir }).code).toBe(0);
      expect(run(['warn', '-f', format], { cwd: dir }).code).toBe(0);
      expect(run(['err', '-f', format], { cwd: dir }).code).toBe(1);
      expect(run(['warn', '-f', format, '--fail-on', 'warning'], { cwd: dir }).code).toBe(1);
      expect(run(['err', '-f', format, '--fail-on', 'none'], { cwd: dir }).code).toBe(0);
    }
  });

  it('is 2 for usage errors', () => {
    expect(run(['--no-such-flag']).code).toBe(2);
    expect(run(['-f', 'xml']).code).toBe(2);
    expect(run(['--fail-on', 'critical']).code).toBe(2);
    const explain = run(['--explain', 'no-such-rule']);
    expect(explain.code).toBe(2);
    expect(explain.stderr).toMatch(/unknown rule "no-such-rule"/);
  });

  it('is 2 for an invalid configuration, naming the file, line and key', () => {
    const dir = tempRepo({
      'a.yaml': clean,
      '.meshlint.yaml': 'rules:\n  container-privileged: error\n  container-privilegd: off\n',
    });
    const result = run(['-f', 'json'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /\.meshlint\.yaml:3:3: unknown rule "container-privilegd" \(did you mean "container-privileged"\?\)/,
    );
    expect(result.stdout).toBe('');
    const badLevel = run([], { cwd: tempRepo({ '.meshlint.yaml': 'rules:\n  container-privileged: fatal\n' }) });
    expect(badLevel.code).toBe(2);
    expect(badLevel.stderr).toMatch(
      /:2:3: rules\.container-privileged must be one of "error", "warning", "note", "off"/,
    );
    const unknownKey = run([], { cwd: tempRepo({ '.meshlint.yaml': 'rulez: {}\n' }) });
    expect(unknownKey.stderr).toMatch(/:1:1: unknown key "rulez"/);
  });
});

describe('input and output', () => {
  it('reads standard input with -, reporting the --stdin-filename', () => {
    const result = run(['-', '-f', 'compact', '--stdin-filename', 'k8s/pod.yaml'], { input: withError });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^k8s\/pod\.yaml:6:3: error: .* \[container-privileged\]$/m);
  });

  it("dist/meshlint.mjs, the executable's former name, runs it: the same output and exit code", () => {
    const dir = tempRepo({ 'e.yaml': withError, 'w.yaml': onlyWarning });
    for (const args of [['-f', 'json', '.'], ['-', '-f', 'compact'], ['--version'], ['--bogus']]) {
      const input = args[0] === '-' ? withError : '';
      const former = run(args, { cwd: dir, input, bin: resolve('dist/meshlint.mjs') });
      expect(former).toEqual(run(args, { cwd: dir, input }));
      expect(former.stdout.length + former.stderr.length).toBeGreaterThan(0);
    }
  });

  it('writes the report to --output and nothing to standard output', () => {
    const dir = tempRepo({ 'e.yaml': withError });
    const result = run(['-f', 'sarif', '-o', 'out.sarif'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(JSON.parse(readFileSync(join(dir, 'out.sarif'), 'utf8')).runs[0].results.length).toBe(1);
  });

  it('honours .gitignore and skips node_modules, and reads a nested .meshlint.yaml from a parent', () => {
    const dir = tempRepo({
      '.gitignore': 'generated/\n',
      'generated/e.yaml': withError,
      'node_modules/pkg/e.yaml': withError,
      'app/e.yaml': withError,
      '.meshlint.yaml': 'rules:\n  container-privileged: warning\n  networkpolicy-no-default-deny: off\n',
    });
    const result = run(['-f', 'compact'], { cwd: dir });
    expect(result.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^app\/e\.yaml:6:3: warning: .*\[container-privileged\]$/),
    ]);
    expect(run(['-f', 'compact'], { cwd: join(dir, 'app') }).stdout).toMatch(/^e\.yaml:6:3: warning:/);
  });

  it('colours text only on request or FORCE_COLOR, never with NO_COLOR or when piped', () => {
    const dir = tempRepo({ 'e.yaml': withError });
    expect(run([], { cwd: dir }).stdout).not.toMatch(/\x1b\[/);
    expect(run([], { cwd: dir, env: { FORCE_COLOR: '1' } }).stdout).toMatch(/\x1b\[/);
    expect(run(['--color'], { cwd: dir }).stdout).toMatch(/\x1b\[/);
    expect(run(['--no-color'], { cwd: dir, env: { FORCE_COLOR: '1' } }).stdout).not.toMatch(/\x1b\[/);
    expect(run(['-f', 'compact'], { cwd: dir, env: { FORCE_COLOR: '1' } }).stdout).not.toMatch(/\x1b\[/);
  });

  it('turns bad input into findings and notices, never a stack trace', () => {
    const dir = tempRepo({
      'broken.yaml': 'a: [1, 2\n',
      'template.yaml': 'metadata:\n  name: {{ .Values.name }}\n',
      'binary.yaml': Buffer.from([0, 1, 2, 3]),
      'good.yaml': withError,
    });
    const result = run(['.'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/broken\.yaml/);
    expect(result.stdout).toMatch(/good\.yaml/);
    expect(result.stdout).toMatch(/2 files not linted/);
    expect(result.stderr).toMatch(/notice: template\.yaml: skipped: template/);
    expect(result.stderr).toMatch(/notice: binary\.yaml: skipped: binary/);
    expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    // A path that does not exist is a typo: exit 2, whatever else was given.
    const missing = run(['.', 'missing-dir'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('meshlint: no such file or directory: missing-dir\n');
  });
});

describe('parser threads', () => {
  it('give exactly the same report as parsing on one thread, locations included', () => {
    const one = run(['fixtures', 'examples', '-f', 'sarif', '-j', '0']);
    const two = run(['fixtures', 'examples', '-f', 'sarif', '-j', '2']);
    expect(one.code).toBe(1);
    expect(two.code).toBe(one.code);
    expect(two.stdout).toBe(one.stdout);
    expect(two.stderr).toBe(one.stderr);
    expect(JSON.parse(two.stdout).runs[0].results.length).toBeGreaterThan(20);
  });

  it('rejects a bad --jobs value as a usage error', () => {
    expect(run(['-j', 'many']).code).toBe(2);
  });
});

describe('rule information', () => {
  it('--list-rules lists every rule with its severity', () => {
    const result = run(['--list-rules']);
    expect(result.code).toBe(0);
    for (const rule of RULES) expect(result.stdout).toMatch(new RegExp(`^${rule.id}\\s+${rule.severity}\\s`, 'm'));
  });

  it('--explain prints the rule page, the same as docs/rules/<id>.md without its generator comment', () => {
    const result = run(['--explain', 'container-privileged']);
    expect(result.code).toBe(0);
    expect(existsSync('docs/rules/container-privileged.md')).toBe(true);
    const page = readFileSync('docs/rules/container-privileged.md', 'utf8');
    expect(page.startsWith('<!-- Generated')).toBe(true);
    expect(result.stdout).toBe(page.slice(page.indexOf('\n') + 1));
  });

  it('--version prints the package version', () => {
    expect(run(['--version']).stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });
});
