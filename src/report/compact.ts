// path:line:col: severity: message [rule-id], the gcc form that VS Code, Vim, Emacs and GitHub matchers parse.
import type { LintResult } from '../engine/run.js';
import { activeFindings, oneLine } from './summary.js';

export function formatCompact(result: Pick<LintResult, 'findings'>): string {
  return activeFindings(result.findings)
    .map((f) => `${f.file}:${f.range.startLine}:${f.range.startColumn}: ${f.severity}: ${oneLine(f.message)} [${f.ruleId}]\n`)
    .join('');
}
