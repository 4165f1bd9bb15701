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

/**
 * The one-sentence verdict every human format ends with: "3 problems (1 error, 2 warnings, 0 notes) in 2 files
 * (5 files, 9 resources scanned)". `problems` is false when nothing active was found.
 */
export function verdict(result: { readonly findings: readonly Finding[]; readonly stats: { readonly files: number; readonly resources: number } }): { problems: boolean; text: string } {
  const counts = countFindings(result.findings);
  const total = counts.error + counts.warning + counts.note;
  const scanned = `${plural(result.stats.files, 'file')}, ${plural(result.stats.resources, 'resource')} scanned`;
  const suppressed = counts.suppressed ? `, ${counts.suppressed} suppressed` : '';
  if (total === 0) return { problems: false, text: `no problems (${scanned}${suppressed})` };
  const files = new Set(activeFindings(result.findings).map((f) => f.file)).size;
  const bySeverity = `${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.note, 'note')}`;
  return { problems: true, text: `${plural(total, 'problem')} (${bySeverity}) in ${plural(files, 'file')} (${scanned}${suppressed})` };
}

/** Active findings per rule, most first (then by id): the per-rule lines of the text summary. */
export function countByRule(findings: readonly Finding[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const f of activeFindings(findings)) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
