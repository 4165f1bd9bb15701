// A rule's documentation page, generated from its metadata and its examples as the engine runs them.
import type { AnyRule } from '../engine/rule.js';
import { exampleFiles, runExample } from '../engine/examples.js';
import { formatCompact } from './compact.js';

function securityLevel(score: number): string {
  return score >= 9 ? 'critical' : score >= 7 ? 'high' : score >= 4 ? 'medium' : 'low';
}

export function renderRuleDoc(rule: AnyRule, allRules: readonly AnyRule[]): string {
  const out: string[] = [
    rule.source === undefined
      ? `<!-- Generated from rules/${rule.family}/${rule.id}.ts by \`npm run docs\`. Do not edit. -->`
      : `<!-- A custom rule, defined in ${rule.source}. -->`,
    `# ${rule.id}`,
    '',
    `**${rule.title}.**`,
    '',
    '| | |',
    '|---|---|',
    `| Default severity | \`${rule.severity}\` |`,
    `| Security severity | ${rule.securitySeverity.toFixed(1)} (${securityLevel(rule.securitySeverity)}) |`,
    `| Family | ${rule.family} |`,
    `| Tags | ${rule.tags.join(', ')} |`,
    '',
    '## Why',
    '',
    rule.description.trim(),
    '',
    '## How to fix',
    '',
    rule.remediation.trim(),
    '',
  ];
  if (rule.options) {
    out.push(
      '## Options',
      '',
      '```json',
      JSON.stringify({ schema: rule.options.schema, defaults: rule.options.defaults }, null, 2),
      '```',
      '',
    );
  }
  out.push('## Examples', '');
  for (const [kind, mark] of [
    ['invalid', '❌'],
    ['valid', '✅'],
  ] as const) {
    for (const [name, example] of Object.entries(rule.examples[kind])) {
      out.push(`### ${mark} ${name}`, '');
      const files = exampleFiles(example);
      for (const [fileName, text] of Object.entries(files)) {
        if (Object.keys(files).length > 1) out.push(`\`${fileName}\``, '');
        out.push('```yaml', text.trimEnd(), '```', '');
      }
      const findings = formatCompact(runExample(rule, example, allRules));
      out.push(
        findings ? `meshlint reports:\n\n\`\`\`text\n${findings.trimEnd()}\n\`\`\`` : 'meshlint reports nothing here.',
        '',
      );
    }
  }
  if (rule.references?.length) {
    out.push('## References', '', ...rule.references.map((r) => `- <${r}>`), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
