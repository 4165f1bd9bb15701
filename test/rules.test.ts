// Every rule's examples run through the real engine: an invalid example yields exactly its marked findings of
// that rule, a valid example none. Plus the conventions every rule must keep.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULES } from '../rules/index.js';
import { exampleFiles, runExample } from '../src/engine/examples.js';
import { rulesIndexSource } from '../scripts/gen-rules-index.js';
import { actualFindings, expectedFindings } from './expect.js';

describe.each(RULES.map((rule) => [rule.id, rule] as const))('rule %s', (_id, rule) => {
  it.each(Object.entries(rule.examples.invalid))(
    'fires on invalid example "%s" exactly where marked',
    (_name, example) => {
      const expected = Object.entries(exampleFiles(example)).flatMap(([file, text]) =>
        expectedFindings(file, text, rule.id),
      );
      expect(expected.length, 'an invalid example must mark at least one finding').toBeGreaterThan(0);
      expect(actualFindings(runExample(rule, example, RULES).findings, rule.id)).toEqual(expected);
    },
  );

  it.each(Object.entries(rule.examples.valid))('stays quiet on valid example "%s"', (_name, example) => {
    expect(actualFindings(runExample(rule, example, RULES).findings, rule.id)).toEqual([]);
  });

  it('keeps the rule conventions', () => {
    expect(rule.id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)+$/);
    expect(readdirSync(`rules/${rule.family}`)).toContain(`${rule.id}.ts`);
    expect(rule.title).not.toMatch(/\.$/);
    expect(rule.remediation.trim()).toMatch(/\.$/);
    expect(rule.description.length).toBeGreaterThan(80);
    expect(rule.securitySeverity).toBeGreaterThan(0);
    expect(rule.securitySeverity).toBeLessThanOrEqual(10);
    expect(rule.tags).toContain('security');
    expect(Object.keys(rule.examples.invalid).length).toBeGreaterThan(0);
    expect(Object.keys(rule.examples.valid).length).toBeGreaterThan(0);
    if (rule.check) expect(Object.keys(rule.messages).length).toBeGreaterThan(0);
  });

  it('has every message produced by some invalid example', () => {
    if (!rule.check) return;
    const produced = new Set(
      Object.values(rule.examples.invalid).flatMap((ex) =>
        runExample(rule, ex, RULES)
          .findings.filter((f) => f.ruleId === rule.id)
          .map((f) => f.message),
      ),
    );
    for (const [messageId, template] of Object.entries(rule.messages as Record<string, string>)) {
      const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const pattern = new RegExp(
        `^${template
          .split(/\{\{\s*\w+\s*\}\}/)
          .map(escape)
          .join('[\\s\\S]*')}$`,
      );
      expect(
        [...produced].some((m) => pattern.test(m)),
        `message "${messageId}" is never produced by an example`,
      ).toBe(true);
    }
  });
});

describe('rule registry', () => {
  it('has unique ids', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });

  it('rules/index.ts lists every rule file (run npm run gen)', () => {
    expect(readFileSync('rules/index.ts', 'utf8')).toBe(rulesIndexSource('rules'));
  });
});
