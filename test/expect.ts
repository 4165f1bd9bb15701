// The `# expect: <rule-id>[, <rule-id>...]` markers of fixtures and examples: the findings that must be on that line.
import type { Finding } from '../src/engine/run.js';

const MARKER = /#\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*$/;

/** `file:line rule-id` for every marker (a rule named twice on a line expects two findings there). */
export function expectedFindings(file: string, text: string, onlyRule?: string): string[] {
  const expected: string[] = [];
  text.split('\n').forEach((line, i) => {
    const match = MARKER.exec(line);
    if (!match) return;
    for (const id of match[1].split(/\s*,\s*/)) {
      if (!onlyRule || id === onlyRule) expected.push(`${file}:${i + 1} ${id}`);
    }
  });
  return expected.sort();
}

export function actualFindings(findings: readonly Finding[], onlyRule?: string): string[] {
  return findings
    .filter((f) => !f.suppression && (!onlyRule || f.ruleId === onlyRule))
    .map((f) => `${f.file}:${f.range.startLine} ${f.ruleId}`)
    .sort();
}
