// The `# expect:` markers of fixtures and examples: the findings that must start on the marker's line, with their span.
//
//   # expect: rule-id @13-17                     one finding from column 13 to 17 (1-based, end exclusive)
//   # expect: rule-a @3-10, rule-b @12-20        several findings on one line
//   # expect: rule-id @27-+3:44                  a finding that ends 3 lines further down, at column 44
//
// A marker without a span, or with anything else the grammar does not know, is an error: no marker stays unchecked.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Finding } from '../src/engine/run.js';
import { scan, type ScanResult } from '../src/scan.js';

const MARKER = /#\s*expect:(.*)$/;
const ENTRY = /^([a-z0-9-]+)\s+@([1-9]\d*)-(?:\+([1-9]\d*):)?([1-9]\d*)$/;

/** The span as a marker writes it, relative to the start line. */
export function spanText(range: Finding['range']): string {
  const lines = range.endLine - range.startLine;
  return `@${range.startColumn}-${lines === 0 ? '' : `+${lines}:`}${range.endColumn}`;
}

/** `file:line rule-id @span` for every marker entry (a rule named twice on a line expects two findings there). */
export function expectedFindings(file: string, text: string, onlyRule?: string): string[] {
  const expected: string[] = [];
  text.split('\n').forEach((line, i) => {
    const match = MARKER.exec(line.replace(/\r$/, ''));
    if (!match) return;
    for (const entry of match[1].split(',').map((e) => e.trim())) {
      const parsed = ENTRY.exec(entry);
      if (!parsed) throw new Error(`${file}:${i + 1}: "${entry}" is not "rule-id @start-end" (or "@start-+lines:end"); every marker states its span`);
      const [, id, start, lines, end] = parsed;
      if (!lines && Number(end) <= Number(start)) throw new Error(`${file}:${i + 1}: "${entry}" is an empty span (the end column is exclusive)`);
      if (!onlyRule || id === onlyRule) expected.push(`${file}:${i + 1} ${id} @${start}-${lines ? `+${lines}:` : ''}${end}`);
    }
  });
  return expected.sort();
}

export function actualFindings(findings: readonly Finding[], onlyRule?: string): string[] {
  return findings
    .filter((f) => !f.suppression && (!onlyRule || f.ruleId === onlyRule))
    .map((f) => `${f.file}:${f.range.startLine} ${f.ruleId} ${spanText(f.range)}`)
    .sort();
}

const FIXTURES = 'fixtures';

/** The fixture folders, each scanned as one repository. Folders starting with _ hold markers of rules not wired yet. */
export function fixtureUnits(): string[] {
  return readdirSync(FIXTURES).filter((name) => !name.startsWith('_') && statSync(join(FIXTURES, name)).isDirectory()).sort();
}

/** Scans a fixture folder with its own .meshlint.yaml (or none) and reads its markers. */
export async function scanFixture(unit: string): Promise<{ result: ScanResult; expected: string[] }> {
  const dir = join(FIXTURES, unit);
  const config = join(dir, '.meshlint.yaml');
  const result = await scan({ cwd: dir, paths: ['.'], configPath: existsSync(config) ? resolve(config) : false });
  const expected = filesUnder(dir).flatMap((file) => expectedFindings(relative(dir, file), readFileSync(file, 'latin1'))).sort();
  return { result, expected };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ya?ml|json)$/.test(e.name) && !e.name.startsWith('.meshlint'))
    .map((e) => join(e.parentPath, e.name));
}
