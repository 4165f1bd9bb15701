// Writes docs/rules/<id>.md for every rule and the rule table in README.md. Run: npm run docs.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { RULES } from '../rules/index.js';
import { renderRuleDoc } from '../src/report/rule-doc.js';
import { ruleTable, README_TABLE_START, README_TABLE_END } from '../src/report/rule-table.js';

export function expectedDocs(): Map<string, string> {
  return new Map(RULES.map((rule) => [`docs/rules/${rule.id}.md`, renderRuleDoc(rule, RULES)]));
}

export function readmeWithTable(readme: string): string {
  const start = readme.indexOf(README_TABLE_START);
  const end = readme.indexOf(README_TABLE_END);
  if (start === -1 || end === -1) return readme;
  return `${readme.slice(0, start + README_TABLE_START.length)}\n${ruleTable(RULES)}${readme.slice(end)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  mkdirSync('docs/rules', { recursive: true });
  const docs = expectedDocs();
  for (const file of readdirSync('docs/rules')) {
    if (!docs.has(`docs/rules/${file}`)) rmSync(`docs/rules/${file}`);
  }
  for (const [path, text] of docs) {
    if (!existsSync(path) || readFileSync(path, 'utf8') !== text) writeFileSync(path, text);
  }
  if (existsSync('README.md')) {
    const readme = readFileSync('README.md', 'utf8');
    const updated = readmeWithTable(readme);
    if (updated !== readme) writeFileSync('README.md', updated);
  }
  console.log(`docs/rules: ${docs.size} pages`);
}
