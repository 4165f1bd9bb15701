// Runs a rule's examples through the real engine: used by the tests, the docs generator and --explain.
import { parseSource } from '../parse/source.js';
import { MANIFEST_PARSE_OPTIONS } from '../model/kubernetes/reader.js';
import { defaultConfig, type RuleSetting } from './config.js';
import { lint, type LintResult } from './run.js';
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
