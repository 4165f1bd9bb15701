// `meshlint test-rules [dir]`: runs the examples of custom rules through the real engine, as the test suite runs
// those of the built-in rules, and reports each one.
import { checkExamples, type ExampleCheck } from '../engine/examples.js';
import type { AnyRule } from '../engine/rule.js';

export interface RuleTest {
  readonly rule: AnyRule;
  readonly examples: readonly ExampleCheck[];
}

export function testRules(rules: readonly AnyRule[], allRules: readonly AnyRule[]): RuleTest[] {
  return rules.map((rule) => ({ rule, examples: checkExamples(rule, allRules) }));
}

export function failedCount(tests: readonly RuleTest[]): number {
  return tests.reduce((n, t) => n + t.examples.filter((e) => !e.ok).length, 0);
}

export function formatRuleTests(tests: readonly RuleTest[]): string {
  const out: string[] = [];
  let examples = 0;
  for (const { rule, examples: checks } of tests) {
    out.push(`${rule.id} (${rule.source ?? rule.family})`);
    if (!checks.some((c) => c.kind === 'invalid'))
      out.push('  note  no invalid example: nothing shows that the rule fires');
    for (const check of checks) {
      examples++;
      out.push(`  ${check.ok ? 'ok  ' : 'FAIL'}  ${check.kind} "${check.name}"`);
      if (check.ok) continue;
      if (check.kind === 'invalid' && check.expected.length === 0)
        out.push(`          no "# expect: ${rule.id} @start-end" marker in this invalid example`);
      const missing = check.expected.filter((e) => !check.actual.includes(e));
      const extra = check.actual.filter((a) => !check.expected.includes(a));
      for (const m of missing) out.push(`          expected, not reported: ${m}`);
      for (const e of extra) out.push(`          reported, not expected: ${e}`);
    }
  }
  const failed = failedCount(tests);
  out.push(
    '',
    `${tests.length} custom rule${tests.length === 1 ? '' : 's'}, ${examples} example${examples === 1 ? '' : 's'}: ${examples - failed} passed, ${failed} failed`,
  );
  return `${out.join('\n')}\n`;
}
