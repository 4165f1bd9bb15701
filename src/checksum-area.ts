// A checksum of a file's bytes, computed where they were read: in the memory of a small WebAssembly module, 64 bytes
// a step in 128-bit lanes. The launcher checks the code cache with it at every start (src/cli/code-cache.ts): a
// SHA-256 of the ~0.9 MB needed node:crypto (~2.5 ms to load) and ~0.6 ms; a loop in JavaScript runs interpreted
// (10-20 ms cold); this is ~0.7 ms of CPU (0.5 the WebAssembly engine's first use and the compile, 0.2 the sum),
// with no copy of the file. It detects damage (a torn or altered file, any bit flipped), it is no defence against
// someone who may write the file: that someone could run code anyway.
//
// The module, hand-assembled (no tool to build it; its bytes are below, with their meaning):
//   (memory (export "m") 0)
//   (func (export "s") (param $from i32) (param $end i32)   ;; [from, end): end - from a multiple of 64
//     (local $sum v128) (local $sumOfSums v128)            ;; Fletcher's two sums, four 32-bit lanes each
//     (local.set $sum (v128.const i32x4 1 2 3 4))
//     (block (loop
//       (br_if 1 (i32.ge_u (local.get $from) (local.get $end)))
//       ;; 4 times, at offsets 0, 16, 32, 48:
//       (local.set $sum (i32x4.add (local.get $sum) (v128.load offset=k (local.get $from))))
//       (local.set $sumOfSums (i32x4.add (local.get $sumOfSums) (local.get $sum)))
//       (local.set $from (i32.add (local.get $from) (i32.const 64)))
//       (br 0)))
//     (v128.store (local.get $end) (local.get $sum))
//     (v128.store offset=16 (local.get $end) (local.get $sumOfSums)))

/** One step: the 16 bytes at `from + offset` added into the sum, the sum into the sum of sums. */
const step = (offset: number) => [
  ...[0x20, 2, 0x20, 0, 0xfd, 0x00, 4, offset, 0xfd, 0xae, 1, 0x22, 2], // sum = sum + v128.load(from + offset)
  ...[0x20, 3, 0xfd, 0xae, 1, 0x21, 3], // sumOfSums = sumOfSums + sum
];
const BODY = [
  ...[2, 1, 0x7b, 1, 0x7b], // locals: 2 x v128 ($sum, $sumOfSums; 0 and 1 are the parameters)
  ...[0xfd, 0x0c, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0x21, 2], // sum = i32x4(1, 2, 3, 4): zeros sum to non-zero
  ...[0x02, 0x40, 0x03, 0x40], // block, loop
  ...[0x20, 0, 0x20, 1, 0x4f, 0x0d, 1], // br_if 1 (from >= end)
  ...step(0),
  ...step(16),
  ...step(32),
  ...step(48),
  ...[0x20, 0, 0x41, 0xc0, 0x00, 0x6a, 0x21, 0], // from = from + 64
  ...[0x0c, 0, 0x0b, 0x0b], // br 0, end loop, end block
  ...[0x20, 1, 0x20, 2, 0xfd, 0x0b, 4, 0], // v128.store(end, sum)
  ...[0x20, 1, 0x20, 3, 0xfd, 0x0b, 4, 16], // v128.store(end + 16, sumOfSums)
  0x0b,
];
/** An unsigned LEB128 number below 2^14 (the lengths below). */
const leb128 = (n: number) => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, n >> 7]);
const CODE = [1, ...leb128(BODY.length), ...BODY]; // one function body
const MODULE_BYTES = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0], // \0asm, version 1
  ...[1, 6, 1, 0x60, 2, 0x7f, 0x7f, 0], // types: (i32, i32) -> ()
  ...[3, 2, 1, 0], // functions: one, of type 0
  ...[5, 3, 1, 0, 0], // memories: one, 0 pages at first
  ...[7, 9, 2, 1, 0x6d, 2, 0, 1, 0x73, 0, 0], // exports: "m" memory 0, "s" function 0
  ...[10, ...leb128(CODE.length), ...CODE], // code
]);

/** The checksum's length in bytes (the two sums). */
export const CHECKSUM_BYTES = 32;

/** What of WebAssembly this uses (the project's TypeScript library, ES2023 without the DOM, does not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: { m: ChecksumMemory; s: (from: number, end: number) => void } };
}
interface ChecksumMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The module, compiled once per process (a start uses it once, the exit that writes a cache once more). */
let compiled: object | undefined;

/**
 * `size` bytes of a WebAssembly memory (zeros at first) to read a file into, and their checksum from an offset on.
 * Throws where WebAssembly cannot run (node --jitless): the caller then goes without what it checks.
 */
export class ChecksumArea {
  #bytes: Uint8Array;
  readonly #memory: ChecksumMemory;
  readonly #sum: (from: number, end: number) => void;

  constructor(size: number) {
    const { WebAssembly } = globalThis as unknown as { WebAssembly: WebAssemblyApi };
    compiled ??= new WebAssembly.Module(MODULE_BYTES);
    const { m, s } = new WebAssembly.Instance(compiled).exports;
    this.#memory = m;
    this.#sum = s;
    this.#bytes = this.resize(size);
  }

  /** The bytes to read a file into and checksum. */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /**
   * Makes the area `size` bytes, its first ones as they were (zeros where never written); its memory only grows (a
   * view of the bytes from before a growth is empty). Reused for another file, the area's pages are in memory
   * already: the first touch of fresh memory costs more than reading into it (~1 ms a MB here).
   */
  resize(size: number): Uint8Array {
    // Room for the zeros that round the last step up to 64 bytes, and for the checksum written after them.
    const pages = Math.ceil((size + 64 + CHECKSUM_BYTES) / 65536) - this.#memory.buffer.byteLength / 65536;
    if (pages > 0) this.#memory.grow(pages);
    this.#bytes = new Uint8Array(this.#memory.buffer, 0, size);
    return this.#bytes;
  }

  /** The checksum of bytes[from..] and of their length: CHECKSUM_BYTES bytes (a copy). */
  checksum(from: number): Uint8Array {
    const size = this.bytes.length;
    const end = from + Math.ceil((size - from) / 64) * 64;
    const memory = new Uint8Array(this.#memory.buffer);
    // The last step reads up to `end`: zeros past the bytes (an earlier checksum may have been written there).
    memory.fill(0, size, end + CHECKSUM_BYTES);
    this.#sum(from, end);
    const checksum = memory.slice(end, end + CHECKSUM_BYTES);
    // And the length, in the first lane: zeros added to the bytes would otherwise only be more of those zeros.
    const view = new DataView(checksum.buffer);
    view.setUint32(0, (view.getUint32(0, true) + size - from) >>> 0, true);
    return checksum;
  }
}
