// The problem matchers we ship or document, applied to real compact output of the CLI: GitHub's problem matcher
// (integrations/github-matcher.json), VS Code's (integrations/vscode/tasks.json) and Vim's errorformat (README,
// translated to a regular expression the way Vim does; and run in Vim itself when it is installed). Every captured
// field (file, line, column, severity, message, rule) must equal the finding's, taken from the JSON output.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { privilegedDeployment, runCli, secureDeployment, tempRepo } from './helpers.js';

interface Expected {
  file: string;
  line: number;
  column: number;
  severity: 'error' | 'warning' | 'note';
  message: string;
  rule: string;
}

let cwd: string;
let lines: string[];
let expected: Expected[];

beforeAll(async () => {
  const hostNetwork = secureDeployment('agent').replace(
    '      serviceAccountName: agent',
    '      serviceAccountName: agent\n      hostNetwork: true',
  );
  cwd = tempRepo({
    // error (privileged), error with ": " and quotes in the message (hostNetwork), warning (default SA), note (suppression without reason).
    'deploy/db.yaml': privilegedDeployment('db').text.replace('serviceAccountName: db', 'serviceAccountName: default'),
    'deploy/nested dir/agent.yaml': hostNetwork,
    'deploy/web.yaml': `# meshlint-disable container-no-limits\n${secureDeployment('web')}`,
  });
  const compact = await runCli(['--format', 'compact', '.'], cwd);
  lines = compact.stdout.trimEnd().split('\n');
  const json = JSON.parse((await runCli(['--format', 'json', '.'], cwd)).stdout) as {
    findings: (Expected & { ruleId: string; suppression: unknown })[];
  };
  expected = json.findings
    .filter((f) => !f.suppression)
    .map((f) => ({
      file: f.file,
      line: f.line,
      column: f.column,
      severity: f.severity,
      message: f.message,
      rule: f.ruleId,
    }));
});

it('the sample covers every severity, a message with ": " and a path with a space', () => {
  expect(lines).toHaveLength(expected.length);
  expect(new Set(expected.map((e) => e.severity))).toEqual(new Set(['error', 'warning', 'note']));
  expect(expected.some((e) => e.message.includes(': '))).toBe(true);
  expect(expected.some((e) => e.file.includes(' '))).toBe(true);
});

describe('GitHub problem matcher (integrations/github-matcher.json)', () => {
  const matchers = (
    JSON.parse(readFileSync('integrations/github-matcher.json', 'utf8')) as {
      problemMatcher: { owner: string; severity?: string; pattern: Record<string, string | number>[] }[];
    }
  ).problemMatcher;

  it('captures every field of every line, with a severity GitHub accepts', () => {
    const SEVERITY = { error: 'error', warning: 'warning', note: 'notice' };
    lines.forEach((line, i) => {
      const hits = matchers.flatMap((m) => {
        const p = m.pattern[0];
        const match = new RegExp(p.regexp as string).exec(line);
        return match ? [{ m, p, match }] : [];
      });
      expect(hits, line).toHaveLength(1);
      const { m, p, match } = hits[0];
      const group = (name: string) => (p[name] === undefined ? undefined : match[p[name] as number]);
      const severity = group('severity') ?? m.severity ?? 'error';
      expect(['error', 'warning', 'notice']).toContain(severity);
      expect({
        file: group('file'),
        line: Number(group('line')),
        column: Number(group('column')),
        severity,
        message: group('message'),
        rule: group('code'),
      }).toEqual({
        ...expected[i],
        severity: SEVERITY[expected[i].severity],
      });
    });
  });
});

describe('VS Code problem matcher (integrations/vscode/tasks.json)', () => {
  const task = (
    JSON.parse(readFileSync('integrations/vscode/tasks.json', 'utf8')) as {
      tasks: { command: string; problemMatcher: { fileLocation: unknown; pattern: Record<string, string | number> } }[];
    }
  ).tasks[0];

  it('runs the compact format and captures every field (note -> Info, as VS Code reads it)', () => {
    expect(task.command).toContain('--format compact');
    expect(task.problemMatcher.fileLocation).toEqual(['relative', '${workspaceFolder}']);
    const p = task.problemMatcher.pattern;
    const vscodeSeverity = (s: string) => ({ error: 'Error', warning: 'Warning', note: 'Info' })[s];
    lines.forEach((line, i) => {
      const match = new RegExp(p.regexp as string).exec(line);
      expect(match, line).not.toBeNull();
      const g = (name: string) => match![p[name] as number];
      expect({
        file: g('file'),
        line: Number(g('line')),
        column: Number(g('column')),
        severity: vscodeSeverity(g('severity')),
        message: g('message'),
        rule: g('code'),
      }).toEqual({
        ...expected[i],
        severity: vscodeSeverity(expected[i].severity),
      });
    });
  });
});

describe('Vim errorformat (README)', () => {
  const readme = readFileSync('README.md', 'utf8');
  const efm = /^\s*set errorformat=(.+)$/m.exec(readme)?.[1] ?? '';

  /**
   * Vim's translation of an errorformat to a pattern (quickfix.c, efm_to_regpat), for the items we use:
   * %f followed by a literal c -> [^c]\+ ; %l %c -> \d\+ ; %t -> . ; %m -> .\+ ; %*[...] -> [...]* ; "\ " -> " ".
   */
  function efmToRegExp(format: string): { regexp: RegExp; groups: string[] } {
    let source = '^';
    const groups: string[] = [];
    for (let i = 0; i < format.length; i++) {
      const c = format[i];
      if (c === '\\') source += escape(format[++i]);
      else if (c === '%') {
        const item = format[++i];
        if (item === '*') {
          const end = format.indexOf(']', i);
          source += `${format.slice(i + 1, end + 1)}*`;
          i = end;
        } else if (item === 'f') {
          groups.push('f');
          source += `([^${escape(format[i + 1])}]+)`;
        } else {
          groups.push(item);
          source += ({ l: '(\\d+)', c: '(\\d+)', t: '(.)', m: '(.+)' } as Record<string, string>)[item];
        }
      } else source += escape(c);
    }
    return { regexp: new RegExp(`${source}$`), groups };
  }
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  it('is documented', () => {
    expect(efm).toBe('%f:%l:%c:\\ %t%*[^:]:\\ %m');
  });

  it('captures file, line, column, type letter and the message with its [rule]', () => {
    const { regexp, groups } = efmToRegExp(efm);
    lines.forEach((line, i) => {
      const match = regexp.exec(line);
      expect(match, line).not.toBeNull();
      const g = (item: string) => match![groups.indexOf(item) + 1];
      const rule = /\[([^\]]+)\]$/.exec(g('m'))?.[1];
      expect({
        file: g('f'),
        line: Number(g('l')),
        column: Number(g('c')),
        severity: g('t'),
        message: g('m').replace(/ \[[^\]]+\]$/, ''),
        rule,
      }).toEqual({
        ...expected[i],
        severity: expected[i].severity[0],
      });
    });
  });

  const vim = spawnSync('vim', ['--version'], { encoding: 'utf8' });
  it.skipIf(vim.status !== 0)('gives the same quickfix list in Vim itself', () => {
    const out = join(cwd, 'compact.txt');
    const qf = join(cwd, 'qf.json');
    writeFileSync(out, `${lines.join('\n')}\n`);
    const script = `call writefile([json_encode(map(getqflist(), {_, v -> {'file': bufname(v.bufnr), 'line': v.lnum, 'column': v.col, 'type': v.type, 'text': v.text, 'valid': v.valid}}))], '${qf}')`;
    const run = spawnSync(
      'vim',
      ['-u', 'NONE', '-N', '-es', '-c', `set errorformat=${efm}`, '-c', `cgetfile ${out}`, '-c', script, '-c', 'qa!'],
      { cwd, encoding: 'utf8', timeout: 20000 },
    );
    expect(run.status).toBe(0);
    const list = JSON.parse(readFileSync(qf, 'utf8')) as {
      file: string;
      line: number;
      column: number;
      type: string;
      text: string;
      valid: number;
    }[];
    expect(
      list.map((q) => ({
        file: q.file,
        line: q.line,
        column: q.column,
        severity: q.type,
        message: q.text,
        valid: q.valid,
      })),
    ).toEqual(
      expected.map((e) => ({
        file: e.file,
        line: e.line,
        column: e.column,
        severity: e.severity[0],
        message: `${e.message} [${e.rule}]`,
        valid: 1,
      })),
    );
  });
});
