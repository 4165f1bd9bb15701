// What a string alone can hold, read once per distinct string: most strings of a scan (images, names, ports, labels)
// hold no token, no JSON, no embedded text, no flags and no pair, and need only their key name checked.
import { isHighEntropy } from './entropy.js';
import { findProviderSecrets } from './providers.js';

/** A provider token somewhere in the string. */
export const HAS_PROVIDER_TOKEN = 1;
/** Opens and closes like a JSON object or list (parsed when read). */
export const IS_JSON_LIKE = 2;
/** Multi-line text: properties, scripts, embedded YAML. */
export const IS_MULTILINE = 4;
/** A command line or a header: flags, `curl -u`, `Authorization:`. */
export const IS_COMMAND_LINE = 8;
/** Opens like a `key=value` or `key: value` pair. */
export const IS_PAIR = 16;
/** Read on its own, the trimmed string passes the high-entropy test. */
export const IS_HIGH_ENTROPY = 32;
/** Shapes that need the string read on its own, whatever its key name. */
export const READ_ALONE = HAS_PROVIDER_TOKEN | IS_JSON_LIKE | IS_MULTILINE | IS_COMMAND_LINE | IS_PAIR;

/** The shape bits of a string (see the constants above), given its provider tokens when they are known. */
export function stringShape(s: string, providers: readonly unknown[] = findProviderSecrets(s)): number {
  let shape = 0;
  if (providers.length > 0) shape |= HAS_PROVIDER_TOKEN;
  const first = firstNonBlank(s);
  if ((first === '{' || first === '[') && s.length < 2_000_000 && closesLike(s, first === '{' ? '}' : ']'))
    shape |= IS_JSON_LIKE;
  if (s.includes('\n')) shape |= IS_MULTILINE;
  if (s.length > 8 && (first === '-' || s.includes(' -') || s.includes('uthorization') || s.includes('UTHORIZATION')))
    shape |= IS_COMMAND_LINE;
  if (startsLikePair(s)) shape |= IS_PAIR;
  const trimmed = s.trim();
  if (trimmed.length >= 20 && isHighEntropy(trimmed)) shape |= IS_HIGH_ENTROPY;
  return shape;
}

/** Strings shorter than this are shorter than the shortest token (16) and an entropy run (20). */
const SHORT = 16;
/** The length of `uthorization`, which makes a header of a string (IS_COMMAND_LINE): shorter ones cannot hold it. */
const HEADER_WORD = 12;

/**
 * A string whose shape is 0, told by its characters alone (no look-up, no scan for tokens): it is short, holds no
 * blank, line break, `{`, `[`, `:`, `=` or `<` (nothing opens JSON, a pair, a second line or a flag after a blank),
 * does not open with `-` and holds no `uthorization`. Most values of a scan are such strings (names, ports,
 * protocols, versions; the names of generated objects, `cluster-12345`, which were each kept in the memo).
 */
export function isPlainShort(s: string): boolean {
  const length = s.length;
  if (length >= SHORT || s.charCodeAt(0) === 45) return false; // -
  for (let i = 0; i < length; i++) {
    const c = s.charCodeAt(i);
    // tab, line feed, carriage return, space, : = < [ {
    if (c === 9 || c === 10 || c === 13 || c === 32 || c === 58 || c === 61 || c === 60 || c === 91 || c === 123)
      return false;
  }
  return length < HEADER_WORD || !(s.includes('uthorization') || s.includes('UTHORIZATION'));
}

/**
 * A value that opens with a name (quoted or not, or after a `$`, a comment marker or a diff's `-`/`+`) and holds a
 * `=` or `:` after it: worth reading as a pair.
 */
export function startsLikePair(s: string): boolean {
  const c = s.charCodeAt(0);
  const opensName =
    (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 34 || c === 39 || c === 32 || c === 60; // A-Z a-z _ " ' space <
  const opensMarked = c === 36 || c === 35 || c === 47 || c === 59 || c === 45 || c === 43; // $ # / ; - +
  return (opensName || opensMarked) && (s.includes('=') || s.includes(':') || s.includes('</'));
}

/** The text opens (after blanks) like a JSON object or list: a first step of IS_JSON_LIKE. */
export function opensLikeJson(s: string): boolean {
  const first = firstNonBlank(s);
  return first === '{' || first === '[';
}

export function firstNonBlank(s: string): string | undefined {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== ' ' && c !== '\n' && c !== '\t' && c !== '\r') return c;
  }
  return undefined;
}

/** The text ends with this bracket (whitespace aside): worth a JSON.parse, whose failures are costly. */
export function closesLike(s: string, bracket: string): boolean {
  let end = s.length - 1;
  while (end > 0 && (s[end] === '\n' || s[end] === ' ' || s[end] === '\r' || s[end] === '\t')) end--;
  return s[end] === bracket;
}
