// src/sha256.ts hashes short texts in JavaScript so that a small scan never loads node:crypto: its digests must be
// node:crypto's, byte for byte (fingerprints and secrets' identities are compared across runs and versions).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HASHED_IN_JAVASCRIPT, sha256Hex, sha256HexInJavaScript } from '../src/sha256.js';
import { randomInt, SEED } from './seeded-random.js';

const nodeSha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** A text of `length` characters: mostly ASCII, some of two, three and four UTF-8 bytes, and NUL (fingerprints join). */
function randomText(length: number): string {
  const pool = ['\0', 'é', 'ß', '€', '漢', '😀', '\n'];
  let text = '';
  for (let i = 0; i < length; i++)
    text += randomInt(4) === 0 ? pool[randomInt(pool.length)] : String.fromCharCode(32 + randomInt(95));
  return text;
}

describe(`sha256Hex (seed ${SEED})`, () => {
  it("gives node:crypto's digest for every length around the block boundaries and for multi-byte text", () => {
    expect(sha256HexInJavaScript('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256HexInJavaScript('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    for (let length = 0; length <= 200; length++) {
      const ascii = 'x'.repeat(length);
      expect(sha256HexInJavaScript(ascii)).toBe(nodeSha256(ascii));
      const mixed = randomText(length);
      expect(sha256HexInJavaScript(mixed)).toBe(nodeSha256(mixed));
    }
    const long = randomText(70_000);
    expect(sha256HexInJavaScript(long)).toBe(nodeSha256(long));
  });

  it('gives the same digests before and after node:crypto takes over', () => {
    const texts = Array.from(
      { length: HASHED_IN_JAVASCRIPT * 2 },
      (_, i) => `rule\0file-${i}.yaml\0${randomText(i % 90)}`,
    );
    expect(texts.map(sha256Hex)).toEqual(texts.map(nodeSha256));
  });
});
