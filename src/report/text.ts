// The human format: findings grouped by file, coloured when the caller says the stream can show colour.
import { styleText } from 'node:util';
import type { LintResult } from '../engine/run.js';
import type { Severity } from '../engine/rule.js';
import { activeFindings, countFindings, escapeControl, notLintedSummary, oneLine, plural } from './summary.js';

type Style = Parameters<typeof styleText>[0];

export function formatText(result: Pick<LintResult, 'findings' | 'stats'> & { notices?: LintResult['notices'] }, options: { color: boolean }): string {
  const paint = (style: Style, text: string) => (options.color ? styleText(style, text, { validateStream: false }) : text);
  const severityStyle: Record<Severity, Style> = { error: 'red', warning: 'yellow', note: 'cyan' };
  const findings = activeFindings(result.findings);
  const lines: string[] = [];
  let currentFile: string | undefined;
  for (const f of findings) {
    if (f.file !== currentFile) {
      if (currentFile !== undefined) lines.push('');
      lines.push(paint('underline', escapeControl(f.file)));
      currentFile = f.file;
    }
    const where = `${f.range.startLine}:${f.range.startColumn}`.padEnd(8);
    lines.push(`  ${paint('dim', where)}${paint(severityStyle[f.severity], f.severity.padEnd(9))}${oneLine(f.message)}  ${paint('dim', f.ruleId)}`);
    for (const r of f.related) {
      lines.push(`  ${' '.repeat(16)}${paint('dim', `↳ ${escapeControl(r.file)}:${r.range.startLine}:${r.range.startColumn}: ${oneLine(r.message)}`)}`);
    }
  }
  const counts = countFindings(result.findings);
  const total = counts.error + counts.warning + counts.note;
  const scanned = `${plural(result.stats.files, 'file')}, ${plural(result.stats.resources, 'resource')} scanned`;
  const suppressed = (counts.suppressed ? `, ${counts.suppressed} suppressed` : '') + notLintedSummary(result.notices ?? []);
  if (lines.length) lines.push('');
  if (total === 0) {
    lines.push(paint(notLintedSummary(result.notices ?? []) ? 'yellow' : 'green', `✔ no problems (${scanned}${suppressed})`));
  } else {
    const summary = `✖ ${plural(total, 'problem')} (${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.note, 'note')}) in ${scanned}${suppressed}`;
    lines.push(paint(counts.error ? 'red' : 'yellow', summary));
  }
  return `${lines.join('\n')}\n`;
}
