// Runs a rule's examples through the real engine: used by the tests, the docs generator and --explain.
import { parseSource } from '../parse/source.js';
import { MANIFEST_PARSE_OPTIONS } from '../model/kubernetes/reader.js';
import { defaultConfig, type RuleSetting } from './config.js';
import { lint, type Finding, type LintResult } from './run.js';
import type { AnyRule, ExampleFiles } from './rule.js';

export function exampleFiles(example: ExampleFiles): Record<string, string> {
  return typeof example === 'string' ? { 'example.yaml': example } : { ...example };
}

/** Lints an example with only `rule` enabled (every rule stays known, so suppressions can name them). */
export function runExample(rule: AnyRule, example: ExampleFiles, allRules: readonly AnyRule[]): LintResult {
  const files = Object.entries(exampleFiles(example)).map(([name, text]) => parseSource(name, text, MANIFEST_PARSE_OPTIONS));
  const settings = new Map<string, RuleSetting>(allRules.filter((r) => r.id !== rule.id).map((r) => [r.id, { severity: 'off' }]));
  const known = allRules.some((r) => r.id === rule.id) ? allRules : [...allRules, rule];
  return lint({ files, rules: known, config: { ...defaultConfig('.'), rules: settings } });
}

const MARKER = /#\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*$/;

/** `file:line rule-id` for every `# expect: <rule-id>[, <rule-id>...]` marker (a rule named twice expects two findings). */
export function expectedFindings(file: string, text: string, onlyRule?: string): string[] {
  const expected: string[] = [];
  text.split('\n').forEach((line, i) => {
    const match = MARKER.exec(line);
    if (!match) return;
    for (const id of match[1].split(/\s*,\s*/)) {
      if (!onlyRule || id === onlyRule) expected.push(`${file}:${i + 1} ${id}`);
    }
  });
  return expected.sort();
}

/** The unsuppressed findings in the same form as expectedFindings. */
export function actualFindings(findings: readonly Finding[], onlyRule?: string): string[] {
  return findings
    .filter((f) => !f.suppression && (!onlyRule || f.ruleId === onlyRule))
    .map((f) => `${f.file}:${f.range.startLine} ${f.ruleId}`)
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
      const expected = kind === 'invalid' ? Object.entries(exampleFiles(example)).flatMap(([file, text]) => expectedFindings(file, text, rule.id)).sort() : [];
      const actual = actualFindings(runExample(rule, example, allRules).findings, rule.id);
      const ok = (kind === 'valid' || expected.length > 0) && expected.length === actual.length && expected.every((e, i) => e === actual[i]);
      out.push({ kind, name, ok, expected, actual });
    }
  }
  return out;
}
