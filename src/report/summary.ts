import type { Finding } from '../engine/run.js';
import { SEVERITY_RANK, type Severity } from '../engine/rule.js';

export interface Counts {
  readonly error: number;
  readonly warning: number;
  readonly note: number;
  readonly suppressed: number;
}

/** Counts of active findings by severity, plus the suppressed ones. */
export function countFindings(findings: readonly Finding[]): Counts {
  const counts: Record<Severity | 'suppressed', number> = { error: 0, warning: 0, note: 0, suppressed: 0 };
  for (const f of findings) counts[f.suppression ? 'suppressed' : f.severity]++;
  return counts;
}

export function activeFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => !f.suppression);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One line of text: messages never span lines in line-based formats. */
export function oneLine(text: string): string {
  const lines = text.split(/[\r\n]+/);
  return lines.map((line, i) => (i > 0 ? line.trimStart() : line)).map((line, i) => (i < lines.length - 1 ? line.trimEnd() : line)).join(' ');
}

/** Whether an active finding is at or above `failOn` (exit code 1 of the CLI, a failed step of the Action). */
export function failsAt(findings: readonly Finding[], failOn: Severity | 'none'): boolean {
  if (failOn === 'none') return false;
  const threshold = SEVERITY_RANK[failOn];
  return findings.some((f) => !f.suppression && SEVERITY_RANK[f.severity] >= threshold);
}
