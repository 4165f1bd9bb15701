// SHA-256 of short texts (findings' fingerprints, secrets' identities, a few hundred bytes each) without loading
// node:crypto for the first few: loading it costs a start ~2.5 ms (its module tree and the stream classes it loads)
// and ~340 KB of young objects, for the handful of hashes a small scan makes. Hashed here in JavaScript (FIPS 180-4),
// each costs a few microseconds more than node:crypto's, so a run that makes many (a large scan) loads node:crypto
// after the first HASHED_IN_JAVASCRIPT. Both give the same digest (test/sha256.test.ts). Large inputs (files, the
// result cache) go to node:crypto directly.
import { crypto } from './lazy-packages.js';

/** How many texts are hashed in JavaScript before node:crypto is loaded for the rest of the run. */
export const HASHED_IN_JAVASCRIPT = 256;
let hashed = 0;

/** The SHA-256 digest of a text's UTF-8 bytes, in lowercase hex (as node:crypto's `hash('sha256', text, 'hex')`). */
export const sha256Hex = (text: string): string =>
  ++hashed > HASHED_IN_JAVASCRIPT ? crypto().hash('sha256', text, 'hex') : sha256HexInJavaScript(text);

/** The first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const ROUND_CONSTANTS = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

/** The first 32 bits of the fractional parts of the square roots of the first 8 primes. */
const INITIAL_STATE = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/** The message schedule of the block being hashed (one, reused: hashing is synchronous). */
const schedule = new Int32Array(64);

/** sha256Hex, in JavaScript. */
export function sha256HexInJavaScript(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  const length = bytes.length;
  // The message, a 1 bit, zeros, and its length in bits as 64 bits big-endian, in blocks of 64 bytes.
  const padded = Buffer.alloc(((length + 8) >>> 6) * 64 + 64);
  bytes.copy(padded);
  padded[length] = 0x80;
  padded.writeUInt32BE(Math.floor(length / 0x20000000), padded.length - 8);
  padded.writeUInt32BE((length * 8) >>> 0, padded.length - 4);
  let h0 = INITIAL_STATE[0];
  let h1 = INITIAL_STATE[1];
  let h2 = INITIAL_STATE[2];
  let h3 = INITIAL_STATE[3];
  let h4 = INITIAL_STATE[4];
  let h5 = INITIAL_STATE[5];
  let h6 = INITIAL_STATE[6];
  let h7 = INITIAL_STATE[7];
  for (let block = 0; block < padded.length; block += 64) {
    for (let t = 0, i = block; t < 16; t++, i += 4)
      schedule[t] = (padded[i] << 24) | (padded[i + 1] << 16) | (padded[i + 2] << 8) | padded[i + 3];
    // The rotations are written out: this runs interpreted in a small scan, where a call costs more than the rest.
    for (let t = 16; t < 64; t++) {
      const w15 = schedule[t - 15];
      const w2 = schedule[t - 2];
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      schedule[t] = (schedule[t - 16] + s0 + schedule[t - 7] + s1) | 0;
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    let f = h5;
    let g = h6;
    let h = h7;
    for (let t = 0; t < 64; t++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + s1 + ((e & f) ^ (~e & g)) + ROUND_CONSTANTS[t] + schedule[t]) | 0;
      const t2 =
        ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
          ((a & b) ^ (a & c) ^ (b & c))) |
        0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  return [h0, h1, h2, h3, h4, h5, h6, h7].map((word) => (word >>> 0).toString(16).padStart(8, '0')).join('');
}
