// The JSON and SARIF reports in pieces: arrays of findings stringified a batch at a time, and pieces joined for writing,
// never the whole report in one string.

/**
 * The most findings stringified together (fewer calls), and the characters a batch's text is kept near: well under
 * V8's largest young object (128 KB), above which a string goes to the large-object space, freed only by a full
 * collection (batches of 512 findings, about 360 KB each, grew the heap by 40 MB as 84,000 findings were written).
 */
export const FINDINGS_PER_BATCH = 512;
export const BATCH_CHARACTERS = 1 << 15;

/**
 * An array as JSON.stringify(…, null, 2) writes it as a member of an object at nesting `depth` (1: a member of the
 * top-level object), a batch of at most `batchSize` elements at a time, fewer when theirs is a long text (see
 * BATCH_CHARACTERS); the text of the member's name comes before it.
 */
export function* memberArray<T>(
  items: readonly T[],
  toJson: (item: T) => object,
  batchSize: number,
  depth: number,
): Generator<string> {
  if (items.length === 0) {
    yield '[]';
    return;
  }
  const indent = '  '.repeat(depth);
  // Starts small, then doubles or halves after each batch to keep its text near BATCH_CHARACTERS.
  let count = Math.min(batchSize, 16);
  for (let from = 0; from < items.length; ) {
    // "[\n  <elements, each line indented by 2>\n]": the elements without the brackets, `depth` levels deeper.
    const batch = JSON.stringify(items.slice(from, from + count).map(toJson), null, 2);
    yield `${from === 0 ? '[\n' : ',\n'}${indent}${batch.slice(2, -2).replaceAll('\n', `\n${indent}`)}`;
    from += count;
    if (batch.length > BATCH_CHARACTERS) count = Math.max(1, count >> 1);
    else if (batch.length < BATCH_CHARACTERS / 4) count = Math.min(batchSize, count * 2);
  }
  yield `\n${indent}]`;
}

/**
 * Pieces joined into strings of about `size` characters: few writes, none of them the whole report, and none in V8's
 * large-object space (see BATCH_CHARACTERS).
 */
export function* joinedInBatches(chunks: Iterable<string>, size = BATCH_CHARACTERS): Generator<string> {
  let batch: string[] = [];
  let length = 0;
  for (const chunk of chunks) {
    batch.push(chunk);
    length += chunk.length;
    if (length >= size) {
      yield batch.join('');
      batch = [];
      length = 0;
    }
  }
  if (batch.length > 0) yield batch.join('');
}
