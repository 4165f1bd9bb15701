// The human format: findings grouped by file, coloured when the caller says the stream can show colour.
import { styleText } from 'node:util';
import type { LintResult } from '../engine/run.js';
import type { Severity } from '../engine/rule.js';
import { ruleHelpUrls } from '../version.js';
import { activeFindings, countByRule, countFindings, oneLine, verdict } from './summary.js';

type Style = Parameters<typeof styleText>[0];

export function formatText(result: Pick<LintResult, 'findings' | 'stats'> & Partial<Pick<LintResult, 'rules' | 'notices'>>, options: { color: boolean }): string {
  const paint = (style: Style, text: string) => (options.color ? styleText(style, text, { validateStream: false }) : text);
  const severityStyle: Record<Severity, Style> = { error: 'red', warning: 'yellow', note: 'cyan' };
  const findings = activeFindings(result.findings);
  const lines: string[] = [];
  let currentFile: string | undefined;
  for (const f of findings) {
    if (f.file !== currentFile) {
      if (currentFile !== undefined) lines.push('');
      lines.push(paint('underline', f.file));
      currentFile = f.file;
    }
    const where = `${f.range.startLine}:${f.range.startColumn}`.padEnd(8);
    lines.push(`  ${paint('dim', where)}${paint(severityStyle[f.severity], f.severity.padEnd(9))}${oneLine(f.message)}  ${paint('dim', f.ruleId)}`);
    for (const r of f.related) {
      lines.push(`  ${' '.repeat(16)}${paint('dim', `↳ ${r.file}:${r.range.startLine}:${r.range.startColumn}: ${oneLine(r.message)}`)}`);
    }
  }
  const { problems, incomplete, text } = verdict(result);
  if (lines.length) lines.push('');
  if (!problems) {
    lines.push(incomplete ? paint('yellow', `⚠ ${text}`) : paint('green', `✔ ${text}`));
  } else {
    lines.push(paint(countFindings(result.findings).error ? 'red' : 'yellow', `✖ ${text}`));
    const byRule = countByRule(result.findings);
    const width = Math.max(...byRule.map(([id]) => id.length));
    // A custom rule links to its first reference, if it has one.
    const url = ruleHelpUrls(result.rules ?? []);
    for (const [id, n] of byRule) lines.push(`  ${id.padEnd(width)}  ${String(n).padStart(5)}  ${paint('dim', url(id) ?? '')}`.trimEnd());
  }
  return `${lines.join('\n')}\n`;
}
