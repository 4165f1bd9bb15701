// The GitHub job summary as data: headings, paragraphs and tables in the cell shape of @actions/core's
// summary.addTable (cell data is raw HTML there, so every text is escaped here). The Action renders it with
// core.summary; keeping it here keeps the Action entry thin and the content testable.
import type { Finding, LintResult } from '../engine/run.js';
import type { Severity } from '../engine/rule.js';
import { ruleHelpUrls } from '../version.js';
import {
  ANNOTATIONS_PER_LEVEL,
  bySeverity,
  describeOmitted,
  describeOmittedRules,
  type AnnotationPlan,
} from './github.js';
import { countFindings, plural, verdict } from './summary.js';

export type SummaryCell = string | { readonly data: string; readonly header?: boolean };

export type SummaryBlock =
  | { readonly kind: 'heading'; readonly text: string; readonly level: 2 | 3 }
  | { readonly kind: 'paragraph'; readonly html: string }
  | { readonly kind: 'table'; readonly rows: readonly (readonly SummaryCell[])[] };

const SUMMARY_TOP_FINDINGS = 50;

export interface JobSummaryOptions {
  /** The annotation plan the step used; its omitted findings are counted in the summary. */
  readonly plan?: AnnotationPlan;
  /** A link to a file and line (e.g. https://github.com/o/r/blob/<sha>/<file>#L<line>), when the repository is known. */
  readonly fileUrl?: (file: string, line: number) => string | undefined;
  /** Extra sentences (plain text) under the status line: changed files, baseline, where the SARIF is. */
  readonly notes?: readonly string[];
  readonly top?: number;
  /** Where the SARIF report with every finding was written; absent when none was. */
  readonly sarifFile?: string;
}

const SEVERITY_ICON: Record<Severity, string> = { error: '🔴', warning: '🟠', note: '🔵' };

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function link(href: string | undefined, text: string): string {
  return href ? `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>` : escapeHtml(text);
}

function code(text: string, href?: string): string {
  return href
    ? `<a href="${escapeHtml(href)}"><code>${escapeHtml(text)}</code></a>`
    : `<code>${escapeHtml(text)}</code>`;
}

export function jobSummary(
  result: Pick<LintResult, 'findings' | 'rules' | 'stats'> & Partial<Pick<LintResult, 'notices'>>,
  options: JobSummaryOptions = {},
): SummaryBlock[] {
  const { problems, incomplete, text } = verdict(result);
  const blocks: SummaryBlock[] = [{ kind: 'heading', text: 'meshlint', level: 2 }];
  blocks.push({
    kind: 'paragraph',
    html: escapeHtml(`${problems ? '✖' : incomplete ? '⚠' : '✔'} ${text[0].toUpperCase()}${text.slice(1)}.`),
  });
  for (const note of options.notes ?? []) blocks.push({ kind: 'paragraph', html: escapeHtml(note) });
  const everyFinding = options.sarifFile ? `; the SARIF report ${options.sarifFile} has them all` : '';
  const omitted = options.plan?.omitted ?? [];
  if (omitted.length) {
    blocks.push({
      kind: 'paragraph',
      html: escapeHtml(
        `${plural(omitted.length, 'more finding')} (${describeOmitted(omitted)}) ${omitted.length === 1 ? 'is' : 'are'} not annotated: GitHub shows at most ${ANNOTATIONS_PER_LEVEL} error, ${ANNOTATIONS_PER_LEVEL} warning and ${ANNOTATIONS_PER_LEVEL} notice annotations per step. Not annotated: ${describeOmittedRules(omitted)}. The most severe findings are listed below${everyFinding}.`,
      ),
    });
  }
  if (!problems) return blocks;
  const counts = countFindings(result.findings);

  blocks.push({ kind: 'heading', text: 'By severity', level: 3 });
  blocks.push({
    kind: 'table',
    rows: [
      [
        { data: 'Severity', header: true },
        { data: 'Findings', header: true },
      ],
      ...(['error', 'warning', 'note'] as const).map((s) => [`${SEVERITY_ICON[s]} ${s}`, String(counts[s])]),
    ],
  });

  const byRule = new Map<string, { count: number; severities: Set<Severity> }>();
  for (const f of result.findings) {
    if (f.suppression) continue;
    const entry = byRule.get(f.ruleId) ?? { count: 0, severities: new Set<Severity>() };
    entry.count++;
    entry.severities.add(f.severity);
    byRule.set(f.ruleId, entry);
  }
  const titles = new Map(result.rules.map((r) => [r.id, r.title]));
  const url = ruleHelpUrls(result.rules);
  blocks.push({ kind: 'heading', text: 'By rule', level: 3 });
  blocks.push({
    kind: 'table',
    rows: [
      [
        { data: 'Rule', header: true },
        { data: 'Severity', header: true },
        { data: 'Findings', header: true },
        { data: 'What it wants', header: true },
      ],
      ...[...byRule.entries()]
        .sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))
        .map(([id, e]) => [
          code(id, url(id)),
          (['error', 'warning', 'note'] as const).filter((s) => e.severities.has(s)).join(', '),
          String(e.count),
          escapeHtml(titles.get(id) ?? ''),
        ]),
    ],
  });

  const ordered = bySeverity(result);
  const top = options.top ?? SUMMARY_TOP_FINDINGS;
  blocks.push({ kind: 'heading', text: ordered.length > top ? `Top ${top} findings` : 'Findings', level: 3 });
  blocks.push({
    kind: 'table',
    rows: [
      [
        { data: 'Severity', header: true },
        { data: 'Rule', header: true },
        { data: 'Location', header: true },
        { data: 'Message', header: true },
      ],
      ...ordered
        .slice(0, top)
        .map((f: Finding) => [
          `${SEVERITY_ICON[f.severity]} ${f.severity}`,
          code(f.ruleId, url(f.ruleId)),
          link(options.fileUrl?.(f.file, f.range.startLine), `${f.file}:${f.range.startLine}:${f.range.startColumn}`),
          escapeHtml(f.message),
        ]),
    ],
  });
  if (ordered.length > top) {
    blocks.push({
      kind: 'paragraph',
      html: escapeHtml(`…and ${ordered.length - top} more (${describeOmitted(ordered.slice(top))})${everyFinding}.`),
    });
  }
  return blocks;
}
