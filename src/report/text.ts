// The human format: findings grouped by file, coloured when the caller says the stream can show colour.
import { styleText } from 'node:util';
import type { Finding, LintResult } from '../engine/run.js';
import { excerptKey, REDACTED_LINE, type Excerpts } from '../excerpts.js';
import type { Severity } from '../engine/rule.js';
import { ruleHelpUrls } from '../version.js';
import { maximum } from '../arrays.js';
import { activeFindings, countByRule, countFindings, escapeControl, oneLine, verdict } from './summary.js';

type Style = Parameters<typeof styleText>[0];

export interface TextOptions {
  readonly color: boolean;
  /** Show a code frame (the finding's first line, its range underlined) when the result carries excerpts; default true. */
  readonly codeFrame?: boolean;
}

export function formatText(
  result: Pick<LintResult, 'findings' | 'stats'> &
    Partial<Pick<LintResult, 'rules' | 'notices'>> & { readonly excerpts?: Excerpts },
  options: TextOptions,
): string {
  const paint = (style: Style, text: string) =>
    options.color ? styleText(style, text, { validateStream: false }) : text;
  const severityStyle: Record<Severity, Style> = { error: 'red', warning: 'yellow', note: 'cyan' };
  const findings = activeFindings(result.findings);
  // A custom rule links to its first reference, if it has one.
  const url = ruleHelpUrls(result.rules ?? []);
  const excerpts = options.codeFrame === false ? undefined : result.excerpts;
  const lines: string[] = [];
  let currentFile: string | undefined;
  for (const f of findings) {
    if (f.file !== currentFile) {
      if (currentFile !== undefined) lines.push('');
      lines.push(paint('underline', escapeControl(f.file)));
      currentFile = f.file;
    }
    const where = `${f.range.startLine}:${f.range.startColumn}`.padEnd(8);
    lines.push(
      `  ${paint('dim', where)}${paint(severityStyle[f.severity], f.severity.padEnd(9))}${oneLine(f.message)}  ${paint('dim', f.ruleId)}`,
    );
    for (const r of f.related) {
      lines.push(
        `  ${' '.repeat(16)}${paint('dim', `↳ ${escapeControl(r.file)}:${r.range.startLine}:${r.range.startColumn}: ${oneLine(r.message)}`)}`,
      );
    }
    if (excerpts) {
      lines.push(
        ...codeFrame(f, excerpts).map(
          ({ gutter, text, underline }) =>
            `    ${paint('dim', gutter)}${text}${underline ? paint(severityStyle[f.severity], underline) : ''}`,
        ),
      );
      const link = url(f.ruleId);
      if (link) lines.push(`    ${paint('dim', `${' '.repeat(frameGutterWidth(f) + 1)}= ${link}`)}`);
    }
  }
  const { problems, incomplete, text } = verdict(result);
  if (lines.length) lines.push('');
  if (!problems) {
    lines.push(incomplete ? paint('yellow', `⚠ ${text}`) : paint('green', `✔ ${text}`));
  } else {
    lines.push(paint(countFindings(result.findings).error ? 'red' : 'yellow', `✖ ${text}`));
    const byRule = countByRule(result.findings);
    const width = maximum(
      byRule.map(([id]) => id.length),
      0,
    );
    for (const [id, n] of byRule)
      lines.push(`  ${id.padEnd(width)}  ${String(n).padStart(5)}  ${paint('dim', url(id) ?? '')}`.trimEnd());
  }
  return `${lines.join('\n')}\n`;
}

const frameGutterWidth = (f: Finding) => String(f.range.startLine).length + 1;

/**
 * The finding's first line with its range underlined (to the end of the line when the range goes on), as ESLint's
 * codeframe and rustc show it; a line holding a secret comes masked in the excerpts and is shown without underline.
 */
export function codeFrame(f: Finding, excerpts: Excerpts): { gutter: string; text: string; underline?: string }[] {
  const line = excerpts[excerptKey(f.file, f.range.startLine)];
  if (line === undefined) return [];
  const width = frameGutterWidth(f);
  const numbered = { gutter: `${String(f.range.startLine).padStart(width)} | `, text: line };
  if (line === REDACTED_LINE) return [numbered];
  const shown = line.endsWith('…') ? line.length - 1 : line.length;
  const start = Math.min(f.range.startColumn - 1, shown);
  const end = Math.min(f.range.endLine === f.range.startLine ? f.range.endColumn - 1 : shown, shown);
  // Tabs stay tabs, so that the marks sit under the text in any terminal.
  const lead = line.slice(0, start).replace(/[^\t]/g, ' ');
  return [numbered, { gutter: `${' '.repeat(width)} | `, text: lead, underline: '^'.repeat(Math.max(1, end - start)) }];
}
