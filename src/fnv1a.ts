// FNV-1a, 32 bits: a cheap hash of short texts for keys and file names (not for anything an attacker chooses to
// collide: use SHA-256 there).

/** FNV-1a's offset basis: where a hash starts. */
export const FNV1A_START = 0x811c9dc5;

/**
 * FNV-1a over the UTF-16 code units of `text` from `from` to `to`, continuing from `hash` (a signed 32-bit number;
 * `>>> 0` makes it unsigned). Kept in a parameter: a variable a closure shares would box each step in a heap number.
 */
export function fnv1a(text: string, hash = FNV1A_START, from = 0, to = text.length): number {
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
}
