// The labelled set of published samples (test/data/secrets-labelled.json: tokens and near misses per provider family,
// each with its source; see test/data/README.md) through the real rules, as a ConfigMap value and as a line of
// embedded configuration text. Gates: recall at least 95% overall and per family; near misses with any finding (error,
// warning or note: a note asks a person to look, so it costs as much as an error) at most 2%.
import { describe, expect, it } from 'vitest';
import { lintTexts } from './helpers.js';
import { loadLabelled } from './secret-samples.js';

type Family = 'cloud' | 'code' | 'saas' | 'ai' | 'store' | 'generic';
const FAMILIES: readonly Family[] = ['cloud', 'code', 'saas', 'ai', 'store', 'generic'];
const LABELLED = loadLabelled();

const FORMS = {
  /** The sample whole, as one ConfigMap value under a neutral key. */
  value: (text: string) => `  snippet: ${JSON.stringify(text)}\n`,
  /** The sample as lines of a configuration file held in a ConfigMap (a block scalar). */
  embedded: (text: string) => `  app.conf: |\n    # imported settings\n${text.replace(/^/gm, '    ')}\n`,
} as const;

/** Names of the ConfigMaps (one per sample) that got a secret finding, and those that got one other than a note. */
function flagged(form: keyof typeof FORMS): { any: Set<string>; errors: Set<string> } {
  const files: Record<string, string> = {};
  for (const family of FAMILIES)
    files[`${family}.yaml`] = LABELLED.map((e, i) =>
      e.family === family
        ? `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s-${i}\n  namespace: eval\ndata:\n${FORMS[form](e.text)}`
        : '',
    )
      .filter(Boolean)
      .join('---\n');
  const secret = lintTexts(files).findings.filter((f) => f.ruleId.startsWith('secret-') && f.resource);
  return {
    any: new Set(secret.map((f) => f.resource!.name)),
    errors: new Set(secret.filter((f) => f.severity !== 'note').map((f) => f.resource!.name)),
  };
}

interface Score {
  readonly tokens: number;
  readonly found: number;
  readonly nearMisses: number;
  readonly raised: number;
  readonly raisedAsError: number;
}

function score(names: { any: Set<string>; errors: Set<string> }, family?: Family): Score {
  const mine = LABELLED.map((e, i) => ({ e, name: `s-${i}` })).filter(({ e }) => !family || e.family === family);
  const tokens = mine.filter(({ e }) => e.positive);
  const near = mine.filter(({ e }) => !e.positive);
  return {
    tokens: tokens.length,
    found: tokens.filter(({ name }) => names.any.has(name)).length,
    nearMisses: near.length,
    raised: near.filter(({ name }) => names.any.has(name)).length,
    raisedAsError: near.filter(({ name }) => names.errors.has(name)).length,
  };
}

const pct = (a: number, b: number) => `${((100 * a) / Math.max(b, 1)).toFixed(1)}%`;

describe('the labelled set of published samples', () => {
  it('holds at least 120 tokens and 120 near misses, every family both, each with a source', () => {
    expect(LABELLED.filter((e) => e.positive).length).toBeGreaterThanOrEqual(120);
    expect(LABELLED.filter((e) => !e.positive).length).toBeGreaterThanOrEqual(120);
    for (const family of FAMILIES)
      for (const positive of [true, false])
        expect(LABELLED.filter((e) => e.family === family && e.positive === positive).length).toBeGreaterThanOrEqual(
          10,
        );
    for (const e of LABELLED) expect(e.source.length).toBeGreaterThan(5);
  });

  for (const form of Object.keys(FORMS) as (keyof typeof FORMS)[]) {
    it(`as ${form === 'value' ? 'a ConfigMap value' : 'embedded configuration text'}: recall >= 95% (overall and per family), near misses with any finding <= 2%`, () => {
      const names = flagged(form);
      const rows = [...FAMILIES, undefined].map((family) => {
        const s = score(names, family);
        return { family: family ?? 'all', ...s };
      });
      console.log(
        `labelled set, ${form}:\n${rows
          .map(
            (r) =>
              `  ${r.family.padEnd(8)} tokens ${r.found}/${r.tokens} (${pct(r.found, r.tokens)})  near misses flagged ${r.raised}/${r.nearMisses} (${pct(r.raised, r.nearMisses)}; errors only ${r.raisedAsError})`,
          )
          .join('\n')}`,
      );
      const missed = LABELLED.flatMap((e, i) => (e.positive && !names.any.has(`s-${i}`) ? [e.provider] : []));
      const raised = LABELLED.flatMap((e, i) => (!e.positive && names.any.has(`s-${i}`) ? [e.provider] : []));
      console.log(`  missed: ${missed.join(', ') || 'none'}; near misses flagged: ${raised.join(', ') || 'none'}`);
      for (const r of rows) expect(r.found / r.tokens, `recall of ${r.family}`).toBeGreaterThanOrEqual(0.95);
      const all = rows.at(-1)!;
      expect(all.raised / all.nearMisses, 'near misses with any finding').toBeLessThanOrEqual(0.02);
    });
  }
});
