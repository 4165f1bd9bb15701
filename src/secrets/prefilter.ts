// Texts that cannot hold a finding, told by one look at the text instead of a walk of its values. Each test is
// conservative: it may answer "maybe" for a text that holds nothing, never "no" for one that holds something. A value
// read from a text differs from it only by escapes (a backslash in the text), line folding (a space or a line break
// between two pieces) and a single-quoted scalar's `''` (one quote): so a stretch of a value with no backslash
// behind it, no space, line break or quote in it, is a stretch of the text.
import { mayNameASecretOnceWorthIt } from './name-runs.js';
import { hasProviderCandidate } from './providers.js';

/** A provider token could be in the text: it holds a candidate prefix, or an escape that could spell one. */
export function mayHoldProviderToken(text: string): boolean {
  return text.includes('\\') || hasProviderCandidate(text);
}

/**
 * Some pair of the text could be under a secret-like key: a pair's key is cut from the text (mayNameASecret covers
 * it), except the `password` that commandLinePairs gives `curl -u`/`--user` and `mysql -p` (`authorization` comes from
 * a header whose name is in the text).
 */
export function mayNameAPair(text: string): boolean {
  return text.includes('-u') || text.includes('mysql') || mayNameASecretOnceWorthIt(text);
}

/**
 * Embedded JSON read from this (unescaped) text could hold a finding: a provider token, a name that says secret, or a
 * value that its context makes one (registry `auths` entries, JSON Web Keys; Kong credentials, Secret data,
 * `private_key` and session ticket keys are named by secret words). No high-entropy test runs inside embedded text.
 * `candidate`: hasProviderCandidate of the text, when the caller knows it already.
 */
export function mayHoldNamedSecret(text: string, candidate?: boolean): boolean {
  const provider = candidate === undefined ? mayHoldProviderToken(text) : candidate || text.includes('\\');
  return provider || mayNameAPair(text) || /auths|kty/i.test(text);
}

const JSON_ESCAPE = /\\(?:u([0-9a-fA-F]{4})|(["\\/bfnrt]))/g;
const JSON_SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/**
 * JSON text (parsed without error) with its escapes replaced by the characters they stand for: every key and string
 * of the JSON is then a stretch of it. A backslash left in it comes from JSON inside a string of the JSON.
 */
export function unescapeJson(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(JSON_ESCAPE, (_, hex: string | undefined, short: string | undefined) =>
    hex ? String.fromCharCode(Number.parseInt(hex, 16)) : JSON_SHORT_ESCAPES[short ?? ''],
  );
}
