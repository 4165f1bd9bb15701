// Regular expressions that come from users (configuration, custom rules) run on RE2's linear-time engine: a
// pattern can never make one value stall a scan, whatever it is and whatever it meets. RE2 has no lookaround
// and no backreferences; a pattern using them is rejected with RE2's reason, never dropped silently.
import { re2js } from '../lazy-packages.js';

/** A compiled user pattern: `test` searches the value (anchor with ^ and $ to match it whole). */
export interface UserPattern {
  readonly source: string;
  test(value: string): boolean;
}

export type CompiledPattern = { ok: true; pattern: UserPattern } | { ok: false; error: string };

export function compileUserPattern(source: string, options: { ignoreCase?: boolean } = {}): CompiledPattern {
  const { RE2JS } = re2js();
  try {
    const compiled = RE2JS.compile(source, options.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
    return { ok: true, pattern: { source, test: (value) => compiled.matcher(value).find() } };
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
    return { ok: false, error: `invalid regular expression /${source}/: ${reason}` };
  }
}
