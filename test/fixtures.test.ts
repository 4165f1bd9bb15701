// One harness for every fixture: each folder under fixtures/ is scanned as a repository (with its own
// .meshlint.yaml if it has one) and its findings must be exactly the `# expect:` markers: rule id, line and columns.
import { describe, expect, it } from 'vitest';
import { actualFindings, fixtureUnits, scanFixture } from './expect.js';

const units = fixtureUnits();

describe('fixtures', () => {
  it('exist', () => {
    expect(units.length).toBeGreaterThan(0);
  });

  it.each(units)('%s: findings are exactly the # expect: markers', async (unit) => {
    const { result, expected } = await scanFixture(unit);
    expect(actualFindings(result.findings)).toEqual(expected);
  });
});
