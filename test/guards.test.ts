// Guards around the expectations: markers live only where a harness reads them, and no rule goes untested.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULES } from '../rules/index.js';
import { runExample } from '../src/engine/examples.js';
import { fixtureUnits, scanFixture } from './expect.js';

describe('expectation guards', () => {
  it('no tracked YAML outside fixtures/ carries an # expect: marker (no harness would read it)', () => {
    const tracked = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' }).split('\0').filter(Boolean);
    const yamlFiles = tracked.filter((file) => /\.ya?ml$/i.test(file));
    expect(yamlFiles.length).toBeGreaterThan(0);
    const stray = yamlFiles.filter(
      (file) => !file.startsWith('fixtures/') && /#\s*expect:/.test(readFileSync(file, 'latin1')),
    );
    expect(stray).toEqual([]);
  });

  it('every rule with a check is fired by at least one fixture or example', async () => {
    const fired = new Set<string>();
    for (const unit of fixtureUnits()) {
      for (const finding of (await scanFixture(unit)).result.findings)
        if (!finding.suppression) fired.add(finding.ruleId);
    }
    for (const rule of RULES) {
      for (const example of Object.values(rule.examples.invalid)) {
        for (const finding of runExample(rule, example, RULES).findings)
          if (!finding.suppression) fired.add(finding.ruleId);
      }
    }
    const checked = RULES.filter((rule) => rule.check).map((rule) => rule.id);
    expect(checked.length).toBeGreaterThan(0);
    expect(checked.filter((id) => !fired.has(id))).toEqual([]);
  });
});
