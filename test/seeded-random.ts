// The random values tests plant (secrets, near misses) come from a seeded generator, so that a failure can be
// replayed: MESHLINT_TEST_SEED=<n> reruns with the values of that run. The seed is fixed by default; set it to
// `random` to explore new values.
import { randomInt as cryptoRandomInt } from 'node:crypto';

const configured = process.env.MESHLINT_TEST_SEED;
export const SEED = configured === 'random' ? cryptoRandomInt(2 ** 31) : Number(configured ?? 20261130) >>> 0;

// mulberry32: small, fast, and good enough to spread test values over an alphabet.
let state = SEED;
function next(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** An integer in [min, max), or [0, min) with one argument, as node:crypto's randomInt. */
export function randomInt(min: number, max?: number): number {
  const [low, high] = max === undefined ? [0, min] : [min, max];
  return low + Math.floor(next() * (high - low));
}

export function randomBytes(n: number): Buffer {
  const bytes = Buffer.alloc(n);
  for (let i = 0; i < n; i++) bytes[i] = Math.floor(next() * 256);
  return bytes;
}
