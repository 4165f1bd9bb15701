import type { Finding, Notice } from '../engine/run.js';
import { SEVERITY_RANK, type Severity } from '../engine/rule.js';
import { compareText } from '../arrays.js';

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

/** The files (or standard input) that were not linted at all, each once, in the order reported. */
export function notLinted(notices: readonly Notice[]): Notice[] {
  const seen = new Set<string>();
  return notices.filter((n) => n.notLinted && !seen.has(n.file ?? '') && seen.add(n.file ?? ''));
}

/** ", 2 files not linted", the part of every summary that says what was not read. */
export function notLintedSummary(notices: readonly Notice[]): string {
  const count = notLinted(notices).length;
  return count ? `, ${plural(count, 'file')} not linted` : '';
}

export function activeFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => !f.suppression);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One line of text: messages never span lines in line-based formats, and carry no control characters. */
export function oneLine(text: string): string {
  const lines = text.split(/[\r\n]+/);
  return escapeControl(
    lines
      .map((line, i) => (i > 0 ? line.trimStart() : line))
      .map((line, i) => (i < lines.length - 1 ? line.trimEnd() : line))
      .join(' '),
  );
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Control characters (an ESC sequence in a container name or a file name would reach the terminal raw; a newline
 * would split a line of the compact format) and the bidirectional overrides that reorder what a reader sees,
 * written as visible escapes.
 */
export function escapeControl(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
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
export function verdict(result: {
  readonly findings: readonly Finding[];
  readonly stats: { readonly files: number; readonly resources: number };
  readonly notices?: readonly Notice[];
}): { problems: boolean; incomplete: boolean; text: string } {
  const counts = countFindings(result.findings);
  const total = counts.error + counts.warning + counts.note;
  const scanned = `${plural(result.stats.files, 'file')}, ${plural(result.stats.resources, 'resource')} scanned`;
  const notRead = notLintedSummary(result.notices ?? []);
  const suppressed = (counts.suppressed ? `, ${counts.suppressed} suppressed` : '') + notRead;
  // What was left out is said in the same sentence: a skipped chart or unread file never reads as "no problems".
  const skipped = skippedSummary(result.notices);
  const tail = skipped ? `; ${skipped}` : '';
  const incomplete = skipped !== undefined || notRead !== '';
  if (total === 0)
    return {
      problems: false,
      incomplete,
      text: `no problems${incomplete ? ' in what was linted' : ''} (${scanned}${suppressed})${tail}`,
    };
  const files = new Set(activeFindings(result.findings).map((f) => f.file)).size;
  const bySeverity = `${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.note, 'note')}`;
  return {
    problems: true,
    incomplete,
    text: `${plural(total, 'problem')} (${bySeverity}) in ${plural(files, 'file')} (${scanned}${suppressed})${tail}`,
  };
}

/**
 * What a scan left out, for summary lines: "1 Helm chart not linted: render it with helm template", "2 notices".
 * Undefined when nothing was left out.
 */
export function skippedSummary(notices: readonly Notice[] = []): string | undefined {
  const charts = notices.filter((n) => n.kind === 'helm-chart').length;
  // Files not linted at all are counted on their own (notLintedSummary).
  const others = notices.filter((n) => n.kind !== 'helm-chart' && !n.notLinted).length;
  const parts: string[] = [];
  if (charts)
    parts.push(`${plural(charts, 'Helm chart')} not linted: render ${charts === 1 ? 'it' : 'them'} with helm template`);
  if (others) parts.push(plural(others, 'notice'));
  return parts.length ? parts.join('; ') : undefined;
}

/** Active findings per rule, most first (then by id): the per-rule lines of the text summary. */
export function countByRule(findings: readonly Finding[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const f of activeFindings(findings)) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]));
}
