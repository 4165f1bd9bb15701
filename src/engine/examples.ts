// Runs a rule's examples through the real engine: used by the tests, the docs generator and --explain.
import { parseSource } from '../parse/source.js';
import { MANIFEST_PARSE_OPTIONS } from '../model/kubernetes/reader.js';
import { CONFIG_NAMES, defaultConfig, parseConfig, type RuleSetting } from './config.js';
import { lint, type Finding, type LintResult } from './run.js';
import type { AnyRule, ExampleFiles } from './rule.js';

export function exampleFiles(example: ExampleFiles): Record<string, string> {
  return typeof example === 'string' ? { 'example.yaml': example } : { ...example };
}

/** Lints an example with only `rule` enabled (every rule stays known, so suppressions can name them). */
export function runExample(rule: AnyRule, example: ExampleFiles, allRules: readonly AnyRule[]): LintResult {
  // A `.meshlint.yaml` among an example's files is its configuration (a rule that reads the settings shows them).
  const entries = Object.entries(exampleFiles(example));
  const configText = entries.find(([name]) => CONFIG_NAMES.includes(name))?.[1];
  const base = configText ? parseConfig(configText, allRules, '.meshlint.yaml', '.') : defaultConfig('.');
  const files = entries
    .filter(([name]) => !CONFIG_NAMES.includes(name))
    .map(([name, text]) => parseSource(name, text, MANIFEST_PARSE_OPTIONS));
  const settings = new Map<string, RuleSetting>(
    allRules.filter((r) => r.id !== rule.id).map((r) => [r.id, { severity: 'off' }]),
  );
  const known = allRules.some((r) => r.id === rule.id) ? allRules : [...allRules, rule];
  return lint({ files, rules: known, config: { ...base, rules: settings } });
}

// The `# expect:` markers of examples and fixtures: the findings that must start on the marker's line, with their span.
//   # expect: rule-id @13-17                 one finding from column 13 to 17 (1-based, end exclusive)
//   # expect: rule-a @3-10, rule-b @12-20    several findings on one line
//   # expect: rule-id @27-+3:44              a finding that ends 3 lines further down, at column 44
// A marker without a span, or with anything else the grammar does not know, is an error: no marker stays unchecked.
const MARKER = /#\s*expect:(.*)/;
const ENTRY = /^([a-z0-9-]+)\s+@([1-9]\d*)-(?:\+([1-9]\d*):)?([1-9]\d*)$/;

/** The span as a marker writes it, relative to the start line. */
export function spanText(range: Finding['range']): string {
  const lines = range.endLine - range.startLine;
  return `@${range.startColumn}-${lines === 0 ? '' : `+${lines}:`}${range.endColumn}`;
}

/** `file:line rule-id @span` for every marker entry (a rule named twice on a line expects two findings there). */
export function expectedFindings(file: string, text: string, onlyRule?: string): string[] {
  const expected: string[] = [];
  text.split('\n').forEach((line, i) => {
    const match = MARKER.exec(line.replace(/\r$/, ''));
    if (!match) return;
    for (const entry of match[1].split(',').map((e) => e.trim())) {
      const parsed = ENTRY.exec(entry);
      if (!parsed)
        throw new Error(
          `${file}:${i + 1}: "${entry}" is not "rule-id @start-end" (or "@start-+lines:end"); every marker states its span`,
        );
      const [, id, start, lines, end] = parsed;
      if (!lines && Number(end) <= Number(start))
        throw new Error(`${file}:${i + 1}: "${entry}" is an empty span (the end column is exclusive)`);
      if (!onlyRule || id === onlyRule)
        expected.push(`${file}:${i + 1} ${id} @${start}-${lines ? `+${lines}:` : ''}${end}`);
    }
  });
  return expected.sort();
}

/** The unsuppressed findings in the same form as expectedFindings. */
export function actualFindings(findings: readonly Finding[], onlyRule?: string): string[] {
  return findings
    .filter((f) => !f.suppression && (!onlyRule || f.ruleId === onlyRule))
    .map((f) => `${f.file}:${f.range.startLine} ${f.ruleId} ${spanText(f.range)}`)
    .sort();
}

export interface ExampleCheck {
  readonly kind: 'invalid' | 'valid';
  readonly name: string;
  readonly ok: boolean;
  /** Marked findings of the rule (none for a valid example). */
  readonly expected: readonly string[];
  readonly actual: readonly string[];
}

/**
 * Runs each example of a rule: an invalid one must yield exactly the findings its markers name (and name at least
 * one), a valid one none of this rule.
 */
export function checkExamples(rule: AnyRule, allRules: readonly AnyRule[]): ExampleCheck[] {
  const out: ExampleCheck[] = [];
  for (const kind of ['invalid', 'valid'] as const) {
    for (const [name, example] of Object.entries(rule.examples[kind])) {
      let expected: string[] = [];
      try {
        if (kind === 'invalid')
          expected = Object.entries(exampleFiles(example))
            .flatMap(([file, text]) => expectedFindings(file, text, rule.id))
            .sort();
      } catch (error) {
        // A marker the grammar does not know fails the example with its reason, never a stack trace.
        out.push({ kind, name, ok: false, expected: [(error as Error).message], actual: [] });
        continue;
      }
      const actual = actualFindings(runExample(rule, example, allRules).findings, rule.id);
      const ok =
        (kind === 'valid' || expected.length > 0) &&
        expected.length === actual.length &&
        expected.every((e, i) => e === actual[i]);
      out.push({ kind, name, ok, expected, actual });
    }
  }
  return out;
}
