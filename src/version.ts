import pkg from '../package.json' with { type: 'json' };

export const TOOL_NAME = 'meshlint';
export const VERSION: string = pkg.version;
export const HOMEPAGE: string = pkg.homepage;

/** Where a rule's documentation page is published: at the tag of the running version, so the page matches the rule. */
export function ruleDocUrl(ruleId: string): string {
  return `${HOMEPAGE}/blob/v${VERSION}/docs/rules/${ruleId}.md`;
}
