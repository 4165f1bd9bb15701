import type { Finding, Notice } from '../engine/run.js';
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
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
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
export function verdict(result: { readonly findings: readonly Finding[]; readonly stats: { readonly files: number; readonly resources: number }; readonly notices?: readonly Notice[] }): { problems: boolean; incomplete: boolean; text: string } {
  const counts = countFindings(result.findings);
  const total = counts.error + counts.warning + counts.note;
  const scanned = `${plural(result.stats.files, 'file')}, ${plural(result.stats.resources, 'resource')} scanned`;
  const suppressed = counts.suppressed ? `, ${counts.suppressed} suppressed` : '';
  // What was left out is said in the same sentence: a skipped chart never reads as a plain "no problems".
  const skipped = skippedSummary(result.notices);
  const tail = skipped ? `; ${skipped}` : '';
  if (total === 0) return { problems: false, incomplete: skipped !== undefined, text: `no problems${skipped ? ' in what was linted' : ''} (${scanned}${suppressed})${tail}` };
  const files = new Set(activeFindings(result.findings).map((f) => f.file)).size;
  const bySeverity = `${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.note, 'note')}`;
  return { problems: true, incomplete: skipped !== undefined, text: `${plural(total, 'problem')} (${bySeverity}) in ${plural(files, 'file')} (${scanned}${suppressed})${tail}` };
}

/**
 * What a scan left out, for summary lines: "1 Helm chart not linted: render it with helm template", "2 notices".
 * Undefined when nothing was left out.
 */
export function skippedSummary(notices: readonly Notice[] = []): string | undefined {
  const charts = notices.filter((n) => n.kind === 'helm-chart').length;
  const others = notices.length - charts;
  const parts: string[] = [];
  if (charts) parts.push(`${plural(charts, 'Helm chart')} not linted: render ${charts === 1 ? 'it' : 'them'} with helm template`);
  if (others) parts.push(plural(others, 'notice'));
  return parts.length ? parts.join('; ') : undefined;
}

/** Active findings per rule, most first (then by id): the per-rule lines of the text summary. */
export function countByRule(findings: readonly Finding[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const f of activeFindings(findings)) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
