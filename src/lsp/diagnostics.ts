// What a finding becomes in the editor: a diagnostic (range, severity, rule id linked to its page, related
// locations), quick fixes (the rule's own fix and a suppression comment) and a hover with the rule's why and fix.
import { pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  DiagnosticSeverity,
  MarkupKind,
  type CodeAction,
  type Diagnostic,
  type Hover,
  type Position,
  type TextEdit,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { fixEdits, suppressionEdit, type TextEdit as OffsetEdit } from '../engine/fix.js';
import type { Range } from '../location/locate.js';
import type { AnyRule, Severity } from '../engine/rule.js';
import type { Finding } from '../engine/run.js';
import { ruleDocUrl, TOOL_NAME } from '../version.js';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  note: DiagnosticSeverity.Information,
};

/** Diagnostics carry the finding's fingerprint, by which code actions find the finding again. */
export interface DiagnosticData {
  readonly fingerprint: string;
}

export function toDiagnostic(f: Finding, workspace: { absolutePath(shown: string): string }): Diagnostic {
  return {
    range: toLspRange(f.range),
    severity: SEVERITY[f.severity],
    code: f.ruleId,
    codeDescription: { href: ruleDocUrl(f.ruleId) },
    source: TOOL_NAME,
    message: f.message,
    ...(f.related.length
      ? {
          relatedInformation: f.related.map((r) => ({
            location: { uri: pathToFileURL(workspace.absolutePath(r.file)).href, range: toLspRange(r.range) },
            message: r.message,
          })),
        }
      : {}),
    data: { fingerprint: f.fingerprint } satisfies DiagnosticData,
  };
}

/** 1-based, end column exclusive -> the protocol's 0-based positions (UTF-16 code units in both). */
export function toLspRange(range: Range): { start: Position; end: Position } {
  return {
    start: { line: range.startLine - 1, character: range.startColumn - 1 },
    end: { line: range.endLine - 1, character: range.endColumn - 1 },
  };
}

export function codeActionsFor(document: TextDocument, finding: Finding, diagnostic: Diagnostic): CodeAction[] {
  const text = document.getText();
  const actions: CodeAction[] = [];
  const toEdits = (edits: readonly OffsetEdit[]): TextEdit[] =>
    edits.map((e) => ({
      range: { start: document.positionAt(e.start), end: document.positionAt(e.end) },
      newText: e.text,
    }));
  if (finding.fix) {
    const edits = fixEdits(text, finding.fix);
    if (edits) {
      actions.push({
        title: finding.fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: true,
        edit: { changes: { [document.uri]: toEdits(edits) } },
      });
    }
  }
  // JSON has no comments: a suppression there would make the file YAML that only meshlint reads.
  const suppression = /\.json$/i.test(document.uri)
    ? undefined
    : suppressionEdit(text, finding.range.startLine, finding.ruleId);
  if (suppression) {
    actions.push({
      title: `Suppress ${finding.ruleId} on this line (write the reason after --)`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      edit: { changes: { [document.uri]: toEdits([suppression]) } },
    });
  }
  return actions;
}

export function hoverFor(findings: readonly Finding[], position: Position, rules: readonly AnyRule[]): Hover | null {
  const here = findings.filter((f) => !f.suppression && contains(toLspRange(f.range), position));
  if (here.length === 0) return null;
  const byId = new Map(rules.map((r) => [r.id, r]));
  const sections = here.map((f) => {
    const rule = byId.get(f.ruleId);
    const heading = `**${rule?.title ?? f.ruleId}** ([${f.ruleId}](${ruleDocUrl(f.ruleId)}), ${f.severity})`;
    return [
      heading,
      f.message,
      rule ? `**Why.** ${rule.description}` : '',
      rule ? `**How to fix.** ${rule.remediation}` : '',
    ]
      .filter(Boolean)
      .join('\n\n');
  });
  return {
    contents: { kind: MarkupKind.Markdown, value: sections.join('\n\n---\n\n') },
    range: toLspRange(here[0].range),
  };
}

function contains(range: { start: Position; end: Position }, p: Position): boolean {
  const after = p.line > range.start.line || (p.line === range.start.line && p.character >= range.start.character);
  const before = p.line < range.end.line || (p.line === range.end.line && p.character <= range.end.character);
  return after && before;
}
