// A stable JSON shape (documented in README.md, "JSON output"). Add fields; never rename or remove them.
import type { LintResult } from '../engine/run.js';
import { formatPath } from '../model/values.js';
import { TOOL_NAME, VERSION } from '../version.js';
import { countFindings, notLinted } from './summary.js';

const JSON_FORMAT_VERSION = 1;

export function formatJson(result: Pick<LintResult, 'findings' | 'notices' | 'stats'>): string {
  const counts = countFindings(result.findings);
  const output = {
    formatVersion: JSON_FORMAT_VERSION,
    tool: { name: TOOL_NAME, version: VERSION },
    summary: {
      ...result.stats,
      errors: counts.error,
      warnings: counts.warning,
      notes: counts.note,
      suppressed: counts.suppressed,
      notLinted: notLinted(result.notices).length,
    },
    findings: result.findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      file: f.file,
      line: f.range.startLine,
      column: f.range.startColumn,
      endLine: f.range.endLine,
      endColumn: f.range.endColumn,
      resource: f.resource ?? null,
      path: formatPath(f.path),
      related: f.related.map((r) => ({
        file: r.file,
        line: r.range.startLine,
        column: r.range.startColumn,
        endLine: r.range.endLine,
        endColumn: r.range.endColumn,
        message: r.message,
      })),
      fingerprint: f.fingerprint,
      suppression: f.suppression ?? null,
    })),
    notices: result.notices.map((n) => ({
      file: n.file ?? null,
      message: n.message,
      kind: n.kind ?? null,
      notLinted: n.notLinted === true,
    })),
  };
  return `${JSON.stringify(output, null, 2)}\n`;
}
