import { describe, expect, it } from 'vitest';
import {
  compileSelector,
  LabelIndex,
  labelsSelector,
  matchesSelector,
  selectorMatches,
} from '../src/model/kubernetes/selectors.js';

type Item = { name: string; labels: Record<string, string> };
const items: Item[] = [
  { name: 'a', labels: { app: 'web', tier: 'front' } },
  { name: 'b', labels: { app: 'api', tier: 'back' } },
  { name: 'c', labels: { app: 'web', tier: 'back', canary: 'true' } },
  { name: 'd', labels: {} },
  { name: 'e', labels: { app: 'db', tier: 'back' } },
];
const index = new LabelIndex(items, (i) => i.labels);
const names = (list: readonly Item[]) => list.map((i) => i.name);
/** What a linear filter with the selector returns: the index must agree with it, order included. */
const linear = (selector: unknown) => names(items.filter((i) => matchesSelector(i.labels, selector)));

describe('label selectors', () => {
  const selectors: [string, unknown, string[]][] = [
    ['a plain map is matchLabels', { app: 'web' }, ['a', 'c']],
    ['every pair must hold', { matchLabels: { app: 'web', tier: 'back' } }, ['c']],
    [
      'the smallest posting list is narrowed by the other pairs',
      { matchLabels: { tier: 'back', canary: 'true' } },
      ['c'],
    ],
    ['a pair no item has selects nothing', { matchLabels: { app: 'web', zone: 'x' } }, []],
    ['an empty plain map selects everything', {}, ['a', 'b', 'c', 'd', 'e']],
    ['an empty label selector selects everything', { matchLabels: {} }, ['a', 'b', 'c', 'd', 'e']],
    ['In', { matchExpressions: [{ key: 'app', operator: 'In', values: ['api', 'db'] }] }, ['b', 'e']],
    [
      'NotIn keeps items without the key',
      { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['back'] }] },
      ['a', 'd'],
    ],
    ['Exists', { matchExpressions: [{ key: 'canary', operator: 'Exists' }] }, ['c']],
    ['DoesNotExist', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, ['d']],
    [
      'labels and expressions together',
      { matchLabels: { tier: 'back' }, matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }] },
      ['b', 'c'],
    ],
    ['an expression without key selects nothing', { matchExpressions: [{ operator: 'Exists' }] }, []],
    [
      'an unknown operator selects nothing',
      { matchExpressions: [{ key: 'app', operator: 'Like', values: ['w'] }] },
      [],
    ],
    ['a selector that is not a map selects nothing', 'app=web', []],
    ['pairs of two keys pick one item', { matchLabels: { app: 'web', tier: 'front' } }, ['a']],
  ];
  for (const [what, selector, expected] of selectors) {
    it(`${what}: index and linear filter agree`, () => {
      expect(names(index.select(compileSelector(selector)))).toEqual(expected);
      expect(linear(selector)).toEqual(expected);
    });
  }

  it('exact-label selectors (Istio workload selectors) are not read as label selectors', () => {
    const odd = new LabelIndex([{ name: 'x', labels: { matchLabels: 'y' } }], (i) => i.labels);
    expect(names(odd.select(labelsSelector({ matchLabels: 'y' })))).toEqual(['x']);
    expect(selectorMatches(labelsSelector({ app: 'web' }), { app: 'web', extra: '1' })).toBe(true);
    expect(selectorMatches(labelsSelector({ app: 'web' }), { app: 'api' })).toBe(false);
  });

  it('values that are numbers in YAML select labels that are the same digits', () => {
    expect(matchesSelector({ version: '2' }, { matchLabels: { version: 2 } })).toBe(true);
    expect(
      names(
        new LabelIndex([{ name: 'v', labels: { version: '2' } }], (i) => i.labels).select(
          compileSelector({ version: 2 }),
        ),
      ),
    ).toEqual(['v']);
  });

  it('selecting one of many items reads only its posting list (no pass over all items)', () => {
    const many = Array.from({ length: 20_000 }, (_, n) => ({
      name: `w${n}`,
      labels: { app: `app-${n}`, tier: 'back' },
    }));
    let reads = 0;
    const counted = new LabelIndex(many, (i) => {
      reads++;
      return i.labels;
    });
    reads = 0;
    for (let n = 0; n < 20_000; n += 1000)
      expect(names(counted.select(compileSelector({ matchLabels: { app: `app-${n}`, tier: 'back' } })))).toEqual([
        `w${n}`,
      ]);
    expect(reads).toBe(20); // one label read per selector: the single candidate is checked, nothing else
  });
});
