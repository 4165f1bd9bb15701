// A stable JSON shape (documented in README.md, "JSON output"). Add fields; never rename or remove them.
import type { Finding, LintResult, Notice } from '../engine/run.js';
import { formatPath } from '../model/values.js';
import { TOOL_NAME, VERSION } from '../version.js';
import { countFindings, notLinted } from './summary.js';
import { FINDINGS_PER_BATCH, memberArray } from './batches.js';

const JSON_FORMAT_VERSION = 1;

export function formatJson(result: Pick<LintResult, 'findings' | 'notices' | 'stats'>): string {
  return [...jsonChunks(result)].join('');
}

/**
 * The text of formatJson in pieces, a batch of findings at a time, so that a report of many findings is written
 * without being held whole (as one string, its copy in bytes and a JSON-ready object per finding). The bytes are
 * exactly JSON.stringify's with an indent of 2: each batch is stringified as one array and indented to its depth.
 */
export function* jsonChunks(
  result: Pick<LintResult, 'findings' | 'notices' | 'stats'>,
  batchSize = FINDINGS_PER_BATCH,
): Generator<string> {
  const counts = countFindings(result.findings);
  const head = JSON.stringify(
    {
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
    },
    null,
    2,
  );
  // The head ends with the object's closing "\n}": the two arrays follow as its last members.
  yield `${head.slice(0, -2)},\n  "findings": `;
  yield* memberArray(result.findings, jsonFinding, batchSize, 1);
  yield ',\n  "notices": ';
  yield* memberArray(result.notices, jsonNotice, batchSize, 1);
  yield '\n}\n';
}

function jsonFinding(f: Finding): object {
  return {
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
  };
}

function jsonNotice(n: Notice): object {
  return {
    file: n.file ?? null,
    message: n.message,
    kind: n.kind ?? null,
    notLinted: n.notLinted === true,
  };
}
