// The source lines of reported findings, for the reports that show them (the HTML report's excerpts, the text
// format's code frames). One piece for both, so that a line holding a secret is masked the same way everywhere:
// a line any secret finding of the run covers (suppressed and baselined ones included), every line of a secret
// finding, a line of a parse error, and a line where a provider pattern matches are replaced by REDACTED_LINE.
import type { Finding } from './engine/run.js';
import { ENGINE_RULES, type AnyRule } from './engine/rule.js';
import { findProviderSecrets } from './secrets/providers.js';

export const REDACTED_LINE = '‹line not shown: it holds a secret›';
/** Longer lines are cut here (and end with …). */
export const EXCERPT_MAX = 200;
/** Lines kept per finding, from its first. */
export const EXCERPT_LINES = 3;

/** "file:line" -> the line's text (masked or cut); the key of a finding's first line is `excerptKey(f.file, f.range.startLine)`. */
export type Excerpts = Readonly<Record<string, string>>;

export const excerptKey = (file: string, line: number) => `${file}:${line}`;

/** The rules whose findings are secrets: their lines are never shown. */
export function secretRuleIds(rules: readonly AnyRule[]): ReadonlySet<string> {
  return new Set(rules.filter((rule) => rule.family === 'secrets').map((rule) => rule.id));
}

/** The excerpts of `reported` findings; `textOf` gives a file's text by the path findings name. */
export function findingExcerpts(
  textOf: (path: string) => string | undefined,
  all: readonly Finding[],
  reported: readonly Finding[],
  secretRules: ReadonlySet<string>,
): Record<string, string> {
  const hidden = new Set<string>();
  for (const f of all) {
    if (!secretRules.has(f.ruleId)) continue;
    for (let line = f.range.startLine; line <= f.range.endLine; line++) hidden.add(excerptKey(f.file, line));
  }
  const lines = new Map<string, string[] | undefined>();
  const out: Record<string, string> = {};
  for (const f of reported) {
    if (!lines.has(f.file)) lines.set(f.file, textOf(f.file)?.split(/\r?\n/));
    const text = lines.get(f.file);
    if (!text) continue;
    const last = Math.min(f.range.endLine, f.range.startLine + EXCERPT_LINES - 1);
    for (let line = f.range.startLine; line <= last; line++) {
      const key = excerptKey(f.file, line);
      if (key in out || line > text.length) continue;
      const raw = text[line - 1];
      // A line of a document that could not be read was never checked for secrets: never shown.
      const secret =
        hidden.has(key) ||
        secretRules.has(f.ruleId) ||
        f.ruleId === ENGINE_RULES.parseError ||
        findProviderSecrets(raw).length > 0;
      out[key] = secret ? REDACTED_LINE : raw.length > EXCERPT_MAX ? `${raw.slice(0, EXCERPT_MAX)}…` : raw;
    }
  }
  return out;
}
