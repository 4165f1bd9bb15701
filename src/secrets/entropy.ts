// Shannon entropy with length-dependent thresholds: the maximum entropy of a string is log2(length), so a fixed
// threshold (detect-secrets' 4.5) only catches 40-char tokens and is meaningless for short ones. Thresholds are about the 5th percentile of random strings of that length and
// alphabet, minus 0.1, measured on 4,000 random strings per cell.

/** Shannon entropy in bits per character. */
export function shannon(text: string): number {
  if (text.length === 0) return 0;
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
const BASE64ISH = /^[A-Za-z0-9+/_=-]+$/;
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
 * A string that looks randomly generated: no whitespace, 20-200 characters of a base64/hex alphabet, letters and
 * digits mixed, not a UUID, entropy above the threshold for its length.
 */
export function isHighEntropy(value: string): boolean {
  if (value.length < 20 || value.length > 200 || !BASE64ISH.test(value)) return false;
  if (!/\d/.test(value) || !/[A-Za-z]/.test(value) || UUID.test(value)) return false;
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
