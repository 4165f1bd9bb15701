// Whatever a repository holds, meshlint must not crash or hang, and every finding must have a real location.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, symlinkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../src/parse/source.js';
import { lint, type Finding } from '../src/engine/run.js';
import { defaultConfig } from '../src/engine/config.js';
import { scan } from '../src/scan.js';
import { main } from '../src/cli/main.js';
import { RULES } from '../rules/index.js';
import { tempRepo } from './helpers.js';

function lintBytes(bytes: Uint8Array | string) {
  const file = parseSource('fuzz.yaml', bytes);
  return { file, result: lint({ files: [file], rules: RULES, config: defaultConfig('.') }) };
}

function expectValidLocations(text: string, findings: readonly Finding[]) {
  const lines = text.split('\n');
  for (const f of findings) {
    const { startLine, startColumn, endLine, endColumn } = f.range;
    expect(startLine).toBeGreaterThanOrEqual(1);
    expect(startLine).toBeLessThanOrEqual(lines.length);
    expect(startColumn).toBeGreaterThanOrEqual(1);
    expect(startColumn).toBeLessThanOrEqual((lines[startLine - 1] ?? '').length + 1);
    expect(endLine).toBeGreaterThanOrEqual(startLine);
    if (endLine === startLine) expect(endColumn).toBeGreaterThan(startColumn);
  }
}

const seeds = [
  ...readdirSync('fixtures', { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => readFileSync(join(e.parentPath, e.name))),
  ...RULES.flatMap((r) =>
    Object.values(r.examples.invalid)
      .filter((x): x is string => typeof x === 'string')
      .map((x) => Buffer.from(x)),
  ),
];

describe('property: mutated manifests', () => {
  it('never crash, stay under 2 s a file, and locate every finding inside the file', () => {
    const mutation = fc.record({
      seed: fc.integer({ min: 0, max: seeds.length - 1 }),
      edits: fc.array(
        fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'insert', 'delete', 'truncate')),
        { maxLength: 8 },
      ),
    });
    fc.assert(
      fc.property(mutation, ({ seed, edits }) => {
        let bytes = Buffer.from(seeds[seed]);
        for (const [at, byte, kind] of edits) {
          const i = bytes.length ? at % bytes.length : 0;
          if (kind === 'flip' && bytes.length) bytes[i] = byte;
          else if (kind === 'insert')
            bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
          else if (kind === 'delete') bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
          else bytes = bytes.subarray(0, i);
        }
        const started = performance.now();
        const { file, result } = lintBytes(bytes);
        expect(performance.now() - started).toBeLessThan(2000);
        expectValidLocations(file.text, result.findings);
      }),
      { numRuns: 400 },
    );
  });

  it('random YAML-ish text never crashes', () => {
    const pieces = [
      'a',
      ':',
      ' ',
      '-',
      '\n',
      '\t',
      '"',
      "'",
      '[',
      ']',
      '{',
      '}',
      '&',
      '*',
      '!',
      '|',
      '>',
      '#',
      '?',
      ',',
      '%',
      '@',
      '`',
      '\r',
      '\uFEFF',
      '{{',
      'apiVersion: v1\n',
      'kind: Pod\n',
      '---\n',
    ];
    const yamlish = fc.array(fc.constantFrom(...pieces), { maxLength: 300 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(yamlish, (text) => {
        const { file, result } = lintBytes(text);
        expectValidLocations(file.text, result.findings);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('hostile files', () => {
  it('a 10 MB line, tabs, CRLF and a BOM', () => {
    const long = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: ${'x'.repeat(10 * 1024 * 1024)}\n`;
    const started = performance.now();
    expect(lintBytes(long).result.findings).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
    const tabs = lintBytes('\uFEFFapiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n\tname: x\r\n');
    expect(tabs.result.findings.map((f) => f.ruleId)).toEqual(['parse-error']);
    expectValidLocations(tabs.file.text, tabs.result.findings);
  });

  it('symlink loops, dangling links and FIFOs are notices and the scan goes on', async () => {
    const dir = tempRepo({ 'ok.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostPID: true}\n' });
    mkdirSync(join(dir, 'loop'));
    symlinkSync('..', join(dir, 'loop', 'parent'));
    symlinkSync('missing.yaml', join(dir, 'dangling.yaml'));
    execFileSync('mkfifo', [join(dir, 'pipe.yaml')]);
    // Discovery lists regular files only and does not follow the loop.
    const whole = await scan({ cwd: dir, configPath: false });
    expect(whole.findings.some((f) => f.file === 'ok.yaml' && f.ruleId === 'container-privileged')).toBe(true);
    expect(whole.stats.files).toBe(1);
    // Named explicitly, they are notices and the other files are still scanned.
    const named = await scan({ cwd: dir, configPath: false, paths: ['pipe.yaml', 'dangling.yaml', 'ok.yaml', 'loop'] });
    const notices = named.notices.map((n) => `${n.file}: ${n.message}`);
    expect(notices).toContain('pipe.yaml: skipped: not a regular file');
    expect(notices).toContain('dangling.yaml: skipped: no such file or directory');
    expect(named.findings.some((f) => f.file === 'ok.yaml')).toBe(true);
  });

  it('files over the size limit are a parse-error at 1:1, never a pass', async () => {
    const dir = tempRepo({ 'big.yaml': `a: ${'x'.repeat(2 * 1024 * 1024)}\n`, 'small.yaml': 'a: 1\n' });
    const result = await scan({ cwd: dir, maxFileBytes: 1024 * 1024 });
    const errors = result.findings.filter((f) => f.ruleId === 'parse-error');
    expect(errors.map((f) => `${f.file}:${f.range.startLine}:${f.range.startColumn}`)).toEqual(['big.yaml:1:1']);
    expect(errors[0].message).toMatch(/over the 1 MB limit/);
  });
});

describe('progress line', () => {
  async function runWith(isTTY: boolean) {
    const dir = tempRepo(Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`f${i}.yaml`, 'a: 1\n'])));
    let stderr = '';
    let stdout = '';
    const code = await main({
      argv: ['-f', 'compact'],
      cwd: dir,
      env: {},
      readStdin: async () => '',
      progressDelayMs: 0,
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s), isTTY },
    });
    return { code, stderr, stdout };
  }

  it('shows files done / total on a terminal and erases it before the report', async () => {
    const { stderr, stdout, code } = await runWith(true);
    expect(code).toBe(0);
    expect(stderr).toMatch(/\rmeshlint: \d\/5 files/);
    expect(stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(stdout).not.toMatch(/files/);
  });

  it('never when stderr is not a terminal', async () => {
    expect((await runWith(false)).stderr).toBe('');
  });
});
