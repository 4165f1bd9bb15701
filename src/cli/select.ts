// --rule, --disable-rule and --quiet: which findings a run reports. Parse errors are always kept, since a file that
// could not be read must never pass because the user asked for one rule.
import type { AnyRule } from '../engine/rule.js';
import { ENGINE_RULES } from '../engine/rule.js';
import type { Finding } from '../engine/run.js';
import { didYouMean } from '../suggest.js';

export interface Selection {
  /** Run only these rules (none given: all). */
  readonly only?: readonly string[];
  /** Run every rule but these. */
  readonly disabled?: readonly string[];
  /** Errors only (ESLint's --quiet). */
  readonly errorsOnly?: boolean;
}

export function selectFindings(findings: readonly Finding[], selection: Selection): readonly Finding[] {
  const only = selection.only?.length ? new Set(selection.only) : undefined;
  const disabled = new Set(selection.disabled ?? []);
  if (!only && !disabled.size && !selection.errorsOnly) return findings;
  return findings.filter((f) => {
    if (f.ruleId === ENGINE_RULES.parseError) return true;
    if (only && !only.has(f.ruleId)) return false;
    if (disabled.has(f.ruleId)) return false;
    return !selection.errorsOnly || f.severity === 'error';
  });
}

/** One message per id that names no rule, with a suggestion. */
export function unknownRuleIds(ids: readonly string[], rules: readonly AnyRule[]): string[] {
  const known = rules.map((r) => r.id);
  return ids
    .filter((id) => !known.includes(id))
    .map((id) => `unknown rule "${id}"${didYouMean(id, known)}. Run meshlint --list-rules for the ids.`);
}
