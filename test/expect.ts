// The `# expect:` markers of fixtures and examples: the findings that must start on the marker's line, with their span.
//
//   # expect: rule-id @13-17                     one finding from column 13 to 17 (1-based, end exclusive)
//   # expect: rule-a @3-10, rule-b @12-20        several findings on one line
//   # expect: rule-id @27-+3:44                  a finding that ends 3 lines further down, at column 44
//
// A marker without a span, or with anything else the grammar does not know, is an error: no marker stays unchecked.
import type { Finding } from '../src/engine/run.js';
import type { Range } from '../src/engine/location.js';

const MARKER = /#\s*expect:(.*)$/;
const ENTRY = /^([a-z0-9-]+)\s+@(\d+)-(?:\+([1-9]\d*):)?(\d+)$/;

/** The span as a marker writes it, relative to the start line. */
export function spanText(range: Range): string {
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
