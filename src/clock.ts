// Elapsed time, for timings a run reports. Not performance.now(): the `performance` global loads node:perf_hooks on
// first use, about a millisecond of every start.

/** Milliseconds on a monotonic clock (an arbitrary origin: only differences mean something). */
export function milliseconds(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
