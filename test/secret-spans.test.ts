// A secret inside a string is located at its own characters in every scalar style and every report format, also
// where the fixtures' markers cannot say it: a token cut in two by an escaped line break, UTF-16 files.
import { describe, expect, it } from 'vitest';
import { locate } from '../src/location/locate.js';
import { narrowToSpan } from '../src/location/span.js';
import { toDiagnostic } from '../src/lsp/diagnostics.js';
import { parseEmbedded } from '../src/parse/embedded.js';
import { parseSource } from '../src/parse/source.js';
import { scan } from '../src/scan.js';
import { runCli, tempRepo } from './helpers.js';

const CONFIG_MAP = (value: string) =>
  ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: app', 'data:', `  run.sh: ${value}`, ''].join('\n');

// The token starts on line 6 and ends on line 7: an escaped line break joins the two parts without a space.
const SPLIT = CONFIG_MAP('"export SESSION_SECRET=Pw7Qz\\\n    2Lx9Rm4"');
const SPLIT_RANGE = { startLine: 6, startColumn: 34, endLine: 7, endColumn: 12 };
// Escapes before the token on its line: \" and \u00e9 are longer in the file than in the value.
const ESCAPED = CONFIG_MAP('"{\\"caf\\u00e9\\": 1, \\"apiKey\\": \\"Zx81Qm4LpT0r\\"}"');
const ESCAPED_RANGE = { startLine: 6, startColumn: 45, endLine: 6, endColumn: 57 };

async function secretRanges(files: Record<string, string | Buffer>) {
  const result = await scan({ cwd: tempRepo({ ...files, '.meshlint.yaml': 'rules: {}\n' }) });
  return result.findings.filter((f) => f.ruleId === 'secret-hardcoded').map((f) => f.range);
}

describe('secret spans', () => {
  it('a token cut by an escaped line break is located from its first part to its last', async () => {
    expect(await secretRanges({ 'cm.yaml': SPLIT })).toEqual([SPLIT_RANGE]);
    expect(SPLIT.split('\n')[5].slice(SPLIT_RANGE.startColumn - 1)).toBe('Pw7Qz\\');
    expect(SPLIT.split('\n')[6].slice(0, SPLIT_RANGE.endColumn - 1)).toBe('    2Lx9Rm4');
  });

  it('escapes before the token move it by their length in the file', async () => {
    expect(await secretRanges({ 'cm.yaml': ESCAPED })).toEqual([ESCAPED_RANGE]);
    expect(ESCAPED.split('\n')[5].slice(ESCAPED_RANGE.startColumn - 1, ESCAPED_RANGE.endColumn - 1)).toBe(
      'Zx81Qm4LpT0r',
    );
  });

  it.each(['utf16le', 'utf16be'] as const)(
    'a %s file: the same lines and columns as its UTF-8 copy',
    async (encoding) => {
      const text = `\ufeff${ESCAPED}`;
      const bytes = encoding === 'utf16le' ? Buffer.from(text, 'utf16le') : Buffer.from(text, 'utf16le').swap16();
      expect(await secretRanges({ 'cm.yaml': bytes })).toEqual([ESCAPED_RANGE]);
    },
  );

  it.each([
    [
      'a double-quoted string holding a double-quoted one',
      '"headers:\\n  - value: \\"Basic \\\\u0041 ZGVwbG95Okt4OExxMlptN1J0NA==\\"\\n"',
    ],
    [
      'a literal block holding a plain value over two lines',
      '|\n    headers:\n      - value: Basic\n          A ZGVwbG95Okt4OExxMlptN1J0NA==\n',
    ],
  ])('text embedded in %s: located through both scalars, in the host file', (_name, scalar) => {
    const text = CONFIG_MAP(scalar);
    const host = parseSource('cm.yaml', text);
    const embedded = parseEmbedded(host, host.documents[0], ['data', 'run.sh'])!;
    const document = embedded.documents[0];
    const path = ['headers', 0, 'value'];
    const value = (document.value as { headers: { value: string }[] }).headers[0].value;
    expect(value).toBe('Basic A ZGVwbG95Okt4OExxMlptN1J0NA==');
    const token = 'ZGVwbG95Okt4OExxMlptN1J0NA==';
    const at = value.indexOf(token);
    const whole = locate(embedded, document, path, 'value').range;
    const range = narrowToSpan(embedded, document, path, whole, value, [at, at + token.length]);
    expect(range.startLine).toBe(range.endLine);
    expect(text.split('\n')[range.startLine - 1].slice(range.startColumn - 1, range.endColumn - 1)).toBe(token);
  });

  it('a CRLF file: the same lines and columns', async () => {
    expect(await secretRanges({ 'cm.yaml': SPLIT.replaceAll('\n', '\r\n') })).toEqual([SPLIT_RANGE]);
  });

  describe('in every format', () => {
    const cwd = tempRepo({ 'split.yaml': SPLIT, 'escaped.yaml': ESCAPED, '.meshlint.yaml': 'rules: {}\n' });
    const cases = [
      ['split.yaml', SPLIT_RANGE],
      ['escaped.yaml', ESCAPED_RANGE],
    ] as const;

    it.each(cases)('%s: JSON, SARIF, text, GitHub annotations and LSP', async (file, range) => {
      const format = async (name: string) => (await runCli([file, '-f', name], cwd)).stdout;
      const json = JSON.parse(await format('json')).findings.find(
        (f: { ruleId: string }) => f.ruleId === 'secret-hardcoded',
      );
      expect([json.line, json.column, json.endLine, json.endColumn]).toEqual([
        range.startLine,
        range.startColumn,
        range.endLine,
        range.endColumn,
      ]);

      const sarif = JSON.parse(await format('sarif')).runs[0].results.find(
        (r: { ruleId: string }) => r.ruleId === 'secret-hardcoded',
      );
      expect(sarif.locations[0].physicalLocation.region).toMatchObject({
        startLine: range.startLine,
        startColumn: range.startColumn,
        endLine: range.endLine,
        endColumn: range.endColumn,
      });

      expect(await format('text')).toContain(`${range.startLine}:${range.startColumn} `);

      // GitHub takes columns only for a range on one line.
      const annotation = (await format('github')).split('\n').find((l) => l.includes('title=secret-hardcoded'));
      expect(annotation).toContain(
        range.startLine === range.endLine
          ? `line=${range.startLine},endLine=${range.endLine},col=${range.startColumn},endColumn=${range.endColumn}`
          : `line=${range.startLine},endLine=${range.endLine},`,
      );

      const result = await scan({ cwd, paths: [file] });
      const finding = result.findings.find((f) => f.ruleId === 'secret-hardcoded')!;
      expect(toDiagnostic(finding, { absolutePath: (p) => p }).range).toEqual({
        start: { line: range.startLine - 1, character: range.startColumn - 1 },
        end: { line: range.endLine - 1, character: range.endColumn - 1 },
      });
    });
  });
});
