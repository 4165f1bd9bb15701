// Array helpers that are safe for input-sized arrays: spreading an array into call arguments (push(...items),
// Math.min(...xs)) puts every element on the stack and throws a RangeError past roughly 100,000 elements.

/** Appends every item to target, in order. */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}

/** Whether two arrays hold the same items (===) in the same order. */
export function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The smallest number, or `empty` when there is none. */
export function minimum(values: Iterable<number>, empty = Infinity): number {
  let min = Infinity;
  for (const value of values) if (value < min) min = value;
  return min === Infinity ? empty : min;
}

/** The largest number, or `empty` when there is none. */
export function maximum(values: Iterable<number>, empty = -Infinity): number {
  let max = -Infinity;
  for (const value of values) if (value > max) max = value;
  return max === -Infinity ? empty : max;
}

/**
 * Orders strings by UTF-16 code unit, the same in every locale. Not String#localeCompare: its order follows the
 * user's locale (Danish puts "aa" after "z"), and its first call initialises ICU's collator, ~13 ms of a run that
 * scans one file. For rule ids (kebab-case ASCII) both orders agree in the English and root locales.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
