// path:line:col: severity: message [rule-id], the gcc form that VS Code, Vim, Emacs and GitHub matchers parse.
import type { LintResult } from '../engine/run.js';
import { activeFindings, escapeControl, notLinted, oneLine, plural } from './summary.js';

export function formatCompact(result: Pick<LintResult, 'findings'> & { notices?: LintResult['notices'] }): string {
  const lines = activeFindings(result.findings).map(
    (f) => `${compactLocation(f.file, f.range)}: ${f.severity}: ${oneLine(f.message)} [${f.ruleId}]\n`,
  );
  // Not a finding line (matchers skip it), but a run that read less than it was given must say so.
  const skipped = notLinted(result.notices ?? []);
  if (skipped.length)
    lines.push(
      `meshlint: ${plural(skipped.length, 'file')} not linted: ${skipped.map((n) => escapeControl(n.file ?? 'stdin')).join(', ')}\n`,
    );
  return lines.join('');
}

export function compactLocation(
  file: string,
  range: { readonly startLine: number; readonly startColumn: number },
): string {
  return `${escapeControl(file)}:${range.startLine}:${range.startColumn}`;
}
