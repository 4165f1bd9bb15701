// GitLab code quality report (artifacts:reports:codequality): a JSON array of issues with the fields GitLab
// documents (docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format): description, check_name,
// fingerprint, severity (info, minor, major, critical, blocker), location.path, location.lines.begin.
//
// Severity: note -> info, warning -> minor, error -> major, raised to critical when the rule's security
// severity is high (>= 7.0) and to blocker when it is critical (>= 9.0), the buckets GitHub uses for
// security-severity. Only errors are raised: a rule configured down to warning or note stays minor or info.
//
// GitLab shows only the first issue of a fingerprint ("Fingerprint of issue in same file is not unique"), so a
// repeated meshlint fingerprint (identical parse errors in one file) gets its occurrence number mixed in.
// The fingerprint never includes the line, so the merge-request widget does not see moved findings as new.
import { createHash } from 'node:crypto';
import type { LintResult } from '../engine/run.js';
import type { Severity } from '../engine/rule.js';
import { activeFindings, notLinted } from './summary.js';

export type GitlabSeverity = 'info' | 'minor' | 'major' | 'critical' | 'blocker';

export interface GitlabIssue {
  readonly description: string;
  readonly check_name: string;
  readonly fingerprint: string;
  readonly severity: GitlabSeverity;
  readonly location: { readonly path: string; readonly lines: { readonly begin: number } };
}

export function gitlabSeverity(severity: Severity, securitySeverity: number): GitlabSeverity {
  if (severity === 'note') return 'info';
  if (severity === 'warning') return 'minor';
  return securitySeverity >= 9 ? 'blocker' : securitySeverity >= 7 ? 'critical' : 'major';
}

function gitlabIssues(result: Pick<LintResult, 'findings' | 'rules'>): GitlabIssue[] {
  const security = new Map(result.rules.map((r) => [r.id, r.securitySeverity]));
  const seen = new Map<string, number>();
  return activeFindings(result.findings).map((f) => {
    const occurrence = seen.get(f.fingerprint) ?? 0;
    seen.set(f.fingerprint, occurrence + 1);
    const fingerprint =
      occurrence === 0
        ? f.fingerprint
        : createHash('sha256').update(`${f.fingerprint}\0${occurrence}`).digest('hex').slice(0, 32);
    return {
      description: f.message,
      check_name: f.ruleId,
      fingerprint,
      severity: gitlabSeverity(f.severity, security.get(f.ruleId) ?? 0),
      location: { path: f.file, lines: { begin: f.range.startLine } },
    };
  });
}

/** A file that was not linted is an issue of its own: the report has no other place to say so. */
export function notLintedIssues(notices: LintResult['notices']): GitlabIssue[] {
  return notLinted(notices).map((n) => ({
    description: `Not linted: ${n.message}`,
    check_name: 'not-linted',
    fingerprint: createHash('sha256')
      .update(`not-linted\0${n.file ?? ''}`)
      .digest('hex')
      .slice(0, 32),
    severity: 'minor',
    location: { path: n.file ?? 'stdin', lines: { begin: 1 } },
  }));
}

export function formatGitlab(
  result: Pick<LintResult, 'findings' | 'rules'> & { notices?: LintResult['notices'] },
): string {
  return `${JSON.stringify([...gitlabIssues(result), ...notLintedIssues(result.notices ?? [])], null, 2)}\n`;
}
