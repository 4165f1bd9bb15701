// Shannon entropy with length-dependent thresholds: the maximum entropy of a string is log2(length), so a fixed
// threshold (detect-secrets' 4.5) only catches 40-char tokens and is meaningless for short ones. Thresholds are about the 5th percentile of random strings of that length and
// alphabet, minus 0.1, measured on 4,000 random strings per cell.

/** Counts of ASCII characters and the order they first occur in, for shannon (zeroed after each use). */
const ASCII_COUNTS = new Int32Array(128);
const ASCII_ORDER = new Uint8Array(128);

/** Shannon entropy in bits per character. */
export function shannon(text: string): number {
  if (text.length === 0) return 0;
  // ASCII text (every string the heuristics measure, in practice) is counted in a typed array, no Map entry per
  // character; the terms are summed in the order the characters first occur, as the Map's would be: the same bits.
  let distinct = 0;
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128) {
      ascii = false;
      break;
    }
    if (ASCII_COUNTS[c]++ === 0) ASCII_ORDER[distinct++] = c;
  }
  if (ascii) {
    let bits = 0;
    for (let k = 0; k < distinct; k++) {
      const p = ASCII_COUNTS[ASCII_ORDER[k]] / text.length;
      bits -= p * Math.log2(p);
    }
    for (let k = 0; k < distinct; k++) ASCII_COUNTS[ASCII_ORDER[k]] = 0;
    return bits;
  }
  for (let k = 0; k < distinct; k++) ASCII_COUNTS[ASCII_ORDER[k]] = 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

const HEX = /^[0-9a-fA-F]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The entropy a random string of this alphabet and length almost always exceeds, or undefined when too short. */
export function entropyThreshold(value: string): number | undefined {
  const n = value.length;
  if (HEX.test(value)) {
    if (n >= 64) return 3.6;
    if (n >= 40) return 3.4;
    if (n >= 32) return 3.3;
    return undefined;
  }
  if (n >= 40) return 4.4;
  if (n >= 32) return 4.2;
  if (n >= 24) return 3.9;
  if (n >= 20) return 3.7;
  return undefined;
}

/**
 * The string is all of the base64/hex alphabet (A-Z a-z 0-9 + / _ = -) and holds a letter and a digit: one pass over
 * its characters, which most strings fail early (at a blank, a dot, a colon).
 */
function isBase64ishMix(value: string): boolean {
  let digit = false;
  let letter = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) digit = true;
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letter = true;
    else if (c !== 43 && c !== 47 && c !== 95 && c !== 61 && c !== 45) return false; // + / _ = -
  }
  return digit && letter;
}

/**
 * A string that looks randomly generated: no whitespace, 20-200 characters of a base64/hex alphabet, letters and
 * digits mixed, not a UUID, entropy above the threshold for its length.
 */
export function isHighEntropy(value: string): boolean {
  if (value.length < 20 || value.length > 200 || !isBase64ishMix(value) || UUID.test(value)) return false;
  // md5/sha1/sha256/sha512 digests, commit ids, certificate thumbprints (written in capitals too: 40 hex digits of one
  // case or the other; a digest is never randomly mixed-case, and a mixed-case hex credential has no known format)
  if (HEX.test(value) && [32, 40, 64, 128].includes(value.length)) return false;
  if (value.startsWith('/') || value.startsWith('~/')) return false; // paths
  if (looksLikeWords(value)) return false;
  const threshold = entropyThreshold(value);
  return threshold !== undefined && shannon(value) > threshold;
}

/**
 * Identifiers made of words (CONSTANT_CASE, kebab-case, camelCase: ARGOCD_K8S_CLIENT_QPS, routeToEnvoy2ViaEnvoy1):
 * most of their letters are in runs of three or more that contain a vowel. In random strings runs are short.
 */
export function looksLikeWords(value: string): boolean {
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value) || /^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)+$/.test(value)) return true;
  const words = value.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])/g) ?? [];
  const letters = value.replace(/[^A-Za-z]/g, '').length;
  const inWords = words.filter((w) => w.length >= 3 && /[aeiouyAEIOUY]/.test(w)).reduce((n, w) => n + w.length, 0);
  return letters > 0 && inWords / letters >= 0.75;
}
