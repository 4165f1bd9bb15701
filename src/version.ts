import pkg from '../package.json' with { type: 'json' };
import type { AnyRule } from './engine/rule.js';

export const TOOL_NAME = 'meshlint';
export const VERSION: string = pkg.version;
export const HOMEPAGE: string = pkg.homepage;

/** Where a rule's documentation page is published: at the tag of the running version, so the page matches the rule. */
export function ruleDocUrl(ruleId: string): string {
  return `${HOMEPAGE}/blob/v${VERSION}/docs/rules/${ruleId}.md`;
}

/** Where a rule is documented: its bundled page; for a custom rule (defined in the user's files), its first reference. */
export function ruleHelpUrl(rule: Pick<AnyRule, 'id' | 'source' | 'references'>): string | undefined {
  return rule.source === undefined ? ruleDocUrl(rule.id) : rule.references?.[0];
}

/** A lookup of help links for the rules of a run; an id none of them has gets its bundled page. */
export function ruleHelpUrls(
  rules: readonly Pick<AnyRule, 'id' | 'source' | 'references'>[],
): (id: string) => string | undefined {
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  return (id) => {
    const rule = byId.get(id);
    return rule ? ruleHelpUrl(rule) : ruleDocUrl(id);
  };
}
